"""Executions and usage: every run recorded, counted per metric by month and day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from metricmind.catalog.schema import execution_metrics, executions


def now() -> dt.datetime:
    """The current time as naive UTC (how the store keeps every time)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def naive(value: dt.datetime) -> dt.datetime:
    """``value`` as naive UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def month_start(day: dt.date) -> dt.datetime:
    """Midnight of the first day of ``day``'s month."""
    return dt.datetime(day.year, day.month, 1)


def previous_month(start: dt.datetime) -> dt.datetime:
    """The first day of the month before ``start``'s."""
    return (
        dt.datetime(start.year - 1, 12, 1)
        if start.month == 1
        else dt.datetime(start.year, start.month - 1, 1)
    )


def next_month(start: dt.datetime) -> dt.datetime:
    """The first day of the month after ``start``'s."""
    return (
        dt.datetime(start.year + 1, 1, 1)
        if start.month == 12
        else dt.datetime(start.year, start.month + 1, 1)
    )


def record(
    conn: sa.Connection,
    *,
    at: dt.datetime,
    user: str | None,
    source: str,
    metrics: list[str],
    query: dict[str, Any],
    sql: str,
    duration_ms: float,
    rows: int,
    error: str | None,
    spool_id: str | None = None,
) -> int:
    """Insert one execution and its metric rows; its id (0 when ``spool_id`` was recorded before)."""
    at = naive(at)
    if spool_id is not None:
        seen = conn.execute(sa.select(executions.c.id).where(executions.c.spool_id == spool_id)).first()
        if seen is not None:
            return 0
    result = conn.execute(
        sa.insert(executions).values(
            at=at,
            user_name=user,
            source=source[:32],
            metrics=list(metrics),
            query=query,
            sql=sql,
            duration_ms=float(duration_ms),
            row_count=int(rows),
            error=error,
            spool_id=spool_id,
        )
    )
    pk = result.inserted_primary_key
    exec_id = int(pk[0]) if pk is not None else 0
    names = list(dict.fromkeys(metrics))
    if names:
        conn.execute(
            sa.insert(execution_metrics), [{"execution_id": exec_id, "metric": m, "at": at} for m in names]
        )
    return exec_id


def counts(conn: sa.Connection, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """Executions per metric in ``[start, end)``."""
    em = execution_metrics
    rows = conn.execute(
        sa.select(em.c.metric, sa.func.count()).where(em.c.at >= start, em.c.at < end).group_by(em.c.metric)
    )
    return {str(r[0]): int(r[1]) for r in rows}


def trend(this: int, before: int) -> float | None:
    """Change from the previous month in percent (None when there was nothing before)."""
    if before == 0:
        return None if this == 0 else 100.0
    return round((this - before) * 100.0 / before, 1)


def usage(conn: sa.Connection, metric: str, today: dt.date) -> dict[str, Any]:
    """One metric's usage: this month, previous month, trend, the last 30 days and the total."""
    em = execution_metrics
    start = month_start(today)
    prev = previous_month(start)
    end = next_month(start)
    first_day = dt.datetime.combine(today - dt.timedelta(days=29), dt.time())
    day = sa.func.date(em.c.at) if conn.dialect.name == "sqlite" else sa.cast(em.c.at, sa.Date)
    by_day = {
        str(r[0])[:10]: int(r[1])
        for r in conn.execute(
            sa.select(day, sa.func.count())
            .where(em.c.metric == metric, em.c.at >= first_day, em.c.at < end)
            .group_by(day)
        )
    }
    daily = [by_day.get((today - dt.timedelta(days=29 - i)).isoformat(), 0) for i in range(30)]

    def count(lo: dt.datetime | None, hi: dt.datetime | None) -> int:
        q = sa.select(sa.func.count()).select_from(em).where(em.c.metric == metric)
        if lo is not None:
            q = q.where(em.c.at >= lo)
        if hi is not None:
            q = q.where(em.c.at < hi)
        return int(conn.execute(q).scalar_one())

    month = count(start, end)
    before = count(prev, start)
    return {
        "metric": metric,
        "month": month,
        "previous_month": before,
        "trend": trend(month, before),
        "daily": daily,
        "total": count(None, None),
    }


def top(conn: sa.Connection, today: dt.date, limit: int) -> list[dict[str, Any]]:
    """The most used metrics this month, with last month's count and the trend."""
    start = month_start(today)
    this = counts(conn, start, next_month(start))
    before = counts(conn, previous_month(start), start)
    ranked = sorted(this.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [
        {"metric": m, "month": n, "previous_month": before.get(m, 0), "trend": trend(n, before.get(m, 0))}
        for m, n in ranked
    ]
