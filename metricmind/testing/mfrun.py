"""The runner protocol: queries for MetricFlow, its answers, and running a batch of them in one subprocess.

``run_metricflow_batch`` sends the queries as JSON to ``tests/differential/mf_runner.py`` running under
MetricFlow's Python (``metricmind.testing.mfenv``), which parses the dbt project once, builds one
``MetricFlowEngine`` and answers every query in-process; ``run_metricflow`` and ``build_with_dbt`` are
its two common uses.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from metricmind.spec.query import MetricQuery
from metricmind.testing.mfenv import MF_SETUP_HINT, RUNNER, MetricFlowRunError, mf_cache_dir, mf_python, tail


@dataclass(frozen=True)
class MFQuery:
    """One query for MetricFlow, in MetricFlow's own terms.

    Attributes:
        id: Names the query in the results.
        metrics: Metric names.
        group_by: Group-by names such as ``metric_time__month`` or ``customer__segment``.
        where: Where filters in MetricFlow's Jinja syntax (``{{ Dimension('order__status') }} = 'x'``).
        start: Inclusive ``YYYY-MM-DD`` passed as MetricFlow's ``time_constraint_start``.
        end: Inclusive ``YYYY-MM-DD`` passed as ``time_constraint_end``.
        order_by: Names to order by; ``-name`` for descending.
        limit: Row limit.
        saved_query: Run this saved query instead (metrics and group_by must then be empty).
        explain_only: Compile only; no rows.
        repeat: How many times to compile (for timing); the SQL is executed once.
    """

    id: str
    metrics: tuple[str, ...] = ()
    group_by: tuple[str, ...] = ()
    where: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None
    order_by: tuple[str, ...] = ()
    limit: int | None = None
    saved_query: str | None = None
    explain_only: bool = False
    repeat: int = 1

    @classmethod
    def from_query(cls, id: str, query: MetricQuery) -> MFQuery:
        """A metricmind query in MetricFlow's terms: its half-open ``end`` becomes MetricFlow's inclusive one."""
        end = (query.end - dt.timedelta(days=1)).isoformat() if query.end else None
        return cls(
            id,
            tuple(query.metrics),
            tuple(query.group_by),
            tuple(query.where),
            query.start.isoformat() if query.start else None,
            end,
            tuple(str(o) for o in query.order_by),
            query.limit,
        )

    def to_json(self) -> dict[str, Any]:
        """The query as the runner's JSON protocol expects it."""
        return {
            "id": self.id,
            "metrics": list(self.metrics),
            "group_by": list(self.group_by),
            "where": list(self.where),
            "start": self.start,
            "end": self.end,
            "order_by": list(self.order_by),
            "limit": self.limit,
            "saved_query": self.saved_query,
            "explain_only": self.explain_only,
            "repeat": self.repeat,
        }


@dataclass(frozen=True)
class MFResult:
    """MetricFlow's answer to one query.

    Attributes:
        id: The query's id.
        columns: Output column names as MetricFlow named them, in request order.
        types: DuckDB type names of the columns (Python type names with the ``adapter`` executor).
        rows: JSON-safe rows: dates and timestamps as ISO strings, Decimals as floats, NaN as None.
        sql: The SQL MetricFlow generated (without its descriptive comments).
        error: Why the query failed, or None.
        compile_ms: ``engine.explain`` wall time per repeat, in milliseconds.
        execute_ms: Execution and fetch time, or None when not executed.
    """

    id: str
    columns: list[str]
    types: list[str]
    rows: list[list[Any]]
    sql: str
    error: str | None
    compile_ms: list[float]
    execute_ms: float | None

    @property
    def ok(self) -> bool:
        """Whether the query succeeded."""
        return self.error is None

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> MFResult:
        """Build a result from the runner's JSON."""
        return MFResult(
            id=str(data["id"]),
            columns=[str(c) for c in data.get("columns", [])],
            types=[str(t) for t in data.get("types", [])],
            rows=[list(r) for r in data.get("rows", [])],
            sql=str(data.get("sql") or ""),
            error=data.get("error"),
            compile_ms=[float(x) for x in data.get("compile_ms", [])],
            execute_ms=None if data.get("execute_ms") is None else float(data["execute_ms"]),
        )


@dataclass(frozen=True)
class MFRun:
    """Everything one runner invocation returned.

    Attributes:
        results: One result per query, in request order.
        timings_ms: Set-up timings: ``mf_import``, ``dbt_import`` and ``parse`` (``dbt parse``; absent on
            a cache hit), ``engine`` (manifest load and engine construction), ``build`` (``dbt seed`` +
            ``dbt run``, when asked), ``total`` (wall time of the subprocess as seen from here).
        manifest_cache: ``"hit"``, ``"miss"`` or ``"off"``; None when no query ran.
        versions: Installed versions of metricflow, dbt-core, dbt-duckdb, duckdb.
        stderr: What the runner printed on stderr (dbt's and MetricFlow's logs).
    """

    results: list[MFResult]
    timings_ms: dict[str, float] = field(default_factory=dict)
    manifest_cache: str | None = None
    versions: dict[str, str] = field(default_factory=dict)
    stderr: str = ""

    def by_id(self) -> dict[str, MFResult]:
        """Results keyed by query id."""
        return {r.id: r for r in self.results}


def run_metricflow_batch(
    project_dir: Path,
    duckdb_path: Path,
    queries: Sequence[MFQuery | Mapping[str, Any]],
    *,
    profile: str | None = None,
    schema: str = "main",
    executor: str = "duckdb",
    build: bool = False,
    parse: bool = False,
    cache: bool = True,
    timeout: float = 600.0,
    python: Path | None = None,
    postgres: Mapping[str, Any] | None = None,
) -> MFRun:
    """Run a batch of queries through MetricFlow in one subprocess; see :func:`run_metricflow`.

    Args:
        project_dir: The dbt project (read, never written).
        duckdb_path: The DuckDB file the models were built into (opened read-only, unless ``build``).
        queries: The queries, as :class:`MFQuery` or protocol dicts.
        profile: dbt profile name; defaults to the one in ``dbt_project.yml``.
        schema: The schema the models live in.
        executor: ``"duckdb"`` runs MetricFlow's SQL on DuckDB directly (native types);
            ``"adapter"`` runs ``engine.query`` through dbt's adapter, like ``mf query``.
        build: First run ``dbt seed`` and ``dbt run`` into ``duckdb_path``.
        parse: Run ``dbt parse`` even when ``queries`` is empty (checks the project, primes the cache).
        cache: Reuse semantic manifests cached in :func:`mf_cache_dir` (keyed by the project's contents,
            profile settings and versions), skipping ``dbt parse`` when nothing changed.
        timeout: Seconds before the runner is killed.
        python: MetricFlow's interpreter; default :func:`mf_python`.
        postgres: ``{"host", "port", "user", "password", "dbname"}`` of a PostgreSQL database to use
            instead of ``duckdb_path`` (dbt-postgres builds into it; queries run through dbt's adapter).

    Returns:
        The results, set-up timings, versions and the runner's stderr.

    Raises:
        MetricFlowRunError: The environment is missing, or the runner failed as a whole (the message
            includes the tail of its stderr). Failures of single queries are in their ``error`` instead.
    """
    interpreter = python or mf_python()
    if not interpreter.exists():
        raise MetricFlowRunError(f"MetricFlow's Python not found at {interpreter}: {MF_SETUP_HINT}")
    cache_dir = mf_cache_dir() if cache else None
    request = {
        "project_dir": str(Path(project_dir).resolve()),
        "duckdb_path": str(Path(duckdb_path).resolve()),
        "profile": profile,
        "schema": schema,
        "executor": executor,
        "build": build,
        "parse": parse,
        "cache_dir": str(cache_dir) if cache_dir is not None else None,
        "queries": [q.to_json() if isinstance(q, MFQuery) else dict(q) for q in queries],
        "postgres": dict(postgres) if postgres is not None else None,
    }
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}
    env.pop("DBT_PROFILES_DIR", None)
    env.pop("DBT_PROJECT_DIR", None)
    started = dt.datetime.now()
    try:
        done = subprocess.run(
            [str(interpreter), str(RUNNER)],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        stderr = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or ""
        raise MetricFlowRunError(
            f"MetricFlow runner timed out after {timeout:.0f} s\n{tail(stderr)}"
        ) from exc
    total_ms = (dt.datetime.now() - started).total_seconds() * 1000.0
    try:
        response = json.loads(done.stdout)
    except json.JSONDecodeError:
        response = None
    if done.returncode != 0 or not isinstance(response, dict) or response.get("error"):
        reason = response.get("error") if isinstance(response, dict) else "no JSON on stdout"
        raise MetricFlowRunError(
            f"MetricFlow runner failed (exit {done.returncode}): {reason}\n"
            f"project: {project_dir}\nduckdb: {duckdb_path}\n--- runner stderr (tail) ---\n{tail(done.stderr)}"
        )
    timings = {str(k): float(v) for k, v in response.get("timings_ms", {}).items()}
    timings["total"] = total_ms
    return MFRun(
        results=[MFResult.from_json(r) for r in response.get("results", [])],
        timings_ms=timings,
        manifest_cache=response.get("manifest_cache"),
        versions={str(k): str(v) for k, v in response.get("versions", {}).items()},
        stderr=done.stderr,
    )


def run_metricflow(
    project_dir: Path,
    duckdb_path: Path,
    queries: Sequence[MFQuery | Mapping[str, Any]],
    *,
    profile: str | None = None,
    schema: str = "main",
    executor: str = "duckdb",
    cache: bool = True,
    timeout: float = 600.0,
    postgres: Mapping[str, Any] | None = None,
) -> list[MFResult]:
    """Run queries through real MetricFlow on a dbt project and a DuckDB file it was built into.

    One subprocess under :func:`mf_python` copies the project to a temporary directory, runs ``dbt
    parse`` (or reuses a cached manifest), builds one engine and answers every query: ~7 s of set-up
    (~1.5 s on a cache hit), then a few ms to tens of ms per query.

    Args:
        project_dir: The dbt project (read, never written).
        duckdb_path: The DuckDB file the models were built into (opened read-only).
        queries: The queries, as :class:`MFQuery` or protocol dicts.
        profile: dbt profile name; defaults to the one in ``dbt_project.yml``.
        schema: The schema the models live in.
        executor: ``"duckdb"`` (default) or ``"adapter"``; see :func:`run_metricflow_batch`.
        cache: Reuse a cached semantic manifest when the project is unchanged.
        timeout: Seconds before the runner is killed.
        postgres: Target a PostgreSQL database instead (see :func:`run_metricflow_batch`).

    Returns:
        One result per query, in request order; failed queries carry ``error``.

    Raises:
        MetricFlowRunError: The runner failed as a whole.
    """
    return run_metricflow_batch(
        project_dir,
        duckdb_path,
        queries,
        profile=profile,
        schema=schema,
        executor=executor,
        cache=cache,
        timeout=timeout,
        postgres=postgres,
    ).results


def build_with_dbt(
    project_dir: Path,
    duckdb_path: Path,
    *,
    profile: str | None = None,
    schema: str = "main",
    timeout: float = 600.0,
    postgres: Mapping[str, Any] | None = None,
) -> MFRun:
    """Build a dbt project into ``duckdb_path`` (or a PostgreSQL database: ``postgres``) with ``dbt seed``
    and ``dbt run`` (MetricFlow's environment).

    The project is copied first, so its directory stays untouched. dbt, not DuckDB's CSV reader, loads the
    seeds, so column types are exactly what dbt users get (agate infers INTEGER where ``read_csv`` infers
    BIGINT). The same process then parses the project, which checks it and primes the manifest cache,
    so the first :func:`run_metricflow` on it skips ``dbt parse``.

    Raises:
        MetricFlowRunError: dbt failed; the message carries the runner's stderr.
    """
    return run_metricflow_batch(
        project_dir,
        duckdb_path,
        [],
        profile=profile,
        schema=schema,
        build=True,
        parse=True,
        timeout=timeout,
        postgres=postgres,
    )
