"""Log records as the store keeps them (``Entry``), and storing them idempotently.

A record is identified by its source and the id the source gave it, so storing the same records twice
stores them once; statement texts are stored once each (``kg_texts``). ``IngestReport`` counts what an
ingestion read, stored, found stored before and skipped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Iterable, Iterator, MutableMapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa

from metricmind.knowledge.schema import query_log, texts
from metricmind.knowledge.store import insert, utc
from metricmind.warehouse.base import QueryLogRecord

PROJECT_SOURCE = "metricmind"
"""Source name of executions made through the project (``Project.run``)."""

_CHUNK = 400  # bound parameters per IN (...) list, under SQLite's limit with room to spare


@dataclass(frozen=True)
class Entry:
    """One log record as the store keeps it.

    Attributes:
        source: Where it came from; with ``external_id`` it identifies the record.
        external_id: The id the source gave it.
        sql: Statement text.
        dialect: Its SQL dialect.
        schema: Schema of unqualified table names, when known.
        started_at: When it started (UTC).
        user: Who ran it.
        duration_ms: Mean duration of one call, when known.
        rows: Rows returned, when known.
        calls: Executions the record stands for.
        error: Error message of a failed statement.
        metrics: Metrics it computed, when known exactly (executions through the project).
        group_by: Group-by names, when known exactly.
    """

    source: str
    external_id: str
    sql: str
    dialect: str
    started_at: dt.datetime
    schema: str | None = None
    user: str | None = None
    duration_ms: float | None = None
    rows: int | None = None
    calls: int = 1
    error: str | None = None
    metrics: tuple[str, ...] | None = None
    group_by: tuple[str, ...] | None = None

    @classmethod
    def of(cls, record: QueryLogRecord, source: str) -> Entry:
        """The entry for a warehouse log record."""
        return cls(
            source=source,
            external_id=record.query_id,
            sql=record.sql,
            dialect=record.dialect,
            started_at=record.started_at,
            schema=record.schema,
            user=record.user,
            duration_ms=record.duration_ms,
            rows=record.rows,
            calls=max(int(record.calls), 1),
            error=record.error,
        )


@dataclass
class IngestReport:
    """What an ingestion did.

    Attributes:
        read: Records read (skipped ones included).
        inserted: New records stored.
        duplicates: Records stored before (same source and id).
        processed: Records folded into the graph afterwards.
        seconds: Time taken.
        skipped: Lines or records not stored (bad lines of a file, too long statements …).
        reasons: ``reason → count`` of the skipped ones (``too_long``, ``not_utf8``, ``binary`` …).
        problems: Up to 20 messages naming a skipped line or record and why.
    """

    read: int = 0
    inserted: int = 0
    duplicates: int = 0
    processed: int = 0
    seconds: float = 0.0
    skipped: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def skip(self, reason: str, message: str) -> None:
        """Count one record not stored, and why."""
        self.skipped += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1
        if len(self.problems) < 20:
            self.problems.append(message)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready counters, with the rate in records per second."""
        out: dict[str, Any] = asdict(self)
        out["seconds"] = round(self.seconds, 3)
        out["records_per_second"] = round(self.read / self.seconds) if self.seconds > 0 else None
        return out


def text_hash(sql: str, dialect: str, schema: str | None) -> str:
    """The identity of a statement text in its dialect and schema."""
    return hashlib.sha1(f"{dialect}\x00{schema or ''}\x00{sql}".encode(), usedforsecurity=False).hexdigest()


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def text_ids(
    conn: sa.Connection, entries: Sequence[Entry], known: MutableMapping[str, int] | None = None
) -> list[int]:
    """The text id of every entry, storing texts not seen before."""
    cache = known if known is not None else {}
    hashes = [text_hash(e.sql, e.dialect, e.schema) for e in entries]
    missing: dict[str, Entry] = {}
    for h, e in zip(hashes, entries, strict=True):
        if h not in cache:
            missing.setdefault(h, e)
    if missing:
        keys = list(missing)
        for chunk in _chunks(keys):
            for tid, h in conn.execute(sa.select(texts.c.id, texts.c.hash).where(texts.c.hash.in_(chunk))):
                cache[h] = tid
        new = [h for h in keys if h not in cache]
        if new:
            conn.execute(
                insert(conn, texts).on_conflict_do_nothing(index_elements=["hash"]),
                [
                    {
                        "hash": h,
                        "dialect": missing[h].dialect,
                        "schema_name": missing[h].schema,
                        "sql": missing[h].sql,
                    }
                    for h in new
                ],
            )
            for chunk in _chunks(new):
                for tid, h in conn.execute(
                    sa.select(texts.c.id, texts.c.hash).where(texts.c.hash.in_(chunk))
                ):
                    cache[h] = tid
    return [cache[h] for h in hashes]


def store_entries(
    conn: sa.Connection, entries: Sequence[Entry], known: MutableMapping[str, int] | None = None
) -> int:
    """Store entries not stored yet (by source and external id) in the caller's transaction; how many were new."""
    unique: dict[tuple[str, str], Entry] = {}
    for e in entries:
        unique.setdefault((e.source, e.external_id), e)
    by_source: dict[str, list[str]] = {}
    for source, ext in unique:
        by_source.setdefault(source, []).append(ext)
    for source, ids in by_source.items():
        for chunk in _chunks(ids):
            rows = conn.execute(
                sa.select(query_log.c.external_id).where(
                    query_log.c.source == source, query_log.c.external_id.in_(chunk)
                )
            )
            for (ext,) in rows:
                unique.pop((source, ext), None)
    fresh = list(unique.values())
    if not fresh:
        return 0
    tids = text_ids(conn, fresh, known)
    conn.execute(
        insert(conn, query_log).on_conflict_do_nothing(index_elements=["source", "external_id"]),
        [
            {
                "source": e.source,
                "external_id": e.external_id,
                "text_id": tid,
                "started_at": utc(e.started_at),
                "user_name": e.user,
                "duration_ms": e.duration_ms,
                "row_count": e.rows,
                "calls": e.calls,
                "error": e.error,
                "metrics": list(e.metrics) if e.metrics is not None else None,
                "group_by": list(e.group_by) if e.group_by is not None else None,
            }
            for e, tid in zip(fresh, tids, strict=True)
        ],
    )
    return len(fresh)


def persist(
    engine: sa.Engine,
    entries: Iterable[Entry],
    *,
    batch: int = 5000,
    report: IngestReport | None = None,
) -> IngestReport:
    """Store entries in transactions of ``batch`` records; re-running with the same entries adds nothing."""
    report = report if report is not None else IngestReport()
    t0 = time.perf_counter()
    known: dict[str, int] = {}
    pending: list[Entry] = []

    def flush() -> None:
        if not pending:
            return
        with engine.begin() as conn:
            new = store_entries(conn, pending, known)
        report.inserted += new
        report.duplicates += len(pending) - new
        pending.clear()

    for entry in entries:
        report.read += 1
        pending.append(entry)
        if len(pending) >= batch:
            flush()
    flush()
    report.seconds = time.perf_counter() - t0
    return report
