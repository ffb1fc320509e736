"""Issue 10, the job part: one test per finding, each failing on the code before the fix.

- finding 8: size limits (a 4 MB logged statement);
- finding 9: two nightly runs at once (two real processes);
- finding 10: one bad query-log line does not abort an ingest;
- low: ``--project`` on an empty folder creates no store.

The store and approval findings are in ``test_integrity.py``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.security.stores import copy_shop, fresh_pg


# -- findings 8 and 10: query-log ingest -----------------------------------------------------------------
def _native(i: int, sql: str = "SELECT sum(amount) FROM orders") -> bytes:
    row = {"query_id": f"q{i}", "sql": sql, "started_at": "2026-06-01T10:00:00Z", "user": "ana"}
    return (json.dumps(row) + "\n").encode()


def test_one_bad_line_does_not_abort_an_ingest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from metricmind.interfaces.cli.app import app

    monkeypatch.delenv("METRICMIND_STORE_URL", raising=False)
    root = copy_shop(tmp_path / "shop")
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
    engine = connect(fresh_pg(request))
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
