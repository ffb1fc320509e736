"""Run queries through real MetricFlow, in-process, and print the results as JSON.

This script runs inside MetricFlow's own virtual environment (``.venv-mf``), never ours, and must not
import ``metricmind``. It reads one JSON request on stdin and writes one JSON response on stdout::

    {"project_dir": "...", "duckdb_path": "...", "profile": null, "schema": "main",
     "build": false, "parse": false, "executor": "duckdb", "cache_dir": null,
     "queries": [{"id": "q1", "metrics": ["revenue"], "group_by": ["metric_time__month"],
                  "where": [], "start": "2024-01-01", "end": null, "order_by": [], "limit": null,
                  "saved_query": null, "explain_only": false, "repeat": 1}]}

    {"results": [{"id": "q1", "columns": [...], "types": [...], "rows": [[...]], "sql": "...",
                  "error": null, "compile_ms": [4.2], "execute_ms": 1.3}],
     "timings_ms": {"build", "mf_import", "dbt_import", "parse", "engine"}, "manifest_cache": "miss",
     "versions": {...}, "error": null}

Steps: copy the dbt project to a temporary directory (the source tree is never written), write a
``profiles.yml`` there for the profile named in ``dbt_project.yml``, run ``dbt parse`` in-process to get
``target/semantic_manifest.json``, build one ``MetricFlowEngine`` and compile every query with
``engine.explain``. With ``executor: "duckdb"`` (the default) the compiled SQL (exactly the statement
``engine.query`` would run) is executed on a read-only DuckDB connection, which keeps DuckDB's own value
types; ``executor: "adapter"`` runs ``engine.query`` through dbt's adapter like ``mf query`` does (values
pass through agate and MetricFlow's data table). ``build: true`` first runs ``dbt seed`` and ``dbt run``
into ``duckdb_path`` (the only mode that writes the DuckDB file); ``parse: true`` parses even without
queries (to check the project and prime the cache). With ``cache_dir``, the semantic manifest
is cached there under a hash of the project's files, profile settings and versions, which skips dbt (about
6 s of imports and parsing) when nothing changed.

The profile attaches the DuckDB file under an alias instead of opening it as the main database: the
semantic manifest embeds the database name (for DuckDB the file name up to its first dot), so the alias is
what MetricFlow's SQL names; it is the file's own catalog name when that is a plain identifier.

With ``"postgres": {"host", "port", "user", "password", "dbname"}`` the profile targets PostgreSQL
through dbt-postgres instead of a DuckDB file (``duckdb_path`` is then ignored): ``build`` runs ``dbt
seed``/``dbt run`` into that database and queries run through dbt's adapter (``executor`` is ``adapter``).

``start``/``end`` are MetricFlow's inclusive ``time_constraint_start``/``_end``. Output columns are in
request order (``OutputColumnOrderMode.INPUT_ORDER``) with MetricFlow's names. Values are JSON-safe: dates
and timestamps as ISO strings, Decimals as floats, NaN as null, infinities as "Infinity"/"-Infinity".
``execute_ms`` is null when the query was not executed.

Per-query failures are reported in ``error``; a failure to set up (bad project, dbt parse error) prints
a JSON response with a top-level ``error`` and exits with status 1. Everything dbt or MetricFlow prints
goes to stderr; stdout carries only the JSON response.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import gc
import hashlib
import json
import math
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_COPY_IGNORE = shutil.ignore_patterns(
    "target", "logs", ".venv*", "__pycache__", "*.duckdb", "*.duckdb.wal", "*.db", "*.wal", "profiles.yml"
)
_QUERY_KEYS = {
    "id",
    "metrics",
    "group_by",
    "where",
    "start",
    "end",
    "order_by",
    "limit",
    "saved_query",
    "explain_only",
    "repeat",
}
_RESERVED_ALIASES = {"main", "memory", "system", "temp"}


# --- value conversion ---------------------------------------------------------------------------


def json_value(value: Any) -> Any:
    """Convert one database value into a JSON-safe, comparable value.

    Dates and timestamps become ISO strings, Decimals become floats, NaN becomes null and infinities
    become the strings ``"Infinity"`` / ``"-Infinity"``; lists and structs are converted recursively;
    anything else unknown becomes its ``str``.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, (float, decimal.Decimal)):
        number = float(value)
        if math.isnan(number):
            return None
        if math.isinf(number):
            return "Infinity" if number > 0 else "-Infinity"
        return number
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    return str(value)


# --- project preparation ------------------------------------------------------------------------


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path} does not hold a YAML mapping")
    return data


def catalog_alias(duckdb_path: Path) -> str:
    """Return the name under which the DuckDB file is attached (and which the manifest will embed).

    DuckDB and dbt-duckdb name a file's catalog after the file name up to its first dot; that name is kept
    when it is a plain identifier, otherwise a sanitised one is used.
    """
    natural = duckdb_path.name.lstrip(".").split(".")[0]
    if _IDENT.match(natural) and natural.lower() not in _RESERVED_ALIASES:
        return natural
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", natural) or "db"
    if not (cleaned[0].isalpha() or cleaned[0] == "_"):
        cleaned = f"db_{cleaned}"
    if cleaned.lower() in _RESERVED_ALIASES:
        cleaned = f"{cleaned}_db"
    return cleaned


def prepare_project(
    project_dir: Path,
    duckdb_path: Path,
    profile: str | None,
    schema: str,
    work: Path,
    *,
    writable: bool,
    postgres: dict[str, Any] | None = None,
) -> tuple[Path, str, str]:
    """Copy the project into ``work`` and write a ``profiles.yml`` for it.

    Args:
        project_dir: The dbt project to copy (holds ``dbt_project.yml``).
        duckdb_path: The DuckDB file the profile points at.
        profile: Profile name; defaults to ``profile:`` in ``dbt_project.yml``, then the project name.
        schema: The schema the models were (or will be) built in.
        work: An empty scratch directory.
        writable: Open the file itself read-write (for ``dbt seed``/``dbt run``) instead of attaching it
            read-only under an alias.
        postgres: Connection settings of a PostgreSQL database to target instead of the DuckDB file.

    Returns:
        The copied project directory, the database name the manifest will embed, and the profile name.
    """
    if not (project_dir / "dbt_project.yml").is_file():
        raise FileNotFoundError(f"no dbt_project.yml in {project_dir}")
    project = work / "project"
    shutil.copytree(project_dir, project, ignore=_COPY_IGNORE, symlinks=False)
    config = _read_yaml(project / "dbt_project.yml")
    profile_name = profile or config.get("profile") or config.get("name")
    if not profile_name:
        raise ValueError(f"{project_dir}/dbt_project.yml names no profile and no project")
    output: dict[str, Any] = {"type": "duckdb", "threads": 1, "schema": schema}
    if postgres is not None:
        output = {
            "type": "postgres",
            "threads": 1,
            "schema": schema,
            "host": str(postgres.get("host") or "127.0.0.1"),
            "port": int(postgres["port"]),
            "user": str(postgres.get("user") or "postgres"),
            "password": str(postgres.get("password") or ""),
            "dbname": str(postgres["dbname"]),
        }
        database = str(postgres["dbname"])
    elif writable:
        output["path"] = str(duckdb_path)
        database = duckdb_path.name.lstrip(".").split(".")[0]
    else:
        database = catalog_alias(duckdb_path)
        output["path"] = ":memory:"
        output["database"] = database
        output["attach"] = [{"path": str(duckdb_path), "alias": database, "read_only": True}]
    entry = {"target": "metricmind_mf", "outputs": {"metricmind_mf": output}}
    # Under the requested name (passed to dbt as --profile) and the project's own (read by `mf`'s loader).
    profiles = {str(name): entry for name in {profile_name, config.get("profile") or profile_name}}
    (project / "profiles.yml").write_text(json.dumps(profiles, indent=2))
    return project, database, str(profile_name)


def fingerprint(project: Path, database: str, schema: str, profile: str) -> str:
    """Key of the semantic manifest ``dbt parse`` makes of ``project``: its files' contents and paths,
    the database alias, schema and profile name, and the dbt / MetricFlow versions.

    The DuckDB file's path is left out (the manifest only holds its alias), so rebuilding the same
    project into a new file still hits the cache. Jinja ``env_var()`` / ``--vars`` are not covered.
    """
    digest = hashlib.sha256()
    meta = {"database": database, "schema": schema, "profile": profile, "versions": _versions(), "format": 1}
    digest.update(json.dumps(meta, sort_keys=True).encode())
    for path in sorted(p for p in project.rglob("*") if p.is_file() and p.name != "profiles.yml"):
        digest.update(b"\0" + path.relative_to(project).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _dbt(project: Path, profile: str, *args: str) -> None:
    """Run one dbt command in-process against the copied project; raise on failure."""
    from dbt.cli.main import dbtRunner

    argv = [
        *args,
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target-path",
        str(project / "target"),
        "--log-path",
        str(project / "logs"),
        "--profile",
        profile,
        "--quiet",
    ]
    result = dbtRunner().invoke(argv)
    if not result.success:
        detail = f": {result.exception}" if result.exception is not None else ""
        raise RuntimeError(f"dbt {' '.join(args)} failed{detail} (dbt's log: {project / 'logs'})")


def _release_dbt_duckdb() -> None:
    """Close the DuckDB instance dbt-duckdb keeps open, so the file can be attached read-only next."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.adapters.factory import reset_adapters

    reset_adapters()
    env = DuckDBConnectionManager._ENV
    if env is not None:
        with contextlib.suppress(Exception):
            env.close()
    DuckDBConnectionManager.close_all_connections()
    gc.collect()


# --- the engine -------------------------------------------------------------------------------


class DuckDBClient:
    """A minimal MetricFlow ``SqlClient`` over one in-process DuckDB connection.

    MetricFlow only needs the engine type and renderer to compile, so the file is attached lazily, on the
    first execution: explain-only runs work without a built database.
    """

    def __init__(self, duckdb_path: Path, alias: str) -> None:
        """Remember ``duckdb_path``; it is attached read-only as ``alias`` when first needed."""
        from metricflow.protocols.sql_client import SqlEngine
        from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer

        self._path = duckdb_path
        self._alias = alias
        self._connection: Any = None
        self._engine = SqlEngine.DUCKDB
        self._renderer = DuckDbSqlPlanRenderer()

    @property
    def connection(self) -> Any:
        """The DuckDB connection, with the file attached read-only as the default catalog."""
        if self._connection is None:
            import duckdb

            if not self._path.is_file():
                raise FileNotFoundError(f"DuckDB file not found: {self._path}")
            connection = duckdb.connect(":memory:")
            escaped = str(self._path).replace("'", "''")
            connection.execute(f"ATTACH '{escaped}' AS \"{self._alias}\" (READ_ONLY)")
            connection.execute(f'USE "{self._alias}"')
            self._connection = connection
        return self._connection

    @property
    def sql_engine_type(self) -> Any:
        return self._engine

    @property
    def sql_plan_renderer(self) -> Any:
        return self._renderer

    def fetch(self, stmt: str) -> tuple[list[str], list[str], list[tuple[Any, ...]]]:
        """Run ``stmt`` and return column names, DuckDB type names and rows."""
        cursor = self.connection.execute(stmt)
        description = cursor.description or []
        rows = cursor.fetchall()
        return [d[0] for d in description], [str(d[1]) for d in description], rows

    def query(self, stmt: str, sql_bind_parameter_set: Any = None) -> Any:
        from metricflow.data_table.mf_table import MetricFlowDataTable

        columns, _, rows = self.fetch(stmt)
        return MetricFlowDataTable.create_from_rows(column_names=columns, rows=rows)

    def execute(self, stmt: str, sql_bind_parameter_set: Any = None) -> None:
        self.connection.execute(stmt)

    def dry_run(self, stmt: str, sql_bind_parameter_set: Any = None) -> None:
        self.connection.execute(f"EXPLAIN {stmt}")

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def render_bind_parameter_key(self, bind_parameter_key: str) -> str:
        return f"${bind_parameter_key}"


def _check_databases(manifest: Any, database: str) -> None:
    """Fail loudly when the manifest points at another database than the one attached (the stem gotcha)."""
    found = {m.node_relation.database for m in manifest.semantic_models if m.node_relation.database}
    other = sorted(found - {database})
    if other:
        raise RuntimeError(
            f"semantic manifest refers to database(s) {other}, but the DuckDB file is attached as "
            f"{database!r}; models with a custom `database:` config are not supported"
        )


def _adapter_client(project: Path) -> Any:
    """Build the dbt-adapter-backed SqlClient exactly as ``mf``'s ``CLIConfiguration`` does."""
    from dbt_metricflow.cli.dbt_connectors.adapter_backed_client import AdapterBackedSqlClient
    from dbt_metricflow.cli.dbt_connectors.dbt_config_accessor import dbtArtifacts, dbtProjectMetadata

    metadata = dbtProjectMetadata.load_from_paths(profiles_path=project, project_path=project)
    return AdapterBackedSqlClient(dbtArtifacts.load_from_project_metadata(metadata).adapter)


def _parse_day(value: Any, field: str) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{field} must be 'YYYY-MM-DD' or null, got {value!r}")
    return dt.datetime.fromisoformat(value)


def _names(query: dict[str, Any], field: str) -> list[str]:
    value = query.get(field) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{field} must be a list of strings, got {value!r}")
    return value


_EXTRACT = "__extract_"
_STANDARD_GRAINS = ("day", "week", "month", "quarter", "year")


def _group_param(name: str) -> Any:
    """A group-by name as MetricFlow's parameter object (the only way to ask for a date part)."""
    from metricflow_semantic_interfaces.type_enums.date_part import DatePart
    from metricflow_semantics.specs.query_param_implementations import (
        DimensionOrEntityParameter,
        TimeDimensionParameter,
    )

    if _EXTRACT in name:
        base, part = name.rsplit(_EXTRACT, 1)
        return TimeDimensionParameter(name=base, date_part=DatePart(part))
    base, _, last = name.rpartition("__")
    if base and last in _STANDARD_GRAINS:
        return TimeDimensionParameter(name=base, grain=last)
    if name == "metric_time":
        return TimeDimensionParameter(name=name)
    return DimensionOrEntityParameter(name=name)


def _order_param(name: str, metrics: list[str]) -> Any:
    from metricflow_semantics.specs.query_param_implementations import MetricParameter, OrderByParameter

    descending = name.startswith("-")
    bare = name.lstrip("-")
    item = MetricParameter(name=bare) if bare in metrics else _group_param(bare)
    return OrderByParameter(order_by=item, descending=descending)


def _request(query: dict[str, Any]) -> Any:
    """The request; group-by names with a date part (``metric_time__extract_month``, which MetricFlow's
    name parser refuses) go as parameter objects, as MetricFlow's Python API takes them.
    """
    from metricflow.engine.metricflow_engine import MetricFlowQueryRequest, OutputColumnOrderMode

    unknown = set(query) - _QUERY_KEYS
    if unknown:
        raise ValueError(f"unknown query field(s): {sorted(unknown)}")
    saved = query.get("saved_query")
    metrics, group_by = _names(query, "metrics"), _names(query, "group_by")
    order_by = _names(query, "order_by")
    params = not saved and any(_EXTRACT in n for n in group_by + order_by)
    return MetricFlowQueryRequest.create(
        saved_query_name=saved,
        # With a saved query, pass metrics / group-by only when given, so MetricFlow rejects the mix.
        metric_names=(metrics or None) if saved else metrics,
        group_by_names=None if params else (group_by or None) if saved else group_by,
        group_by=[_group_param(n) for n in group_by] if params else None,
        where_constraints=_names(query, "where") or None,
        time_constraint_start=_parse_day(query.get("start"), "start"),
        time_constraint_end=_parse_day(query.get("end"), "end"),
        order_by_names=None if params else order_by or None,
        order_by=[_order_param(n, metrics) for n in order_by] if params and order_by else None,
        limit=query.get("limit"),
        output_column_order_mode=OutputColumnOrderMode.INPUT_ORDER,
    )


def run_query(engine: Any, client: Any, query: dict[str, Any], executor: str) -> dict[str, Any]:
    """Compile (``repeat`` times) and, unless ``explain_only``, execute one query; never raises."""
    result: dict[str, Any] = {
        "id": str(query.get("id", "")),
        "columns": [],
        "types": [],
        "rows": [],
        "sql": "",
        "error": None,
        "compile_ms": [],
        "execute_ms": None,
    }
    try:
        request = _request(query)
        repeat = max(1, int(query.get("repeat") or 1))
        explained = None
        for _ in range(repeat):
            request = request.with_request_id(type(request.request_id)(mf_rid=uuid.uuid4().hex))
            started = time.perf_counter()
            explained = engine.explain(mf_request=request)
            result["compile_ms"].append((time.perf_counter() - started) * 1000.0)
        assert explained is not None
        statement = explained.sql_statement
        result["sql"] = statement.without_descriptions.sql
        if query.get("explain_only"):
            return result
        if statement.bind_parameter_set.param_dict:
            raise NotImplementedError(f"bind parameters are not supported: {statement.bind_parameter_set}")
        started = time.perf_counter()
        if executor == "adapter":
            table = engine.query(mf_request=request).result_df
            columns, rows = list(table.column_names), [list(r) for r in table.rows]
            types = [d.column_type.__name__ for d in table.column_descriptions]
        else:
            columns, types, rows = client.fetch(statement.sql)
        result["execute_ms"] = (time.perf_counter() - started) * 1000.0
        result["columns"] = columns
        result["types"] = types
        result["rows"] = [[json_value(v) for v in row] for row in rows]
    except Exception as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"
    return result


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found: dict[str, str] = {}
    for name in ("metricflow", "dbt-metricflow", "dbt-core", "dbt-duckdb", "dbt-postgres", "duckdb"):
        with contextlib.suppress(PackageNotFoundError):
            found[name] = version(name)
    return found


def _semantic_manifest(
    project: Path, database: str, schema: str, profile: str, cache_dir: Path | None, timings: dict[str, float]
) -> tuple[str, str]:
    """Return the semantic manifest JSON for ``project`` and whether it came from the cache."""
    target = project / "target" / "semantic_manifest.json"
    cached = None
    if cache_dir is not None:
        cached = cache_dir / f"{fingerprint(project, database, schema, profile)}.json"
        if cached.is_file():
            text = cached.read_text()
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)  # the adapter executor reads it from the project, like `mf`
            return text, "hit"
    started = time.perf_counter()
    from dbt.cli.main import dbtRunner  # noqa: F401 - import timed apart from parsing

    timings["dbt_import"] = (time.perf_counter() - started) * 1000.0
    started = time.perf_counter()
    _dbt(project, profile, "parse")
    timings["parse"] = (time.perf_counter() - started) * 1000.0
    if not target.is_file():
        raise FileNotFoundError(f"dbt parse wrote no {target}")
    text = target.read_text()
    if cached is None:
        return text, "off"
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(text)
    os.replace(partial, cached)
    return text, "miss"


def run(request: dict[str, Any]) -> dict[str, Any]:
    """Serve one request (see the module docstring); raises on set-up failures."""
    project_dir = Path(request["project_dir"]).resolve()
    duckdb_path = Path(request["duckdb_path"]).resolve()
    profile = request.get("profile")
    schema = request.get("schema") or "main"
    postgres = request.get("postgres")
    executor = "adapter" if postgres else request.get("executor") or "duckdb"
    if executor not in ("duckdb", "adapter"):
        raise ValueError(f"executor must be 'duckdb' or 'adapter', got {executor!r}")
    cache_dir = Path(request["cache_dir"]).expanduser() if request.get("cache_dir") else None
    queries = list(request.get("queries") or [])
    timings: dict[str, float] = {}
    response: dict[str, Any] = {"results": [], "timings_ms": timings, "manifest_cache": None, "error": None}
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")

    with tempfile.TemporaryDirectory(prefix="mf_runner_") as scratch:
        work = Path(scratch)
        if request.get("build"):
            started = time.perf_counter()
            duckdb_path.parent.mkdir(parents=True, exist_ok=True)
            project, _, build_profile = prepare_project(
                project_dir, duckdb_path, profile, schema, work / "build", writable=True, postgres=postgres
            )
            _dbt(project, build_profile, "seed")
            _dbt(project, build_profile, "run")
            if not postgres:
                _release_dbt_duckdb()
            timings["build"] = (time.perf_counter() - started) * 1000.0
        if not queries and not request.get("parse"):
            return {**response, "versions": _versions()}

        started = time.perf_counter()
        from metricflow.engine.metricflow_engine import MetricFlowEngine
        from metricflow_semantics.model.dbt_manifest_parser import parse_manifest_from_dbt_generated_manifest
        from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

        timings["mf_import"] = (time.perf_counter() - started) * 1000.0
        project, database, profile_name = prepare_project(
            project_dir, duckdb_path, profile, schema, work / "query", writable=False, postgres=postgres
        )
        text, response["manifest_cache"] = _semantic_manifest(
            project, database, schema, profile_name, cache_dir, timings
        )
        if not queries:  # parse only: validates the project and primes the manifest cache
            return {**response, "versions": _versions()}
        started = time.perf_counter()
        manifest = parse_manifest_from_dbt_generated_manifest(manifest_json_string=text)
        _check_databases(manifest, database)
        client: Any = None if postgres else DuckDBClient(duckdb_path, database)
        engine_client = _adapter_client(project) if executor == "adapter" else client
        engine = MetricFlowEngine(
            semantic_manifest_lookup=SemanticManifestLookup(manifest), sql_client=engine_client
        )
        timings["engine"] = (time.perf_counter() - started) * 1000.0
        try:
            response["results"] = [run_query(engine, client, query, executor) for query in queries]
        finally:
            if client is not None:
                client.close()
            if executor == "adapter":
                engine_client.close()
    return {**response, "versions": _versions()}


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[Any]:
    """Send everything written to fd 1 (dbt's and MetricFlow's chatter) to stderr; yield the real stdout."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    real = os.fdopen(saved, "w", encoding="utf-8")
    try:
        yield real
    finally:
        sys.stdout.flush()
        real.close()


def main() -> int:
    """Read the request on stdin, write the response on stdout; exit 1 on set-up failure."""
    with _stdout_to_stderr() as out:
        try:
            request = json.loads(sys.stdin.read())
            response = run(request)
            code = 0
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            response = {"results": [], "error": f"{type(exc).__name__}: {exc}"}
            code = 1
        json.dump(response, out, allow_nan=False)
        out.write("\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
