"""Every read-only tool through the MCP SDK's in-memory client, on the demo project."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import anyio
import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer

from metricmind.interfaces.mcpserver.server import build_server
from metricmind.interfaces.mcpserver.tools import TOOLS, Tools, register
from metricmind.project import Execution, Project
from metricmind.spec.query import MetricQuery
from tests.mcp.helpers import error, ok


@pytest.fixture(scope="module")
def server(demo: Project) -> MCPServer:
    return build_server(demo)


def parse_csv(text: str) -> tuple[list[str], list[list[str]], list[str]]:
    """Header, rows and the trailing ``#`` notes of a CSV answer."""
    lines = text.splitlines()
    notes = [line for line in lines if line.startswith("# ")]
    body = "\n".join(line for line in lines if not line.startswith("# "))
    rows = list(csv.reader(io.StringIO(body)))
    return rows[0], rows[1:], notes


def test_every_tool_is_listed_and_only_feedback_writes(server: MCPServer) -> None:
    async def go() -> dict[str, bool | None]:
        async with Client(server) as client:
            tools = (await client.list_tools()).tools
            for t in tools:  # descriptions without the docstring indentation, arguments explained
                assert t.description and "\n            " not in t.description
                assert "Args:" in t.description or not t.input_schema.get("properties")
            return {t.name: t.annotations.read_only_hint if t.annotations else None for t in tools}

    hints = anyio.run(go)
    assert list(hints) == list(TOOLS)
    assert {name for name, read_only in hints.items() if not read_only} == {
        "record_feedback",
        "define_metric",
    }


def test_without_feedback_no_tool_writes(demo: Project) -> None:
    async def go() -> list[str]:
        async with Client(build_server(demo, feedback=False)) as client:
            return [t.name for t in (await client.list_tools()).tools]

    assert "record_feedback" not in anyio.run(go)


def test_every_tool_is_documented() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "mcp.md").read_text()
    assert [t for t in TOOLS if f"### `{t}`" not in doc] == []
    assert "metricmind mcp" in doc and '"mcpServers"' in doc


# -- list_metrics / describe_metrics ---------------------------------------------------------------
def test_list_metrics(server: MCPServer, demo: Project) -> None:
    header, rows, notes = parse_csv(ok(server, "list_metrics"))
    assert header == ["name", "type", "category", "status", "unit", "label", "trending", "definition"]
    assert sorted(r[0] for r in rows) == sorted(m.name for m in demo.metrics())
    assert notes == []
    mrr = next(r for r in rows if r[0] == "mrr")
    assert mrr[1:3] == ["simple", "Revenue"]


def test_list_metrics_filters(server: MCPServer) -> None:
    _, rows, _ = parse_csv(ok(server, "list_metrics", {"category": "marketing"}))
    names = {r[0] for r in rows}
    assert {"marketing_spend", "cac", "touchpoints"} <= names
    assert all(r[2] == "Marketing" for r in rows)
    _, rows, _ = parse_csv(ok(server, "list_metrics", {"search": "recurring"}))
    assert "mrr" in {r[0] for r in rows} and "events" not in {r[0] for r in rows}


def test_list_metrics_unknown_category(server: MCPServer) -> None:
    assert "Did you mean 'Revenue'?" in error(server, "list_metrics", {"category": "Revenu"})


@pytest.mark.parametrize("metrics", [["mrr", "arr"], '["mrr", "arr"]', "mrr,arr"])
def test_describe_metrics_accepts_lists_json_and_commas(server: MCPServer, metrics: object) -> None:
    described = json.loads(ok(server, "describe_metrics", {"metrics": metrics}))
    assert [d["name"] for d in described] == ["mrr", "arr"]
    mrr = described[0]
    assert mrr["category"] == "Revenue" and mrr["business_rules"] and mrr["definition"]
    assert "customer__region" in mrr["dimensions"]
    assert "month" in mrr["time_grains"]
    assert described[1]["formula"].startswith("mrr * 12")


def test_describe_unknown_metric_says_did_you_mean(server: MCPServer) -> None:
    message = error(server, "describe_metrics", {"metrics": ["mrr", "nett_new_mrr"]})
    assert "unknown metric 'nett_new_mrr'" in message
    assert "Did you mean 'net_new_mrr'" in message
    payload = json.loads(message.splitlines()[-1])
    assert payload["error"] == "unknown_name" and "net_new_mrr" in payload["suggestions"]


def test_describe_rejects_bad_json(server: MCPServer) -> None:
    assert "not a valid JSON list" in error(server, "describe_metrics", {"metrics": '["mrr", '})


# -- get_dimension_values --------------------------------------------------------------------------
def test_values_declared_in_meta(server: MCPServer) -> None:
    out = ok(server, "get_dimension_values", {"dimension": "customer__region"})
    header, rows, notes = parse_csv(out)
    assert header == ["customer__region", "aliases"]
    assert [r[0] for r in rows] == ["NA", "EMEA", "APAC", "LATAM"]
    assert "Europe" in rows[1][1]
    assert notes == ["# source: declared in meta.values"]


def test_values_from_the_warehouse_are_capped(server: MCPServer, demo: Project) -> None:
    # Every customer, also those that never paid: the tool queries through the customers table.
    table = demo.warehouse.run("SELECT DISTINCT customer_name FROM main.dim_customers_canonical ORDER BY 1")
    names = [row[0] for row in table.rows]
    assert len(names) == 300
    header, rows, notes = parse_csv(
        ok(server, "get_dimension_values", {"dimension": "customer__name", "max_values": 20})
    )
    assert header == ["customer__name"]
    assert len(rows) == 20
    assert notes[0].startswith("# cut: showing 20 of more than 20 rows (max_values=20)")
    assert notes[1].startswith("# source: queried from the warehouse through metric")
    _, all_rows, notes = parse_csv(
        ok(server, "get_dimension_values", {"dimension": "customer__name", "max_values": 1000})
    )
    assert [r[0] for r in all_rows] == names
    assert not any(n.startswith("# cut") for n in notes)


def test_values_search(server: MCPServer) -> None:
    _, rows, _ = parse_csv(
        ok(server, "get_dimension_values", {"dimension": "customer__name", "search": "acme"})
    )
    assert rows and all("acme" in r[0].lower() for r in rows)
    _, rows, _ = parse_csv(
        ok(server, "get_dimension_values", {"dimension": "customer__region", "search": "a"})
    )
    assert [r[0] for r in rows] == ["NA", "EMEA", "APAC", "LATAM"]
    _, rows, _ = parse_csv(
        ok(server, "get_dimension_values", {"dimension": "event__platform", "search": "IOS"})
    )
    assert [r[0] for r in rows] == ["ios"]


def test_values_unknown_dimension_and_time(server: MCPServer) -> None:
    assert "Did you mean 'customer__region'" in error(
        server, "get_dimension_values", {"dimension": "customer__regoin"}
    )
    assert "time dimension" in error(server, "get_dimension_values", {"dimension": "metric_time"})
    assert "out of range" in error(
        server, "get_dimension_values", {"dimension": "customer__name", "max_values": 0}
    )


# -- query_metrics / explain_query -----------------------------------------------------------------
def test_query_matches_project_run(server: MCPServer, demo: Project) -> None:
    expected = demo.run(MetricQuery.build("new_customers", "customer__segment", order_by="customer__segment"))
    header, rows, notes = parse_csv(
        ok(
            server,
            "query_metrics",
            {
                "metrics": ["new_customers"],
                "group_by": "customer__segment",
                "order_by": ["customer__segment"],
            },
        )
    )
    assert header == expected.columns
    assert rows == [[str(v) for v in row] for row in expected.rows]
    assert len(notes) == 1 and notes[0].startswith(f"# {len(expected.rows)} rows in ")


def test_query_json_string_arguments_and_query_object(server: MCPServer) -> None:
    direct = ok(
        server,
        "query_metrics",
        {
            "metrics": '["mrr"]',
            "group_by": '["metric_time__quarter", "customer__region"]',
            "where": "[\"{{ Dimension('customer__segment') }} = 'SMB'\"]",
            "start": "2025-01-01",
            "end": "2026-01-01",
        },
    )
    header, rows, _ = parse_csv(direct)
    assert header == ["metric_time__quarter", "customer__region", "mrr"]
    assert {r[0] for r in rows} == {"2025-01-01", "2025-04-01", "2025-07-01", "2025-10-01"}
    as_object = {
        "metrics": ["mrr"],
        "group_by": ["metric_time__quarter", "customer__region"],
        "where": ["{{ Dimension('customer__segment') }} = 'SMB'"],
        "start": "2025-01-01",
        "end": "2026-01-01",
    }
    for query in (as_object, json.dumps(as_object), {"query": as_object}):
        again = ok(server, "query_metrics", {"query": query})
        assert parse_csv(again)[:2] == parse_csv(direct)[:2]
    # Arguments override the query object's fields.
    header, _, _ = parse_csv(
        ok(server, "query_metrics", {"query": as_object, "group_by": "customer__region"})
    )
    assert header == ["customer__region", "mrr"]


def test_query_row_cap_says_it_cut(server: MCPServer) -> None:
    header, rows, notes = parse_csv(
        ok(server, "query_metrics", {"metrics": "events", "group_by": "metric_time__day", "max_rows": 7})
    )
    assert len(rows) == 7
    assert notes[0].startswith("# cut: showing 7 of more than 7 rows (max_rows=7)")
    # A query limit below the cap is not cut.
    _, rows, notes = parse_csv(
        ok(server, "query_metrics", {"metrics": "events", "group_by": "metric_time__day", "limit": 5})
    )
    assert len(rows) == 5 and not any(n.startswith("# cut") for n in notes)


def test_query_size_cap_says_it_cut(server: MCPServer) -> None:
    out = ok(
        server,
        "query_metrics",
        {"metrics": "events", "group_by": ["metric_time__day", "event__feature"], "max_chars": 1000},
    )
    _, rows, notes = parse_csv(out)
    assert 0 < len(rows) < 200
    assert notes[0].startswith(f"# cut: showing {len(rows)} of more than 200 rows (max_chars=1000)")
    assert len(out) < 1400


def test_query_errors(server: MCPServer) -> None:
    message = error(server, "query_metrics", {"metrics": "mrrr", "group_by": "customer__region"})
    assert "Did you mean 'mrr'" in message
    assert "Did you mean 'customer__region'" in error(
        server, "query_metrics", {"metrics": "mrr", "group_by": "customer__regin"}
    )
    assert "no metrics requested" in error(server, "query_metrics", {})
    assert "is not a date" in error(server, "query_metrics", {"metrics": "mrr", "start": "last year"})
    assert "out of range" in error(server, "query_metrics", {"metrics": "mrr", "max_rows": 100_000})
    assert "unknown fields: metric" in error(server, "query_metrics", {"query": {"metric": "mrr"}})
    assert "not a whole number" in error(
        server, "query_metrics", {"query": {"metrics": "mrr", "limit": "ten"}}
    )
    _, rows, _ = parse_csv(
        ok(
            server,
            "query_metrics",
            {"query": {"metrics": "events", "group_by": "metric_time__day", "limit": "3"}},
        )
    )
    assert len(rows) == 3


def test_queries_go_through_project_run(demo_dir: Path) -> None:
    project = Project.load(demo_dir)
    seen: list[Execution] = []
    project.listeners.append(seen.append)
    server = build_server(project, user="ana")
    ok(server, "query_metrics", {"metrics": "mrr", "group_by": "customer__segment"})
    ok(server, "get_dimension_values", {"dimension": "customer__name", "max_values": 3})
    ok(server, "explain_query", {"metrics": "mrr"})  # compiles only: not an execution
    assert [(e.source, e.user, e.query.metrics) for e in seen] == [
        ("mcp", "ana", ("mrr",)),
        ("mcp", "ana", seen[1].query.metrics),
    ]
    assert seen[1].query.group_by == ("customer__name",) and seen[1].rows == 4
    project.close()


def test_explain_query(server: MCPServer, demo: Project) -> None:
    query = MetricQuery.build("mrr", ["metric_time__month", "customer__region"])
    out = ok(server, "explain_query", {"metrics": "mrr", "group_by": "metric_time__month,customer__region"})
    first, second, sql = out.split("\n", 2)
    assert json.loads(first.removeprefix("-- query: ")) == query.to_dict()
    assert second == "-- dialect: duckdb"
    assert sql == demo.compile(query)
    pg = ok(
        server, "explain_query", {"metrics": "mrr", "group_by": "customer__region", "dialect": "postgres"}
    )
    assert "-- dialect: postgres" in pg and pg.endswith(
        demo.compile(MetricQuery.build("mrr", "customer__region"), "postgres")
    )
    assert "Did you mean 'postgres'" in error(
        server, "explain_query", {"metrics": "mrr", "dialect": "postgress"}
    )


def test_read_tools_leave_the_project_untouched(demo_copy: Path) -> None:
    """Definitions and data stay as they were; the runs are recorded in the project's state folder."""

    def snapshot() -> dict[str, str]:
        return {
            str(p.relative_to(demo_copy)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(demo_copy.rglob("*"))
            if p.is_file() and ".metricmind" not in p.relative_to(demo_copy).parts
        }

    before = snapshot()
    with Project.load(demo_copy) as project:
        server = build_server(project)
        ok(server, "list_metrics")
        ok(server, "describe_metrics", {"metrics": "mrr"})
        ok(server, "get_dimension_values", {"dimension": "customer__name"})
        ok(server, "query_metrics", {"metrics": "mrr", "group_by": "customer__region"})
        ok(server, "explain_query", {"metrics": "mrr"})
    assert snapshot() == before
    spooled = (demo_copy / ".metricmind" / "executions.jsonl").read_text().splitlines()
    assert spooled and all('"source": "mcp"' in line for line in spooled)  # usage counts MCP runs too


def test_resolve_question_uses_the_projects_resolver_by_default(demo: Project) -> None:
    server = MCPServer(name="bare")
    register(server, Tools(demo, resolver=None))
    answer = json.loads(ok(server, "resolve_question", {"question": "MRR by région"}))
    assert answer["query"]["metrics"] == ["mrr"] and answer["query"]["group_by"] == ["customer__region"]
    too_long = error(server, "resolve_question", {"question": "mrr " * 600})
    assert "questions are limited to 2,000 characters" in too_long


def test_query_metrics_refuses_fan_out_unless_allowed(server: MCPServer) -> None:
    args = {"metrics": ["trial_starts"], "group_by": ["touchpoint__channel"]}
    assert "would count a row in several groups" in error(server, "query_metrics", args)
    text = ok(server, "query_metrics", {**args, "allow_overlap": True})
    assert "# overlapping groups: Overlapping groups" in text and "# true total:" in text
    assert "# trial_starts" in text
    explained = ok(server, "explain_query", {"query": {**args, "allow_overlap": True}})
    assert '"allow_overlap": true' in explained and "DISTINCT" in explained
