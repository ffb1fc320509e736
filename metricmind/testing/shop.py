"""Build the shop sample project's DuckDB warehouse (seed CSVs + model SQL) without dbt."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb

SHOP = Path(__file__).parent / "projects" / "shop"
MODELS = (
    "regions",
    "products",
    "customers",
    "customer_plans",
    "orders",
    "order_items",
    "visits",
    "balances",
    "time_spine_daily",
)
_REF = re.compile(r"\{\{\s*ref\('([^']+)'\)\s*\}\}")


def build_shop(db_path: Path) -> Path:
    """Create ``db_path`` with the raw seeds and the models in schema ``main``; returns the path."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path))
    try:
        for csv in sorted((SHOP / "seeds").glob("*.csv")):
            con.execute(f"CREATE OR REPLACE TABLE main.{csv.stem} AS SELECT * FROM read_csv_auto('{csv}')")
        for model in MODELS:
            sql = _REF.sub(r"main.\1", (SHOP / "models" / f"{model}.sql").read_text())
            con.execute(f"CREATE OR REPLACE TABLE main.{model} AS {sql}")
    finally:
        con.close()
    return db_path


def copy_shop(target: Path) -> Path:
    """A copy of the shop project in ``target`` with its warehouse built at ``target/target/shop.duckdb``."""
    shutil.copytree(SHOP, target, ignore=shutil.ignore_patterns("target", "__pycache__"), dirs_exist_ok=True)
    build_shop(target / "target" / "shop.duckdb")
    return target
