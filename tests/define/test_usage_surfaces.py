"""Issue 12: the knowledge graph's usage ranks the definition agent's proposal on every surface alike.

Queries are logged into the demo project's own store and folded into its knowledge graph (as the nightly
job does); then ``metricmind define --json`` (a process of its own), ``POST /api/define/analyze`` and the
MCP tool ``define_metric`` all rank the subscriptions table up ("read by 7 logged queries") and the join to
customers by use ("joined 7 times"), and agree with ``Project.analyze_definition``. Without a graph, or
with an empty one, there is no usage and no error.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from metricmind.define import Definition, analyze
from metricmind.interfaces.mcpserver.server import build_server
from metricmind.interfaces.web.app import create_app
from metricmind.knowledge.ingest import Entry, persist
from metricmind.knowledge.process import Processor
from metricmind.knowledge.sync import sync
from metricmind.project import Project
from tests.mcp.helpers import ok

METRICMIND = str(Path(sys.executable).with_name("metricmind"))
SUB_CUS = (
    "SELECT c.region, COUNT(s.subscription_id) FROM fct_subscriptions_canonical s "
    "JOIN dim_customers_canonical c ON s.customer_id = c.customer_id GROUP BY 1"
)
DEFINITION = Definition(
    "contracts_started", "Number of subscription contracts started each month", ("Date by start date",)
)


@pytest.fixture
def root(demo_built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the demo, with no store yet (the SQLite store in its state folder)."""
    monkeypatch.delenv("METRICMIND_STORE_URL", raising=False)
    monkeypatch.delenv("METRICMIND_STATE_DIR", raising=False)
    target = tmp_path / "demo"
    shutil.copytree(demo_built, target, ignore=shutil.ignore_patterns(".metricmind"))
    return target


def log_queries(project: Project, calls: int, first: int = 0) -> None:
    """Log ``calls`` runs of a subscriptions ⨝ customers query in the project's store and fold them into
    its knowledge graph."""
    engine: sa.Engine = project.catalog.engine
    start = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)
    batch = [
        Entry("log", f"q-{i}", SUB_CUS, "duckdb", start + dt.timedelta(hours=i), user="ann", duration_ms=4.0)
        for i in range(first, first + calls)
    ]
    persist(engine, batch)
    proc = Processor(project.model, "main")
    assert proc.index is not None
    with engine.begin() as conn:
        sync(conn, proc.index, proc.ids)
    proc.run(engine)


def without_time(proposal: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in proposal.items() if k != "elapsed_ms"}


def short(items: list[dict[str, Any]]) -> list[tuple[str, float, str]]:
    return [(s["name"], s["confidence"], s["reason"]) for s in items]


def test_no_graph_or_an_empty_one_is_no_usage_and_no_error(root: Path) -> None:
    with Project.load(root) as project:
        assert project.define_usage() is None
        assert "catalog" not in project.__dict__ and not (root / ".metricmind" / "store.db").exists()
        project.catalog.add_user("ana", "editor")  # a store now, its graph empty (only the model synced)
        assert project.define_usage() is None
        assert without_time(project.analyze_definition(DEFINITION).to_dict()) == without_time(
            analyze(DEFINITION, project.model).to_dict()
        )


def test_an_unreachable_store_is_no_usage(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METRICMIND_STORE_URL", "postgresql://nobody@127.0.0.1:1/none")
    with Project.load(root) as project:
        assert project.define_usage() is None
        assert project.analyze_definition(DEFINITION).refused is None


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_usage_follows_the_graph_as_it_grows(
    root: Path, store: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if store == "postgres":
        monkeypatch.setenv("METRICMIND_STORE_URL", str(request.getfixturevalue("postgres_url")))
    with Project.load(root) as project:
        log_queries(project, 7)
        usage = project.define_usage()
        assert (
            usage is not None and usage.join("fct_subscriptions_canonical", "dim_customers_canonical")[0] == 7
        )
        assert project.define_usage() is usage  # the graph did not change: read once
        with Project.load(root) as other:  # another process's view of the same store
            log_queries(other, 3, first=7)
        grown = project.define_usage()
        assert (
            grown is not None
            and grown.join("fct_subscriptions_canonical", "dim_customers_canonical")[0] == 10
        )
    with Project.load(root) as fresh:  # a process that never opened the catalog reads the store as it is
        seen = fresh.define_usage()
        assert (
            seen is not None and seen.join("fct_subscriptions_canonical", "dim_customers_canonical")[0] == 10
        )
        assert "catalog" not in fresh.__dict__


def test_cli_web_and_mcp_rank_by_the_graphs_usage_alike(root: Path) -> None:
    with Project.load(root) as project:
        log_queries(project, 7)
        expected = project.analyze_definition(DEFINITION).to_dict()
        plain = analyze(DEFINITION, project.model).to_dict()

        web = TestClient(create_app(project), base_url="http://localhost")
        reply = web.post(
            "/api/define/analyze",
            json={
                "name": DEFINITION.name,
                "definition": DEFINITION.text,
                "rules": list(DEFINITION.rules),
            },
        )
        assert reply.status_code == 200, reply.text
        by_web = reply.json()["proposal"]

        by_mcp = json.loads(
            ok(
                build_server(project),
                "define_metric",
                {
                    "name": DEFINITION.name,
                    "definition": DEFINITION.text,
                    "rules": list(DEFINITION.rules),
                },
            )
        )

    env = {k: v for k, v in os.environ.items() if k not in ("METRICMIND_STORE_URL", "METRICMIND_TOKEN")}
    done = subprocess.run(
        [
            METRICMIND,
            "define",
            DEFINITION.name,
            "--definition",
            DEFINITION.text,
            "--rule",
            DEFINITION.rules[0],
        ]
        + ["--project", str(root), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "NO_COLOR": "1"},
    )
    assert done.returncode == 0, done.stderr
    by_cli = json.loads(done.stdout)

    # the graph's usage shows: the logged table ranks up, the logged join is named with its uses and time
    sources = short(expected["sources"])
    assert sources != short(plain["sources"])
    logged = next(s for s in expected["sources"] if s["detail"].get("uses") == 7)
    assert "logged queries" in logged["reason"]
    assert logged["detail"]["table"] == "main.fct_subscriptions_canonical"
    before = [s["name"] for s in plain["sources"]]
    after = [s["name"] for s in expected["sources"]]
    assert after.index(logged["name"]) < before.index(logged["name"])
    region = next(d for d in expected["dimensions"] if d["name"] == "customer__region")
    assert "joined 7 times in logged queries; 4.0 ms mean" in region["reason"]
    assert "joined" not in next(d for d in plain["dimensions"] if d["name"] == "customer__region")["reason"]

    # and every surface says the same
    for surface in (by_cli, by_web):
        assert short(surface["sources"]) == sources
        assert short(surface["dimensions"]) == short(expected["dimensions"])
        assert short(surface["similar"]) == short(expected["similar"])
        assert surface["measure"]["name"] == expected["measure"]["name"]
    assert short(by_mcp["sources"]) == sources[: len(by_mcp["sources"])] and by_mcp["sources"]
    assert by_mcp["dimensions"] == [d["name"] for d in expected["dimensions"]][: len(by_mcp["dimensions"])]
    assert short(by_mcp["similar"]) == short(expected["similar"])
    assert by_mcp["measure"]["name"] == expected["measure"]["name"]
