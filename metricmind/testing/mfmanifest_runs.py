"""Loading MetricFlow's test manifests with metricmind and running their metrics through both engines.

:func:`load_report` says whether metricmind loads a manifest made a project
(:func:`metricmind.testing.mfmanifests.build_manifest`): the issues of ``validate --deep``, or the crash.
:func:`metric_queries` asks every metric by ``metric_time`` (day and month) and by one or two dimensions;
:func:`run_differential` answers them with metricmind and MetricFlow on the synthesized warehouse and sorts
them with :mod:`metricmind.testing.mffuzz` (equal, both refused, one side refused, different).
``bench/mf_manifests.py`` prints the table; ``tests/differential/test_mf_manifests.py`` runs a slice.
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field

from metricmind.errors import Issue, Level
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.testing.mfenv import MetricFlowRunError
from metricmind.testing.mffuzz import Outcome, Sample, classify, run_fuzz
from metricmind.testing.mfmanifests import ManifestProject
from metricmind.testing.mfrun import MFResult


@dataclass
class LoadReport:
    """What metricmind made of one manifest: its metrics, the issues ``validate --deep`` lists, or a crash."""

    name: str
    metrics: int = 0
    unavailable: int = 0
    issues: list[Issue] = field(default_factory=list)
    crash: str | None = None

    @property
    def errors(self) -> list[Issue]:
        """The issues of level error."""
        return [i for i in self.issues if i.level is Level.ERROR]

    @property
    def status(self) -> str:
        """``crash``, ``errors`` (loads what it can, refuses the rest with reasons) or ``ok``."""
        if self.crash:
            return "crash"
        return "errors" if self.errors else "ok"

    @property
    def unlocated(self) -> list[Issue]:
        """Errors that name no file (every refusal must say where)."""
        return [i for i in self.errors if not i.file]


def load_report(mp: ManifestProject) -> LoadReport:
    """Load ``mp`` with metricmind and validate it deeply; a crash is caught and reported, not raised."""
    report = LoadReport(mp.name)
    try:
        with Project.load(mp.root) as project:
            report.metrics = len(project.model.metrics)
            report.unavailable = len(project.unavailable)
            report.issues = project.validate(deep=True)
    except Exception as exc:  # a crash is what the report is for
        report.crash = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=4)}"
    return report


def _pick_dimensions(project: Project, metric: str) -> list[str]:
    """Up to two group-by names of ``metric``: categorical dimensions, fewest hops first, then an entity.

    A path that names one entity twice (``listing__listing__capacity``, through a second model keyed by
    the same entity) is skipped: it answers like the shorter name, and MetricFlow does not offer it.
    """
    try:
        infos = project.dimensions(metric)
    except Exception:
        return []

    def plain(name: str) -> bool:
        entities = name.split("__")[:-1]
        return len(set(entities)) == len(entities)

    categorical = sorted(
        (d.name for d in infos if d.type == "categorical" and plain(d.name)), key=lambda n: (n.count("__"), n)
    )
    entities = sorted(d.name for d in infos if d.type == "entity" and plain(d.name))
    return (categorical + entities)[:2]


def metric_queries(project: Project, metrics: Sequence[str] | None = None) -> list[MetricQuery]:
    """Each metric by ``metric_time__day``, by ``metric_time__month``, by a dimension, and by the month
    and a second dimension when it has one; a metric recorded finer than a day (an ``hour`` time
    dimension) also by its own grain (``metric_time__hour``).
    """
    out: list[MetricQuery] = []
    for name in metrics if metrics is not None else sorted(project.model.metrics):
        out.append(MetricQuery.build(name, ["metric_time__day"]))
        out.append(MetricQuery.build(name, ["metric_time__month"]))
        floor = project.model.min_grain(name)
        if floor is not None and floor.sub_day:
            out.append(MetricQuery.build(name, [f"metric_time__{floor.value}"]))
        dims = _pick_dimensions(project, name)
        if dims:
            out.append(MetricQuery.build(name, [dims[0]]))
        if len(dims) > 1:
            out.append(MetricQuery.build(name, ["metric_time__month", dims[1]]))
    return out


def run_differential(
    mp: ManifestProject, metrics: Sequence[str] | None = None, *, shrink: bool = False
) -> list[Outcome]:
    """Answer :func:`metric_queries` with both engines on ``mp``'s warehouse and classify each."""
    with Project.load(mp.root) as project:
        available = [m for m in metrics or sorted(project.model.metrics) if m in project.model.metrics]
        queries = metric_queries(project, available)
        try:
            return run_fuzz(Sample(mp.name, mp.root, mp.duckdb, mp.schema), queries, shrink=shrink)
        except MetricFlowRunError as exc:
            # dbt refused the whole project (e.g. no time spine of a day or finer): MetricFlow refuses all
            refused = MFResult("", [], [], [], "", f"project refused: {exc}", [], None)
            return [classify(project, q, refused, f"q{i}") for i, q in enumerate(queries)]
