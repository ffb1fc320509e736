"""Run queries through real MetricFlow and compare its answers with ours.

MetricFlow lives in its own virtual environment (``.venv-mf``: dbt-core, dbt-duckdb, dbt-metricflow), so
we never import it here. :func:`run_metricflow` sends a batch of queries to
``tests/differential/mf_runner.py`` running under that environment's Python, which parses the dbt project
once, builds one ``MetricFlowEngine`` and answers every query in-process. :func:`compare_results` decides
whether two result sets are the same answer, tolerating what legitimately differs between engines (date
vs timestamp, int vs float vs Decimal, row order, float rounding).

Example::

    results = run_metricflow(project_dir, duckdb_path, [MFQuery("q1", metrics=("revenue",),
                                                                group_by=("metric_time__month",))])
    assert results[0].error is None
    assert compare_results(our_columns, our_rows, results[0].columns, results[0].rows) == []
"""

from __future__ import annotations

import datetime as dt
import decimal
import fcntl
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
"""The source checkout this module lives in (the harness is a development tool)."""

RUNNER = REPO_ROOT / "tests" / "differential" / "mf_runner.py"
"""The script run under MetricFlow's Python."""

MF_PYTHON_ENV = "METRICMIND_MF_PYTHON"
"""Environment variable naming the Python interpreter of MetricFlow's virtual environment."""

MF_CACHE_ENV = "METRICMIND_MF_CACHE"
"""Environment variable naming the semantic-manifest cache directory (``off`` disables the cache)."""

MF_REQUIREMENTS = (
    "dbt-metricflow==0.15.0",
    "metricflow==0.213.0",
    "dbt-core==1.11.16",
    "dbt-duckdb==1.11.1",
    "dbt-postgres==1.11.0",
)
"""What ``.venv-mf`` holds: the versions the harness was verified with (the Makefile's ``mf-env`` pins).
Unpinned, ``dbt-core`` must stay below 1.12, whose parser binary cannot be built offline."""

MF_SETUP_HINT = (
    "create MetricFlow's environment with `make mf-env`, or: python3 -m venv .venv-mf && "
    ".venv-mf/bin/pip install dbt-metricflow dbt-duckdb 'dbt-core<1.12' "
    f"(or point {MF_PYTHON_ENV} at a Python that has them; CI=true creates it)"
)

_REQUIRED_MODULES = ("metricflow", "dbt_metricflow", "dbt.adapters.duckdb", "dbt.adapters.postgres", "duckdb")


class MetricFlowRunError(RuntimeError):
    """The MetricFlow runner could not run (missing environment, bad project, crash, timeout)."""


# --- the environment ---------------------------------------------------------------------------


def mf_python() -> Path:
    """Return the Python interpreter of MetricFlow's environment.

    ``$METRICMIND_MF_PYTHON`` when set, else ``<repo>/.venv-mf/bin/python``. The path may not exist;
    see :func:`mf_available`.
    """
    configured = os.environ.get(MF_PYTHON_ENV)
    if configured:
        return Path(configured).expanduser()
    return REPO_ROOT / ".venv-mf" / "bin" / "python"


def mf_cache_dir() -> Path | None:
    """Where the runner caches semantic manifests: ``$METRICMIND_MF_CACHE``, else
    ``$XDG_CACHE_HOME/metricmind/mf-manifests`` (``~/.cache/...``); None when the variable says ``off``.
    """
    configured = os.environ.get(MF_CACHE_ENV, "").strip()
    if configured.lower() in {"off", "0", "false", "no"}:
        return None
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "metricmind" / "mf-manifests"


def mf_available(python: Path | None = None) -> bool:
    """Whether ``python`` (default :func:`mf_python`) can run MetricFlow with dbt-duckdb.

    Checks that the interpreter exists and finds the packages, without importing them (~50 ms).
    """
    interpreter = python or mf_python()
    if not interpreter.exists():
        return False
    probe = (
        "import importlib.util as u, sys; "
        f"sys.exit(0 if all(u.find_spec(m) for m in {_REQUIRED_MODULES!r}) else 1)"
    )
    try:
        completed = subprocess.run(
            [str(interpreter), "-c", probe], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return completed.returncode == 0


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (so parallel test workers create the environment once)."""
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_mf_env(repo_root: Path = REPO_ROOT, *, timeout: float = 900.0) -> Path:
    """Create ``<repo_root>/.venv-mf`` with MetricFlow, dbt-core and dbt-duckdb unless it already works.

    Runs ``python -m venv .venv-mf`` and ``.venv-mf/bin/python -m pip install`` :data:`MF_REQUIREMENTS`
    (dbt-metricflow, metricflow, dbt-core, dbt-duckdb) through the configured package index. An existing environment that lacks packages
    gets the pip step only; a new one that fails half-way is removed so the next call starts over. A lock
    (in the temp directory) keeps parallel test workers from building it twice.

    Args:
        repo_root: The checkout that gets the ``.venv-mf`` directory.
        timeout: Seconds allowed for each of the two steps.

    Returns:
        The environment's Python interpreter.

    Raises:
        MetricFlowRunError: The environment could not be created; the message carries pip's output.
    """
    venv = repo_root / ".venv-mf"
    python = venv / "bin" / "python"
    tag = hashlib.sha256(str(repo_root.resolve()).encode()).hexdigest()[:16]
    with _locked(Path(tempfile.gettempdir()) / f"metricmind-venv-mf-{tag}.lock"):
        if mf_available(python):
            return python
        repair = python.exists()  # an existing environment is completed, never deleted
        steps = [[str(python), "-m", "pip", "install", "--disable-pip-version-check", *MF_REQUIREMENTS]]
        if not repair:
            shutil.rmtree(venv, ignore_errors=True)
            steps.insert(0, [sys.executable, "-m", "venv", str(venv)])
        for step in steps:
            try:
                done = subprocess.run(step, capture_output=True, text=True, timeout=timeout, check=False)
            except subprocess.TimeoutExpired as exc:
                if not repair:
                    shutil.rmtree(venv, ignore_errors=True)
                raise MetricFlowRunError(f"timed out after {timeout:.0f} s: {' '.join(step)}") from exc
            if done.returncode != 0:
                if not repair:
                    shutil.rmtree(venv, ignore_errors=True)
                raise MetricFlowRunError(
                    f"creating {venv} failed: {' '.join(step)} exited {done.returncode}\n"
                    f"{_tail(done.stdout)}\n{_tail(done.stderr)}"
                )
        if not mf_available(python):
            raise MetricFlowRunError(f"{venv} was created but cannot import {', '.join(_REQUIRED_MODULES)}")
        (venv / ".installed").touch()  # the Makefile's stamp for the same environment
    return python


# --- the runner protocol --------------------------------------------------------------------------


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


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


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
            f"MetricFlow runner timed out after {timeout:.0f} s\n{_tail(stderr)}"
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
            f"project: {project_dir}\nduckdb: {duckdb_path}\n--- runner stderr (tail) ---\n{_tail(done.stderr)}"
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


# --- comparing results ---------------------------------------------------------------------------

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$")


@dataclass(frozen=True)
class _Num:
    """A normalised number: exact when every source was an integer, else a float."""

    value: int | float

    def close_to(self, other: _Num, rel_tol: float, abs_tol: float) -> bool:
        if isinstance(self.value, int) and isinstance(other.value, int):
            return self.value == other.value
        return math.isclose(self.value, other.value, rel_tol=rel_tol, abs_tol=abs_tol) or (
            self.value == other.value
        )


def _iso(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    text = value.isoformat(timespec="microseconds")
    return text[: -len(".000000")] if text.endswith(".000000") else text


def _normalise(value: Any) -> Any:
    """Map one cell to a canonical, hashable form.

    NULL and NaN become None; bools stay bools; ints, integral Decimals, floats and Decimals become
    :class:`_Num`; dates, timestamps and ISO date(-time) strings become ``YYYY-MM-DDTHH:MM:SS[.ffffff]``
    (aware values in UTC); ``"Infinity"`` strings (the runner's spelling) become infinite numbers.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return _Num(value)
    if isinstance(value, decimal.Decimal):
        if value.is_nan():
            return None
        if value.is_finite() and value == value.to_integral_value():
            return _Num(int(value))
        return _Num(float(value))
    if isinstance(value, float):
        return None if math.isnan(value) else _Num(value)
    if isinstance(value, dt.datetime):
        return _iso(value)
    if isinstance(value, dt.date):
        return _iso(dt.datetime(value.year, value.month, value.day))
    if isinstance(value, str):
        if value in ("Infinity", "-Infinity"):
            return _Num(float(value.replace("Infinity", "inf")))
        if _DATE.match(value) or _TIMESTAMP.match(value):
            try:
                return _iso(dt.datetime.fromisoformat(value.replace("Z", "+00:00")))
            except ValueError:  # shaped like a date but not one, e.g. 2024-13-45
                return value
        return value
    if isinstance(value, (list, tuple)):
        return tuple(_normalise(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _normalise(v)) for k, v in value.items()))
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value)


def _cells_equal(a: Any, b: Any, rel_tol: float, abs_tol: float) -> bool:
    if isinstance(a, _Num) and isinstance(b, _Num):
        return a.close_to(b, rel_tol, abs_tol)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(
            _cells_equal(x, y, rel_tol, abs_tol) for x, y in zip(a, b, strict=True)
        )
    return type(a) is type(b) and a == b


def _rows_equal(a: tuple[Any, ...], b: tuple[Any, ...], rel_tol: float, abs_tol: float) -> bool:
    return all(_cells_equal(x, y, rel_tol, abs_tol) for x, y in zip(a, b, strict=True))


def _show(cell: Any) -> str:
    if isinstance(cell, _Num):
        return repr(cell.value)
    if cell is None:
        return "NULL"
    return repr(cell)


def _rounded(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A hash key under which rows equal within a tolerance usually coincide (checked afterwards)."""
    out: list[Any] = []
    for cell in row:
        if isinstance(cell, _Num) and isinstance(cell.value, float) and math.isfinite(cell.value):
            out.append(float(f"{cell.value:.6g}") if abs(cell.value) >= 1e-6 else 0.0)
        elif isinstance(cell, _Num):
            out.append(float(cell.value) if math.isfinite(cell.value) else cell.value)
        else:
            out.append(cell)
    return tuple(out)


def _key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The non-numeric cells of a row: its identity when matching leftovers for the report."""
    return tuple(None if isinstance(c, _Num) else c for c in row)


def _match(
    ours: list[tuple[Any, ...]], theirs: list[tuple[Any, ...]], rel_tol: float, abs_tol: float
) -> tuple[list[int], list[int]]:
    """Pair equal rows as a multiset; return the indexes left unmatched on each side.

    Three passes: identical rows (so a permutation always pairs up completely), then rows equal within
    tolerance under a rounded hash key, then brute force over what is left while that stays cheap.
    """
    left = list(range(len(ours)))
    right = list(range(len(theirs)))
    for key in (lambda row: row, _rounded):
        buckets: dict[Any, list[int]] = defaultdict(list)
        for j in right:
            buckets[key(theirs[j])].append(j)
        used: set[int] = set()
        unmatched: list[int] = []
        for i in left:
            bucket = buckets.get(key(ours[i]), [])
            j = next(
                (j for j in bucket if j not in used and _rows_equal(ours[i], theirs[j], rel_tol, abs_tol)), -1
            )
            if j < 0:
                unmatched.append(i)
            else:
                used.add(j)
        left, right = unmatched, [j for j in right if j not in used]
    if left and right and len(left) * len(right) <= 4_000_000:
        used = set()
        unmatched = []
        for i in left:
            j = next(
                (j for j in right if j not in used and _rows_equal(ours[i], theirs[j], rel_tol, abs_tol)), -1
            )
            if j < 0:
                unmatched.append(i)
            else:
                used.add(j)
        left, right = unmatched, [j for j in right if j not in used]
    return left, right


def compare_results(
    ours_columns: Sequence[str],
    ours_rows: Sequence[Sequence[Any]],
    mf_columns: Sequence[str],
    mf_rows: Sequence[Sequence[Any]],
    *,
    ordered: bool = False,
    rel_tol: float = 1e-9,
    abs_tol: float = 1e-6,
    max_diffs: int = 20,
) -> list[str]:
    """Compare our result set with MetricFlow's; an empty list means they are the same answer.

    Columns are matched by name (their order does not matter). Cells are normalised first: NULL and NaN
    are the same; ints, floats and Decimals compare as numbers (exactly when both are integral, else
    within ``rel_tol``/``abs_tol``); a date equals the timestamp at its midnight and the ISO strings of
    either (``2024-01-01`` == ``2024-01-01T00:00:00`` == ``2024-01-01 00:00:00``); bools only equal bools.
    Rows are compared as a multiset unless ``ordered``.

    Args:
        ours_columns: Our column names.
        ours_rows: Our rows, positionally matching ``ours_columns``.
        mf_columns: MetricFlow's column names.
        mf_rows: MetricFlow's rows.
        ordered: Also require the same row order.
        rel_tol: Relative tolerance for non-integral numbers.
        abs_tol: Absolute tolerance for non-integral numbers.
        max_diffs: Report at most this many row differences (then a count of the rest).

    Returns:
        Human-readable differences: column mismatches, row counts, rows missing from ours (MetricFlow
        has them), extra rows in ours, and value mismatches for rows whose non-numeric cells agree.
    """
    diffs: list[str] = []
    for side, columns in (("ours", ours_columns), ("metricflow", mf_columns)):
        dupes = sorted({c for c in columns if list(columns).count(c) > 1})
        if dupes:
            diffs.append(f"duplicate column names in {side}: {dupes}")
    missing = [c for c in mf_columns if c not in ours_columns]
    extra = [c for c in ours_columns if c not in mf_columns]
    if missing:
        diffs.append(f"columns missing in ours: {missing} (ours: {list(ours_columns)})")
    if extra:
        diffs.append(f"extra columns in ours: {extra} (metricflow: {list(mf_columns)})")
    common = [c for c in mf_columns if c in ours_columns]
    if not common or diffs and any(d.startswith("duplicate") for d in diffs):
        return diffs
    for side, columns, rows in (("ours", ours_columns, ours_rows), ("metricflow", mf_columns, mf_rows)):
        bad = [i for i, r in enumerate(rows) if len(r) != len(columns)]
        if bad:
            diffs.append(f"{side}: {len(bad)} row(s) do not have {len(columns)} cells (first: row {bad[0]})")
    if diffs and any("cells" in d for d in diffs):
        return diffs

    o_idx = [list(ours_columns).index(c) for c in common]
    m_idx = [list(mf_columns).index(c) for c in common]
    ours = [tuple(_normalise(r[i]) for i in o_idx) for r in ours_rows]
    theirs = [tuple(_normalise(r[i]) for i in m_idx) for r in mf_rows]
    if len(ours) != len(theirs):
        diffs.append(f"row count: ours {len(ours)}, metricflow {len(theirs)}")

    def describe(row: tuple[Any, ...]) -> str:
        return "{" + ", ".join(f"{c}: {_show(v)}" for c, v in zip(common, row, strict=True)) + "}"

    def mismatch(a: tuple[Any, ...], b: tuple[Any, ...]) -> str:
        return "; ".join(
            f"{c}: ours {_show(x)} != metricflow {_show(y)}"
            for c, x, y in zip(common, a, b, strict=True)
            if not _cells_equal(x, y, rel_tol, abs_tol)
        )

    row_diffs: list[str] = []
    if ordered:
        for n, (a, b) in enumerate(zip(ours, theirs, strict=False)):
            if not _rows_equal(a, b, rel_tol, abs_tol):
                row_diffs.append(f"row {n}: {mismatch(a, b)}")
        row_diffs += [
            f"extra in ours at row {n}: {describe(r)}" for n, r in enumerate(ours) if n >= len(theirs)
        ]
        row_diffs += [
            f"missing in ours at row {n}: {describe(r)}" for n, r in enumerate(theirs) if n >= len(ours)
        ]
        if row_diffs and _match(ours, theirs, rel_tol, abs_tol) == ([], []):
            diffs.append("same rows in a different order")
    else:
        left, right = _match(ours, theirs, rel_tol, abs_tol)
        # Leftovers that agree on every non-numeric cell (their group-by key) are one row with wrong values.
        right_by_key: dict[Any, list[int]] = defaultdict(list)
        for j in right:
            right_by_key[_key(theirs[j])].append(j)
        left_by_key: dict[Any, list[int]] = defaultdict(list)
        for i in left:
            left_by_key[_key(ours[i])].append(i)
        paired: set[int] = set()
        extras: list[str] = []
        for i in left:
            key = _key(ours[i])
            if len(left_by_key[key]) == 1 and len(right_by_key.get(key, [])) == 1:
                j = right_by_key[key][0]
                paired.add(j)
                where = ", ".join(
                    f"{c}: {_show(v)}"
                    for c, v in zip(common, ours[i], strict=True)
                    if not isinstance(v, _Num)
                )
                row_diffs.append(f"value mismatch at {{{where}}}: {mismatch(ours[i], theirs[j])}")
            else:
                extras.append(f"extra in ours: {describe(ours[i])}")
        row_diffs += [f"missing in ours: {describe(theirs[j])}" for j in right if j not in paired]
        row_diffs += extras
    if len(row_diffs) > max_diffs:
        row_diffs = [*row_diffs[:max_diffs], f"... and {len(row_diffs) - max_diffs} more row difference(s)"]
    return [*diffs, *row_diffs]
