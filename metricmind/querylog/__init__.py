"""SQL text → usage facts, via sqlglot. Pure: no I/O, never raises on bad input.

``analyze(sql, dialect)`` returns ``QueryFacts``: tables (through CTEs, subqueries and aliases), join
edges with conditions and kinds, aggregates (candidate measures), group-by items (candidate
dimensions), filters, the time grain and a fingerprint of the statement with literals masked.

API for the knowledge store (see ``docs/querylog.md``):

- ``analyze(sql, dialect, default_schema=None) -> QueryFacts``; ``Analyzer(default_schema, cache_size)``
  adds a memo per ``(dialect, text)`` and ``stats`` (seen, parsed, unparsed, cache_hits).
  ``QueryFacts.to_dict()`` / ``from_dict()`` round-trip through JSON.
- Records are ``metricmind.warehouse.base.QueryLogRecord`` (query_id = idempotency key, sql, user,
  started_at, duration_ms, rows, error = ``None`` on success, dialect, schema, calls).
- Export files: ``metricmind.warehouse.querylogs.LogFile(path, fmt=None, dialect=None)`` iterates
  records from Snowflake QUERY_HISTORY / BigQuery JOBS / native JSONL or CSV (format detected from the
  columns); bad lines are counted in ``skipped`` and explained in ``problems`` (``file:line: reason``).
- PostgreSQL: ``metricmind.warehouse.querylogs.read_pg_stat_statements(dsn, database=None)`` returns
  cumulative ``StatementStats``; ``metricmind.querylog.snapshots.deltas(stats, cursor)`` returns the
  records of what ran since ``cursor`` and the next cursor (``dict[str, Counter]``, for the caller to
  persist). Record ids embed the reset epoch and cumulative calls, so re-reading is idempotent.
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
