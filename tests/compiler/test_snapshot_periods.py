"""A snapshot measure grouped by several periods, cumulated, or by a date part: exact, or refused.

Several periods that nest (month and quarter, day and month) read each finest period's last snapshot day;
periods that cross (a week and a month) are refused: a week spanning two months has no one last day, and
MetricFlow takes the last day of whichever period is named first (its answer depends on the order of the
group-by). A cumulative metric over a snapshot is refused (adding stock levels up is no stock; MetricFlow
answers another number). Date parts (``__extract_month``) of a snapshot, in group-bys and filters, are
refused until supported (they were once read as the day itself); other metrics take them
(``tests/compiler/test_date_parts.py``).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from metricmind.errors import QueryError
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from tests.compiler.marketplace import write_project

DAY = "inventory_snapshot__snapshot_date"

CUMULATIVE = """
models:
  - name: date_spine
    time_spine: {standard_granularity_column: date_day}
    columns: [{name: date_day, granularity: day}]
metrics:
  - name: on_hand_7d
    type: cumulative
    type_params: {measure: on_hand, cumulative_type_params: {window: 7 days}}
  - name: on_hand_mtd
    type: cumulative
    type_params: {measure: on_hand, cumulative_type_params: {grain_to_date: month}}
  - name: on_hand_over_time
    type: derived
    type_params:
      expr: on_hand_7d * 2
      metrics: [{name: on_hand_7d}]
"""


@pytest.fixture(scope="module")
def market(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = write_project(tmp_path_factory.mktemp("market_periods") / "market")
    (Path(root) / "models" / "cumulative.yml").write_text(CUMULATIVE)
    with duckdb.connect(str(Path(root) / "target" / "marketplace.duckdb")) as con:
        con.execute(
            "create table main.date_spine as select cast(range as date) as date_day "
            "from range(date '2023-01-01', date '2026-01-01', interval 1 day)"
        )
    return Project.load(root)


def ours(project: Project, *group_by: str) -> list[tuple[object, ...]]:
    rows = project.run(MetricQuery.build("inventory_on_hand", list(group_by))).rows
    return sorted(((*(str(v)[:10] for v in r[:-1]), int(r[-1])) for r in rows), key=repr)


def hand(project: Project, sql: str) -> list[tuple[object, ...]]:
    return sorted(
        ((*(str(v)[:10] for v in r[:-1]), int(r[-1])) for r in project.warehouse.run(sql).rows), key=repr
    )


def test_month_and_quarter_nest_each_months_last_day(market: Project) -> None:
    expected = hand(
        market,
        "with last as (select date_trunc('month', snapshot_date) m, max(snapshot_date) d "
        "from main.inventory_daily group by 1) "
        "select date_trunc('quarter', last.d), last.m, sum(on_hand) from main.inventory_daily i "
        "join last on i.snapshot_date = last.d group by 1, 2",
    )
    assert len(expected) == 3
    # the order of the group-by changes nothing (MetricFlow's answer does change with it)
    assert ours(market, "metric_time__quarter", "metric_time__month") == expected
    got = ours(market, "metric_time__month", "metric_time__quarter")
    assert sorted(((q, m, v) for m, q, v in got), key=repr) == expected


@pytest.mark.parametrize(
    "group_by",
    [
        ("metric_time__week", "metric_time__month"),
        ("metric_time__month", "metric_time__week"),
        (f"{DAY}__week", "metric_time__month"),
        (f"{DAY}__quarter", "metric_time__week"),
        ("metric_time__week", "metric_time__year", "inventory_snapshot__warehouse"),
    ],
)
def test_periods_that_cross_are_refused(market: Project, group_by: tuple[str, ...]) -> None:
    with pytest.raises(QueryError, match="cross"):
        market.compile(MetricQuery.build("inventory_on_hand", list(group_by)))


def test_week_alone_still_answers(market: Project) -> None:
    expected = hand(
        market,
        "with last as (select date_trunc('week', snapshot_date) w, max(snapshot_date) d "
        "from main.inventory_daily group by 1) "
        "select last.w, sum(on_hand) from main.inventory_daily i join last on i.snapshot_date = last.d group by 1",
    )
    assert len(expected) > 4
    assert ours(market, "metric_time__week") == expected
    assert ours(market, "metric_time__week", "metric_time__day") == sorted(
        (
            (w, d, v)
            for w, d, v in hand(
                market,
                "select date_trunc('week', snapshot_date), snapshot_date, sum(on_hand) "
                "from main.inventory_daily group by 1, 2",
            )
        ),
        key=repr,
    )


@pytest.mark.parametrize("metric", ["on_hand_7d", "on_hand_mtd", "on_hand_over_time"])
def test_cumulative_over_a_snapshot_is_refused(market: Project, metric: str) -> None:
    with pytest.raises(QueryError, match="snapshot measure"):
        market.compile(MetricQuery.build(metric, ["metric_time__month"]))


@pytest.mark.parametrize(
    "group_by", [[f"{DAY}__extract_dow"], ["metric_time__extract_month", "metric_time__month"]]
)
def test_date_part_group_by_is_refused(market: Project, group_by: list[str]) -> None:
    """A part of the snapshot's own date, or a part of metric_time beside a period (one part of
    metric_time alone is read on each part's last day: tests/compiler/test_date_parts_time.py)."""
    with pytest.raises(QueryError, match="date part"):
        market.compile(MetricQuery.build("inventory_on_hand", group_by))


def test_date_part_filter_of_a_snapshot_is_refused(market: Project) -> None:
    where = "{{ TimeDimension('metric_time', date_part_name='month') }} = 3"
    with pytest.raises(QueryError, match="date part"):
        market.compile(MetricQuery.build("inventory_on_hand", ["metric_time__month"], where=[where]))
