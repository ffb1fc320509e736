"""The warehouse contract: what every adapter returns and the protocol it implements.

Nothing here knows about metrics. A warehouse runs SQL, returns rows with timing, lists tables, and
(for a later issue) hands back its own query log as plain ``QueryLogRecord`` values that ``querylog``
turns into usage facts without ever opening a connection.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True)
class Result:
    """The rows of one statement, their column names and types, and how long the warehouse took.

    Attributes:
        columns: Column names in result order.
        rows: One tuple per row, values as the driver returns them (``Decimal``, ``date``, ...).
        elapsed_ms: Wall time of execute + fetch, in milliseconds.
        types: The warehouse's type name of each column (``BIGINT``, ``DECIMAL(18,2)``, ...).
    """

    columns: list[str]
    rows: list[tuple[Any, ...]]
    elapsed_ms: float
    types: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def records(self) -> list[dict[str, Any]]:
        """The rows as dictionaries keyed by column name."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def scalar(self) -> Any:
        """The first value of the first row, or ``None`` when there is no row."""
        return self.rows[0][0] if self.rows and self.rows[0] else None


@dataclass(frozen=True)
class Column:
    """One column of a table: its name and the warehouse's type name."""

    name: str
    type: str


@dataclass(frozen=True)
class Table:
    """A table or view the warehouse holds.

    Attributes:
        schema: Schema (namespace) of the table, e.g. ``main`` or ``raw``.
        name: Table name.
        columns: Columns in table order.
        row_count: Estimated or exact row count when the warehouse knows it cheaply, else ``None``.
    """

    schema: str
    name: str
    columns: tuple[Column, ...]
    row_count: int | None = None

    @property
    def qualified(self) -> str:
        """``schema.name``."""
        return f"{self.schema}.{self.name}"

    def column(self, name: str) -> Column | None:
        """The column called ``name`` (case-insensitive), or ``None``."""
        wanted = name.lower()
        return next((c for c in self.columns if c.name.lower() == wanted), None)


@dataclass(frozen=True)
class QueryLogRecord:
    """One statement from a query log, ours or the warehouse's own; plain data for ``querylog``.

    Attributes:
        query_id: Identifier unique within the log it came from.
        sql: Statement text as executed.
        user: Who ran it, when known.
        started_at: When it started.
        duration_ms: How long it took, when known.
        rows: Rows returned or affected, when known.
        error: The error message when the statement failed, else ``None``.
        dialect: SQL dialect of ``sql`` (sqlglot's name, e.g. ``duckdb``).
        schema: The session's current schema, which unqualified table names belong to, when known.
        calls: How many executions the record stands for: 1 for one statement, more for the
            difference between two snapshots of aggregated statistics (``pg_stat_statements``).
    """

    query_id: str
    sql: str
    user: str | None
    started_at: dt.datetime
    duration_ms: float | None = None
    rows: int | None = None
    error: str | None = None
    dialect: str = "duckdb"
    schema: str | None = None
    calls: int = 1


@runtime_checkable
class Warehouse(Protocol):
    """What the rest of metricmind may ask of a database.

    Adapters are context managers: ``with connect("duckdb", path=...) as wh: wh.run("select 1")``.
    Every failure is raised as ``metricmind.errors.WarehouseError`` with the statement's first line.
    """

    dialect: str

    def run(self, sql: str) -> Result:
        """Run one statement and fetch all its rows."""
        ...

    def arrow(self, sql: str) -> pa.Table:
        """Run one statement and return its rows as a pyarrow Table."""
        ...

    def tables(self, schema: str | None = None) -> list[Table]:
        """Tables and views, optionally only those in ``schema``, sorted by schema and name."""
        ...

    def close(self) -> None:
        """Release the connection; the object cannot be used afterwards."""
        ...

    def __enter__(self) -> Warehouse: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def first_line(sql: str, width: int = 120) -> str:
    """The first non-blank line of ``sql``, shortened to ``width`` characters, for error messages."""
    for line in sql.strip().splitlines():
        if line.strip():
            text = line.strip()
            return text if len(text) <= width else text[: width - 1] + "…"
    return ""
