"""A rule that says each counted thing counts once ("An account counts once a month however many alerts
events it has", "Each customer once, no matter how many invoices"): what a distinct count does.

It is covered only when the proposed metric is one ``count_distinct`` measure and every other word of the
rule is a word the computation already explains (the definition, the parts, the measure's table); on a
count of rows or a sum, or with a word left over, it stays unread. Pure and deterministic.
"""

from __future__ import annotations

import re
from typing import Any

from metricmind.define.proposal import NewMeasure, NewModel, RuleReading
from metricmind.define.words import content, lexicon
from metricmind.spec.model import Model

#: "counts once", "once a month", "however many", "no matter how many", "regardless of how many".
ONCE = re.compile(
    r"\b(?:counts? (?:only )?once|(?:only )?once (?:a|per|each|every|in the) (?:month|period)|"
    r"however many|no matter how many|regardless of how many)\b",
    re.IGNORECASE,
)
#: Words of the cue and of the period: they say how often, never what.
_HOW = frozenset(
    "count counts counted once however many matter regardless how month period each every per single only "
    "has have had it they them its their".split()
)


def distinct_of(
    model: Model, metric: dict[str, Any], measures: list[NewMeasure], new_model: NewModel | None
) -> tuple[str, str] | None:
    """(semantic model, column) of the one ``count_distinct`` measure ``metric`` aggregates, else None."""
    tp = metric.get("type_params") or {}
    name = str(tp.get("measure") or "")
    if not name or metric.get("type", "simple") != "simple":
        return None
    for nm in measures:
        if nm.measure.get("name") == name:
            if nm.measure.get("agg") != "count_distinct":
                return None
            return nm.semantic_model, str(nm.measure.get("expr") or "")
    if new_model is not None:
        for item in new_model.semantic_model.get("measures") or ():
            if item.get("name") == name:
                if item.get("agg") != "count_distinct":
                    return None
                return new_model.name, str(item.get("expr") or "")
    ms = model.measures.get(name)
    if ms is not None and ms.agg.value == "count_distinct":
        return ms.semantic_model, ms.expr
    return None


def cover_once(
    model: Model, readings: list[RuleReading], counted: tuple[str, str] | None
) -> list[RuleReading]:
    """``readings`` with each unread "counts once" rule covered when the metric is a distinct count
    (``counted``: its semantic model and column) and every other word of the rule is what the computation
    reads: the entity counted ("an account": the customer counted by ``customer_id``), the table, or a value
    a filter read keeps ("however many alerts events": ``feature = 'alerts'``). A word only the definition
    says is not enough: a covered rule explains its words, and must never stand for a value no filter reads.
    """
    if counted is None:
        return readings
    home, column = counted
    kept = {w for r in readings if r.status == "filter" for w in content(str(r.predicate or ""))}
    sm = model.semantic_models.get(home)
    entities = {e.name for e in sm.entities if (e.expr or e.name) == column} if sm else set()
    entities |= {column.removesuffix("_id")}
    computed = kept | set(content(f"{home} {column}".replace("_", " "))) | _HOW
    lx = lexicon(model)
    out = []
    for r in readings:
        if r.status == "unread" and not r.text.startswith("(") and ONCE.search(r.text):
            left = [
                w
                for w in content(r.text)
                if w not in computed
                and w.rstrip("s") not in computed
                and not any(
                    e.kind == "dimension" and e.target.split("__", 1)[0] in entities for e in lx.lookup((w,))
                )
            ]
            if not left:
                r = RuleReading(
                    r.text,
                    "covered",
                    0.75,
                    "restates how the metric counts: each one once (a distinct count)",
                )
        out.append(r)
    return out
