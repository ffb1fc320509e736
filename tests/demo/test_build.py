from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from metricmind.demo.build import PROJECT_DIR, BuildReport, build_demo
from metricmind.demo.generator import RAW_TABLES, generate, resolve_end_date
from metricmind.errors import MetricmindError
from metricmind.warehouse.duckdb import DuckDBWarehouse
from tests.demo.conftest import END_DATE, SCALE, SEED

CANONICAL = (
    "dim_customers_canonical",
    "fct_subscriptions_canonical",
    "fct_invoices_canonical",
    "fct_user_events_canonical",
    "fct_marketing_touchpoints_canonical",
    "mart_customer_lifecycle_canonical",
)


def checksums(path: Path) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent hash of every table."""
    with DuckDBWarehouse(path) as wh:
        return {
            t.qualified: tuple(
                wh.run(f"select count(*), coalesce(sum(hash(x)), 0) from {t.qualified} as x").rows[0]
            )
            for t in wh.tables()
        }


def test_the_project_and_warehouse_are_written(demo: BuildReport) -> None:
    root = demo.target_dir
    for name in (
        "metricmind.yml",
        "dbt_project.yml",
        "models/sources.yml",
        "models/canonical_datasets.yml",
        "models/time_spine_daily.sql",
    ):
        assert (root / name).is_file(), name
    assert demo.warehouse == root / "target" / "warehouse.duckdb" and demo.warehouse.is_file()
    assert list(demo.raw_rows) == list(RAW_TABLES)
    assert set(CANONICAL) <= set(demo.model_rows)
    assert {"time_spine_daily", "fct_ad_spend", "fct_mrr_movements", "fct_trials"} <= set(demo.model_rows)
    assert set(demo.timings) == {"copy", "generate", "load", "models", "total"}
    assert demo.end_date == dt.date(2025, 6, 30)
    text = demo.summary()
    assert "1,000 accounts" in text and "main.fct_user_events_canonical" in text
    assert demo.to_dict()["model_rows"] == demo.model_rows


def test_models_build_in_dependency_order(demo: BuildReport) -> None:
    order = [m.name for m in demo.models]
    assert order.index("fct_subscriptions_canonical") < order.index("mart_customer_lifecycle_canonical")
    assert order.index("mart_customer_lifecycle_canonical") < order.index(
        "fct_marketing_touchpoints_canonical"
    )
    assert order.index("dim_users") < order.index("fct_user_events_canonical")


def test_row_counts_are_in_range(demo: BuildReport) -> None:
    raw = demo.raw_rows
    assert raw["crm_accounts"] == SCALE
    assert 1.1 * SCALE <= raw["billing_subscriptions"] <= 2 * SCALE
    assert 2 * SCALE <= raw["billing_invoices"] <= 6 * SCALE
    assert 2.5 * SCALE <= raw["marketing_touchpoints"] <= 5 * SCALE
    assert 2.5 * SCALE <= raw["product_users"] <= 8 * SCALE
    assert 80 * SCALE <= raw["product_events"] <= 250 * SCALE
    assert raw["product_events"] == max(raw.values())
    assert raw["marketing_ad_spend"] > 10_000  # per day and campaign, independent of scale
    assert demo.model_rows["time_spine_daily"] == (dt.date(2025, 6, 30) - dt.date(2022, 1, 1)).days + 1


def test_builds_are_deterministic(demo: BuildReport, tmp_path: Path) -> None:
    again = build_demo(tmp_path / "again", scale=SCALE, end_date=END_DATE, seed=SEED)
    assert checksums(again.warehouse) == checksums(demo.warehouse)
    other = build_demo(tmp_path / "other", scale=SCALE, end_date=END_DATE, seed=SEED + 1)
    assert checksums(other.warehouse)["raw.product_events"] != checksums(demo.warehouse)["raw.product_events"]


def test_rebuilding_in_place_replaces_the_warehouse(tmp_path: Path) -> None:
    first = build_demo(tmp_path / "p", scale=50, end_date="2023-03-31")
    second = build_demo(tmp_path / "p", scale=60, end_date="2023-03-31")
    assert first.warehouse == second.warehouse
    with DuckDBWarehouse(second.warehouse) as wh:
        assert wh.run("select count(*) from main.dim_customers_canonical").scalar() == 60


def test_refuses_to_build_into_the_package() -> None:
    with pytest.raises(MetricmindError, match="package data"):
        build_demo(PROJECT_DIR, scale=50, end_date=END_DATE)


def test_generator_scales_linearly() -> None:
    small = {n: t.num_rows for n, t in generate(500, END_DATE, SEED) if n != "product_events"}
    large = {n: t.num_rows for n, t in generate(2_000, END_DATE, SEED) if n != "product_events"}
    for name in (
        "crm_accounts",
        "billing_subscriptions",
        "billing_invoices",
        "marketing_touchpoints",
        "product_users",
    ):
        assert 3.0 <= large[name] / small[name] <= 5.0, name


def test_end_date_and_scale_are_checked() -> None:
    assert resolve_end_date(None) == dt.date.today()
    assert resolve_end_date("2024-02-29") == dt.date(2024, 2, 29)
    assert resolve_end_date(dt.datetime(2024, 3, 1, 12)) == dt.date(2024, 3, 1)
    with pytest.raises(MetricmindError, match="not a date"):
        resolve_end_date("yesterday")
    with pytest.raises(MetricmindError, match="too early"):
        resolve_end_date("2022-02-01")
    with pytest.raises(MetricmindError, match="too small"):
        next(generate(5, END_DATE))
