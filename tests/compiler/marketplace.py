"""A small online marketplace (the shape of issue 18's project), built as real tables on DuckDB or PostgreSQL.

Entity chain ``order_line → order → buyer → region`` (a text key on region), products, and a daily
inventory snapshot that holds ``product`` only as a foreign key: ``inventory_on_hand`` by
``buyer__loyalty_tier`` has no many-to-one path (inventory → order lines is foreign↔foreign).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import duckdb

YAML = """
semantic_models:
  - name: regions
    model: ref('regions')
    entities: [{name: region, type: primary, expr: region_code}]
    dimensions: [{name: continent, type: categorical}]
  - name: buyers
    model: ref('buyers')
    entities:
      - {name: buyer, type: primary, expr: buyer_id}
      - {name: region, type: foreign, expr: region_code}
    dimensions: [{name: loyalty_tier, type: categorical}]
  - name: orders
    model: ref('orders')
    defaults: {agg_time_dimension: ordered_at}
    entities:
      - {name: order, type: primary, expr: order_id}
      - {name: buyer, type: foreign, expr: buyer_id}
    dimensions:
      - {name: ordered_at, type: time, type_params: {time_granularity: day}}
      - {name: channel, type: categorical}
    measures:
      - {name: order_count, agg: count, expr: order_id}
      - {name: shipping, agg: sum, expr: shipping_fee}
  - name: order_lines
    model: ref('order_lines')
    defaults: {agg_time_dimension: ordered_at}
    entities:
      - {name: order_line, type: primary, expr: line_id}
      - {name: order, type: foreign, expr: order_id}
      - {name: product, type: foreign, expr: product_id}
    dimensions: [{name: ordered_at, type: time, type_params: {time_granularity: day}}]
    measures:
      - {name: revenue, agg: sum, expr: quantity * price}
      - {name: units, agg: sum, expr: quantity}
      - {name: line_count, agg: count, expr: line_id}
  - name: products
    model: ref('products')
    defaults: {agg_time_dimension: listed_on}
    entities: [{name: product, type: primary, expr: product_id}]
    dimensions:
      - {name: category, type: categorical}
      - {name: listed_on, type: time, type_params: {time_granularity: day}}
    measures:
      - {name: product_count, agg: count_distinct, expr: product_id}
      - {name: list_price, agg: average, expr: list_price}
  - name: inventory_daily
    model: ref('inventory_daily')
    primary_entity: inventory_snapshot
    defaults: {agg_time_dimension: snapshot_date}
    entities: [{name: product, type: foreign, expr: product_id}]
    dimensions:
      - {name: snapshot_date, type: time, type_params: {time_granularity: day}}
      - {name: warehouse, type: categorical}
    measures:
      - name: on_hand
        agg: sum
        non_additive_dimension: {name: snapshot_date, window_choice: max}
      - {name: inventory_rows, agg: count, expr: product_id}
metrics:
  - {name: order_count, type: simple, type_params: {measure: order_count}}
  - {name: shipping, type: simple, type_params: {measure: shipping}}
  - {name: revenue, type: simple, type_params: {measure: revenue}}
  - {name: units, type: simple, type_params: {measure: units}}
  - {name: line_count, type: simple, type_params: {measure: line_count}}
  - {name: inventory_on_hand, type: simple, type_params: {measure: on_hand}}
  - {name: inventory_rows, type: simple, type_params: {measure: inventory_rows}}
  - {name: product_count, type: simple, type_params: {measure: product_count}}
  - {name: average_list_price, type: simple, type_params: {measure: list_price}}
  - name: revenue_per_order
    type: ratio
    type_params: {numerator: revenue, denominator: order_count}
  - name: units_per_stock
    type: ratio
    type_params: {numerator: units, denominator: inventory_on_hand}
  - name: revenue_and_shipping
    type: derived
    type_params:
      expr: revenue + shipping
      metrics: [{name: revenue}, {name: shipping}]
"""

TABLES: dict[str, list[tuple[str, str]]] = {
    "regions": [("region_code", "varchar"), ("continent", "varchar")],
    "buyers": [("buyer_id", "integer"), ("region_code", "varchar"), ("loyalty_tier", "varchar")],
    "orders": [
        ("order_id", "integer"),
        ("buyer_id", "integer"),
        ("ordered_at", "date"),
        ("channel", "varchar"),
        ("shipping_fee", "decimal(10,2)"),
    ],
    "order_lines": [
        ("line_id", "integer"),
        ("order_id", "integer"),
        ("product_id", "integer"),
        ("ordered_at", "date"),
        ("quantity", "integer"),
        ("price", "decimal(10,2)"),
    ],
    "products": [
        ("product_id", "integer"),
        ("category", "varchar"),
        ("listed_on", "date"),
        ("list_price", "double precision"),
    ],
    "inventory_daily": [
        ("product_id", "integer"),
        ("snapshot_date", "date"),
        ("warehouse", "varchar"),
        ("on_hand", "integer"),
    ],
}


def rows(seed: int = 18) -> dict[str, list[tuple[Any, ...]]]:
    """Deterministic data: buyers in several tiers, products bought by several buyers, NULL keys too."""
    rnd = random.Random(seed)
    start = dt.date(2024, 1, 1)
    regions = [("eu-w", "Europe"), ("eu-n", "Europe"), ("us-e", "America"), ("apac", "Asia")]
    buyers = [
        (b, rnd.choice([r[0] for r in regions] + [None]), rnd.choice(["gold", "silver", "none", None]))
        for b in range(1, 41)
    ]
    products = [
        (
            p,
            rnd.choice(["toys", "books", "garden"]),
            start + dt.timedelta(days=rnd.randrange(90)),
            round(rnd.uniform(1, 80), 2),
        )
        for p in range(1, 16)
    ]
    orders, lines = [], []
    line_id = 0
    for o in range(1, 121):
        day = start + dt.timedelta(days=rnd.randrange(90))
        buyer = rnd.choice([b[0] for b in buyers] + [None, 99])  # NULL and a buyer that does not exist
        fee = round(rnd.uniform(0, 9), 2)
        orders.append((o, buyer, day, rnd.choice(["web", "app"]), fee))
        for _ in range(rnd.randrange(1, 4)):
            line_id += 1
            product = rnd.choice([p[0] for p in products] + [None])
            lines.append((line_id, o, product, day, rnd.randrange(1, 5), round(rnd.uniform(2, 50), 2)))
    inventory = [
        (p[0], start + dt.timedelta(days=d), w, rnd.randrange(0, 40))
        for p in products
        for d in range(0, 90, 7)
        for w in ("north", "south")
    ]
    return {
        "regions": regions,
        "buyers": buyers,
        "orders": orders,
        "order_lines": lines,
        "products": products,
        "inventory_daily": inventory,
    }


def write_project(root: Path) -> Path:
    """The project folder (YAML + ``metricmind.yml`` for DuckDB) with its warehouse built."""
    (root / "models").mkdir(parents=True, exist_ok=True)
    (root / "models" / "marketplace.yml").write_text(YAML)
    (root / "metricmind.yml").write_text(
        "name: marketplace\nwarehouse: {type: duckdb, path: target/marketplace.duckdb}\n"
    )
    (root / "target").mkdir(exist_ok=True)
    con = duckdb.connect(str(root / "target" / "marketplace.duckdb"))
    try:
        for name, statement, values in statements():
            con.execute(statement)
            if values:
                con.executemany(f"insert into {name} values ({', '.join('?' * len(values[0]))})", values)
    finally:
        con.close()
    return root


def statements() -> list[tuple[str, str, list[tuple[Any, ...]]]]:
    """``(table, CREATE TABLE statement, rows)`` in a SQL both DuckDB and PostgreSQL accept."""
    data = rows()
    out = []
    for name, columns in TABLES.items():
        ddl = ", ".join(f"{c} {t}" for c, t in columns)
        out.append((name, f"create table {name} ({ddl})", data[name]))
    return out
