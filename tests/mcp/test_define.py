"""define_metric: a metric drafted from a conversation, read-only by default; save=true needs an editor's
token and writes a draft change only (never the YAML). Through the SDK's in-memory client, on the demo."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from metricmind.interfaces.mcpserver.server import build_server
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.testing.dbt import SETUP_HINT, dbt_for_tests
from tests.conftest import in_ci
from tests.mcp.helpers import error, ok

MRR = {
    "name": "subscription_value",
    "definition": "Total value of active subscriptions per month",
    "rules": [
        "Exclude trial subscriptions",
        "Only count active and past_due status",
        "Convert annual contracts to monthly equivalent",
    ],
}
PLATINUM = {
    "name": "platinum_mrr",
    "definition": "Monthly recurring revenue",
    "rules": ["Only the Platinum plan"],
}


def token(project: Project, name: str, role: str) -> str:
    return str(project.catalog.add_user(name, role))


def yaml_files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text()
        for p in sorted(root.rglob("*.yml"))
        if ".metricmind" not in p.parts
    }


def test_the_proposal_reads_every_rule_and_its_sql_is_mrr(demo: Project) -> None:
    server = build_server(demo)
    answer = json.loads(ok(server, "define_metric", MRR))
    assert answer["refused"] is None and answer["saved"] is None
    assert answer["rules_read"] == MRR["rules"] and answer["rules_unread"] == []
    assert all(r["reason"] and 0 < r["confidence"] <= 1 for r in answer["rules"])
    top = answer["similar"][0]
    assert top["name"] == "mrr" and top["status"] == "certified" and "reuse it?" in top["reason"]
    assert answer["measure"]["name"] == "mrr" and answer["time_dimension"]["name"] == "month_start"
    assert answer["metric"]["name"] == "subscription_value" and "name: subscription_value" in answer["yaml"]
    ran = demo.warehouse.run(answer["preview_sql"])
    mrr = demo.run(MetricQuery.build("mrr", ["metric_time__month"], order_by=["metric_time__month"]))
    assert [list(r) for r in ran.rows] == [list(r) for r in mrr.rows] and len(ran.rows) >= 24
    as_lines = json.loads(ok(server, "define_metric", {**MRR, "rules": "\n".join(MRR["rules"])}))
    as_json = json.loads(ok(server, "define_metric", {**MRR, "rules": json.dumps(MRR["rules"])}))
    assert as_lines["rules"] == as_json["rules"] == answer["rules"]
    assert "models/metrics/subscription_value.yml" in answer["package"]["files"]  # what save would write
    assert {t["name"] for t in answer["package"]["tests"]} >= {"subscription_value_not_null"}


def test_refusals_name_the_nearest_value_and_the_closest_metrics(demo: Project) -> None:
    server = build_server(demo)
    platinum = json.loads(ok(server, "define_metric", PLATINUM))
    assert platinum["refused"] == "unknown_value" and "'Pro'" in platinum["message"]
    assert (
        platinum["metric"] is None
        and platinum["preview_sql"] is None
        and "mrr" in platinum["closest_metrics"]
    )
    nothing = json.loads(
        ok(server, "define_metric", {"name": "nps", "definition": "Net Promoter Score of koalas"})
    )
    assert nothing["refused"] == "no_data" and nothing["closest_metrics"]
    filtered = json.loads(
        ok(
            server,
            "define_metric",
            {"name": "emea", "definition": "MRR", "rules": "EMEA only\nWeird thing about the moon"},
        )
    )
    assert filtered["rules_unread"] == ["Weird thing about the moon"]
    assert "{{ Dimension('customer__region') }} = 'EMEA'" in filtered["metric"]["filter"]


def test_save_needs_an_editor_token_and_writes_a_draft(demo_copy: Path) -> None:
    before = yaml_files(demo_copy)
    with Project.load(demo_copy) as project:
        no_git = build_server(project, token=token(project, "gil", "editor"))
        assert "not in a git repository" in error(
            no_git, "define_metric", {**MRR, "save": True, "build": True}
        )
        viewer = build_server(project, token=token(project, "vera", "viewer"))
        refused = error(viewer, "define_metric", {**MRR, "save": True})
        assert "viewer" in refused and "needs an editor" in refused and "nothing was written" in refused
        anonymous = error(build_server(project), "define_metric", {**MRR, "save": True})
        assert "no token" in anonymous
        editor_token = token(project, "ed", "editor")
        quiet = build_server(project, token=editor_token, feedback=False)
        assert "no tool writes" in error(quiet, "define_metric", {**MRR, "save": True})
        assert json.loads(ok(quiet, "define_metric", MRR))["saved"] is None  # reading still works
        editor = build_server(project, token=editor_token)
        assert "unknown_value" in error(editor, "define_metric", {**PLATINUM, "save": True})
        unread = {
            "name": "emea",
            "definition": "MRR",
            "rules": ["EMEA only", "Weird thing about the moon"],
            "save": True,
        }
        assert "could not be read" in error(editor, "define_metric", unread)
        doubtful = {"name": "collected_doubt", "definition": "Money collected from paid invoices each month"}
        doubt = error(editor, "define_metric", {**doubtful, "save": True})
        assert "(doubt)" in doubt and "confirm=true" in doubt
        assert project.catalog.changes() == []
        saved = json.loads(ok(editor, "define_metric", {**MRR, "save": True}))
        assert saved["saved"]["state"] == "draft" and saved["saved"]["author"] == "ed"
        assert saved["saved"]["branch"] is None and "not in git" in saved["saved"]["note"]
        changes: list[dict[str, Any]] = project.catalog.changes()
        assert [(c["name"], c["state"], c["author"]) for c in changes] == [
            ("subscription_value", "draft", "ed")
        ]
        assert changes[0]["id"] == saved["saved"]["change"]
        sure = json.loads(ok(editor, "define_metric", {**doubtful, "save": True, "confirm": True}))
        assert sure["saved"]["state"] == "draft" and sure["rules_unread"] == []
        assert sure["doubts"][-1] == "confirmed by ed after reading the doubts"
    assert yaml_files(demo_copy) == before  # a draft: nothing published


def test_the_tool_says_it_may_write(demo: Project) -> None:
    async def go() -> Any:
        async with Client(build_server(demo)) as client:
            return next(t for t in (await client.list_tools()).tools if t.name == "define_metric")

    tool = anyio.run(go)
    assert tool.annotations.read_only_hint is False and tool.annotations.destructive_hint is False
    assert "Args:" in tool.description and "\n            " not in tool.description
    assert set(tool.input_schema["properties"]) == {"name", "definition", "rules", "save", "build", "confirm"}


def test_in_git_save_puts_the_package_on_a_review_branch(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@x",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@x",
    }

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=demo_copy, capture_output=True, text=True, check=True, env=env
        ).stdout.strip()

    (demo_copy / ".gitignore").write_text("target/\n.metricmind/\nlogs/\nmetricmind/\n")
    for args in (("init", "-q", "-b", "main"), ("add", "-A"), ("commit", "-q", "-m", "demo")):
        git(*args)
    head = git("rev-parse", "HEAD")
    with Project.load(demo_copy) as project:
        editor = build_server(project, token=token(project, "ed", "editor"))
        assert "needs save=true" in error(editor, "define_metric", {**MRR, "build": True})
        saved = json.loads(ok(editor, "define_metric", {**MRR, "save": True}))["saved"]
        assert saved["build"] is None  # dbt builds it on approval
        assert saved["branch"] == "metricmind/define/subscription_value" and saved["state"] == "draft"
        files = git("ls-tree", "-r", "--name-only", saved["branch"]).splitlines()
        assert "models/metrics/subscription_value.yml" in files and any(f.startswith("tests/") for f in files)
        assert [c["name"] for c in project.catalog.changes()] == ["subscription_value"]
        dbt = dbt_for_tests()
        if dbt is not None or in_ci():
            assert dbt is not None, f"dbt is missing: {SETUP_HINT}"
            monkeypatch.setenv("METRICMIND_DBT", dbt)
            emea = {
                "name": "emea_mrr",
                "definition": "MRR",
                "rules": ["EMEA only"],
                "save": True,
                "build": True,
            }
            built = json.loads(ok(editor, "define_metric", emea))["saved"]
            assert (
                built["build"]["ok"]
                and built["build"]["failed"] == []
                and built["branch"].endswith("emea_mrr")
            )
    assert git("rev-parse", "HEAD") == head and git("status", "--porcelain") == ""
