"""The memory store: episodes, skills only from confirmed outcomes, reflexion notes, search, recovery."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest

from metricmind.errors import StoreError
from metricmind.learn.memory import Episode, Memory
from metricmind.learn.similarity import LexicalIndex


@pytest.fixture(params=["sqlite", "postgres"])
def memory(request: pytest.FixtureRequest, tmp_path: Path) -> Memory:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    mem = Memory.open(url)
    yield mem
    mem.close()


def ep(question: str, pattern: str, **kw: object) -> Episode:
    return Episode(success=kw.pop("success", True), question=question, pattern=pattern, **kw)  # type: ignore[arg-type]


def test_skills_only_from_confirmed_outcomes(memory: Memory) -> None:
    first = memory.record(ep("revenue by month", "revenue|metric_time__month", elapsed_ms=12.0, reward=17))
    assert memory.skills() == []  # one unconfirmed success is not a skill
    memory.feedback(first, "thumbs_up")
    skills = memory.skills()
    assert [s["pattern"] for s in skills] == ["revenue|metric_time__month"]
    assert skills[0]["success_rate"] == 1.0 and skills[0]["avg_ms"] == 12.0
    # a failed run thumbed up does not make a skill
    failed = memory.record(ep("churn by plan", "churn|plan", success=False, error="boom"))
    memory.feedback(failed, "approved")
    assert len(memory.skills()) == 1
    # three plain successes consolidate; a corrected pattern never does
    for _ in range(3):
        memory.record(ep("mrr by quarter", "mrr|metric_time__quarter", elapsed_ms=5.0))
        bad = memory.record(ep("signups by region", "signups|region", elapsed_ms=5.0))
    memory.feedback(bad, "corrected", fix="signups by customer__region", user="ann")
    assert memory.consolidate(min_successes=3) == 1
    assert sorted(s["pattern"] for s in memory.skills()) == [
        "mrr|metric_time__quarter",
        "revenue|metric_time__month",
    ]
    # correcting a confirmed pattern removes its skill
    memory.feedback(first, "corrected")
    assert [s["pattern"] for s in memory.skills()] == ["mrr|metric_time__quarter"]


def test_reflexion_notes_author_first_everyone_after_review(memory: Memory) -> None:
    bad = memory.record(ep("signups by region", "signups|region", reading="signups by country"))
    memory.feedback(bad, "corrected", fix="signups by customer__region", user="ann")
    assert [n["fix"] for n in memory.notes_for("signup numbers per region", user="ann")] == [
        "signups by customer__region"
    ]
    assert memory.notes_for("signup numbers per region", user="bob") == []
    note = memory.notes_for("signups by region", user="ann")[0]
    with pytest.raises(StoreError, match="cannot review"):
        memory.review_note(int(note["id"]), "ann")
    memory.review_note(int(note["id"]), "bob")
    assert memory.notes_for("region signups", user="bob")[0]["wrong"] == "signups by country"


def test_search_episodes_and_skills(memory: Memory) -> None:
    for q, p in [
        ("revenue by month", "r|m"),
        ("monthly active users", "au|m"),
        ("churned customers by plan", "cc|p"),
    ]:
        memory.feedback(memory.record(ep(q, p)), "approved")
    hits = memory.search("revenue per months", kind="skills", k=2)
    assert hits[0].text == "revenue by month"
    memory.record(ep("customers who churned per plan", "cc|p"))
    assert memory.search("churn customers plan", kind="episodes", k=1)[0].text in {
        "churned customers by plan",
        "customers who churned per plan",
    }
    with pytest.raises(StoreError, match="Cannot search"):
        memory.search("x", kind="tables")


def test_checkpoints_status_reset(memory: Memory) -> None:
    memory.save_checkpoint("policy", 32, {"arms": ["a"], "theta": [1.0]})
    for i in range(7):
        memory.save_checkpoint("policy", 64 + i, {"n": i})
    assert memory.load_checkpoint("policy") == {"n": 6}
    assert memory.load_checkpoint("other") is None
    for r in (1.0, 3.0):
        memory.record(ep("q", "p", reward=r))
    status = memory.status()
    assert status["episodes"] == 2 and status["checkpoints"] == 5
    assert status["reward_early"] == 2.0
    removed = memory.reset()
    assert removed["learn_episodes"] == 2 and memory.status()["episodes"] == 0


def test_unknown_feedback_and_episode(memory: Memory) -> None:
    key = memory.record(ep("q", "p"))
    with pytest.raises(StoreError, match="Unknown feedback 'meh'"):
        memory.feedback(key, "meh")
    with pytest.raises(StoreError, match="No episode 999"):
        memory.feedback(999, "approved")


def test_corrupt_sqlite_store_is_moved_aside_and_recreated(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    path.write_bytes(b"this is not a database" * 100)
    mem = Memory.open(f"sqlite:///{path}")
    assert mem.recovered and "corrupt" in mem.recovered
    assert list(tmp_path.glob("store.db.corrupt-*"))
    assert mem.record(ep("q", "p")) == 1
    mem.close()


def test_unreachable_server_store_is_reported() -> None:
    with pytest.raises(StoreError, match="cannot be opened"):
        Memory.open("postgresql://nobody@127.0.0.1:1/none")


def _writer(url: str, worker: int, count: int) -> None:
    mem = Memory.open(url)
    for i in range(count):
        mem.record(ep(f"question {worker} {i}", f"w{worker}", reward=1.0))
    mem.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_concurrent_writers_lose_no_episodes(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'store.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    Memory.open(url).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(url, w, 40)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    assert Memory.open(url).status()["episodes"] == 160


def test_lexical_search_100k_is_fast() -> None:
    metrics = ["revenue", "mrr", "signups", "churn", "active users", "bookings", "refunds", "spend"]
    dims = ["month", "week", "plan", "region", "channel", "country", "segment", "day"]
    index = LexicalIndex()
    index.extend(
        [(i, f"{metrics[i % 8]} by {dims[(i // 8) % 8]} for team {i % 997} item {i}") for i in range(100_000)]
    )
    index.search("churn by region", k=5)  # warm the postings
    t0 = time.perf_counter()
    for _ in range(20):
        hits = index.search("churn per region team 5", k=5)
    per_query_ms = (time.perf_counter() - t0) * 1000 / 20
    assert hits and "churn by region" in hits[0].text
    assert per_query_ms < 50, per_query_ms  # ~ a few ms here; bench/learn.py reports it


class SlowEmbedder:
    """A real embedder's shape (unit vectors) that takes its time, so a test can look inside a first use."""

    name = "slow-test"

    def __init__(self) -> None:
        import threading

        self.inside = threading.Event()
        self.release = threading.Event()

    def embed(self, texts: list[str]) -> object:
        import numpy as np

        from metricmind.embedding import DIMENSION

        if len(texts) > 1:
            self.inside.set()
            self.release.wait(10)
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i, hash(text) % DIMENSION] = 1.0
        return out


def test_first_use_embedding_does_not_hold_the_memory_lock(tmp_path: Path) -> None:
    import threading

    mem = Memory.open(f"sqlite:///{tmp_path / 'store.db'}", semantic=False)
    mem.record_many([ep(f"revenue by region {i}", f"p{i}") for i in range(200)])
    slow = SlowEmbedder()
    mem.embedder = slow  # type: ignore[assignment]
    found: list[object] = []
    first = threading.Thread(target=lambda: found.append(mem.search("revenue by region 7", kind="episodes")))
    first.start()
    assert slow.inside.wait(10)  # the first search is embedding 200 items
    assert mem._lock.acquire(timeout=1)  # ... without holding the lock others need
    mem._lock.release()
    slow.release.set()
    first.join(10)
    hits = found[0]
    assert isinstance(hits, list) and hits and hits[0].text == "revenue by region 7"
    assert len(mem._indexes["episodes"][0]) == 200
    mem.close()
