"""Steps over the time spine: gap filling (``join_to_timespine``) and offsets (``offset_window``,
``offset_to_grain``), computed on the already aggregated series, never on raw rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from metricmind.compiler.dialects import cte, extract, interval, joined, table, trunc
from metricmind.compiler.resolve import GroupItem, Leaf, Request
from metricmind.compiler.scan import TimeRange
from metricmind.compiler.timefilter import on_columns, on_day
from metricmind.errors import QueryError
from metricmind.spec.filters import ParsedWhere
from metricmind.spec.model import Agg, Grain


def spine_periods(
    req: Request, grain: Grain, rng: TimeRange | None, time: Sequence[ParsedWhere] = ()
) -> exp.Select:
    """``SELECT DISTINCT DATE_TRUNC(grain, day) AS period FROM time_spine [WHERE range AND time filters]``
    (the project's hourly spine, or finer, for a sub-day grain).

    ``time`` are the query's conditions on ``metric_time`` alone: a period is kept when one of its
    spine days passes them (MetricFlow filters the spine day by day, then truncates).
    """
    spine = req.model.spine_for(grain)
    if spine is None and grain.sub_day:
        raise QueryError(
            f"this query needs a time spine by the {grain.value} (join_to_timespine or offsets by "
            f"metric_time__{grain.value}) and the project has none that fine",
            hint=f"Add a time spine with time_granularity {grain.value} (or finer), or group by "
            "metric_time__day.",
        )
    if spine is None:
        raise QueryError(
            "this query needs a time spine (join_to_timespine, offsets or cumulative metrics) and the project has none",
            hint="Add a dbt model with `time_spine: {standard_granularity_column: date_day}` in its YAML.",
        )
    day = exp.column(spine.column, table="spine")
    select = exp.select(exp.alias_(trunc(req.dialect, grain, day), "period", copy=False)).distinct(copy=False)
    select = select.from_(
        exp.alias_(table(spine.relation, req.dialect.sqlglot), "spine", table=True, copy=False),
        copy=False,
    )
    conds = [c for c in (rng.condition(day) if rng else None, on_day(req.model, req.dialect, time, day)) if c]
    return select.where(exp.and_(*conds, copy=False), copy=False) if conds else select


def _time_columns(req: Request, base: exp.Expr) -> list[exp.Expr]:
    """Every requested metric_time column, derived from the finest-grain period ``base``."""
    return [
        exp.alias_(
            trunc(req.dialect, i.grain, base.copy()) if i.grain != req.finest_grain else base.copy(),
            i.column,
            copy=False,
        )
        for i in req.time_items
        if i.grain
    ]


def render_spine_join(
    req: Request,
    alias: str,
    source: str,
    column: str,
    rng: TimeRange | None,
    time: Sequence[ParsedWhere] = (),
    deferred: Sequence[ParsedWhere] = (),
) -> exp.Select:
    """Every spine period (passing the ``time`` filters), with the series' value where there is one
    (``join_to_timespine``).

    The series itself was read with every filter. Rows the spine adds have NULL in the other group-by
    columns, so the ``deferred`` filters that name only requested columns are applied again to the
    result, as MetricFlow does.
    """
    grain = req.finest_grain
    if grain is None:
        select = _spine_join_by_part(req, alias, source, column, rng, time)
    else:
        finest = next(i for i in req.time_items if i.grain == grain)
        periods = spine_periods(req, grain, rng, time)
        select = exp.select(
            *_time_columns(req, exp.column("period", table="sp")),
            *(exp.alias_(exp.column(i.column, table="s"), i.column, copy=False) for i in req.other_items),
            exp.alias_(exp.column(column, table="s"), alias, copy=False),
        ).from_(periods.subquery("sp", copy=False))
        on = exp.EQ(this=exp.column(finest.column, table="s"), expression=exp.column("period", table="sp"))
        select = select.join(joined(cte(source, "s"), on, "left"), copy=False)
    columns = {i.column: i.column for i in req.items}
    again = [c for c in (on_columns(p, columns) for p in deferred) if c is not None]
    if not again:
        return select
    return (
        exp.select(exp.Star())
        .from_(select.subquery("f", copy=False), copy=False)
        .where(exp.and_(*again, copy=False), copy=False)
    )


def _spine_join_by_part(
    req: Request,
    alias: str,
    source: str,
    column: str,
    rng: TimeRange | None,
    time: Sequence[ParsedWhere],
) -> exp.Select:
    """``join_to_timespine`` grouped by one date part of ``metric_time`` alone (``datepart.check`` refused
    the rest): every part of the spine's days (passing the ``time`` filters), with the series' value where
    there is one, as MetricFlow does.
    """
    (part,) = req.time_parts
    assert part.part is not None
    spine = spine_periods(req, Grain.DAY, rng, time)
    parts = (
        exp.select(exp.alias_(extract(req.dialect, part.part, exp.column("period")), "period", copy=False))
        .distinct(copy=False)
        .from_(spine.subquery("d", copy=False), copy=False)
    )
    select = exp.select(
        *(
            exp.alias_(
                exp.column("period", table="sp") if i is part else exp.column(i.column, table="s"),
                i.column,
                copy=False,
            )
            for i in req.items
        ),
        exp.alias_(exp.column(column, table="s"), alias, copy=False),
    ).from_(parts.subquery("sp", copy=False))
    on = exp.EQ(this=exp.column(part.column, table="s"), expression=exp.column("period", table="sp"))
    return select.join(joined(cte(source, "s"), on, "left"), copy=False)


def render_offset(
    req: Request,
    leaf: Leaf,
    alias: str,
    source: str,
    column: str,
    rng: TimeRange | None,
    time: Sequence[ParsedWhere] = (),
) -> exp.Select:
    """The series shifted in time: the value at period p is the source's value at p - window (or at the
    start of p's ``offset_to_grain`` period), matched over the spine like MetricFlow does.

    The ``time`` filters choose the periods p (the source was read without them), so the first period
    inside a filter shows the value from before it.
    """
    grain = req.finest_grain
    if grain is None:
        raise QueryError(
            "metrics with offset_window or offset_to_grain need metric_time in the group-by",
            hint="Add metric_time__day (or week, month, …) to --group-by.",
        )
    finest = next(i for i in req.time_items if i.grain == grain)
    period = exp.column("period", table="sp")
    shifted = _shifted(req, leaf, period)
    select = exp.select(
        *_time_columns(req, period),
        *(exp.alias_(exp.column(i.column, table="s"), i.column, copy=False) for i in req.other_items),
        exp.alias_(exp.column(column, table="s"), alias, copy=False),
    ).from_(spine_periods(req, grain, rng, time).subquery("sp", copy=False))
    return select.join(
        joined(
            cte(source, "s"), exp.EQ(this=shifted, expression=exp.column(finest.column, table="s")), "inner"
        ),
        copy=False,
    )


def _other(req: Request, item: GroupItem, day: exp.Expr) -> exp.Expr:
    """An item other than a ``metric_time`` period of an offset's output row: a date part of
    ``metric_time`` is the spine day's own part (not its shifted day's), any other the source row's value.
    """
    if item.is_time_part:
        assert item.part is not None
        return extract(req.dialect, item.part, day.copy())
    return exp.column(item.column, table="s")


def _shifted(req: Request, leaf: Leaf, period: exp.Expr) -> exp.Expr:
    """``period`` moved by the leaf's offset: back by ``offset_window``, or to the start of ``offset_to_grain``."""
    if leaf.offset_window is not None:
        return exp.Sub(
            this=period.copy(), expression=interval(leaf.offset_window.count, leaf.offset_window.unit)
        )
    assert leaf.offset_to_grain is not None
    return trunc(req.dialect, leaf.offset_to_grain, period.copy())


def render_offset_by_day(
    req: Request,
    leaf: Leaf,
    alias: str,
    source: str,
    column: str,
    rng: TimeRange | None,
    time: Sequence[ParsedWhere],
    reagg: Agg,
    base: Grain = Grain.DAY,
) -> exp.Select:
    """An offset at a grain coarser than the offset, as MetricFlow computes it: every spine day (passing
    the ``time`` filters) takes the source's value on its shifted day, then the days are aggregated to
    the requested grains with ``reagg`` (a sum of the days of a quarter each shifted by a month).

    With ``offset_to_grain`` only the first day of each requested period counts (MetricFlow keeps the
    spine days that start a period): a quarter shows the value on the first day of its first month.

    ``source`` holds the series by ``metric_time__day`` and the other group-by items. An offset counted
    in hours goes hour by hour instead (``base``: the hourly spine, the series by ``metric_time__hour``).
    """
    day = exp.column("period", table="sp")
    shifted = _shifted(req, leaf, day)
    value = exp.column(column, table="s")
    agg = (
        exp.Min(this=value)
        if reagg is Agg.MIN
        else exp.Max(this=value)
        if reagg is Agg.MAX
        else exp.Sum(this=value)
    )
    keys = [
        *(
            exp.alias_(trunc(req.dialect, i.grain, day.copy()), i.column, copy=False)
            for i in req.time_items
            if i.grain
        ),
        *(exp.alias_(_other(req, i, day), i.column, copy=False) for i in req.other_items),
    ]
    select = (
        exp.select(*keys, exp.alias_(agg, alias, copy=False))
        .from_(spine_periods(req, base, rng, time).subquery("sp", copy=False))
        .join(
            joined(
                cte(source, "s"),
                exp.EQ(this=shifted, expression=exp.column(f"metric_time__{base.value}", table="s")),
                "inner",
            ),
            copy=False,
        )
    )
    if leaf.offset_to_grain is not None and req.finest_grain is not None:
        starts = exp.EQ(this=trunc(req.dialect, req.finest_grain, day.copy()), expression=day.copy())
        select = select.where(starts, copy=False)
    return select.group_by(*(exp.Literal.number(i + 1) for i in range(len(keys))), copy=False)
