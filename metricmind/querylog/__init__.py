"""SQL text → usage facts, via sqlglot. Pure: no I/O, never raises on bad input.

``analyze(sql, dialect)`` returns ``QueryFacts``: tables (through CTEs, subqueries and aliases), join
edges with conditions and kinds, aggregates (candidate measures), group-by items (candidate
dimensions), filters, the time grain and a fingerprint of the statement with literals masked.
"""

from __future__ import annotations

from metricmind.querylog.analyze import analyze
from metricmind.querylog.batch import DEFAULT_SCHEMAS, Analyzer, AnalyzerStats
from metricmind.querylog.facts import Aggregate, ColumnRef, Dimension, Filter, Join, QueryFacts

__all__ = [
    "DEFAULT_SCHEMAS",
    "Aggregate",
    "Analyzer",
    "AnalyzerStats",
    "ColumnRef",
    "Dimension",
    "Filter",
    "Join",
    "QueryFacts",
    "analyze",
]
