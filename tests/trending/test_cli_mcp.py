"""Trending metrics in ``metricmind list metrics`` (the real command) and MCP ``list_metrics`` (the
SDK's in-memory client)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from metricmind import Project
from metricmind.interfaces.mcpserver.server import build_server
from tests.mcp.helpers import ok
from tests.trending.conftest import NIGHTS, copy_demo, metricmind

TRENDING = {"invoice_revenue", "signups"}


def table_rows(out: str) -> dict[str, str]:
    """Each metric's line of the table, by name."""
    return {line.split()[0]: line for line in out.splitlines()[2:] if line.strip() and line[0] != "("}


def test_list_metrics_marks_trending_ones(trended: Path) -> None:
    done = metricmind("list", "metrics", "-p", str(trended))
    assert done.returncode == 0, done.stderr
    header = done.stdout.splitlines()[0].split()
    assert header[-1] == "trending"
    lines = table_rows(done.stdout)
    assert lines["invoice_revenue"].rstrip().endswith("▲ 4 (1 before)")
    assert lines["signups"].rstrip().endswith("▲ 3 (new)")
    assert "▲" not in lines["mrr"] and "▲" not in lines["arr"]


def test_list_metrics_json_and_filter(trended: Path) -> None:
    done = metricmind("list", "metrics", "--json", "-p", str(trended))
    assert done.returncode == 0, done.stderr
    listed = {m["name"]: m for m in json.loads(done.stdout)}
    assert listed["invoice_revenue"]["trending"]["uses"] == 4
    assert listed["invoice_revenue"]["trending"]["since"] == NIGHTS[0]
    assert listed["signups"]["trending"]["new"] is True and listed["mrr"]["trending"] is None
    only = metricmind("list", "metrics", "--trending", "--json", "-p", str(trended))
    assert {m["name"] for m in json.loads(only.stdout)} == TRENDING
    table = metricmind("list", "metrics", "--trending", "-p", str(trended))
    assert set(table_rows(table.stdout)) == TRENDING
    wrong = metricmind("list", "dimensions", "--trending", "-p", str(trended))
    assert wrong.returncode != 0 and "--trending lists metrics only" in wrong.stderr


def test_list_metrics_without_a_store(trended: Path, tmp_path: Path, trend_env: None) -> None:
    root = copy_demo(trended, tmp_path / "bare")
    done = metricmind("list", "metrics", "-p", str(root))
    assert done.returncode == 0, done.stderr
    assert "trending" not in done.stdout.splitlines()[0] and "▲" not in done.stdout
    assert not (root / ".metricmind" / "store.db").exists()
    none = metricmind("list", "metrics", "--trending", "-p", str(root))
    assert none.returncode == 0 and "No metric is trending" in none.stdout
    assert json.loads(metricmind("list", "metrics", "--trending", "--json", "-p", str(root)).stdout) == []


def parse(text: str) -> tuple[list[str], list[dict[str, str]], list[str]]:
    lines = text.splitlines()
    notes = [line for line in lines if line.startswith("# ")]
    rows = list(csv.DictReader(io.StringIO("\n".join(line for line in lines if not line.startswith("# ")))))
    return lines[0].split(","), rows, notes


def test_mcp_list_metrics_carries_trending(trended: Path) -> None:
    with Project.load(trended) as project:
        server = build_server(project)
        header, rows, _ = parse(ok(server, "list_metrics"))
        assert "trending" in header
        by_name = {r["name"]: r for r in rows}
        assert by_name["invoice_revenue"]["trending"] == "used 4 times this week, 1 the week before"
        assert by_name["signups"]["trending"] == "used 3 times this week, none the week before"
        assert by_name["mrr"]["trending"] == ""
        _, only, _ = parse(ok(server, "list_metrics", {"trending": True}))
        assert [r["name"] for r in only] == ["invoice_revenue", "signups"]  # most used first
        _, revenue, notes = parse(ok(server, "list_metrics", {"trending": "true", "category": "Marketing"}))
        assert revenue == [] and notes == [
            "# no metric is trending this week (the nightly learner marks them)"
        ]


def test_mcp_list_metrics_with_a_corrupt_store(trended: Path, tmp_path: Path, trend_env: None) -> None:
    root = copy_demo(trended, tmp_path / "corrupt")
    (root / ".metricmind").mkdir()
    (root / ".metricmind" / "store.db").write_bytes(b"not a database " * 100)
    with Project.load(root) as project:
        server = build_server(project)
        _, rows, _ = parse(ok(server, "list_metrics"))
        assert rows and all(r["trending"] == "" for r in rows)
        _, only, _ = parse(ok(server, "list_metrics", {"trending": True}))
        assert only == []
