"""A cumulative metric whose measure is filled (``join_to_timespine``, ``fill_nulls_with``) shown by a
period coarser than a day: every spine day is filled first, then each period shows its first day, its
last day or the average of its days (``period_agg``), as MetricFlow does (the differential test:
``tests/differential/test_filled_cumulative_vs_metricflow.py``). Rows are checked against numbers worked
out by hand and against hand-written SQL on DuckDB.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from metricmind.errors import QueryError
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from tests.compiler.fillcum import load_tables, write_project

MONTHS = [dt.datetime(2023, 12, 1)] + [dt.datetime(2024, m, 1) for m in range(1, 13)]
MONTHS += [dt.datetime(2025, m, 1) for m in range(1, 4)]
DAY = "{{ TimeDimension('metric_time', 'day') }}"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("fillcum") / "fillcum"
    load_tables(write_project(root))
    with Project.load(root) as p:
        yield p


def _rows(p: Project, metric: str, group_by: list[str], **kw: object) -> dict[object, object]:
    result = p.run(MetricQuery.build(metric, group_by, **kw))  # type: ignore[arg-type]
    rows = [tuple(r) for r in result.rows]
    return {r[:-1] if len(r) > 2 else r[0]: r[-1] for r in rows}


def _close(ours: dict[object, object], expected: dict[object, object]) -> None:
    assert set(ours) == set(expected)
    for key, value in expected.items():
        got = ours[key]
        if value is None or got is None:
            assert got == value, key
        else:
            assert got == pytest.approx(value), key


def test_first_and_last_day_of_each_month(project: Project) -> None:
    # 10-day window: 2024-08-01 still holds the order of 07-30 (9); 07-31 too; every other first and
    # last day of a month has an empty window, filled with 0
    first = _rows(project, "revenue_10d_filled", ["metric_time__month"])
    assert first == {m: 9 if m == dt.datetime(2024, 8, 1) else 0 for m in MONTHS}
    last = _rows(project, "revenue_10d_filled_last", ["metric_time__month"])
    assert last == {m: 9 if m == dt.datetime(2024, 7, 1) else 0 for m in MONTHS}
    # not filled: the empty first days stay NULL (every month is listed)
    joined = _rows(project, "revenue_10d_joined", ["metric_time__month"])
    assert joined == {m: 9 if m == dt.datetime(2024, 8, 1) else None for m in MONTHS}


def test_average_over_every_day_of_the_period(project: Project) -> None:
    # January: 30 on 01-03..01-12 (10 days), 5 on 01-20..01-29 (10 days), 0 on the 11 others
    by_hand = {
        dt.datetime(2024, 1, 1): 350 / 31,
        dt.datetime(2024, 2, 1): 70 / 29,
        dt.datetime(2024, 4, 1): 140 / 30,
        dt.datetime(2024, 7, 1): 98 / 31,
        dt.datetime(2024, 8, 1): 72 / 31,
        dt.datetime(2024, 11, 1): 40 / 30,
    }
    _close(
        _rows(project, "revenue_10d_filled_avg", ["metric_time__month"]),
        {m: by_hand.get(m, 0.0) for m in MONTHS},
    )
    quarters = {
        dt.datetime(2023, 10, 1): 0.0,
        dt.datetime(2024, 1, 1): 420 / 91,
        dt.datetime(2024, 4, 1): 140 / 91,
        dt.datetime(2024, 7, 1): 170 / 92,
        dt.datetime(2024, 10, 1): 40 / 92,
        dt.datetime(2025, 1, 1): 0.0,
    }
    _close(_rows(project, "revenue_10d_filled_avg", ["metric_time__quarter"]), quarters)
    # without fill_nulls_with the empty days are NULL and the average skips them
    joined = {
        dt.datetime(2024, 1, 1): 350 / 20,
        dt.datetime(2024, 2, 1): 7.0,
        dt.datetime(2024, 4, 1): 140 / 11,
        dt.datetime(2024, 7, 1): 98 / 12,
        dt.datetime(2024, 8, 1): 9.0,
        dt.datetime(2024, 11, 1): 4.0,
    }
    _close(
        _rows(project, "revenue_10d_joined_avg", ["metric_time__month"]),
        {m: joined.get(m) for m in MONTHS},
    )


def test_the_fill_value_is_averaged_too(project: Project) -> None:
    # all-time revenue, filled with 5 before the first order (2024-01-03)
    ours = _rows(project, "revenue_all_time_filled_avg", ["metric_time__quarter"])
    assert ours[dt.datetime(2023, 10, 1)] == pytest.approx(5.0)
    assert ours[dt.datetime(2024, 1, 1)] == pytest.approx((2 * 5 + 17 * 30 + 21 * 35 + 51 * 42) / 91)
    assert ours[dt.datetime(2024, 4, 1)] == pytest.approx((14 * 42 + 53 + 76 * 56) / 91)


def test_month_to_date_on_each_last_day(project: Project) -> None:
    counts = {
        dt.datetime(2024, 1, 1): 3,
        dt.datetime(2024, 2, 1): 1,
        dt.datetime(2024, 4, 1): 2,
        dt.datetime(2024, 7, 1): 2,
        dt.datetime(2024, 11, 1): 1,
    }
    assert _rows(project, "orders_mtd_filled", ["metric_time__month"]) == {
        m: counts.get(m, 0) for m in MONTHS
    }


def test_by_a_dimension_the_spine_days_without_rows_are_their_own_group(project: Project) -> None:
    # a segment's average is over its days with a value; the days without any row have segment NULL
    ours = _rows(project, "revenue_10d_filled_avg", ["metric_time__month", "order__segment"])
    jan = dt.datetime(2024, 1, 1)
    assert ours[(jan, "a")] == pytest.approx((10 * 10 + 10 * 5) / 20)
    assert ours[(jan, "b")] == pytest.approx(20.0)
    assert ours[(jan, None)] == pytest.approx(0.0)  # 11 days of January have no order in the window
    only_a = _rows(
        project,
        "revenue_10d_filled_avg",
        ["metric_time__month", "order__segment"],
        where=["{{ Dimension('order__segment') }} = 'a'"],
    )
    assert {k: v for k, v in ours.items() if isinstance(k, tuple) and k[1] == "a"} == only_a


def test_a_time_filter_chooses_the_days_averaged(project: Project) -> None:
    ours = _rows(project, "revenue_10d_filled_avg", ["metric_time__month"], where=[f"{DAY} >= '2024-04-10'"])
    assert min(ours) == dt.datetime(2024, 4, 1)
    assert ours[dt.datetime(2024, 4, 1)] == pytest.approx(140 / 21)  # 04-10..04-30
    first = _rows(project, "revenue_10d_filled", ["metric_time__month"], where=[f"{DAY} >= '2024-04-10'"])
    assert first[dt.datetime(2024, 4, 1)] == 0  # 04-10's window (04-01..04-10) is empty


HAND_SQL = """
with daily as (
  select s.date_day as day, o.segment, sum(o.amount) as value
  from time_spine_daily s join orders o on o.ordered_at <= s.date_day and o.ordered_at > s.date_day - 10
  group by 1, 2
), filled as (
  select s.date_day as day, d.segment, coalesce(d.value, 0) as value
  from time_spine_daily s left join daily d on d.day = s.date_day
)
select date_trunc('quarter', day) as quarter, segment,
  {value}
from filled group by 1, 2
"""


@pytest.mark.parametrize(
    ("metric", "value"),
    [
        ("revenue_10d_filled_avg", "avg(value)"),
        ("revenue_10d_filled", "arg_min(value, day)"),
        ("revenue_10d_filled_last", "arg_max(value, day)"),
    ],
)
def test_same_rows_as_hand_written_sql(project: Project, metric: str, value: str) -> None:
    rows = project.warehouse.run(HAND_SQL.format(value=value)).rows
    expected = {(r[0], r[1]): r[2] for r in rows}
    ours = _rows(project, metric, ["metric_time__quarter", "order__segment"])
    assert set(ours) == set(expected)
    assert all(ours[k] == pytest.approx(v) for k, v in expected.items())


def test_by_a_date_part_still_refused(project: Project) -> None:
    with pytest.raises(QueryError, match="date part"):
        project.run(MetricQuery.build("revenue_10d_filled", ["metric_time__extract_month"]))
