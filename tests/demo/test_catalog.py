"""The example project carries every name DEMO_CATALOG.md promises, with the metadata conventions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from metricmind.demo.build import PROJECT_DIR

CATALOG_METRICS = {
    "mrr",
    "arr",
    "new_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churned_mrr",
    "net_new_mrr",
    "active_customers",
    "new_customers",
    "churned_customers",
    "customer_churn_rate",
    "net_revenue_retention",
    "gross_revenue_retention",
    "arpa",
    "invoice_revenue",
    "billed_amount",
    "overdue_amount",
    "invoice_count",
    "average_invoice_value",
    "refunds",
    "marketing_spend",
    "cac",
    "touchpoints",
    "first_touch_attributed_new_mrr",
    "last_touch_attributed_new_mrr",
    "linear_attributed_new_mrr",
    "trial_starts",
    "trial_conversion_rate",
    "active_users",
    "events",
}
CATALOG_DIMENSIONS = {
    "customer__name",
    "customer__segment",
    "customer__region",
    "customer__country",
    "customer__industry",
    "customer__acquisition_channel",
    "touchpoint__channel",
    "touchpoint__campaign",
    "subscription__plan_tier",
    "subscription__billing_interval",
    "subscription__cancel_reason",
    "invoice__payment_method",
    "event__platform",
    "event__feature",
}
FIXED_VALUES = {
    "customer__segment": ["SMB", "Mid-Market", "Enterprise"],
    "customer__region": ["NA", "EMEA", "APAC", "LATAM"],
    "customer__industry": ["Fintech", "Healthcare", "Retail", "Education", "Software", "Manufacturing"],
    "customer__acquisition_channel": [
        "paid_search",
        "organic_search",
        "paid_social",
        "email",
        "referral",
        "partner",
        "events",
        "direct",
    ],
    "touchpoint__channel": [
        "paid_search",
        "organic_search",
        "paid_social",
        "email",
        "referral",
        "partner",
        "events",
        "direct",
    ],
    "subscription__plan_tier": ["Starter", "Growth", "Pro", "Enterprise"],
    "subscription__billing_interval": ["monthly", "annual"],
    "subscription__cancel_reason": [
        "price",
        "missing_feature",
        "switched_competitor",
        "business_closed",
        "other",
    ],
    "invoice__payment_method": ["card", "bank_transfer", "wire"],
    "event__platform": ["web", "ios", "android"],
    "event__feature": ["dashboards", "reports_export", "integrations", "api", "alerts"],
}
META_KEYS = {"category", "owner", "status", "definition", "business_rules", "synonyms", "unit"}
CATEGORIES = {"Revenue", "Customers", "Billing", "Marketing", "Product"}
STATUSES = {"draft", "in_review", "published", "certified", "deprecated"}
UNITS = {"currency", "count", "ratio", "percent"}
DATASET_KEYS = {
    "name",
    "model",
    "description",
    "grain",
    "primary_key",
    "owner",
    "sla",
    "certification",
    "core_attributes",
    "lineage",
    "tags",
}


def documents() -> list[dict[str, Any]]:
    return [yaml.safe_load(p.read_text()) or {} for p in sorted((PROJECT_DIR / "models").rglob("*.yml"))]


def items(key: str) -> list[dict[str, Any]]:
    return [item for doc in documents() for item in doc.get(key) or []]


def dimensions() -> dict[str, dict[str, Any]]:
    out = {}
    for sm in items("semantic_models"):
        primary = next(
            (e["name"] for e in sm.get("entities", []) if e["type"] == "primary"), sm.get("primary_entity")
        )
        for dim in sm.get("dimensions", []):
            out[f"{primary}__{dim['name']}"] = dim
    return out


def test_project_settings() -> None:
    settings = yaml.safe_load((PROJECT_DIR / "metricmind.yml").read_text())
    assert settings == {
        "name": "saas_demo",
        "warehouse": {"type": "duckdb", "path": "target/warehouse.duckdb", "schema": "main"},
        "govern": {
            "as_of": "select as_of + interval 1 day from raw.build_info",
            "trusted_sources": ["analyses"],
        },
        # the demo shows a learning system: queries go through the learned path (docs/learn.md)
        "learn": {"enabled": True},
    }
    dbt = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    assert dbt["name"] == dbt["profile"] == "saas_demo"
    profile = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text())["saas_demo"]["outputs"]["dev"]
    assert profile["type"] == "duckdb" and profile["path"] == settings["warehouse"]["path"]


def test_every_catalog_metric_exists_and_names_are_unique() -> None:
    names = [m["name"] for m in items("metrics")]
    assert len(names) == len(set(names))
    assert CATALOG_METRICS <= set(names)


def test_every_metric_type_is_used() -> None:
    by_type: dict[str, list[dict[str, Any]]] = {}
    for metric in items("metrics"):
        by_type.setdefault(metric["type"], []).append(metric)
    assert set(by_type) == {"simple", "ratio", "derived", "cumulative", "conversion"}
    derived = [m["type_params"]["metrics"] for m in by_type["derived"]]
    assert any("offset_window" in i for inputs in derived for i in inputs)
    assert any("offset_to_grain" in i for inputs in derived for i in inputs)
    cumulative = [m["type_params"].get("cumulative_type_params", {}) for m in by_type["cumulative"]]
    assert any("window" in c for c in cumulative) and any("grain_to_date" in c for c in cumulative)
    assert any(not c for c in cumulative)  # all-time
    assert any("filter" in m for m in by_type["simple"])
    conversion = next(m for m in by_type["conversion"] if m["name"] == "trial_conversion_rate")
    params = conversion["type_params"]["conversion_type_params"]
    assert params["entity"] == "customer" and params["calculation"] == "conversion_rate" and params["window"]
    snapshots = {
        m["name"]
        for sm in items("semantic_models")
        for m in sm.get("measures", [])
        if "non_additive_dimension" in m
    }
    assert {"mrr", "active_customers", "overdue_amount"} <= snapshots


@pytest.mark.parametrize("metric", items("metrics"), ids=lambda m: m["name"])
def test_metric_metadata(metric: dict[str, Any]) -> None:
    assert metric.get("label") and metric.get("description")
    meta = metric["config"]["meta"]
    assert META_KEYS <= set(meta) <= META_KEYS | {"successor", "sunset"}
    if meta["status"] == "deprecated":  # a deprecation names what to use instead, and until when
        assert meta["successor"] and meta["sunset"]
    assert meta["category"] in CATEGORIES and meta["status"] in STATUSES and meta["unit"] in UNITS
    assert isinstance(meta["business_rules"], list) and meta["business_rules"]
    assert isinstance(meta["synonyms"], list) and meta["synonyms"]
    assert isinstance(meta["definition"], str) and "\n" not in meta["definition"]


def test_every_catalog_dimension_exists_with_its_values() -> None:
    dims = dimensions()
    assert CATALOG_DIMENSIONS <= set(dims)
    for name, values in FIXED_VALUES.items():
        meta = dims[name]["config"]["meta"]
        assert meta["values"] == values, name
        assert set(meta.get("value_aliases", {})) <= set(values), name
    aliases = dims["customer__region"]["config"]["meta"]["value_aliases"]
    assert {"Europe", "European"} <= set(aliases["EMEA"]) and {"North America", "US", "USA"} <= set(
        aliases["NA"]
    )
    assert {"google ads", "sem", "ppc"} <= set(
        dims["touchpoint__channel"]["config"]["meta"]["value_aliases"]["paid_search"]
    )


def test_every_dimension_has_synonyms() -> None:
    for name, dim in dimensions().items():
        assert dim["config"]["meta"]["synonyms"], name


def test_entities_allow_multi_hop_joins() -> None:
    entities = {sm["name"]: {e["name"]: e["type"] for e in sm["entities"]} for sm in items("semantic_models")}
    assert entities["invoices"] == {"invoice": "primary", "subscription": "foreign", "customer": "foreign"}
    assert entities["subscriptions"] == {"subscription": "primary", "customer": "foreign"}
    assert entities["events"]["user"] == "foreign" and entities["users"] == {
        "user": "primary",
        "customer": "foreign",
    }
    assert entities["touchpoints"]["touchpoint"] == "primary"


def test_canonical_datasets() -> None:
    docs = yaml.safe_load((PROJECT_DIR / "models" / "canonical_datasets.yml").read_text())[
        "canonical_datasets"
    ]
    names = {d["name"] for d in docs}
    assert {
        "dim_customers_canonical",
        "fct_subscriptions_canonical",
        "fct_invoices_canonical",
        "fct_user_events_canonical",
        "fct_marketing_touchpoints_canonical",
        "mart_customer_lifecycle_canonical",
    } <= names
    sql = {p.stem for p in (PROJECT_DIR / "models").rglob("*.sql")}
    for dataset in docs:
        assert set(dataset) == DATASET_KEYS, dataset["name"]
        assert dataset["model"] == f"ref('{dataset['name']}')" and dataset["name"] in sql
        assert {"freshness_hours", "refreshed"} <= set(dataset["sla"])
        assert set(dataset["sla"]) <= {"freshness_hours", "refreshed", "freshness_column", "freshness_grain"}
        assert dataset["primary_key"] and dataset["core_attributes"] and dataset["lineage"]["upstream"]


def test_time_spine() -> None:
    spine = next(m for m in items("models") if m["name"] == "time_spine_daily")
    assert spine["time_spine"]["standard_granularity_column"] == "date_day"
    assert spine["columns"][0]["name"] == "date_day" and spine["columns"][0]["granularity"] == "day"
    custom = {c["name"]: c["column_name"] for c in spine["time_spine"]["custom_granularities"]}
    assert custom == {"fiscal_quarter": "fiscal_quarter_start", "fiscal_year": "fiscal_year_start"}
    assert set(custom.values()) <= {c["name"] for c in spine["columns"]}


def test_saved_queries_use_known_metrics() -> None:
    metrics = {m["name"] for m in items("metrics")}
    for query in items("saved_queries"):
        assert set(query["query_params"]["metrics"]) <= metrics, query["name"]


def test_project_files_are_package_data() -> None:
    assert Path(PROJECT_DIR / "models" / "sources.yml").is_file()
    assert not list(PROJECT_DIR.rglob("*.duckdb"))
