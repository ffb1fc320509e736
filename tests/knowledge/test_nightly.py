"""End to end: a month of logged queries → nightly proposals on a git branch → review → merged into main."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from metricmind.interfaces.cli.app import app
from tests.knowledge.conftest import git

runner = CliRunner()
AS_OF = "2026-06-30"
BRANCH = f"metricmind/proposals-{AS_OF}"


def cli(*args: str) -> Any:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def by_name(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in summary["proposals"]}


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The store: SQLite in the project (default), then the real PostgreSQL server via `store.url`."""
    if request.param == "postgres":
        monkeypatch.setenv("METRICMIND_STORE_URL", str(request.getfixturevalue("postgres_url")))
    return str(request.param)


def test_month_of_queries_to_reviewed_proposals(project_dir: Path, month_log: Path, backend: str) -> None:
    p = str(project_dir)
    first = cli("querylog", "ingest", "--file", str(month_log), "-p", p)
    assert (first["read"], first["inserted"], first["processed"]) == (75, 75, 75)
    again = cli("querylog", "ingest", "--file", str(month_log), "-p", p)
    assert (again["inserted"], again["duplicates"], again["processed"]) == (0, 75, 0)
    assert (project_dir / ".metricmind" / "store.db").exists() == (backend == "sqlite")

    summary = cli("nightly", "--as-of", AS_OF, "-p", p)
    found = by_name(summary)
    assert set(found) == {"wire_billed_amount", "average_seats", "invoice__currency"}, found
    assert summary["branch"] == BRANCH
    assert [m["name"] for m in summary["popular"]["metrics"]][:1] == ["invoice_revenue"]
    # the inferred definitions
    wire = cli("proposals", "show", found["wire_billed_amount"]["id"], "-p", p)
    ev = wire["payload"]["evidence"]
    assert (ev["semantic_model"], ev["measure"], ev["new_measure"], ev["agg"]) == (
        "invoices",
        "billed_amount",
        False,
        "sum",
    )
    assert ev["filters"] == [{"dimension": "invoice__payment_method", "op": "=", "value": "wire"}]
    assert ev["dimensions"] == ["metric_time__month"] and ev["calls"] == 20 and ev["users"] == ["ann", "bob"]
    assert "payment_method = 'wire'" in ev["sample_queries"][0]
    seats = cli("proposals", "show", found["average_seats"]["id"], "-p", p)["payload"]
    assert seats["changes"][0]["op"] == "add_measure"
    assert seats["changes"][0]["measure"] | {"description": ""} == {
        "name": "average_seats",
        "agg": "average",
        "expr": "seats",
        "description": "",
    }
    assert 0 < found["wire_billed_amount"]["confidence"] <= 1

    # the branch: one commit per item, then PROPOSAL.md; the checkout is untouched
    assert git(project_dir, "branch", "--show-current") == "main"
    log = git(project_dir, "log", "--format=%s", f"main..{BRANCH}").splitlines()
    assert len(log) == 4 and log[0] == f"proposals for {AS_OF}: review document"
    doc = git(project_dir, "show", f"{BRANCH}:PROPOSAL.md")
    assert doc.startswith(f"# Semantic layer proposals for {AS_OF}")
    for item in summary["proposals"]:
        assert f"`{item['id']}`" in doc
    proposed = yaml.safe_load(git(project_dir, "show", f"{BRANCH}:models/metricmind_proposed.yml"))
    assert {m["name"] for m in proposed["metrics"]} == {"wire_billed_amount", "average_seats"}
    assert "- name: currency" in git(project_dir, "show", f"{BRANCH}:models/semantic/billing.yml")
    assert not (project_dir / "models" / "metricmind_proposed.yml").exists()

    # review: approve two, reject one
    wire_id, dim_id, seats_id = (
        found[n]["id"] for n in ("wire_billed_amount", "invoice__currency", "average_seats")
    )
    approved = cli("proposals", "approve", wire_id, dim_id, "--by", "rita", "-p", p)
    assert approved["approved"] == [wire_id, dim_id] and approved["merged_into"] == "main"
    assert cli("proposals", "reject", seats_id, "--reason", "seats are not billed", "-p", p)["rejected"] == [
        seats_id
    ]
    assert git(project_dir, "rev-list", "--count", "--merges", "main") == "1"
    merged = yaml.safe_load((project_dir / "models" / "metricmind_proposed.yml").read_text())
    assert [m["name"] for m in merged["metrics"]] == ["wire_billed_amount"]
    assert "- name: currency" in (project_dir / "models" / "semantic" / "billing.yml").read_text()
    assert git(project_dir, "status", "--porcelain") == ""
    rows = runner.invoke(app, ["query", "-m", "wire_billed_amount", "-g", "invoice__currency", "-p", p])
    assert rows.exit_code == 0 and "USD" in rows.output, rows.output

    listed = {x["id"]: x for x in cli("proposals", "list", "-p", p)}
    assert {k: v["status"] for k, v in listed.items()} == {
        wire_id: "approved",
        dim_id: "approved",
        seats_id: "rejected",
    }
    assert listed[wire_id]["decided_by"] == "rita" and listed[seats_id]["reason"] == "seats are not billed"

    # the next run proposes nothing again: approved ones are in the model, rejected ones remembered
    rerun = cli("nightly", "--as-of", AS_OF, "-p", p)
    assert rerun["proposals"] == [] and rerun["branch"] is None
    assert len(cli("proposals", "list", "-p", p)) == 3
    bad = runner.invoke(app, ["proposals", "approve", seats_id, "-p", p])
    assert bad.exit_code == 2 and "already decided" in bad.output


def _script(project: Path, crash_after: str | None) -> str:
    return textwrap.dedent(
        f"""
        import datetime as dt, os, signal
        from metricmind.project import Project
        from metricmind.knowledge.ingest import connect
        from metricmind.knowledge.nightly import Context, run
        from metricmind.storage import default_url
        project = Project.load({str(project)!r})
        engine = connect(default_url(project.root))
        ctx = Context(project.root, project.model, project.settings, project.dialect, "main")
        ctx.govern = project.govern_day  # as the CLI wires it
        def step(name):
            if name == {crash_after!r}:
                os.kill(os.getpid(), signal.SIGKILL)
        run(engine, ctx, as_of=dt.date(2026, 6, 30), on_step=step)
        """
    )


def _state(project: Path) -> tuple[str, list[tuple[str, str]]]:
    head = git(project, "rev-parse", BRANCH)
    listed = cli("proposals", "list", "-p", str(project))
    return head, sorted((x["id"], x["status"]) for x in listed)


@pytest.mark.parametrize("crash_after", ["process", "mine", "record", "branch"])
def test_killed_between_steps_then_rerun_gives_the_same_result(
    project_dir: Path, month_log: Path, tmp_path: Path, demo_built: Path, crash_after: str
) -> None:
    cli("querylog", "ingest", "--file", str(month_log), "--no-process", "-p", str(project_dir))
    killed = subprocess.run(
        [sys.executable, "-c", _script(project_dir, crash_after)], capture_output=True, text=True
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    done = subprocess.run([sys.executable, "-c", _script(project_dir, None)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # a clean run on an identical copy
    clean = tmp_path / "clean"
    subprocess.run(["cp", "-r", str(project_dir), str(clean)], check=True)
    subprocess.run(["rm", "-rf", str(clean / ".metricmind")], check=True)
    cli("querylog", "ingest", "--file", str(month_log), "-p", str(clean))
    cli("nightly", "--as-of", AS_OF, "-p", str(clean))
    assert _state(project_dir) == _state(clean)
    assert len(_state(project_dir)[1]) == 3


def test_sigkill_at_any_moment_then_rerun(project_dir: Path, month_log: Path, tmp_path: Path) -> None:
    p = str(project_dir)
    cli("querylog", "ingest", "--file", str(month_log), "--no-process", "-p", p)
    cmd = [sys.executable, "-m", "metricmind", "nightly", "--as-of", AS_OF, "-p", p]
    results = []
    for delay in (0.3, 0.9, 1.5):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        results.append(proc.returncode)
    assert -signal.SIGKILL in results
    final = subprocess.run(cmd, capture_output=True, text=True)
    assert final.returncode == 0, final.stderr
    first = _state(project_dir)
    again = subprocess.run(cmd, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert _state(project_dir) == first
    assert len(first[1]) == 3 and all(status == "pending" for _, status in first[1])
    assert "metricmind_proposals" not in git(project_dir, "worktree", "list")


class Recorder(BaseHTTPRequestHandler):
    seen: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Recorder.seen.append({"path": self.path, "headers": dict(self.headers), "body": body})
        reply = json.dumps({"number": 7, "html_url": "https://github.example/acme/metrics/pull/7"}).encode()
        self.send_response(201 if self.path.endswith("/pulls") else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def endpoint() -> Iterator[str]:
    Recorder.seen = []
    server = HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_pull_request_and_slack_message(
    project_dir: Path, month_log: Path, tmp_path: Path, endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    git(project_dir, "remote", "add", "origin", str(remote))
    monkeypatch.setenv("METRICMIND_KNOWLEDGE_GITHUB_REPO", "acme/metrics")
    monkeypatch.setenv("METRICMIND_KNOWLEDGE_GITHUB_API", endpoint)
    monkeypatch.setenv("METRICMIND_KNOWLEDGE_GITHUB_TOKEN", "t0ken")
    monkeypatch.setenv("METRICMIND_KNOWLEDGE_GIT_REMOTE", "origin")
    monkeypatch.setenv("METRICMIND_KNOWLEDGE_SLACK_WEBHOOK", f"{endpoint}/slack/hook")
    p = str(project_dir)
    cli("querylog", "ingest", "--file", str(month_log), "-p", p)
    summary = cli("nightly", "--as-of", AS_OF, "-p", p)
    assert summary["notified"]["github"] == {"number": 7, "url": "https://github.example/acme/metrics/pull/7"}
    pr, hook = Recorder.seen
    assert pr["path"] == "/repos/acme/metrics/pulls"
    assert pr["headers"]["Authorization"] == "Bearer t0ken"
    assert pr["body"]["head"] == BRANCH and pr["body"]["base"] == "main"
    assert pr["body"]["body"].startswith(f"# Semantic layer proposals for {AS_OF}")
    assert hook["path"] == "/slack/hook"
    for item in summary["proposals"]:
        assert item["id"] in hook["body"]["text"]
    assert "pull/7" in hook["body"]["text"]
    pushed = subprocess.run(
        ["git", "-C", str(remote), "rev-parse", BRANCH], capture_output=True, text=True, check=True
    )
    assert pushed.stdout.strip() == git(project_dir, "rev-parse", BRANCH)
    cli("nightly", "--as-of", AS_OF, "-p", p)
    assert len(Recorder.seen) == 2  # announced once per date


def test_off_by_default(project_dir: Path, month_log: Path, endpoint: str) -> None:
    cli("querylog", "ingest", "--file", str(month_log), "-p", str(project_dir))
    summary = cli("nightly", "--as-of", AS_OF, "-p", str(project_dir))
    assert summary["notified"] == {} and Recorder.seen == []
