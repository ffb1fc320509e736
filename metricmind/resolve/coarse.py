"""A period shorter than the data's grain: "MRR right now" on a metric kept by month.

A snapshot kept once a month (a month-end MRR, active customers) has no row for one day or one week
inside a month: read literally, "mrr rn" on 18 June asks for ``[18 June, 19 June)`` and the warehouse
answers nothing, a blank figure given with full confidence. A person asking for "today", "this week" or
"yesterday" of such a metric means its latest value, which is the current period of its grain so far:
the range starts at the beginning of that period (``[1 June, 19 June)``), and a note says so. Ranges that
already hold the start of a period of the metric's grain are left alone (the data has a row in them). A
comparison ("mrr today vs yesterday") cannot be had at that grain: it becomes the period so far against
the same days of the period before, below 0.8 (``COMPARED_CAP``), and the note says so.
"""

from __future__ import annotations

import datetime as dt

from metricmind.compiler.periods import floor
from metricmind.resolve.resolution import Resolution
from metricmind.resolve.timephrases import comparison_range
from metricmind.spec.model import Grain, Model

COMPARED_CAP = 0.75
"""A comparison asked below the data's grain is answered at that grain: a reading a person should check."""


def coarsest_grain(res: Resolution, model: Model) -> Grain | None:
    """The coarsest finest-grain of the answer's metrics (a monthly snapshot: month), if above a day."""
    grains = [g for g in (model.min_grain(m) for m in res.metrics if m in model.metrics) if g is not None]
    top = max(grains, key=lambda g: g.rank) if grains else None
    return top if top is not None and top is not Grain.DAY else None


def widen_to_grain(res: Resolution, model: Model) -> None:
    """Start a period shorter than the metrics' grain at that grain's period start, with a note."""
    if not res.answerable or res.time_range is None:
        return
    grain = coarsest_grain(res, model)
    if grain is None:
        return
    start, end = res.time_range
    first = floor(start, grain)
    if first == start or floor(end - dt.timedelta(days=1), grain) != first:
        return  # the range holds a period start already, or spans periods: the data has rows in it
    res.time_range = (first, end)
    if res.comparison:
        res.time_unit = grain.value  # the period before is then the previous one of that grain, same days
        res.comparison_range = comparison_range(first, end, res.comparison, grain.value)
        res.confidence = min(res.confidence, COMPARED_CAP)
    said = "this day" if end - start == dt.timedelta(days=1) else "this part of the " + grain.value
    res.notes.append(
        f"the data is kept by {grain.value}: {said} is read as the {grain.value} so far "
        f"({first.isoformat()} to {(end - dt.timedelta(days=1)).isoformat()}), its latest value"
        + (f", compared at the {grain.value}'s grain as well" if res.comparison else "")
    )
