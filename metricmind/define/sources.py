"""Source suggestions: measures and canonical datasets ranked by the words a definition shares with them.

This is the Define form's quick, as-you-type ranking (moved here from the web layer so the CLI, MCP and
web share it). ``analyze`` ranks candidates more carefully; both read only the ``Model``.
"""

from __future__ import annotations

import re
from typing import Any

from metricmind.spec.model import Model

_WORD = re.compile(r"[a-z0-9]+")
_STOP = {"the", "of", "a", "an", "and", "or", "in", "on", "by", "per", "for", "to", "with", "is", "are", "as"}


def tokens(text: str) -> set[str]:
    """Lower-case word tokens, split on underscores, without stop words; plural s dropped.

    >>> sorted(tokens("Paid_invoices by month"))
    ['invoice', 'month', 'paid']
    """
    out = set()
    for w in _WORD.findall(text.lower().replace("_", " ")):
        if w in _STOP or len(w) < 2:
            continue
        if len(w) > 4 and w.endswith("ing"):
            w = w[:-3]
        elif len(w) > 4 and w.endswith("ed"):
            w = w[:-2]
        elif len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        out.add(w)
    return out


def suggest_sources(model: Model, text: str, limit: int = 8) -> list[dict[str, Any]]:
    """Measures (with their semantic model and table) and canonical datasets ranked by token overlap.

    Args:
        model: The project's model.
        text: What the person typed (name, label, definition).
        limit: At most this many suggestions.

    Returns:
        Dictionaries with ``kind`` (measure or dataset), ``name``, ``semantic_model``, ``table``,
        ``agg``, ``description`` and ``score``, best first.
    """
    want = tokens(text)
    if not want:
        return []
    found: list[dict[str, Any]] = []
    for sm in model.semantic_models.values():
        model_words = tokens(f"{sm.name} {sm.description} {sm.relation}")
        for ms in sm.measures:
            own = tokens(f"{ms.name} {ms.label} {ms.description} {ms.expr}")
            score = len(want & own) + len(want & tokens(ms.name)) + 0.5 * len(want & (model_words - own))
            if score > 0:
                found.append(
                    {
                        "kind": "measure",
                        "name": ms.name,
                        "semantic_model": sm.name,
                        "table": sm.relation,
                        "agg": ms.agg.value,
                        "description": ms.description,
                        "score": round(score, 2),
                    }
                )
    for ds in model.canonical_datasets.values():
        words = tokens(f"{ds.name} {ds.description} {ds.grain} {' '.join(ds.core_attributes)}")
        score = 0.75 * len(want & words)
        if score > 0:
            found.append(
                {
                    "kind": "dataset",
                    "name": ds.name,
                    "semantic_model": None,
                    "table": ds.relation,
                    "agg": None,
                    "description": ds.description,
                    "score": float(score),
                }
            )
    found.sort(key=lambda f: (-f["score"], f["kind"] != "measure", f["name"]))
    return found[:limit]
