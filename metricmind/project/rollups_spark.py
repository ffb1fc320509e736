"""Rollups and the data version of a Spark warehouse.

**Data version.** Spark has no commit counter across tables, so the version is the listing of the
files the project's tables (every semantic model's relation and the time spine) are read from, as the
project's own session reads them (:meth:`metricmind.warehouse.spark.SparkWarehouse.data_version`):
``learn.spark_data_version: files`` (the default) asks the driver for the tables' input files (no
job), which every write through Spark, Delta or Iceberg changes (new files under new names);
``exact`` also reads each file's size and modification time and each table's row count (one job),
which notices files rewritten in place under the same name. A table that is not file-based gives no
version: nothing is cached or rolled up.

**Rollups** are Parquet tables (or views) ``r_<shape>_<generation>`` in a database the learner owns
(``learn.rollups_schema``), made with ``CREATE TABLE … USING parquet AS`` its compiled source query in
a read-write session of the learner's own. A table records the data version read before and after it
was built (a write in between: not current, never used) — the version of all of the project's tables,
as the result cache keys its answers. Readers compare it with the version their own session reads, so
a rollup is never read while its session sees other data than the rollup was built from. No
incremental refresh (a reader's session keeps its listing of a table it has read: a table changed in
place would be read stale); rollups no longer wanted are dropped once the manifest no longer names them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from metricmind.errors import MetricmindError
from metricmind.learn import rollup_sql as q
from metricmind.learn.rollup import Rollup
from metricmind.project.rollups_server import schema_of
from metricmind.warehouse.base import Result, Warehouse
from metricmind.warehouse.registry import connect

if TYPE_CHECKING:
    from metricmind.project.core import Project

DIALECT = "spark"
MODES = ("files", "exact")


def tables_of(project: Project) -> list[str]:
    """Every relation the project's queries may read: the semantic models' and the time spine's."""
    model = project.model
    names = {sm.relation for sm in model.semantic_models.values() if sm.relation}
    if model.time_spine is not None and model.time_spine.relation:
        names.add(model.time_spine.relation)
    return sorted(names)


def mode_of(project: Project) -> str:
    """``learn.spark_data_version``, validated."""
    mode = str(project.setting("learn.spark_data_version") or "files")
    if mode not in MODES:
        raise MetricmindError(
            f"learn.spark_data_version is {mode!r}", hint=f"Use {' or '.join(MODES)} (see docs/learn.md)."
        )
    return mode


def spark_version(project: Project, wh: Warehouse | None = None) -> str | None:
    """The data version of the project's tables as ``wh`` (default: the project's session) reads them."""
    session = wh if wh is not None else project.warehouse
    versioned = getattr(session, "data_version", None)
    if versioned is None:
        return None
    token: str | None = versioned(tables_of(project), exact=mode_of(project) == "exact")
    return token


class SparkBuilder:
    """One night's build in a Spark warehouse's rollup database (a
    :class:`~metricmind.project.rollups_server.Builder`; use as a context manager).
    """

    dialect = DIALECT
    incremental = False

    def __init__(self, project: Project, generation: str) -> None:
        self.project = project
        self.schema = schema_of(project)
        self.generation = generation
        url = project.setting("warehouse.url") or project.setting("warehouse.dsn")
        self.wh: Warehouse = connect("spark", url=url, read_only=False)
        try:
            self.wh.run(f"CREATE DATABASE IF NOT EXISTS {q.ident(self.schema, DIALECT)}")
        except MetricmindError:
            self.wh.close()
            raise

    def __enter__(self) -> SparkBuilder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.wh.close()

    def sources(self, source_sql: str) -> list[tuple[str, str]]:
        """The tables the source query reads."""
        return q.source_tables(
            source_sql, str(self.project.setting("warehouse.schema") or "default"), DIALECT
        )

    def current(self, sources: Sequence[tuple[str, str]], track: bool) -> str | None:
        """The data version of the project's tables as the learner's session reads them."""
        return spark_version(self.project, self.wh)

    def trackable(self, sources: Sequence[tuple[str, str]]) -> bool:
        """Whether the project's tables have a data version (file-based tables)."""
        return self.current(sources, False) is not None

    def prepare(self, sources: Sequence[tuple[str, str]]) -> None:
        """Nothing: the version is read from the files themselves."""

    def create(self, kind: str, name: str, source: str, sources: Sequence[tuple[str, str]]) -> str | None:
        """Make table or view ``name`` of ``source``; the data version it holds (a view, or a table whose
        sources changed while it was built: None).
        """
        obj = "view" if kind == "view" else "table"
        self.wh.run(q.drop(obj, self.schema, name, DIALECT))
        before = None if obj == "view" else self.current(sources, False)
        self.wh.run(q.create_as(obj, self.schema, name, source, DIALECT))
        if obj == "view" or before is None or self.current(sources, False) != before:
            return None
        return before

    def refresh(self, name: str, source: str, day: str, sources: Sequence[tuple[str, str]]) -> str | None:
        """A full build (Spark rollups are never refreshed in place)."""
        return self.create("table", name, source, sources)

    def describe(self, name: str) -> tuple[dict[str, str], int]:
        """A rollup's column types and row count."""
        table = q.table(self.schema, name, DIALECT)
        result = self.wh.run(f"SELECT * FROM {table} LIMIT 0")
        rows = int(self.wh.run(f"SELECT COUNT(*) FROM {table}").scalar() or 0)
        return {c: t for c, t in zip(result.columns, result.types, strict=True)}, rows

    def run(self, sql: str) -> Result:
        """Run a read on the learner's session."""
        return self.wh.run(sql)

    def relations(self) -> dict[str, str]:
        """The learner's relations in the rollup database: name → ``table`` or ``view``."""
        schema = q.ident(self.schema, DIALECT)
        views = {str(r[1]) for r in self.wh.run(f"SHOW VIEWS IN {schema}").rows}
        names = {str(r[1]) for r in self.wh.run(f"SHOW TABLES IN {schema}").rows}
        return {n: "view" if n in views else "table" for n in names if q.TABLE_NAME.match(n)}

    def drop_unused(self, keep: Sequence[Rollup]) -> list[str]:
        """Drop the learner's tables and views the manifest does not name; the names dropped."""
        names = {r.table for r in keep}
        dropped = []
        for name, kind in sorted(self.relations().items()):
            if name not in names:
                self.wh.run(q.drop(kind, self.schema, name, DIALECT))
                dropped.append(name)
        return dropped
