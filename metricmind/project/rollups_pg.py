"""Rollups in a PostgreSQL warehouse: schema-qualified tables (or views) in a schema the learner owns.

The nightly builder connects with the warehouse's login in a read-write session (queries keep their
read-only session, as the reader role when ``warehouse.role`` is set, which is granted ``SELECT`` on
each rollup), creates ``learn.rollups_schema`` (default ``metricmind_rollups``) and keeps there:

* ``versions``: a counter per tracked source table, bumped by a statement-level trigger on the table
  in the writing transaction (:mod:`metricmind.learn.rollup_sql`);
* ``r_<shape>_<generation>``: one table (or view) per rollup.

A table is built with ``CREATE TABLE … AS`` its source query inside a ``REPEATABLE READ`` transaction
that also reads the sources' versions, so the recorded version is exactly the data the table holds.
An incremental rollup is refreshed in place (its newest days deleted and recomputed) in the same kind
of transaction. Readers compare the recorded versions with the current ones (one catalog query per
change of the WAL position) and never read a rollup whose sources moved. A view reads the live data,
so only its definition's fingerprint matters. Rollups no longer wanted are dropped after the manifest
no longer names them, with the triggers of tables no rollup reads any more.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from metricmind.errors import MetricmindError
from metricmind.learn import rollup_sql as q
from metricmind.learn.rollup import Rollup
from metricmind.project.rollups_server import schema_of
from metricmind.warehouse.base import Warehouse
from metricmind.warehouse.registry import connect

if TYPE_CHECKING:
    from metricmind.project.core import Project

log = logging.getLogger(__name__)


def default_schema(project: Project) -> str:
    """The schema unqualified table names of the compiled SQL belong to."""
    return str(project.setting("warehouse.schema") or "public")


def sources_of(rollup: Rollup) -> list[tuple[str, str]]:
    """The source tables a PostgreSQL rollup recorded."""
    return [(str(s), str(n)) for s, n in rollup.extra.get("sources") or []]


def writer(project: Project) -> Warehouse:
    """A read-write session on the warehouse (the learner's own)."""
    dsn = project.setting("warehouse.dsn")
    return connect("postgres", dsn=dsn, read_only=False)


def tokens(
    wh: Warehouse, schema: str, sources: Sequence[tuple[str, str]]
) -> dict[str, tuple[str, str | None]]:
    """``"schema"."name"`` → (relkind, version token or None when untracked) for each source."""
    if not sources:
        return {}
    rows = wh.run(q.versions_query(schema, sources)).rows
    return {str(r[0]): (str(r[1] or ""), None if r[2] is None else str(r[2])) for r in rows}


def version(found: dict[str, tuple[str, str | None]], sources: Iterable[tuple[str, str]]) -> str | None:
    """A rollup's data version from :func:`tokens`."""
    return q.version_of({k: v[1] for k, v in found.items()}, sources)


class Versions:
    """The current data versions of PostgreSQL rollups, re-read only when the WAL position moved."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: str | None = None
        self._found: dict[str, tuple[str, str | None]] = {}

    def current(self, project: Project, rollups: Sequence[Rollup], wal: str | None) -> dict[str, str | None]:
        """Each rollup's (by table name) current data version; ``wal`` is the warehouse's WAL position
        read before (every commit moves it, so an unchanged one means unchanged versions).
        """
        sources = sorted({s for r in rollups for s in sources_of(r)})
        key = f"{wal}|{sources}"
        with self._lock:
            if wal is None or key != self._key:
                schema = schema_of(project)
                try:
                    self._found = tokens(project.warehouse, schema, sources)
                except MetricmindError as exc:
                    log.info("cannot read the rollups' source versions: %s", exc)
                    self._found = {}
                self._key = key if wal is not None else None
            found = self._found
        return {r.table: version(found, sources_of(r)) for r in rollups}


class PostgresBuilder:
    """One night's build in a PostgreSQL warehouse (a :class:`~metricmind.project.rollups_server.Builder`;
    use as a context manager).
    """

    dialect = "postgres"
    incremental = True

    def __init__(self, project: Project, generation: str) -> None:
        self.project = project
        self.schema = schema_of(project)
        self.generation = generation
        self.role = project.setting("warehouse.role")
        self.wh = writer(project)
        try:
            for statement in q.setup(self.schema):
                self.wh.run(statement)
            if self.role:
                for statement in q.grant_read(self.schema, q.VERSIONS, str(self.role)):
                    self.wh.run(statement)
        except MetricmindError:
            self.wh.close()
            raise

    def __enter__(self) -> PostgresBuilder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.wh.close()

    def sources(self, source_sql: str) -> list[tuple[str, str]]:
        """The tables the source query reads."""
        return q.source_tables(source_sql, default_schema(self.project))

    def trackable(self, sources: Sequence[tuple[str, str]]) -> bool:
        """Whether every source is a table (a view's changes cannot be tracked)."""
        found = tokens(self.wh, self.schema, sources)
        return all(kind in ("r", "p") for kind, _ in found.values()) and len(found) == len(sources)

    def prepare(self, sources: Sequence[tuple[str, str]]) -> None:
        """Put the version trigger on every source before a table is built from them."""
        self.current(sources, track=True)

    def current(self, sources: Sequence[tuple[str, str]], track: bool) -> str | None:
        """The sources' data version now; ``track`` puts the version trigger on untracked tables.

        Raises:
            MetricmindError: a source is not a table (a view's changes cannot be tracked) or is missing.
        """
        found = tokens(self.wh, self.schema, sources)
        for (s, n), key in zip(sources, (f"{q.ident(s)}.{q.ident(n)}" for s, n in sources), strict=True):
            kind, token = found.get(key, ("", None))
            if kind not in ("r", "p"):
                raise MetricmindError(
                    f"the rollup source {s}.{n} is not a table (its changes cannot be tracked)",
                    hint="Rollups of views are kept as views only.",
                )
            if token is None and track:
                for statement in q.track(self.schema, (s, n)):
                    self.wh.run(statement)
        return version(tokens(self.wh, self.schema, sources), sources) if track else version(found, sources)

    def _transaction(self, statements: Sequence[str], sources: Sequence[tuple[str, str]]) -> str | None:
        """Run ``statements`` in one REPEATABLE READ transaction; the sources' version in its snapshot."""
        self.wh.run("BEGIN ISOLATION LEVEL REPEATABLE READ")
        try:
            now = version(tokens(self.wh, self.schema, sources), sources)
            for statement in statements:
                self.wh.run(statement)
            self.wh.run("COMMIT")
        except BaseException:
            try:
                self.wh.run("ROLLBACK")
            except MetricmindError:
                pass
            raise
        return now

    def create(self, kind: str, name: str, source: str, sources: Sequence[tuple[str, str]]) -> str | None:
        """Make table or view ``name`` of ``source``; the data version it holds (a view: None)."""
        obj = "view" if kind == "view" else "table"
        statements = [q.drop(obj, self.schema, name), q.create_as(obj, self.schema, name, source)]
        if self.role:
            statements += q.grant_read(self.schema, name, str(self.role))[1:]
        if obj == "view":
            for statement in statements:
                self.wh.run(statement)
            if self.role:
                self.wh.run(q.grant_read(self.schema, name, str(self.role))[0])
            return None
        return self._transaction(statements, sources)

    def refresh(self, name: str, source: str, day: str, sources: Sequence[tuple[str, str]]) -> str | None:
        """Recompute the days of incremental rollup ``name`` from a week before its newest day."""
        newest = self.wh.run(f"SELECT MAX({q.ident(day)}) FROM {q.table(self.schema, name)}").scalar()
        if newest is None:
            return self.create("table", name, source, sources)
        import datetime as dt

        cut = (dt.date.fromisoformat(str(newest)[:10]) - dt.timedelta(days=7)).isoformat()
        return self._transaction(q.refresh(self.schema, name, source, day, cut), sources)

    def describe(self, name: str) -> tuple[dict[str, str], int]:
        """A rollup's column types and row count."""
        table = q.table(self.schema, name)
        result = self.wh.run(f"SELECT * FROM {table} LIMIT 0")
        rows = int(self.wh.run(f"SELECT COUNT(*) FROM {table}").scalar() or 0)
        return {c: t for c, t in zip(result.columns, result.types, strict=True)}, rows

    def run(self, sql: str) -> Any:
        """Run a read on the learner's session."""
        return self.wh.run(sql)

    def drop_unused(self, keep: Sequence[Rollup]) -> list[str]:
        """Drop the learner's tables and views the manifest does not name, and the triggers of tables
        no kept rollup reads; the names dropped.
        """
        names = {r.table for r in keep}
        dropped = []
        for name, kind in self.wh.run(q.orphans_query(self.schema)).rows:
            if str(name) in names or not q.TABLE_NAME.match(str(name)):
                continue
            self.wh.run(q.drop("view" if kind == "v" else "table", self.schema, str(name)))
            dropped.append(str(name))
        read = {f"{s}.{n}" for r in keep for s, n in sources_of(r)}
        tracked = self.wh.run(
            "SELECT n.nspname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            f"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE t.tgname = {q.literal(q.TRIGGER)}"
        ).rows
        for s, n in tracked:
            if f"{s}.{n}" not in read:
                self.wh.run(f"DROP TRIGGER IF EXISTS {q.ident(q.TRIGGER)} ON {q.table(str(s), str(n))}")
        return dropped
