"""What one cumulative leaf reads, and the small SQL helpers every strategy and step shares.

``Base`` resolves the leaf once: its measure and window, the source it reads, the filters split into
metric_time conditions (they choose the reported days) and the others (they filter the rows summed), the
row bounds the window needs, and the group-by keys.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from metricmind.compiler.dialects import cte, trunc
from metricmind.compiler.periods import floor, shift
from metricmind.compiler.resolve import Leaf, Request, Window
from metricmind.compiler.scan import TimeRange, cached_where, condition
from metricmind.compiler.source import Source
from metricmind.compiler.timefilter import day_bounds, split_wheres
from metricmind.errors import QueryError
from metricmind.spec.filters import ParsedWhere
from metricmind.spec.model import Agg, Cumulative, Grain, TimeSpine

Cte = tuple[str, exp.Select]
SUMMABLE = (Agg.SUM, Agg.COUNT, Agg.SUM_BOOLEAN, Agg.AVERAGE)


def date_type() -> exp.DataType:
    """The SQL ``date`` type."""
    return exp.DataType.build("date")


ZERO = exp.Literal.number(0)


def col(name: str, table: str | None = None) -> exp.Column:
    """Column ``name`` (of ``table``)."""
    return exp.column(name, table=table)


def aliased(name: str, alias: str) -> exp.Expr:
    """CTE ``name`` as ``alias``."""
    return cte(name, alias)


class Base:
    """The resolved leaf and the helpers its CTEs are built with."""

    def __init__(
        self, req: Request, leaf: Leaf, alias: str, name: str, rng: TimeRange, time: Sequence[ParsedWhere]
    ) -> None:
        assert leaf.cumulative is not None
        self.req, self.leaf, self.alias, self.name = req, leaf, alias, name
        self.cum: Cumulative = leaf.cumulative
        self.m = req.measure(leaf.measure)
        self.window = (
            Window.parse(self.cum.window, f"cumulative metric on '{self.m.name}'")
            if self.cum.window
            else None
        )
        self.src = Source(req.model, req.graph, req.dialect, self.m.semantic_model)
        self.src.time_dim = self.m.agg_time_dimension
        raw_time = self.src.raw_time(self.m.agg_time_dimension)
        #: the grid's grain: a day, or the hour (minute, second) of a sub-day window, period or query
        self.base = _base_grain(req, self.cum, self.window)
        self.day = (
            trunc(req.dialect, self.base, raw_time)
            if self.base.sub_day
            else exp.cast(raw_time, date_type(), copy=False)
        )
        self.spine = _spine(req, self.base, self.m.name)
        # metric_time conditions (of the query and of the metric) choose the reported days, like
        # MetricFlow's filter after its join over the time range; the others filter the rows summed.
        query = split_wheres(req.wheres)
        own = split_wheres(cached_where(t, req.dialect.sqlglot) for t in leaf.filters)
        mixed = query.mixed + own.mixed
        if mixed:
            raise QueryError(
                f"cumulative metric on '{self.m.name}': filter {mixed[0].text!r} mixes metric_time with "
                "other names in one condition",
                hint="Write the metric_time condition and the others as separate conditions joined by AND.",
            )
        self.time = (*time, *own.time)
        start, end = day_bounds(self.time)
        self.rng = TimeRange(
            max(d for d in (rng.start, start) if d) if rng.start or start else None,
            min(d for d in (rng.end, end) if d) if rng.end or end else None,
        )
        rng = self.rng
        where = [condition(req, self.src, w, self.m.agg_time_dimension) for w in query.inputs]
        where += [condition(req, self.src, w, self.m.agg_time_dimension) for w in own.inputs]
        lower = None
        if rng.start is not None and self.window is not None:
            lower = shift(rng.start, -self.window.count, self.window.unit)
        elif rng.start is not None and self.cum.grain_to_date is not None:
            lower = floor(rng.start, self.cum.grain_to_date)
        bounds = TimeRange(lower, rng.end).condition(raw_time)
        if bounds is not None:
            where.append(bounds)
        self.where = where
        self.keys = [
            exp.alias_(self.src.element(i.ref, i.grain), i.column, copy=False) for i in req.other_items
        ]
        self.value = self.src.local(self.m.expr, f"measure '{self.m.name}'")

    def as_day(self, value: exp.Expr) -> exp.Expr:
        """``value`` (a shifted grid day) as a grid value: a date, or the timestamp itself below a day."""
        return value if self.base.sub_day else exp.cast(value, date_type(), copy=False)

    # -- helpers -------------------------------------------------------------------------------
    def key_cols(self, table: str | None = None) -> list[exp.Expr]:
        """The group-by key columns (of ``table``)."""
        return [col(i.column, table) for i in self.req.other_items]

    def gid(self) -> exp.Expr:
        """A number per group (``DENSE_RANK`` over the keys): one column to partition and join on."""
        order = self.key_cols() or [exp.Literal.number(1)]
        return exp.Window(
            this=exp.Anonymous(this="DENSE_RANK"),
            order=exp.Order(expressions=[exp.Ordered(this=o, nulls_first=False) for o in order]),
        )

    def rows(self, *values: exp.Expr, distinct: bool = False) -> exp.Select:
        """The source rows inside the window's bounds: their day, keys and ``values``."""
        select = exp.select(exp.alias_(self.day.copy(), "day", copy=False), *self.keys, *values)
        select = self.src.select_from(select, [w.copy() for w in self.where])
        return select.distinct(copy=False) if distinct else select

    def n(self, suffix: str) -> str:
        """The name of this leaf's CTE ``suffix``."""
        return f"{self.name}_{suffix}"


def _base_grain(req: Request, cum: Cumulative, window: Window | None) -> Grain:
    """The finest of the window's unit, the grain to date and the query's ``metric_time`` when it is
    finer than a day; else the day.
    """
    grains = [g for g in (Grain(window.unit) if window else None, cum.grain_to_date, req.finest_grain) if g]
    fine = [g for g in grains if g.sub_day]
    return min(fine, key=lambda g: g.rank) if fine else Grain.DAY


def _spine(req: Request, grain: Grain, measure: str) -> TimeSpine:
    """The time spine listing ``grain``'s periods (exactly: a finer one would repeat them)."""
    spine = req.model.spine_for(grain)
    if spine is None or spine.grain is not grain:
        what = "a time spine" if not grain.sub_day else f"a time spine by the {grain.value}"
        raise QueryError(
            f"the cumulative metric on '{measure}' needs {what} and the project has none",
            hint="Add a time spine of that grain (time_spines with time_granularity, or a dbt time spine "
            "model).",
        )
    return spine
