"""Steps over the time spine: gap filling (``join_to_timespine``) and offsets (``offset_window``,
``offset_to_grain``), computed on the already aggregated series, never on raw rows.
"""

from __future__ import annotations

from sqlglot import exp

from metricmind.compiler.dialects import cte, interval, joined, table, trunc
from metricmind.compiler.resolve import Leaf, Request
from metricmind.compiler.scan import TimeRange
from metricmind.errors import QueryError
from metricmind.spec.model import Grain


def spine_periods(req: Request, grain: Grain, rng: TimeRange | None) -> exp.Select:
    """``SELECT DISTINCT DATE_TRUNC(grain, day) AS period FROM time_spine [WHERE range]``."""
    spine = req.model.time_spine
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
    cond = rng.condition(day) if rng else None
    return select.where(cond, copy=False) if cond is not None else select


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
    req: Request, alias: str, source: str, column: str, rng: TimeRange | None
) -> exp.Select:
    """Every spine period, with the series' value where there is one (``join_to_timespine``)."""
    grain = req.finest_grain
    assert grain is not None
    finest = next(i for i in req.time_items if i.grain == grain)
    periods = spine_periods(req, grain, rng)
    select = exp.select(
        *_time_columns(req, exp.column("period", table="sp")),
        *(exp.alias_(exp.column(i.column, table="s"), i.column, copy=False) for i in req.other_items),
        exp.alias_(exp.column(column, table="s"), alias, copy=False),
    ).from_(periods.subquery("sp", copy=False))
    return select.join(
        joined(
            cte(source, "s"),
            exp.EQ(this=exp.column(finest.column, table="s"), expression=exp.column("period", table="sp")),
            "left",
        ),
        copy=False,
    )


def render_offset(
    req: Request, leaf: Leaf, alias: str, source: str, column: str, rng: TimeRange | None
) -> exp.Select:
    """The series shifted in time: the value at period p is the source's value at p - window (or at the
    start of p's ``offset_to_grain`` period), matched over the spine like MetricFlow does.
    """
    grain = req.finest_grain
    if grain is None:
        raise QueryError(
            "metrics with offset_window or offset_to_grain need metric_time in the group-by",
            hint="Add metric_time__day (or week, month, …) to --group-by.",
        )
    finest = next(i for i in req.time_items if i.grain == grain)
    period = exp.column("period", table="sp")
    if leaf.offset_window is not None:
        shifted: exp.Expr = exp.Sub(
            this=period.copy(), expression=interval(leaf.offset_window.count, leaf.offset_window.unit)
        )
    else:
        assert leaf.offset_to_grain is not None
        shifted = trunc(req.dialect, leaf.offset_to_grain, period.copy())
    select = exp.select(
        *_time_columns(req, period),
        *(exp.alias_(exp.column(i.column, table="s"), i.column, copy=False) for i in req.other_items),
        exp.alias_(exp.column(column, table="s"), alias, copy=False),
    ).from_(spine_periods(req, grain, rng).subquery("sp", copy=False))
    return select.join(
        joined(
            cte(source, "s"), exp.EQ(this=shifted, expression=exp.column(finest.column, table="s")), "inner"
        ),
        copy=False,
    )
