"""Issue 10, the store / workflow / job part: one test per finding, each failing on the code before the fix.

- finding 2: four eyes (an approver who edits another's change cannot approve it);
- finding 7: approval is one atomic, recoverable step (a real ``kill -9`` at many timings);
- finding 8: size limits (a 20 MB description; a 4 MB logged statement);
- finding 9: two nightly runs at once (two real processes);
- finding 10: one bad query-log line does not abort an ingest;
- low: ``--project`` on an empty folder creates no store.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from metricmind.catalog.service import Catalog
from metricmind.errors import PermissionDenied, SpecError, StoreError
from metricmind.testing.shop import SHOP
from tests.catalog.conftest import BIG, open_catalog


def _copy_shop(target: Path) -> Path:
    shutil.copytree(SHOP, target, ignore=shutil.ignore_patterns("target", "seeds", "__pycache__", "*.sql"))
    return target


def _fresh_pg(request: pytest.FixtureRequest) -> str:
    """A new empty database on the session's PostgreSQL server (dropped with the server)."""
    server = request.getfixturevalue("postgres_server")
    name = f"t_{uuid.uuid4().hex[:12]}"
    server.psql("postgres", f"CREATE DATABASE {name}")
    return f"postgresql://postgres@127.0.0.1:{server.port}/{name}"


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store URL on SQLite, then on the real PostgreSQL server."""
    monkeypatch.delenv("METRICMIND_STORE_URL", raising=False)
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return _fresh_pg(request)


@pytest.fixture
def catalog(store_url: str, tmp_path: Path) -> Iterator[Catalog]:
    """The shop's catalog with an editor and two approvers."""
    cat = open_catalog(store_url, _copy_shop(tmp_path / "shop"))
    for name, role in (("ed", "editor"), ("ann", "approver"), ("bob", "approver")):
        cat.add_user(name, role)
    yield cat
    cat.close()


# -- finding 2: four eyes ------------------------------------------------------------------------------
def test_an_approver_who_edits_anothers_draft_cannot_approve_it(catalog: Catalog) -> None:
    change = catalog.create_draft("ed", BIG)
    edited = {**BIG, "description": "Revenue of large orders, as ann sees it."}
    change = catalog.edit(change["id"], "ann", edited, expected_version=change["version"])
    assert change["author"] == "ed" and change["editors"] == ["ann"]
    change = catalog.submit(change["id"], "ann", expected_version=change["version"])
    with pytest.raises(PermissionDenied, match="edited this change"):
        catalog.approve(change["id"], "ann", expected_version=change["version"])
    assert catalog.change(change["id"])["state"] == "in_review"
    edits = [a for a in catalog.audit(subject="big_revenue") if a["action"] == "edit"]
    assert [(a["user"], a["detail"]["co_author"]) for a in edits] == [("ann", True)]
    # Another approver, who neither wrote nor edited it, may.
    assert catalog.approve(change["id"], "bob", expected_version=change["version"])["state"] == "approved"


def test_an_approver_who_edits_a_rejected_change_cannot_approve_it(catalog: Catalog) -> None:
    change = catalog.submit(catalog.create_draft("ed", BIG)["id"], "ed")
    change = catalog.reject(change["id"], "ann", "too vague", expected_version=change["version"])
    change = catalog.edit(change["id"], "ann", {**BIG, "label": "Large revenue"})
    change = catalog.submit(change["id"], "ed")  # even when the author submits it again
    with pytest.raises(PermissionDenied):
        catalog.approve(change["id"], "ann")
    # The author editing their own change stays the only author.
    assert catalog.change(change["id"])["editors"] == ["ann"]


def test_co_authors_are_shown_in_the_api_and_the_review_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from metricmind.interfaces.web.app import create_app
    from metricmind.project import Project

    monkeypatch.delenv("METRICMIND_STORE_URL", raising=False)
    project = Project.load(_copy_shop(tmp_path / "shop"))
    try:
        cat = project.catalog
        cat.add_user("ed", "editor")
        ann, bob = cat.add_user("ann", "approver"), cat.add_user("bob", "approver")
        change = cat.create_draft("ed", BIG)
        cat.submit(cat.edit(change["id"], "ann", {**BIG, "label": "Large revenue"})["id"], "ann")
        client = TestClient(create_app(project), base_url="http://localhost")
        api = client.get(f"/api/definitions/{change['id']}", headers={"Authorization": f"Bearer {ann}"})
        assert api.status_code == 200 and api.json()["change"]["editors"] == ["ann"]
        own = client.get("/review", headers={"Authorization": f"Bearer {ann}"}).text
        assert "edited by" in own and "own-change" in own and "button primary approve" not in own
        other = client.get("/review", headers={"Authorization": f"Bearer {bob}"}).text
        assert "button primary approve" in other
    finally:
        project.close()


# -- finding 8: field sizes in the store path ------------------------------------------------------------
def test_a_huge_description_is_refused_quickly(catalog: Catalog) -> None:
    started = time.perf_counter()
    with pytest.raises(StoreError, match="description"):
        catalog.create_draft("ed", {**BIG, "description": "x" * 20_000_000})
    assert time.perf_counter() - started < 2.0
    change = catalog.create_draft("ed", BIG)
    with pytest.raises(StoreError, match="label"):
        catalog.edit(change["id"], "ed", {**BIG, "label": "L" * 300})
    with pytest.raises(StoreError, match="reason"):
        catalog.reject(catalog.submit(change["id"], "ed")["id"], "ann", "r" * 20_000)
    assert catalog.change(change["id"])["definition"]["description"] == BIG["description"]


# -- finding 7: approval is one atomic step with recovery ---------------------------------------------------
_APPROVER = """
import sys, time
from metricmind.catalog.service import Catalog
from metricmind.spec.loader import load
root, url, change, version = sys.argv[1:]
catalog = Catalog.open(url, root, load(root).model)
print("ready", flush=True)
sys.stdin.readline()
started = time.perf_counter()
catalog.approve(int(change), "ann", expected_version=int(version))
print(f"done {time.perf_counter() - started:.6f}", flush=True)
"""


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every visible file of the project (staged ``.…pending`` files and the store are not the project)."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    }


def _approve_in_child(root: Path, url: str, change: dict[str, Any], delay: float | None) -> float | None:
    """Approve ``change`` in a fresh process; ``kill -9`` it ``delay`` seconds after it starts approving.

    Returns how long the approval took when it was not killed.
    """
    child = subprocess.Popen(
        [sys.executable, "-c", _APPROVER, str(root), url, str(change["id"]), str(change["version"])],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        assert child.stdout.readline().strip() == "ready"
        child.stdin.write("go\n")
        child.stdin.flush()
        if delay is None:
            line = child.stdout.readline().split()
            assert child.wait(60) == 0 and line[0] == "done"
            return float(line[1])
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(60)
        return None
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(60)


def _trial(tmp: Path, url_for: Any, delay: float | None) -> tuple[str, float | None]:
    """One approval of a fresh change in a fresh project and store, killed after ``delay``; then check that
    the restarted catalog is in one of the two allowed states. Returns the state and the approval time.
    """
    root = _copy_shop(tmp / "shop")
    url = url_for(tmp)
    cat = open_catalog(url, root)
    for name, role in (("ed", "editor"), ("ann", "approver")):
        cat.add_user(name, role)
    change = cat.submit(cat.create_draft("ed", BIG)["id"], "ed")
    cat.close()
    before = _snapshot(root)
    took = _approve_in_child(root, url, change, delay)
    after = open_catalog(url, root)  # the restart: recovers, then syncs with the YAML
    try:
        state = after.change(change["id"])["state"]
        approvals = [
            a
            for a in after.audit(subject="big_revenue")
            if a["action"] == "approve" and a["detail"] == {"change": change["id"]}
        ]
        files = _snapshot(root)
        versions = after.versions("big_revenue")
        if state == "approved":
            assert [a["user"] for a in approvals] == ["ann"]
            assert set(files) - set(before) == {"models/metrics/big_revenue.yml"}
            assert {k: v for k, v in files.items() if k in before} == before
            assert b"big_revenue" in files["models/metrics/big_revenue.yml"]
            assert [v["author"] for v in versions] == ["ann"]
            assert after.metric("big_revenue")["status"] == "published"
        else:
            assert state == "in_review", state
            assert approvals == [] and versions == []
            assert files == before, "the YAML changed although the change is still in review"
            assert "big_revenue" not in {m["name"] for m in after.metrics()}
    finally:
        after.close()
    return state, took


def test_an_unrelated_error_in_the_project_does_not_block_approvals(tmp_path: Path) -> None:
    """Projects load with errors now (the broken objects are left out); an approval is refused only for
    the errors it would add, checked in a scratch copy before any file is touched.
    """
    root = _copy_shop(tmp_path / "shop")
    (root / "models" / "broken.yml").write_text(
        "metrics:\n  - name: broken_metric\n    type: simple\n    type_params: {measure: no_such_measure}\n"
    )
    cat = open_catalog(f"sqlite:///{tmp_path / 'store.db'}", root)
    try:
        for name, role in (("ed", "editor"), ("ann", "approver")):
            cat.add_user(name, role)
        change = cat.submit(cat.create_draft("ed", BIG)["id"], "ed")
        assert cat.approve(change["id"], "ann")["state"] == "approved"
        assert (root / "models" / "metrics" / "big_revenue.yml").exists()
        worse = cat.submit(
            cat.create_draft("ed", {**BIG, "name": "worse", "type_params": {"measure": "nope"}})["id"], "ed"
        )
        with pytest.raises(SpecError, match="nope") as refused:
            cat.approve(worse["id"], "ann")
        assert "no_such_measure" not in str(refused.value)
        assert not (root / "models" / "metrics" / "worse.yml").exists()
        assert [p.name for p in root.rglob("*.pending")] == []
    finally:
        cat.close()


_KILLED_AFTER_COMMIT = """
import os, signal, sys
from metricmind.catalog import filewrites
from metricmind.catalog.service import Catalog
from metricmind.spec.loader import load

def killed(*args, **kwargs):  # the approval has committed; the file is not in place yet
    os.kill(os.getpid(), signal.SIGKILL)

filewrites.finish = killed
root, url, change = sys.argv[1:]
Catalog.open(url, root, load(root).model).approve(int(change), "ann")
"""


def test_a_crash_between_commit_and_rename_is_finished_on_open(tmp_path: Path) -> None:
    root = _copy_shop(tmp_path / "shop")
    url = f"sqlite:///{tmp_path / 'store.db'}"
    cat = open_catalog(url, root)
    for name, role in (("ed", "editor"), ("ann", "approver")):
        cat.add_user(name, role)
    change = cat.submit(cat.create_draft("ed", BIG)["id"], "ed")
    cat.close()
    done = subprocess.run([sys.executable, "-c", _KILLED_AFTER_COMMIT, str(root), url, str(change["id"])])
    assert done.returncode == -signal.SIGKILL
    target = root / "models" / "metrics" / "big_revenue.yml"
    assert not target.exists() and len(list(target.parent.glob(".big_revenue.yml.*.pending"))) == 1
    after = open_catalog(url, root)
    try:
        assert after.change(change["id"])["state"] == "approved"
        assert target.exists() and list(target.parent.glob("*.pending")) == []
        assert [v["author"] for v in after.versions("big_revenue")] == ["ann"]
        finished = [a for a in after.audit(subject="big_revenue") if a["action"] == "finish_write"]
        assert len(finished) == 1 and finished[0]["detail"]["change"] == change["id"]
        assert after.pending_writes() == set() and after.model.metrics["big_revenue"].file
    finally:
        after.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_kill_9_during_an_approval_leaves_it_whole_or_not_at_all(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("METRICMIND_STORE_URL", raising=False)

    def url_for(tmp: Path) -> str:
        return f"sqlite:///{tmp / 'store.db'}" if backend == "sqlite" else _fresh_pg(request)

    state, took = _trial(tmp_path / "calibrate", url_for, None)
    assert state == "approved" and took is not None
    # Kill at evenly spread moments from the start of the approval to a bit after its usual end.
    steps = 10 if backend == "sqlite" else 6
    outcomes = [_trial(tmp_path / f"t{i}", url_for, took * 1.2 * i / (steps - 1))[0] for i in range(steps)]
    assert set(outcomes) <= {"approved", "in_review"}


# -- findings 8 and 10: query-log ingest -----------------------------------------------------------------
def _native(i: int, sql: str = "SELECT sum(amount) FROM orders") -> bytes:
    row = {"query_id": f"q{i}", "sql": sql, "started_at": "2026-06-01T10:00:00Z", "user": "ana"}
    return (json.dumps(row) + "\n").encode()


def test_one_bad_line_does_not_abort_an_ingest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from metricmind.interfaces.cli.app import app

    monkeypatch.delenv("METRICMIND_STORE_URL", raising=False)
    root = _copy_shop(tmp_path / "shop")
    log = tmp_path / "log.jsonl"
    log.write_bytes(
        b'{"note": "exported by a script, not a record"}\n'  # a first row that names no format
        + _native(1)
        + b'{"query_id": "q2", "sql": "SELECT \xff\xfe", "started_at": "2026-06-01"}\n'  # not UTF-8
        + b"[" * 100_000
        + b"\n"  # nested too deep for the JSON parser
        + bytes(b for b in range(256) if b != 10)
        + b"\n"  # binary
        + b"SELECT 1 -- a line pasted by hand\n"  # not JSON
        + b'{"query_id": "q9", "rows": '
        + b"9" * 5000
        + b"}\n"  # an integer Python refuses to read
        + _native(3, "SELECT 1\u0000")  # a NUL character, which PostgreSQL cannot store
        + _native(4, "SELECT '" + "x" * 4_000_000 + "'")  # a 4 MB statement
        + _native(5)
        + _native(6, "SELECT count(*) FROM orders")
    )
    started = time.perf_counter()
    result = CliRunner().invoke(app, ["querylog", "ingest", "-f", str(log), "--json", "-p", str(root)])
    assert result.exit_code == 0, result.output
    assert time.perf_counter() - started < 30
    data = json.loads(result.stdout)
    assert data["inserted"] == 3
    assert data["reasons"] == {
        "bad_record": 1,
        "binary": 1,
        "not_json": 2,
        "not_utf8": 2,
        "too_deep": 1,
        "too_long": 1,
    }
    assert data["skipped"] == 8 and len(data["problems"]) == 8
    assert any("log.jsonl:3: not UTF-8" in p for p in data["problems"])
    text = CliRunner().invoke(app, ["querylog", "ingest", "-f", str(log), "-p", str(root)])
    assert text.exit_code == 0 and "skipped: 1 bad_record, 1 binary" in text.output


def test_bad_records_never_fail_a_batch_on_postgres(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    from metricmind.knowledge.ingest import connect, ingest_records
    from metricmind.warehouse.querylogs import LogFile

    log = tmp_path / "log.csv"
    log.write_bytes(
        b"query_id,sql,started_at\n"
        b"a,SELECT 1,2026-06-01\n"
        b"b,SELECT \x00 1,2026-06-01\n"
        b"c,SELECT \xc3\x28,2026-06-01\n"
        b"d,SELECT 2,not a time\n"
        b"e,SELECT 3,2026-06-02\n"
    )
    engine = connect(_fresh_pg(request))
    try:
        report = ingest_records(engine, LogFile(log), "file")
    finally:
        engine.dispose()
    assert (report.inserted, report.skipped) == (2, 3)
    assert report.reasons == {"binary": 1, "not_utf8": 1, "bad_record": 1}


def test_the_analyzer_bounds_pathological_statements() -> None:
    from metricmind.querylog import analyze

    huge_or = "SELECT count(*) FROM t WHERE " + " OR ".join(f"a={i}" for i in range(9000))
    started = time.perf_counter()
    facts = analyze(huge_or, "duckdb")
    # 15 s (idle machine) before the bound, about 1 s after; 10 s leaves room for a loaded CI runner
    assert time.perf_counter() - started < 10.0
    assert not facts.ok and "too complex" in str(facts.error) and facts.fingerprint
    started = time.perf_counter()
    facts = analyze("SELECT '" + "x" * 4_000_000 + "'", "duckdb")
    assert time.perf_counter() - started < 5.0 and not facts.ok and "too long" in str(facts.error)
    assert analyze("SELECT sum(amount) FROM orders WHERE a = 1 OR a = 2", "duckdb").ok


# -- finding 9: two nightly runs at once -------------------------------------------------------------------
AS_OF = "2026-06-30"
_HOLDER = """
import sys
from metricmind.knowledge.nightly import run
from metricmind.knowledge.service import Knowledge
from metricmind.project import Project
from metricmind.storage import default_url
import datetime as dt
project = Project.load(sys.argv[1])
k = Knowledge(str(default_url(project.root)), project.root, project.model, project.settings, project.dialect)

def pause(step):
    if step == "process":  # holds the lock, in the middle of the run
        print("holding", flush=True)
        sys.stdin.readline()

summary = run(k.engine, k.context, as_of=dt.date.fromisoformat(sys.argv[2]), announce=False, on_step=pause)
print("done", summary["branch"], flush=True)
"""


@pytest.fixture(scope="module")
def demo_repo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project (scale 300, data through 2026-06-30), built once for the module."""
    from tests.shared_demo import demo_copy

    return demo_copy(tmp_path_factory, tmp_path_factory.mktemp("demo") / "demo", scale=300, end_date=AS_OF)


def test_two_nightly_runs_at_once_one_waits_out_cleanly(
    demo_repo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from metricmind.interfaces.cli.app import app
    from tests.knowledge import workload
    from tests.knowledge.conftest import GIT_ENV, git

    monkeypatch.delenv("METRICMIND_STORE_URL", raising=False)
    root = tmp_path / "project"
    shutil.copytree(demo_repo_template, root, ignore=shutil.ignore_patterns(".metricmind"))
    (root / ".gitignore").write_text(".metricmind/\ntarget/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "demo project")
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    log = workload.write(tmp_path / "month.jsonl")
    done = CliRunner().invoke(app, ["querylog", "ingest", "-f", str(log), "-p", str(root)])
    assert done.exit_code == 0, done.output

    first = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(root), AS_OF],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert first.stdin is not None and first.stdout is not None
    try:
        assert first.stdout.readline().strip() == "holding"
        nightly = [
            sys.executable,
            "-m",
            "metricmind",
            "nightly",
            "--as-of",
            AS_OF,
            "--no-announce",
            "-p",
            str(root),
        ]
        second = subprocess.run(nightly, capture_output=True, text=True, timeout=300)
        assert second.returncode == 75, second.stderr + second.stdout
        assert "another nightly run holds the lock since 20" in second.stderr
        assert f"pid {first.pid}" in second.stderr and "Traceback" not in second.stderr
        waited = subprocess.run(
            [*nightly[:-2], "--wait", "1", "-p", str(root)], capture_output=True, text=True
        )
        assert waited.returncode == 75 and "Traceback" not in waited.stderr
        first.stdin.write("go\n")
        first.stdin.flush()
        assert first.stdout.readline().split() == ["done", f"metricmind/proposals-{AS_OF}"]
        assert first.wait(120) == 0
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(60)
    branch = f"metricmind/proposals-{AS_OF}"
    assert git(root, "show", f"{branch}:PROPOSAL.md").startswith(f"# Semantic layer proposals for {AS_OF}")
    assert len(git(root, "log", "--format=%s", f"main..{branch}").splitlines()) == 4
    # The lock is released with its process: the next run goes ahead (and is idempotent).
    again = subprocess.run(nightly, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert len(git(root, "log", "--format=%s", f"main..{branch}").splitlines()) == 4


# -- low: --project on an empty folder -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "command",
    [
        ["catalog", "status"],
        ["catalog", "sync"],
        ["users", "add", "eve", "--role", "admin"],
        ["querylog", "ingest", "-f", "LOG"],
        ["nightly"],
        ["graph", "update"],
    ],
)
def test_an_empty_folder_gets_no_store(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from metricmind.interfaces.cli.app import app

    monkeypatch.delenv("METRICMIND_STORE_URL", raising=False)
    empty = tmp_path / "empty"
    empty.mkdir()
    log = tmp_path / "log.jsonl"
    log.write_bytes(_native(1))
    args = [str(log) if a == "LOG" else a for a in command]
    result = CliRunner().invoke(app, [*args, "-p", str(empty)])
    assert result.exit_code != 0
    assert "no semantic models in" in result.output and "Traceback" not in result.output
    assert list(empty.iterdir()) == []  # no .metricmind/ store, no lock file


def test_the_scheduler_logs_a_busy_night_without_a_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import datetime as dt
    import logging
    import threading

    from metricmind.knowledge.lock import nightly_lock
    from metricmind.knowledge.schedule import NightlySchedule

    ran = threading.Event()

    def job() -> None:  # what serve --nightly-at runs, while cron's run holds the lock
        try:
            with nightly_lock(tmp_path):
                pass
        finally:
            ran.set()

    caplog.set_level(logging.WARNING, logger="metricmind.knowledge.schedule")
    with nightly_lock(tmp_path):
        schedule = NightlySchedule(
            job, dt.time(2, 0), clock=lambda: dt.datetime(2026, 6, 30, 1, 59, 59)
        ).start()
        try:
            assert ran.wait(5), "the job did not run"
        finally:
            schedule.stop()
    assert schedule.last_error is not None and "another nightly run holds the lock" in schedule.last_error
    busy = [r for r in caplog.records if "did not run" in r.getMessage()]
    assert busy and busy[0].exc_info is None
