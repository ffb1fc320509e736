"""Deprecations, YAML edits, settings, and `--dbt-build` after an approval."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from metricmind.interfaces.cli.app import app
from metricmind.knowledge.ingest import Entry, connect, persist
from metricmind.knowledge.yamledit import insert_list_item, set_meta_status
from metricmind.spec.loader import load
from metricmind.storage import default_url

runner = CliRunner()


def cli(*args: str) -> Any:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def executions(project: Path, metrics: list[str], days: int, end: dt.date) -> None:
    """Executions through the project (exact metrics) on each of ``days`` days up to ``end``."""
    engine = connect(default_url(project))
    batch = []
    for d in range(days):
        at = dt.datetime.combine(end - dt.timedelta(days=d), dt.time(9), dt.timezone.utc)
        for m in metrics:
            batch.append(
                Entry(
                    "metricmind",
                    f"{m}-{d}",
                    f"SELECT /* {m} */ 1",
                    "duckdb",
                    at,
                    metrics=(m,),
                    group_by=("metric_time__month",),
                )
            )
    persist(engine, batch)
    engine.dispose()


def test_deprecations_need_enough_history_and_respect_derived_metrics(project_dir: Path) -> None:
    p = str(project_dir)
    executions(project_dir, ["arr", "invoice_revenue"], days=40, end=dt.date(2026, 6, 30))
    short = cli("nightly", "--as-of", "2026-06-30", "-p", p)
    assert [
        x for x in short["proposals"] if x["kind"] == "deprecation"
    ] == []  # 40 days of log: too short to tell
    executions(project_dir, ["arr", "invoice_revenue"], days=100, end=dt.date(2026, 6, 30))
    summary = cli("nightly", "--as-of", "2026-06-30", "-p", p)
    deprecated = {x["name"]: x["id"] for x in summary["proposals"] if x["kind"] == "deprecation"}
    assert summary["history_days"] == 100
    assert "arr" not in deprecated and "invoice_revenue" not in deprecated
    assert "mrr" not in deprecated  # arr is built on mrr
    assert {"refunds", "touchpoints", "cac"} <= set(deprecated)
    approved = cli("proposals", "approve", deprecated["refunds"], "-p", p)
    assert approved["merged_into"] == "main"
    model = load(project_dir).model
    assert model.metrics["refunds"].meta["status"] == "deprecated"
    assert model.metrics["touchpoints"].meta.get("status") != "deprecated"
    again = cli("nightly", "--as-of", "2026-07-01", "-p", p)
    names = {x["name"] for x in again["proposals"] if x["kind"] == "deprecation"}
    assert "refunds" not in names and "touchpoints" in names


def test_settings_change_thresholds(
    project_dir: Path, month_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project_dir / "metricmind.yml").write_text(
        (project_dir / "metricmind.yml").read_text()
        + "knowledge:\n  min_calls: 13\n  branch_prefix: review/usage\n"
    )
    p = str(project_dir)
    cli("querylog", "ingest", "--file", str(month_log), "-p", p)
    summary = cli("nightly", "--as-of", "2026-06-30", "-p", p)
    assert {x["name"] for x in summary["proposals"]} == {
        "wire_billed_amount",
        "average_seats",
    }  # currency: 12 calls
    assert summary["branch"] == "review/usage-2026-06-30"
    monkeypatch.setenv("METRICMIND_KNOWLEDGE_MIN_CALLS", "16")
    assert {x["name"] for x in cli("nightly", "--as-of", "2026-06-30", "-p", p)["proposals"]} == {
        "wire_billed_amount"
    }


def test_approve_with_dbt_build(
    project_dir: Path, month_log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "dbt"
    fake.write_text(f"#!/bin/sh\necho \"$@\" > {tmp_path / 'dbt-called'}\necho 'Completed successfully'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("METRICMIND_DBT_EXECUTABLE", raising=False)
    monkeypatch.setenv("METRICMIND_DBT", str(fake))  # the dbt metricmind is set to use, as generated packages
    p = str(project_dir)
    cli("querylog", "ingest", "--file", str(month_log), "-p", p)
    found = cli("nightly", "--as-of", "2026-06-30", "-p", p)["proposals"]
    ids = [x["id"] for x in found if x["kind"] == "metric"]
    dim = next(x["id"] for x in found if x["kind"] == "dimension")
    result = cli("proposals", "approve", *ids, "--dbt-build", "-p", p)
    assert (tmp_path / "dbt-called").read_text().strip() == "build"
    assert result["dbt"]["returncode"] == 0
    assert {"wire_billed_amount", "average_seats"} <= set(load(project_dir).model.metrics)
    fake.write_text("#!/bin/sh\necho 'Database Error' >&2\nexit 1\n")
    failed = runner.invoke(app, ["proposals", "approve", dim, "--dbt-build", "-p", p])
    assert failed.exit_code == 2 and "dbt build failed" in failed.output and "Database Error" in failed.output
    assert "currency" in {d.name for d in load(project_dir).model.semantic_models["invoices"].dimensions}
    unknown = runner.invoke(app, ["proposals", "approve", "M-0000000", "-p", p])
    assert unknown.exit_code == 2 and "M-0000000" in unknown.output


def test_yaml_edits_keep_the_file_and_land_in_the_right_block() -> None:
    text = (
        "semantic_models:\n"
        "  - name: a  # first\n"
        "    model: ref('a')\n"
        "    measures:\n"
        "      - name: x\n"
        "        agg: sum\n"
        "\n"
        "    dimensions:\n"
        "      - name: d\n"
        "        type: categorical\n"
        "  - name: b\n"
        "    model: ref('b')\n"
        "metrics:\n"
        "  - name: m\n"
        "    type: simple\n"
        "    config:\n"
        "      meta:\n"
        "        owner: me\n"
        "        status: certified\n"
        "  - name: n\n"
        "    type: simple\n"
    )
    with pytest.raises(Exception, match="cannot find"):
        insert_list_item(text, "zzz", None, "measures", {"name": "y"})
    out = insert_list_item(text, "a", 2, "measures", {"name": "y", "agg": "max", "expr": "v"})
    out = insert_list_item(out, "b", None, "dimensions", {"name": "e", "type": "categorical"})
    out = set_meta_status(out, "m", None, "deprecated")
    out = set_meta_status(out, "n", None, "deprecated")
    data = yaml.safe_load(out)
    a, b = data["semantic_models"]
    assert [m["name"] for m in a["measures"]] == ["x", "y"] and a["measures"][1] == {
        "name": "y",
        "agg": "max",
        "expr": "v",
    }
    assert [d["name"] for d in a["dimensions"]] == ["d"]
    assert b["dimensions"] == [{"name": "e", "type": "categorical"}]
    assert data["metrics"][0]["config"]["meta"] == {"owner": "me", "status": "deprecated"}
    assert data["metrics"][1]["config"]["meta"] == {"status": "deprecated"}
    assert "  - name: a  # first" in out  # comments and layout are kept


def test_popularity_and_trending(project_dir: Path) -> None:
    engine = connect(default_url(project_dir))
    end = dt.date(2026, 6, 30)
    batch = []
    for d in range(14):
        day = end - dt.timedelta(days=d)
        at = dt.datetime.combine(day, dt.time(9), dt.timezone.utc)
        plan = {"mrr": 3, "events": 5 if d < 7 else 1, "cac": 2 if d < 7 else 0}
        for metric, n in plan.items():
            for i in range(n):
                batch.append(
                    Entry(
                        "metricmind",
                        f"{metric}-{d}-{i}",
                        f"SELECT /* {metric} */ 1",
                        "duckdb",
                        at,
                        metrics=(metric,),
                        group_by=(),
                    )
                )
    persist(engine, batch)
    engine.dispose()
    summary = cli("nightly", "--as-of", end.isoformat(), "-p", str(project_dir))
    assert [(m["name"], m["uses"]) for m in summary["popular"]["metrics"]] == [
        ("events", 42),
        ("mrr", 42),
        ("cac", 14),
    ]
    assert summary["trending"] == [
        {"name": "cac", "recent": 14, "prior": 0, "growth": None},
        {"name": "events", "recent": 35, "prior": 7, "growth": 4.0},
    ]


def test_a_filter_value_that_varies_is_not_part_of_the_proposal(project_dir: Path) -> None:
    engine = connect(default_url(project_dir))
    sql = (
        "SELECT date_trunc('month', issued_at), MAX(amount) FROM fct_invoices_canonical "
        "WHERE payment_method = '{pm}' AND issued_at >= DATE '2026-06-{d:02d}' GROUP BY 1"
    )
    at = dt.datetime(2026, 6, 20, 9, tzinfo=dt.timezone.utc)
    batch = [Entry("log", f"w{d}", sql.format(pm="wire", d=d), "duckdb", at, user="ann") for d in range(1, 9)]
    batch += [
        Entry("log", f"c{d}", sql.format(pm="card", d=d), "duckdb", at, user="bob") for d in range(1, 5)
    ]
    persist(engine, batch[:8])
    cli("graph", "update", "-p", str(project_dir))  # the first texts (and samples) all say 'wire'
    persist(engine, batch[8:])
    engine.dispose()
    summary = cli("nightly", "--as-of", "2026-06-30", "-p", str(project_dir))
    (only,) = summary["proposals"]
    shown = cli("proposals", "show", only["id"], "-p", str(project_dir))
    assert shown["name"] == "max_amount" and shown["payload"]["evidence"]["filters"] == []
    assert shown["payload"]["evidence"]["calls"] == 12
