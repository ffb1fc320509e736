"""The marketplace sample: a dbt project as a second company writes it, built on DuckDB or PostgreSQL.

Unlike the shop, it has no ``metricmind.yml``: the warehouse comes from its own ``profiles.yml``
(target ``dev`` on DuckDB, target ``warehouse`` on PostgreSQL with every setting from ``env_var()``).
Raw tables in schema ``raw`` (generated, deterministic), staging views ``stg_*``, ``dim_*``/``fct_*``
tables and a time spine in the profile's schema, one YAML file per semantic model, an entity chain
``order_line → order → buyer → region`` with a text key on region, and measures with
``create_metric: true`` used by ratio metrics. The same SQL builds on both engines.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from metricmind.demo.runner import discover, order, render
from metricmind.warehouse.duckdb import DuckDBWarehouse
from metricmind.warehouse.postgres import PostgresWarehouse

MARKETPLACE = Path(__file__).parent / "projects" / "marketplace"

#: The raw tables (what an extract-load tool would deliver), the same on DuckDB and PostgreSQL.
RAW_TABLES: dict[str, str] = {
    "regions": "select * from (values ('NE', 'Northeast'), ('SE', 'Southeast'), ('MW', 'Midwest'), "
    "('WE', 'West')) as v(code, name)",
    "buyers": """select i as id,
        case when i = 60 then null when i % 4 = 0 then 'NE' when i % 4 = 1 then 'SE'
             when i % 4 = 2 then 'MW' else 'WE' end as region,
        case when i % 5 = 0 then 'gold' when i % 3 = 0 then 'silver' else 'none' end as tier,
        cast('2023-06-01' as date) + cast(i * 5 as integer) as signed_up_on
        from generate_series(1, 60) as t(i)""",
    "orders": """select i as id, 1 + (i * 7) % 60 as buyer,
        cast('2024-01-01' as date) + cast((i * 3) % 180 as integer) as ordered_on,
        case when i % 10 = 0 then 'cancelled' else 'completed' end as status
        from generate_series(1, 240) as t(i)""",
    "order_lines": """select i as id, 1 + (i % 240) as order_ref, 1 + (i * 5) % 25 as product,
        1 + i % 4 as qty, cast(5 + (i * 13) % 40 as numeric(10, 2)) as price
        from generate_series(1, 600) as t(i)""",
    "sessions": """select i as id, 1 + (i * 11) % 60 as buyer,
        cast('2024-01-01' as date) + cast((i * 2) % 180 as integer) as started_on, i % 3 = 0 as bounced
        from generate_series(1, 500) as t(i)""",
}


def copy_marketplace(target: Path) -> Path:
    """A copy of the marketplace project's files (nothing built) in ``target``."""
    shutil.copytree(MARKETPLACE, target, ignore=shutil.ignore_patterns("target", "__pycache__"))
    return target


def statements(schema: str = "analytics") -> list[str]:
    """The SQL that builds the raw tables, the staging views and the marts, in order."""
    out = ["create schema if not exists raw", f"create schema if not exists {schema}"]
    out += [f"create table raw.{name} as {sql}" for name, sql in RAW_TABLES.items()]
    for model in order(discover(MARKETPLACE / "models")):
        kind = "view" if model.path.parent.name == "staging" else "table"
        body = render(model, schema, {"marketplace_raw": "raw"})
        out.append(f"create {kind} {schema}.{model.name} as {body}")
    return out


def build(execute: Callable[[str], object], schema: str = "analytics") -> None:
    """Run ``statements(schema)`` through ``execute`` (one statement per call)."""
    for sql in statements(schema):
        execute(sql)


def build_duckdb(path: Path, schema: str = "analytics") -> Path:
    """Build the marketplace in a new DuckDB file at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wh = DuckDBWarehouse(path, read_only=False)
    try:
        build(wh.execute, schema)
    finally:
        wh.close()
    return path


def build_postgres(dsn: str, schema: str = "analytics") -> None:
    """Build the marketplace in the (empty) PostgreSQL database of ``dsn``."""
    wh = PostgresWarehouse(dsn)
    try:
        build(wh.execute, schema)
    finally:
        wh.close()
