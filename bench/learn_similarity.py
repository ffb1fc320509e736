"""What embeddings add to the agent memory's similarity search: lexical vs hybrid, measured.

Two independently written question sets over the demo catalog (the resolver's original development set
and the blind-written development split) hold many pairs of questions asking for the same reading
(the same metrics, breakdowns and filters; time aside) in different words. Each question is searched
against all the others: a hit at rank 1 is right when it asks for the same reading. Printed: precision@1
and recall@5 for the lexical index and the hybrid index, and search latency at 100k items.

    .venv/bin/python bench/learn_similarity.py [--items 100000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metricmind.embedding import default_embedder
from metricmind.learn.similarity import LexicalIndex
from metricmind.learn.vectors import HybridIndex

ROOT = Path(__file__).resolve().parents[1] / "tests" / "resolve"


def reading_key(item: dict[str, Any]) -> tuple[Any, ...] | None:
    """Metrics, breakdowns and filters of an answerable item (time aside), or ``None``."""
    if item.get("answerable") is False or not item.get("metrics"):
        return None
    filters = tuple(sorted(str(f) for f in item.get("filters") or []))
    return (tuple(sorted(item["metrics"])), tuple(sorted(item.get("group_by") or [])), filters)


def questions() -> list[tuple[str, tuple[Any, ...]]]:
    """Every answerable question of both sets with its reading key."""
    out = []
    for item in yaml.safe_load((ROOT / "devset.yml").read_text())["questions"]:
        key = reading_key(item)
        if key:
            out.append((str(item["q"]), key))
    for item in yaml.safe_load((ROOT / "blind" / "dev.yml").read_text()):
        key = reading_key(item.get("expect") or {})
        if key:
            out.append((str(item["q"]), key))
    return out


def score(index: LexicalIndex | HybridIndex, items: list[tuple[str, tuple[Any, ...]]]) -> tuple[float, float]:
    """Precision@1 and recall@5 over the questions that have a same-reading partner."""
    right1 = right5 = total = 0
    for i, (text, key) in enumerate(items):
        if sum(1 for _, other in items if other == key) < 2:
            continue
        total += 1
        hits = [h for h in index.search(text, 6) if h.key != i][:5]
        right1 += bool(hits) and items[hits[0].key][1] == key
        right5 += any(items[h.key][1] == key for h in hits)
    return right1 / total, right5 / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000, help="index size for the latency figure")
    args = parser.parse_args()
    embedder = default_embedder()
    if embedder is None:
        sys.exit("the embeddings extra is not installed: pip install 'metricmind[embeddings]'")
    items = questions()
    lexical = LexicalIndex()
    lexical.extend(list(enumerate(t for t, _ in items)))
    hybrid = HybridIndex(embedder)
    hybrid.extend(list(enumerate(t for t, _ in items)))
    pairs = sum(1 for _, key in items if sum(1 for _, k in items if k == key) >= 2)
    for name, index in (("lexical", lexical), ("hybrid", hybrid)):
        p1, r5 = score(index, items)
        print(f"{name:8s} precision@1 {p1:.1%}  recall@5 {r5:.1%}  ({pairs} questions with a partner)")
    rng = np.random.default_rng(7)
    big = HybridIndex(embedder)
    words = " ".join(t for t, _ in items).split()
    vectors = rng.normal(size=(args.items, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    for n in range(args.items):
        text = " ".join(rng.choice(words, size=6))
        big.add_vector(n, text, vectors[n])
    big.freeze()
    times = []
    for text, _ in items[:60]:
        start = time.perf_counter()
        big.search(text, 5)
        times.append((time.perf_counter() - start) * 1000)
    print(
        f"hybrid search at {args.items:,} items: median {statistics.median(times):.1f} ms, "
        f"max {max(times):.1f} ms (query embedding included)"
    )


if __name__ == "__main__":
    main()
