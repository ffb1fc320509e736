"""The demo: what ``list dimensions`` offers is what ``query`` accepts, and every offered breakdown of an
additive metric adds up to the total, on DuckDB and on PostgreSQL (the same data copied over).
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from metricmind.errors import JoinError, QueryError, UnknownNameError
from metricmind.project import Project
from metricmind.resolve.resolver import Resolver
from metricmind.spec.joingraph import Target
from metricmind.spec.model import Agg, MetricType
from metricmind.spec.names import split
from metricmind.spec.query import MetricQuery
from metricmind.testing.postgres import PostgresServer, copy_duckdb_to_postgres

YEAR = {"start": "2024-01-01", "end": "2025-01-01"}


@pytest.fixture(scope="module")
def demo(demo_built: Path) -> Iterator[Project]:
    with Project.load(demo_built) as project:
        yield project


def all_names(project: Project) -> set[str]:
    """Every name listed for some metric, and every dimension as each entity of its model names it."""
    names: set[str] = set()
    for m in project.metrics():
        names |= {d.name for d in project.dimensions(m.name)}
    for sm in project.model.semantic_models.values():
        for d in sm.dimensions:
            names |= {f"{e.name}__{d.name}" for e in sm.entities}
    names.discard("metric_time")
    return names


def targets(project: Project, metric: str, name: str) -> tuple[Target, ...] | None:
    """Where ``name`` resolves from each model ``metric`` reads; None when some model refuses it."""
    out = []
    for sm in sorted(project.model.source_models(metric, grouped=True)):
        try:
            out.append(project.graph.resolve(sm, split(name)))
        except QueryError:
            return None
    return tuple(out)


def accepts(project: Project, metric: str, name: str) -> bool:
    """Whether a query of ``metric`` by ``name`` compiles (offset metrics also need metric_time)."""
    for group_by in ([name], [name, "metric_time__month"]):
        try:
            project.compile(MetricQuery.build(metric, group_by), pretty=False)
            return True
        except (JoinError, UnknownNameError):
            return False
        except QueryError:
            continue  # refused for another reason than the name: try with metric_time
    return False


def test_list_dimensions_is_what_query_accepts(demo: Project) -> None:
    """Every metric × every name: accepted exactly when listed, or when it is a shorter spelling of a
    listed name (the same dimension along the same joins from every model the metric reads). The
    question resolver (``ask``) agrees: it proposes only what a query accepts.
    """
    resolver = Resolver(demo.model)
    names = all_names(demo)
    checked = 0
    for metric in demo.metrics():
        listed = {d.name for d in demo.dimensions(metric.name)} - {"metric_time"}
        listed_targets = [targets(demo, metric.name, n) for n in listed]
        for name in sorted(names):
            accepted = accepts(demo, metric.name, name)
            if metric.type is not MetricType.CONVERSION:  # the resolver also asks the conversion model
                assert resolver.reachable(metric.name, name) == accepted, (metric.name, name)
            if name in listed:
                assert accepted, f"{metric.name}: {name} is listed but refused"
            elif accepted:
                assert targets(demo, metric.name, name) in listed_targets, (
                    f"{metric.name}: {name} is accepted but not listed"
                )
            checked += 1
    assert checked > 5000


def additive(project: Project) -> list[str]:
    """Simple metrics whose groups must add up: sums, counts and boolean sums (snapshots included)."""
    return [
        m.name
        for m in project.metrics()
        if m.type is MetricType.SIMPLE
        and m.measure is not None
        and project.model.measures[m.measure.name].agg in (Agg.SUM, Agg.COUNT, Agg.SUM_BOOLEAN)
    ]


def check_demo_adds_up(project: Project) -> int:
    pairs = 0
    for metric in additive(project):
        total = _num(project.run(MetricQuery.build(metric, **YEAR)).rows[0][0])
        for dim in project.dimensions(metric):
            if dim.name == "metric_time" or dim.type == "time":
                continue
            rows = project.run(MetricQuery.build(metric, dim.name, **YEAR)).rows
            grouped = sum(_num(r[-1]) for r in rows)
            assert math.isclose(grouped, total, rel_tol=1e-9, abs_tol=1e-6), (
                f"{metric} by {dim.name}: groups sum to {grouped}, total {total}"
            )
            pairs += 1
    return pairs


def _num(x: Any) -> float:
    return float(x or 0)


def test_demo_breakdowns_add_up_on_duckdb(demo: Project) -> None:
    assert check_demo_adds_up(demo) > 300


def test_what_was_answered_before_is_refused_now(demo: Project) -> None:
    """The issue's examples: trial starts by touchpoint channel (2.73x) and by user role (1.85x)."""
    for name in ("touchpoint__channel", "user__role"):
        with pytest.raises(QueryError, match="would count a row in several groups"):
            demo.compile(MetricQuery.build("trial_starts", name))
        result = demo.run(MetricQuery.build("trial_starts", name, allow_overlap=True, **YEAR))
        assert result.total is not None
        assert sum(_num(r[-1]) for r in result.rows) > _num(result.total.rows[0][0])


@pytest.fixture(scope="module")
def demo_on_postgres(
    demo_built: Path, postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Project]:
    name = "demo_breakdowns"
    postgres_server.psql("postgres", f"CREATE DATABASE {name}")
    url = f"postgresql://postgres@127.0.0.1:{postgres_server.port}/{name}"
    root = tmp_path_factory.mktemp("demo_pg") / "demo"
    shutil.copytree(demo_built, root, ignore=shutil.ignore_patterns("target", ".metricmind"))
    # read a copy: the DuckDB file may be open elsewhere in this process with another configuration
    snapshot = root.parent / "warehouse.duckdb"
    shutil.copy(demo_built / "target" / "warehouse.duckdb", snapshot)
    copy_duckdb_to_postgres(snapshot, url)
    (root / "metricmind.yml").write_text(
        f"name: saas_demo\nwarehouse:\n  type: postgres\n  dsn: {url}\n  schema: main\n"
    )
    with Project.load(root) as project:
        assert project.dialect == "postgres"
        yield project
    postgres_server.psql("postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_demo_breakdowns_add_up_on_postgres(demo_on_postgres: Project, demo: Project) -> None:
    assert check_demo_adds_up(demo_on_postgres) > 300
    # and the same numbers as DuckDB
    for metric in additive(demo)[:5]:
        ours = demo.run(MetricQuery.build(metric, **YEAR)).rows[0][0]
        theirs = demo_on_postgres.run(MetricQuery.build(metric, **YEAR)).rows[0][0]
        assert math.isclose(_num(ours), _num(theirs), rel_tol=1e-9)


DEMO_SHAPES = [
    ("mrr,trial_starts,events", "metric_time__month"),
    ("trial_conversion_rate,signups,marketing_spend", "metric_time__month"),
    ("revenue_ytd,touchpoints,events", "metric_time__month"),
    ("mrr_growth_mom,trial_starts,active_users", "metric_time__month"),
    ("cac,arpa,events,invoice_count", "metric_time__quarter"),
    ("net_revenue,signups,touchpoints,marketing_spend", ""),
]


@pytest.mark.parametrize(("metrics", "group_by"), DEMO_SHAPES)
def test_demo_multi_source_queries_on_postgres_equal_duckdb(
    metrics: str, group_by: str, demo_on_postgres: Project, demo: Project
) -> None:
    """Three and four semantic models, with cumulative, offset, conversion and snapshot metrics."""
    from tests.compiler.test_multisource_postgres import same

    q = MetricQuery.build(metrics, group_by or None, start="2024-01-01", end="2026-01-01")
    expected = demo.run(q).rows
    assert expected
    got = demo_on_postgres.run(q).rows
    assert same(got, expected), f"{got[:3]}\n!=\n{expected[:3]}"
