"""Refusals of a resolved request: queries whose answer metricmind and MetricFlow would not agree on,
or that no number would answer rightly, are refused with why and what to ask instead.
"""

from __future__ import annotations

from metricmind.compiler import datepart, scd
from metricmind.compiler.datepart import ADDS_UP
from metricmind.compiler.request import Request
from metricmind.errors import QueryError
from metricmind.spec.model import Conversion, Grain, Measure, Model
from metricmind.spec.names import METRIC_TIME
from metricmind.spec.query import MetricQuery


def overlapping(req: Request) -> tuple[str, ...]:
    """The group-by columns that some measure of the query reaches through a fan-out join."""
    models = sorted(
        {
            req.model.measures[leaf.measure].semantic_model
            for leaf in req.leaves
            if leaf.measure in req.model.measures
        }
    )
    out: list[str] = []
    for item in req.other_items:
        for sm in models:
            try:
                target = req.graph.resolve(sm, item.ref)
            except QueryError:
                continue  # the scan reports it
            if target.path.fanout:
                out.append(item.column)
                break
    return tuple(out)


def check_custom(req: Request) -> None:
    """Custom granularities group simple, ratio and derived metrics; time-shifting ones need real grains."""
    for leaf in req.leaves:
        measure = req.model.measures.get(leaf.measure)
        shifted = leaf.kind != "agg" or leaf.offset_window or leaf.offset_to_grain or leaf.join_to_timespine
        if shifted or (measure is not None and measure.non_additive is not None):
            what = (
                "a snapshot measure" if not shifted else "a cumulative, conversion, offset or filled metric"
            )
            raise QueryError(
                f"'{leaf.measure}' is {what}: it cannot be grouped by a custom granularity yet",
                hint="Group it by metric_time__day/week/month/quarter/year, or drop the custom granularity.",
            )


def check_sub_day(req: Request) -> None:
    """Refuse what sub-day time does not cover yet, with why.

    ``metric_time`` finer than a day (in the group-by or a filter) groups simple, ratio and derived
    metrics, offsets and ``join_to_timespine`` over the project's sub-day spine, and cumulative metrics
    over it too (``window: 3 hours``); conversion metrics, snapshots and offset cumulative metrics are
    computed over days. An offset counted in hours
    (``offset_window: 1 hour``, ``offset_to_grain: hour``) shown by a coarser period goes hour by hour
    (each spine hour takes its shifted hour's value, then the hours are aggregated), which needs a measure
    whose hourly values add up; by a date part it is refused.
    """
    grains = [i.grain for i in req.time_items if i.grain]
    grains += [r.grain for w in req.wheres for r in w.refs.values() if r.is_metric_time and r.grain]
    fine = min((g for g in grains if g.sub_day), key=lambda g: g.rank, default=None)
    for leaf in req.leaves:
        unit = leaf.offset_to_grain or (Grain(leaf.offset_window.unit) if leaf.offset_window else None)
        shown = req.coarsest_grain
        measure = req.model.measures.get(leaf.measure)
        adds_up = measure is not None and measure.agg in ADDS_UP and measure.non_additive is None
        coarser = unit is not None and (shown is None or shown.rank > unit.rank)
        if unit is not None and unit.sub_day and (req.time_parts or (coarser and not adds_up)):
            raise QueryError(
                f"'{leaf.measure}' is offset by {unit.value}s: by a coarser period or a date part its "
                f"{unit.value}ly values are shifted and then aggregated, which needs a sum, count, min or max "
                f"(and metric_time in the group-by); show it by metric_time__{unit.value} (or finer)",
                hint=f"Group by metric_time__{unit.value}.",
            )
        if fine is None:
            continue
        shifted_cumulative = leaf.kind == "cumulative" and (leaf.offset_window or leaf.offset_to_grain)
        if (
            leaf.kind == "conversions"
            or shifted_cumulative
            or (measure is not None and measure.non_additive is not None)
        ):
            what = (
                "a snapshot measure"
                if leaf.kind == "agg"
                else "an offset cumulative metric"
                if shifted_cumulative
                else "a conversion metric"
            )
            raise QueryError(
                f"'{leaf.measure}' is {what}: metric_time__{fine.value} is finer than a day, and these are "
                "computed over days (sub-day conversion, snapshot and offset cumulative metrics are not "
                "supported yet)",
                hint="Group it by metric_time__day or coarser, or query a simple metric of the measure.",
            )


def check_filled_cumulative(req: Request) -> None:
    """Refuse a cumulative metric whose measure has ``join_to_timespine`` by a date part, a custom
    granularity, or (offset) by a period coarser than a day. By a plain coarser period MetricFlow fills
    every spine day first and then takes each period's first or last day, or the average of its days
    (``fillperiods``); by the day both fill alike.
    """
    for leaf in req.leaves:
        if leaf.kind != "cumulative" or not leaf.join_to_timespine:
            continue
        coarse = req.coarsest_grain
        offset = leaf.offset_window or leaf.offset_to_grain
        custom = any(i.custom for i in req.time_items)
        if req.time_parts or custom or (offset and coarse is not None and coarse.rank > Grain.DAY.rank):
            what = (
                "a date part"
                if req.time_parts
                else "a custom granularity"
                if custom
                else "a period coarser than a day when it is offset"
            )
            raise QueryError(
                f"the cumulative metric of '{leaf.measure}' fills every spine day (join_to_timespine): by "
                f"{what} MetricFlow shows each period's first day filled, which metricmind does not "
                "compute yet",
                hint="Group it by metric_time__day, week, month, quarter or year (or drop join_to_timespine).",
            )


def check_filled_conversion(req: Request, conv: Conversion, filters: tuple[str, ...]) -> None:
    """Refuse a conversion metric whose conversion measure is filled (``join_to_timespine``) in a query
    with a filter or a time range: MetricFlow lists every time spine period for it (those outside them
    filled), which metricmind does not reproduce. Without them both fill every period alike; a filled
    base measure alone is answered with filters and ranges too (``tests/differential/
    test_filled_cumulative_vs_metricflow.py``).
    """
    q = req.query
    if not (req.time_items or req.time_parts):
        return
    filtered = bool(req.wheres or filters or q.start or q.end)
    if conv.conversion_measure.join_to_timespine and filtered:
        raise QueryError(
            f"the conversion metric on '{conv.conversion_measure.name}' fills every time spine period "
            "(join_to_timespine on its conversion measure): with a filter or a time range MetricFlow still "
            "lists every period of the spine (those outside them filled), which metricmind does not "
            "reproduce",
            hint="Query it without filters or time range, or drop join_to_timespine from the conversion "
            "measure.",
        )


def check_cumulative_snapshot(req: Request) -> None:
    """Refuse a cumulative metric over a snapshot (``non_additive_dimension``) measure.

    Adding stock levels up over a window is no stock, and MetricFlow answers something else again (the
    period's last snapshot inside the window): no number here would be right, so none is given.
    """
    for leaf in req.leaves:
        measure = req.model.measures.get(leaf.measure)
        if measure is not None and (leaf.kind == "cumulative" or leaf.offset_window or leaf.offset_to_grain):
            _check_cumulative_own_time(req, measure)
            scd.check(req, leaf, measure)
        if leaf.kind == "cumulative" and measure is not None:
            _check_cumulative_range(req, measure)
        if leaf.kind == "cumulative" and measure is not None and measure.non_additive is not None:
            raise QueryError(
                f"'{leaf.measure}' is a snapshot measure (non_additive_dimension "
                f"'{measure.non_additive.name}'): a cumulative metric over it would add stock levels up "
                "over its window, which is no stock, and MetricFlow answers yet another number",
                hint=f"Query a simple metric of '{leaf.measure}' (the snapshot at each period's end), or "
                "make the cumulative metric over a flow measure (events, amounts).",
            )


def _check_cumulative_range(req: Request, measure: Measure) -> None:
    """Refuse a cumulative metric limited to a time range but not grouped by ``metric_time``.

    metricmind answers the running total on the range's last day (all history up to it); MetricFlow adds
    up the rows inside the range only. Grouped by ``metric_time`` both give the running totals.
    """
    if req.time_items:
        return
    timed = (
        req.query.start or req.query.end or any(r.is_metric_time for w in req.wheres for r in w.refs.values())
    )
    if timed:
        raise QueryError(
            f"a cumulative metric of '{measure.name}' limited to a time range needs metric_time in the "
            "group-by: without it, is it the running total at the range's end or the total inside the "
            "range? (MetricFlow answers the second, a running total the first)",
            hint="Group by metric_time__day (or week, month, …), or drop the time range for the total to date.",
        )


def _check_cumulative_own_time(req: Request, measure: Measure) -> None:
    """Refuse a cumulative or offset metric grouped by its measure's own time dimension by name
    (``order_item__placed_at__quarter``): MetricFlow reads that name as ``metric_time`` (the running total
    on each period's first day; the shifted period), metricmind would group the rows of each period apart
    (each period's own total; the unshifted period beside the shifted one). Until both agree, the query
    names ``metric_time``.
    """
    for item in req.other_items:
        if item.ref.kind not in ("auto", "time"):
            continue
        try:
            target = req.graph.resolve(measure.semantic_model, item.ref)
        except QueryError:
            continue  # the scan reports it
        dim = target.dimension
        if (
            dim is not None
            and target.model == measure.semantic_model
            and dim.name == measure.agg_time_dimension
        ):
            grain = (
                datepart.grain_of(item.part).value
                if item.part
                else item.ref.grain.value
                if item.ref.grain
                else "day"
            )
            raise QueryError(
                f"'{item.column}' is the time dimension of measure '{measure.name}', here cumulated or "
                f"offset: group the metric by metric_time__{grain} instead (MetricFlow reads the name as "
                "metric_time, a plain group-by would total or shift each period apart)",
                hint=f"Replace {item.column} with metric_time__{grain}.",
            )


def check_min_grain(model: Model, query: MetricQuery, grain: Grain, label: str | None = None) -> None:
    """Refuse ``metric_time`` finer than a metric's data, like MetricFlow: a monthly snapshot by day
    would show only month starts, as if the other days had no value.
    """
    for name in query.metrics:
        floor = model.min_grain(name) if name in model.metrics else None
        if floor is not None and grain.rank < floor.rank:
            finer = ", ".join(g.value for g in Grain if g.rank >= floor.rank)
            raise QueryError(
                f"metric '{name}' is recorded by {floor.value}: its time dimension has time_granularity "
                f"{floor.value}, so {label or f'{METRIC_TIME}__{grain.value}'} is finer than its data",
                hint=f"Group by {METRIC_TIME} at {finer} (e.g. {METRIC_TIME}__{floor.value}).",
            )


__all__ = [
    "check_cumulative_snapshot",
    "check_filled_conversion",
    "check_filled_cumulative",
    "check_sub_day",
    "check_custom",
    "check_min_grain",
    "overlapping",
]
