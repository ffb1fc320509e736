"""The steps the running-sum strategies share: the day grid, running sums over it, the window's value.

Each group gets the spine days from its first day to its last day plus the window, and the days with
data; the running sum ``P`` restarts each period for grain_to_date; the window's value is
``P(t) - P(t - W)``, found by an equi-join on ``t - W``.
"""

from __future__ import annotations

from sqlglot import exp

from metricmind.compiler.cumulative.base import ZERO, Base, aliased, col
from metricmind.compiler.dialects import cte, interval, joined, table, trunc
from metricmind.compiler.scan import date_literal
from metricmind.spec.model import Agg


class Steps(Base):
    """The grid, the series of running sums, and the windowed values."""

    # -- shared steps --------------------------------------------------------------------------
    def grid(self) -> exp.Select:
        """Spine days from each group's first day to its last day plus the window (to the spine's end for
        all-time), plus the data days; ``in_spine`` marks the days that may be reported.
        """
        spine = self.spine
        sday = col(spine.column, "spine")
        daily = self.n("daily")
        bounds = (
            exp.select(
                col("gid"),
                *self.key_cols(),
                exp.alias_(exp.Min(this=col("day")), "first_day", copy=False),
                exp.alias_(exp.Max(this=col("day")), "last_day", copy=False),
            )
            .from_(cte(daily), copy=False)
            .group_by(col("gid"), *self.key_cols(), copy=False)
        )
        cond: list[exp.Expr] = [exp.GTE(this=sday.copy(), expression=col("first_day", "b"))]
        if self.window is not None:
            cond.append(
                exp.LT(
                    this=sday.copy(),
                    expression=exp.Add(
                        this=col("last_day", "b"), expression=interval(self.window.count, self.window.unit)
                    ),
                )
            )
        elif self.cum.grain_to_date is not None:
            gtd = self.cum.grain_to_date
            cond.append(
                exp.LT(
                    this=sday.copy(),
                    expression=exp.Add(
                        this=trunc(self.req.dialect, gtd, col("last_day", "b")),
                        expression=interval(1, gtd.value),
                    ),
                )
            )
        if self.rng.end is not None:
            cond.append(exp.LT(this=sday.copy(), expression=date_literal(self.rng.end)))
        spine_days = (
            exp.select(
                col("gid", "b"),
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
            col("gid"), *self.key_cols(), col("day"), exp.alias_(ZERO, "in_spine", copy=False)
        ).from_(cte(daily), copy=False)
        union = exp.union(spine_days, data_days, distinct=False, copy=False)
        return (
            exp.select(
                col("gid"),
                *self.key_cols(),
                col("day"),
                exp.alias_(exp.Max(this=col("in_spine")), "in_spine", copy=False),
            )
            .from_(union.subquery("g", copy=False))
            .group_by(col("gid"), *self.key_cols(), col("day"), copy=False)
        )

    def series(self, cols: list[str]) -> exp.Select:
        """The grid with running sums ``p_<col>`` (restarting each period for grain_to_date)."""
        partition: list[exp.Expr] = [col("gid", "g")]
        if self.cum.grain_to_date is not None:
            partition.append(trunc(self.req.dialect, self.cum.grain_to_date, col("day", "g")))

        def running(c: str) -> exp.Expr:
            value = exp.Coalesce(this=col(c, "d"), expressions=[ZERO])
            return exp.Window(
                this=exp.Sum(this=value),
                partition_by=[p.copy() for p in partition],
                order=exp.Order(expressions=[exp.Ordered(this=col("day", "g"))]),
                spec=exp.WindowSpec(
                    kind="ROWS", start="UNBOUNDED", start_side="PRECEDING", end="CURRENT ROW"
                ),
            )

        return (
            exp.select(
                col("gid", "g"),
                *self.key_cols("g"),
                col("day", "g"),
                col("in_spine", "g"),
                *(exp.alias_(running(c), f"p_{c}", copy=False) for c in cols),
            )
            .from_(aliased(self.n("grid"), "g"), copy=False)
            .join(
                joined(
                    aliased(self.n("daily"), "d"),
                    exp.and_(
                        exp.EQ(this=col("gid", "d"), expression=col("gid", "g")),
                        exp.EQ(this=col("day", "d"), expression=col("day", "g")),
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
            return col(f"p_{c}", "s")
        return exp.Sub(
            this=col(f"p_{c}", "s"), expression=exp.Coalesce(this=col(f"p_{c}", "e"), expressions=[ZERO])
        )

    def windowed(self, value: exp.Expr, count: exp.Expr, *, lookup: bool) -> exp.Select:
        """The reportable days with the window's ``value`` and row ``count`` (``lookup``: join ``t - W``)."""
        select = (
            exp.select(
                col("gid", "s"),
                *self.key_cols("s"),
                col("day", "s"),
                exp.alias_(value, "value", copy=False),
                exp.alias_(count, "rows_in_window", copy=False),
            )
            .from_(aliased(self.n("series"), "s"), copy=False)
            .where(exp.EQ(this=col("in_spine", "s"), expression=exp.Literal.number(1)), copy=False)
        )
        if lookup and self.window is not None:
            earlier = self.as_day(
                exp.Sub(this=col("day", "s"), expression=interval(self.window.count, self.window.unit))
            )
            select = select.join(
                joined(
                    aliased(self.n("series"), "e"),
                    exp.and_(
                        exp.EQ(this=col("gid", "e"), expression=col("gid", "s")),
                        exp.EQ(this=col("day", "e"), expression=earlier),
                        copy=False,
                    ),
                    "left",
                ),
                copy=False,
            )
        return select
