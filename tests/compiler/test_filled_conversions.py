"""A conversion metric whose measures carry ``join_to_timespine`` (it was an error at load): each filled
measure is joined to every spine period and filled with its own ``fill_nulls_with`` before the rate, as
MetricFlow does (differential test: ``tests/differential/test_filled_cumulative_vs_metricflow.py``).
With a filter or a time range MetricFlow still lists every spine period for a filled conversion measure:
refused, with why. Rows are checked against numbers worked out by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from metricmind.errors import Level, QueryError
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from tests.compiler.fillcum import load_tables, write_project

MONTHS = [dt.datetime(2023, 12, 1)] + [dt.datetime(2024, m, 1) for m in range(1, 13)]
MONTHS += [dt.datetime(2025, m, 1) for m in range(1, 4)]
# visits that ordered within 7 days / visits, by the visit's month
RATES = {1: 3 / 4, 2: 1.0, 4: 1.0, 6: 0.5, 7: 1.0, 10: 1.0}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("fillconv") / "fillconv"
    load_tables(write_project(root))
    with Project.load(root) as p:
        yield p


def _by_month(p: Project, metric: str) -> dict[object, object]:
    return {r[0]: r[1] for r in p.run(MetricQuery.build(metric, ["metric_time__month"])).rows}


def test_filled_conversions_load(project: Project) -> None:
    assert not [i for i in project.issues if i.level is Level.ERROR]
    assert "visit_order_rate_filled" in project.model.metrics


def test_the_rate_of_every_month(project: Project) -> None:
    def rate(m: dt.datetime, march: float | None) -> float | None:
        if m.year != 2024:
            return None
        return march if m.month == 3 else RATES.get(m.month)

    # March: one visit, no order within 7 days: 0 conversions (filled) / 1 visit = 0.0; months without
    # visits: 0 / 0 is NULL
    assert _by_month(project, "visit_order_rate_filled") == pytest.approx({m: rate(m, 0.0) for m in MONTHS})
    # not filled: March's conversions are NULL, so is its rate; every month is listed
    assert _by_month(project, "visit_order_rate_joined") == pytest.approx({m: rate(m, None) for m in MONTHS})
    assert _by_month(project, "visit_order_rate_base_filled") == pytest.approx(
        {m: rate(m, None) for m in MONTHS}
    )


def test_conversions_filled_with_their_own_value(project: Project) -> None:
    counts = {1: 3, 2: 1, 4: 2, 6: 1, 7: 1, 10: 1}
    expected = {m: counts.get(m.month, 5) if m.year == 2024 else 5 for m in MONTHS}
    assert _by_month(project, "visit_orders_filled") == expected


@pytest.mark.parametrize(
    "query",
    [
        MetricQuery.build("visit_order_rate_filled", ["metric_time__month"], start="2024-02-01"),
        MetricQuery.build(
            "visit_orders_filled",
            ["metric_time__month"],
            where=["{{ Dimension('visit__channel') }} = 'web'"],
        ),
    ],
)
def test_with_a_filter_or_a_range_refused(project: Project, query: MetricQuery) -> None:
    with pytest.raises(QueryError, match="still lists every period"):
        project.run(query)


def test_a_filled_base_alone_answers_with_a_range(project: Project) -> None:
    rows = project.run(
        MetricQuery.build(
            "visit_order_rate_base_filled", ["metric_time__month"], start="2024-02-01", end="2024-05-01"
        )
    ).rows
    assert {r[0]: r[1] for r in rows} == {
        dt.datetime(2024, 2, 1): 1.0,
        dt.datetime(2024, 3, 1): None,
        dt.datetime(2024, 4, 1): 1.0,
    }
