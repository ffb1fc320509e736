"""Differences the differential fuzzer (``bench/differential_fuzz.py``) found against MetricFlow, each fixed
and checked here against hand-written SQL on DuckDB:

* a conversion rate in a period whose base events converted only into NULL values is 0.0, not NULL
  (conversion events with a NULL value were left out before matching);
* a cumulative metric by two grains that cross (week and month) has one row per (week, month) pair,
  each the first day of the pair (a week spanning two quarters was one row);
* a cumulative metric grouped by its measure's own time dimension by name is refused (MetricFlow reads
  the name as ``metric_time``; metricmind totalled each period apart);
* an offset by a window that is not a whole number of the query's periods (1 month by quarter) of a
  measure whose days do not add up (snapshot, average) is refused: it was NULL in every period.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from metricmind.errors import QueryError
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from tests.compiler.marketplace import write_project

EXTRA = """
models:
  - name: date_spine
    time_spine: {standard_granularity_column: date_day}
    columns: [{name: date_day, granularity: day}]
semantic_models:
  - name: app_orders
    model: ref('orders')
    defaults: {agg_time_dimension: ordered_at}
    entities:
      - {name: app_order, type: primary, expr: order_id}
      - {name: buyer, type: foreign, expr: buyer_id}
    dimensions:
      - {name: ordered_at, type: time, type_params: {time_granularity: day}}
    measures:
      - {name: app_orders, agg: count, expr: "case when channel = 'app' and shipping_fee > 2.5 then order_id end"}
metrics:
  - name: app_conversion
    type: conversion
    type_params:
      conversion_type_params:
        base_measure: {name: order_count}
        conversion_measure: {name: app_orders}
        entity: buyer
        window: 7 days
  - name: orders_7d
    type: cumulative
    type_params: {measure: order_count, cumulative_type_params: {window: 7 days}}
  - {name: avg_list_price, type: simple, type_params: {measure: list_price}}
  - name: list_price_prev_month
    type: derived
    type_params:
      expr: avg_list_price - prev
      metrics: [{name: avg_list_price}, {name: avg_list_price, alias: prev, offset_window: 1 month}]
  - name: list_price_prev_week
    type: derived
    type_params:
      expr: avg_list_price - prev
      metrics: [{name: avg_list_price}, {name: avg_list_price, alias: prev, offset_window: 7 days}]
  - name: on_hand_prev_month
    type: derived
    type_params:
      expr: inventory_on_hand - prev
      metrics: [{name: inventory_on_hand}, {name: inventory_on_hand, alias: prev, offset_window: 1 month}]
"""


@pytest.fixture(scope="module")
def market(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = write_project(tmp_path_factory.mktemp("market_fuzz") / "market")
    (Path(root) / "models" / "extra.yml").write_text(EXTRA)
    with duckdb.connect(str(Path(root) / "target" / "marketplace.duckdb")) as con:
        con.execute(
            "create table main.date_spine as select cast(range as date) as date_day "
            "from range(date '2023-01-01', date '2026-01-01', interval 1 day)"
        )
    return Project.load(root)


def _rows(rows: object) -> list[tuple[object, ...]]:
    out = []
    for r in rows:  # type: ignore[attr-defined]
        *keys, value = r
        out.append((*(str(k)[:10] for k in keys), None if value is None else round(float(value), 9)))
    return sorted(out, key=repr)


def test_conversion_rate_zero_when_only_null_values_converted(market: Project) -> None:
    expected = _rows(
        market.warehouse.run(
            """
            with base as (select buyer_id ent, ordered_at dy from main.orders),
            ev as (select buyer_id ent, ordered_at dy,
                          case when channel = 'app' and shipping_fee > 2.5 then order_id end val from main.orders),
            matched as (
              select e.val, e.dy,
                     (select max(b.dy) from base b where b.ent = e.ent and b.dy <= e.dy) bd
              from ev e),
            conv as (
              select date_trunc('week', bd) w, count(val) c from matched
              where bd is not null and bd > dy - interval 7 day group by 1),
            n as (select date_trunc('week', ordered_at) w, count(order_id) b from main.orders group by 1)
            select n.w, cast(conv.c as double) / nullif(n.b, 0)
            from n left join conv on conv.w = n.w
            """
        ).rows
    )
    got = _rows(market.run(MetricQuery.build("app_conversion", ["metric_time__week"])).rows)
    assert got == expected
    assert any(v == 0.0 for *_, v in got), "no period converted only into NULL values: nothing checked"


def test_cumulative_by_week_and_month_one_row_per_pair(market: Project) -> None:
    expected = _rows(
        market.warehouse.run(
            """
            with days as (
              select date_day d from main.date_spine
              where date_day >= (select min(ordered_at) from main.orders)
                and date_day < (select max(ordered_at) from main.orders) + interval 7 day),
            win as (
              select d, (select count(order_id) from main.orders
                         where ordered_at <= d and ordered_at > d - interval 7 day) v
              from days),
            ranked as (
              select d, v, row_number() over (
                partition by date_trunc('week', d), date_trunc('month', d) order by d) rn
              from win where v > 0)
            select date_trunc('week', d), date_trunc('month', d), v from ranked where rn = 1
            """
        ).rows
    )
    weeks = [w for w, _, _ in expected]
    assert any(weeks.count(w) == 2 for w in weeks), "no week spans two months: nothing checked"
    got = _rows(market.run(MetricQuery.build("orders_7d", ["metric_time__week", "metric_time__month"])).rows)
    assert got == expected


@pytest.mark.parametrize("metric", ["list_price_prev_month", "on_hand_prev_month"])
def test_offset_not_whole_periods_refused(market: Project, metric: str) -> None:
    with pytest.raises(QueryError, match="not a whole number of quarters"):
        market.compile(MetricQuery.build(metric, ["metric_time__quarter"]))


def test_offset_of_whole_periods_still_answers(market: Project) -> None:
    expected = _rows(
        market.warehouse.run(
            """
            with q as (select date_trunc('week', listed_on) q, avg(list_price) a from main.products group by 1)
            select cur.q, cur.a - prev.a from q cur join q prev on prev.q = cur.q - interval 7 day
            """
        ).rows
    )
    assert expected, "no two consecutive weeks: nothing checked"
    got = _rows(market.run(MetricQuery.build("list_price_prev_week", ["metric_time__week"])).rows)
    assert [r for r in got if r[-1] is not None] == expected


@pytest.mark.parametrize("name", ["order__ordered_at__month", "order__ordered_at"])
def test_cumulative_by_its_own_time_dimension_refused(market: Project, name: str) -> None:
    with pytest.raises(QueryError, match="metric_time"):
        market.compile(MetricQuery.build("orders_7d", [name]))


def test_cumulative_range_without_metric_time_refused(market: Project) -> None:
    with pytest.raises(QueryError, match="metric_time in the group-by"):
        market.compile(
            MetricQuery.build("orders_7d", ["order__channel"], start="2024-02-01", end="2024-03-01")
        )
    day = "{{ TimeDimension('metric_time', 'day') }} >= '2024-02-01'"
    with pytest.raises(QueryError, match="metric_time in the group-by"):
        market.compile(MetricQuery.build("orders_7d", ["order__channel"], where=[day]))


def test_offset_by_its_own_time_dimension_refused(market: Project) -> None:
    with pytest.raises(QueryError, match="cumulated or offset"):
        market.compile(
            MetricQuery.build("list_price_prev_week", ["metric_time__week", "product__listed_on__week"])
        )
