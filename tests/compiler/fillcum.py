"""A small project whose cumulative and conversion metrics fill every spine day (``join_to_timespine``),
with gaps of months between its orders, shared by the rows tests (``test_filled_cumulative_periods.py``,
``test_filled_conversions.py``, tables made by DuckDB) and the differential test against MetricFlow
(``tests/differential/test_filled_cumulative_vs_metricflow.py``, the same tables built by dbt from seeds).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

# order_id, customer_id, ordered_at, amount, segment: gaps of weeks and months between orders
ORDERS = [
    (1, 1, "2024-01-03", 10, "a"),
    (2, 2, "2024-01-03", 20, "b"),
    (3, 1, "2024-01-20", 5, "a"),
    (4, 3, "2024-02-10", 7, "b"),
    (5, 2, "2024-04-15", 11, "a"),
    (6, 1, "2024-04-16", 3, "b"),
    (7, 3, "2024-07-02", 8, "a"),
    (8, 2, "2024-07-30", 9, "a"),
    (9, 1, "2024-11-05", 4, "b"),
]
# visit_id, customer_id, visited_at, channel: visits that convert into an order within 7 days or not
VISITS = [
    (1, 1, "2024-01-01", "web"),
    (2, 2, "2024-01-02", "app"),
    (3, 3, "2024-01-05", "web"),
    (4, 1, "2024-01-18", "app"),
    (5, 3, "2024-02-08", "web"),
    (6, 2, "2024-03-03", "web"),
    (7, 2, "2024-04-10", "app"),
    (8, 1, "2024-04-14", "web"),
    (9, 3, "2024-06-20", "web"),
    (10, 3, "2024-06-28", "app"),
    (11, 2, "2024-07-25", "web"),
    (12, 1, "2024-10-30", "app"),
]
SPINE = ("2023-12-01", "2025-03-31")  # every day, both included

SCHEMA = """version: 2
models:
  - name: time_spine_daily
    time_spine:
      standard_granularity_column: date_day
    columns:
      - name: date_day
        granularity: day
semantic_models:
  - name: orders
    model: ref('orders')
    defaults: {agg_time_dimension: ordered_at}
    entities:
      - {name: order, type: primary, expr: order_id}
      - {name: customer, type: foreign, expr: customer_id}
    dimensions:
      - {name: ordered_at, type: time, type_params: {time_granularity: day}}
      - {name: segment, type: categorical}
    measures:
      - {name: revenue, agg: sum, expr: amount}
      - {name: order_count, agg: count, expr: order_id}
  - name: visits
    model: ref('visits')
    defaults: {agg_time_dimension: visited_at}
    entities:
      - {name: visit, type: primary, expr: visit_id}
      - {name: customer, type: foreign, expr: customer_id}
    dimensions:
      - {name: visited_at, type: time, type_params: {time_granularity: day}}
      - {name: channel, type: categorical}
    measures:
      - {name: visit_count, agg: count, expr: visit_id}
metrics:
"""
# name -> (measure, fill_nulls_with, cumulative_type_params)
METRICS: dict[str, tuple[str, int | None, str]] = {
    "revenue_10d_filled": ("revenue", 0, "{window: 10 days}"),
    "revenue_10d_filled_last": ("revenue", 0, "{window: 10 days, period_agg: last}"),
    "revenue_10d_filled_avg": ("revenue", 0, "{window: 10 days, period_agg: average}"),
    "revenue_10d_joined": ("revenue", None, "{window: 10 days}"),
    "revenue_10d_joined_avg": ("revenue", None, "{window: 10 days, period_agg: average}"),
    "orders_mtd_filled": ("order_count", 0, "{grain_to_date: month, period_agg: last}"),
    "revenue_all_time_filled_avg": ("revenue", 5, "{period_agg: average}"),
}


# name -> (base measure, conversion measure, calculation): visit -> order within 7 days
CONVERSIONS: dict[str, tuple[str, str, str]] = {
    "visit_order_rate_filled": (
        "{name: visit_count, join_to_timespine: true, fill_nulls_with: 0}",
        "{name: order_count, join_to_timespine: true, fill_nulls_with: 0}",
        "conversion_rate",
    ),
    "visit_order_rate_joined": (
        "{name: visit_count, join_to_timespine: true}",
        "{name: order_count, join_to_timespine: true}",
        "conversion_rate",
    ),
    "visit_order_rate_base_filled": (
        "{name: visit_count, join_to_timespine: true, fill_nulls_with: 0}",
        "{name: order_count}",
        "conversion_rate",
    ),
    "visit_orders_filled": (
        "{name: visit_count}",
        "{name: order_count, join_to_timespine: true, fill_nulls_with: 5}",
        "conversions",
    ),
}


def _metrics_yaml() -> str:
    out = []
    for i, (name, (measure, fill, params)) in enumerate(METRICS.items()):
        filled = f", fill_nulls_with: {fill}" if fill is not None else ""
        out.append(
            f"  - name: {name}\n    label: filled cumulative {i}\n    type: cumulative\n    type_params:\n"
            f"      measure: {{name: {measure}, join_to_timespine: true{filled}}}\n"
            f"      cumulative_type_params: {params}\n"
        )
    for i, (name, (base, conversion, calculation)) in enumerate(CONVERSIONS.items()):
        out.append(
            f"  - name: {name}\n    label: filled conversion {i}\n    type: conversion\n    type_params:\n"
            f"      conversion_type_params:\n        base_measure: {base}\n"
            f"        conversion_measure: {conversion}\n        entity: customer\n"
            f"        calculation: {calculation}\n        window: 7 days\n"
        )
    return "".join(out)


def write_project(root: Path) -> Path:
    """The dbt project (models, seed, metricmind.yml) in ``root``; returns the DuckDB file's path."""
    (root / "models").mkdir(parents=True)
    (root / "seeds").mkdir()
    (root / "dbt_project.yml").write_text(
        "name: fillcum\nversion: '1.0.0'\nconfig-version: 2\nprofile: fillcum\nmodel-paths: [models]\n"
        "seed-paths: [seeds]\ntarget-path: target\nmodels:\n  fillcum:\n    +materialized: table\n"
    )
    (root / "metricmind.yml").write_text(
        "name: fillcum\nwarehouse: {type: duckdb, path: target/fillcum.duckdb, schema: main}\n"
    )
    (root / "seeds" / "raw_orders.csv").write_text(
        "order_id,customer_id,ordered_at,amount,segment\n"
        + "".join(",".join(str(v) for v in row) + "\n" for row in ORDERS)
    )
    (root / "seeds" / "raw_visits.csv").write_text(
        "visit_id,customer_id,visited_at,channel\n"
        + "".join(",".join(str(v) for v in row) + "\n" for row in VISITS)
    )
    (root / "models" / "visits.sql").write_text(
        "select visit_id, customer_id, cast(visited_at as date) as visited_at, channel "
        "from {{ ref('raw_visits') }}\n"
    )
    (root / "models" / "orders.sql").write_text(
        "select order_id, customer_id, cast(ordered_at as date) as ordered_at, amount, segment "
        "from {{ ref('raw_orders') }}\n"
    )
    (root / "models" / "time_spine_daily.sql").write_text(
        f"select cast(d as date) as date_day from generate_series(cast('{SPINE[0]}' as date), "
        f"cast('{SPINE[1]}' as date), interval '1 day') as t(d)\n"
    )
    (root / "models" / "schema.yml").write_text(SCHEMA + _metrics_yaml())
    (root / "target").mkdir()
    return root / "target" / "fillcum.duckdb"


def load_tables(db: Path) -> None:
    """The two tables dbt would build, made by DuckDB directly."""
    con = duckdb.connect(str(db))
    con.execute(
        "create table orders (order_id int, customer_id int, ordered_at date, amount int, segment varchar)"
    )
    con.executemany("insert into orders values (?, ?, ?, ?, ?)", ORDERS)
    con.execute("create table visits (visit_id int, customer_id int, visited_at date, channel varchar)")
    con.executemany("insert into visits values (?, ?, ?, ?)", VISITS)
    con.execute(
        f"create table time_spine_daily as select range::date as date_day from "
        f"range(date '{SPINE[0]}', date '{SPINE[1]}' + 1, interval 1 day)"
    )
    con.close()
