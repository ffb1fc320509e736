"""Proof by equal numbers: pixelforge written again in dbt 1.12's latest spec answers like the legacy one.

``tests/spec/latest/pixelforge/models`` is the sample's semantic layer hand-converted by dbt's migration
page (semantic models on the ``models:`` entries, entities and dimensions on columns, simple metrics with
``agg`` instead of measures, cross-model metrics under a top-level ``metrics:``); it replaces the legacy
``models/semantic_layer/`` in a copy of the project that shares the built warehouse. Every metric, by month
and by a dimension, must give the same rows through both specs on the same DuckDB.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from metricmind.project import Project
from metricmind.spec.model import Measure, Model
from metricmind.spec.query import MetricQuery
from metricmind.testing.pixelforge import copy_pixelforge
from tests.foreign.conftest import same_rows

FIXTURE = Path(__file__).parent / "latest" / "pixelforge"
MONTH = "metric_time__month"
TITLE = "title__title_name"
YEAR = {"start": "2025-01-01", "end": "2026-01-01"}


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, Project]]:
    """(legacy, latest): two copies of pixelforge over one built warehouse, one per spec."""
    root = tmp_path_factory.mktemp("pixelforge_specs")
    legacy = copy_pixelforge(root / "legacy")
    latest = root / "latest"
    shutil.copytree(legacy, latest)
    shutil.rmtree(latest / "models" / "semantic_layer")
    shutil.copytree(FIXTURE / "models", latest / "models", dirs_exist_ok=True)
    with Project.load(legacy) as old, Project.load(latest) as new:
        yield old, new


def _metric_names(project: Project) -> list[str]:
    return sorted(m.name for m in project.metrics())


def _rows(project: Project, metric: str, group: str) -> list[tuple[Any, ...]]:
    # by a dimension within each month: offset and cumulative metrics need metric_time in the group-by
    groups = [MONTH] if group == MONTH else [MONTH, group]
    query = MetricQuery.build([metric], group_by=groups, order_by=groups, **YEAR)
    return [tuple(r) for r in project.run(query).rows]


def test_the_latest_spec_copy_loads_clean_with_the_same_metrics(pair: tuple[Project, Project]) -> None:
    old, new = pair
    assert not [i for i in new.issues if i.level.value == "error"], new.issues
    assert len(_metric_names(old)) == 37
    assert set(_metric_names(new)) - set(_metric_names(old)) == {
        "buyers"
    }  # the conversion's own simple metric
    assert set(_metric_names(old)) <= set(_metric_names(new))


def _measure_of(model: Model, metric: str) -> Measure | None:
    m = model.metrics[metric]
    return model.measures.get(m.measure.name) if m.measure else None


def _shape(measure: Measure | None) -> tuple[Any, ...] | None:
    if measure is None:
        return None
    return (
        measure.semantic_model,
        measure.agg,
        " ".join(measure.expr.split()),
        measure.agg_time_dimension,
        measure.non_additive,
        measure.percentile,
    )


def test_both_specs_build_the_same_semantic_objects(pair: tuple[Project, Project]) -> None:
    """Entities, dimensions and each simple metric's aggregation are the legacy ones (measure names aside)."""
    old, new = pair[0].model, pair[1].model
    assert set(old.semantic_models) == set(new.semantic_models)
    for name, sm in old.semantic_models.items():
        other = new.semantic_models[name]
        assert (
            sm.relation == other.relation
            and sm.default_agg_time_dimension == other.default_agg_time_dimension
        )
        assert {(e.name, e.type, e.expr) for e in sm.entities} == {
            (e.name, e.type, e.expr) for e in other.entities
        }
        dims = {(d.name, d.type, " ".join(d.expr.split()), d.grain, d.label) for d in sm.dimensions}
        assert dims == {
            (d.name, d.type, " ".join(d.expr.split()), d.grain, d.label) for d in other.dimensions
        }
    for name, metric in old.metrics.items():
        twin = new.metrics[name]
        assert (metric.type, metric.filter and metric.filter[0].sql) == (
            twin.type,
            twin.filter and twin.filter[0].sql,
        )
        assert _shape(_measure_of(old, name)) == _shape(_measure_of(new, name)), name


@pytest.mark.parametrize("group", [MONTH, TITLE])
def test_every_metric_gives_the_same_rows_through_both_specs(
    group: str, pair: tuple[Project, Project]
) -> None:
    old, new = pair
    differ, empty = [], []
    for metric in _metric_names(old):
        want, got = _rows(old, metric, group), _rows(new, metric, group)
        if not want:
            empty.append(metric)
        if not same_rows(got, want):  # within 1e-9: DuckDB's parallel float sums vary in the last digit
            differ.append((metric, want[:3], got[:3]))
    assert not differ, differ
    assert not empty, empty


def test_the_latest_spec_copy_passes_metricflows_own_validator(pair: tuple[Project, Project]) -> None:
    """``validate --deep`` hands dbt-semantic-interfaces the latest-spec objects in its legacy form."""
    issues = pair[1].validate(deep=True)
    assert issues == [], [str(i) for i in issues]
