"""What the analyzer has collected so far from one statement text, shared by the parts that collect it.

``Collected`` holds the tables, joins, aggregates, dimensions, filters, windows and columns found over
the scopes of every statement; ``Joins`` and ``Aggregates`` add to it, ``Collector`` walks the scopes
and turns it into ``QueryFacts``.
"""

from __future__ import annotations

from sqlglot import exp

from metricmind.querylog import grain
from metricmind.querylog.facts import Aggregate, ColumnRef, Dimension, Filter, Join
from metricmind.querylog.predicates import filter_of
from metricmind.querylog.resolve import Resolver


class Collected:
    """Facts accumulated over the scopes of every statement of one text."""

    def __init__(self, resolver: Resolver, dialect: str) -> None:
        self.r = resolver
        self.dialect = dialect
        self.kinds: list[str] = []
        self.tables: set[str] = set()
        self.writes: set[str] = set()
        self.joins: dict[tuple[str, str, str, tuple[tuple[str, str], ...]], Join] = {}
        self.aggregates: dict[tuple[str, str, str | None, str | None], Aggregate] = {}
        self.dimensions: dict[tuple[str, str | None], tuple[Dimension, grain.Bucket | None]] = {}
        self.filters: dict[tuple[str, str, tuple[object, ...]], Filter] = {}
        self.windows: set[str] = set()
        self.columns: set[ColumnRef] = set()

    def _add_filter(self, pred: exp.Expr) -> None:
        found = filter_of(pred, self.dialect)
        if found is not None:
            self.filters.setdefault((found.expr, found.op, found.values), found)


def ref_key(ref: ColumnRef) -> tuple[str, str]:
    """A sort key of a column reference (table, then name)."""
    return (ref.table or "", ref.name)
