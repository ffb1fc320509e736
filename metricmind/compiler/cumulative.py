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
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from metricmind.compiler.dialects import cte, interval, joined, table, trunc
from metricmind.compiler.periods import floor, shift
from metricmind.compiler.resolve import Leaf, Request, Window
from metricmind.compiler.scan import TimeRange, aggregate, cached_where, condition, date_literal
from metricmind.compiler.source import Source
from metricmind.compiler.timefilter import day_bounds, on_day, split_wheres
from metricmind.errors import QueryError
from metricmind.spec.filters import ParsedWhere
from metricmind.spec.model import Agg, Cumulative, Grain

Cte = tuple[str, exp.Select]
_SUMMABLE = (Agg.SUM, Agg.COUNT, Agg.SUM_BOOLEAN, Agg.AVERAGE)


def _date() -> exp.DataType:
    return exp.DataType.build("date")


_ZERO = exp.Literal.number(0)


def _col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table)


def _table(name: str, alias: str) -> exp.Expr:
    return cte(name, alias)


class _Cumulative:
    """Builds the CTEs of one cumulative leaf."""

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
        self.day = exp.cast(raw_time, _date(), copy=False)
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

    # -- helpers -------------------------------------------------------------------------------
    def key_cols(self, table: str | None = None) -> list[exp.Expr]:
        return [_col(i.column, table) for i in self.req.other_items]

    def gid(self) -> exp.Expr:
        order = self.key_cols() or [exp.Literal.number(1)]
        return exp.Window(
            this=exp.Anonymous(this="DENSE_RANK"),
            order=exp.Order(expressions=[exp.Ordered(this=o, nulls_first=False) for o in order]),
        )

    def rows(self, *values: exp.Expr, distinct: bool = False) -> exp.Select:
        select = exp.select(exp.alias_(self.day.copy(), "day", copy=False), *self.keys, *values)
        select = self.src.select_from(select, [w.copy() for w in self.where])
        return select.distinct(copy=False) if distinct else select

    def n(self, suffix: str) -> str:
        return f"{self.name}_{suffix}"

    # -- strategies ----------------------------------------------------------------------------
    def ctes(self) -> list[Cte]:
        calendar = self.window is not None and self.window.unit in ("month", "quarter", "year")
        if self.m.agg in _SUMMABLE:
            return self.running()
        if self.m.agg is Agg.COUNT_DISTINCT and not calendar:
            return self.distinct_counts()
        return self.range_join()

    def running(self) -> list[Cte]:
        """Running sums of daily aggregates; the window is the difference with ``t - W``."""
        avg = self.m.agg is Agg.AVERAGE
        sums = (
            [
                exp.alias_(exp.Sum(this=self.value.copy()), "v", copy=False),
                exp.alias_(exp.Count(this=self.value.copy()), "w", copy=False),
            ]
            if avg
            else [exp.alias_(aggregate(self.req.dialect, self.m, self.value, None), "v", copy=False)]
        )
        sums.append(exp.alias_(exp.Count(this=exp.Star()), "n", copy=False))
        grouped = self.rows(*sums).group_by(
            *(exp.Literal.number(i + 1) for i in range(1 + len(self.keys))), copy=False
        )
        daily = exp.select(exp.Star(), exp.alias_(self.gid(), "gid", copy=False)).from_(
            grouped.subquery("a", copy=False)
        )
        cols = ["v", "w", "n"] if avg else ["v", "n"]
        ctes = [
            (self.n("daily"), daily),
            (self.n("grid"), self.grid()),
            (self.n("series"), self.series(cols)),
        ]
        value = self.diff("v")
        if avg:
            value = exp.Div(this=value, expression=exp.Nullif(this=self.diff("w"), expression=_ZERO))
        ctes.append((self.n("window"), self.windowed(value, self.diff("n"), lookup=self.window is not None)))
        ctes.append((self.name, self.report()))
        return ctes

    def distinct_counts(self) -> list[Cte]:
        """Distinct counts: +1 when a value is seen, -1 when its window coverage ends."""
        seen = exp.select(exp.Star(), exp.alias_(self.gid(), "gid", copy=False)).from_(
            self.rows(exp.alias_(self.value, "val"), distinct=True).subquery("r", copy=False)
        )
        gtd = self.cum.grain_to_date
        keys = self.key_cols()
        parts: list[exp.Select] = []
        for member, weight in (("val", "dv"), (None, "dn")):
            ident = [_col(member)] if member else []
            base = exp.select(_col("gid"), *keys, _col("day"), *ident).from_(cte(self.n("seen")), copy=False)
            if member:
                base = base.where(exp.Not(this=exp.Is(this=_col(member), expression=exp.Null())), copy=False)
            base = base.distinct(copy=False)

            def weights(value: int, weight: str = weight) -> list[exp.Expr]:
                # UNION ALL is positional: always (dv, dn).
                lit = exp.Literal.number(value)
                return [
                    exp.alias_(lit if weight == "dv" else _ZERO, "dv", copy=False),
                    exp.alias_(lit if weight == "dn" else _ZERO, "dn", copy=False),
                ]

            if self.window is None:
                period = [trunc(self.req.dialect, gtd, _col("day"))] if gtd else []
                first = (
                    exp.select(
                        _col("gid"),
                        *keys,
                        exp.alias_(exp.Min(this=_col("day")), "day", copy=False),
                        *weights(1),
                    )
                    .from_(base.subquery("b", copy=False))
                    .group_by(_col("gid"), *keys, *ident, *period, copy=False)
                )
                parts.append(first)
                continue
            nxt = exp.Window(
                this=exp.Anonymous(this="LEAD", expressions=[_col("day")]),
                partition_by=[_col("gid"), *ident],
                order=exp.Order(expressions=[exp.Ordered(this=_col("day"))]),
            )
            ends = exp.cast(
                exp.Add(this=_col("day"), expression=interval(self.window.count, self.window.unit)),
                _date(),
                copy=False,
            )
            ending = exp.select(
                _col("gid"), *keys, _col("day"), exp.alias_(nxt, "next_day", copy=False)
            ).from_(base.subquery("b", copy=False))
            plus = exp.select(
                _col("gid"),
                *keys,
                _col("day"),
                *weights(1),
            ).from_(ending.copy().subquery("e", copy=False))
            stop = exp.Anonymous(
                this="LEAST",
                expressions=[ends, exp.Coalesce(this=_col("next_day"), expressions=[ends.copy()])],
            )
            minus = exp.select(
                _col("gid"),
                *keys,
                exp.alias_(stop, "day", copy=False),
                *weights(-1),
            ).from_(ending.subquery("e", copy=False))
            parts.extend([plus, minus])
        union = parts[0]
        for part in parts[1:]:
            union = exp.union(union, part, distinct=False, copy=False)  # type: ignore[assignment]
        daily = (
            exp.select(
                _col("gid"),
                *keys,
                _col("day"),
                exp.alias_(exp.Sum(this=_col("dv")), "v", copy=False),
                exp.alias_(exp.Sum(this=_col("dn")), "n", copy=False),
            )
            .from_(union.subquery("u", copy=False))
            .group_by(_col("gid"), *keys, _col("day"), copy=False)
        )
        return [
            (self.n("seen"), seen),
            (self.n("daily"), daily),
            (self.n("grid"), self.grid()),
            (self.n("series"), self.series(["v", "n"])),
            (self.n("window"), self.windowed(self.diff("v"), self.diff("n"), lookup=False)),
            (self.name, self.report()),
        ]

    def range_join(self) -> list[Cte]:
        """The general case: every spine day joined with the rows inside its window."""
        spine = self.req.model.time_spine
        assert spine is not None
        rows = exp.select(exp.Star(), exp.alias_(self.gid(), "gid", copy=False)).from_(
            self.rows(exp.alias_(self.value, "val")).subquery("r", copy=False)
        )
        sday = _col(spine.column, "spine")
        cond: list[exp.Expr] = [exp.LTE(this=_col("day", "r"), expression=sday.copy())]
        if self.window is not None:
            cond.append(
                exp.GT(
                    this=_col("day", "r"),
                    expression=exp.Sub(
                        this=sday.copy(), expression=interval(self.window.count, self.window.unit)
                    ),
                )
            )
        elif self.cum.grain_to_date is not None:
            cond.append(
                exp.GTE(
                    this=_col("day", "r"),
                    expression=trunc(self.req.dialect, self.cum.grain_to_date, sday.copy()),
                )
            )
        if self.rng.end is not None:
            cond.append(exp.LT(this=sday.copy(), expression=date_literal(self.rng.end)))
        windowed = (
            exp.select(
                _col("gid", "r"),
                *self.key_cols("r"),
                exp.alias_(sday, "day", copy=False),
                exp.alias_(aggregate(self.req.dialect, self.m, _col("val", "r"), None), "value", copy=False),
                exp.alias_(exp.Count(this=exp.Star()), "rows_in_window", copy=False),
            )
            .from_(
                exp.alias_(
                    table(spine.relation, self.req.dialect.sqlglot),
                    "spine",
                    table=True,
                    copy=False,
                ),
                copy=False,
            )
            .join(joined(_table(self.n("rows"), "r"), exp.and_(*cond, copy=False), "inner"), copy=False)
            .group_by(_col("gid", "r"), *self.key_cols("r"), sday.copy(), copy=False)
        )
        return [(self.n("rows"), rows), (self.n("window"), windowed), (self.name, self.report())]

    # -- shared steps --------------------------------------------------------------------------
    def grid(self) -> exp.Select:
        """Spine days from each group's first day to its last day plus the window (to the spine's end for
        all-time), plus the data days; ``in_spine`` marks the days that may be reported.
        """
        spine = self.req.model.time_spine
        assert spine is not None
        sday = _col(spine.column, "spine")
        daily = self.n("daily")
        bounds = (
            exp.select(
                _col("gid"),
                *self.key_cols(),
                exp.alias_(exp.Min(this=_col("day")), "first_day", copy=False),
                exp.alias_(exp.Max(this=_col("day")), "last_day", copy=False),
            )
            .from_(cte(daily), copy=False)
            .group_by(_col("gid"), *self.key_cols(), copy=False)
        )
        cond: list[exp.Expr] = [exp.GTE(this=sday.copy(), expression=_col("first_day", "b"))]
        if self.window is not None:
            cond.append(
                exp.LT(
                    this=sday.copy(),
                    expression=exp.Add(
                        this=_col("last_day", "b"), expression=interval(self.window.count, self.window.unit)
                    ),
                )
            )
        elif self.cum.grain_to_date is not None:
            gtd = self.cum.grain_to_date
            cond.append(
                exp.LT(
                    this=sday.copy(),
                    expression=exp.Add(
                        this=trunc(self.req.dialect, gtd, _col("last_day", "b")),
                        expression=interval(1, gtd.value),
                    ),
                )
            )
        if self.rng.end is not None:
            cond.append(exp.LT(this=sday.copy(), expression=date_literal(self.rng.end)))
        spine_days = (
            exp.select(
                _col("gid", "b"),
                *self.key_cols("b"),
                exp.alias_(sday.copy(), "day", copy=False),
                exp.alias_(exp.Literal.number(1), "in_spine", copy=False),
            )
            .from_(
                exp.alias_(
                    table(spine.relation, self.req.dialect.sqlglot),
                    "spine",
                    table=True,
                    copy=False,
                ),
                copy=False,
            )
            .join(joined(bounds.subquery("b", copy=False), exp.and_(*cond, copy=False), "inner"), copy=False)
        )
        data_days = exp.select(
            _col("gid"), *self.key_cols(), _col("day"), exp.alias_(_ZERO, "in_spine", copy=False)
        ).from_(cte(daily), copy=False)
        union = exp.union(spine_days, data_days, distinct=False, copy=False)
        return (
            exp.select(
                _col("gid"),
                *self.key_cols(),
                _col("day"),
                exp.alias_(exp.Max(this=_col("in_spine")), "in_spine", copy=False),
            )
            .from_(union.subquery("g", copy=False))
            .group_by(_col("gid"), *self.key_cols(), _col("day"), copy=False)
        )

    def series(self, cols: list[str]) -> exp.Select:
        """The grid with running sums ``p_<col>`` (restarting each period for grain_to_date)."""
        partition: list[exp.Expr] = [_col("gid", "g")]
        if self.cum.grain_to_date is not None:
            partition.append(trunc(self.req.dialect, self.cum.grain_to_date, _col("day", "g")))

        def running(c: str) -> exp.Expr:
            value = exp.Coalesce(this=_col(c, "d"), expressions=[_ZERO])
            return exp.Window(
                this=exp.Sum(this=value),
                partition_by=[p.copy() for p in partition],
                order=exp.Order(expressions=[exp.Ordered(this=_col("day", "g"))]),
                spec=exp.WindowSpec(
                    kind="ROWS", start="UNBOUNDED", start_side="PRECEDING", end="CURRENT ROW"
                ),
            )

        return (
            exp.select(
                _col("gid", "g"),
                *self.key_cols("g"),
                _col("day", "g"),
                _col("in_spine", "g"),
                *(exp.alias_(running(c), f"p_{c}", copy=False) for c in cols),
            )
            .from_(_table(self.n("grid"), "g"), copy=False)
            .join(
                joined(
                    _table(self.n("daily"), "d"),
                    exp.and_(
                        exp.EQ(this=_col("gid", "d"), expression=_col("gid", "g")),
                        exp.EQ(this=_col("day", "d"), expression=_col("day", "g")),
                        copy=False,
                    ),
                    "left",
                ),
                copy=False,
            )
        )

    def diff(self, c: str) -> exp.Expr:
        """The window's value of running sum ``c``: ``P(t) - P(t - W)``, or ``P(t)``."""
        if self.window is None or self.m.agg is Agg.COUNT_DISTINCT:
            return _col(f"p_{c}", "s")
        return exp.Sub(
            this=_col(f"p_{c}", "s"), expression=exp.Coalesce(this=_col(f"p_{c}", "e"), expressions=[_ZERO])
        )

    def windowed(self, value: exp.Expr, count: exp.Expr, *, lookup: bool) -> exp.Select:
        select = (
            exp.select(
                _col("gid", "s"),
                *self.key_cols("s"),
                _col("day", "s"),
                exp.alias_(value, "value", copy=False),
                exp.alias_(count, "rows_in_window", copy=False),
            )
            .from_(_table(self.n("series"), "s"), copy=False)
            .where(exp.EQ(this=_col("in_spine", "s"), expression=exp.Literal.number(1)), copy=False)
        )
        if lookup and self.window is not None:
            earlier = exp.cast(
                exp.Sub(this=_col("day", "s"), expression=interval(self.window.count, self.window.unit)),
                _date(),
                copy=False,
            )
            select = select.join(
                joined(
                    _table(self.n("series"), "e"),
                    exp.and_(
                        exp.EQ(this=_col("gid", "e"), expression=_col("gid", "s")),
                        exp.EQ(this=_col("day", "e"), expression=earlier),
                        copy=False,
                    ),
                    "left",
                ),
                copy=False,
            )
        return select

    def report(self) -> exp.Select:
        """Days with data in their window, inside the range, at the requested grain."""
        req = self.req
        src = _col("day")
        cond: list[exp.Expr] = [exp.GT(this=_col("rows_in_window"), expression=_ZERO)]
        rng = TimeRange(self.rng.start, self.rng.end).condition(src)
        if rng is not None:
            cond.append(rng)
        chosen = on_day(req.model, req.dialect, self.time, src)
        if chosen is not None:
            cond.append(chosen)
        kept = (
            exp.select(exp.Star())
            .from_(cte(self.n("window")), copy=False)
            .where(exp.and_(*cond, copy=False), copy=False)
        )
        grain = req.finest_grain
        times = [
            exp.alias_(trunc(req.dialect, i.grain or Grain.DAY, _col("day")), i.column, copy=False)
            for i in req.time_items
        ]
        keys = self.key_cols()
        if grain is None or grain is not Grain.DAY:
            if self.cum.period_agg == "average" and grain is not None:
                period = trunc(req.dialect, grain, _col("day"))
                return (
                    exp.select(
                        *(
                            exp.alias_(
                                trunc(req.dialect, i.grain or grain, period.copy()), i.column, copy=False
                            )
                            for i in req.time_items
                        ),
                        *keys,
                        exp.alias_(exp.Avg(this=_col("value")), self.alias, copy=False),
                    )
                    .from_(kept.subquery("k", copy=False))
                    .group_by(
                        *(exp.Literal.number(i + 1) for i in range(len(req.time_items) + len(keys))),
                        copy=False,
                    )
                )
            partition: list[exp.Expr] = [_col("gid")]
            if grain is not None:
                partition.append(trunc(req.dialect, grain, _col("day")))
            descending = grain is None or self.cum.period_agg == "last"
            rank = exp.Window(
                this=exp.RowNumber(),
                partition_by=partition,
                order=exp.Order(expressions=[exp.Ordered(this=_col("day"), desc=descending)]),
            )
            kept = kept.select(exp.alias_(rank, "rn", copy=False), copy=False)
            outer = exp.select(*times, *keys, exp.alias_(_col("value"), self.alias, copy=False)).from_(
                kept.subquery("k", copy=False)
            )
            return outer.where(exp.EQ(this=_col("rn"), expression=exp.Literal.number(1)), copy=False)
        return exp.select(*times, *keys, exp.alias_(_col("value"), self.alias, copy=False)).from_(
            kept.subquery("k", copy=False)
        )


def render_cumulative(
    req: Request, leaf: Leaf, alias: str, name: str, rng: TimeRange, time: Sequence[ParsedWhere] = ()
) -> list[Cte]:
    """The CTEs computing one cumulative leaf; the last one (``name``) has the group-by columns and ``alias``.

    ``time`` are the query's metric_time conditions: they choose the reported days (the running sums
    still start before them), and prune the rows read to what the window needs.
    """
    return _Cumulative(req, leaf, alias, name, rng, time).ctes()
