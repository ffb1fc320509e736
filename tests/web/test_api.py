"""The REST API and the JSON variants of pages, in-process (no catalog needed)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from metricmind.project import Project

ERROR_KEYS = {"error", "message", "hint"}


def test_metrics_grouped_by_category(client: TestClient) -> None:
    data = client.get("/api/metrics").json()
    names = {c["name"] for c in data["categories"]}
    assert {"Revenue", "Customers", "Billing", "Marketing", "Product"} <= names
    assert data["total"] == sum(c["count"] for c in data["categories"])
    mrr = next(m for c in data["categories"] for m in c["metrics"] if m["name"] == "mrr")
    assert mrr["category"] == "Revenue" and mrr["owner"] and mrr["status"]


def test_metric_detail(client: TestClient) -> None:
    data = client.get("/api/metrics/mrr").json()
    assert data["metric"]["name"] == "mrr"
    assert data["business_rules"]
    assert any(d["name"] == "customer__segment" for d in data["dimensions"])
    assert set(data["sql"]) >= {"duckdb", "postgres", "snowflake", "bigquery"}
    assert all(not s.startswith("-- cannot") for s in data["sql"].values())
    assert data["tables"] and data["usage"]["daily"]


def test_dimensions(client: TestClient) -> None:
    dims = client.get("/api/metrics/invoice_revenue/dimensions").json()["dimensions"]
    assert any(d["name"] == "invoice__payment_method" for d in dims)
    everything = client.get("/api/dimensions").json()["dimensions"]
    assert len(everything) >= len(dims)


def test_search_tolerates_typos(client: TestClient) -> None:
    results = client.get("/api/search", params={"q": "montly recuring revenue"}).json()["results"]
    assert results and results[0]["name"] == "mrr"
    churn = client.get("/api/search", params={"q": "churnd customers"}).json()["results"]
    assert "churned_customers" in [r["name"] for r in churn[:3]]
    synonym = client.get("/api/search", params={"q": "cash collected"}).json()["results"]
    assert synonym[0]["name"] == "invoice_revenue"


def test_datasets(client: TestClient) -> None:
    data = client.get("/api/datasets").json()
    names = {d["name"] for d in data["datasets"]}
    assert "dim_customers_canonical" in names and "fct_invoices_canonical" in names
    inv = client.get("/api/datasets/fct_invoices_canonical").json()
    assert "invoice_revenue" in inv["metrics"]


def test_compile_and_run(client: TestClient) -> None:
    body = {
        "metrics": ["mrr"],
        "group_by": ["metric_time__month"],
        "start": "2026-01-01",
        "end": "2026-07-01",
    }
    compiled = client.post("/api/query/compile", json={**body, "dialect": "snowflake"}).json()
    assert compiled["dialect"] == "snowflake" and "SELECT" in compiled["sql"].upper()
    ran = client.post("/api/query/run", json={**body, "order_by": ["metric_time__month"]}).json()
    assert ran["columns"] == ["metric_time__month", "mrr"]
    assert len(ran["rows"]) == 6 and all(r[1] > 0 for r in ran["rows"])


def test_query_get_and_csv(client: TestClient) -> None:
    params = {"metrics": "invoice_revenue", "group_by": "customer__segment"}
    data = client.get("/api/query", params=params).json()
    assert {r[0] for r in data["rows"]} == {"SMB", "Mid-Market", "Enterprise"}
    csv = client.get("/api/query", params={**params, "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0] == "customer__segment,invoice_revenue"


def test_filter_rows_are_quoted_not_pasted(client: TestClient) -> None:
    params = {
        "metrics": "invoice_revenue",
        "group_by": "customer__segment",
        "f_field": "customer__segment",
        "f_op": "=",
        "f_value": "SMB' OR 1=1 --",
    }
    data = client.get("/api/query", params=params).json()
    assert data["rows"] == []
    ok = client.get("/api/query", params={**params, "f_value": "SMB"}).json()
    assert [r[0] for r in ok["rows"]] == ["SMB"]
    bad = client.get("/api/query", params={**params, "f_field": "x) OR (1"})
    assert bad.status_code == 400 and set(bad.json()) >= ERROR_KEYS


def test_errors_share_one_shape(client: TestClient) -> None:
    unknown = client.get("/api/metrics/mrrr")
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "unknown_name" and unknown.json()["suggestions"] == ["mrr"]
    missing = client.get("/api/nothing-here")
    assert missing.status_code == 404 and set(missing.json()) == ERROR_KEYS
    invalid = client.post("/api/query/run", json={"group_by": ["x"]})
    assert invalid.status_code == 422 and set(invalid.json()) == ERROR_KEYS
    bad_query = client.post("/api/query/run", json={"metrics": ["mrr"], "group_by": ["customer__nope"]})
    assert bad_query.status_code in (400, 404) and set(bad_query.json()) >= ERROR_KEYS
    as_json = client.get("/metrics/nope", headers={"accept": "application/json"})
    assert as_json.status_code == 404 and as_json.json()["error"] == "unknown_name"


def test_writes_need_a_token(client: TestClient) -> None:
    r = client.post("/api/definitions", json={"form": {"name": "x", "measure": "paid_amount"}})
    assert r.status_code == 401 and r.json()["error"] == "unauthorized"
    r = client.post("/api/definitions/1/approve", headers={"authorization": "Bearer nope"})
    assert r.status_code == 401 and set(r.json()) >= ERROR_KEYS


def test_every_page_as_json(client: TestClient) -> None:
    pages = {
        "/": "categories",
        "/metrics/arr": "metric",
        "/query?metrics=mrr&grain=quarter&start=2025-01-01&end=2026-01-01": "result",
        "/datasets": "datasets",
        "/datasets/dim_customers_canonical": "dataset",
        "/define": "dimensions",
        "/search?q=arr": "results",
    }
    for url, key in pages.items():
        r = client.get(url + ("&" if "?" in url else "?") + "format=json")
        assert r.status_code == 200, (url, r.text)
        assert key in r.json(), url
        r2 = client.get(url, headers={"accept": "application/json"})
        assert r2.status_code == 200 and key in r2.json()


def test_openapi_and_docs_are_local(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/metrics", "/api/query/run", "/api/definitions", "/api/audit", "/api/usage"):
        assert path in spec["paths"]
    docs = client.get("/docs").text
    assert "/static/swagger/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    page = client.get("/").text
    assert "/static/htmx.min.js" in page and "http://" not in page.split("<main>")[0].replace(
        "http://www.w3.org", ""
    )
    assert client.get("/static/htmx.min.js").status_code == 200


def test_suggest_and_preview(client: TestClient, ro_project: Project) -> None:
    sources = client.get("/api/suggest", params={"text": "refund amount"}).json()["sources"]
    assert sources[0]["name"] == "refund_amount" or "refund" in sources[0]["name"]
    form = {
        "name": "enterprise_revenue",
        "measure": "paid_amount",
        "category": "Billing",
        "filter": "{{ Dimension('customer__segment') }} = 'Enterprise'",
        "definition": "Paid by enterprises.",
    }
    assert client.post("/api/definitions/preview", json={"form": form}).status_code == 401  # editors only
    catalog: Any = ro_project.catalog  # type: ignore[attr-defined]
    editor = {"Authorization": f"Bearer {catalog.add_user('preview_editor', 'editor')}"}
    data = client.post("/api/definitions/preview", json={"form": form}, headers=editor).json()
    assert data["columns"] == ["metric_time__month", "enterprise_revenue"]
    assert data["rows"] and "enterprise_revenue" in data["yaml"]
    bad = client.post("/api/definitions/preview", json={"form": {**form, "measure": "nope"}}, headers=editor)
    assert bad.status_code == 400 and set(bad.json()) >= ERROR_KEYS


def test_overlapping_groups_only_when_asked(client: TestClient) -> None:
    body = {"metrics": ["trial_starts"], "group_by": ["touchpoint__channel"]}
    refused = client.post("/api/query/run", json=body)
    assert refused.status_code == 400 and refused.json()["error"] == "fan_out"
    assert "trials → touchpoints" in refused.json()["path"]
    data = client.post("/api/query/run", json={**body, "allow_overlap": True}).json()
    assert data["query"]["allow_overlap"] is True and data["overlapping_groups"] == ["touchpoint__channel"]
    total = data["total"]["rows"][0][0]
    assert sum(r[1] for r in data["rows"]) > total and f"trial_starts = {total}" in data["note"]
    page = client.get("/query", params={**body, "overlapping_groups": "1"}).text
    assert 'id="overlap-note"' in page and "Groups overlap." in page
