"""Bad input to ``metricmind define --write`` in a real git repository: a clear message, a non-zero exit,
and nothing written (no branch, no commit, no file, no change in the catalog, no package record)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.define.test_cli import cli, git_copy

CASES = {
    "unknown words": (["nps", "-d", "Net Promoter Score of customers"], "no_data"),
    "contradictory rules": (
        ["emea_mrr", "-d", "Monthly recurring revenue", "-r", "EMEA only", "-r", "Exclude EMEA"],
        "contradictory",
    ),
    "a value that does not exist": (
        ["platinum_mrr", "-d", "Monthly recurring revenue", "-r", "Only the Platinum plan"],
        "Platinum",
    ),
    "a name that exists": (["mrr", "-d", "Monthly recurring revenue"], "already exists"),
    "a colon and a YAML tag": (["x_mrr", "-d", "Revenue: !!python/object {a: 1}"], "bad_input"),
    "a document marker in a rule": (
        ["y_mrr", "-d", "Monthly recurring revenue", "-r", "--- EMEA"],
        "bad_input",
    ),
    "a newline in a rule": (
        ["z_mrr", "-d", "Monthly recurring revenue", "-r", "EMEA\nname: evil"],
        "bad_input",
    ),
    "a template in the definition": (["t_mrr", "-d", "Revenue {{ env_var('SECRET') }}"], "bad_input"),
    "a name with a colon": (["mrr: evil", "-d", "Monthly recurring revenue"], "bad_input"),
}


@pytest.fixture(scope="module")
def repo(define_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = git_copy(define_demo, tmp_path_factory.mktemp("bad") / "demo")
    assert cli("users", "add", "ada", "--role", "editor", "-p", str(root)).returncode == 0
    return root


def snapshot(root: Path) -> tuple[str, str, str, str, list[str]]:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout

    status = json.loads(cli("catalog", "status", "--json", "-p", str(root)).stdout)["changes"]
    packages = root / ".metricmind" / "packages"
    return (
        git("rev-parse", "HEAD"),
        git("status", "--porcelain"),
        git("for-each-ref"),
        json.dumps(status, sort_keys=True),
        sorted(p.name for p in packages.iterdir()) if packages.exists() else [],
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_writes_nothing(repo: Path, case: str) -> None:
    args, said = CASES[case]
    before = snapshot(repo)
    out = cli("define", *args, "--write", "-u", "ada", "-p", str(repo))
    assert out.returncode != 0, out.stdout
    assert said in out.stderr + out.stdout, out.stderr
    assert "Nothing was written" in out.stderr or "nothing was written" in out.stderr.lower()
    assert snapshot(repo) == before


def test_a_doubt_is_written_only_with_confirm(repo: Path) -> None:
    args = ["collected_doubt", "-d", "Money collected from paid invoices each month", "--write", "-u", "ada"]
    before = snapshot(repo)
    out = cli("define", *args, "-p", str(repo))
    assert out.returncode != 0 and "(doubt)" in out.stderr and "--confirm" in out.stderr, out.stderr
    assert snapshot(repo) == before
    out = cli("define", *args, "--confirm", "--json", "-p", str(repo))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["unread"] == [] and data["branch"] == "metricmind/define/collected_doubt"
    assert data["doubts"][-1] == "confirmed by ada after reading the doubts"
    record = json.loads((repo / ".metricmind" / "packages" / "collected_doubt.json").read_text())
    assert record["doubts"] == data["doubts"]
