"""Cumulative metrics with running sums instead of MetricFlow's range join over the time spine.

MetricFlow joins every spine day to every source row inside its window (``ds <= day AND ds > day - W``),
which grows with days × rows. Here the measure is first aggregated per day and group, then:

* sum, count, sum_boolean, average: a running sum ``P`` over a dense day grid, and the window value
  ``P(t) - P(t - W)`` found by an equi-join on ``t - W`` (the same calendar arithmetic as MetricFlow);
  ``grain_to_date`` restarts the running sum at each period; all-time needs no lookup at all;
* count_distinct over days or weeks: each value adds +1 on a day it is seen and -1 when the window after
  that sighting ends (or at its next sighting), so the running sum of these deltas is the distinct count;
* anything else (min, max, median, percentile, distinct counts over calendar months) uses the range
  join, which is always correct.

Rows and values match MetricFlow: a day is reported when its window holds at least one row, and a
coarser grain takes the first (``period_agg: first``), last or average daily value of each period.
Without ``metric_time`` in the group-by, the value on the last reported day is returned.

The builder (``strategies.Builder``) is one class put together from ``base`` (what a leaf reads: its
measure, window, source, filters and keys), ``steps`` (the day grid, running sums, the window's value)
and ``report`` (the reported rows); ``strategies`` adds the three ways of computing a leaf.
"""

from __future__ import annotations

from collections.abc import Sequence

from metricmind.compiler.cumulative.base import Cte
from metricmind.compiler.cumulative.strategies import Builder
from metricmind.compiler.resolve import Leaf, Request
from metricmind.compiler.scan import TimeRange
from metricmind.spec.filters import ParsedWhere

__all__ = ["Cte", "render_cumulative"]


def render_cumulative(
    req: Request, leaf: Leaf, alias: str, name: str, rng: TimeRange, time: Sequence[ParsedWhere] = ()
) -> list[Cte]:
    """The CTEs computing one cumulative leaf; the last one (``name``) has the group-by columns and ``alias``.

    ``time`` are the query's metric_time conditions: they choose the reported days (the running sums
    still start before them), and prune the rows read to what the window needs.
    """
    return Builder(req, leaf, alias, name, rng, time).ctes()
