"""The learner's rollup database: pre-aggregated tables in a DuckDB file the learner owns.

The warehouse is opened read-only by every server, and DuckDB lets one process write a file while it
locks out even readers elsewhere, so rollups never go into the warehouse: each build writes a new
*generation* file ``<state>/rollups/gen_<n>.duckdb`` (the warehouse attached read-only, each rollup a
``CREATE TABLE … AS`` of its source query; an unchanged rollup is copied from the previous generation),
then points ``manifest.json`` at it in one atomic rename. Servers read the manifest when it changes and
open the generation read-only; older generations are deleted (an open reader keeps its file).

A rollup is used only while it is current: built on the warehouse's present data version from the same
compiled source query (:func:`metricmind.learn.rollup.usable`). One whose source changed is never read;
the next build rebuilds it (when still worth it) or drops it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metricmind import config
from metricmind.compiler.plan import expand_range
from metricmind.errors import MetricmindError
from metricmind.learn.rollup import Rollup, RollupSpec, route, sha, usable
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
                self._shas[key] = sha(project.compile(spec.source()))
            except MetricmindError:
                self._shas[key] = None
        return self._shas[key]

    def find(self, project: Project, query: MetricQuery, version: str | None) -> tuple[Rollup, str] | None:
        """A current rollup answering ``query`` exactly and the SQL over it, or None."""
        rollups = self.rollups()
        if not rollups or not version:
            return None
        widened: tuple[dt.date | None, dt.date | None] | None = None
        if query.start or query.end:
            try:
                rng = expand_range(query, project.plan(query).request)
            except MetricmindError:
                return None
            widened = (rng.start, rng.end)
        for rollup in rollups:
            if rollup.spec.metric not in query.metrics:
                continue
            if not usable(rollup, version, self.source_sha(project, rollup.spec)):
                continue
            sql = route(rollup, query, widened, project.dialect)
            if sql is not None:
                return rollup, sql
        return None

    def run(self, sql: str) -> Result:
        """Run ``sql`` on the current generation (read-only).

        Raises:
            MetricmindError: no generation, or the query failed.
        """
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
    def build(self, project: Project, specs: Iterable[RollupSpec]) -> dict[str, Any]:
        """Make a new generation holding exactly ``specs`` (current ones copied, the rest built).

        Rollups not in ``specs`` are dropped; a spec that fails to build is reported and left out.
        Needs a DuckDB warehouse (attached read-only while building); other warehouses get their rollups
        as reviewable proposals only.
        """
        version = data_version(project)
        if not version or str(project.setting("warehouse.type")) != "duckdb":
            return {"built": [], "kept": [], "dropped": [], "failed": [], "skipped": "not a DuckDB warehouse"}
        wanted = list(dict.fromkeys(specs))
        old = {r.spec.key: r for r in self.rollups()}
        config.ensure_state_dir(project.state_dir)
        self.folder.mkdir(parents=True, exist_ok=True)
        generation = f"gen_{time.time_ns()}.duckdb"
        catalog = quote(generation.removesuffix(".duckdb"))
        target = DuckDBWarehouse(self.folder / generation, read_only=False, sandbox=False)
        built: list[Rollup] = []
        report: dict[str, Any] = {"built": [], "kept": [], "dropped": [], "failed": []}
        try:
            target.execute(f"ATTACH {_lit(str(project._warehouse_path()))} AS wh (READ_ONLY)")
            previous = self._generation
            if previous and (self.folder / previous).exists():
                target.execute(f"ATTACH {_lit(str(self.folder / previous))} AS prev (READ_ONLY)")
            for spec in wanted:
                try:
                    source = project.compile(spec.source())
                except MetricmindError as exc:
                    report["failed"].append({"rollup": spec.to_dict(), "error": exc.message})
                    continue
                digest = sha(source)
                t0 = time.perf_counter()
                before = old.get(spec.key)
                try:
                    if previous and before is not None and usable(before, version, digest):
                        target.execute(
                            f"CREATE TABLE {catalog}.main.{quote(spec.name)} AS "
                            f"SELECT * FROM prev.main.{quote(before.table)}"
                        )
                        report["kept"].append(spec.name)
                    else:
                        target.execute(f"USE wh; CREATE TABLE {catalog}.main.{quote(spec.name)} AS {source}")
                        report["built"].append(spec.name)
                    table = f"{catalog}.main.{quote(spec.name)}"
                    described = target.run(f"DESCRIBE {table}").rows
                    rows = int(target.run(f"SELECT COUNT(*) FROM {table}").scalar() or 0)
                except MetricmindError as exc:
                    report["failed"].append({"rollup": spec.to_dict(), "error": exc.message})
                    continue
                built.append(
                    Rollup(
                        spec,
                        spec.name,
                        {str(r[0]): str(r[1]) for r in described},
                        digest,
                        version,
                        rows,
                        dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                        round((time.perf_counter() - t0) * 1000, 3),
                    )
                )
            target.execute("DETACH wh")
            if previous:
                target.execute("DETACH DATABASE IF EXISTS prev")
            target.execute("CHECKPOINT")
        finally:
            target.close()
        if data_version(project) != version:  # the warehouse changed while building: nothing is current
            (self.folder / generation).unlink(missing_ok=True)
            return report | {"skipped": "the warehouse changed during the build"}
        kept = {r.spec.key for r in built}
        report["dropped"] = [r.table for k, r in old.items() if k not in kept]
        self._publish(generation, built)
        report["rollups"] = len(built)
        return report

    def drop_all(self) -> int:
        """Remove every rollup (an empty manifest; old generation files deleted). How many were dropped."""
        count = len(self.rollups())
        if self.folder.exists():
            self._publish(None, [])
        return count

    def _publish(self, generation: str | None, rollups: list[Rollup]) -> None:
        data = {"generation": generation, "rollups": [r.to_dict() for r in rollups]}
        tmp = self.folder / f"{MANIFEST}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(data, indent=1))
        tmp.replace(self.folder / MANIFEST)
        for old in self.folder.glob("gen_*.duckdb*"):
            if generation is None or not old.name.startswith(generation):
                old.unlink(missing_ok=True)
        self._seen = None
        self._shas.clear()


#: PostgreSQL's data version: the write-ahead log position (a standby's replay position). Every
#: committed write anywhere in the cluster moves it, so it is conservative: never stale, sometimes a miss.
PG_VERSION = (
    "SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text"
)


def data_version(project: Project) -> str | None:
    """The warehouse's data version, or None (nothing is cached or rolled up without one).

    DuckDB: the signature (modification time and size) of the file and of its write-ahead log, so any
    committed change gives another one. PostgreSQL: the cluster's WAL position (:data:`PG_VERSION`).
    Other warehouses: None.
    """
    kind = str(project.setting("warehouse.type"))
    if kind == "postgres":
        try:
            return f"pg:{project.warehouse.run(PG_VERSION).scalar()}"
        except MetricmindError:
            return None
    if kind != "duckdb":
        return None
    path = project._warehouse_path()
    parts = []
    for file in (path, path.with_name(path.name + ".wal")):
        try:
            stat = file.stat()
        except OSError:
            if file == path:
                return None
            continue
        parts.append(f"{stat.st_mtime_ns}:{stat.st_size}")
    return f"{path}:" + ":".join(parts)


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
