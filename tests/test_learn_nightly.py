"""The nightly learner inside ``metricmind nightly``: skills, trending metrics, rollups, reviewable
templates/dashboards/rollups; and concurrent learned queries lose no episode."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from metricmind import MetricQuery, Project
from metricmind.project.rollups import data_version

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def cli(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "metricmind", *args, "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def repo(demo_built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "project"
    shutil.copytree(demo_built, target, ignore=shutil.ignore_patterns(".metricmind"))
    (target / ".gitignore").write_text(".metricmind/\ntarget/\n")
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "demo project")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.delenv("METRICMIND_STORE_URL", raising=False)
    monkeypatch.setenv("METRICMIND_LEARN_ENABLED", "on")
    return target


def test_the_nightly_learner_builds_rollups_and_proposes_templates(repo: Path) -> None:
    monthly = MetricQuery.build("invoice_revenue", ["metric_time__month", "customer__segment"])
    weekly = MetricQuery.build("invoice_revenue", "metric_time__week")
    signups = MetricQuery.build("signups", "metric_time__month")
    with Project.load(repo) as project:
        for query, times in ((monthly, 4), (weekly, 3), (signups, 3)):
            for _ in range(times):
                project.run(query, user="ann")
    summary = cli("nightly", "--as-of", "2026-06-30", "--no-announce", "-p", str(repo))
    learned = summary["learn"]
    assert learned["skills"] == 3
    assert "invoice_revenue" in learned["trending"]
    assert len(learned["rollups"]["built"]) == 2  # invoice_revenue by day × segment; signups by day
    kinds = {p["kind"] for p in summary["proposals"]}
    assert {"template", "dashboard", "rollup"} <= kinds
    proposal = git(repo, "show", f"{summary['branch']}:PROPOSAL.md")
    assert "## Query templates (learned)" in proposal and "## Rollups to materialize (learned)" in proposal
    # a reviewed template lands as a saved query the project loads
    template = next(p for p in summary["proposals"] if p["kind"] == "template")
    cli("proposals", "approve", template["id"], "--by", "bob", "-p", str(repo))
    with Project.load(repo) as project:
        assert template["name"] in project.model.saved_queries
        # the rollups serve the next queries (and a coarser one), equal to the plain plan
        learner = project.learner
        yearly = MetricQuery.build("invoice_revenue", "metric_time__year")
        found = learner.rollups.find(project, yearly, data_version(project))
        assert found is not None
        assert learner.rollups.run(found[1]).rows == project._run_plain(yearly).rows
        status = cli("learn", "status", "-p", str(repo))
    assert status["rollups"] == 2 and status["rollups_stale"] == 0
    assert status["served"] and status["cache_hit_rate"] is not None
    # trending metrics with their counts: 7 uses this week (4 monthly + 3 weekly), none before; the text too
    trend = {t["name"]: t for t in status["trending"]}
    assert trend["invoice_revenue"]["uses"] == 7 and trend["invoice_revenue"]["uses_before"] == 0
    assert trend["signups"]["uses"] == 3
    text = subprocess.run(
        [sys.executable, "-m", "metricmind", "learn", "status", "--no-simulate", "-p", str(repo)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "invoice_revenue (7 uses, none the week before)" in text and "signups (3 uses" in text


def _worker(root: str, n: int) -> None:
    os.environ["METRICMIND_LEARN_ENABLED"] = "on"
    with Project.load(root) as project:
        for i in range(n):
            project.run(MetricQuery.build("signups", "metric_time__month" if i % 2 else "metric_time__year"))


def test_concurrent_learned_queries_lose_no_episode(repo: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_worker, args=(str(repo), 25)) for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    with Project.load(repo) as project:
        assert project.memory.status()["episodes"] == 75
