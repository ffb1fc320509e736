"""metricmind refuses what MetricFlow refuses for fan-out, and accepts what MetricFlow accepts.

For metrics of every semantic model of the demo × every dimension name (as ``list dimensions`` spells
it for some metric, and as each entity of its own model names it), both engines compile the query
(MetricFlow: ``explain`` only). A breakdown metricmind refuses as ``fan_out`` must be one MetricFlow
refuses too; where the two differ otherwise, the reason is one metricmind documents as beyond
MetricFlow (more than two join hops).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from metricmind.demo.build import WAREHOUSE_FILE
from metricmind.errors import FanOutError, JoinError, QueryError, UnknownNameError
from metricmind.project import Project
from metricmind.spec.names import split
from metricmind.spec.query import MetricQuery
from metricmind.testing.metricflow import MFQuery, run_metricflow
from tests.shared_demo import demo_copy

METRICS = ("trial_starts", "events", "touchpoints", "invoice_count", "signups", "marketing_spend")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Path]:
    target = tmp_path_factory.mktemp("fanout_diff") / "saas_demo"
    demo_copy(tmp_path_factory, target, scale=300, end_date="2026-06-30", seed=7)
    return Project.load(target), target / WAREHOUSE_FILE


def names_of(project: Project) -> list[str]:
    names: set[str] = set()
    for m in project.metrics():
        names |= {d.name for d in project.dimensions(m.name)}
    for sm in project.model.semantic_models.values():
        for d in sm.dimensions:
            if not d.is_time:
                names |= {f"{e.name}__{d.name}" for e in sm.entities}
    return sorted(n for n in names if n != "metric_time" and not _is_time(project, n))


def _is_time(project: Project, name: str) -> bool:
    element = split(name).element
    return any(d.name == element and d.is_time for _, d in project.model.iter_dimensions())


def ours(project: Project, metric: str, name: str) -> str:
    """``ok``, ``fan_out`` or ``refused``."""
    try:
        project.compile(MetricQuery.build(metric, name), pretty=False)
        return "ok"
    except FanOutError:
        return "fan_out"
    except (JoinError, UnknownNameError, QueryError):
        return "refused"


def hops(project: Project, metric: str, name: str) -> int:
    sm = project.source_models(metric)[0]
    return len(project.graph.resolve(sm, split(name)).path.hops)


def _own_entity(project: Project, metric: str, name: str) -> bool:
    ref = split(name)
    sm = project.model.semantic_models[project.source_models(metric)[0]]
    return ref.entity_path == (sm.primary,) and sm.entity(ref.element) is not None


def test_fan_out_refusals_match_metricflow(demo: tuple[Project, Path], mf_env: Path) -> None:
    project, warehouse = demo
    names = names_of(project)
    pairs = [(m, n) for m in METRICS for n in names]
    queries = [MFQuery(f"{m}|{n}", (m,), (n,), explain_only=True) for m, n in pairs]
    mf = {r.id: r for r in run_metricflow(project.root, warehouse, queries)}
    fan_out = 0
    for metric, name in pairs:
        mine = ours(project, metric, name)
        theirs_ok = mf[f"{metric}|{name}"].error is None
        if mine == "fan_out":
            fan_out += 1
            assert not theirs_ok, f"{metric} by {name}: we refuse as fan-out, MetricFlow answers"
        elif mine == "ok" and not theirs_ok:
            # beyond MetricFlow: its MAX_JOIN_HOPS is 2, or it needs the full entity path
            assert hops(project, metric, name) > 2 or name not in {
                d.name for d in project.dimensions(metric)
            }, f"{metric} by {name}: MetricFlow refuses ({mf[f'{metric}|{name}'].error}) but we answer"
        elif mine != "ok" and theirs_ok:
            assert mine != "fan_out"
            # a known naming gap, not about joins: MetricFlow also names a model's own entities after
            # its primary entity (``invoice__customer`` from invoices); metricmind says ``customer``
            assert _own_entity(project, metric, name), f"{metric} by {name}: MetricFlow answers, we refuse"
    assert fan_out > 50
