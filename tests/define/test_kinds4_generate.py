"""The fourth set's measure kinds as packages: real ``dbt build`` and ``validate --deep`` pass, and the
built metric equals the preview (a per-entity ratio, a difference, an average of daily values, a share
in percent). Real parts only: the demo warehouse (DuckDB), real dbt (``METRICMIND_DBT``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from metricmind.define import Definition, analyze, generate
from metricmind.define.extend import proposal_sql
from metricmind.export import build
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from tests.shared_demo import demo_copy

MONTH = "metric_time__month"
KINDS = {
    "events_per_account": Definition("events_per_account", "Product events per active account, monthly"),
    "net_cash": Definition("net_cash", "Cash collected minus refunds, monthly"),
    "avg_daily_users": Definition(
        "avg_daily_users", "Average daily active users in the month, over every calendar day"
    ),
    "emea_share": Definition("emea_share", "EMEA's share of total MRR at month end, 0-100", ("No trials",)),
    "big_accounts": Definition(
        "big_accounts", "Customers holding more than 50 seats in total at month end", ("Exclude trials",)
    ),
}


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo (scale 200, data through 2025-06-18), built once; tests copy it."""
    target = tmp_path_factory.mktemp("kinds4") / "demo"
    return demo_copy(tmp_path_factory, target, scale=200, end_date="2025-06-18", threads=1)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_a_kind_builds_with_dbt_validates_and_equals_its_preview(
    small_demo: Path, tmp_path: Path, dbt: str, name: str
) -> None:
    root = tmp_path / "demo"
    shutil.copytree(small_demo, root)
    with Project.load(root) as project:
        proposal = analyze(KINDS[name], project.model, dialect=project.dialect)
        assert proposal.refused is None and proposal.metric is not None, proposal.message
        package = generate(proposal, project, run_sql=lambda sql: project.warehouse.run(sql).rows)
        preview = project.warehouse.run(proposal_sql(project.model, proposal, dialect=project.dialect)).rows
    assert package.problems == []
    if name == "avg_daily_users":  # a new daily model: a calendar of days, ref() to the canonical dataset
        sql = package.files["models/generated/avg_daily_users/events_daily_user_id.sql"]
        assert "{{ ref('fct_user_events_canonical') }}" in sql and "interval 1 day" in sql
    for rel, text in package.files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    result = build(root, package.selection, executable=dbt)
    assert result.ok, result.summary() + result.output[-2000:]
    with Project.load(root) as project:
        assert [i for i in project.validate(deep=True) if i.level.value == "error"] == []
        built = project.run(MetricQuery.build(name, [MONTH], order_by=[MONTH])).rows
    assert len(built) > 12 and built == preview
