"""Apache Spark through PySpark: Spark Connect (``sc://host:port``) or an in-process local session.

Teams reach a Spark cluster through Spark Connect, a gRPC endpoint (``start-connect-server.sh``, or a
Databricks cluster); ``SparkWarehouse("sc://spark.internal:15002")`` opens a session of its own on it.
A ``local[N]`` master starts Spark inside this process instead (it needs Java), for a laptop.

Spark has no read-only session: whoever may connect may also write. metricmind only ever sends the
SELECTs it compiles, and ``read_only=True`` (how projects open it) refuses any other statement before
it reaches Spark; grant the Connect endpoint's user read access only where the cluster supports it.
"""

from __future__ import annotations

import hashlib
import logging
import re
import socket
import threading
import time
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from pyspark.errors import PySparkException
from pyspark.sql import SparkSession
from sqlglot import exp

from metricmind.errors import WarehouseError
from metricmind.warehouse.base import Column, Result, Table, first_line

#: The first keyword of statements that only read.
_READS = re.compile(r"^\s*(?:\(\s*)*(select|with|show|describe|desc|explain|values|table)\b", re.IGNORECASE)
_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)

# The Connect client logs every failed statement with the server's JVM stack trace; the adapter
# raises it as a WarehouseError (message and hint) instead.
logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)


class SparkWarehouse:
    """A Spark session behind the ``Warehouse`` protocol.

    Args:
        dsn: ``sc://host:port[/;param=value…]`` for Spark Connect, or a master such as ``local[2]``.
        url: The same as ``dsn`` (the name ``metricmind.yml`` uses: ``warehouse.url``).
        read_only: Refuse every statement that is not a read (Spark itself cannot enforce it).
        conf: Spark settings for the session (``spark.sql.session.timeZone``: ``UTC`` by default).
        schema: The current schema (``USE schema``) for unqualified table names.
        connect_timeout: Seconds to wait for the Spark Connect server's port.

    Raises:
        WarehouseError: No URL, the endpoint cannot be reached, or Java is missing for ``local``.
    """

    dialect = "spark"

    def __init__(
        self,
        dsn: str | None = None,
        *,
        url: str | None = None,
        read_only: bool = False,
        conf: dict[str, str] | None = None,
        schema: str | None = None,
        connect_timeout: float = 10.0,
        **_: Any,
    ) -> None:
        target = (url or dsn or "").strip()
        if not target:
            raise WarehouseError(
                "no Spark URL",
                hint="Set warehouse.url in metricmind.yml: sc://host:15002 (Spark Connect) or local[2].",
            )
        self.url = target
        self.read_only = read_only
        settings = {"spark.sql.session.timeZone": "UTC", **(conf or {})}
        self._owned = target.startswith("sc://")
        try:
            if self._owned:
                _probe(target, connect_timeout)  # the client would retry for minutes before failing
                session = SparkSession.builder.remote(target).create()
                for key, value in settings.items():
                    session.conf.set(key, value)
            else:
                builder = SparkSession.builder.master(target).appName("metricmind")
                for key, value in settings.items():
                    builder = builder.config(key, value)
                session = builder.getOrCreate()
            if schema:
                session.sql(f"USE `{schema.replace('`', '``')}`").collect()
        except Exception as exc:  # gRPC, py4j and Java start-up failures share no base class
            raise WarehouseError(
                f"cannot connect to Spark at {_redact(target)}: {_first(exc)}",
                hint="Check warehouse.url (sc://host:15002 for Spark Connect), that the server runs, "
                "and for local[N] that Java 17+ is installed (java -version).",
            ) from exc
        self._session: SparkSession | None = session
        self._lock = threading.Lock()
        self._versioned: dict[str, bool] = {}

    def _spark(self) -> SparkSession:
        if self._session is None:
            raise WarehouseError("the Spark session is closed", hint="Open a new warehouse connection.")
        return self._session

    def _check(self, sql: str) -> None:
        if self.read_only and not _READS.match(_COMMENTS.sub(" ", sql)):
            raise WarehouseError(
                f"refused a statement that is not a read on a read-only Spark session (in: {first_line(sql)})",
                hint="Metric queries only SELECT; open the warehouse with read_only=False for build steps.",
            )

    def run(self, sql: str) -> Result:
        """Run one statement and fetch its rows (with column names, Spark type names and timing)."""
        self._check(sql)
        with self._lock:
            start = time.perf_counter()
            try:
                frame = self._spark().sql(sql)
                rows = [tuple(row) for row in frame.collect()]
                fields = frame.schema.fields
            except PySparkException as exc:
                raise WarehouseError(
                    f"Spark failed: {_first(exc)} (in: {first_line(sql)})",
                    hint=_hint(exc),
                ) from exc
            except Exception as exc:  # the gRPC channel or the JVM went away
                raise WarehouseError(
                    f"lost the Spark session at {_redact(self.url)}: {_first(exc)} (in: {first_line(sql)})",
                    hint="Check that the Spark Connect server still runs; reconnect.",
                ) from exc
            elapsed = (time.perf_counter() - start) * 1000
        return Result(
            [f.name for f in fields], rows, elapsed, [f.dataType.simpleString().upper() for f in fields]
        )

    def arrow(self, sql: str) -> Any:
        """The rows as a pyarrow Table (Spark hands over Arrow batches itself)."""
        self._check(sql)
        with self._lock:
            try:
                return self._spark().sql(sql).toArrow()
            except PySparkException as exc:
                raise WarehouseError(
                    f"Spark failed: {_first(exc)} (in: {first_line(sql)})", hint=_hint(exc)
                ) from exc

    def data_version(self, tables: Sequence[str], *, exact: bool = False) -> str | None:
        """A token that changes whenever any of ``tables`` changes, or None when one cannot be versioned.

        By default the files this session reads the tables from (``DataFrame.inputFiles``: Spark's own
        listing, answered by the driver with no job): every write through Spark, Delta or Iceberg adds or
        replaces files under new names, so it gives another token. ``exact`` also reads each file's size
        and modification time and each table's row count (the hidden ``_metadata`` column, one job over
        every table): it notices a file rewritten in place under the same name, at the cost of a scan of
        the files' footers. A table that is not file-based (a view over JDBC, a temporary view of local
        rows) has no files: None (nothing is cached or rolled up).
        """
        names = sorted(set(tables))
        if not names:
            return None
        try:
            if exact:
                listing = repr(sorted(self.run(version_sql(names)).rows))
            else:
                if not self._file_based(names):
                    return None
                listing = repr(sorted(self._files(names)))
        except (WarehouseError, PySparkException):
            return None
        return f"spark{':exact' if exact else ''}:{hashlib.sha256(listing.encode()).hexdigest()[:32]}"

    def _files(self, tables: Sequence[str]) -> list[str]:
        """The files of ``tables`` as this session's plans read them (one driver call)."""
        sql = " UNION ALL ".join(f"SELECT 1 AS x FROM {_relation(t)}" for t in tables)
        with self._lock:
            try:
                return list(self._spark().sql(sql).inputFiles())
            except PySparkException:
                raise
            except Exception as exc:  # the gRPC channel or the JVM went away
                raise WarehouseError(f"lost the Spark session at {_redact(self.url)}: {_first(exc)}") from exc

    def _file_based(self, tables: Sequence[str]) -> bool:
        """Whether every table reads files (checked once per table and session: a table with none, or
        not file-based, cannot be versioned by its listing).
        """
        for name in tables:
            if name not in self._versioned:
                self._versioned[name] = bool(self._files([name]))
            if not self._versioned[name]:
                return False
        return True

    def execute(self, sql: str) -> float:
        """Run a statement for its effect (loading tables); returns elapsed milliseconds."""
        return self.run(sql).elapsed_ms

    def tables(self, schema: str | None = None) -> list[Table]:
        """Tables and views of the session catalog (temporary views excluded), with their columns."""
        with self._lock:
            spark = self._spark()
            try:
                schemas = [schema] if schema else sorted(d.name for d in spark.catalog.listDatabases())
                out: list[Table] = []
                for name in schemas:
                    for table in spark.catalog.listTables(name):
                        if table.isTemporary:
                            continue
                        columns = spark.catalog.listColumns(f"`{name}`.`{table.name}`")
                        out.append(
                            Table(
                                name, table.name, tuple(Column(c.name, c.dataType.upper()) for c in columns)
                            )
                        )
            except PySparkException as exc:
                raise WarehouseError(
                    f"cannot list Spark tables{f' of schema {schema!r}' if schema else ''}: {_first(exc)}",
                    hint="Check that the schema exists: SHOW SCHEMAS.",
                ) from exc
        return sorted(out, key=lambda t: (t.schema, t.name))

    def close(self) -> None:
        """End the Spark Connect session (a local session stays up for the rest of the process)."""
        if self._session is not None:
            if self._owned:
                try:
                    self._session.stop()
                except Exception:  # a server already gone has nothing left to release
                    pass
            self._session = None

    def __enter__(self) -> SparkWarehouse:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def version_sql(tables: Sequence[str]) -> str:
    """One query: per table (a relation name of the project, parsed and re-quoted), its row count and
    the digest of its files' path, size and modification time.
    """
    files = (
        "sha2(concat_ws(',', sort_array(collect_set(concat_ws('|', _metadata.file_path, "
        "CAST(_metadata.file_size AS STRING), CAST(_metadata.file_modification_time AS STRING))))), 256)"
    )
    parts = []
    for name in sorted(set(tables)):
        relation = _relation(name)
        label = exp.Literal.string(name).sql(dialect="spark")
        parts.append(f"SELECT {label} AS t, COUNT(*) AS n, {files} AS f FROM {relation}")
    return " UNION ALL ".join(parts)


def _relation(name: str) -> str:
    """A project's relation name (``schema.table``) parsed and quoted for Spark."""
    return exp.to_table(name, dialect="spark").sql(dialect="spark", identify=True)


def _probe(url: str, timeout: float) -> None:
    """Open and close a TCP connection to the host and port of ``sc://host[:port]/…`` (default 15002)."""
    match = re.match(r"sc://(\[[^\]]+\]|[^:/]+)(?::(\d+))?", url)
    if match is None:
        raise ValueError("not an sc://host:port URL")
    host = match.group(1).strip("[]")
    with socket.create_connection((host, int(match.group(2) or 15002)), timeout=timeout):
        pass


def _first(exc: BaseException) -> str:
    """The first line of Spark's message, without the JVM stack trace."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _hint(exc: BaseException) -> str:
    condition = getattr(exc, "getCondition", lambda: None)() or ""
    if "NOT_FOUND" in condition or "UNRESOLVED" in condition:
        return "Check the table and column names (SHOW TABLES IN <schema>) and the model's node_relation."
    if "PARSE" in condition or "SYNTAX" in condition:
        return "The SQL does not parse as Spark SQL: compile with --dialect spark."
    return "Check the statement against Spark SQL and the Connect server's log."


def _redact(url: str) -> str:
    """``url`` without a ``token=`` parameter's value."""
    return re.sub(r"(token=)[^;/]*", r"\1***", url, flags=re.IGNORECASE)
