"""Composed metrics as packages: a part re-dated by a new measure of the same column (a difference), a
ratio whose parts carry their own dates (in percent) and a metric on a catalog measure no metric reads
yet, a maximum and a percentile of a column, and one dated by a date column the catalog declares no time dimension for. Each is generated into the project's semantic YAML and metrics YAML, built with real ``dbt build``,
accepted by ``validate --deep`` and, once built, equals its preview. Real parts only: the demo warehouse
(DuckDB), real dbt (``METRICMIND_DBT``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from metricmind.define import Definition, analyze, generate
from metricmind.define.extend import proposal_sql, warehouse_columns
from metricmind.export import build
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from tests.shared_demo import demo_copy

MONTH = "metric_time__month"
KINDS = {
    "net_paid": Definition(
        "net_paid",
        "Money collected on invoices less the amounts refunded",
        ("Both counted in the month the invoice was paid", "paid invoices only"),
    ),
    "refund_ratio": Definition(
        "refund_ratio",
        "Money refunded as a share of money collected",
        ("amount refunded by refund date divided by amount of paid invoices by payment date", "0-100"),
    ),
    "social_spend": Definition(
        "social_spend", "Paid social spend", ("allocated spend, counted by touch date",)
    ),
    "max_days_late": Definition("max_days_late", "Maximum days late of an invoice, by issue month"),
    "p90_days_to_pay": Definition("p90_days_to_pay", "90th percentile of days to pay, by paid month"),
    "written_off_amount": Definition(
        "written_off_amount", "Invoice amount", ("Dated by the write-off date",)
    ),
}


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo at scale 1000 (data through 2025-06-18: scale 200 has no write-off), built once; tests copy it."""
    target = tmp_path_factory.mktemp("compose5") / "demo"
    return demo_copy(tmp_path_factory, target, scale=1000, end_date="2025-06-18", threads=1)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_a_composed_metric_builds_with_dbt_validates_and_equals_its_preview(
    small_demo: Path, tmp_path: Path, dbt: str, name: str
) -> None:
    root = tmp_path / "demo"
    shutil.copytree(small_demo, root, ignore=shutil.ignore_patterns(".metricmind"))
    with Project.load(root) as project:
        proposal = analyze(
            KINDS[name], project.model, dialect=project.dialect, columns=warehouse_columns(project.warehouse)
        )
        assert proposal.refused is None and proposal.metric is not None, proposal.message
        assert proposal.unread == [], proposal.unread
        package = generate(proposal, project, run_sql=lambda sql: project.warehouse.run(sql).rows)
        preview = project.warehouse.run(proposal_sql(project.model, proposal, dialect=project.dialect)).rows
    assert package.problems == []
    assert f"models/metrics/{name}.yml" in package.files
    for nm in proposal.new_measures:  # written into the semantic model's own file, the rest kept
        files = [t for t in package.files.values() if "semantic_models:" in t and nm.measure["name"] in t]
        assert files, nm.measure["name"]
        items = [m for doc in files for sm in yaml.safe_load(doc)["semantic_models"] for m in sm["measures"]]
        assert any(m["name"] == nm.measure["name"] for m in items)
    for nd in proposal.new_dimensions:  # the new time dimension, in the same file as its measure
        items = [
            d
            for t in package.files.values()
            if "semantic_models:" in t
            for sm in yaml.safe_load(t)["semantic_models"]
            if sm["name"] == nd.semantic_model
            for d in sm["dimensions"]
        ]
        assert [d["name"] for d in items].count(nd.dimension["name"]) == 1
    for rel, text in package.files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    result = build(root, package.selection, executable=dbt)
    assert result.ok, result.summary() + result.output[-2000:]
    with Project.load(root) as project:
        assert [i for i in project.validate(deep=True) if i.level.value == "error"] == []
        built = project.run(MetricQuery.build(name, [MONTH], order_by=[MONTH])).rows
    # write-offs are rare (a few months of a small demo have one); the others have every month
    assert len(built) > (0 if name == "written_off_amount" else 12), len(built)
    assert built == preview
