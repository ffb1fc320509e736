"""Where a project starts: its folder, settings, model, compiler, catalog and what the model offers."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metricmind import config
from metricmind.compiler import Compiler
from metricmind.errors import (
    Issue,
    MetricmindError,
    QueryError,
    UnknownNameError,
)
from metricmind.spec.joingraph import JoinGraph
from metricmind.spec.model import Grain, Metric, Model
from metricmind.spec.names import METRIC_TIME, split
from metricmind.spec.profiles import Profile
from metricmind.spec.query import MetricQuery
from metricmind.spec.triage import Refusals, Unavailable
from metricmind.warehouse.base import Warehouse

if TYPE_CHECKING:
    from metricmind.catalog.service import Catalog
from metricmind.project.results import DimensionInfo, Execution, dim_info

PROJECT_MARKERS = ("metricmind.yml", "dbt_project.yml")


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


class ProjectState:
    """The loaded model and settings, the compiler, the catalog, and what the model offers (metrics,
    dimensions, saved queries). The other parts of ``Project`` (warehouse, running, words, validation)
    build on this one.
    """

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

    def setting(self, name: str) -> Any:
        """A setting's value (environment, then ``metricmind.yml``, then the default)."""
        return config.resolve(name, self.settings)

    @property
    def dialect(self) -> str:
        """The SQL dialect queries compile to by default."""
        return setting_dialect(self.settings) or str(self.setting("warehouse.type"))

    @cached_property
    def compiler(self) -> Compiler:
        """The compiler for this model."""
        return Compiler(self.model, max_hops=int(self.setting("max_join_hops")))

    @property
    def graph(self) -> JoinGraph:
        """The entity join graph."""
        return self.compiler.graph

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
        self._wire_catalog(catalog)
        self.wire_define(catalog)
        return catalog

    def _wire_catalog(self, catalog: Catalog) -> None:
        """Hook for the parts that plug into the catalog when it opens (governance gates approvals)."""

    def wire_define(self, catalog: Catalog) -> None:
        """Hook for generated dbt packages' review (``DefineMixin`` builds, regenerates and archives them)."""

    def deprecation_warnings(self, metrics: Sequence[str]) -> list[str]:
        """Warnings for the deprecated metrics among ``metrics`` (``GovernMixin`` names the successor)."""
        return []

    @property
    def state_dir(self) -> Path:
        """The folder metricmind keeps this project's own files in (``config.state_dir``; not created)."""
        return config.state_dir(self.root)

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
        shifted = self.model.shifted_time_dimensions(metric) if metric else set()
        if shifted and names:  # a cumulated or offset measure's own time dimension: metric_time instead
            names = {n for n in names if not any(self._hits(sm, n, shifted) for sm in models)}
        floor = self.model.min_grain(metric) if metric else None
        grains = [g.value for g in Grain if (g.rank >= floor.rank if floor else not g.sub_day)]
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
                infos.append(dim_info(name, target.dimension, target.model))
            else:
                infos.append(
                    DimensionInfo(
                        name, "entity", target.entity.description if target.entity else "", model=target.model
                    )
                )
        return infos

    def _hits(self, sm: str, name: str, dims: set[tuple[str, str]]) -> bool:
        """Whether ``name`` resolves from ``sm`` to one of ``dims`` ((model, dimension) pairs)."""
        try:
            target = self.graph.resolve(sm, split(name))
        except QueryError:
            return False
        return target.dimension is not None and (target.model, target.dimension.name) in dims

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

    def _refuse_unavailable(self, metrics: Iterable[str], names: Iterable[str]) -> None:
        self._refusals.check(metrics, names)


def setting_dialect(settings: dict[str, Any]) -> str | None:
    """The ``dialect`` setting, when one is set."""
    value = config.resolve("dialect", settings)
    return str(value) if value else None
