"""The resolved request: time windows, group-by items, measure leaves, and the ``Request`` they make up.

:func:`metricmind.compiler.resolve.build` fills a :class:`Request`; the row sources (scan, cumulative,
conversion, timeshift) read it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from sqlglot import exp

from metricmind.compiler.dialects import Dialect
from metricmind.errors import QueryError
from metricmind.spec.filters import ParsedWhere, parse_where
from metricmind.spec.joingraph import JoinGraph
from metricmind.spec.model import Conversion, Cumulative, Grain, Measure, Model
from metricmind.spec.names import Ref
from metricmind.spec.query import MetricQuery

_WINDOW = re.compile(r"^\s*(\d+)\s+([a-z]+?)s?\s*$", re.IGNORECASE)
_UNIT = re.compile(r"^\s*\d+\s+([a-z_][a-z0-9_]*?)s?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Window:
    """A time window such as ``7 days`` or ``3 months``."""

    count: int
    unit: str  # day | week | month | quarter | year

    @classmethod
    def parse(cls, text: str, what: str) -> Window:
        """Read ``"7 days"``; raise a clear error otherwise."""
        m = _WINDOW.match(str(text))
        unit = m.group(2).lower() if m else ""
        if not m or unit not in {g.value for g in Grain}:
            custom = _UNIT.match(str(text))
            if custom is not None:
                # the load rules let only a time spine's custom granularity through (with a warning)
                name = custom.group(1).lower()
                raise QueryError(
                    f"{what}: window {text!r} counts in the custom granularity '{name}', which metricmind "
                    f"does not compute yet (MetricFlow moves each day by whole {name} periods of the time "
                    "spine, which have no fixed length in days)",
                    hint="Count the window in days, weeks, months, quarters or years.",
                )
            raise QueryError(
                f"{what}: cannot read window {text!r}",
                hint="Write a count and a unit, e.g. '7 days', '3 months', '1 year'.",
            )
        return cls(int(m.group(1)), unit)


@dataclass(frozen=True)
class GroupItem:
    """One requested group-by column."""

    ref: Ref
    column: str
    grain: Grain | None = None
    custom: str | None = None  # the time spine column of a custom granularity
    part: str | None = None  # a date part (``metric_time__extract_month``): a plain key, not a period

    @property
    def is_metric_time(self) -> bool:
        """True for ``metric_time`` at some grain (a date part of it is a plain key, not a period)."""
        return self.ref.is_metric_time and self.part is None

    @property
    def is_time_part(self) -> bool:
        """True for a date part of ``metric_time`` (``metric_time__extract_dow``)."""
        return self.ref.is_metric_time and self.part is not None


@dataclass(frozen=True)
class Leaf:
    """One aggregated measure column the query needs."""

    measure: str
    filters: tuple[str, ...] = ()
    kind: str = "agg"  # agg | cumulative | conversions
    cumulative: Cumulative | None = None
    conversion: Conversion | None = None
    offset_window: Window | None = None
    offset_to_grain: Grain | None = None
    join_to_timespine: bool = False
    #: a filled cumulative leaf's ``fill_nulls_with``: its days are filled before a coarser period is taken
    fill_nulls_with: float | None = None

    @property
    def plain(self) -> Leaf:
        """The same leaf without time shifting or gap filling."""
        return replace(self, offset_window=None, offset_to_grain=None, join_to_timespine=False)


@dataclass
class Request:
    """A resolved query: what to group by, which leaves to compute, and how metrics combine them."""

    query: MetricQuery
    model: Model
    dialect: Dialect
    graph: JoinGraph
    items: list[GroupItem]
    wheres: list[ParsedWhere]
    leaves: dict[Leaf, str] = field(default_factory=dict)
    outputs: list[tuple[str, exp.Expr]] = field(default_factory=list)
    #: group-by columns reached through a one-to-many or foreign↔foreign join (``allow_overlap`` only)
    overlapping: tuple[str, ...] = ()
    #: plans a nested query (a ``{{ Metric(...) }}`` filter's per-entity metric) and returns its column
    #: names and SQL tree. The planner sets it, so row sources never import the planner: the flow runs one
    #: way, plan → scan/cumulative/conversion/timeshift → source.
    subplan: Callable[[MetricQuery], tuple[list[str], exp.Expr]] | None = None

    @property
    def time_items(self) -> list[GroupItem]:
        """The ``metric_time`` items."""
        return [i for i in self.items if i.is_metric_time]

    @property
    def other_items(self) -> list[GroupItem]:
        """Group-by items other than ``metric_time``."""
        return [i for i in self.items if not i.is_metric_time]

    @property
    def time_parts(self) -> list[GroupItem]:
        """The date parts of ``metric_time`` (``metric_time__extract_dow``)."""
        return [i for i in self.items if i.is_time_part]

    @property
    def finest_grain(self) -> Grain | None:
        """The finest requested ``metric_time`` grain."""
        grains = [i.grain for i in self.time_items if i.grain]
        return min(grains, key=lambda g: g.rank) if grains else None

    @property
    def coarsest_grain(self) -> Grain | None:
        """The coarsest requested ``metric_time`` grain."""
        grains = [i.grain for i in self.time_items if i.grain]
        return max(grains, key=lambda g: g.rank) if grains else None

    def measure(self, name: str) -> Measure:
        """The measure called ``name``."""
        return self.model.measures[name]

    def uses_metric_time_filter(self, leaf: Leaf) -> bool:
        """True when a filter of the query or of the leaf mentions ``metric_time``."""
        return any(r.is_metric_time for w in self.wheres for r in w.refs.values()) or any(
            r.is_metric_time for f in leaf.filters for r in parse_where(f, self.dialect.sqlglot).refs.values()
        )


__all__ = ["GroupItem", "Leaf", "Request", "Window"]
