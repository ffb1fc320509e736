"""The example project is a real dbt project: dbt parses and builds it, MetricFlow validates and queries it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from metricmind.demo.build import BuildReport
from metricmind.testing.metricflow import MF_SETUP_HINT, mf_available, mf_python

pytestmark = [pytest.mark.slow, pytest.mark.metricflow]

PROFILE = """saas_demo:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: {path}
      schema: main
      threads: 2
"""


@pytest.fixture(scope="module")
def dbt_project(demo: BuildReport, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not mf_available():
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"MetricFlow environment missing: {MF_SETUP_HINT}")
        pytest.skip(f"MetricFlow environment missing: {MF_SETUP_HINT}")
    root = tmp_path_factory.mktemp("dbt") / "saas_demo"
    shutil.copytree(demo.target_dir, root)
    # MetricFlow records the DuckDB file's stem as the database name: keep the file name.
    (root / "profiles.yml").write_text(PROFILE.format(path=root / "target" / "warehouse.duckdb"))
    run(root, "dbt", "parse", "--no-partial-parse")  # every test needs the semantic manifest
    return root


def run(project: Path, tool: str, *args: str) -> str:
    binary = mf_python().parent / tool
    done = subprocess.run(
        [str(binary), *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "DBT_PROFILES_DIR": str(project), "NO_COLOR": "1"},
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    return output


def test_dbt_parses_and_metricflow_validates(dbt_project: Path) -> None:
    assert (dbt_project / "target" / "semantic_manifest.json").exists()  # written by `dbt parse`
    output = run(dbt_project, "mf", "validate-configs")
    assert "ERRORS: 0" in output
    assert "Successfully validated metrics against data warehouse" in output


def test_metricflow_queries(dbt_project: Path) -> None:
    output = run(
        dbt_project,
        "mf",
        "query",
        "--metrics",
        "mrr,invoice_revenue",
        "--group-by",
        "metric_time__month,customer__segment",
        "--start-time",
        "2025-01-01",
        "--order",
        "metric_time__month",
    )
    assert "Enterprise" in output and "2025-06-01" in output
    output = run(
        dbt_project,
        "mf",
        "query",
        "--metrics",
        "trial_conversion_rate,cac,net_revenue_retention",
        "--group-by",
        "metric_time__quarter",
        "--start-time",
        "2024-01-01",
    )
    assert "2024-04-01" in output
    output = run(
        dbt_project,
        "mf",
        "query",
        "--metrics",
        "events",
        "--group-by",
        "user__customer__segment,event__feature",
    )
    assert "reports_export" in output


def test_dbt_builds_the_models(dbt_project: Path) -> None:
    output = run(dbt_project, "dbt", "build")
    assert "ERROR=0" in output and "Completed successfully" in output
