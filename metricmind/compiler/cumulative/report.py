"""The reported rows of a cumulative leaf: days with data in their window, inside the range, at the
requested grain (a coarser grain takes the first, last or average daily value of each period; without
metric_time, the value on the last reported day).
"""

from __future__ import annotations

from sqlglot import exp

from metricmind.compiler.cumulative.base import ZERO, Base, col
from metricmind.compiler.dialects import cte, trunc
from metricmind.compiler.scan import TimeRange
from metricmind.compiler.timefilter import on_day
from metricmind.spec.model import Grain


class Report(Base):
    """The last CTE of every strategy."""

    def report(self) -> exp.Select:
        """Days with data in their window, inside the range, at the requested grain."""
        req = self.req
        src = col("day")
        cond: list[exp.Expr] = [exp.GT(this=col("rows_in_window"), expression=ZERO)]
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
            exp.alias_(trunc(req.dialect, i.grain or Grain.DAY, col("day")), i.column, copy=False)
            for i in req.time_items
        ]
        keys = self.key_cols()
        if grain is None or grain is not self.base:
            # Periods are the requested grains together: a week that spans two quarters is two periods,
            # (week, Q1) and (week, Q2), each with its own days (MetricFlow groups by every grain so).
            if self.cum.period_agg == "average" and grain is not None:
                return (
                    exp.select(
                        *times,
                        *keys,
                        exp.alias_(exp.Avg(this=col("value")), self.alias, copy=False),
                    )
                    .from_(kept.subquery("k", copy=False))
                    .group_by(
                        *(exp.Literal.number(i + 1) for i in range(len(req.time_items) + len(keys))),
                        copy=False,
                    )
                )
            partition: list[exp.Expr] = [col("gid")]
            grains = sorted({i.grain or Grain.DAY for i in req.time_items}, key=lambda g: g.rank)
            partition += [trunc(req.dialect, g, col("day")) for g in grains]
            descending = grain is None or self.cum.period_agg == "last"
            rank = exp.Window(
                this=exp.RowNumber(),
                partition_by=partition,
                order=exp.Order(expressions=[exp.Ordered(this=col("day"), desc=descending)]),
            )
            kept = kept.select(exp.alias_(rank, "rn", copy=False), copy=False)
            outer = exp.select(*times, *keys, exp.alias_(col("value"), self.alias, copy=False)).from_(
                kept.subquery("k", copy=False)
            )
            return outer.where(exp.EQ(this=col("rn"), expression=exp.Literal.number(1)), copy=False)
        return exp.select(*times, *keys, exp.alias_(col("value"), self.alias, copy=False)).from_(
            kept.subquery("k", copy=False)
        )
