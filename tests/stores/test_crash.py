"""Crash safety on a PostgreSQL store: ``kill -9`` of the nightly job in the middle of its writes, rerun."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from metricmind.storage import make_engine
from metricmind.testing.postgres import PostgresServer
from tests.knowledge import workload
from tests.knowledge.conftest import git, project_dir  # noqa: F401  (fixture)

AS_OF = "2026-06-30"
BRANCH = f"metricmind/proposals-{AS_OF}"


def big_log(path: Path, months: int = 12) -> Path:
    """The knowledge tests' month of queries, several times over (distinct ids): more to fold."""
    lines = []
    for seed in range(months):
        for record in workload.records(seed):
            lines.append(json.dumps({**record, "query_id": f"{seed}-{record['query_id']}"}))
    path.write_text("\n".join(lines) + "\n")
    return path


def mm(project: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "METRICMIND_STORE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "metricmind", *args, "-p", str(project)],
        env=env,
        capture_output=True,
        text=True,
    )


def nightly(project: Path, url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "METRICMIND_STORE_URL": url}
    cmd = [sys.executable, "-m", "metricmind", "nightly", "--as-of", AS_OF, "-p", str(project)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)


def state(project: Path, url: str) -> dict[str, Any]:
    """What a run leaves: the branch, the proposals, the graph's counters, the fingerprints."""
    engine = make_engine(url)
    queries = {
        "proposals": "SELECT id, kind, name, status, round(confidence::numeric, 9) FROM kg_proposals",
        "nodes": "SELECT kind, key, uses FROM kg_nodes",
        "edges": "SELECT e.kind, s.key, d.key, e.key, e.uses, e.timed FROM kg_edges e "
        "JOIN kg_nodes s ON s.id = e.src JOIN kg_nodes d ON d.id = e.dst",
        "fingerprints": "SELECT fingerprint, calls, timed FROM kg_fingerprints",
        "daily": "SELECT fingerprint, day, calls FROM kg_usage_daily",
        "runs": 'SELECT as_of, status, step, branch, "commit" FROM kg_runs',
        "log": "SELECT count(*) FROM kg_query_log",
    }
    try:
        with engine.connect() as conn:
            found: dict[str, Any] = {
                k: sorted(map(tuple, conn.execute(sa.text(q)).all())) for k, q in queries.items()
            }
    finally:
        engine.dispose()
    found["branch"] = git(project, "rev-parse", BRANCH)
    return found


def run_status(url: str) -> str:
    """``status:step`` of the day's run in the store, or that it has none yet."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                sa.text("SELECT status, step FROM kg_runs WHERE as_of = :d"), {"d": AS_OF}
            ).first()
    finally:
        engine.dispose()
    return f"{row[0]}:{row[1]}" if row else "no run yet"


@pytest.fixture
def second_url(postgres_server: PostgresServer) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    postgres_server.psql("postgres", f"CREATE DATABASE {name}")
    return f"postgresql://postgres@127.0.0.1:{postgres_server.port}/{name}"


def test_nightly_killed_mid_writes_then_rerun_equals_an_uninterrupted_run(
    project_dir: Path,  # noqa: F811
    tmp_path: Path,
    postgres_url: str,
    second_url: str,
) -> None:
    log = big_log(tmp_path / "year.jsonl")
    clean = tmp_path / "clean"
    subprocess.run(["cp", "-r", str(project_dir), str(clean)], check=True)
    for project, url in ((project_dir, postgres_url), (clean, second_url)):
        done = mm(project, url, "querylog", "ingest", "--file", str(log), "--no-process")
        assert done.returncode == 0, done.stderr
    # the uninterrupted run, timed
    t0 = time.monotonic()
    proc = nightly(clean, second_url)
    assert proc.wait() == 0
    took = time.monotonic() - t0
    expected = state(clean, second_url)
    assert expected["proposals"] and expected["fingerprints"] and expected["runs"][0][1] == "done"
    # kill -9 at moments spread over the run (start-up, folding, mining, the branch), then rerun
    killed: list[str] = []  # the step each killed run was in
    # first: killed as soon as the run has written that it started and is folding the log
    proc = nightly(project_dir, postgres_url)
    deadline = time.monotonic() + 120
    while run_status(postgres_url) != "running:process" and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    assert run_status(postgres_url) == "running:process"
    # then at moments spread over the run (folding, mining, the branch); a rerun resumes where the killed
    # one stopped and so is shorter than the clean run: early moments too, so at least one kill lands
    for fraction in (0.15, 0.4, 0.6, 0.75, 0.9):
        proc = nightly(project_dir, postgres_url)
        time.sleep(took * fraction)
        proc.send_signal(signal.SIGKILL)
        if proc.wait() == -signal.SIGKILL:
            killed.append(run_status(postgres_url))
    assert len(killed) >= 1, killed
    final = nightly(project_dir, postgres_url)
    assert final.wait() == 0
    assert state(project_dir, postgres_url) == expected
    assert "metricmind_proposals" not in git(project_dir, "worktree", "list")
