"""Rollups kept in a server warehouse, in a schema the learner owns: the night's build steps shared by
PostgreSQL (:mod:`metricmind.project.rollups_pg`) and Spark (:mod:`metricmind.project.rollups_spark`).

Each warehouse's *builder* knows how to create a rollup table or view from its compiled source query,
which data version it then holds, how to describe it and how to drop what the manifest no longer
names; :class:`ServerBackend` turns a builder into the :class:`~metricmind.project.rollups_build.Backend`
the night's build (:func:`~metricmind.project.rollups_build.build_all`) runs on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from metricmind.learn import rollup_sql as q
from metricmind.learn.rollup import Rollup, RollupSpec
from metricmind.project.rollups_build import DAY, Backend
from metricmind.warehouse.base import Result, Warehouse

if TYPE_CHECKING:
    from metricmind.project.core import Project

#: The warehouses whose rollups live in a schema the learner owns.
ENGINES = ("postgres", "spark")


def schema_of(project: Project) -> str:
    """The rollup schema (``learn.rollups_schema``), validated."""
    return q.check_schema(str(project.setting("learn.rollups_schema") or "metricmind_rollups"))


class Builder(Protocol):
    """One night's build in a warehouse's rollup schema (a context manager; see the two builders)."""

    schema: str
    generation: str
    dialect: str
    incremental: bool
    wh: Warehouse

    def sources(self, source_sql: str) -> list[tuple[str, str]]:
        """The tables the source query reads."""
        ...

    def current(self, sources: Sequence[tuple[str, str]], track: bool) -> str | None:
        """The data version a rollup of these sources would be built on now."""
        ...

    def trackable(self, sources: Sequence[tuple[str, str]]) -> bool:
        """Whether changes of every source can be tracked (else only views apply)."""
        ...

    def prepare(self, sources: Sequence[tuple[str, str]]) -> None:
        """Make the sources' changes tracked before a table is built from them."""
        ...

    def create(self, kind: str, name: str, source: str, sources: Sequence[tuple[str, str]]) -> str | None:
        """Make table or view ``name`` of ``source``; the data version it holds (None: not current)."""
        ...

    def refresh(self, name: str, source: str, day: str, sources: Sequence[tuple[str, str]]) -> str | None:
        """Recompute the newest week of incremental rollup ``name``."""
        ...

    def describe(self, name: str) -> tuple[dict[str, str], int]:
        """A rollup's column types and row count."""
        ...

    def drop_unused(self, keep: Sequence[Rollup]) -> list[str]:
        """Drop the learner's relations the manifest does not name; the names dropped."""
        ...

    def __enter__(self) -> Builder: ...

    def __exit__(self, *exc: object) -> None: ...


def builder(project: Project, engine: str, generation: str) -> Builder:
    """The builder of ``engine``'s rollup schema (opens the learner's read-write session)."""
    if engine == "spark":
        from metricmind.project.rollups_spark import SparkBuilder

        return SparkBuilder(project, generation)
    from metricmind.project.rollups_pg import PostgresBuilder

    return PostgresBuilder(project, generation)


class ServerBackend(Backend):
    """The night's build in a server warehouse's rollup schema (see :class:`Builder`)."""

    def __init__(self, builder: Builder) -> None:
        self.b = builder
        self.incremental = builder.incremental

    def current(self, sources: Sequence[tuple[str, str]], track: bool) -> str | None:
        """See :class:`Backend`."""
        return self.b.current(sources, track)

    def sources(self, source: str) -> list[tuple[str, str]]:
        """See :class:`Backend`."""
        return self.b.sources(source)

    def keep(self, before: Rollup) -> Rollup:
        """See :class:`Backend`."""
        return before

    def trackable(self, sources: Sequence[tuple[str, str]]) -> bool:
        """See :class:`Backend`."""
        return self.b.trackable(sources)

    def name(self, spec: RollupSpec) -> str:
        """See :class:`Backend`."""
        return f"{spec.name}_{self.b.generation}"

    def make(
        self, kind: str, name: str, source: str, before: Rollup | None, sources: Sequence[tuple[str, str]]
    ) -> str | None:
        """See :class:`Backend`."""
        if kind == "view":
            return self.b.create("view", name, source, sources)
        self.b.prepare(sources)  # every source tracked before the data is read
        if kind == "incremental" and before is not None and self.b.incremental:
            return self.b.refresh(name, source, DAY, sources)
        return self.b.create("table", name, source, sources)

    def read(self, rollup: Rollup, sql: str, source: str) -> Result:
        """See :class:`Backend`."""
        return self.b.wh.run(sql)

    def describe(self, name: str) -> tuple[dict[str, str], int]:
        """See :class:`Backend`."""
        return self.b.describe(name)

    @property
    def extra(self) -> dict[str, Any]:
        """See :class:`Backend`."""
        return {"backend": self.b.dialect, "schema": self.b.schema}

    @property
    def target(self) -> str:
        """See :class:`Backend`."""
        return self.b.dialect
