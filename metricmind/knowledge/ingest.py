"""Persisting query log records, idempotently, and recording the project's own executions.

A record is identified by its source (``metricmind``, ``file:snowflake``, ``pg:host/db``…) and the id
the source gave it: ingesting the same log twice stores it once. Statement texts are stored once each
(``kg_texts``); the graph is updated from stored records by ``knowledge.process`` (incrementally, from a
high-water mark), so recording an execution costs one short transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from collections import ChainMap
from collections.abc import Iterable, Iterator, MutableMapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa

from metricmind.knowledge.schema import cursors, query_log, texts
from metricmind.knowledge.store import insert, utc
from metricmind.storage import make_engine, upgrade
from metricmind.warehouse.base import QueryLogRecord
from metricmind.warehouse.querylogs import MAX_STATEMENT_BYTES, LogFile, record_problem

PROJECT_SOURCE = "metricmind"
"""Source name of executions made through the project (``Project.run``)."""

_CHUNK = 400  # bound parameters per IN (...) list, under SQLite's limit with room to spare


def connect(url: str) -> sa.Engine:
    """An engine on the store at ``url`` with every migration applied."""
    engine = make_engine(url)
    upgrade(engine)
    return engine


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


class QueryLike(Protocol):
    """What the recorder reads from a ``MetricQuery``."""

    @property
    def metrics(self) -> tuple[str, ...]:
        """The ``metrics`` attribute."""
        ...

    @property
    def group_by(self) -> tuple[str, ...]:
        """The ``group_by`` attribute."""
        ...


class ExecutionLike(Protocol):
    """What the recorder reads from ``metricmind.project.Execution``."""

    @property
    def query(self) -> QueryLike:
        """The ``query`` attribute."""
        ...

    @property
    def sql(self) -> str:
        """The ``sql`` attribute."""
        ...

    @property
    def started_at(self) -> dt.datetime:
        """The ``started_at`` attribute."""
        ...

    @property
    def elapsed_ms(self) -> float:
        """The ``elapsed_ms`` attribute."""
        ...

    @property
    def rows(self) -> int:
        """The ``rows`` attribute."""
        ...

    @property
    def error(self) -> str | None:
        """The ``error`` attribute."""
        ...

    @property
    def user(self) -> str | None:
        """The ``user`` attribute."""
        ...

    @property
    def source(self) -> str:
        """The ``source`` attribute."""
        ...


class Recorder:
    """Records the project's executions in the store: attach ``record_execution`` to ``Project.listeners``.

    Args:
        engine: The store (migrated; see ``connect``).
        dialect: The dialect the project compiles to.
        schema: Schema of unqualified table names in compiled SQL.
    """

    def __init__(self, engine: sa.Engine, dialect: str, schema: str | None = None) -> None:
        self.engine = engine
        self.dialect = dialect
        self.schema = schema
        self._texts: dict[str, int] = {}

    def record_execution(self, execution: ExecutionLike) -> None:
        """Store one execution (one short transaction; the graph is updated by the next ``process``)."""
        query = execution.query
        entry = Entry(
            source=PROJECT_SOURCE,
            external_id=uuid.uuid4().hex,
            sql=execution.sql,
            dialect=self.dialect,
            schema=self.schema,
            started_at=execution.started_at,
            user=execution.user,
            duration_ms=execution.elapsed_ms,
            rows=execution.rows,
            error=execution.error,
            metrics=tuple(query.metrics),
            group_by=tuple(query.group_by),
        )
        # Text ids found or stored by this transaction are shared with other threads only once it has
        # committed: another thread's record must never point at a text row not committed yet.
        fresh: dict[str, int] = {}
        try:
            with self.engine.begin() as conn:
                store_entries(conn, [entry], ChainMap(fresh, self._texts))
        except sa.exc.SQLAlchemyError:
            self._texts.clear()
            raise
        self._texts.update(fresh)

    __call__ = record_execution


def attach(listeners: list[Any], recorder: Recorder) -> None:
    """Add ``recorder`` to a project's listeners once."""
    if not any(getattr(fn, "__self__", None) is recorder for fn in listeners):
        listeners.append(recorder.record_execution)
