"""``Project.trending_metrics``: the real nightly learner's list, and nothing (never an error) without it."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from metricmind import Project
from metricmind.learn import memory as memory_module
from metricmind.project.nightlearn import mark_since
from metricmind.project.trending import TRENDING_CACHE, describe
from tests.trending.conftest import NIGHTS, copy_demo


def test_the_nightly_learners_list_with_its_figures(trended: Path) -> None:
    with Project.load(trended) as project:
        found = project.trending_metrics()
    assert [t["name"] for t in found] == ["invoice_revenue", "signups"]  # most used first
    revenue, signups = found
    assert revenue == {
        "name": "invoice_revenue",
        "uses": 4,
        "uses_before": 1,
        "ratio": 4.0,
        "new": False,
        "since": NIGHTS[0],  # trending at both nightlies: since the first
        "as_of": NIGHTS[1],
        "days": 7,
        "summary": "used 4 times this week, 1 the week before",
    }
    assert signups["uses"] == 3 and signups["uses_before"] == 0 and signups["new"]
    assert signups["ratio"] is None and signups["summary"] == "used 3 times this week, none the week before"


def test_the_list_is_read_once_a_minute_not_per_call(trended: Path) -> None:
    with Project.load(trended) as project:
        first = project.trending_metrics()
        stamp, _ = project.__dict__[TRENDING_CACHE]
        started = time.perf_counter()
        for _ in range(1000):
            assert project.trending_metrics() == first
        per_call_ms = time.perf_counter() - started  # 1000 calls, in seconds = ms per call
        assert project.__dict__[TRENDING_CACHE][0] == stamp  # not read again
        assert per_call_ms < 5  # a dict copy per call; a store read would be ~1 ms each
        assert project.trending_metrics(fresh=True) == first


def test_learning_off_shows_nothing(trended: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Project.load(trended) as project:
        assert project.trending_metrics()  # the nightly's list is there…
    monkeypatch.setenv("METRICMIND_LEARN_ENABLED", "off")  # …but learning is off
    with Project.load(trended) as project:
        assert project.trending_metrics() == []


def test_a_missing_store_reads_empty_and_is_not_created(
    demo_built: Path, tmp_path: Path, trend_env: None
) -> None:
    root = copy_demo(demo_built, tmp_path / "fresh")
    with Project.load(root) as project:
        assert project.trending_metrics() == []
        assert not (project.state_dir / "store.db").exists()


def test_a_corrupt_store_reads_empty_and_is_left_alone(
    trended: Path, tmp_path: Path, trend_env: None
) -> None:
    root = copy_demo(trended, tmp_path / "corrupt")
    state = root / ".metricmind"
    state.mkdir(exist_ok=True)
    (state / "store.db").write_bytes(b"this is not a database\n" * 100)
    with Project.load(root) as project:
        assert project.trending_metrics() == []
    assert (state / "store.db").read_bytes().startswith(b"this is not")  # not moved aside by a reader
    assert not list(state.glob("store.db.corrupt-*"))


def test_a_store_without_a_nightly_reads_empty(demo_built: Path, tmp_path: Path, trend_env: None) -> None:
    root = copy_demo(demo_built, tmp_path / "no-nightly")
    with Project.load(root) as project:
        project.memory.status()  # the store and its tables exist; no nightly has run
        assert project.trending_metrics(fresh=True) == []


def test_a_nightly_older_than_a_week_and_removed_metrics_are_not_shown(
    demo_built: Path, tmp_path: Path, trend_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_demo(demo_built, tmp_path / "old")
    hot = [
        {"name": "mrr", "recent": 5, "prior": 2, "growth": 1.5},
        {"name": "no_such_metric", "recent": 9, "prior": 0, "growth": None},
        {"recent": "bad"},
    ]
    with Project.load(root) as project:
        project.memory.save_checkpoint("trending", 0, {"as_of": "2026-06-30", "metrics": hot})
        assert [t["name"] for t in project.trending_metrics(fresh=True)] == ["mrr"]
        real_now = memory_module.now
        monkeypatch.setattr(memory_module, "now", lambda: real_now() - dt.timedelta(days=8))
        project.memory.save_checkpoint("trending", 0, {"as_of": "2026-06-22", "metrics": hot})
        assert project.trending_metrics(fresh=True) == []


def test_since_carries_over_an_unbroken_run_of_nightlies() -> None:
    hot = [{"name": "a", "recent": 3, "prior": 0}, {"name": "b", "recent": 5, "prior": 2}]
    first = mark_since(hot, None, "2026-12-01")
    assert [t["since"] for t in first] == ["2026-12-01", "2026-12-01"]
    later = mark_since(hot[1:], {"as_of": "2026-12-01", "metrics": first}, "2026-12-02")
    assert later[0]["since"] == "2026-12-01"
    again = mark_since(hot, {"as_of": "2026-12-02", "metrics": later}, "2026-12-03")
    assert [t["since"] for t in again] == ["2026-12-03", "2026-12-01"]  # a dropped out and came back
    old = mark_since(hot[:1], {"as_of": "2026-11-30", "metrics": [{"name": "a"}]}, "2026-12-01")
    assert old[0]["since"] == "2026-11-30"  # a checkpoint written before `since` existed


def test_describe() -> None:
    assert describe(14, 4) == "used 14 times this week, 4 the week before"
    assert describe(1, 0) == "used once this week, none the week before"


@pytest.mark.postgres
def test_on_a_postgresql_store(
    demo_built: Path, tmp_path: Path, trend_env: None, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from metricmind.project.nightlearn import learner_step
    from tests.trending.conftest import use

    monkeypatch.setenv("METRICMIND_STORE_URL", postgres_url)
    root = copy_demo(demo_built, tmp_path / "pg")
    with Project.load(root) as project:
        use(project, {"mrr": 3, "arr": 1})
        _, summary = learner_step(project, "2026-06-30")  # the real nightly learner, its store on PostgreSQL
        assert summary["trending"] == ["mrr"]
    with Project.load(root) as project:
        assert [(t["name"], t["uses"], t["new"], t["since"]) for t in project.trending_metrics()] == [
            ("mrr", 3, True, "2026-06-30")
        ]
        assert not (project.state_dir / "store.db").exists()


def test_an_unreachable_server_store_reads_empty_quickly(
    demo_built: Path, tmp_path: Path, trend_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("METRICMIND_STORE_URL", "postgresql://postgres@127.0.0.1:9/nothing")  # discard port
    root = copy_demo(demo_built, tmp_path / "down")
    with Project.load(root) as project:
        started = time.perf_counter()
        assert project.trending_metrics() == []
        assert project.trending_metrics() == []  # cached: the server is not asked again for a minute
        assert time.perf_counter() - started < 10
