"""Where filters on metric_time restrict output rows; input pruning never changes them (run on DuckDB).

MetricFlow's rows for the whole family are checked in ``tests/differential/test_timefilter_vs_metricflow.py``;
here the semantics are stated directly: at the day grain, a metric_time filter keeps exactly the rows
of the unfiltered answer whose day passes it, and equals the same period given as ``start``/``end``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from metricmind.compiler.timefilter import day_bounds, split_wheres
from metricmind.errors import QueryError
from metricmind.project import Project
from metricmind.spec.filters import parse_where
from metricmind.spec.query import MetricQuery
from metricmind.testing.shop import copy_shop

DAY = "{{ TimeDimension('metric_time', 'day') }}"
MONTH = "{{ TimeDimension('metric_time', 'month') }}"
SEGMENT = "{{ Dimension('customer__segment') }}"
OVER_TIME = [
    "orders_filled",
    "revenue_growth_mom",
    "revenue_prev_week",
    "revenue_at_month_start_delta",
    "cumulative_revenue",
    "revenue_3m",
    "revenue_7d",
    "revenue_mtd",
    "visitors_7d",
]


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        (f"{DAY} >= '2024-06-10'", (dt.date(2024, 6, 10), None)),
        (f"{DAY} > '2024-06-10'", (dt.date(2024, 6, 10), None)),
        (f"{DAY} < '2024-06-10'", (None, dt.date(2024, 6, 10))),
        (f"{DAY} <= '2024-06-10'", (None, dt.date(2024, 6, 11))),
        (f"'2024-06-10' <= {DAY}", (dt.date(2024, 6, 10), None)),
        (f"{DAY} = '2024-06-10'", (dt.date(2024, 6, 10), dt.date(2024, 6, 11))),
        (f"{MONTH} >= '2024-06-15'", (dt.date(2024, 6, 1), None)),
        (f"{MONTH} < '2024-06-15'", (None, dt.date(2024, 7, 1))),
        (f"{MONTH} <= '2024-06-01'", (None, dt.date(2024, 7, 1))),
        (f"{DAY} BETWEEN '2024-03-05' AND '2024-04-20'", (dt.date(2024, 3, 5), dt.date(2024, 4, 21))),
        (f"{MONTH} BETWEEN '2024-03-01' AND '2024-04-01'", (dt.date(2024, 3, 1), dt.date(2024, 5, 1))),
        (
            f"{DAY} >= CAST('2024-06-10' AS DATE) AND {DAY} < '2024-07-01'",
            (dt.date(2024, 6, 10), dt.date(2024, 7, 1)),
        ),
        (f"({DAY} >= '2024-06-10')", (dt.date(2024, 6, 10), None)),
        (f"{DAY} >= '2024-06-10' OR {DAY} < '2023-01-01'", (None, None)),
        (f"{DAY} != '2024-06-10'", (None, None)),
    ],
)
def test_day_bounds_are_conservative(text: str, bounds: tuple[dt.date | None, dt.date | None]) -> None:
    assert day_bounds(split_wheres([parse_where(text)]).time) == bounds


def test_split_at_top_level_and() -> None:
    s = split_wheres(
        [parse_where(f"({DAY} >= '2024-06-10' AND {SEGMENT} = 'SMB') AND {MONTH} < '2024-09-01'")]
    )
    assert (len(s.time), len(s.inputs), len(s.mixed)) == (2, 1, 0)
    s = split_wheres([parse_where(f"{DAY} >= '2024-06-10' OR {SEGMENT} = 'SMB'")])
    assert (len(s.time), len(s.inputs), len(s.mixed)) == (0, 0, 1)
    s = split_wheres([parse_where(f"{SEGMENT} = 'SMB'"), parse_where(f"{DAY} < '2024-01-01'")])
    assert (len(s.time), len(s.inputs), len(s.mixed)) == (1, 1, 0)


def _rows(shop: Project, **query: Any) -> list[tuple[Any, ...]]:
    """The rows, sorted, numbers rounded (running sums started elsewhere differ in the last bits)."""
    rows = shop.run(MetricQuery.build(**query)).rows
    return sorted(
        (tuple(round(float(v), 6) if isinstance(v, float) else v for v in r) for r in rows), key=repr
    )


def _day(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


@pytest.mark.parametrize("metric", OVER_TIME)
@pytest.mark.parametrize("segment", [False, True])
def test_filter_keeps_the_unfiltered_rows_of_its_days(shop: Project, metric: str, segment: bool) -> None:
    group_by = ["metric_time__day", *(["customer__segment"] if segment else [])]
    start, end = dt.date(2024, 6, 10), dt.date(2024, 8, 20)
    everything = _rows(shop, metrics=metric, group_by=group_by)
    expected = [r for r in everything if start <= _day(r[0]) < end]
    where = [f"{DAY} >= '{start}' AND {DAY} < '{end}'"]
    assert expected, "a check over no rows proves nothing"
    assert _rows(shop, metrics=metric, group_by=group_by, where=where) == expected
    assert (
        _rows(shop, metrics=metric, group_by=group_by, start=start.isoformat(), end=end.isoformat())
        == expected
    )


@pytest.mark.parametrize("metric", ["revenue_growth_mom", "revenue_3m", "cumulative_revenue", "revenue_mtd"])
def test_month_filter_keeps_the_unfiltered_months(shop: Project, metric: str) -> None:
    everything = _rows(shop, metrics=metric, group_by="metric_time__month")
    expected = [r for r in everything if _day(r[0]) >= dt.date(2024, 6, 1)]
    got = _rows(shop, metrics=metric, group_by="metric_time__month", where=f"{MONTH} >= '2024-06-01'")
    assert expected and got == expected


def test_a_dimension_condition_in_the_same_filter_still_filters_inputs(shop: Project) -> None:
    smb = _rows(shop, metrics="revenue_3m", group_by="metric_time__day", where=f"{SEGMENT} = 'SMB'")
    expected = [r for r in smb if _day(r[0]) >= dt.date(2024, 6, 10)]
    both = f"{DAY} >= '2024-06-10' AND {SEGMENT} = 'SMB'"
    assert expected and _rows(shop, metrics="revenue_3m", group_by="metric_time__day", where=both) == expected


def test_cumulative_refuses_metric_time_or_a_dimension_in_one_condition(shop: Project) -> None:
    with pytest.raises(QueryError) as err:
        shop.compile(
            MetricQuery.build(
                metrics="revenue_3m",
                group_by="metric_time__month",
                where=f"{DAY} >= '2024-06-10' OR {SEGMENT} = 'SMB'",
            )
        )
    assert "separate conditions" in str(err.value)


OWN_FILTERS = """
  - name: revenue_growth_since_june
    label: Revenue growth since June
    type: derived
    type_params:
      expr: revenue - revenue_prev_month
      metrics:
        - name: revenue
        - name: revenue
          offset_window: 1 month
          alias: revenue_prev_month
    filter: "{{ TimeDimension('metric_time', 'month') }} >= '2024-06-01'"
  - name: prev_week_since_june
    label: Revenue a week earlier, since June 10
    type: derived
    type_params:
      expr: revenue_week_ago
      metrics:
        - name: revenue
          offset_window: 7 days
          alias: revenue_week_ago
          filter: "{{ TimeDimension('metric_time', 'day') }} >= '2024-06-10'"
  - name: orders_filled_since_june
    label: Orders every day since June 10
    type: simple
    type_params:
      measure:
        name: order_count
        join_to_timespine: true
        fill_nulls_with: 0
    filter: "{{ TimeDimension('metric_time', 'day') }} >= '2024-06-10'"
"""


@pytest.fixture(scope="module")
def shop_own(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The shop with metrics whose own filter names only metric_time."""
    root = copy_shop(tmp_path_factory.mktemp("shop_own") / "shop")
    metrics = root / "models" / "metrics.yml"
    metrics.write_text(metrics.read_text().rstrip() + "\n" + OWN_FILTERS)
    return Project.load(root)


@pytest.mark.parametrize(
    ("metric", "base", "where"),
    [
        ("revenue_growth_since_june", "revenue_growth_mom", f"{MONTH} >= '2024-06-01'"),
        ("prev_week_since_june", "revenue_prev_week", f"{DAY} >= '2024-06-10'"),
        ("orders_filled_since_june", "orders_filled", f"{DAY} >= '2024-06-10'"),
    ],
)
@pytest.mark.parametrize("group_by", ["metric_time__day", "metric_time__month,customer__segment"])
def test_a_metrics_own_metric_time_filter_chooses_output_rows(
    shop_own: Project, metric: str, base: str, where: str, group_by: str
) -> None:
    """As in MetricFlow, a metric_time condition in a metric's definition acts like the query's."""
    own = _rows(shop_own, metrics=metric, group_by=group_by)
    assert own, "a check over no rows proves nothing"
    assert own == _rows(shop_own, metrics=base, group_by=group_by, where=where)
