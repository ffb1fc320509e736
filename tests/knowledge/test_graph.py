"""Graph questions: best join path (usage / speed / canonical), rankings, dependencies and impact."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from metricmind.errors import MetricmindError
from metricmind.knowledge import graph
from metricmind.knowledge.ingest import Entry, persist
from metricmind.knowledge.process import Processor
from metricmind.knowledge.sync import sync
from metricmind.project import Project

INV_SUB = (
    "SELECT s.plan_tier, SUM(i.amount) FROM fct_invoices_canonical i "
    "JOIN fct_subscriptions_canonical s ON i.subscription_id = s.subscription_id GROUP BY 1"
)
SUB_CUS = (
    "SELECT c.region, COUNT(s.subscription_id) FROM fct_subscriptions_canonical s "
    "JOIN dim_customers_canonical c ON s.customer_id = c.customer_id GROUP BY 1"
)
INV_CUS = (
    "SELECT c.region, SUM(i.amount) FROM fct_invoices_canonical i "
    "JOIN dim_customers_canonical c ON i.customer_id = c.customer_id GROUP BY 1"
)
INV_BAL = (
    "SELECT b.invoice_id, i.amount FROM fct_invoices_canonical i "
    "JOIN fct_invoice_balances_daily b ON b.invoice_id = i.invoice_id"
)
BAL_CUS = (
    "SELECT c.region, SUM(b.overdue_amount) FROM fct_invoice_balances_daily b "
    "JOIN dim_customers_canonical c ON b.customer_id = c.customer_id GROUP BY 1"
)


def load(engine: sa.Engine, demo: Path, plan: list[tuple[str, int, float]]) -> None:
    model = Project.load(demo).model
    start = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)
    batch = []
    for n, (sql, calls, ms) in enumerate(plan):
        for i in range(calls):
            at = start + dt.timedelta(hours=i)
            batch.append(Entry("log", f"{n}-{i}", sql, "duckdb", at, user="ann", duration_ms=ms))
    persist(engine, batch)
    proc = Processor(model, "main")
    assert proc.index is not None
    with engine.begin() as conn:
        sync(conn, proc.index, proc.ids)
    proc.run(engine)


@pytest.fixture
def loaded(engine: sa.Engine, demo_built: Path) -> sa.Engine:
    # via subscriptions: used a lot but slow; direct: rarely used but fast; via balances: non-canonical, busiest
    load(
        engine,
        demo_built,
        [
            (INV_SUB, 40, 120.0),
            (SUB_CUS, 40, 110.0),
            (INV_CUS, 2, 4.0),
            (INV_BAL, 60, 300.0),
            (BAL_CUS, 60, 300.0),
        ],
    )
    return engine


def test_best_path_by_usage_speed_and_canonical(loaded: sa.Engine) -> None:
    usage = graph.best_path(loaded, "fct_invoices_canonical", "dim_customers_canonical", "usage")
    assert usage["path"] == [
        "main.fct_invoices_canonical",
        "main.fct_invoice_balances_daily",
        "main.dim_customers_canonical",
    ]
    assert usage["joins"][0]["uses"] == 60 and usage["through_canonical"] is False
    speed = graph.best_path(loaded, "main.fct_invoices_canonical", "main.dim_customers_canonical", "speed")
    assert speed["path"] == ["main.fct_invoices_canonical", "main.dim_customers_canonical"]
    assert speed["avg_ms"] == 4.0
    canonical = graph.best_path(loaded, "fct_invoices_canonical", "dim_customers_canonical", "canonical")
    assert canonical["through_canonical"] is True
    assert "main.fct_invoice_balances_daily" not in canonical["path"]


def test_path_errors(loaded: sa.Engine) -> None:
    with pytest.raises(MetricmindError, match="unknown path criterion"):
        graph.best_path(loaded, "fct_invoices_canonical", "dim_customers_canonical", "cheapest")
    with pytest.raises(MetricmindError, match="fct_invoices_canonicl"):
        graph.best_path(loaded, "fct_invoices_canonicl", "dim_customers_canonical")
    lonely = graph.best_path(loaded, "fct_invoices_canonical", "raw.build_info")
    assert lonely["found"] is False and lonely["path"] == []


def test_top_tables_metrics_dimensions(loaded: sa.Engine) -> None:
    tables = graph.top(loaded, "tables", limit=3)["items"]
    assert [(t["name"], t["uses"]) for t in tables] == [
        ("main.fct_invoice_balances_daily", 120),
        ("main.dim_customers_canonical", 102),  # ties are ordered by name
        ("main.fct_invoices_canonical", 102),
    ]
    metrics = graph.top(loaded, "metrics")["items"]
    assert metrics[0]["name"] == "overdue_amount" and metrics[0]["uses"] == 60
    dims = [d["name"] for d in graph.top(loaded, "dimensions")["items"]]
    assert dims[:2] == ["customer__region", "subscription__plan_tier"]
    recent = graph.top(loaded, "tables", days=30, as_of=dt.date(2026, 6, 30))["items"]
    assert [(t["name"], t["uses"]) for t in recent[:3]] == [(t["name"], t["uses"]) for t in tables]
    assert graph.top(loaded, "tables", days=3, as_of=dt.date(2026, 8, 1))["items"] == []
    with pytest.raises(MetricmindError):
        graph.top(loaded, "columns")


def test_depends_and_impact(loaded: sa.Engine) -> None:
    arpa = graph.depends(loaded, "arpa")
    assert {"mrr", "active_customers"} <= set(arpa["metrics"])
    assert "main.mart_customer_lifecycle_canonical" in arpa["tables"]
    assert "mart_customer_lifecycle_canonical" in arpa["canonical_datasets"]
    overdue = graph.depends(loaded, "overdue_amount")
    assert overdue["uses"] == 60
    # used through a join: not one of the dimensions of the metric's own semantic model
    assert {"name": "customer__region", "uses": 60, "in_model": False} in overdue["dimensions"]
    assert {"name": "metric_time", "uses": 0, "in_model": True} in overdue["dimensions"]
    with pytest.raises(MetricmindError, match="arpaa"):
        graph.depends(loaded, "arpaa")
    hit = graph.impact(loaded, "fct_invoices_canonical")
    assert {"billed_amount", "invoice_revenue", "invoice_count"} <= set(hit["metrics"])
    assert "average_invoice_value" in hit["metrics"] + hit["indirect_metrics"]
    assert "invoice__payment_method" in hit["dimensions"]
    assert hit["canonical_datasets"] == ["fct_invoices_canonical"]
    assert hit["query_count"] == 3
    partners = {j["table"]: j["uses"] for j in hit["joined_with"]}
    assert partners["main.fct_invoice_balances_daily"] >= 60 and partners["main.dim_customers_canonical"] >= 2
    assert graph.summary(loaded)["edges"]["JOIN_PATH"] >= 5


def test_graph_commands(project_dir: Path, month_log: Path) -> None:
    import json

    from typer.testing import CliRunner

    from metricmind.interfaces.cli.app import app

    runner = CliRunner()
    p = str(project_dir)

    def run(*args: str) -> str:
        result = runner.invoke(app, [*args, "-p", p])
        assert result.exit_code == 0, result.output
        return result.output

    assert "75 records read, 75 new" in run("querylog", "ingest", "--file", str(month_log))
    assert json.loads(run("graph", "update", "--json"))["processed"] == 0
    text = run("graph", "path", "fct_invoices_canonical", "dim_customers_canonical", "--by", "usage")
    assert text.splitlines()[0].startswith("main.fct_invoices_canonical → main.dim_customers_canonical")
    assert "25 uses" in text
    top = run("graph", "top", "metrics", "--limit", "2")
    assert "invoice_revenue" in top and "(2 rows)" in top
    assert json.loads(run("graph", "top", "dimensions", "--json"))["items"][0]["name"] == "customer__segment"
    assert "used with: customer__segment (25)" in run("graph", "depends", "invoice_revenue")
    impact = json.loads(run("graph", "impact", "fct_invoices_canonical", "--json"))
    assert impact["query_count"] == 3 and "invoice_revenue" in impact["metrics"]
    missing = runner.invoke(app, ["graph", "path", "fct_invoices_canonical", "nowhere", "-p", p])
    assert missing.exit_code == 2 and "nowhere" in missing.output
