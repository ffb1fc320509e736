"""Reading warehouses' own query history: PostgreSQL ``pg_stat_statements`` and JSONL/CSV exports.

Nothing here interprets SQL. PostgreSQL hands back cumulative counters per normalized statement
(``StatementStats``); ``querylog.snapshots`` turns two snapshots into per-interval records. Files are
read as they are exported from Snowflake (``ACCOUNT_USAGE.QUERY_HISTORY``), BigQuery
(``INFORMATION_SCHEMA.JOBS``) or in metricmind's own column names; see ``docs/querylog.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from metricmind.errors import MetricmindError, WarehouseError
from metricmind.warehouse.base import QueryLogRecord

FORMATS = ("snowflake", "bigquery", "native")
"""Column layouts a log file may use; detected from its header when not given."""

_PG_SQL = """
SELECT s.dbid, s.userid, s.queryid, s.toplevel, r.rolname, d.datname, s.query,
       s.calls, s.total_exec_time, s.rows
FROM pg_stat_statements AS s
LEFT JOIN pg_roles AS r ON r.oid = s.userid
LEFT JOIN pg_database AS d ON d.oid = s.dbid
WHERE s.queryid IS NOT NULL AND s.calls > 0 {where}
ORDER BY s.dbid, s.userid, s.queryid, s.toplevel
"""


@dataclass(frozen=True)
class StatementStats:
    """Cumulative counters of one normalized statement in ``pg_stat_statements``.

    Attributes:
        key: ``dbid:userid:queryid:toplevel``, stable while the statistics are not reset.
        sql: The normalized text (constants shown as ``$1``, ``$2``…).
        user: Role name.
        database: Database name.
        calls: Executions since the statistics were last reset.
        total_ms: Total execution time of those calls, in milliseconds.
        rows: Total rows retrieved or affected.
        epoch: When the statistics were last reset (ISO text), so counters from before and after a
            reset never share an identity.
        observed_at: When the snapshot was taken.
    """

    key: str
    sql: str
    user: str | None
    database: str | None
    calls: int
    total_ms: float
    rows: int
    epoch: str
    observed_at: dt.datetime


def read_pg_stat_statements(dsn: str, *, database: str | None = None) -> list[StatementStats]:
    """A snapshot of ``pg_stat_statements`` (all databases, or only ``database``).

    Raises:
        WarehouseError: The server cannot be reached or the extension is not installed.
    """
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise MetricmindError("psycopg is not installed", hint="pip install 'metricmind[postgres]'") from exc
    where = "AND d.datname = %(db)s" if database else ""
    try:
        with psycopg.connect(dsn, autocommit=True) as con:
            observed = dt.datetime.now(dt.timezone.utc)
            epoch_row = con.execute("SELECT stats_reset FROM pg_stat_statements_info").fetchone()
            epoch = epoch_row[0].isoformat() if epoch_row and epoch_row[0] else "0"
            rows = con.execute(_PG_SQL.format(where=where), {"db": database}).fetchall()
    except psycopg.Error as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        hint = (
            "add pg_stat_statements to shared_preload_libraries and run CREATE EXTENSION pg_stat_statements"
            if "pg_stat_statements" in message
            else "check warehouse.dsn or --dsn"
        )
        raise WarehouseError(f"cannot read pg_stat_statements: {message}", hint=hint) from exc
    return [
        StatementStats(
            key=f"{dbid}:{userid}:{queryid}:{'t' if toplevel else 'n'}",
            sql=str(query),
            user=rolname,
            database=datname,
            calls=int(calls),
            total_ms=float(total_ms),
            rows=int(nrows),
            epoch=epoch,
            observed_at=observed,
        )
        for dbid, userid, queryid, toplevel, rolname, datname, query, calls, total_ms, nrows in rows
    ]


class LogFile:
    """Query log records from a JSONL or CSV export; iterate it once.

    Args:
        path: The file.
        fmt: ``snowflake``, ``bigquery`` or ``native``; detected from the columns when ``None``.
        dialect: Dialect of the statements (default: the format's warehouse; ``duckdb`` for native).

    Attributes:
        skipped: Lines that could not be read, or were not queries (BigQuery load jobs…).
        problems: Up to 20 messages explaining skipped lines, with their line numbers.
    """

    def __init__(self, path: str | Path, fmt: str | None = None, dialect: str | None = None) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise MetricmindError(f"query log file {str(self.path)!r} does not exist")
        if fmt is not None and fmt not in FORMATS:
            raise MetricmindError(
                f"unknown query log format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}"
            )
        self.fmt = fmt
        self.dialect = dialect
        self.skipped = 0
        self.problems: list[str] = []

    def __iter__(self) -> Iterator[QueryLogRecord]:
        rows = self._rows()
        for line, row in rows:
            if self.fmt is None:
                self.fmt = detect_format(row.keys())
            try:
                record = _READERS[self.fmt](row, self.dialect)
            except (KeyError, ValueError, TypeError) as exc:
                self._skip(line, f"{type(exc).__name__}: {exc}")
                continue
            if record is None:
                self.skipped += 1
                continue
            yield record

    def _rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            if self.path.suffix.lower() in (".csv", ".tsv"):
                reader = csv.DictReader(handle, delimiter="\t" if self.path.suffix.lower() == ".tsv" else ",")
                if reader.fieldnames is None:
                    return
                start = reader.line_num + 1  # quoted fields may span lines: name a row by its first line
                for row in reader:
                    yield start, {k.strip().lower(): v for k, v in row.items() if k is not None}
                    start = reader.line_num + 1
                return
            for number, text in enumerate(handle, start=1):
                if not text.strip():
                    continue
                try:
                    value = json.loads(text)
                except json.JSONDecodeError as exc:
                    self._skip(number, f"not JSON: {exc.msg}")
                    continue
                if not isinstance(value, dict):
                    self._skip(number, "not a JSON object")
                    continue
                yield number, {str(k).strip().lower(): v for k, v in value.items()}

    def _skip(self, line: int, message: str) -> None:
        self.skipped += 1
        if len(self.problems) < 20:
            self.problems.append(f"{self.path.name}:{line}: {message}")


def detect_format(columns: Any) -> str:
    """``snowflake`` (QUERY_TEXT), ``bigquery`` (job_id + query) or ``native`` (sql)."""
    names = {str(c).lower() for c in columns}
    if "query_text" in names:
        return "snowflake"
    if "job_id" in names and "query" in names:
        return "bigquery"
    if "sql" in names:
        return "native"
    raise MetricmindError(
        f"cannot tell the query log format from its columns {sorted(names)[:8]}",
        hint="expected Snowflake QUERY_HISTORY (QUERY_TEXT…), BigQuery JOBS (job_id, query…) or "
        "metricmind's own (query_id, sql, started_at…); pass --format",
    )


def parse_time(value: Any) -> dt.datetime:
    """A timestamp from an export: ISO text (``Z``, ``UTC``, ``-0700`` suffixes), or epoch seconds/ms."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    if isinstance(value, int | float) or (
        isinstance(value, str) and re.fullmatch(r"\d{9,13}(\.\d+)?", value)
    ):
        number = float(value)
        return dt.datetime.fromtimestamp(number / 1000 if number > 1e11 else number, dt.timezone.utc)
    text = str(value).strip()
    text = re.sub(r"\s*(UTC|Z)$", "+00:00", text)
    text = re.sub(r"\s*([+-])(\d{2}):?(\d{2})$", r"\1\2:\3", text)
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    parsed = dt.datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    return float(value)


def _snowflake(row: dict[str, Any], dialect: str | None) -> QueryLogRecord | None:
    status = str(row.get("execution_status") or "SUCCESS").upper()
    if status in ("RUNNING", "QUEUED", "BLOCKED", "RESUMING_WAREHOUSE"):
        return None
    elapsed = _number(row.get("total_elapsed_time"))
    rows = _number(row.get("rows_produced"))
    error = row.get("error_message") or (
        f"{status} {row.get('error_code') or ''}".strip() if status != "SUCCESS" else None
    )
    return QueryLogRecord(
        query_id=str(row["query_id"]),
        sql=str(row["query_text"]),
        user=row.get("user_name") or None,
        started_at=parse_time(row["start_time"]),
        duration_ms=elapsed,
        rows=int(rows) if rows is not None else None,
        error=error or None,
        dialect=dialect or "snowflake",
        schema=row.get("schema_name") or None,
    )


def _bigquery(row: dict[str, Any], dialect: str | None) -> QueryLogRecord | None:
    if str(row.get("job_type") or "QUERY").upper() != "QUERY" or not row.get("query"):
        return None
    if str(row.get("state") or "DONE").upper() != "DONE":
        return None
    started = parse_time(row.get("start_time") or row["creation_time"])
    ended = row.get("end_time")
    duration = (parse_time(ended) - started).total_seconds() * 1000 if ended else None
    error = row.get("error_result")
    if isinstance(error, str) and error.strip().startswith("{"):
        error = json.loads(error)
    if isinstance(error, dict):
        error = error.get("message") or error.get("reason") or json.dumps(error)
    dataset = row.get("default_dataset")
    return QueryLogRecord(
        query_id=str(row["job_id"]),
        sql=str(row["query"]),
        user=row.get("user_email") or None,
        started_at=started,
        duration_ms=duration,
        rows=None,
        error=str(error) if error else None,
        dialect=dialect or "bigquery",
        schema=str(dataset.get("dataset_id")) if isinstance(dataset, dict) else (dataset or None),
    )


def _native(row: dict[str, Any], dialect: str | None) -> QueryLogRecord | None:
    rows = _number(row.get("rows"))
    return QueryLogRecord(
        query_id=str(row["query_id"]),
        sql=str(row["sql"]),
        user=row.get("user") or None,
        started_at=parse_time(row["started_at"]),
        duration_ms=_number(row.get("duration_ms")),
        rows=int(rows) if rows is not None else None,
        error=row.get("error") or None,
        dialect=str(row.get("dialect") or dialect or "duckdb"),
        schema=row.get("schema") or None,
        calls=int(_number(row.get("calls")) or 1),
    )


_READERS = {"snowflake": _snowflake, "bigquery": _bigquery, "native": _native}
