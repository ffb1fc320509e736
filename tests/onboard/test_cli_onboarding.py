"""The first commands on a user's own folder: an empty one, a broken one, and where metricmind's state goes."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from metricmind.interfaces.cli.app import app


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_an_empty_folder_says_what_was_looked_for(tmp_path: Path) -> None:
    for command in (["query", "-m", "revenue"], ["list", "metrics"], ["validate"]):
        code, out, err = cli(*command[:1], "-p", str(tmp_path), *command[1:])
        assert code == 2, (command, out, err)
        assert "no semantic models in" in err and "semantic_models:" in err, err
        assert "target/" in err and "hidden folders" in err and "found no YAML file" in err
    assert list(tmp_path.iterdir()) == []  # nothing written into the folder


def test_a_folder_of_other_yaml_lists_it_and_spots_the_latest_spec(tmp_path: Path) -> None:
    (tmp_path / "dbt_project.yml").write_text("name: x\nversion: '1'\n")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "schema.yml").write_text(
        "models:\n  - name: orders\n    semantic_model: {enabled: false}\n"
        "    columns: [{name: id, entity: {type: primary}}]\n"
    )
    code, _, err = cli("query", "-p", str(tmp_path), "-m", "orders")
    assert code == 2 and "found 1 YAML file(s) (models/schema.yml)" in err
    assert "latest spec" in err and "models/schema.yml:3" in err and "none of them enabled" in err


def test_a_broken_project_answers_what_still_loads(marketplace: Path) -> None:
    sessions = marketplace / "models" / "marts" / "sem_sessions.yml"
    sessions.write_text(sessions.read_text().replace("agg: count", "agg: counts"))
    line = next(i for i, t in enumerate(sessions.read_text().splitlines(), 1) if "counts" in t)
    code, out, err = cli("query", "-p", str(marketplace), "-m", "gmv", "-g", "metric_time__month")
    assert code == 0 and "(6 rows)" in out
    assert err.startswith("warning: the project has 1 error(s)") and f"sem_sessions.yml:{line}" in err
    assert "unavailable metrics: bounce_rate, sessions" in err
    code, _, err = cli("query", "-p", str(marketplace), "-m", "bounce_rate")
    assert code == 2 and "metric 'bounce_rate' is unavailable" in err and f"sem_sessions.yml:{line}" in err
    code, out, err = cli("validate", "-p", str(marketplace))
    assert code == 2 and "FAILED" in err
    assert err.splitlines()[0].startswith(f"error: models/marts/sem_sessions.yml:{line}: ")
    assert "left out because of the errors above" in err and "bounce_rate, sessions" in err
    code, out, _ = cli("validate", "-p", str(marketplace), "--json")
    data = json.loads(out)
    assert code == 2 and not data["ok"] and len([i for i in data["issues"] if i["level"] == "error"]) == 1
    assert {u["name"] for u in data["unavailable"] if u["kind"] == "metric"} == {"bounce_rate", "sessions"}


def test_an_unparsable_file_is_reported_once_first(marketplace: Path) -> None:
    sessions = marketplace / "models" / "marts" / "sem_sessions.yml"
    sessions.write_text(sessions.read_text().replace("    measures:\n", "    measures:\n\t- oops\n"))
    code, _, err = cli("validate", "-p", str(marketplace))
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert code == 2 and len(errors) == 1 and "invalid YAML" in errors[0] and "tabs" in errors[0]
    assert "metrics bounce_rate" in err and "the names in models/marts/sem_sessions.yml (" in err


def run_on_a_terminal(args: list[str]) -> str:
    """Run ``args`` with stderr on a pseudo-terminal (as a person at a prompt has it); its stderr."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=follower, timeout=120, check=True)
        assert proc.returncode == 0
        os.close(follower)
        follower = -1
        out = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal is closed once everything was read
                break
            if not chunk:
                break
            out += chunk
        return out.decode()
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)


def test_not_on_a_terminal_nothing_is_said(marketplace: Path) -> None:
    piped = subprocess.run(
        [sys.executable, "-m", "metricmind", "query", "-p", str(marketplace), "-m", "gmv", "-f", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert (marketplace / ".metricmind" / ".gitignore").exists() and "keeping its state" not in piped.stderr


def test_state_folder_ignores_itself_and_says_so_once(marketplace: Path) -> None:
    subprocess.run(["git", "init", "-q", str(marketplace)], check=True)
    subprocess.run(["git", "-C", str(marketplace), "add", "-A"], check=True)
    env_ok = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t"}
    subprocess.run(
        ["git", "-C", str(marketplace), "commit", "-qm", "init"],
        check=True,
        env={**env_ok, "GIT_COMMITTER_EMAIL": "t@x", "PATH": "/usr/bin:/bin"},
    )
    args = [sys.executable, "-m", "metricmind", "query", "-p", str(marketplace), "-m", "gmv"]
    first = run_on_a_terminal(args)
    state = marketplace / ".metricmind"
    assert f"keeping its state (catalog store, run log, caches) in {state}" in first
    assert (state / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (state / "executions.jsonl").exists()
    assert "keeping its state" not in run_on_a_terminal(args)
    status = subprocess.run(
        ["git", "-C", str(marketplace), "status", "--porcelain"], capture_output=True, text=True, check=True
    )
    assert status.stdout == ""


def test_state_dir_option_moves_every_file(marketplace: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "state"
    code, _, err = cli("--state-dir", str(elsewhere), "query", "-p", str(marketplace), "-m", "gmv")
    assert code == 0, err
    code, _, err = cli("--state-dir", str(elsewhere), "catalog", "status", "-p", str(marketplace))
    assert code == 0, err
    assert (elsewhere / "executions.jsonl").exists() or (elsewhere / "store.db").exists()
    assert (elsewhere / "store.db").exists()
    assert not (marketplace / ".metricmind").exists()
