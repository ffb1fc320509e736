"""The flagship conversation: "Show me the attribution of new MRR by channel for Q1 using all models" through
the resolver, ``metricmind ask --run`` and MCP (``resolve_question`` and ``analyze``, in-memory client)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp.server.mcpserver import MCPServer
from typer.testing import CliRunner

from metricmind.analyses import MODELS
from metricmind.analyses.extract import analyze_warehouse
from metricmind.analyses.reading import narrate_attribution
from metricmind.interfaces.cli.app import app
from metricmind.interfaces.mcpserver.analyses import compact
from metricmind.interfaces.mcpserver.server import build_server
from metricmind.project import Project
from metricmind.resolve.analysisrequest import ATTRIBUTION_MODELS
from tests.mcp.helpers import ok

FLAGSHIP = "Show me the attribution of new MRR by channel for Q1 using all models"
AS_OF = dt.date(2026, 6, 30)
SEVEN = list(MODELS)


@pytest.fixture(scope="module")
def project(analyses_demo: Path) -> Iterator[Project]:
    opened = Project.load(analyses_demo)
    yield opened
    opened.close()


def test_the_resolver_knows_the_same_models() -> None:
    assert list(ATTRIBUTION_MODELS) == SEVEN


def test_the_flagship_question_is_an_attribution_request(project: Project) -> None:
    res = project.resolver().resolve(FLAGSHIP, as_of=AS_OF)
    assert res.answerable
    assert res.analysis == {
        "kind": "attribution",
        "models": SEVEN,
        "start": "2026-01-01",
        "end": "2026-04-01",
        "measure": "revenue",
    }
    assert res.confidence >= 0.9
    words = {s.text.lower() for s in res.spans["analysis"]}
    assert words == {"attribution", "all models"}
    assert res.to_dict()["analysis"] == res.analysis
    assert not [n for n in res.notes if n.startswith("ignored")]  # the analysis reads those words


@pytest.mark.parametrize(
    ("question", "models", "measure"),
    [
        ("new MRR under last touch in Q1", ["last_touch"], "revenue"),
        ("compare first-touch and Markov credit for new MRR in Q1", ["first_touch", "markov"], "revenue"),
        ("which channels drive signups in Q1", SEVEN, "conversions"),
        ("how is new MRR attributed across channels in Q1 with the Shapley model", ["shapley"], "revenue"),
        (
            "time decay and U-shaped attribution of new MRR for Q1",
            ["position_based", "time_decay"],
            "revenue",
        ),
    ],
)
def test_other_ways_to_ask(project: Project, question: str, models: list[str], measure: str) -> None:
    res = project.resolver().resolve(question, as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.analysis is not None, question
    assert res.analysis["models"] == models
    assert res.analysis["measure"] == measure
    assert (res.analysis["start"], res.analysis["end"]) == ("2026-01-01", "2026-04-01")


@pytest.mark.parametrize(
    "question",
    [
        "new MRR by acquisition channel for Q1",
        "MRR by region last quarter",
        "MRR linear trend",
        # the catalog's attributed metrics answer these (tests/resolve/devset.yml)
        "first touch attributed new MRR by channel in 2025",
        "linear attribution by campaign last quarter",
    ],
)
def test_metric_questions_stay_metric_questions(project: Project, question: str) -> None:
    res = project.resolver().resolve(question, as_of=AS_OF)
    assert res.analysis is None and "analysis" not in res.to_dict()


def test_ask_run_prints_the_models_side_by_side_and_the_reading(
    project: Project, analyses_demo: Path
) -> None:
    args = ["ask", FLAGSHIP, "--as-of", "2026-06-30", "--project", str(analyses_demo)]
    done = CliRunner().invoke(app, [*args, "--run"])
    assert done.exit_code == 0, done.stderr
    expected = analyze_warehouse(
        "attribution", project.warehouse, project.dialect, start="2026-01-01", end="2026-04-01"
    )
    header = done.stdout.splitlines()[1].split()
    assert header == ["channel", *SEVEN]
    assert done.stdout.rstrip().endswith(narrate_attribution(expected, "revenue"))
    as_json = json.loads(CliRunner().invoke(app, [*args, "--run", "--json"]).stdout)
    assert as_json["analysis_result"] == json.loads(json.dumps(expected))
    assert as_json["reading"] == narrate_attribution(expected, "revenue")
    plain = CliRunner().invoke(app, args).stdout
    assert "Read as an attribution analysis" in plain
    assert "metricmind analyze attribution --start 2026-01-01 --end 2026-04-01" in plain


def test_mcp_resolve_question_answers_with_the_reading(project: Project) -> None:
    server: MCPServer = build_server(project)
    out = json.loads(ok(server, "resolve_question", {"question": FLAGSHIP, "as_of": "2026-06-30"}))
    expected = analyze_warehouse(
        "attribution", project.warehouse, project.dialect, start="2026-01-01", end="2026-04-01"
    )
    assert out["analysis"]["models"] == SEVEN
    assert out["analysis_result"] == json.loads(json.dumps(compact(expected)))
    assert out["reading"] == narrate_attribution(expected, "revenue")
    assert "under first touch" in out["reading"].lower()
    tool = json.loads(
        ok(server, "analyze", {"analysis": "attribution", "start": "2026-01-01", "end": "2026-04-01"})
    )
    assert tool["reading"] == out["reading"]
    empty = json.loads(
        ok(server, "resolve_question", {"question": "attribution of new MRR in 2019", "as_of": "2026-06-30"})
    )
    assert empty["analysis_error"]["message"] == "no journeys end in the period"
    plain = json.loads(ok(server, "resolve_question", {"question": "MRR by region", "as_of": "2026-06-30"}))
    assert "analysis_result" not in plain and "reading" not in plain
