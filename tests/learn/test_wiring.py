"""Episodes of every ask and query (CLI, spool, MCP), confirmed outcomes as skills, and bad input:
a corrupt, missing or unreachable store, two processes writing at once.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from metricmind.interfaces.cli.app import app
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from tests.learn.conftest import AS_OF

runner = CliRunner()
DAY = dt.date.fromisoformat(AS_OF)


def cli(*args: str, env: dict[str, str] | None = None) -> str:
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


def status(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        cli("learn", "status", "--no-simulate", "--json", "--project", str(root))
    )
    return data


PLAIN_PATH = {"METRICMIND_LEARN_ENABLED": "off"}


def test_every_query_and_question_is_an_episode(demo_copy: Path) -> None:
    """With learning off (the plain path): a CLI query's episode waits in the spool."""
    root = str(demo_copy)
    out = cli(
        "query", "--metrics", "mrr", "--group-by", "customer__segment", "--project", root, env=PLAIN_PATH
    )
    assert "Enterprise" in out
    spool = demo_copy / ".metricmind" / "episodes.jsonl"
    assert spool.stat().st_size > 0  # the CLI query did not open the store: its episode waits in the spool
    assert not (demo_copy / ".metricmind" / "store.db").exists()
    cli("ask", "MRR by region last quarter", "--as-of", AS_OF, "--run", "--project", root, env=PLAIN_PATH)
    cli("ask", "what is our NPS", "--as-of", AS_OF, "--project", root, env=PLAIN_PATH)
    data = status(demo_copy)
    assert data["episodes"] == 3 and spool.stat().st_size == 0
    with Project.load(demo_copy) as project:
        query, asked, refused = reversed(project.memory.episodes())
        segments = len(project._run_plain(MetricQuery.build(["mrr"], ["customer__segment"])).rows)
    assert status(demo_copy)["episodes"] == 3
    assert query["question"] is None and query["query"]["metrics"] == ["mrr"] and query["success"]
    assert query["rows"] == segments and query["sql"] and query["reward"] == 10 + 5 + 2 + 5  # new pattern
    assert query["action"] == {"source": "cli", "arm": "plain"}
    # ask --run: one episode holding the reading and the execution (not a second one for the query)
    assert asked["question"] == "MRR by region last quarter" and asked["rows"] and asked["sql"]
    assert json.loads(asked["reading"])["metrics"] == ["mrr"] and asked["reward"] is not None
    assert asked["action"]["answer"] == "resolver"
    assert not refused["success"] and "no metric" in refused["error"] and refused["reward"] is None
    assert [r["pulls"] for r in data["episode_arms"]] == [2] and data["reward_early"] is not None


def test_a_cli_query_on_the_learned_path_is_an_episode_with_its_arm(demo_copy: Path) -> None:
    """The demo's default (learning on): the learned path records the query with the arm that served it."""
    root = str(demo_copy)
    with Project.load(demo_copy) as project:
        plain = project._run_plain(MetricQuery.build(["mrr"], ["customer__segment"])).rows
    for _ in range(2):
        out = cli("query", "-m", "mrr", "-g", "customer__segment", "--format", "json", "--project", root)
        assert json.loads(out)["rows"] == [[r[0], float(r[1])] for r in plain]
    with Project.load(demo_copy) as project:
        episodes = list(reversed(project.memory.episodes()))
    assert len(episodes) == 2 and all(e["success"] and e["rows"] == len(plain) for e in episodes)
    assert all(e["action"]["served"] in ("plain", "rollup") for e in episodes)  # no cache across processes
    assert all(e["action"]["arm"] and e["reward"] is not None for e in episodes)
    assert [e["reward"] >= 10 for e in episodes] == [True, True]


def test_only_confirmed_answers_become_skills(demo_copy: Path) -> None:
    with Project.load(demo_copy) as project:
        for name, role in (("ann", "editor"), ("cy", "approver")):
            project.catalog.add_user(name, role)
        first = project.ask("MRR by region last quarter", as_of=DAY, user="bo")
        assert "memory" not in first.resolution.to_dict()
        project.answer_feedback("MRR by region last quarter", "correct", user="bo")
        assert len(project.memory.skills()) == 1
        again = project.ask("what was MRR by region last quarter?", as_of=DAY, user="di").resolution.to_dict()
        assert again["memory"]["source"] == "skill" and any("Confirmed before" in n for n in again["notes"])
        # an answer from a note nobody reviewed is not confirmed into a skill, even by its author
        fix = {"metrics": ["arr"]}
        project.answer_feedback("what's the board number", "incorrect", user="ann", expected=fix, as_of=DAY)
        own = project.ask("what's the board number", as_of=DAY, user="ann").resolution
        assert own.metrics == ["arr"]
        project.answer_feedback("what's the board number", "correct", user="ann")
        assert len(project.memory.skills()) == 1
        # reviewed, the note is everyone's; its confirmed answer is a skill
        note = project.memory.notes_for("what's the board number", user="ann")[0]["id"]
        project.review_note(note, "cy")
        assert project.ask("what's the board number", as_of=DAY, user="ed").resolution.metrics == ["arr"]
        project.answer_feedback("what's the board number", "correct", user="ed")
        assert len(project.memory.skills()) == 2
        # a wrong verdict drops the skill of what was confirmed
        project.answer_feedback("MRR by region last quarter", "incorrect", user="bo")
        assert len(project.memory.skills()) == 1


def metricmind(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI in a process of its own (a store damaged between processes, as it happens)."""
    return subprocess.run(
        [sys.executable, "-m", "metricmind", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_corrupt_missing_or_unreachable_store(demo_copy: Path) -> None:
    root = str(demo_copy)
    state = demo_copy / ".metricmind"
    ask = ("ask", "MRR by region last quarter", "--as-of", AS_OF, "--project", root)
    assert metricmind(*ask).returncode == 0
    (state / "store.db").write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(f"{state / 'store.db'}{suffix}").unlink(missing_ok=True)
    done = metricmind(*ask)
    assert done.returncode == 0 and "metrics: mrr" in done.stdout, done.stderr
    assert list(state.glob("store.db.corrupt-*"))  # moved aside, recreated
    assert status(demo_copy)["episodes"] == 1  # the question after the recovery
    # missing: recreated
    shutil.rmtree(state)
    assert metricmind(*ask).returncode == 0
    assert status(demo_copy)["episodes"] == 1
    # unreachable: questions and queries are still answered; status reports it
    down = {"METRICMIND_STORE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2"}
    out = cli(*ask, "--run", env=down)
    assert "MRR" in out
    assert "Enterprise" in cli("query", "-m", "mrr", "-g", "customer__segment", "--project", root, env=down)
    failed = runner.invoke(app, ["learn", "status", "--no-simulate", "--project", root], env=down)
    assert failed.exit_code == 2 and "cannot be opened" in failed.output
    with Project.load(demo_copy) as project:
        os.environ["METRICMIND_STORE_URL"] = down["METRICMIND_STORE_URL"]
        try:
            asked = project.ask("MRR by region last quarter", as_of=DAY)
            assert asked.resolution.metrics == ["mrr"] and asked.episode is None
            assert project.memory_problem and "cannot be opened" in project.memory_problem
        finally:
            del os.environ["METRICMIND_STORE_URL"]


def _writer(root: str, who: str, count: int) -> None:
    with Project.load(root) as project:
        project.remember()
        resolver = project.resolver()  # the shared words: no catalog store to open (not what is tested)
        for i in range(count):
            if i % 2:
                project.run(MetricQuery.build(["mrr"], ["customer__segment"]), user=who, source="test")
            else:
                project.ask(f"MRR by region {who} {i}", as_of=DAY, user=who, resolver=resolver)


def test_two_processes_lose_no_episode(demo_copy: Path) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(str(demo_copy), who, 120)) for who in ("p1", "p2")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(240)
        assert worker.exitcode == 0
    with Project.load(demo_copy) as project:
        project.drain_episodes()
        episodes = project.memory.episodes(limit=1000)
    assert len(episodes) == 240
    for who in ("p1", "p2"):
        mine = [e for e in episodes if e["user_name"] == who]
        assert len(mine) == 120 and sum(e["question"] is not None for e in mine) == 60


def test_recall_on_a_postgresql_store(demo_copy: Path, postgres_url: str, monkeypatch: Any) -> None:
    """The same wiring with the memory (and catalog) in PostgreSQL (``store.url``)."""
    monkeypatch.setenv("METRICMIND_STORE_URL", postgres_url)
    question, paraphrase, fix = "what's the board number", "the board number please", {"metrics": ["arr"]}
    with Project.load(demo_copy) as project:
        project.catalog.add_user("ann", "editor")
        project.catalog.add_user("cy", "approver")
        project.remember()
        assert not project.ask(question, as_of=DAY, user="ann").resolution.answerable
        done = project.answer_feedback(question, "incorrect", user="ann", expected=fix, as_of=DAY)
        assert project.ask(paraphrase, as_of=DAY, user="ann").resolution.metrics == ["arr"]
        assert not project.ask(paraphrase, as_of=DAY, user="bo").resolution.answerable
        project.review_note(done["note"], "cy")
        assert project.ask(paraphrase, as_of=DAY, user="bo").resolution.metrics == ["arr"]
        project.run(MetricQuery.build(["arr"]), user="bo", source="test")
        status = project.learning_status(simulate=False)
    assert status["episodes"] == 5 and status["reflexions"] == 1 and status["episode_arms"][0]["pulls"] == 1
    assert str(project.memory.engine.url).startswith("postgresql")
