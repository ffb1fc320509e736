"""Filled cumulative metrics (``join_to_timespine`` / ``fill_nulls_with`` on the measure) shown by a
period coarser than a day, and filled conversion metrics, against MetricFlow on the same DuckDB file (built by dbt from the seed of
``tests/compiler/fillcum.py``, whose orders leave gaps of weeks and months so that filling matters).

MetricFlow fills every spine day, then shows each period's first day, last day or average
(``period_agg``); the family: every metric of the project × month, quarter, week, year, two grains
together and a second group-by × no filter, a metric_time filter, a dimension filter, both, and a query
range. Conversion metrics whose measures are filled: by the day, week, month, quarter, with a dimension
of the base model or the entity, without filters (with them metricmind refuses a filled conversion
measure); a filled base measure alone also with filters and a range.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.testing.metricflow import MFQuery, MFResult, build_with_dbt, compare_results, run_metricflow
from tests.compiler.fillcum import CONVERSIONS, METRICS, write_project

DAY = "{{ TimeDimension('metric_time', 'day') }}"
SEGMENT = "{{ Dimension('order__segment') }}"
GROUPS = {
    "month": ("metric_time__month",),
    "quarter": ("metric_time__quarter",),
    "week": ("metric_time__week",),
    "year-segment": ("metric_time__year", "order__segment"),
    "quarter-month": ("metric_time__quarter", "metric_time__month"),
    "month-segment": ("metric_time__month", "order__segment"),
}
FILTERS: dict[str, tuple[str, ...]] = {
    "none": (),
    "ge_day": (f"{DAY} >= '2024-04-10'",),
    "segment": (f"{SEGMENT} = 'a'",),
    "between_and_segment": (f"{DAY} BETWEEN '2024-02-05' AND '2024-08-03'", f"{SEGMENT} = 'b'"),
}


@dataclass(frozen=True)
class Case:
    id: str
    query: MetricQuery


CASES = [
    Case(f"{metric}-{gid}-{fid}", MetricQuery.build(metric, list(group_by), where=list(where)))
    for metric in METRICS
    for gid, group_by in GROUPS.items()
    for fid, where in FILTERS.items()
] + [
    Case(
        f"{metric}-{gid}-range",
        MetricQuery.build(metric, list(group_by), start="2024-02-10", end="2024-08-20"),
    )
    for metric in METRICS
    for gid, group_by in GROUPS.items()
    if gid in ("month", "quarter-month")
]
CONVERSION_GROUPS = {
    "day": ("metric_time__day",),
    "week": ("metric_time__week",),
    "month": ("metric_time__month",),
    "quarter": ("metric_time__quarter",),
    "month-channel": ("metric_time__month", "visit__channel"),
    "day-channel": ("metric_time__day", "visit__channel"),
    "month-customer": ("metric_time__month", "customer"),
}
CASES += [
    Case(f"{metric}-{gid}", MetricQuery.build(metric, list(group_by)))
    for metric in CONVERSIONS
    for gid, group_by in CONVERSION_GROUPS.items()
]
CASES += [
    Case(
        f"visit_order_rate_base_filled-{gid}-where_{fid}",
        MetricQuery.build(metric, list(group_by), where=[w]),
    )
    for metric in ("visit_order_rate_base_filled",)
    for gid, group_by in CONVERSION_GROUPS.items()
    for fid, w in (
        ("ge_day", f"{DAY} >= '2024-03-01'"),
        ("channel", "{{ Dimension('visit__channel') }} = 'web'"),
    )
] + [
    Case(
        "visit_order_rate_base_filled-month-range",
        MetricQuery.build(
            "visit_order_rate_base_filled", ["metric_time__month"], start="2024-02-10", end="2024-08-20"
        ),
    )
]


@pytest.fixture(scope="module")
def fillcum(tmp_path_factory: pytest.TempPathFactory, mf_env: Path) -> tuple[Project, Path]:
    root = tmp_path_factory.mktemp("fillcum_mf") / "fillcum"
    db = write_project(root)
    build_with_dbt(root, db)
    return Project.load(root), db


@pytest.fixture(scope="module")
def mf_results(fillcum: tuple[Project, Path]) -> dict[str, MFResult]:
    project, db = fillcum
    queries = [MFQuery.from_query(c.id, c.query) for c in CASES]
    return {r.id: r for r in run_metricflow(project.root, db, queries)}


def test_the_ids_are_unique() -> None:
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_filled_cumulative_same_rows_as_metricflow(
    case: Case, fillcum: tuple[Project, Path], mf_results: dict[str, MFResult]
) -> None:
    project, _ = fillcum
    mf = mf_results[case.id]
    assert mf.error is None, f"MetricFlow failed: {mf.error}"
    assert mf.rows, "a comparison over no rows proves nothing"
    ours = project.run(case.query)
    diffs = compare_results(ours.columns, ours.rows, mf.columns, mf.rows, ordered=False)
    assert not diffs, "\n".join([case.id, *diffs[:5], ours.sql, mf.sql])
