"""The monitor: ``learn status`` sections, the learning curve (CLI image, /api/learn, /learn in Chromium)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from metricmind.interfaces.cli.app import app as cli_app
from metricmind.interfaces.cli.commands_learn import FIGURES, status_lines
from metricmind.interfaces.web import learn as web_learn
from metricmind.interfaces.web.app import create_app
from metricmind.learn.monitor import curve
from metricmind.project import Project
from metricmind.project.learning import ARMS, enabled
from metricmind.spec.query import MetricQuery
from tests.learn.conftest import AS_OF
from tests.web.browser import chromium, running, shoot

runner = CliRunner()
QUERIES = [
    MetricQuery.build(["mrr"], ["customer__segment"]),
    MetricQuery.build(["invoice_revenue"], ["metric_time__month"]),
    MetricQuery.build(["active_customers"], ["customer__region"]),
    MetricQuery.build(["new_customers"]),
]
RUNS = 60


@pytest.fixture
def used(demo_copy: Path) -> Iterator[Project]:
    """The demo (learning on) after 60 queries and a few questions, every one an episode."""
    with Project.load(demo_copy) as project:
        assert enabled(project)  # the demo shows a learning system
        project.remember()
        plain = {q: project._run_plain(q).rows for q in QUERIES}
        for i in range(RUNS):
            query = QUERIES[i % len(QUERIES)]
            assert project.run(query, user="ann", source="test").rows == plain[query]  # no wrong numbers
        for question in ("MRR by region last quarter", "what is our NPS"):
            project.ask(question, as_of=dt.date.fromisoformat(AS_OF), user="ann")
        project.learner.flush()
        yield project


def served_by(project: Project) -> list[dict[str, Any]]:
    """The arms that served the learned path's queries in this process, as ``episode_arms`` lists them."""
    pulls = Counter(
        e["action"]["arm"] for e in project.memory.episodes(limit=1000) if e["reward"] is not None
    )
    assert sum(pulls.values()) == RUNS and set(pulls) <= set(ARMS)
    return sorted(
        ({"arm": a, "pulls": n} for a, n in pulls.items()), key=lambda s: (-int(s["pulls"]), s["arm"])
    )


def test_status_sections_and_the_curve_image(used: Project, tmp_path: Path) -> None:
    root = str(used.root)
    out = runner.invoke(cli_app, ["learn", "status", "--json", "--project", root])
    assert out.exit_code == 0, out.output
    status = json.loads(out.output)
    assert status["episodes"] == RUNS + 2
    arms = status["episode_arms"]
    assert [{"arm": a["arm"], "pulls": a["pulls"]} for a in arms] == served_by(used)
    # how the learner served the runs is what the memory recorded (repeats come from the cache)
    assert status["served"] == {k: v for k, v in used.learner.stats()["served"].items() if v}
    assert status["cache_hit_rate"] == round(status["served"].get("cache", 0) / RUNS, 4)
    assert status["banned"] == []
    # fewer than 100 rewarded episodes: the early and the recent window are the same episodes
    mean = sum(a["pulls"] * a["mean_reward"] for a in arms) / RUNS
    assert status["reward_early"] == status["reward_recent"] == pytest.approx(mean, abs=1e-2)
    assert status["improvement_pct"] == 0
    sim = status["simulator"]
    assert sim["episodes"] == 2000 and 0.9 <= sim["share_of_oracle"] <= 1 and 0 < sim["regret"]
    assert {"served", "cache_hit_rate", "banned", "rollups", "trending", "arms"} <= set(status)
    # the text shows every figure of the JSON: counts, rewards early vs recent, improvement, hit rates,
    # how requests were served, each arm's pulls and mean reward, the simulator's regret
    full = "\n".join(status_lines(status))
    for key, label in FIGURES:
        assert f"{label}: {'-' if status[key] is None else status[key]}" in full, key
    for name, count in status["served"].items():
        assert f"{name} {count}" in full
    for table in ("arms", "episode_arms"):
        assert status[table], table
        for arm in status[table]:
            mean = (
                "" if arm["mean_reward"] is None else rf"\s+{arm['mean_reward']:,.4f}".rstrip("0").rstrip(".")
            )
            assert re.search(rf"{re.escape(arm['arm'])}\s+{arm['pulls']}{mean}\n", full), arm
    for key in ("share_of_oracle", "regret", "regret_at_half", "recovery_episodes_after_drift"):
        assert f"{key}: {sim[key]}" in full
    text = runner.invoke(cli_app, ["learn", "status", "--no-simulate", "--project", root]).output
    again = json.loads(
        runner.invoke(cli_app, ["learn", "status", "--no-simulate", "--json", "--project", root]).output
    )
    assert text.rstrip("\n") == "\n".join(status_lines(again))
    assert "episode_arms:" in text and "simulator:" not in text and arms[0]["arm"] in text
    for suffix, magic in (("svg", b"<?xml"), ("png", b"\x89PNG\r\n\x1a\n")):
        target = tmp_path / f"curve.{suffix}"
        done = runner.invoke(cli_app, ["learn", "curve", "--out", str(target), "--project", root, "--json"])
        assert done.exit_code == 0, done.output
        assert json.loads(done.output)["episodes"] == RUNS
        assert target.read_bytes().startswith(magic)
    assert b"moving average (50)" in (tmp_path / "curve.svg").read_bytes()
    bad = runner.invoke(cli_app, ["learn", "curve", "--out", str(tmp_path / "c.gif"), "--project", root])
    assert bad.exit_code == 2 and "neither .svg nor .png" in bad.output


def test_curve_is_the_rewards_and_their_moving_average(used: Project) -> None:
    rewards = [e["reward"] for e in reversed(used.memory.episodes(limit=1000)) if e["reward"] is not None]
    data = curve(used.memory, window=7)
    assert data["episodes"] == len(rewards) == RUNS and data["reward"] == rewards
    expected = [np.mean(rewards[max(0, i - 6) : i + 1]) for i in range(len(rewards))]
    assert np.allclose(data["moving_average"], expected, atol=1e-3)
    buckets = curve(used.memory, window=7, points=10)  # long histories are averaged into buckets
    assert len(buckets["episode"]) == 10 and buckets["episode"][-1] == RUNS
    assert np.isclose(buckets["reward"][0], np.mean(rewards[:6]), atol=1e-3)


def test_learn_json_and_downloads(used: Project) -> None:
    client = TestClient(create_app(used), base_url="http://localhost")
    data = client.get("/api/learn?window=10").json()
    assert data["status"]["episodes"] == RUNS + 2 and "simulator" not in data["status"]
    assert data["curve"]["episodes"] == RUNS and len(data["curve"]["moving_average"]) == RUNS
    assert "simulator" in client.get("/api/learn?simulate=true").json()["status"]
    page = client.get("/learn?format=json").json()
    assert sum(a["pulls"] for a in page["tables"]["episode_arms"]) == RUNS
    svg = client.get("/learn/curve.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml") and svg.content.startswith(b"<?xml")
    assert "learning-curve.svg" in svg.headers["content-disposition"]
    assert client.get("/learn/curve.png").content.startswith(b"\x89PNG")
    assert client.get("/learn/curve.gif").status_code == 404


def test_learn_page_in_chromium(used: Project, tmp_path: Path) -> None:
    with chromium() as browser, running(create_app(used)) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page.goto(f"{base}/learn")
        page.wait_for_selector("#learn-chart[data-rendered='custom'][data-series='2']")
        assert page.locator("#learn-chart svg path").count() >= 2  # both lines drawn by ECharts
        assert page.inner_text("#learn-curve h2").startswith("Learning curve")
        rows = page.locator("#learn-episode-arms tbody tr")
        expected = served_by(used)
        assert rows.count() == len(expected)
        for n, arm in enumerate(expected):
            assert arm["arm"] in rows.nth(n).inner_text() and str(arm["pulls"]) in rows.nth(n).inner_text()
        assert page.inner_text("#learn-figures dd[data-key='episodes']") == str(RUNS + 2)
        with page.expect_download() as info:
            page.click("#curve-svg")
        saved = tmp_path / "downloaded.svg"
        info.value.save_as(saved)
        assert saved.read_bytes().startswith(b"<?xml")
        shoot(page, "learn")
        page.click("#with-simulator")
        page.wait_for_selector("#learn-simulator")
        assert "share of oracle" in page.inner_text("#learn-simulator")


def test_every_learn_route_is_documented() -> None:
    text = (Path(__file__).parents[2] / "docs" / "web.md").read_text()
    for r in web_learn.api_router.routes:
        assert f"GET {getattr(r, 'path', '')}" in text
    for r in web_learn.router.routes:
        assert f"`{getattr(r, 'path', '')}" in text
