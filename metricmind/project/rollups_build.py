"""The nightly rollup build: each wanted rollup kept current, in the way the materialization policy
chooses, verified against the plain plan before it is published.

For each rollup the nightly learner wants:

1. a rollup still current (same data version, same definition) is kept as it is;
2. otherwise the plain plan of its shape runs (the reference answer, and its latency);
3. the materialization policy (:class:`metricmind.learn.materialize.Chooser`) picks how to keep it
   among the kinds that apply — ``table``, ``view``, ``ephemeral`` (nothing built: the plain plan
   answers) and, for a rollup by day (its source has a time column and the rollup is by time),
   ``incremental`` (last night's table with its newest week recomputed);
4. it is built (timed), its own shape is read back through :func:`metricmind.learn.rollup.route`
   (timed) and compared with the reference: a different answer is never published (an incremental
   refresh that differs is rebuilt in full);
5. the policy gets the reward of the measured build and read costs
   (:meth:`~metricmind.learn.materialize.Chooser.reward`), and its state is saved beside the manifest.

Two places to build: a generation DuckDB file the learner owns (DuckDB warehouses) or a schema the
learner owns in the warehouse (PostgreSQL and Spark, :mod:`metricmind.project.rollups_server`).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metricmind.errors import MetricmindError
from metricmind.learn.materialize import Chooser
from metricmind.learn.rollup import Rollup, RollupSpec, route, sha, spec_for, subsumes, usable
from metricmind.learn.safety import same_answer
from metricmind.warehouse.base import Result

if TYPE_CHECKING:
    from metricmind.learn.memory import Memory
    from metricmind.project.core import Project

CHOOSER = "materialize.json"
DAY = "metric_time__day"


def kinds_for(spec: RollupSpec, incremental: bool = True) -> list[str]:
    """The materializations that apply to ``spec`` (incremental: a re-aggregating rollup by day, where
    the backend refreshes in place).
    """
    if (
        incremental
        and spec.reagg is not None
        and spec.grain == "day"
        and spec.group_by
        and spec.group_by[0] == DAY
    ):
        return ["table", "incremental", "view", "ephemeral"]
    return ["table", "view", "ephemeral"]


def usage_of(project: Project, memory: Memory | None, specs: Sequence[RollupSpec]) -> dict[str, int]:
    """Each spec's (by key) recorded uses over the nightly learner's window: the query episodes it
    answers (its own shape and those with fewer dimensions).
    """
    if memory is None or not specs:
        return {}
    from metricmind.project.nightlearn import _episodes, _query

    seen: Counter[RollupSpec] = Counter()
    for episode in _episodes(memory):
        query = _query(episode)
        spec = spec_for(project.model, query, project.dialect) if query is not None else None
        if spec is not None:
            seen[spec] += 1
    return {
        big.key: sum(n for small, n in seen.items() if small == big or subsumes(big, small)) for big in specs
    }


def load_chooser(folder: Path, project: Project) -> Chooser:
    """The saved materialization policy, or one trained on the measured table."""
    from metricmind.project.learning import reward_config

    reward = reward_config(project)
    path = folder / CHOOSER
    try:
        return Chooser.from_state(json.loads(path.read_text()), reward)
    except (OSError, ValueError, KeyError, TypeError):
        return Chooser.pretrained(reward=reward)


def save_chooser(folder: Path, chooser: Chooser) -> None:
    """Save the policy's state (one atomic rename)."""
    tmp = folder / f"{CHOOSER}.tmp"
    tmp.write_text(json.dumps(chooser.state()))
    tmp.replace(folder / CHOOSER)


class Backend:
    """Where rollups are built: the operations the night needs (:class:`DuckDBBackend`, and
    :class:`~metricmind.project.rollups_server.ServerBackend` for PostgreSQL and Spark).
    """

    #: Whether an incremental refresh applies (a table refreshed in place, or copied from last night).
    incremental = True

    def current(self, sources: Sequence[tuple[str, str]], track: bool) -> str | None:
        """The data version rollups of these sources would be built on now."""
        raise NotImplementedError

    def sources(self, source: str) -> list[tuple[str, str]]:
        """The tables ``source`` reads (recorded only where they are tracked one by one)."""
        return []

    def trackable(self, sources: Sequence[tuple[str, str]]) -> bool:
        """Whether changes of every source can be tracked (else only views and nothing apply)."""
        return True

    def keep(self, before: Rollup) -> Rollup:
        """Carry a current rollup into the new generation."""
        raise NotImplementedError

    def name(self, spec: RollupSpec) -> str:
        """The table name of a new build of ``spec``."""
        raise NotImplementedError

    def make(
        self, kind: str, name: str, source: str, before: Rollup | None, sources: Sequence[tuple[str, str]]
    ) -> str | None:
        """Build ``name`` as ``kind`` (table, incremental or view); the data version it holds."""
        raise NotImplementedError

    def read(self, rollup: Rollup, sql: str, source: str) -> Result:
        """Run a routed read on the just-built rollup."""
        raise NotImplementedError

    def describe(self, name: str) -> tuple[dict[str, str], int]:
        """Column types and row count of a built table."""
        raise NotImplementedError

    @property
    def extra(self) -> dict[str, Any]:
        """What every rollup of this backend records (``backend``, ``schema``)."""
        return {}

    @property
    def target(self) -> str:
        """The dialect of routed reads."""
        return "duckdb"


def build_all(
    project: Project,
    backend: Backend,
    specs: Sequence[RollupSpec],
    old: Mapping[str, Rollup],
    chooser: Chooser,
    usage: Mapping[str, int] | None = None,
    kind: str | None = None,
) -> tuple[list[Rollup], dict[str, Any]]:
    """Build or keep each of ``specs`` (see the module docstring); the rollups and the night's report."""
    report: dict[str, Any] = {
        "built": [],
        "kept": [],
        "dropped": [],
        "failed": [],
        "ephemeral": [],
        "kinds": {},
    }
    out: list[Rollup] = []
    for spec in specs:
        try:
            rollup = _one(
                project,
                backend,
                spec,
                old.get(spec.key),
                chooser,
                (usage or {}).get(spec.key, 1),
                report,
                kind,
            )
        except MetricmindError as exc:
            report["failed"].append({"rollup": spec.to_dict(), "error": exc.message})
            continue
        if rollup is not None:
            out.append(rollup)
            report["kinds"][rollup.table] = rollup.extra.get("kind", "table")
    return out, report


def _one(
    project: Project,
    backend: Backend,
    spec: RollupSpec,
    before: Rollup | None,
    chooser: Chooser,
    uses: int,
    report: dict[str, Any],
    forced: str | None = None,
) -> Rollup | None:
    source = project.compile(spec.source())
    digest = sha(source)
    sources = backend.sources(source)
    if before is not None:
        kind = str(before.extra.get("kind", "table"))
        now = None if kind == "view" else backend.current(sources, track=False)
        if usable(before, now, digest):
            report["kept"].append(before.table)
            return backend.keep(before)
    t0 = time.perf_counter()
    plain = project.warehouse.run(source)
    plain_ms = (time.perf_counter() - t0) * 1000
    allowed = kinds_for(spec, backend.incremental) if backend.trackable(sources) else ["view", "ephemeral"]
    previous_build = float(before.build_ms) if before is not None and before.build_ms else plain_ms
    kind, x = chooser.choose(uses, previous_build, plain_ms, allowed)
    if forced is not None:
        kind = forced if forced in allowed else allowed[0]
    if kind == "ephemeral":
        chooser.observe(x, kind, chooser.reward(kind, uses, 0.0, plain_ms, len(plain.rows), plain_ms))
        report["ephemeral"].append(spec.name)
        return None
    refresh = (
        before if kind == "incremental" and before is not None and before.extra.get("kind") == kind else None
    )
    if refresh is not None and refresh.source_sha != digest:
        refresh = None  # another definition: a full build
    rollup, ok, ms = _make(project, backend, spec, kind, source, digest, sources, refresh, plain)
    if not ok and refresh is not None:  # older days changed under an incremental refresh: build in full
        chooser.observe(
            x, kind, chooser.reward(kind, uses, ms, plain_ms, len(plain.rows), plain_ms, ok=False)
        )
        rollup, ok, ms = _make(project, backend, spec, kind, source, digest, sources, None, plain)
    read_ms = float(rollup.extra.get("read_ms", plain_ms))
    chooser.observe(x, kind, chooser.reward(kind, uses, ms, read_ms, len(plain.rows), plain_ms, ok=ok))
    if not ok:
        raise MetricmindError(f"the rollup {rollup.table} ({kind}) does not give the plain plan's rows")
    report["built"].append(rollup.table)
    return rollup


def _make(
    project: Project,
    backend: Backend,
    spec: RollupSpec,
    kind: str,
    source: str,
    digest: str,
    sources: Sequence[tuple[str, str]],
    refresh: Rollup | None,
    plain: Result,
) -> tuple[Rollup, bool, float]:
    """Build, read back and compare one rollup: (the rollup, equal to the plain answer, build ms)."""
    name = refresh.table if refresh is not None else backend.name(spec)
    t0 = time.perf_counter()
    version = backend.make(kind, name, source, refresh, sources)
    build_ms = (time.perf_counter() - t0) * 1000
    if kind == "view":
        types = {c: t for c, t in zip(plain.columns, plain.types, strict=False)}
        rows = len(plain.rows)
    else:
        types, rows = backend.describe(name)
    extra = backend.extra | {"kind": kind, "sources": [list(s) for s in sources]}
    rollup = Rollup(
        spec,
        name,
        types,
        digest,
        version or "",
        rows,
        dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        round(build_ms, 3),
        extra,
    )
    sql = route(rollup, spec.source(), None, project.dialect, backend.target)
    if sql is None:
        raise MetricmindError(f"the rollup {name} does not answer its own shape")
    t0 = time.perf_counter()
    got = backend.read(rollup, sql, source)
    read_ms = (time.perf_counter() - t0) * 1000
    ok = same_answer(plain.rows, got.rows) and list(got.columns) == list(plain.columns)
    rollup.extra["read_ms"] = round(read_ms, 3)
    rollup.extra["plain_ms"] = round(float(plain.elapsed_ms), 3)
    return rollup, ok, build_ms


class DuckDBBackend(Backend):
    """A generation DuckDB file the learner owns, the warehouse attached read-only as ``wh``."""

    def __init__(self, project: Project, target: Any, catalog: str, previous: bool, version: str) -> None:
        self.project = project
        self.wh = target
        self.catalog = catalog
        self.previous = previous
        self.version = version

    def _t(self, name: str) -> str:
        return f"{self.catalog}.main.{_q(name)}"

    def current(self, sources: Sequence[tuple[str, str]], track: bool) -> str | None:
        """See :class:`Backend`."""
        return self.version

    def keep(self, before: Rollup) -> Rollup:
        """See :class:`Backend`."""
        if before.extra.get("kind") != "view":
            if not self.previous:
                raise MetricmindError(f"the previous generation of {before.table} is gone")
            self.wh.execute(
                f"CREATE TABLE {self._t(before.table)} AS SELECT * FROM prev.main.{_q(before.table)}"
            )
        return before

    def name(self, spec: RollupSpec) -> str:
        """See :class:`Backend`."""
        return spec.name

    def make(
        self, kind: str, name: str, source: str, before: Rollup | None, sources: Sequence[tuple[str, str]]
    ) -> str | None:
        """See :class:`Backend`."""
        if kind == "view":  # kept as its definition: a read inlines the source over the warehouse
            return None
        if kind == "incremental" and before is not None and self.previous:
            self.wh.execute(f"CREATE TABLE {self._t(name)} AS SELECT * FROM prev.main.{_q(before.table)}")
            newest = self.wh.run(f"SELECT MAX({_q(DAY)}) FROM {self._t(name)}").scalar()
            if newest is not None:
                cut = (dt.date.fromisoformat(str(newest)[:10]) - dt.timedelta(days=7)).isoformat()
                self.wh.execute(f"DELETE FROM {self._t(name)} WHERE {_q(DAY)} >= DATE '{cut}'")
                self.wh.execute(
                    f"USE wh; INSERT INTO {self._t(name)} SELECT * FROM ({source}) AS s WHERE {_q(DAY)} >= DATE '{cut}'"
                )
                return self.version
            self.wh.execute(f"DROP TABLE {self._t(name)}")
        self.wh.execute(f"USE wh; CREATE OR REPLACE TABLE {self._t(name)} AS {source}")
        return self.version

    def read(self, rollup: Rollup, sql: str, source: str) -> Result:
        """See :class:`Backend`."""
        if rollup.extra.get("kind") == "view":
            return self.project.warehouse.run(view_read(rollup, sql, source))
        self.wh.execute(f"USE {self.catalog}")
        return self.wh.run(sql)  # type: ignore[no-any-return]

    def describe(self, name: str) -> tuple[dict[str, str], int]:
        """See :class:`Backend`."""
        described = self.wh.run(f"DESCRIBE {self._t(name)}").rows
        rows = int(self.wh.run(f"SELECT COUNT(*) FROM {self._t(name)}").scalar() or 0)
        return {str(r[0]): str(r[1]) for r in described}, rows

    @property
    def extra(self) -> dict[str, Any]:
        """See :class:`Backend`."""
        return {"backend": "duckdb"}


def view_read(rollup: Rollup, sql: str, source: str) -> str:
    """A routed read of a DuckDB view rollup: its definition inlined (run on the warehouse)."""
    return f"WITH {_q(rollup.table)} AS ({source}) {sql}"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
