"""The nightly job runs the governance validator: its findings are in the run's summary and PROPOSAL.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from metricmind.interfaces.cli.app import app
from tests.knowledge import workload
from tests.knowledge.conftest import GIT_ENV, git

runner = CliRunner()
AS_OF = "2026-06-30"


def test_the_nightly_job_reports_governance(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in GIT_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.delenv("METRICMIND_STORE_URL", raising=False)
    datasets = demo / "models" / "canonical_datasets.yml"
    datasets.write_text(datasets.read_text().replace("    owner: finance\n", "", 1))
    (demo / ".gitignore").write_text(".metricmind/\ntarget/\n")
    git(demo, "init", "-q", "-b", "main")
    git(demo, "add", "-A")
    git(demo, "commit", "-q", "-m", "demo project")
    p = str(demo)
    log = workload.write(tmp_path / "month.jsonl")
    assert runner.invoke(app, ["querylog", "ingest", "--file", str(log), "-p", p, "--json"]).exit_code == 0
    result = runner.invoke(app, ["nightly", "--as-of", AS_OF, "-p", p, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    governance = summary["governance"]
    assert governance["errors"] == 1 and governance["findings"][0]["code"] == "missing_owner"
    assert summary["branch"]
    doc = git(demo, "show", f"{summary['branch']}:PROPOSAL.md")
    assert "## Governance" in doc and "`missing_owner` models/canonical_datasets.yml:" in doc
    text = runner.invoke(app, ["nightly", "--as-of", AS_OF, "-p", p])
    assert "governance: 1 error(s), 0 warning(s)" in text.stdout
    assert "error[missing_owner] canonical dataset 'fct_invoices_canonical' has no owner" in text.stdout
    # the impact of deprecating the invoices names the logged query patterns that read it
    impact = runner.invoke(app, ["govern", "impact", "fct_invoices_canonical", "-p", p, "--json"])
    assert impact.exit_code == 0, impact.output
    logged = json.loads(impact.stdout)["logged_queries"]
    assert logged["query_count"] > 0 and logged["uses"] > 0 and logged["queries"][0]["uses"] > 0


def test_approving_a_proposal_that_adds_a_governance_error_is_refused(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in GIT_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.delenv("METRICMIND_STORE_URL", raising=False)
    (demo / ".gitignore").write_text(".metricmind/\ntarget/\n")
    git(demo, "init", "-q", "-b", "main")
    git(demo, "add", "-A")
    git(demo, "commit", "-q", "-m", "demo project")
    p = str(demo)
    log = workload.write(tmp_path / "month.jsonl")
    assert runner.invoke(app, ["querylog", "ingest", "--file", str(log), "-p", p, "--json"]).exit_code == 0
    summary = json.loads(runner.invoke(app, ["nightly", "--as-of", AS_OF, "-p", p, "--json"]).stdout)
    wire = next(x["id"] for x in summary["proposals"] if x["name"] == "wire_billed_amount")
    # meanwhile the invoices semantic model is pointed at a model that reads the raw billing table
    (demo / "models" / "marts" / "fct_invoices_raw.sql").write_text(
        "select * from {{ source('raw', 'billing_invoices') }}\n"
    )
    billing = demo / "models" / "semantic" / "billing.yml"
    billing.write_text(
        billing.read_text().replace("ref('fct_invoices_canonical')", "ref('fct_invoices_raw')", 1)
    )
    git(demo, "add", "-A")
    git(demo, "commit", "-q", "-m", "invoices from raw")
    head = git(demo, "rev-parse", "HEAD")
    refused = runner.invoke(app, ["proposals", "approve", wire, "--by", "rita", "-p", p])
    assert refused.exit_code == 2, refused.output
    assert "governance error" in refused.output and "reads_raw_source" in refused.output
    assert git(demo, "rev-parse", "HEAD") == head  # nothing merged
    listed = {
        x["id"]: x["status"]
        for x in json.loads(runner.invoke(app, ["proposals", "list", "-p", p, "--json"]).stdout)
    }
    assert listed[wire] == "pending"
