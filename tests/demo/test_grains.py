"""Snapshot metrics recorded by month refuse finer grains (as MetricFlow does), and say why."""

from __future__ import annotations

from pathlib import Path

import pytest

from metricmind.errors import QueryError
from metricmind.project import Project
from metricmind.spec.model import Grain
from metricmind.spec.query import MetricQuery


@pytest.mark.parametrize("grain", ["day", "week"])
def test_monthly_snapshot_refuses_finer_grains(project_dir: Path, grain: str) -> None:
    project = Project.load(project_dir)
    with pytest.raises(QueryError) as info:
        project.run(MetricQuery.build("mrr", [f"metric_time__{grain}"]))
    assert "recorded by month" in info.value.message and "metric_time__month" in (info.value.hint or "")


def test_listed_grains_are_the_accepted_grains(project_dir: Path) -> None:
    """What `list dimensions --metric M` offers for metric_time is exactly what `query` accepts."""
    project = Project.load(project_dir)
    for metric in project.model.metrics:
        offered = next(d.grains for d in project.dimensions(metric) if d.name == "metric_time")
        for grain in Grain:
            query = MetricQuery.build(metric, [f"metric_time__{grain.value}"])
            try:
                project.compile(query)
                accepted = True
            except QueryError as exc:
                accepted = "is finer than its data" not in exc.message
            assert accepted == (grain.value in offered), (metric, grain.value, offered)
    assert "day" not in next(d.grains for d in project.dimensions("arr") if d.name == "metric_time")


def test_coarser_grains_still_answer(project_dir: Path) -> None:
    project = Project.load(project_dir)
    rows = project.run(
        MetricQuery.build("mrr", ["metric_time__quarter"], start="2025-01-01", end="2025-07-01")
    ).rows
    assert len(rows) == 2 and all(r[1] > 0 for r in rows)
