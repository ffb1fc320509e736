"""``metricmind define`` as a person runs it: JSON proposal, --write through the catalog, refusals."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

RULES = [
    "-r",
    "Exclude trial subscriptions",
    "-r",
    "Only count active and past_due status",
    "-r",
    "Convert annual contracts to monthly equivalent",
]


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "metricmind", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "METRICMIND_TOKEN": ""},
        timeout=120,
    )


def git_copy(src: Path, root: Path) -> Path:
    """A copy of the demo in a git repository of its own (``--write`` puts packages on a review branch)."""
    shutil.copytree(src, root)
    (root / ".gitignore").write_text("target/\n.metricmind/\nlogs/\n", encoding="utf-8")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "demo"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)
    return root


def test_json_proposal_has_reasons_rules_and_preview_sql(define_demo: Path) -> None:
    out = cli(
        "define",
        "subscription_value",
        "-d",
        "Total value of active subscriptions per month",
        *RULES,
        "--json",
        "-p",
        str(define_demo),
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["refused"] is None and data["unread"] == []
    assert data["similar"][0]["name"] == "mrr" and "reuse it?" in data["similar"][0]["reason"]
    assert {r["status"] for r in data["rules"]} == {"covered"}
    assert "metric_time__month" in data["preview_sql"] and data["metric"]["type_params"] == {"measure": "mrr"}
    assert "name: subscription_value" in data["yaml"]
    files = {f["path"]: f["text"] for f in data["package"]["files"]}
    assert "name: subscription_value" in files["models/metrics/subscription_value.yml"]
    assert any(p.startswith("tests/generated/subscription_value/") for p in files)
    assert data["package"]["selection"] and data["package"]["checks"]


def test_write_saves_a_draft_change_and_bad_input_writes_nothing(define_demo: Path, tmp_path: Path) -> None:
    root = git_copy(define_demo, tmp_path / "demo")
    assert cli("users", "add", "ada", "--role", "editor", "-p", str(root)).returncode == 0
    before = json.loads(cli("catalog", "status", "--json", "-p", str(root)).stdout)["changes"]
    bad = cli(
        "define", "web_events", "-d", "Events {{ env_var('X') }}", "--write", "-u", "ada", "-p", str(root)
    )
    assert bad.returncode == 1 and "bad_input" in bad.stderr and "Nothing was written" in bad.stderr
    unread = cli(
        "define",
        "odd_events",
        "-d",
        "Number of product events",
        "-r",
        "Weighted by the phase of the moon",
        "--write",
        "-u",
        "ada",
        "-p",
        str(root),
    )
    assert unread.returncode == 1 and "could not be read" in unread.stderr
    assert json.loads(cli("catalog", "status", "--json", "-p", str(root)).stdout)["changes"] == before
    ok = cli(
        "define",
        "web_events",
        "-d",
        "Number of product events",
        "-r",
        "Only the web platform",
        "--write",
        "-u",
        "ada",
        "-p",
        str(root),
        "--json",
    )
    assert ok.returncode == 0, ok.stderr
    change = json.loads(ok.stdout)["change"]
    assert change["name"] == "web_events" and change["state"] == "draft" and change["author"] == "ada"
    assert "event__platform" in change["yaml"]
    data = json.loads(ok.stdout)
    assert data["branch"] == "metricmind/define/web_events" and data["build"] is None
    listed = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", data["branch"]], cwd=root, capture_output=True, text=True
    ).stdout.split()
    assert "models/metrics/web_events.yml" in listed
    assert not (root / "models/metrics/web_events.yml").exists()


def test_write_build_runs_dbt_and_build_alone_is_refused(
    define_demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dbt: str
) -> None:
    root = git_copy(define_demo, tmp_path / "demo")
    assert cli("users", "add", "ada", "--role", "editor", "-p", str(root)).returncode == 0
    args = ["define", "subscription_value", "-d", "Total value of active subscriptions per month", *RULES]
    alone = cli(*args, "--build", "-p", str(root))
    assert alone.returncode == 2 and "--build needs --write" in alone.stderr
    monkeypatch.setenv("METRICMIND_DBT", dbt)
    out = cli(*args, "--write", "--build", "-u", "ada", "-p", str(root))
    assert out.returncode == 0, out.stderr
    assert "saved as draft change" in out.stdout and "dbt build passed" in out.stdout
    assert "test   subscription_value_in_range" in out.stdout
