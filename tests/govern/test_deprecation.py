"""Deprecation names a successor and a sunset date, and every surface that queries a deprecated metric
answers with a warning naming them: CLI query and ask, the web query page, API and ask page, MCP.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from fastapi.testclient import TestClient
from mcp import Client

from metricmind.catalog.workflow import WorkflowError
from metricmind.errors import UnknownNameError
from metricmind.interfaces.mcpserver.server import build_server
from metricmind.interfaces.web.app import create_app
from metricmind.project import Project

WARNING = "metric 'arpa' is deprecated; use 'mrr' instead (sunset 2027-01-31)."


def cli(demo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "metricmind", *args, "-p", str(demo)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deprecate_checks_its_successor_and_sunset(demo: Path) -> None:
    with Project.load(demo) as project:
        catalog = project.catalog
        catalog.add_user("ann", "approver")
        with pytest.raises(UnknownNameError, match="'mrrr'") as err:
            catalog.deprecate("metric", "arpa", "ann", "old", successor="mrrr", sunset="2027-01-31")
        assert "mrr" in err.value.suggestions
        with pytest.raises(WorkflowError, match="its own successor"):
            catalog.deprecate("metric", "arpa", "ann", successor="arpa")
        with pytest.raises(WorkflowError, match="not a date"):
            catalog.deprecate("metric", "arpa", "ann", successor="mrr", sunset="soon")
        assert catalog.metric("arpa")["status"] == "published"  # nothing changed
        done = catalog.deprecate("metric", "arpa", "ann", "superseded", successor="mrr", sunset="2027-01-31")
        assert (done["status"], done["successor"], done["sunset"]) == ("deprecated", "mrr", "2027-01-31")
        entry = catalog.audit(subject="arpa")[0]
        assert entry["action"] == "deprecate"
        assert entry["detail"] == {"reason": "superseded", "successor": "mrr", "sunset": "2027-01-31"}
        # the same project object warns at once
        assert project.query("arpa", "metric_time__month").warnings == [WARNING]
        assert project.query("mrr", "metric_time__month").warnings == []


def test_cli_query_and_ask_warn(demo: Path) -> None:
    token = cli(demo, "users", "add", "boss", "--role", "approver").stdout.strip()
    assert token
    done = cli(
        demo,
        "catalog",
        "deprecate",
        "metric",
        "arpa",
        "--successor",
        "mrr",
        "--sunset",
        "2027-01-31",
        "--reason",
        "superseded",
        "--user",
        "boss",
    )
    assert done.returncode == 0, done.stderr
    assert "deprecated; use mrr instead (sunset 2027-01-31)" in done.stdout
    table = cli(demo, "query", "-m", "arpa", "-g", "metric_time__month")
    assert table.returncode == 0 and f"warning: {WARNING}" in table.stderr
    as_json = cli(demo, "query", "-m", "arpa", "-g", "metric_time__month", "--format", "json")
    assert json.loads(as_json.stdout)["warnings"] == [WARNING]
    ask = cli(demo, "ask", "arpa by month in 2025", "--run")
    assert ask.returncode == 0 and f"warning: {WARNING}" in ask.stderr
    asked = json.loads(cli(demo, "ask", "arpa by month in 2025", "--json").stdout)
    assert asked["warnings"] == [WARNING]
    # a metric deprecated in the YAML warns with the successor and sunset written there
    bookings = cli(demo, "query", "-m", "bookings", "-g", "metric_time__year")
    assert (
        "metric 'bookings' is deprecated; use 'billed_amount' instead (sunset 2027-06-30)." in bookings.stderr
    )
    fine = cli(demo, "query", "-m", "mrr", "-g", "metric_time__year")
    assert "warning" not in fine.stderr


def test_web_and_api_warn(demo: Path) -> None:
    with Project.load(demo) as project:
        token = project.catalog.add_user("ann", "approver")
        client = TestClient(create_app(project), base_url="http://localhost")
        r = client.post(
            "/api/metrics/arpa/deprecate",
            json={"reason": "superseded", "successor": "mrr", "sunset": "2027-01-31"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert r.status_code == 200, r.text
        assert r.json()["result"]["successor"] == "mrr"
        bad = client.post(
            "/api/metrics/mrr/deprecate",
            json={"successor": "nope_metric"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert bad.status_code >= 400 and project.catalog.metric("mrr")["status"] == "certified"
        page = client.get("/query", params={"metrics": "arpa", "grain": "month"})
        assert page.status_code == 200 and WARNING.replace("'", "&#39;") in page.text
        api = client.get("/api/query", params={"metrics": "arpa", "grain": "month"}).json()
        assert api["warnings"] == [WARNING]
        run = client.post("/api/query/run", json={"metrics": ["arpa"], "group_by": ["metric_time__month"]})
        assert run.json()["warnings"] == [WARNING]
        metric_page = client.get("/metrics/arpa")
        assert 'id="deprecation"' in metric_page.text
        ask = client.get("/api/ask", params={"q": "arpa by month"}).json()
        assert ask["warnings"] == [WARNING]
        ask_page = client.get("/ask", params={"q": "arpa by month"})
        assert WARNING.replace("'", "&#39;") in ask_page.text


def test_mcp_warns(demo: Path) -> None:
    with Project.load(demo) as project:
        project.catalog.add_user("ann", "approver")
        project.catalog.deprecate("metric", "arpa", "ann", successor="mrr", sunset="2027-01-31")
        server = build_server(project)

        async def go() -> tuple[str, str]:
            async with Client(server) as client:
                rows = await client.call_tool(
                    "query_metrics", {"metrics": ["arpa"], "group_by": ["metric_time__month"]}
                )
                asked = await client.call_tool("resolve_question", {"question": "arpa by month"})
                return rows.content[0].text, asked.content[0].text  # type: ignore[union-attr]

        text, asked = anyio.run(go)
    assert f"# warning: {WARNING}" in text.splitlines()
    assert json.loads(asked)["warnings"] == [WARNING]
