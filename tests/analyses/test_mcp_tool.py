"""The MCP tool ``analyze`` through the SDK's in-memory client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp.server.mcpserver import MCPServer

from metricmind.interfaces.mcpserver.server import build_server
from metricmind.project import Project
from tests.analyses.test_attribution import CASE_A
from tests.mcp.helpers import error, ok


@pytest.fixture(scope="module")
def server(analyses_demo: Path) -> Iterator[MCPServer]:
    project = Project.load(analyses_demo)
    yield build_server(project)
    project.close()


def test_attribution_on_the_project(server: MCPServer) -> None:
    text = ok(server, "analyze", {"analysis": "attribution", "start": "2026-01-01", "end": "2026-04-01"})
    out = json.loads(text)
    assert len(out["models"]) == 7 and out["total_conversions"] > 0
    for entry in out["models"].values():
        assert abs(sum(entry["revenue"].values()) - out["total_revenue"]) < 0.01 * len(out["channels"])
        assert all(v == round(v, 4) for v in entry["revenue"].values())
    assert " " not in text.split('"channels"')[0]  # compact separators


def test_on_a_document_and_with_models(server: MCPServer) -> None:
    out = json.loads(
        ok(server, "analyze", {"analysis": "attribution", "data": CASE_A, "models": "linear,markov"})
    )
    assert set(out["models"]) == {"linear", "markov"}
    assert out["models"]["markov"]["revenue"] == {"ads": 42.0, "email": 42.0, "social": 21.0}
    out = json.loads(ok(server, "analyze", {"analysis": "mrr-movements", "start": "2026-01-01"}))
    assert list(out["per_month"])[0] == "2026-01" and out["windows"]


def test_errors_name_the_row(server: MCPServer) -> None:
    bad = {"journeys": [{"journey_id": "a", "converted": True, "revenue": 1, "touchpoints": []}]}
    assert "journeys[0].touchpoints is empty" in error(
        server, "analyze", {"analysis": "attribution", "data": bad}
    )
    assert "unknown analysis" in error(server, "analyze", {"analysis": "funnels"})
    text = error(server, "analyze", {"analysis": "attribution", "data": CASE_A, "start": "2026-01-01"})
    assert "not to a data document" in text
