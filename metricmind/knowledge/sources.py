"""Ingesting logs from where they come from: warehouse log records (a file export …), snapshots of
``pg_stat_statements``, and the runs the catalog recorded (CLI, MCP, API).

Each skips what cannot be stored (and says why in its ``IngestReport``) and keeps what it needs to
resume (a cursor) in the same transaction as the records, so a repeat or a crash never counts twice.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from metricmind.knowledge.entries import PROJECT_SOURCE, Entry, IngestReport, persist, store_entries
from metricmind.knowledge.schema import cursors
from metricmind.knowledge.store import insert
from metricmind.warehouse.base import QueryLogRecord
from metricmind.warehouse.querylogs import MAX_STATEMENT_BYTES, LogFile, record_problem


def ingest_records(
    engine: sa.Engine,
    records: Iterable[QueryLogRecord],
    source: str,
    *,
    max_statement_bytes: int = MAX_STATEMENT_BYTES,
) -> IngestReport:
    """Store warehouse log records (a file export, …) under ``source``.

    A record that cannot be stored as it is (a statement longer than ``max_statement_bytes``, NUL
    characters, text that is not UTF-8) is skipped and counted in the report with its reason, never
    failing the batch it is in. A ``LogFile``'s own skipped lines are added to the report.
    """
    report = IngestReport()

    def entries() -> Iterator[Entry]:
        for n, record in enumerate(records, start=1):
            problem = record_problem(record, max_statement_bytes)
            if problem is not None:
                report.read += 1
                report.skip(problem[0], f"record {n} ({record.query_id[:40]}): {problem[1]}")
                continue
            yield Entry.of(record, source)

    persist(engine, entries(), report=report)
    if isinstance(records, LogFile):
        report.read += records.skipped
        report.skipped += records.skipped
        for reason, count in records.reasons.items():
            report.reasons[reason] = report.reasons.get(reason, 0) + count
        report.problems = (records.problems + report.problems)[:20]
    return report


def ingest_pg_stats(
    engine: sa.Engine, stats: Sequence[Any], source: str, *, max_statement_bytes: int = MAX_STATEMENT_BYTES
) -> IngestReport:
    """Store what ran since the last snapshot of ``pg_stat_statements`` read under ``source``.

    The remembered counters and the new records are written in one transaction, so a crash never
    counts an interval twice; reading the same snapshot twice stores nothing new. ``stats`` are
    ``metricmind.warehouse.querylogs.StatementStats`` turned into records by ``querylog.snapshots``.
    Statements that cannot be stored (longer than ``max_statement_bytes`` …) are skipped and counted.
    """
    from metricmind.querylog.snapshots import Counter, deltas

    t0 = time.perf_counter()
    report = IngestReport()
    with engine.begin() as conn:
        row = conn.execute(
            sa.select(cursors.c.value).where(
                cursors.c.source == source, cursors.c.key == "pg_stat_statements"
            )
        ).first()
        previous = {k: Counter(*v) for k, v in (row[0] if row else {}).items()}
        records, cursor = deltas(stats, previous)
        entries = []
        for r in records:
            problem = record_problem(r, max_statement_bytes)
            if problem is None:
                entries.append(Entry.of(r, source))
            else:
                report.skip(problem[0], f"statement {r.query_id[:60]}: {problem[1]}")
        report.read = len(records)
        report.inserted = store_entries(conn, entries)
        report.duplicates = len(entries) - report.inserted
        value = {k: [c.calls, c.total_ms, c.rows, c.epoch] for k, c in cursor.items()}
        merged = {**(row[0] if row else {}), **value}
        stmt = insert(conn, cursors)
        conn.execute(
            stmt.on_conflict_do_update(index_elements=["source", "key"], set_={"value": stmt.excluded.value}),
            {"source": source, "key": "pg_stat_statements", "value": merged},
        )
    report.seconds = time.perf_counter() - t0
    return report


CATALOG_TABLE = "cat_executions"
"""Where the catalog records every run made through the project (``metricmind.catalog``)."""


def catalog_table(engine: sa.Engine) -> sa.Table | None:
    """The catalog's executions table in the shared store (reflected), or None before it exists."""
    if not sa.inspect(engine).has_table(CATALOG_TABLE):
        return None
    return sa.Table(CATALOG_TABLE, sa.MetaData(), autoload_with=engine)


def import_catalog_runs(
    engine: sa.Engine, table: sa.Table, dialect: str, schema: str | None = None, *, batch: int = 5000
) -> int:
    """Fold the runs the catalog recorded (CLI, MCP, API) into the query log; how many were new.

    The catalog shares the project store. Its table is read by name (the knowledge graph does not
    depend on the catalog package); runs made by the web UI are skipped, the UI records them here
    itself. A cursor keeps the last id read, and record ids (``catalog:<id>``) make a repeat harmless.
    ``table`` comes from ``catalog_table``.
    """
    added = 0
    while True:
        with engine.begin() as conn:
            row = conn.execute(
                sa.select(cursors.c.value).where(
                    cursors.c.source == "catalog", cursors.c.key == CATALOG_TABLE
                )
            ).first()
            last = int(row[0]) if row else 0
            rows = (
                conn.execute(sa.select(table).where(table.c.id > last).order_by(table.c.id).limit(batch))
                .mappings()
                .all()
            )
            if not rows:
                return added
            entries = [_catalog_entry(r, dialect, schema) for r in rows if r["source"] != "web"]
            added += store_entries(conn, entries) if entries else 0
            stmt = insert(conn, cursors)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["source", "key"], set_={"value": stmt.excluded.value}
                ),
                {"source": "catalog", "key": CATALOG_TABLE, "value": int(rows[-1]["id"])},
            )


def _catalog_entry(row: Any, dialect: str, schema: str | None) -> Entry:
    query = row["query"] if isinstance(row["query"], dict) else {}
    at = row["at"]
    return Entry(
        source=PROJECT_SOURCE,
        external_id=f"catalog:{row['id']}",
        sql=str(row["sql"]),
        dialect=dialect,
        schema=schema,
        started_at=at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc),
        user=row["user_name"],
        duration_ms=float(row["duration_ms"]),
        rows=int(row["row_count"]),
        error=row["error"],
        metrics=tuple(str(m) for m in row["metrics"] or ()),
        group_by=tuple(str(g) for g in query.get("group_by") or ()),
    )
