"""PostgreSQL through psycopg 3: the tested server warehouse.

Connections are opened per adapter and used from one thread at a time (a lock guards the connection).
Statements run in autocommit mode: metric queries are reads, and build steps (``execute``) are explicit.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import Any

import psycopg
import psycopg.sql

from metricmind.errors import WarehouseError
from metricmind.warehouse.base import Column, Result, Table, first_line

_TABLES_SQL = """
select c.table_schema, c.table_name, c.column_name, c.data_type, s.n_live_tup
from information_schema.columns c
left join pg_stat_user_tables s on s.schemaname = c.table_schema and s.relname = c.table_name
where c.table_schema not in ('pg_catalog', 'information_schema') and (%(schema)s::text is null or c.table_schema = %(schema)s::text)
order by c.table_schema, c.table_name, c.ordinal_position
"""


class PostgresWarehouse:
    """A PostgreSQL database behind the ``Warehouse`` protocol.

    Args:
        dsn: A libpq connection string or URL (``postgresql://user@host:port/db``).
        connect_timeout: Seconds to wait for the server.
        read_only: Every transaction of the session is read-only (``default_transaction_read_only``):
            how metric queries run. Build steps (``execute``) pass ``False``.
        role: ``SET ROLE`` to this role after connecting: a role that may only read the project's
            schemas (see docs/security.md).

    Raises:
        WarehouseError: The server cannot be reached or refused the login.
    """

    dialect = "postgres"

    def __init__(
        self,
        dsn: str | None = None,
        *,
        connect_timeout: int = 10,
        read_only: bool = False,
        role: str | None = None,
        **_: Any,
    ) -> None:
        if not dsn:
            raise WarehouseError(
                "no PostgreSQL connection string", hint="Set warehouse.dsn in metricmind.yml."
            )
        self.dsn = dsn
        self.read_only = read_only
        options: dict[str, Any] = {"options": "-c default_transaction_read_only=on"} if read_only else {}
        try:
            self._con: psycopg.Connection[Any] | None = psycopg.connect(
                dsn, autocommit=True, connect_timeout=connect_timeout, **options
            )
            if role:
                self._con.execute(psycopg.sql.SQL("SET ROLE {}").format(psycopg.sql.Identifier(role)))
        except psycopg.Error as exc:
            raise WarehouseError(
                f"cannot connect to PostgreSQL: {str(exc).strip().splitlines()[0]}",
                hint="Check warehouse.dsn (and warehouse.role), that the server runs, and the credentials.",
            ) from exc
        self._lock = threading.Lock()

    def _connection(self) -> psycopg.Connection[Any]:
        if self._con is None:
            raise WarehouseError("the PostgreSQL connection is closed")
        return self._con

    def run(self, sql: str) -> Result:
        """Run one statement and fetch its rows (with column names, type names and timing)."""
        with self._lock:
            start = time.perf_counter()
            try:
                with self._connection().cursor() as cur:
                    cur.execute(sql.encode())
                    description = cur.description or []
                    rows = [tuple(r) for r in cur.fetchall()] if description else []
            except psycopg.Error as exc:
                raise WarehouseError(
                    f"PostgreSQL failed: {str(exc).strip().splitlines()[0]} (in: {first_line(sql)})"
                ) from exc
            elapsed = (time.perf_counter() - start) * 1000
        types = [_type_name(d.type_code) for d in description]
        return Result([d.name for d in description], rows, elapsed, types)

    def arrow(self, sql: str) -> Any:
        """The rows as a pyarrow Table."""
        import pyarrow as pa

        result = self.run(sql)
        return (
            pa.Table.from_pylist(result.records())
            if result.rows
            else pa.table({c: [] for c in result.columns})
        )

    def execute(self, sql: str) -> float:
        """Run a statement for its effect (build steps); returns elapsed milliseconds."""
        return self.run(sql).elapsed_ms

    def tables(self, schema: str | None = None) -> list[Table]:
        """Tables and views with their columns, outside the system schemas."""
        with self._lock:
            try:
                with self._connection().cursor() as cur:
                    cur.execute(_TABLES_SQL, {"schema": schema})
                    rows = cur.fetchall()
            except psycopg.Error as exc:
                raise WarehouseError(f"cannot list PostgreSQL tables: {exc}") from exc
        out: dict[tuple[str, str], list[Any]] = {}
        for table_schema, table_name, column, dtype, count in rows:
            entry = out.setdefault((table_schema, table_name), [[], count])
            entry[0].append(Column(column, str(dtype).upper()))
        return [
            Table(s, n, tuple(cols), int(count) if count is not None else None)
            for (s, n), (cols, count) in sorted(out.items())
        ]

    def close(self) -> None:
        """Close the connection."""
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> PostgresWarehouse:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


_TYPES = {
    16: "BOOLEAN",
    20: "BIGINT",
    21: "SMALLINT",
    23: "INTEGER",
    25: "TEXT",
    700: "REAL",
    701: "DOUBLE PRECISION",
    1043: "VARCHAR",
    1082: "DATE",
    1114: "TIMESTAMP",
    1184: "TIMESTAMPTZ",
    1700: "NUMERIC",
}


def _type_name(oid: int) -> str:
    return _TYPES.get(oid, str(oid))
