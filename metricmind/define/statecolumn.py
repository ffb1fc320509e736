"""A state at each period's end read from a column of a daily snapshot table no measure reads so yet.

"Rooms available to sell at each month end" over a table of one row per property, room type and day
(``rooms_available``) asks for the value of the period's last day, never the sum over its days. When the
definition says a point in time and no model with start and end dates holds it (``terms.find_term`` skips
those), the column it names of a *daily snapshot table* — a model the catalog already reads as a snapshot:
one of its measures is semi-additive on its time dimension, or its description says it is end-of-day or a
snapshot — becomes a new semi-additive measure: the sum of the column on the last day of the period
(``non_additive_dimension`` on the table's day, ``window_choice: max``), as MetricFlow reads a balance.
"""

from __future__ import annotations

import re

from metricmind.define.termcolumns import columns_of, mentions, term_words
from metricmind.define.terms import SNAPSHOT_CUE, Term
from metricmind.define.words import stems
from metricmind.spec.model import Model, SemanticModel

#: How sure a column read as a state is: named by the words of one table, never the catalog's own measure.
STATE_CONFIDENCE = 0.6
#: A description that says its rows are each day's state.
_SNAPSHOT_SAID = re.compile(r"\b(snapshot|end[- ]of[- ]day|as of|balances?)\b", re.IGNORECASE)


def state_term(
    model: Model, text: str, context: str, columns: dict[str, dict[str, str]] | None
) -> Term | None:
    """The state at each period's end of the one column of a daily snapshot table ``text`` names (module
    docstring), when ``context`` (the definition and its rules) says a point in time; None when it does not,
    or no table or column is named clearly, or two are.
    """
    if not SNAPSHOT_CUE.search(context):
        return None
    words = term_words(text)
    found: list[tuple[int, SemanticModel, str]] = []
    for sm in model.semantic_models.values():
        day = _day_of(sm)
        if day is None or not _is_snapshot(sm, day):
            continue
        named = [(mentions(c, words), c) for c in columns_of(model, sm, columns)]
        named = [(n, c) for n, c in named if n > 1 or (n == 1 and "_" not in c)]
        if not named:
            continue
        best = max(n for n, _ in named)
        top = [c for n, c in named if n == best]
        if len(top) > 1:
            return None  # "rooms at month end": in service, available or out of order? never a guess
        found.append((best, sm, top[0]))
    if not found:
        return None
    found.sort(key=lambda x: -x[0])
    if len(found) > 1 and found[1][0] == found[0][0]:
        return None
    _, sm, column = found[0]
    day = _day_of(sm) or ""
    table = sm.relation.rsplit(".", 1)[-1]
    return Term(
        sm.name,
        "sum",
        column,
        day,
        False,
        f"sum({column}) on the last {day} of each period: {table} holds one state per row and day, read at "
        "the period's end, never summed over days",
        STATE_CONFIDENCE,
        state=True,
    )


def _day_of(sm: SemanticModel) -> str | None:
    """The day-grained time dimension ``sm``'s rows are dated by (its default), else None."""
    name = sm.default_agg_time_dimension
    dim = next((d for d in sm.dimensions if d.name == name and d.type == "time"), None)
    if dim is None:
        return None
    grain = str(getattr(dim, "time_granularity", "") or "day").lower()
    return name if grain.endswith("day") else None


def _is_snapshot(sm: SemanticModel, day: str) -> bool:
    """The catalog reads ``sm`` as a daily snapshot: a measure semi-additive on ``day``, or a description
    that says so.
    """
    if any(ms.non_additive is not None and ms.non_additive.name == day for ms in sm.measures):
        return True
    return bool(_SNAPSHOT_SAID.search(sm.description or ""))


def counts_of(expr: str, entity: str) -> bool:
    """``expr`` is one column whose name says it holds a number of ``entity`` ("parcels_overdue",
    "rooms_available" of rooms): its sum counts them, never an amount of money.
    """
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", expr.strip()):
        return False
    return stems(entity.replace("_", " "))[-1:] in [(w,) for w in term_words(expr)]
