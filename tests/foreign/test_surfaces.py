"""The MCP tools (in-memory SDK client) and the web catalog (TestClient) on the foreign projects: lists,
descriptions, explanations and rows equal to hand SQL, and pages that show the company's own words, never
the demo's.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from mcp.server.mcpserver import MCPServer

from metricmind.interfaces.mcpserver.server import build_server
from metricmind.interfaces.web.app import create_app
from metricmind.project import Project
from tests.foreign.conftest import fresh_copy, hand
from tests.mcp.helpers import error, ok

DEMO_WORDS = re.compile(r"\b(MRR|ARR|customer__segment|subscriptions?|invoice_revenue|net_revenue)\b", re.I)


@pytest.fixture(scope="module")
def bazaar_rw(bazaar_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """A copy of the bazaar the surfaces may write their state into."""
    with Project.load(fresh_copy(bazaar_dir, tmp_path_factory.mktemp("surf") / "bazaar")) as project:
        yield project


@pytest.fixture(scope="module")
def helpdesk_rw(helpdesk_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with Project.load(fresh_copy(helpdesk_dir, tmp_path_factory.mktemp("surf") / "helpdesk")) as project:
        yield project


def _csv(text: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO("\n".join(x for x in text.splitlines() if not x.startswith("# ")))))
    return rows[0], rows[1:]


def test_mcp_list_describe_explain_query(bazaar_rw: Project) -> None:
    server: MCPServer = build_server(bazaar_rw)
    header, rows = _csv(ok(server, "list_metrics", {}))
    assert header[0] == "name" and {"gmv", "take_rate", "visit_to_order_conversion"} <= {r[0] for r in rows}
    assert [r[0] for r in _csv(ok(server, "list_metrics", {"search": "gross merchandise"}))[1]] == ["gmv"]
    described = ok(server, "describe_metrics", {"metrics": "take_rate"})
    assert "platform_revenue / gmv" in described and "seller__seller_country" in described
    explained = ok(server, "explain_query", {"metrics": ["aov"], "group_by": ["metric_time__month"]})
    assert "fct_order_items" in explained and "fct_orders" in explained
    header, rows = _csv(
        ok(server, "query_metrics", {"metrics": ["gmv"], "group_by": ["seller__seller_country"]})
    )
    assert header == ["seller__seller_country", "gmv"]
    want = hand(
        bazaar_rw,
        "select s.seller_country, sum(i.quantity * i.unit_price) from main.fct_order_items i "
        "join main.dim_sellers s using (seller_id) group by 1 order by 1",
    )
    assert [(c, round(float(v), 2)) for c, v in rows] == [(c, round(float(v), 2)) for c, v in want]
    values = ok(server, "get_dimension_values", {"dimension": "order__order_status"})
    assert {"cancelled", "completed", "refunded"} <= set(values.splitlines())
    assert "gmv" in error(server, "query_metrics", {"metrics": ["gmvv"]})  # "did you mean"


def test_mcp_resolve_and_run_in_the_helpdesk_words(helpdesk_rw: Project) -> None:
    server = build_server(helpdesk_rw)
    answer = ok(
        server,
        "resolve_question",
        {
            "question": "median first response time by priority last quarter",
            "as_of": "2024-07-01",
            "run": True,
        },
    )
    assert "first_response_time_p50" in answer and "ticket__priority" in answer
    want = hand(
        helpdesk_rw,
        "select ticket_priority, quantile_cont(first_reply_mins, 0.5) from analytics.fct_tickets "
        "where created_ts >= '2024-04-01' and created_ts < '2024-07-01' group by 1 order by 1",
    )
    data = json.loads(answer)
    table = dict(re.findall(r"^(urgent|high|normal|low)\s+([\d,.]+)$", data["answer"], re.M))
    assert {p: float(v.replace(",", "")) for p, v in table.items()} == {p: float(m) for p, m in want}


def test_web_catalog_and_metric_pages(bazaar_rw: Project) -> None:
    client = TestClient(create_app(bazaar_rw), base_url="http://localhost")
    home = client.get("/")
    assert home.status_code == 200 and "Take rate" in home.text and "Seller payout balance" in home.text
    for name, words in (
        ("take_rate", ("Platform fee revenue as a share of GMV", "platform_revenue")),
        ("seller_payout_balance", ("What the marketplace owes sellers",)),
        ("visit_to_order_conversion", ("Visit to order conversion",)),
    ):
        page = client.get(f"/metrics/{name}")
        assert page.status_code == 200, name
        assert all(w in page.text for w in words), name
    assert client.get("/metrics/mrr").status_code == 404
    api = client.get("/api/metrics")
    assert api.status_code == 200 and '"gmv"' in api.text and '"aov"' in api.text
    # the forms' examples come from this catalog, not the demo's
    for url in ("/ask", "/define", "/define/advanced"):
        text = client.get(url).text
        placeholders = " ".join(re.findall(r'placeholder="([^"]*)"', text))
        assert not DEMO_WORDS.search(placeholders), (url, placeholders)
        example = re.search(r"data-example='([^']*)'", text)  # the Define example is one of its own metrics
        if example is not None:
            metric = json.loads(html.unescape(example.group(1)))["metric"]
            assert f'"{metric}"' in api.text and not DEMO_WORDS.search(example.group(1)), (url, example)


def test_demo_analyses_refuse_clearly_without_their_tables(bazaar_dir: Path) -> None:
    from typer.testing import CliRunner

    from metricmind.interfaces.cli.app import app

    result = CliRunner().invoke(app, ["analyze", "cohorts", "-p", str(bazaar_dir)])
    out = result.stdout + result.stderr
    assert result.exit_code == 2, out
    assert "this project has no mart_customer_lifecycle_canonical" in out and "--input FILE" in out
    assert "Catalog Error" not in out
