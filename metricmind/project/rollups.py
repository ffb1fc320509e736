"""The learner's rollups: pre-aggregated answers kept where the learner owns them, never read stale.

**DuckDB warehouses.** The warehouse is opened read-only by every server, and DuckDB lets one process
write a file while it locks out even readers elsewhere, so rollups never go into the warehouse: each
build writes a new *generation* file ``<state>/rollups/gen_<n>.duckdb`` (the warehouse attached
read-only; an unchanged rollup is copied from the previous generation), then points ``manifest.json``
at it in one atomic rename. Servers read the manifest when it changes and open the generation
read-only; older generations are deleted (an open reader keeps its file).

**PostgreSQL and Spark warehouses.** Tables (or views) in a schema the learner owns
(``learn.rollups_schema``, default ``metricmind_rollups``; :mod:`metricmind.project.rollups_server`):
on PostgreSQL each source table's changes counted by a trigger (:mod:`metricmind.project.rollups_pg`),
on Spark the listing of the tables' files (:mod:`metricmind.project.rollups_spark`); the manifest
stays in the state folder.

How each rollup is kept (table, incremental, view, or not at all) is the materialization policy's
choice, and each build is verified against the plain plan (:mod:`metricmind.project.rollups_build`).
A rollup is used only while it is current: built on the present data version of its sources from the
same compiled source query (:func:`metricmind.learn.rollup.usable`). One whose source changed is never
read; the next build rebuilds it (when still worth it) or drops it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metricmind import config
from metricmind.compiler.plan import expand_range
from metricmind.errors import MetricmindError
from metricmind.learn.materialize import Chooser
from metricmind.learn.rollup import Rollup, RollupSpec, route, sha, usable
from metricmind.project.filesig import file_signature
from metricmind.project.rollups_build import (
    CHOOSER,
    DuckDBBackend,
    build_all,
    load_chooser,
    save_chooser,
    usage_of,
    view_read,
)
from metricmind.project.rollups_pg import Versions
from metricmind.project.rollups_server import ENGINES, ServerBackend, builder
from metricmind.project.rollups_spark import spark_version
from metricmind.spec.query import MetricQuery
from metricmind.warehouse.base import Result, Warehouse
from metricmind.warehouse.duckdb import DuckDBWarehouse, quote

if TYPE_CHECKING:
    from metricmind.project.core import Project

log = logging.getLogger(__name__)
MANIFEST = "manifest.json"


class RollupStore:
    """The rollups of one project (``<state>/rollups``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._seen: tuple[float, int] | None = None
        self._rollups: list[Rollup] = []
        self._generation: str | None = None
        self._reader: Warehouse | None = None
        self._shas: dict[str, str | None] = {}
        self._sources: dict[str, str] = {}
        self._backend: str | None = None
        self._routes: dict[str, Warehouse] = {}
        self._versions = Versions()

    # -- reading ------------------------------------------------------------------------------
    def rollups(self) -> list[Rollup]:
        """The rollups of the current generation (re-read when the manifest changed)."""
        path = self.folder / MANIFEST
        try:
            stat = path.stat()
        except OSError:
            return []
        mark = (stat.st_mtime, stat.st_size)
        with self._lock:
            if mark != self._seen:
                try:
                    data = json.loads(path.read_text())
                    self._rollups = [Rollup.from_dict(r) for r in data.get("rollups", [])]
                    generation = str(data.get("generation") or "")
                    self._backend = str(data.get("backend") or "duckdb")
                except (OSError, ValueError, KeyError, TypeError) as exc:
                    log.warning("the rollup manifest %s is unreadable (%s); no rollup is used", path, exc)
                    self._rollups, generation = [], ""
                if generation != self._generation and self._reader is not None:
                    self._reader.close()
                    self._reader = None
                self._generation = generation or None
                self._seen = mark
            return list(self._rollups)

    def source_sha(self, project: Project, spec: RollupSpec) -> str | None:
        """The fingerprint of ``spec``'s source query as the project compiles it now (None: it does not)."""
        key = spec.key
        if key not in self._shas:
            try:
                self._sources[key] = project.compile(spec.source())
                self._shas[key] = sha(self._sources[key])
            except MetricmindError:
                self._shas[key] = None
        return self._shas[key]

    def find(self, project: Project, query: MetricQuery, version: str | None) -> tuple[Rollup, str] | None:
        """A current rollup answering ``query`` exactly and the SQL over it, or None."""
        rollups = self.rollups()
        if not version or not any(r.spec.metric in query.metrics for r in rollups):
            return None
        widened: tuple[dt.date | None, dt.date | None] | None = None
        if query.start or query.end:
            try:
                rng = expand_range(query, project.plan(query).request)
            except MetricmindError:
                return None
            widened = (rng.start, rng.end)
        backend = self._backend or "duckdb"
        postgres = backend == "postgres"
        current = self._versions.current(project, rollups, version) if postgres else {}
        for rollup in rollups:
            if rollup.spec.metric not in query.metrics:
                continue
            now = current.get(rollup.table) if postgres else version
            if not usable(rollup, now, self.source_sha(project, rollup.spec)):
                continue
            sql = route(rollup, query, widened, project.dialect, backend)
            if sql is None:
                continue
            if backend == "duckdb" and rollup.extra.get("kind") == "view":
                sql = view_read(rollup, sql, self._sources[rollup.spec.key])
            if backend != "duckdb" or rollup.extra.get("kind") == "view":
                with self._lock:
                    if len(self._routes) > 4096:
                        self._routes.clear()
                    self._routes[sql] = project.warehouse
            return rollup, sql
        return None

    def stale(self, project: Project) -> int:
        """How many rollups of the current generation are not current (never used until rebuilt)."""
        rollups = self.rollups()
        version = data_version(project)
        postgres = self._backend == "postgres"
        current = self._versions.current(project, rollups, version) if postgres else {}
        return sum(
            1
            for r in rollups
            if not usable(r, current.get(r.table) if postgres else version, self.source_sha(project, r.spec))
        )

    def run(self, sql: str) -> Result:
        """Run ``sql`` on the current generation (read-only).

        Raises:
            MetricmindError: no generation, or the query failed.
        """
        with self._lock:
            elsewhere = self._routes.get(sql)
        if elsewhere is not None:  # a rollup in the warehouse itself, or a view over it
            return elsewhere.run(sql)
        with self._lock:
            if self._reader is None:
                if not self._generation:
                    raise MetricmindError("no rollup has been built", hint="Run `metricmind nightly`.")
                self._reader = DuckDBWarehouse(self.folder / self._generation, read_only=True)
            reader = self._reader
        return reader.run(sql)

    def close(self) -> None:
        """Close the reader."""
        with self._lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None

    # -- building -----------------------------------------------------------------------------
    def build(
        self,
        project: Project,
        specs: Iterable[RollupSpec],
        usage: Mapping[str, int] | None = None,
        *,
        kind: str | None = None,
    ) -> dict[str, Any]:
        """Make a new generation holding ``specs`` (current ones kept, the rest built as the
        materialization policy chooses, each verified against the plain plan; see
        :mod:`metricmind.project.rollups_build`). Rollups not in ``specs`` are dropped; a spec that fails
        to build is reported and left out. ``usage``: each spec's (by key) recent uses (default: counted in
        the project's memory); ``kind``: keep every rollup this way instead of asking the policy (tests).

        DuckDB warehouses get a generation file the learner owns, PostgreSQL and Spark a schema the
        learner owns (``learn.rollups_schema``); other warehouses get their rollups as reviewable
        proposals only.
        """
        engine = str(project.setting("warehouse.type"))
        version = data_version(project)
        if not version or engine not in ("duckdb", *ENGINES):
            return {
                "built": [],
                "kept": [],
                "dropped": [],
                "failed": [],
                "skipped": f"rollups are not built on {engine}",
            }
        wanted = list(dict.fromkeys(specs))
        previous = self.rollups()
        if previous and self._backend not in (None, engine):
            previous = []  # built on another warehouse: nothing carries over
        old = {r.spec.key: r for r in previous}
        config.ensure_state_dir(project.state_dir)
        self.folder.mkdir(parents=True, exist_ok=True)
        chooser = load_chooser(self.folder, project)
        if usage is None:
            try:
                usage = usage_of(project, project.memory, wanted)
            except MetricmindError as exc:
                log.info("rollup usage unavailable: %s", exc)
                usage = {}
        if engine in ENGINES:
            built, report, generation = self._build_server(engine, project, wanted, old, chooser, usage, kind)
        else:
            got = self._build_duckdb(project, wanted, old, chooser, usage, version, kind)
            if got is None:
                return {
                    "built": [],
                    "kept": [],
                    "dropped": [],
                    "failed": [],
                    "skipped": "the warehouse changed during the build",
                }
            built, report, generation = got
        save_chooser(self.folder, chooser)
        kept = {r.spec.key for r in built}
        report["dropped"] = sorted(
            {r.table for k, r in old.items() if k not in kept} | set(report.get("dropped", []))
        )
        report["rollups"] = len(built)
        return report | {"generation": generation}

    def _build_duckdb(
        self,
        project: Project,
        wanted: list[RollupSpec],
        old: dict[str, Rollup],
        chooser: Chooser,
        usage: Mapping[str, int] | None,
        version: str,
        kind: str | None,
    ) -> tuple[list[Rollup], dict[str, Any], str] | None:
        generation = f"gen_{time.time_ns()}.duckdb"
        catalog = quote(generation.removesuffix(".duckdb"))
        target = DuckDBWarehouse(self.folder / generation, read_only=False, sandbox=False)
        try:
            target.execute(f"ATTACH {_lit(str(project._warehouse_path()))} AS wh (READ_ONLY)")
            previous = self._generation
            has_prev = bool(previous and (self.folder / previous).exists())
            if has_prev:
                target.execute(f"ATTACH {_lit(str(self.folder / str(previous)))} AS prev (READ_ONLY)")
            backend = DuckDBBackend(project, target, catalog, has_prev, version)
            built, report = build_all(project, backend, wanted, old, chooser, usage, kind)
            target.execute(f"USE {catalog}")
            target.execute("DETACH wh")
            if has_prev:
                target.execute("DETACH DATABASE IF EXISTS prev")
            target.execute("CHECKPOINT")
        finally:
            target.close()
        if data_version(project) != version:  # the warehouse changed while building: nothing is current
            (self.folder / generation).unlink(missing_ok=True)
            return None
        self._publish(generation, built, "duckdb")
        return built, report, generation

    def _build_server(
        self,
        engine: str,
        project: Project,
        wanted: list[RollupSpec],
        old: dict[str, Rollup],
        chooser: Chooser,
        usage: Mapping[str, int] | None,
        kind: str | None,
    ) -> tuple[list[Rollup], dict[str, Any], str]:
        generation = str(time.time_ns())
        with builder(project, engine, generation) as b:
            built, report = build_all(project, ServerBackend(b), wanted, old, chooser, usage, kind)
            self._publish(generation, built, engine)
            report["dropped"] = b.drop_unused(built)  # after the manifest no longer names them
        return built, report, generation

    def drop_all(self, project: Project | None = None) -> int:
        """Remove every rollup (an empty manifest; old generation files deleted; with ``project``, the
        tables in a PostgreSQL or Spark warehouse too). How many were dropped.
        """
        count = len(self.rollups())
        if self.folder.exists():
            backend = self._backend
            self._publish(None, [], backend)
            (self.folder / CHOOSER).unlink(missing_ok=True)  # the materialization policy is learned too
            if backend in ENGINES and project is not None:
                with builder(project, str(backend), "0") as b:
                    b.drop_unused([])
        return count

    def _publish(self, generation: str | None, rollups: list[Rollup], backend: str | None = None) -> None:
        data = {"generation": generation, "backend": backend, "rollups": [r.to_dict() for r in rollups]}
        tmp = self.folder / f"{MANIFEST}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(data, indent=1))
        tmp.replace(self.folder / MANIFEST)
        for old in self.folder.glob("gen_*.duckdb*"):
            if generation is None or not old.name.startswith(generation):
                old.unlink(missing_ok=True)
        self._seen = None
        self._shas.clear()
        self._routes.clear()


#: PostgreSQL's data version: the write-ahead log position (a standby's replay position). Every
#: committed write anywhere in the cluster moves it, so it is conservative: never stale, sometimes a miss.
PG_VERSION = (
    "SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() "
    "ELSE pg_current_wal_insert_lsn() END)::text"
)


def data_version(project: Project) -> str | None:
    """The warehouse's data version, or None (nothing is cached or rolled up without one).

    DuckDB: the signature (modification time and size) of the file and of its write-ahead log, so any
    committed change gives another one. PostgreSQL: the cluster's WAL position (:data:`PG_VERSION`).
    Spark: the listing of the project's tables' files (:func:`~metricmind.project.rollups_spark.spark_version`).
    Other warehouses: None.
    """
    kind = str(project.setting("warehouse.type"))
    if kind == "spark":
        try:
            return spark_version(project)
        except MetricmindError:
            return None
    if kind == "postgres":
        try:
            return f"pg:{project.warehouse.run(PG_VERSION).scalar()}"
        except MetricmindError:
            return None
    if kind != "duckdb":
        return None
    path = project._warehouse_path()
    signature = file_signature(path, path.with_name(path.name + ".wal"))
    if signature is None:
        return None
    return f"{path}:" + ":".join(f"{mtime}:{size}" for mtime, size in signature)


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
