"""A semi-additive measure grouped by its own non-additive time dimension: each period's own last snapshot.

``inventory_on_hand`` (last ``snapshot_date`` of the period) by ``inventory_snapshot__snapshot_date`` is the
stock of each snapshot day, and by ``..__month`` the stock on each month's last snapshot day, as by
``metric_time`` (MetricFlow reads it so; checked on the lastmile sample in
``tests/foreign/test_lastmile_vs_metricflow.py``). Before, every group took the single last day of all.
"""

from __future__ import annotations

import pytest

from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from tests.compiler.marketplace import write_project

DAY = "inventory_snapshot__snapshot_date"


@pytest.fixture(scope="module")
def market(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project.load(write_project(tmp_path_factory.mktemp("market_snap") / "market"))


def ours(project: Project, *group_by: str) -> list[tuple[object, ...]]:
    rows = project.run(MetricQuery.build("inventory_on_hand", list(group_by))).rows
    return sorted(((*(str(v)[:10] for v in r[:-1]), int(r[-1])) for r in rows), key=repr)


def hand(project: Project, sql: str) -> list[tuple[object, ...]]:
    return sorted(
        ((*(str(v)[:10] for v in r[:-1]), int(r[-1])) for r in project.warehouse.run(sql).rows), key=repr
    )


def test_by_its_own_day_every_snapshot_day(market: Project) -> None:
    expected = hand(market, "select snapshot_date, sum(on_hand) from main.inventory_daily group by 1")
    assert len(expected) > 10
    assert ours(market, DAY) == expected


def test_by_its_own_month_the_last_snapshot_day_of_each_month(market: Project) -> None:
    expected = hand(
        market,
        "with last as (select date_trunc('month', snapshot_date) m, max(snapshot_date) d "
        "from main.inventory_daily group by 1) "
        "select last.m, sum(on_hand) from main.inventory_daily i join last on i.snapshot_date = last.d group by 1",
    )
    assert len(expected) == 3
    assert ours(market, f"{DAY}__month") == expected
    assert ours(market, "metric_time__month") == expected


def test_with_another_dimension_too(market: Project) -> None:
    expected = hand(
        market, "select snapshot_date, warehouse, sum(on_hand) from main.inventory_daily group by 1, 2"
    )
    assert ours(market, DAY, "inventory_snapshot__warehouse") == expected


def test_without_it_still_the_last_day_of_all(market: Project) -> None:
    expected = hand(
        market,
        "select warehouse, sum(on_hand) from main.inventory_daily "
        "where snapshot_date = (select max(snapshot_date) from main.inventory_daily) group by 1",
    )
    assert ours(market, "inventory_snapshot__warehouse") == expected
