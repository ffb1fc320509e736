"""The three ways a cumulative leaf is computed, and the choice between them (``Builder.ctes``).

Running sums of daily aggregates for sum, count, sum_boolean and average; +1/-1 deltas for distinct
counts over days or weeks; the range join over the time spine for everything else.
"""

from __future__ import annotations

from sqlglot import exp

from metricmind.compiler.cumulative.base import SUMMABLE, ZERO, Cte, aliased, col
from metricmind.compiler.cumulative.report import Report
from metricmind.compiler.cumulative.steps import Steps
from metricmind.compiler.dialects import cte, interval, joined, table, trunc
from metricmind.compiler.scan import aggregate, date_literal
from metricmind.spec.model import Agg


class Builder(Steps, Report):
    """Builds the CTEs of one cumulative leaf."""

    # -- strategies ----------------------------------------------------------------------------
    def ctes(self) -> list[Cte]:
        """The CTEs of the leaf, by the strategy its aggregation and window allow."""
        calendar = self.window is not None and self.window.unit in ("month", "quarter", "year")
        if self.base.sub_day:
            # the running sums look up t - W in a dense grid; a sub-day spine may hold only some hours
            # (MetricFlow joins each spine row to the rows inside its window, whatever the spine holds)
            return self.range_join()
        if self.m.agg in SUMMABLE:
            return self.running()
        if self.m.agg is Agg.COUNT_DISTINCT and not calendar:
            return self.distinct_counts()
        return self.range_join()

    def running(self) -> list[Cte]:
        """Running sums of daily aggregates; the window is the difference with ``t - W``."""
        avg = self.m.agg is Agg.AVERAGE
        # a SUM over a window whose values are all NULL is NULL (as SQL and MetricFlow say), not the 0 of
        # the running sums: "w" counts the values, as for an average
        counted = avg or self.m.agg is Agg.SUM
        sums = (
            [
                exp.alias_(exp.Sum(this=self.value.copy()), "v", copy=False),
                exp.alias_(exp.Count(this=self.value.copy()), "w", copy=False),
            ]
            if counted
            else [exp.alias_(aggregate(self.req.dialect, self.m, self.value, None), "v", copy=False)]
        )
        sums.append(exp.alias_(exp.Count(this=exp.Star()), "n", copy=False))
        grouped = self.rows(*sums).group_by(
            *(exp.Literal.number(i + 1) for i in range(1 + len(self.keys))), copy=False
        )
        daily = exp.select(exp.Star(), exp.alias_(self.gid(), "gid", copy=False)).from_(
            grouped.subquery("a", copy=False)
        )
        cols = ["v", "w", "n"] if counted else ["v", "n"]
        ctes = [
            (self.n("daily"), daily),
            (self.n("grid"), self.grid()),
            (self.n("series"), self.series(cols)),
        ]
        value = self.diff("v")
        if avg:
            value = exp.Div(this=value, expression=exp.Nullif(this=self.diff("w"), expression=ZERO))
        elif counted:
            some = exp.GT(this=self.diff("w"), expression=ZERO)
            value = exp.Case(ifs=[exp.If(this=some, true=value)])
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
            ident = [col(member)] if member else []
            base = exp.select(col("gid"), *keys, col("day"), *ident).from_(cte(self.n("seen")), copy=False)
            if member:
                base = base.where(exp.Not(this=exp.Is(this=col(member), expression=exp.Null())), copy=False)
            base = base.distinct(copy=False)

            def weights(value: int, weight: str = weight) -> list[exp.Expr]:
                # UNION ALL is positional: always (dv, dn).
                lit = exp.Literal.number(value)
                return [
                    exp.alias_(lit if weight == "dv" else ZERO, "dv", copy=False),
                    exp.alias_(lit if weight == "dn" else ZERO, "dn", copy=False),
                ]

            if self.window is None:
                period = [trunc(self.req.dialect, gtd, col("day"))] if gtd else []
                first = (
                    exp.select(
                        col("gid"),
                        *keys,
                        exp.alias_(exp.Min(this=col("day")), "day", copy=False),
                        *weights(1),
                    )
                    .from_(base.subquery("b", copy=False))
                    .group_by(col("gid"), *keys, *ident, *period, copy=False)
                )
                parts.append(first)
                continue
            nxt = exp.Window(
                this=exp.Anonymous(this="LEAD", expressions=[col("day")]),
                partition_by=[col("gid"), *ident],
                order=exp.Order(expressions=[exp.Ordered(this=col("day"))]),
            )
            ends = self.as_day(
                exp.Add(this=col("day"), expression=interval(self.window.count, self.window.unit))
            )
            ending = exp.select(col("gid"), *keys, col("day"), exp.alias_(nxt, "next_day", copy=False)).from_(
                base.subquery("b", copy=False)
            )
            plus = exp.select(
                col("gid"),
                *keys,
                col("day"),
                *weights(1),
            ).from_(ending.copy().subquery("e", copy=False))
            stop = exp.Anonymous(
                this="LEAST",
                expressions=[ends, exp.Coalesce(this=col("next_day"), expressions=[ends.copy()])],
            )
            minus = exp.select(
                col("gid"),
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
                col("gid"),
                *keys,
                col("day"),
                exp.alias_(exp.Sum(this=col("dv")), "v", copy=False),
                exp.alias_(exp.Sum(this=col("dn")), "n", copy=False),
            )
            .from_(union.subquery("u", copy=False))
            .group_by(col("gid"), *keys, col("day"), copy=False)
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
        spine = self.spine
        rows = exp.select(exp.Star(), exp.alias_(self.gid(), "gid", copy=False)).from_(
            self.rows(exp.alias_(self.value, "val")).subquery("r", copy=False)
        )
        sday = col(spine.column, "spine")
        cond: list[exp.Expr] = [exp.LTE(this=col("day", "r"), expression=sday.copy())]
        if self.window is not None:
            cond.append(
                exp.GT(
                    this=col("day", "r"),
                    expression=exp.Sub(
                        this=sday.copy(), expression=interval(self.window.count, self.window.unit)
                    ),
                )
            )
        elif self.cum.grain_to_date is not None:
            cond.append(
                exp.GTE(
                    this=col("day", "r"),
                    expression=trunc(self.req.dialect, self.cum.grain_to_date, sday.copy()),
                )
            )
        if self.rng.end is not None:
            cond.append(exp.LT(this=sday.copy(), expression=date_literal(self.rng.end)))
        windowed = (
            exp.select(
                col("gid", "r"),
                *self.key_cols("r"),
                exp.alias_(sday, "day", copy=False),
                exp.alias_(aggregate(self.req.dialect, self.m, col("val", "r"), None), "value", copy=False),
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
            .join(joined(aliased(self.n("rows"), "r"), exp.and_(*cond, copy=False), "inner"), copy=False)
            .group_by(col("gid", "r"), *self.key_cols("r"), sday.copy(), copy=False)
        )
        return [(self.n("rows"), rows), (self.n("window"), windowed), (self.name, self.report())]
