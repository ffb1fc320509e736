"""Formatting helpers (numbers by unit, periods by grain, labels) and the dimension values route."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlglot import exp, parse_one

from metricmind.compiler.dialects import get as get_dialect
from metricmind.compiler.values import dimension_values_sql
from metricmind.interfaces.web import explore, fields, formats
from metricmind.project import Project

VENDOR = Path(explore.__file__).parent / "static" / "vendor"


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (49330.29, "currency", "$49,330.29"),
        (-1234.5, "currency", "-$1,234.50"),
        (2009841.0, "currency", "$2,009,841"),
        (0.125, "ratio", "12.5%"),
        (16.14, "percent", "16.1%"),
        (1204, "count", "1,204"),
        (12.5, "count", "12.5"),
        (3.0, "number", "3"),
        (0.123456, "number", "0.1235"),
        (1234.5678, "number", "1,234.57"),
        (None, "currency", ""),
        ("n/a", "currency", "n/a"),
        (float("nan"), "number", "nan"),
    ],
)
def test_format_number(value: object, unit: str, text: str) -> None:
    assert formats.format_number(value, unit) == text


def test_currency_codes_and_compact_labels() -> None:
    assert formats.format_number(10.5, "currency", "EUR") == "€10.50"
    assert formats.format_number(10.5, "currency", "CHF") == "CHF 10.50"
    assert formats.format_compact(49330.29, "currency") == "$49.3k"
    assert formats.format_compact(-2_000_000, "currency") == "-$2M"
    assert formats.format_compact(0.25, "ratio") == "25%"
    assert formats.format_compact(1500, "count") == "1.5k"


@pytest.mark.parametrize(
    ("grain", "text"),
    [
        ("day", "2025-04-03"),
        ("week", "2025-W14"),
        ("month", "Apr 2025"),
        ("quarter", "Q2 2025"),
        ("year", "2025"),
        (None, "2025-04-03"),
    ],
)
def test_time_label_by_grain(grain: str | None, text: str) -> None:
    assert formats.time_label(dt.date(2025, 4, 3), grain) == text
    assert formats.time_label(dt.datetime(2025, 4, 3, 0, 0), grain) == text
    assert formats.time_label("2025-04-03", grain) == text


def test_iso_weeks_at_year_ends_and_grains_of_columns() -> None:
    assert formats.time_label(dt.date(2024, 12, 30), "week") == "2025-W01"
    assert formats.time_label(dt.date(2021, 1, 4), "week") == "2021-W01"
    assert formats.time_label(None, "month") == ""
    assert formats.grain_of("metric_time__quarter") == "quarter"
    assert formats.grain_of("customer__signup_date__month") == "month"
    assert formats.grain_of("metric_time") == "day"
    assert formats.grain_of("customer__segment") is None


def test_units_labels_and_default_sort(ro_project: Project) -> None:
    model = ro_project.model
    assert formats.unit_of(model.metrics["mrr"]) == "currency"
    assert formats.unit_of(model.metrics["customer_churn_rate"]) == "ratio"
    assert formats.unit_of(model.metrics["mrr_growth_mom"]) == "percent"
    assert formats.unit_of(None) == "number"
    tree = fields.dimension_tree(ro_project, ["mrr"])
    customer = next(g for g in tree if g["group"] == "Customer")
    labels = {f["name"]: f["label"] for f in customer["fields"]}
    assert labels["customer__acquisition_channel"] == "Acquisition channel"
    assert any(g["group"] == "Subscription › Customer" for g in tree)
    assert {g["group"] for g in fields.metric_tree(ro_project)} >= {"Revenue", "Customers", "Billing"}
    columns = [
        {"name": "mrr", "kind": "metric"},
        {"name": "customer__segment", "kind": "dimension"},
        {"name": "metric_time__month", "kind": "time"},
    ]
    assert explore.default_sort(columns) == [(2, False), (1, False), (0, False)]
    assert explore.parse_sort(columns, "-mrr") == [(0, True), (2, False), (1, False)]
    assert explore.parse_sort(columns, "nope") is None
    rows = [(3.0, "b", 2), (None, "a", 1), (1.0, "a", 2), (2.0, None, 1)]
    assert explore.sort_rows(rows, [(2, False), (1, False)]) == [
        (None, "a", 1),
        (2.0, None, 1),
        (1.0, "a", 2),
        (3.0, "b", 2),
    ]
    assert [r[0] for r in explore.sort_rows(rows, [(0, True)])] == [3.0, 2.0, 1.0, None]


def test_values_route(client: TestClient) -> None:
    data = client.get("/api/dimensions/customer__segment/values").json()
    assert data["values"] == ["Enterprise", "Mid-Market", "SMB"] and data["more"] is False
    some = client.get("/api/dimensions/customer__segment/values", params={"q": "PRISE"}).json()
    assert some["values"] == ["Enterprise"]
    hop = client.get("/api/dimensions/subscription__customer__region/values").json()
    assert hop["values"] == ["APAC", "EMEA", "LATAM", "NA"]
    flags = client.get("/api/dimensions/customer_month__is_active/values").json()
    assert flags["values"] == ["false", "true"]
    limited = client.get("/api/dimensions/customer__name/values", params={"limit": 5}).json()
    assert len(limited["values"]) == 5 and limited["more"] is True
    assert limited["values"] == sorted(limited["values"])


def test_values_route_refuses_and_quotes(client: TestClient) -> None:
    hostile = "x' OR '1'='1"
    r = client.get("/api/dimensions/customer__segment/values", params={"q": hostile})
    assert r.status_code == 200 and r.json()["values"] == []
    quote = client.get("/api/dimensions/customer__segment/values", params={"q": "'"})
    assert quote.status_code == 200 and quote.json()["values"] == []
    injected = client.get("/api/dimensions/customer__segment) OR (1=1/values")
    assert injected.status_code in (400, 404) and injected.json()["error"] in ("unknown_name", "not_found")
    unknown = client.get("/api/dimensions/customer__segmnt/values")
    assert unknown.status_code == 404 and unknown.json()["suggestions"][0] == "customer__segment"
    time = client.get("/api/dimensions/customer__signup_date/values")
    assert time.status_code == 400 and "date range" in time.json()["hint"]
    assert client.get("/api/dimensions/customer__segment/values", params={"limit": 0}).status_code == 422


def test_the_page_adds_no_order_or_limit(client: TestClient) -> None:
    data = client.get(
        "/query", params={"metrics": "invoice_revenue", "group_by": "customer__segment", "format": "json"}
    ).json()
    assert data["query"]["order_by"] == [] and data["query"]["limit"] is None
    assert [r[0] for r in data["result"]["rows"]] == ["Enterprise", "Mid-Market", "SMB"]  # shown sorted
    api = client.get(
        "/api/query", params={"metrics": "invoice_revenue", "group_by": "customer__segment"}
    ).json()
    assert api["query"] == data["query"]
    quarter = client.get(
        "/query", params={"metrics": "mrr", "group_by": "metric_time__quarter", "format": "json"}
    ).json()
    assert quarter["form"]["grain"] == "quarter" and quarter["query"]["group_by"] == ["metric_time__quarter"]
    filtered = client.get(
        "/api/query",
        params={
            "metrics": "invoice_revenue",
            "group_by": "customer__segment",
            "f_field": "customer__segment",
            "f_op": "not in",
            "f_value": "SMB,Enterprise",
        },
    ).json()
    assert [r[0] for r in filtered["rows"]] == ["Mid-Market"]


def test_echarts_only_on_chart_pages_served_locally_and_cached(client: TestClient) -> None:
    query = client.get("/query", params={"metrics": "mrr", "grain": "month"}).text
    found = re.search(r'src="(/static/vendor/echarts\.min\.js\?v=[0-9a-f]{12})"', query)
    assert found, "the query page loads the vendored ECharts"
    assert "/static/chart.js" in client.get("/define").text  # ECharts itself once a preview is drawn
    for page in (
        "/",
        "/metrics/mrr",
        "/datasets",
        "/define",
        "/query?metrics=mrr",
        "/query?metrics=mrr&grain=month&chart=table",
    ):
        assert '<script src="/static/vendor/echarts' not in client.get(page).text, page
    served = client.get(found.group(1))
    assert served.status_code == 200 and "immutable" in served.headers["cache-control"]
    assert served.content.startswith(b"(") or b"echarts" in served.content[:2000].lower()
    assert "immutable" not in client.get("/static/chart.js").headers.get("cache-control", "")
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+\?v=[0-9a-f]{12})"', query):
        assert "immutable" in client.get(asset).headers["cache-control"], asset
    assert len(re.findall(r'(?:src|href)="/static/[^"]+\?v=', query)) >= 4  # css, htmx, chart.js, query.js
    licenses = {p.name for p in (VENDOR).iterdir()}
    assert {"echarts.LICENSE", "zrender.LICENSE", "tslib.LICENSE", "VERSIONS"} <= licenses


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "snowflake", "bigquery", "databricks", "trino"])
def test_values_sql_quotes_the_typed_text_in_every_dialect(ro_project: Project, dialect: str) -> None:
    target = get_dialect(dialect)
    sql = dimension_values_sql(
        ro_project.model, target, "customer__segment", contains="x' OR '1'='1", limit=5
    )
    tree = parse_one(sql, read=target.sqlglot)
    literals = [lit.this for lit in tree.find_all(exp.Literal) if lit.is_string]
    assert literals == ["x' OR '1'='1"]  # one string literal holding the text, quotes and all
    assert not list(tree.find_all(exp.Or))
    assert tree.args["limit"] is not None
