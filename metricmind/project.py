"""The ``Project`` facade: load a project folder, compile and run metric queries.

Interfaces (CLI, web, MCP) and notebooks call only this and the core types::

    from metricmind import Project, MetricQuery

    project = Project.load("path/to/project")
    print(project.compile(MetricQuery.build("revenue", group_by="metric_time__month")))
    result = project.run(MetricQuery.build("revenue", group_by="customer__segment"))
    result.df()   # pandas, with the `frames` extra
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metricmind import config
from metricmind.compiler import Compiler, Dialect, Plan
from metricmind.compiler.dialects import get as get_dialect
from metricmind.compiler.keys import repeated_keys_sql
from metricmind.errors import (
    Issue,
    Level,
    MetricmindError,
    QueryError,
    SpecError,
    UnknownNameError,
)
from metricmind.spec import rules
from metricmind.spec.joingraph import JoinGraph
from metricmind.spec.loader import empty_project_error, load
from metricmind.spec.model import Dimension, Grain, Metric, Model
from metricmind.spec.names import METRIC_TIME, SEP, split
from metricmind.spec.profiles import Profile
from metricmind.spec.query import MetricQuery
from metricmind.spec.triage import Refusals, Unavailable, triage
from metricmind.warehouse.base import Warehouse
from metricmind.warehouse.registry import connect

if TYPE_CHECKING:
    from metricmind.catalog.service import Catalog
    from metricmind.catalog.vocabulary import Vocabulary
    from metricmind.learn.memory import Memory
    from metricmind.resolve import Resolver

PROJECT_MARKERS = ("metricmind.yml", "dbt_project.yml")


@dataclass(frozen=True)
class DimensionInfo:
    """A group-by name available for some metrics."""

    name: str
    type: str  # categorical | time | entity
    description: str = ""
    grains: tuple[str, ...] = ()
    model: str = ""
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Execution:
    """What one run did: handed to every ``Project.listeners`` callback (the catalog records it)."""

    query: MetricQuery
    sql: str
    started_at: dt.datetime
    elapsed_ms: float
    rows: int
    error: str | None
    user: str | None
    source: str


@dataclass
class QueryResult:
    """Rows of a metric query, the SQL that produced them, and timings."""

    query: MetricQuery
    columns: list[str]
    rows: list[tuple[Any, ...]]
    sql: str
    elapsed_ms: float
    compile_ms: float
    types: list[str] = field(default_factory=list)
    #: group-by columns whose groups overlap (``allow_overlap`` queries through one-to-many joins)
    overlapping: tuple[str, ...] = ()
    #: the same query without those columns: the true total beside overlapping groups
    total: QueryResult | None = None

    @property
    def note(self) -> str | None:
        """What a reader must know about these rows (overlapping groups), or None."""
        if not self.overlapping:
            return None
        names = ", ".join(self.overlapping)
        text = (
            f"Overlapping groups: a row is counted once in every {names} group it belongs to, so the "
            f"groups may add up to more than the total."
        )
        if self.total is None:
            return text
        if len(self.total.rows) == 1 and len(self.total.columns) == len(self.query.metrics):
            values = ", ".join(
                f"{c} = {json_value(v)}" for c, v in zip(self.total.columns, self.total.rows[0], strict=True)
            )
            return f"{text} True total: {values}."
        return f"{text} The true totals without {names} are given beside them (`total`)."

    def to_dict(self) -> dict[str, Any]:
        """``{"columns", "rows", "sql", "elapsed_ms"}`` with JSON-safe values; with overlapping groups also
        ``overlapping_groups``, ``note`` and ``total`` (``{"columns", "rows"}``).
        """
        out: dict[str, Any] = {
            "columns": list(self.columns),
            "rows": [[json_value(v) for v in row] for row in self.rows],
            "sql": self.sql,
            "elapsed_ms": round(self.elapsed_ms, 3),
        }
        if self.overlapping:
            out["overlapping_groups"] = list(self.overlapping)
            out["note"] = self.note
            if self.total is not None:
                out["total"] = {
                    "columns": list(self.total.columns),
                    "rows": [[json_value(v) for v in row] for row in self.total.rows],
                }
        return out

    def records(self) -> list[dict[str, Any]]:
        """Rows as dictionaries."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def df(self) -> Any:
        """The rows as a pandas DataFrame (needs the ``frames`` extra)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise MetricmindError("pandas is not installed", hint="pip install 'metricmind[frames]'") from exc
        return pd.DataFrame.from_records(self.rows, columns=self.columns)

    def arrow(self) -> Any:
        """The rows as a pyarrow Table (needs the ``frames`` extra)."""
        try:
            import pyarrow as pa
        except ImportError as exc:  # pragma: no cover
            raise MetricmindError(
                "pyarrow is not installed", hint="pip install 'metricmind[frames]'"
            ) from exc
        return pa.Table.from_pylist(self.records()) if self.rows else pa.table({c: [] for c in self.columns})


def json_value(value: Any) -> Any:
    """A JSON-safe version of a database value (dates as ISO text, decimals as floats)."""
    if isinstance(value, dt.datetime):
        return (
            value.date().isoformat()
            if value.time() == dt.time() and value.tzinfo is None
            else value.isoformat()
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def find_root(path: str | os.PathLike[str] | None = None) -> Path:
    """The project folder: ``path``, else the current folder if it holds a project, else the built demo."""
    if path is not None:
        root = Path(path).expanduser()
        if not root.exists():
            raise MetricmindError(
                f"project folder {str(root)!r} does not exist",
                hint="Pass --project DIR, or run `metricmind demo` to build the demo project.",
            )
        return root
    cwd = Path.cwd()
    if any((cwd / marker).exists() for marker in PROJECT_MARKERS):
        return cwd
    demo = config.home() / "demo"
    if (demo / "metricmind.yml").exists():
        return demo
    raise MetricmindError(
        "no project here: the current folder has no metricmind.yml or dbt_project.yml, and the demo is not built",
        hint="Run `metricmind demo` to build the example project, or pass --project DIR.",
    )


class Project:
    """A loaded project: its model, settings, compiler and (lazily) its warehouse."""

    def __init__(self, root: Path, model: Model, issues: list[Issue], settings: dict[str, Any]) -> None:
        self.root = root
        self.model = model
        self.issues = issues
        self.settings = settings
        #: What the YAML defines but could not be loaded, each with its root cause (see ``Project.load``).
        self.unavailable: list[Unavailable] = []
        #: Everything the YAML defines, also what was left out of ``model``: what the catalog indexes
        #: (a metric with an error is still defined; it must not look deleted there).
        self.defined: Model = model
        #: The dbt profile the warehouse settings came from, when one was read.
        self.profile: Profile | None = None
        self._refusals = Refusals(model, [])
        self.listeners: list[Callable[[Execution], None]] = []
        # Runs made while the catalog store is closed are spooled for it (``catalog.spool``).
        self.spool_runs = True
        self._warehouse: Warehouse | None = None

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        strict: bool = False,
        profiles_dir: str | None = None,
        target: str | None = None,
    ) -> Project:
        """Load a project folder: everything that loads, even when some of the YAML has errors.

        An object with an error, and everything that depends on it, is left out of ``model`` and listed
        in ``unavailable`` with the root cause; querying it raises ``UnavailableError`` naming that cause.
        ``issues`` holds the root causes first; errors that only follow from them are not repeated.

        Args:
            path: The project folder (default: the current folder if it is a project, else the demo).
            strict: Raise ``SpecError`` (listing every root cause) when the YAML has any error.
            profiles_dir: Folder of the dbt ``profiles.yml`` (default: dbt's search order).
            target: dbt target to use (default: the profile's).

        Raises:
            SpecError: With ``strict``, when there is an error.
            EmptyProjectError: The folder defines no semantic model at all (says what was looked for).
        """
        root = find_root(path)
        result = load(root, profiles_dir=profiles_dir, target=target)
        issues = list(result.issues) + rules.check(result.model, dialect=_setting_dialect(result.settings))
        found = triage(result.model, issues, result.spans, result.broken_files)
        errors = [i for i in found.issues if i.level is Level.ERROR]
        if strict and errors:
            raise SpecError(found.issues)
        if not result.model.semantic_models and not errors:
            raise empty_project_error(root, result)
        project = cls(root, found.model, found.issues, result.settings)
        project.unavailable = found.unavailable
        project.defined = result.model
        project.profile = result.profile
        project._refusals = Refusals(result.model, found.unavailable)
        return project

    # -- settings ------------------------------------------------------------------------------
    def setting(self, name: str) -> Any:
        """A setting's value (environment, then ``metricmind.yml``, then the default)."""
        return config.resolve(name, self.settings)

    @property
    def dialect(self) -> str:
        """The SQL dialect queries compile to by default."""
        return _setting_dialect(self.settings) or str(self.setting("warehouse.type"))

    @cached_property
    def compiler(self) -> Compiler:
        """The compiler for this model."""
        return Compiler(self.model, max_hops=int(self.setting("max_join_hops")))

    @property
    def graph(self) -> JoinGraph:
        """The entity join graph."""
        return self.compiler.graph

    # -- catalog -------------------------------------------------------------------------------
    @cached_property
    def catalog(self) -> Catalog:
        """The catalog store (``store.url``, default SQLite in the state folder): migrated, synced with the
        YAML, and recording every execution of :meth:`run`. SQLAlchemy is imported only here, on first use.
        """
        from metricmind.catalog.service import Catalog
        from metricmind.storage import default_url

        url = self.setting("store.url") or default_url(self.root)  # SQLite in ``state_dir``
        catalog = Catalog.open(str(url), self.root, self.defined)
        catalog.ingest_spool()
        catalog.attach(self.listeners)
        return catalog

    @property
    def state_dir(self) -> Path:
        """The folder metricmind keeps this project's own files in (``config.state_dir``; not created)."""
        return config.state_dir(self.root)

    # -- learned vocabulary --------------------------------------------------------------------
    @cached_property
    def vocabulary(self) -> Vocabulary:
        """Learned words in the catalog store: each person's own at once, shared through review."""
        from metricmind.catalog.vocabulary import Vocabulary

        return Vocabulary(self.catalog)

    # -- learning memory -----------------------------------------------------------------------
    @cached_property
    def memory(self) -> Memory:
        """The agent's memory (episodes, notes, skills, checkpoints) in the project store (``store.url``).

        A corrupt SQLite store is moved aside and recreated (``memory.recovered`` says so).
        """
        from metricmind.learn.memory import Memory
        from metricmind.storage import default_url

        return Memory.open(str(self.setting("store.url") or default_url(self.root)))

    def resolver(self, user: str | None = None) -> Resolver:
        """The question resolver: the shared vocabulary (``metricmind/vocabulary.yml``) for everyone, and
        ``user``'s own words (drafts, words in review or rejected) for that user only.

        The words are read on each call, so words taught or approved in another process apply at once;
        a resolver is built only when they (or the warehouse's values) changed, and kept for the next
        call with the same words. The catalog store is opened only when ``user`` is given.
        """
        from metricmind.resolve import Resolver, learned_tables
        from metricmind.spec.vocabulary import read_words

        own = self.vocabulary.own(user) if user else []
        learned = learned_tables(read_words(self.root), own)
        values = self.dimension_values()
        key = json.dumps([learned, values], sort_keys=True)
        cache = self._resolvers
        found = cache.get(key)
        if found is None:
            found = Resolver(self.model, learned, values)
            if len(cache) >= 16:
                cache.pop(next(iter(cache)))
            cache[key] = found
        return found

    @cached_property
    def _resolvers(self) -> dict[str, Resolver]:
        """Resolvers built by :meth:`resolver`, by the words and values they were built from."""
        return {}

    def learn(
        self, user: str, phrase: str, target: str, *, submit: bool = True, question: str | None = None
    ) -> dict[str, Any]:
        """Teach ``phrase`` → ``target`` (a metric, a dimension or ``dimension=value``) for ``user``.

        The word applies to ``user`` at once and, submitted for review, to everyone once an approver
        other than ``user`` approves it. A phrase that names something else exactly is refused
        (``VocabularyError``); an unknown target is an ``UnknownNameError`` with suggestions.
        """
        kind, text = self._check_word(phrase, target)
        return self.vocabulary.add(user, kind, text, target.strip(), submit=submit, question=question)

    def edit_word(self, word_id: int, user: str, target: str, *, submit: bool = True) -> dict[str, Any]:
        """Point ``user``'s own word ``word_id`` at another target (checked like :meth:`learn`)."""
        kind, _ = self._check_word(str(self.vocabulary.get(word_id)["phrase"]), target)
        return self.vocabulary.edit(word_id, user, target.strip(), kind, submit=submit)

    def approve_word(self, word_id: int, user: str) -> dict[str, Any]:
        """Share word ``word_id`` (an approver who did not teach it), checked against the model as it is."""
        return self.vocabulary.approve(word_id, user, self._check_word)

    def _check_word(self, phrase: str, target: str) -> tuple[str, str]:
        from metricmind.resolve import check_word

        return check_word(self.model, phrase, target, self.dimension_values())

    def metric(self, name: str) -> Metric:
        """The metric called ``name``; unknown names get suggestions, unavailable ones their cause."""
        metric = self.model.metrics.get(name)
        if metric is None:
            self._refuse_unavailable([name], [])
            raise UnknownNameError("metric", name, self.model.metrics)
        return metric

    def metrics(self) -> list[Metric]:
        """Every metric, sorted by category then name."""
        return sorted(self.model.metrics.values(), key=lambda m: (m.category, m.name))

    def source_models(self, metric: str) -> list[str]:
        """The semantic models a metric reads (through its measures)."""
        self.metric(metric)  # unknown names get suggestions
        return sorted(self.model.source_models(metric))

    def measures_of(self, metric: str) -> list[str]:
        """The measures a metric is computed from, following ratio, derived and conversion inputs."""
        self.metric(metric)
        return self.model.measures_of(metric)

    def dimensions(self, metric: str | None = None) -> list[DimensionInfo]:
        """Group-by names: for one metric, exactly those a query of it accepts (many-to-one joins from
        every semantic model it groups by), or the ones every model reaches.
        """
        if metric:
            self.metric(metric)  # unknown names get suggestions
        models = (
            sorted(self.model.source_models(metric, grouped=True))
            if metric
            else list(self.model.semantic_models)
        )
        if not models:
            return []
        # A name is offered when the query accepts it from every source model (the names each model
        # spells out, kept when they resolve from all of them); fan-out joins are not in the graph.
        names: set[str] | None = None
        for sm in models:
            reach = self.graph.reachable_names(sm)
            names = reach if names is None else (names | reach if metric else names & reach)
        if metric and names and len(models) > 1:
            names = {n for n in names if all(self._resolves(sm, n) for sm in models)}
        floor = self.model.min_grain(metric) if metric else None
        grains = [g.value for g in Grain if floor is None or g.rank >= floor.rank]
        infos = (
            [
                DimensionInfo(
                    METRIC_TIME,
                    "time",
                    "The time dimension of each metric's measures.",
                    (*grains, *self._custom_grains()),
                )
            ]
            if metric or models
            else []
        )
        for name in sorted(names or ()):
            ref = split(name)
            target = self.graph.resolve(models[0], ref)
            if target.dimension is not None:
                infos.append(_dim_info(name, target.dimension, target.model))
            else:
                infos.append(
                    DimensionInfo(
                        name, "entity", target.entity.description if target.entity else "", model=target.model
                    )
                )
        return infos

    def _resolves(self, sm: str, name: str) -> bool:
        try:
            self.graph.resolve(sm, split(name))
        except QueryError:
            return False
        return True

    def _custom_grains(self) -> tuple[str, ...]:
        spine = self.model.time_spine
        return tuple(name for name, _ in spine.custom_granularities) if spine else ()

    def saved_query(self, name: str) -> MetricQuery:
        """The ``MetricQuery`` of a saved query."""
        sq = self.model.saved_queries.get(name)
        if sq is None:
            raise UnknownNameError("saved query", name, self.model.saved_queries)
        return MetricQuery.build(list(sq.metrics), list(sq.group_by), [w.sql for w in sq.where])

    # -- validation ----------------------------------------------------------------------------
    def validate(self, *, deep: bool = False, warehouse: bool = False) -> list[Issue]:
        """Every issue: the YAML checks; with ``deep``, compiling every metric and saved query and
        MetricFlow's own validator; with ``warehouse``, checking tables and columns and running each metric.
        """
        issues = list(self.issues)
        if any(i.level is Level.ERROR for i in issues):
            return issues
        if deep:
            issues += self._compile_checks()
            schema = str(self.setting("warehouse.schema") or "main")
            from metricmind.spec import compat  # dbt-semantic-interfaces only for --deep

            issues += compat.check(self.root, self.model, schema)
        if warehouse:
            issues += self._warehouse_checks()
        return issues

    def _compile_checks(self) -> list[Issue]:
        out: list[Issue] = []
        for m in self.model.metrics.values():
            grain = (self.model.min_grain(m.name) or Grain.DAY).value
            for group_by in ([], [f"{METRIC_TIME}{SEP}{grain}"]):
                try:
                    self.compile(MetricQuery.build(m.name, group_by), pretty=False)
                except MetricmindError as exc:
                    if not group_by and "need metric_time" in exc.message:
                        continue
                    out.append(
                        Issue(
                            Level.ERROR,
                            f"metric '{m.name}' does not compile: {exc.message}",
                            m.file,
                            m.line,
                            exc.hint,
                            "compile",
                        )
                    )
                    break
        for sq in self.model.saved_queries.values():
            try:
                self.compile(self.saved_query(sq.name), pretty=False)
            except MetricmindError as exc:
                out.append(
                    Issue(
                        Level.ERROR,
                        f"saved query '{sq.name}' does not compile: {exc.message}",
                        sq.file,
                        sq.line,
                        exc.hint,
                        "compile",
                    )
                )
        return out

    def _warehouse_checks(self) -> list[Issue]:
        out: list[Issue] = []
        try:
            tables = {t.qualified.lower(): t for t in self.warehouse.tables()}
        except MetricmindError as exc:
            return [
                Issue(
                    Level.ERROR, f"cannot read the warehouse: {exc.message}", hint=exc.hint, code="warehouse"
                )
            ]
        for sm in self.model.semantic_models.values():
            key = sm.relation.lower() if "." in sm.relation else f"main.{sm.relation.lower()}"
            table = tables.get(key)
            if table is None:
                out.append(
                    Issue(
                        Level.ERROR,
                        f"semantic model '{sm.name}': table {sm.relation} is not in the warehouse",
                        sm.file,
                        sm.line,
                        "build the dbt model first, or fix `model:`",
                        "warehouse",
                    )
                )
        out += self._key_checks(tables)
        for m in self.model.metrics.values():
            group_by = [f"{METRIC_TIME}{SEP}{(self.model.min_grain(m.name) or Grain.DAY).value}"]
            try:
                sql = self.compile(MetricQuery.build(m.name, group_by), pretty=False)
                self.warehouse.run(f"SELECT * FROM ({sql}) AS q LIMIT 1")
            except MetricmindError as exc:
                out.append(
                    Issue(
                        Level.ERROR,
                        f"metric '{m.name}' fails in the warehouse: {exc.message}",
                        m.file,
                        m.line,
                        exc.hint,
                        "warehouse",
                    )
                )
        return out

    def _key_checks(self, tables: dict[str, Any]) -> list[Issue]:
        """Every entity joined to as a key must be one in the warehouse, or joins count rows twice."""
        out: list[Issue] = []
        for (name, entity), sql in repeated_keys_sql(self.model, self.compiler_dialect()).items():
            sm = self.model.semantic_models[name]
            key = sm.relation.lower() if "." in sm.relation else f"main.{sm.relation.lower()}"
            if key not in tables:
                continue  # reported above
            try:
                rows = self.warehouse.run(sql).rows
            except MetricmindError as exc:
                rows, failed = [], exc.message
            else:
                failed = ""
            e = sm.entity(entity)
            kind = e.type.value if e is not None else "key"
            if failed:
                out.append(
                    Issue(
                        Level.ERROR,
                        f"semantic model '{name}': cannot check entity '{entity}': {failed}",
                        sm.file,
                        sm.line,
                        code="warehouse",
                    )
                )
            elif rows:
                examples = ", ".join(f"{k!r} ({n} rows)" for k, n in rows)
                out.append(
                    Issue(
                        Level.ERROR,
                        f"semantic model '{name}': {kind} entity '{entity}' repeats in {sm.relation}: "
                        f"{examples}; every join to it would count a row once per repetition",
                        sm.file,
                        sm.line,
                        "Make the table one row per key, or declare the entity foreign (or natural, with "
                        "validity_params on a slowly changing dimension).",
                        "warehouse",
                    )
                )
        return out

    # -- compile and run -----------------------------------------------------------------------
    def plan(self, query: MetricQuery, dialect: str | None = None) -> Plan:
        """The plan (named steps) of ``query``."""
        self._refuse_unavailable(query.metrics, [])
        try:
            return self.compiler.plan(query, dialect or self.dialect)
        except UnknownNameError as exc:
            self._refuse_unavailable([], [exc.name])
            raise

    def compile(self, query: MetricQuery, dialect: str | None = None, *, pretty: bool = True) -> str:
        """The SQL of ``query`` for ``dialect`` (default: the project's).

        Raises:
            UnavailableError: The query uses a metric (or dimension) the YAML defines but that could not
                be loaded; the message names the root cause and where it is.
        """
        get_dialect(dialect or self.dialect)
        self._refuse_unavailable(query.metrics, [])
        try:
            return self.compiler.compile(query, dialect or self.dialect, pretty=pretty).sql
        except UnknownNameError as exc:
            self._refuse_unavailable([], [exc.name])
            raise

    def _refuse_unavailable(self, metrics: Iterable[str], names: Iterable[str]) -> None:
        self._refusals.check(metrics, names)

    @property
    def warehouse(self) -> Warehouse:
        """The project's warehouse, opened read-only on first use."""
        if self._warehouse is None:
            broken = next((i for i in self.issues if i.code == "profile" and i.level is Level.ERROR), None)
            if broken is not None:
                where = broken.location()
                raise MetricmindError(
                    f"cannot tell which warehouse to open: {broken.message}{f' ({where})' if where else ''}",
                    hint=broken.hint,
                )
            kind = str(self.setting("warehouse.type"))
            if kind == "duckdb":
                path = self._warehouse_path()
                if not path.exists():
                    missing = next((i for i in self.issues if i.code == "profile"), None)
                    source = (
                        f"the {self.profile.describe()}"
                        if self.profile
                        else f"warehouse.path: {missing.message}"
                        if missing
                        else "warehouse.path"
                    )
                    raise MetricmindError(
                        f"the warehouse file {str(path)!r} (from {source}) does not exist",
                        hint="Build it first (`dbt build`; for the demo: `metricmind demo`), or point "
                        "warehouse.path in metricmind.yml (or the dbt profile's path) at the DuckDB file.",
                    )
                self._warehouse = connect("duckdb", path=str(path), read_only=True)
            else:
                # Queries only read: a read-only session, as a reader role when one is configured.
                role = self.setting("warehouse.role")
                extra = {"role": str(role)} if role else {}
                url = self.setting("warehouse.url")
                if url:
                    extra["url"] = str(url)
                self._warehouse = connect(kind, dsn=self.setting("warehouse.dsn"), read_only=True, **extra)
        return self._warehouse

    def dimension_values(self, limit: int = 200) -> dict[str, list[str]]:
        """Distinct values of the categorical dimensions that declare none (``meta.values``), at most
        ``limit`` each (longer lists are left out): what the question resolver matches values against.

        Cached in ``dimension_values.json`` in the state folder while a DuckDB warehouse file is unchanged;
        an unreachable warehouse gives ``{}`` (the resolver then knows only the declared values).
        """
        from metricmind.compiler.values import distinct_values_sql

        cache = self.state_dir / "dimension_values.json"
        try:
            signature = self._warehouse_signature()
            if signature and cache.exists():
                data = json.loads(cache.read_text())
                if data.get("signature") == signature and data.get("limit") == limit:
                    return {str(k): [str(v) for v in vs] for k, vs in data["values"].items()}
            values: dict[str, list[str]] = {}
            for name, sql in distinct_values_sql(self.model, self.compiler_dialect(), limit).items():
                rows = self.warehouse.run(sql).rows
                if len(rows) <= limit:
                    values[name] = sorted(str(r[0]) for r in rows)
        except (MetricmindError, OSError, ValueError) as exc:
            logging.getLogger(__name__).info("dimension values unavailable: %s", exc)
            return {}
        if signature:
            try:
                config.ensure_state_dir(cache.parent)
                tmp = cache.with_suffix(".tmp")
                tmp.write_text(json.dumps({"signature": signature, "limit": limit, "values": values}))
                tmp.replace(cache)
            except OSError:
                pass  # a read-only project still answers
        return values

    def compiler_dialect(self) -> Dialect:
        """The project's dialect object."""
        return get_dialect(self.dialect)

    def _warehouse_signature(self) -> str | None:
        if str(self.setting("warehouse.type")) != "duckdb":
            return None
        path = self._warehouse_path()
        stat = path.stat()
        return f"{path}:{stat.st_mtime_ns}:{stat.st_size}"

    def _warehouse_path(self) -> Path:
        """The DuckDB file (``warehouse.path``, relative to the project folder)."""
        path = Path(str(self.setting("warehouse.path")))
        return path if path.is_absolute() else self.root / path

    def run(self, query: MetricQuery, *, user: str | None = None, source: str = "api") -> QueryResult:
        """Compile and execute ``query``; every execution (also failed ones) is reported to listeners."""
        t0 = time.perf_counter()
        self._refuse_unavailable(query.metrics, [])
        try:
            compiled = self.compiler.compile(query, self.dialect, pretty=True)
        except UnknownNameError as exc:
            self._refuse_unavailable([], [exc.name])
            raise
        sql = compiled.sql
        compile_ms = (time.perf_counter() - t0) * 1000
        started = dt.datetime.now(dt.timezone.utc)
        try:
            result = self.warehouse.run(sql)
        except MetricmindError as exc:
            self._notify(
                Execution(query, sql, started, (time.perf_counter() - t0) * 1000, 0, str(exc), user, source)
            )
            raise
        self._notify(Execution(query, sql, started, result.elapsed_ms, len(result.rows), None, user, source))
        overlapping = tuple(compiled.plan.request.overlapping)
        return QueryResult(
            query,
            list(result.columns),
            list(result.rows),
            sql,
            result.elapsed_ms,
            compile_ms,
            list(result.types),
            overlapping,
            self._total(query.without(overlapping)) if overlapping else None,
        )

    def _total(self, query: MetricQuery) -> QueryResult:
        """The true total beside overlapping groups (run, not reported to listeners as a query)."""
        t0 = time.perf_counter()
        sql = self.compile(query, pretty=True)
        compile_ms = (time.perf_counter() - t0) * 1000
        result = self.warehouse.run(sql)
        return QueryResult(
            query,
            list(result.columns),
            list(result.rows),
            sql,
            result.elapsed_ms,
            compile_ms,
            list(result.types),
        )

    def _notify(self, execution: Execution) -> None:
        for listener in self.listeners:
            listener(execution)
        if self.spool_runs and "catalog" not in self.__dict__:
            self._spool_run(execution)

    def _spool_run(self, execution: Execution) -> None:
        """Record a run without opening the catalog store (it ingests the spool when it opens)."""
        from metricmind.catalog.spool import Spool

        try:
            Spool.of(self.root).append(execution)
        except OSError as exc:  # a read-only project folder must not fail the query
            logging.getLogger(__name__).warning("could not record the execution: %s", exc)

    def query(
        self, metrics: str | Iterable[str], group_by: str | Iterable[str] | None = None, **kwargs: Any
    ) -> QueryResult:
        """Shorthand: ``project.query("revenue", "metric_time__month", where=..., start=..., end=...)``."""
        return self.run(
            MetricQuery.build(
                list([metrics] if isinstance(metrics, str) else metrics),
                None if group_by is None else list([group_by] if isinstance(group_by, str) else group_by),
                **kwargs,
            )
        )

    def close(self) -> None:
        """Close the warehouse connection and the catalog store's engine (when opened)."""
        if self._warehouse is not None:
            self._warehouse.close()
            self._warehouse = None
        self.__dict__.pop("vocabulary", None)
        catalog = self.__dict__.pop("catalog", None)
        if catalog is not None:
            catalog.close()
        memory = self.__dict__.pop("memory", None)
        if memory is not None:
            memory.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _setting_dialect(settings: dict[str, Any]) -> str | None:
    value = config.resolve("dialect", settings)
    return str(value) if value else None


def _dim_info(name: str, dim: Dimension, model: str) -> DimensionInfo:
    grains: tuple[str, ...] = ()
    if dim.is_time and dim.grain is not None:
        grains = tuple(
            g
            for g in ("day", "week", "month", "quarter", "year")
            if ("day", "week", "month", "quarter", "year").index(g) >= dim.grain.rank
        )
    return DimensionInfo(name, dim.type, dim.description, grains, model, dim.meta)


__all__ = [
    "DimensionInfo",
    "Execution",
    "Project",
    "QueryError",
    "QueryResult",
    "SEP",
    "find_root",
    "json_value",
]
