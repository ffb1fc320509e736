"""A throwaway PostgreSQL server from the Debian packages, for tests and benchmarks.

``PostgresServer`` runs ``initdb`` into a temporary directory and starts ``postgres`` on a free
loopback port with ``pg_stat_statements`` preloaded. Under root the server runs as the ``postgres``
system user (PostgreSQL refuses to run as root). Used by the test fixture ``postgres_url``.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType


def find_bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<v>/bin`` with ``initdb``, or ``$PG_BINDIR``."""
    env = os.environ.get("PG_BINDIR")
    if env and (Path(env) / "initdb").exists():
        return Path(env)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """Start with ``with PostgresServer() as pg: pg.url`` (a ``postgresql://`` URL to database ``test``)."""

    def __init__(self, bindir: Path | None = None, database: str = "test") -> None:
        found = bindir or find_bindir()
        if found is None:
            raise RuntimeError("PostgreSQL server binaries not found; apt-get install postgresql")
        self.bindir = found
        self.database = database
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="metricmind-pg-"))
        self.datadir = self.root / "data"
        self.as_postgres = os.geteuid() == 0

    @property
    def url(self) -> str:
        """SQLAlchemy/psycopg URL of the test database."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{self.database}"

    def dsn(self, database: str | None = None) -> str:
        """A libpq connection string."""
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database or self.database}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = list(args)
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True)

    def start(self) -> PostgresServer:
        """initdb, start, wait until it accepts connections, create the database."""
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.datadir),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
        )
        opts = (
            f"-h 127.0.0.1 -p {self.port} -k {self.root} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c shared_preload_libraries=pg_stat_statements -c max_connections=50"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.datadir),
            "-o",
            opts,
            "-l",
            str(self.root / "log"),
            "-w",
            "start",
        )
        deadline = time.monotonic() + 30
        while True:
            done = self._run(
                str(self.bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), check=False
            )
            if done.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not start: {(self.root / 'log').read_text()}")
            time.sleep(0.1)
        self.psql("postgres", f"CREATE DATABASE {self.database}")
        return self

    def psql(self, database: str, sql: str) -> str:
        """Run SQL through ``psql`` and return its output."""
        done = self._run(
            str(self.bindir / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
            "-v", "ON_ERROR_STOP=1", "-At", "-c", sql,
        )  # fmt: skip
        return done.stdout

    def stop(self) -> None:
        """Stop the server and remove its files."""
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "stop", check=False
        )
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _pg_type(duckdb_type: str) -> str:
    """The PostgreSQL column type for a DuckDB one (the types the sample warehouses use)."""
    t = duckdb_type.upper()
    if t.startswith("DECIMAL"):
        return t.replace("DECIMAL", "numeric")
    return {
        "VARCHAR": "text",
        "INTEGER": "integer",
        "BIGINT": "bigint",
        "HUGEINT": "numeric(38,0)",
        "SMALLINT": "smallint",
        "DOUBLE": "double precision",
        "FLOAT": "real",
        "BOOLEAN": "boolean",
        "DATE": "date",
        "TIMESTAMP": "timestamp",
        "TIMESTAMP WITH TIME ZONE": "timestamptz",
    }.get(t, "text")


def copy_duckdb_to_postgres(
    duckdb_path: Path, dsn: str, schemas: tuple[str, ...] | None = ("main",), *, views: bool = False
) -> list[str]:
    """Copy every table of ``schemas`` (None: every schema) from a DuckDB file into the PostgreSQL database
    at ``dsn``, with the same schema, table and column names and matching types; with ``views``, views
    are copied too, as tables of their rows. Returns the tables copied.
    """
    import duckdb
    import psycopg

    copied: list[str] = []
    source = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        with psycopg.connect(dsn, autocommit=True) as target:
            tables = source.execute(
                "select table_schema, table_name, table_type from information_schema.tables "
                "where table_catalog = current_database() order by 1, 2"
            ).fetchall()
            for schema, name, kind in tables:
                if (schemas is not None and schema not in schemas) or (kind != "BASE TABLE" and not views):
                    continue
                columns = source.execute(f'describe "{schema}"."{name}"').fetchall()
                ddl = ", ".join(f'"{c[0]}" {_pg_type(str(c[1]))}' for c in columns)
                target.execute(f'create schema if not exists "{schema}"')
                target.execute(f'create table "{schema}"."{name}" ({ddl})')
                names = ", ".join(f'"{c[0]}"' for c in columns)
                rows = source.execute(f'select {names} from "{schema}"."{name}"').fetchall()
                with (
                    target.cursor() as cur,
                    cur.copy(f'copy "{schema}"."{name}" ({names}) from stdin') as copy,
                ):
                    for row in rows:
                        copy.write_row(row)
                target.execute(f'analyze "{schema}"."{name}"')
                copied.append(f"{schema}.{name}")
    finally:
        source.close()
    return copied
