"""A small project whose cumulative metrics fill every spine day (``join_to_timespine``), with gaps of
months between its orders, shared by the rows test (``test_filled_cumulative_periods.py``, tables made
by DuckDB) and the differential test against MetricFlow (``tests/differential/
test_filled_cumulative_vs_metricflow.py``, the same tables built by dbt from the seed).
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
    dimensions:
      - {name: ordered_at, type: time, type_params: {time_granularity: day}}
      - {name: segment, type: categorical}
    measures:
      - {name: revenue, agg: sum, expr: amount}
      - {name: order_count, agg: count, expr: order_id}
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


def _metrics_yaml() -> str:
    out = []
    for i, (name, (measure, fill, params)) in enumerate(METRICS.items()):
        filled = f", fill_nulls_with: {fill}" if fill is not None else ""
        out.append(
            f"  - name: {name}\n    label: filled cumulative {i}\n    type: cumulative\n    type_params:\n"
            f"      measure: {{name: {measure}, join_to_timespine: true{filled}}}\n"
            f"      cumulative_type_params: {params}\n"
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
    con.execute(
        f"create table time_spine_daily as select range::date as date_day from "
        f"range(date '{SPINE[0]}', date '{SPINE[1]}' + 1, interval 1 day)"
    )
    con.close()
