"""A filled cumulative metric (``join_to_timespine`` on its measure) shown by a period coarser than a day.

MetricFlow computes the cumulative metric by the day, joins every spine day to it (a day with no row in
any group gets one row whose other group-by columns are NULL), fills the empty days
(``COALESCE(value, fill_nulls_with)``), applies again the filters that name only requested columns, and
then shows each period as it shows any cumulative metric by a coarser grain: the value of the period's
first day (``period_agg: first``, the default), of its last day (``last``), or the average over its rows
(``average``, filled days included). The periods are the requested grains together, partitioned by the
other group-by columns.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from metricmind.compiler.dialects import cte, joined, trunc
from metricmind.compiler.resolve import Leaf, Request
from metricmind.compiler.scan import TimeRange
from metricmind.compiler.timefilter import on_columns
from metricmind.compiler.timeshift import spine_periods
from metricmind.spec.filters import ParsedWhere
from metricmind.spec.model import Grain

_DAY = "fill_day"
_VALUE = "fill_value"


def filled_by_period(req: Request, leaf: Leaf) -> bool:
    """True for a filled cumulative leaf (not offset) grouped by a period coarser than a day, and by no
    date part or custom granularity (``checks.check_filled_cumulative`` refuses those).
    """
    coarse, fine = req.coarsest_grain, req.finest_grain
    return (
        leaf.kind == "cumulative"
        and leaf.join_to_timespine
        and not (leaf.offset_window or leaf.offset_to_grain)
        and not req.time_parts
        and not any(i.custom for i in req.time_items)
        and coarse is not None
        and fine is not None
        and coarse.rank > Grain.DAY.rank
        and not fine.sub_day
    )


def render_filled_periods(
    req: Request,
    leaf: Leaf,
    alias: str,
    source: str,
    column: str,
    rng: TimeRange | None,
    time: Sequence[ParsedWhere] = (),
    deferred: Sequence[ParsedWhere] = (),
) -> exp.Select:
    """Every spine day (passing the ``time`` filters) LEFT JOIN the daily cumulative series ``source``
    (column ``column``, by ``metric_time__day``), filled, then one row per period and group.
    """
    assert leaf.cumulative is not None
    day = exp.column("period", table="sp")
    value: exp.Expr = exp.column(column, table="s")
    if leaf.fill_nulls_with is not None:
        value = exp.Coalesce(this=value, expressions=[exp.Literal.number(leaf.fill_nulls_with)])
    keys = req.other_items
    filled = exp.select(
        exp.alias_(day, _DAY, copy=False),
        *(exp.alias_(exp.column(i.column, table="s"), i.column, copy=False) for i in keys),
        exp.alias_(value, _VALUE, copy=False),
    ).from_(spine_periods(req, Grain.DAY, rng, time).subquery("sp", copy=False))
    on = exp.EQ(this=exp.column("metric_time__day", table="s"), expression=day.copy())
    filled = filled.join(joined(cte(source, "s"), on, "left"), copy=False)
    # Rows the spine adds have NULL in the other group-by columns: filters naming only requested
    # columns are applied again to the filled days, before the periods are taken (as MetricFlow does).
    columns = {i.column: i.column for i in keys}
    again = [c for c in (on_columns(p, columns, "s") for p in deferred) if c is not None]
    if again:
        filled = filled.where(exp.and_(*again, copy=False), copy=False)
    times = [
        exp.alias_(trunc(req.dialect, i.grain or Grain.DAY, exp.column(_DAY)), i.column, copy=False)
        for i in req.time_items
    ]
    key_cols = [exp.column(i.column) for i in keys]
    if leaf.cumulative.period_agg == "average":
        return (
            exp.select(*times, *key_cols, exp.alias_(exp.Avg(this=exp.column(_VALUE)), alias, copy=False))
            .from_(filled.subquery("f", copy=False))
            .group_by(*(exp.Literal.number(i + 1) for i in range(len(times) + len(key_cols))), copy=False)
        )
    grains = sorted({i.grain or Grain.DAY for i in req.time_items}, key=lambda g: g.rank)
    partition = [*(trunc(req.dialect, g, exp.column(_DAY)) for g in grains), *(k.copy() for k in key_cols)]
    rank = exp.Window(
        this=exp.RowNumber(),
        partition_by=partition,
        order=exp.Order(
            expressions=[exp.Ordered(this=exp.column(_DAY), desc=leaf.cumulative.period_agg == "last")]
        ),
    )
    ranked = exp.select(exp.Star(), exp.alias_(rank, "rn", copy=False)).from_(
        filled.subquery("f", copy=False)
    )
    return (
        exp.select(*times, *key_cols, exp.alias_(exp.column(_VALUE), alias, copy=False))
        .from_(ranked.subquery("k", copy=False))
        .where(exp.EQ(this=exp.column("rn"), expression=exp.Literal.number(1)), copy=False)
    )


__all__ = ["filled_by_period", "render_filled_periods"]
