"""DuckDB in-process: the default warehouse and the demo's.

DuckDB allows one writing process, and a writer locks even readers in other processes out, so everything
operational (web, MCP, CLI) opens the file read-only and only build steps pass ``read_only=False``. Inside
one process a file can be open with one configuration at a time: close the writer before reading.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import duckdb

from metricmind.errors import WarehouseError
from metricmind.warehouse.base import Column, Result, Table, first_line

if TYPE_CHECKING:
    import pyarrow as pa

MEMORY = ":memory:"

#: Settings of every query connection (read-only files): no file system, network or extension access
#: beyond the database file itself, and a configuration that statements cannot change.
SANDBOX: dict[str, Any] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}

_TABLES_SQL = """
select schema_name, table_name, estimated_size::bigint as row_count
from duckdb_tables() where database_name = current_database() and not internal and not temporary
union all
select schema_name, view_name, null::bigint
from duckdb_views() where database_name = current_database() and not internal and not temporary
order by 1, 2
"""

_COLUMNS_SQL = """
select schema_name, table_name, column_name, data_type
from duckdb_columns() where database_name = current_database() and not internal
order by schema_name, table_name, column_index
"""


def quote(identifier: str) -> str:
    """``identifier`` as a DuckDB quoted identifier."""
    return '"' + identifier.replace('"', '""') + '"'


class DuckDBWarehouse:
    """A DuckDB database file (or ``:memory:``) behind the ``Warehouse`` protocol.

    Args:
        path: Database file, or ``":memory:"`` for a private in-memory database (always writable).
        read_only: Open the file read-only (the default); build steps pass ``False``.
        threads: DuckDB worker threads; ``None`` keeps DuckDB's default (all cores).
        sandbox: Apply :data:`SANDBOX` (no external file, network or extension access; locked
            configuration). Default: on for read-only connections, which is how every query runs.

    Raises:
        WarehouseError: The file is missing (read-only), locked by a writer, or not a DuckDB file.
    """

    dialect = "duckdb"

    def __init__(
        self,
        path: str | os.PathLike[str] = MEMORY,
        read_only: bool = True,
        *,
        threads: int | None = None,
        sandbox: bool | None = None,
    ) -> None:
        self.path = str(path)
        self.read_only = read_only and self.path != MEMORY
        if self.path != MEMORY:
            file = Path(self.path)
            if self.read_only and not file.exists():
                raise WarehouseError(
                    f"DuckDB file '{self.path}' does not exist.",
                    hint="Build it first (`metricmind demo`, or `dbt build`), or fix warehouse.path.",
                )
            if not self.read_only:
                file.parent.mkdir(parents=True, exist_ok=True)
        self.sandboxed = self.read_only if sandbox is None else sandbox
        config: dict[str, Any] = dict(SANDBOX) if self.sandboxed else {}
        if threads is not None:
            config["threads"] = threads
        try:
            self._con: duckdb.DuckDBPyConnection | None = duckdb.connect(
                self.path, read_only=self.read_only, config=config
            )
        except duckdb.IOException as exc:
            raise WarehouseError(
                f"cannot open DuckDB file '{self.path}': {_first(exc)}", hint=_lock_hint(exc)
            ) from exc
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot open DuckDB file '{self.path}': {_first(exc)}") from exc
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        return f"DuckDBWarehouse({self.path!r}, {mode})"

    # -- the Warehouse protocol -------------------------------------------------------------------------

    def run(self, sql: str) -> Result:
        """Run one statement and fetch all its rows.

        Args:
            sql: One DuckDB statement.

        Returns:
            The rows, column names and DuckDB type names, and the elapsed time (execute + fetch).

        Raises:
            WarehouseError: DuckDB refused or failed the statement.
        """
        with self._cursor(sql) as cur:
            start = time.perf_counter()
            cur.execute(sql)
            description = cur.description or []
            rows = [tuple(r) for r in cur.fetchall()] if description else []
            elapsed = (time.perf_counter() - start) * 1000
        return Result(
            columns=[d[0] for d in description],
            rows=rows,
            elapsed_ms=elapsed,
            types=[str(d[1]) for d in description],
        )

    def arrow(self, sql: str) -> pa.Table:
        """Run one query and return its rows as a pyarrow Table (needs ``pyarrow`` installed).

        Raises:
            WarehouseError: DuckDB failed, or (DuckDB before 2.0) the statement has no result set.
        """
        with self._cursor(sql) as cur:
            relation = cur.sql(sql)
            if relation is None:
                raise WarehouseError(
                    f"the statement returned no result set: {first_line(sql)}",
                    hint="arrow() is for queries; run statements with execute() or run().",
                )
            table: pa.Table = relation.to_arrow_table()
        return table

    def tables(self, schema: str | None = None) -> list[Table]:
        """Tables and views of this database, optionally only those in ``schema``.

        ``row_count`` is DuckDB's estimate for tables (exact after a bulk load) and ``None`` for views.
        """
        listed = self.run(_TABLES_SQL).rows
        columns: dict[tuple[str, str], list[Column]] = {}
        for schema_name, table_name, column_name, data_type in self.run(_COLUMNS_SQL).rows:
            columns.setdefault((schema_name, table_name), []).append(Column(column_name, data_type))
        return [
            Table(s, n, tuple(columns.get((s, n), [])), None if count is None else int(count))
            for s, n, count in listed
            if schema is None or s == schema
        ]

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None

    def __enter__(self) -> DuckDBWarehouse:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- write helpers for build steps --------------------------------------------------------------------

    def execute(self, sql: str) -> float:
        """Run a statement that writes (DDL, ``create table as``), and return its elapsed milliseconds.

        Raises:
            WarehouseError: The warehouse is read-only, or DuckDB failed the statement.
        """
        self._require_writable(sql)
        with self._cursor(sql) as cur:
            start = time.perf_counter()
            cur.execute(sql)
            return (time.perf_counter() - start) * 1000

    def load_arrow(self, schema: str, name: str, table: pa.Table, *, append: bool = False) -> float:
        """Write a pyarrow Table as ``schema.name``, replacing it (or appending to it) in one statement.

        Args:
            schema: Target schema; created when missing.
            name: Target table name.
            table: The rows to write; column names and Arrow types become the table's.
            append: Insert into the existing table instead of replacing it.

        Returns:
            Elapsed milliseconds.

        Raises:
            WarehouseError: Read-only warehouse, or DuckDB failed the load.
        """
        target = f"{quote(schema)}.{quote(name)}"
        verb = f"insert into {target} by name" if append else f"create or replace table {target} as"
        self._require_writable(f"load {target}")
        view = f"__metricmind_load_{threading.get_ident()}"
        with self._cursor(f"load into {target}") as cur:
            start = time.perf_counter()
            cur.execute(f"create schema if not exists {quote(schema)}")
            cur.register(view, table)
            try:
                cur.execute(f"{verb} select * from {quote(view)}")
            finally:
                cur.unregister(view)
            return (time.perf_counter() - start) * 1000

    # -- internals --------------------------------------------------------------------------------------

    def _require_writable(self, what: str) -> None:
        if self.read_only:
            raise WarehouseError(
                f"cannot write to '{self.path}', it is open read-only: {first_line(what)}",
                hint="Only build steps write; open with DuckDBWarehouse(path, read_only=False).",
            )

    @contextmanager
    def _cursor(self, sql: str) -> Iterator[duckdb.DuckDBPyConnection]:
        """A private cursor (DuckDB connections are not shared across threads); errors → WarehouseError."""
        with self._lock:
            if self._con is None:
                raise WarehouseError(f"the warehouse '{self.path}' is closed.", hint="Open a new connection.")
            cur = self._con.cursor()
        try:
            yield cur
        except duckdb.Error as exc:
            raise WarehouseError(
                f"DuckDB failed: {_first(exc)} — in: {first_line(sql)}", hint=_lock_hint(exc)
            ) from exc
        finally:
            cur.close()


def _first(exc: BaseException) -> str:
    """The first line of a DuckDB error (its messages carry a caret drawing after a blank line)."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _lock_hint(exc: BaseException) -> str | None:
    text = str(exc).lower()
    if "lock" in text:
        return "Another process is writing this DuckDB file (a demo or dbt build?); wait for it to finish."
    if "read-only" in text or "read only" in text:
        return "The warehouse is open read-only; only build steps write."
    return None
