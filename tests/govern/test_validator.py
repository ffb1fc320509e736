"""The governance validator on the demo: clean as built, and each check catching what it is for."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from metricmind.errors import Level
from metricmind.govern import lineage
from metricmind.project import Project
from tests.govern.conftest import write_sql


def govern_cli(demo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``metricmind govern`` in a process of its own, as CI runs it."""
    return subprocess.run(
        [sys.executable, "-m", "metricmind", "govern", "--project", str(demo), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def codes(demo: Path, **kwargs: object) -> dict[str, list[dict[str, object]]]:
    with Project.load(demo) as project:
        report = project.govern(**kwargs)  # type: ignore[arg-type]
    out: dict[str, list[dict[str, object]]] = {}
    for f in report.findings:
        out.setdefault(f.code, []).append(f.to_dict())
    return out


def test_the_demo_passes_clean_with_exit_0(demo: Path) -> None:
    proc = govern_cli(demo, "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert data["ok"] is True and data["findings"] == [] and data["errors"] == 0
    assert data["checks"] == ["lineage", "metadata", "grain", "joins", "freshness"]
    # the demo's clock (govern.as_of) is the end of its build day
    assert data["as_of"] == "2026-07-01T00:00:00"
    text = govern_cli(demo)
    assert text.returncode == 0 and "0 error(s), 0 warning(s)" in text.stdout


def test_a_model_behind_a_metric_that_reads_a_raw_source(demo: Path) -> None:
    sql = demo / "models" / "marts" / "fct_trials.sql"
    text = sql.read_text()
    # the second CTE reads the raw billing table instead of the canonical subscriptions
    changed = text.replace(
        "    from {{ ref('fct_subscriptions_canonical') }}\n    where change_type = 'new'",
        "    from {{ source('raw', 'billing_subscriptions') }}\n    where change_type = 'new'",
    )
    assert changed != text
    sql.write_text(changed)
    line = changed.splitlines().index("    from {{ source('raw', 'billing_subscriptions') }}") + 1
    proc = govern_cli(demo, "--json", "--no-warehouse")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    found = [f for f in json.loads(proc.stdout)["findings"] if f["code"] == "reads_raw_source"]
    assert len(found) == 1
    f = found[0]
    assert f["level"] == "error" and f["semantic_model"] == "trials"
    assert f["file"] == "models/marts/fct_trials.sql" and f["line"] == line
    assert {"trial_starts", "trial_conversion_rate"} <= set(f["metrics"])
    assert "raw.billing_subscriptions" in f["message"] and f["hint"]
    # the human report says the same, with file:line
    text = govern_cli(demo, "--no-warehouse")
    assert text.returncode == 1 and f"models/marts/fct_trials.sql:{line}" in text.stdout


def test_a_hard_coded_raw_table_and_a_staging_model_are_caught(demo: Path) -> None:
    staging = demo / "models" / "staging"
    staging.mkdir()
    (staging / "stg_subscriptions.sql").write_text(
        "select * from {{ source('raw', 'billing_subscriptions') }}\n"
    )
    sql = demo / "models" / "marts" / "fct_trials.sql"
    text = sql.read_text()
    sql.write_text(
        text.replace(
            "select * from {{ ref('fct_subscriptions_canonical') }} where is_trial",
            "select * from {{ ref('stg_subscriptions') }} where is_trial",
        ).replace(
            "    from {{ ref('fct_subscriptions_canonical') }}\n    where change_type = 'new'",
            "    from raw.billing_subscriptions -- {{ ref('fct_subscriptions_canonical') }}\n"
            "    where change_type = 'new'",
        )
    )
    found = codes(demo, warehouse=False)
    assert [f["semantic_model"] for f in found["reads_staging"]] == ["trials"]
    assert "stg_subscriptions" in str(found["reads_staging"][0]["message"])
    raw = found["reads_raw_source"]
    assert len(raw) == 1 and "raw.billing_subscriptions" in str(raw[0]["message"])


def test_a_ref_in_a_comment_does_not_count_and_lines_stay_true() -> None:
    sql = "-- {{ ref('old') }}\nwith a as (\n  select * from {{ ref('x') }}\n)\nselect * from a\n{% if true %}\n join {{ source('raw', 't') }} on 1=1\n{% endif %}\n"
    got = [(i.kind, i.name, i.line) for i in lineage.scan(sql)]
    assert got == [("ref", "x", 3), ("source", "raw.t", 7)]


def test_a_grain_that_is_not_unique_and_a_join_that_fans_out(demo: Path) -> None:
    assert codes(demo) == {}
    write_sql(
        demo,
        # a second row for one customer: the customers dataset's grain breaks, and every join to it fans out
        "INSERT INTO main.dim_customers_canonical SELECT * FROM main.dim_customers_canonical "
        "WHERE customer_id = (SELECT min(customer_id) FROM main.dim_customers_canonical)",
        "INSERT INTO main.fct_mrr_movements SELECT * FROM main.fct_mrr_movements LIMIT 2",
    )
    found = codes(demo)
    grain = {f["dataset"]: f for f in found["grain_not_unique"]}
    assert set(grain) == {"dim_customers_canonical", "fct_mrr_movements"}
    assert "× 2" in str(grain["dim_customers_canonical"]["message"])
    fan = found["join_fanout"]
    assert [(f["semantic_model"], f["dataset"]) for f in fan] == [("customers", "dim_customers_canonical")]
    assert "mrr" in fan[0]["metrics"] and "entity 'customer'" in str(fan[0]["message"])
    proc = govern_cli(demo, "--json")
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["errors"] == 3


def test_missing_owner_and_sla(demo: Path) -> None:
    path = demo / "models" / "canonical_datasets.yml"
    text = path.read_text()
    text = text.replace("    owner: finance\n", "", 1)
    text = text.replace("    sla: {freshness_hours: 24, refreshed: daily at 07:00 UTC}\n", "", 1)
    path.write_text(text)
    found = codes(demo, warehouse=False)
    assert [f["dataset"] for f in found["missing_owner"]] == ["fct_invoices_canonical"]
    assert [f["dataset"] for f in found["missing_sla"]] == ["fct_ad_spend"]
    owner = found["missing_owner"][0]
    assert owner["file"] == "models/canonical_datasets.yml" and isinstance(owner["line"], int)


def test_stale_data_against_the_sla(demo: Path) -> None:
    # two days after the build: the 24-hour datasets are late, the weekly touchpoints are not
    found = codes(demo, as_of="2026-07-03")
    stale = {f["dataset"]: f for f in found["stale"]}
    assert "fct_user_events_canonical" in stale and "fct_invoices_canonical" in stale
    assert "fct_marketing_touchpoints_canonical" not in stale
    assert "allows 6 hours" in str(stale["fct_user_events_canonical"]["message"])
    proc = govern_cli(demo, "--as-of", "2026-07-03", "--json")
    assert proc.returncode == 1 and json.loads(proc.stdout)["ok"] is False
    # deleting the newest events makes the 6-hour dataset stale as of the build itself
    write_sql(
        demo, "DELETE FROM main.fct_user_events_canonical WHERE occurred_at >= TIMESTAMP '2026-06-30 12:00'"
    )
    found = codes(demo)
    assert [f["dataset"] for f in found["stale"]] == ["fct_user_events_canonical"]


def test_exit_codes_for_warnings_and_bad_input(demo: Path) -> None:
    path = demo / "models" / "canonical_datasets.yml"
    text = path.read_text()
    path.write_text(
        text.replace(
            "    sla: {freshness_hours: 24, refreshed: daily at 06:30 UTC, freshness_column: month_start, "
            "freshness_grain: month}\n",
            "    sla: {freshness_hours: 24, refreshed: daily at 06:30 UTC}\n",
        )
    )
    proc = govern_cli(demo, "--json")
    data = json.loads(proc.stdout)
    assert proc.returncode == 0 and data["warnings"] == 1
    assert data["findings"][0]["code"] == "no_freshness_column" and data["findings"][0]["level"] == "warning"
    assert govern_cli(demo, "--strict").returncode == 1
    bad = govern_cli(demo, "--as-of", "yesterday-ish")
    assert bad.returncode == 2 and "is not a date" in bad.stderr


def test_impact_lists_metrics_saved_queries_and_recent_runs(demo: Path) -> None:
    with Project.load(demo) as project:
        assert project.catalog is not None  # opened: runs are recorded in the store
        project.query("trial_starts", "metric_time__month")
        data = project.govern_impact("fct_subscriptions_canonical")
    assert "trial_starts" in data["metrics"] and "mrr" in data["metrics"]
    assert "arr" in data["indirect_metrics"]
    assert "trials" in data["semantic_models"] and "fct_trials" in data["dbt_models"]
    assert "mrr_overview" in data["saved_queries"]
    assert data["recent_runs"]["count"] == 1 and data["recent_runs"]["latest"][0]["metrics"] == [
        "trial_starts"
    ]
    proc = subprocess.run(
        [sys.executable, "-m", "metricmind", "govern", "impact", "fct_ad_spend", "-p", str(demo), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    spend = json.loads(proc.stdout)
    assert "marketing_spend" in spend["metrics"] and "cac" in spend["indirect_metrics"]
    unknown = subprocess.run(
        [sys.executable, "-m", "metricmind", "govern", "impact", "fct_ad_spnd", "-p", str(demo)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert unknown.returncode == 2 and "fct_ad_spend" in unknown.stderr


@pytest.mark.parametrize("level", [Level.ERROR])
def test_finding_keys_count_each_metric(level: Level) -> None:
    from metricmind.govern import Finding, Report

    before = Report([Finding(level, "reads_raw_source", "m", semantic_model="s", metrics=("a",))])
    after = Report([Finding(level, "reads_raw_source", "m", semantic_model="s", metrics=("a", "b"))])
    assert after.new_errors(before) == after.findings and before.new_errors(after) == []
