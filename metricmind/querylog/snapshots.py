"""Cumulative statement statistics → query log records, one per statement and interval.

``pg_stat_statements`` counts calls and time since its last reset. Two snapshots differ by what ran
in between; that difference becomes one ``QueryLogRecord`` with ``calls`` set to the number of new
executions and ``duration_ms`` to their mean time. The record id names the reset epoch and the
cumulative call count, so reading the same snapshot twice yields the same ids (counted once).

>>> import datetime as dt
>>> now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
>>> s = StatementStats("1:10:42:t", "select 1", "ann", "db", 5, 50.0, 5, "e0", now)
>>> records, cursor = deltas([s], {})
>>> records[0].calls, records[0].duration_ms, cursor["1:10:42:t"]
(5, 10.0, Counter(calls=5, total_ms=50.0, rows=5, epoch='e0'))
>>> deltas([s], cursor)[0]
[]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from metricmind.warehouse.base import QueryLogRecord
from metricmind.warehouse.querylogs import StatementStats


@dataclass(frozen=True)
class Counter:
    """The cumulative counters of one statement at the last ingestion."""

    calls: int
    total_ms: float
    rows: int
    epoch: str


def deltas(
    stats: Iterable[StatementStats], previous: Mapping[str, Counter], *, dialect: str = "postgres"
) -> tuple[list[QueryLogRecord], dict[str, Counter]]:
    """Records for what ran since ``previous``, and the counters to remember for next time.

    A statement whose calls went down, or whose reset epoch changed, was reset: everything it counts
    now is new.
    """
    records: list[QueryLogRecord] = []
    cursor: dict[str, Counter] = {}
    for s in stats:
        prev = previous.get(s.key)
        reset = prev is None or prev.epoch != s.epoch or s.calls < prev.calls
        base = Counter(0, 0.0, 0, s.epoch) if reset or prev is None else prev
        calls = s.calls - base.calls
        cursor[s.key] = Counter(s.calls, s.total_ms, s.rows, s.epoch)
        if calls <= 0:
            continue
        total_ms = max(s.total_ms - base.total_ms, 0.0)
        records.append(
            QueryLogRecord(
                query_id=f"pg:{s.key}:{s.epoch}:{s.calls}",
                sql=s.sql,
                user=s.user,
                started_at=s.observed_at,
                duration_ms=total_ms / calls,
                rows=max(s.rows - base.rows, 0),
                error=None,
                dialect=dialect,
                schema=None,
                calls=calls,
            )
        )
    return records, cursor
