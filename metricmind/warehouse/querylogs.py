"""Reading warehouses' own query history: PostgreSQL ``pg_stat_statements`` and JSONL/CSV exports.

Nothing here interprets SQL. PostgreSQL hands back cumulative counters per normalized statement
(``StatementStats``); ``querylog.snapshots`` turns two snapshots into per-interval records. Files are
read as they are exported from Snowflake (``ACCOUNT_USAGE.QUERY_HISTORY``), BigQuery
(``INFORMATION_SCHEMA.JOBS``) or in metricmind's own column names; see ``docs/querylog.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
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


MAX_STATEMENT_BYTES = 100_000
"""Longest logged statement (UTF-8 bytes) a log file may hand over; longer ones are skipped and counted."""
DETECT_ROWS = 50
"""How many rows the format detection looks at before it gives up on a file."""
_BOM = b"\xef\xbb\xbf"
_CHUNK = 1 << 16


class LogFile:
    """Query log records from a JSONL or CSV export; iterate it once.

    One bad line never stops a file: a line that is not UTF-8, not JSON, nested too deep, binary (NUL
    characters), too long, or not a record of the format is skipped and counted by reason. The format
    is detected from the first row whose columns name one (up to ``DETECT_ROWS`` rows).

    Args:
        path: The file.
        fmt: ``snowflake``, ``bigquery`` or ``native``; detected from the columns when ``None``.
        dialect: Dialect of the statements (default: the format's warehouse; ``duckdb`` for native).
        max_statement_bytes: Longest statement kept (UTF-8 bytes); longer ones are skipped.

    Attributes:
        skipped: Lines that could not be read, or were not queries (BigQuery load jobs…).
        reasons: ``reason → count`` of the skipped lines (``not_utf8``, ``not_json``, ``too_deep``,
            ``not_object``, ``binary``, ``too_long``, ``bad_record``, ``not_a_query``, ``bad_csv``).
        problems: Up to 20 messages explaining skipped lines, with their line numbers.
    """

    def __init__(
        self,
        path: str | Path,
        fmt: str | None = None,
        dialect: str | None = None,
        *,
        max_statement_bytes: int = MAX_STATEMENT_BYTES,
    ) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise MetricmindError(f"query log file {str(self.path)!r} does not exist")
        if fmt is not None and fmt not in FORMATS:
            raise MetricmindError(
                f"unknown query log format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}"
            )
        self.fmt = fmt
        self.dialect = dialect
        self.max_statement_bytes = int(max_statement_bytes)
        self.skipped = 0
        self.reasons: dict[str, int] = {}
        self.problems: list[str] = []

    def __iter__(self) -> Iterator[QueryLogRecord]:
        waiting: list[tuple[int, dict[str, Any]]] = []
        first_columns: list[str] | None = None
        for line, row in self._rows():
            if self.fmt is None:
                first_columns = first_columns if first_columns is not None else sorted(row)
                self.fmt = _detect(row.keys())
                if self.fmt is None:
                    waiting.append((line, row))
                    if len(waiting) >= DETECT_ROWS:
                        detect_format(first_columns)  # raises, naming the columns it saw
                    continue
                for early in waiting:
                    yield from self._record(*early)
                waiting.clear()
            yield from self._record(line, row)
        if self.fmt is None and waiting:
            detect_format(first_columns or [])

    def _record(self, line: int, row: dict[str, Any]) -> Iterator[QueryLogRecord]:
        assert self.fmt is not None
        try:
            record = _READERS[self.fmt](row, self.dialect)
        except (
            KeyError,
            ValueError,
            TypeError,
            OverflowError,
            AttributeError,
            OSError,
            RecursionError,
        ) as exc:
            self._skip(line, "bad_record", f"{type(exc).__name__}: {exc}")
            return
        if record is None:
            self.skipped += 1
            self.reasons["not_a_query"] = self.reasons.get("not_a_query", 0) + 1
            return
        problem = record_problem(record, self.max_statement_bytes)
        if problem is not None:
            self._skip(line, *problem)
            return
        yield record

    def _rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        with self.path.open("rb") as raw:
            if self.path.suffix.lower() in (".csv", ".tsv"):
                yield from self._csv_rows(raw)
                return
            limit = 4 * self.max_statement_bytes + _CHUNK
            for number, data in _lines(raw, limit):
                if data is None:
                    self._skip(number, "too_long", f"line longer than {limit:,} bytes")
                    continue
                if number == 1 and data.startswith(_BOM):
                    data = data[len(_BOM) :]
                if not data.strip():
                    continue
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError as exc:
                    self._skip(number, "not_utf8", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
                    continue
                try:
                    value = json.loads(text)
                except json.JSONDecodeError as exc:
                    self._skip(number, "not_json", f"not JSON: {exc.msg}")
                    continue
                except ValueError as exc:  # e.g. an integer of more than 4,300 digits
                    self._skip(number, "not_json", f"not readable JSON: {exc}")
                    continue
                except RecursionError:
                    self._skip(number, "too_deep", "JSON nested too deep")
                    continue
                if not isinstance(value, dict):
                    self._skip(number, "not_object", "not a JSON object")
                    continue
                yield number, {str(k).strip().lower(): v for k, v in value.items()}

    def _csv_rows(self, raw: Any) -> Iterator[tuple[int, dict[str, Any]]]:
        handle = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
        reader = csv.DictReader(handle, delimiter="\t" if self.path.suffix.lower() == ".tsv" else ",")
        try:
            if reader.fieldnames is None:
                return
        except csv.Error as exc:
            raise MetricmindError(
                f"cannot read the header of {self.path.name}: {exc}", hint="check that it is a CSV export"
            ) from exc
        start = reader.line_num + 1  # quoted fields may span lines: name a row by its first line
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                reason = "too_long" if "field limit" in str(exc) else "bad_csv"
                self._skip(start, reason, f"unreadable CSV row: {exc}")
                start = reader.line_num + 1
                continue
            yield start, {k.strip().lower(): v for k, v in row.items() if isinstance(k, str)}
            start = reader.line_num + 1

    def _skip(self, line: int, reason: str, message: str) -> None:
        self.skipped += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1
        if len(self.problems) < 20:
            self.problems.append(f"{self.path.name}:{line}: {message}")


def _lines(raw: Any, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """``(number, bytes)`` per line of a binary file; ``None`` for a line longer than ``limit`` (not kept)."""
    number = 0
    while True:
        data = raw.readline(limit + 1)
        if not data:
            return
        number += 1
        if len(data) > limit and not data.endswith(b"\n"):
            while data and not data.endswith(b"\n"):
                data = raw.readline(_CHUNK)
            yield number, None
            continue
        yield number, data


def record_problem(record: QueryLogRecord, max_statement_bytes: int) -> tuple[str, str] | None:
    """``(reason, message)`` when a record cannot be stored as it is, else ``None``.

    Text fields must be UTF-8 without NUL characters (PostgreSQL refuses them, and one would fail a
    whole batch); the statement must not be longer than ``max_statement_bytes``.
    """
    for name in ("sql", "query_id", "user", "error", "schema", "dialect"):
        value = getattr(record, name)
        if not isinstance(value, str):
            continue
        if "\x00" in value:
            return "binary", f"{name} holds binary data (NUL characters)"
        try:
            size = len(value.encode("utf-8"))
        except UnicodeEncodeError:
            return "not_utf8", f"{name} is not UTF-8 text"
        if name == "sql" and size > max_statement_bytes:
            return "too_long", f"statement of {size:,} bytes (at most {max_statement_bytes:,})"
    return None


def _detect(columns: Any) -> str | None:
    names = {str(c).lower() for c in columns}
    if "query_text" in names:
        return "snowflake"
    if "job_id" in names and "query" in names:
        return "bigquery"
    if "sql" in names:
        return "native"
    return None


def detect_format(columns: Any) -> str:
    """``snowflake`` (QUERY_TEXT), ``bigquery`` (job_id + query) or ``native`` (sql)."""
    found = _detect(columns)
    if found is not None:
        return found
    names = {str(c).lower() for c in columns}
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
