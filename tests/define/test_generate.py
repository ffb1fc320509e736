"""``generate`` + ``write_package``: the MRR example as a package real dbt builds, on a review branch.

Real parts only: the demo warehouse (DuckDB), real dbt (``.venv-mf``), real git. Under ``CI=true`` a
missing dbt fails.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from metricmind.catalog.workflow import Status
from metricmind.define import (
    Definition,
    GenerateError,
    Package,
    PackageBlocked,
    analyze,
    generate,
    write_package,
)
from metricmind.define.extend import proposal_sql
from metricmind.define.writer import branch_for, read_record
from metricmind.errors import ConflictError, PermissionDenied
from metricmind.export import build
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.warehouse.duckdb import DuckDBWarehouse
from tests.shared_demo import demo_copy

MONTH = "metric_time__month"
MRR = Definition(
    "subscription_value",
    "Total value of active subscriptions per month",
    (
        "Exclude trial subscriptions",
        "Only count active and past_due status",
        "Convert annual contracts to monthly equivalent",
    ),
)


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo (scale 200, data through 2025-06-18), built once; tests copy it."""
    target = tmp_path_factory.mktemp("gen") / "demo"
    return demo_copy(tmp_path_factory, target, scale=200, end_date="2025-06-18", threads=1)


def _copy(src: Path, dst: Path, *, git: bool = False) -> Path:
    shutil.copytree(src, dst)
    if git:
        (dst / ".gitignore").write_text("target/\n.metricmind/\nlogs/\n", encoding="utf-8")
        for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "demo"]):
            subprocess.run(
                ["git", *args],
                cwd=dst,
                check=True,
                capture_output=True,
                env={
                    **os.environ,
                    "GIT_AUTHOR_NAME": "t",
                    "GIT_AUTHOR_EMAIL": "t@x",
                    "GIT_COMMITTER_NAME": "t",
                    "GIT_COMMITTER_EMAIL": "t@x",
                },
            )
    return dst


def _package(root: Path) -> Package:
    with Project.load(root) as project:
        proposal = analyze(MRR, project.model, dialect=project.dialect)
        return generate(proposal, project, run_sql=lambda sql: project.warehouse.run(sql).rows)


def _by_month(project: Project, metric: str) -> list[tuple[Any, ...]]:
    query = MetricQuery.build(metric, [MONTH], start="2024-01-01", end="2025-01-01", order_by=[MONTH])
    return [(r[0], float(r[1])) for r in project.run(query).rows]


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_mrr_package_builds_with_dbt_and_equals_certified_mrr_for_2024(
    small_demo: Path, tmp_path: Path, dbt: str
) -> None:
    root = _copy(small_demo, tmp_path / "demo")
    package = _package(root)
    assert package.problems == [] and package.new_model is None
    kinds = {c.name.removeprefix("subscription_value_") for c in package.checks}
    assert {"month_grain_unique", "not_null", "non_negative", "in_range"} <= kinds
    assert any(k.startswith("reconciles_by_") for k in kinds)
    assert "mart_customer_lifecycle_canonical_customer_month_id_unique" in kinds
    assert "models/metrics/subscription_value.yml" in package.files
    docs = package.files["models/generated/subscription_value/subscription_value.md"]
    assert docs.startswith("{% docs subscription_value %}") and "{% enddocs %}" in docs
    assert "docs/metrics/subscription_value.md" in package.files
    tests = [t for p, t in package.files.items() if p.startswith("tests/generated/")]
    assert tests and all("{{ ref('mart_customer_lifecycle_canonical') }}" in t for t in tests)
    assert all("main.mart_customer_lifecycle_canonical" not in t for t in tests)
    assert package.graph["nodes"][0] == {
        "kind": "metric",
        "key": "subscription_value",
        "label": "Subscription value",
    }
    assert {
        "kind": "COMPUTED_FROM",
        "src": "metric:subscription_value",
        "dst": "metric:mrr",
    } in package.graph["edges"]
    assert package.pattern["based_on"] == "mrr" and package.pattern["checks"]

    for rel, text in package.files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    result = build(root, package.selection, executable=dbt)
    assert result.ok, result.summary() + result.output[-2000:]
    assert sorted(n.name for n in result.nodes) == sorted(c.name for c in package.checks)
    assert {n.status for n in result.nodes} == {"pass"}

    with Project.load(root) as project:
        errors = [i for i in project.validate(deep=True) if i.level.value == "error"]
        assert errors == []
        ours, certified = _by_month(project, "subscription_value"), _by_month(project, "mrr")
    assert len(certified) == 12 and certified[0][0].date() == dt.date(2024, 1, 1)
    assert ours == certified


def test_write_on_review_branch_and_failing_dbt_test_blocks_approval(
    small_demo: Path, tmp_path: Path, dbt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("METRICMIND_DBT", dbt)
    root = _copy(small_demo, tmp_path / "demo", git=True)
    package = _package(root)
    head = _git(root, "rev-parse", "HEAD")
    with Project.load(root) as project:
        catalog = project.catalog
        catalog.add_user("ada", "editor")
        catalog.add_user("bo", "approver")
        catalog.add_user("vic", "viewer")
        with pytest.raises(PermissionDenied):
            write_package(package, root, catalog, "vic", settings=project.settings)
        assert _git(root, "branch", "--list", branch_for("subscription_value")) == ""
        written = write_package(package, root, catalog, "ada", build=True, settings=project.settings)
        assert written["build"]["ok"] and written["change"]["state"] == "draft"
        # the checkout is untouched; the branch holds every file of the package
        assert _git(root, "rev-parse", "HEAD") == head and _git(root, "status", "--porcelain") == ""
        assert not (root / "models/metrics/subscription_value.yml").exists()
        on_branch = set(_git(root, "ls-tree", "-r", "--name-only", written["branch"]).splitlines())
        assert set(package.files) <= on_branch
        with pytest.raises(GenerateError, match="already on review"):
            write_package(package, root, catalog, "ada", settings=project.settings)
        change_id = written["change"]["id"]
        catalog.submit(change_id, "ada")

    # the data changes before approval: a duplicated row breaks the source's grain
    with DuckDBWarehouse(root / "target/warehouse.duckdb", read_only=False) as wh:
        wh.execute(
            "insert into main.mart_customer_lifecycle_canonical "
            "select * from main.mart_customer_lifecycle_canonical limit 1"
        )
    with Project.load(root) as project:
        with pytest.raises(PackageBlocked) as blocked:
            project.catalog.approve(change_id, "bo")
        message = blocked.value.message
        assert (
            "subscription_value_mart_customer_lifecycle_canonical_customer_month_id_unique: fail" in message
        )
        assert "Got 1 result" in message or "1 result" in message
        assert project.catalog.change(change_id)["state"] == "in_review"
        assert _git(root, "rev-parse", "HEAD") == head
        record = read_record(root, "subscription_value")
        assert record is not None and record["build"]["ok"] is False

    with DuckDBWarehouse(root / "target/warehouse.duckdb", read_only=False) as wh:
        wh.execute(
            "create or replace table main.mart_customer_lifecycle_canonical as "
            "select distinct * from main.mart_customer_lifecycle_canonical"
        )
    with Project.load(root) as project:
        # the build passes and the branch is merged, then the catalog refuses (a stale version): merge undone
        with pytest.raises(ConflictError):
            project.catalog.approve(change_id, "bo", expected_version=999)
        memory = project.memory_or_none()
        assert memory is not None and [s for s in memory.skills() if s["kind"] == "metric_package"] == []
        assert _git(root, "rev-parse", "HEAD") == head and _git(root, "status", "--porcelain") == ""
        assert _git(root, "branch", "--list", branch_for("subscription_value")) != ""
        assert "merged" not in (read_record(root, "subscription_value") or {})
        approved = project.catalog.approve(change_id, "bo")
        assert approved["state"] == "approved"
        assert project.catalog.metric("subscription_value")["status"] == Status.PUBLISHED.value
        # the approved package's pattern is a confirmed skill, found by a definition said another way
        skills = [s for s in memory.skills() if s["kind"] == "metric_package"]
        assert [(s["pattern"], s["successes"]) for s in skills] == [("define:subscription_value", 1)]
        assert skills[0]["template"]["approved_by"] == "bo" and skills[0]["template"]["checks"]
        hits = memory.search("value of the active subscriptions each month", kind="skills")
        assert hits and hits[0].key == skills[0]["id"]
    assert (root / "models/generated/subscription_value/subscription_value.md").exists()
    assert "Merge generated package subscription_value" in _git(root, "log", "-1", "--format=%s", "HEAD^0")
    assert _git(root, "branch", "--list", branch_for("subscription_value")) == ""


def test_refused_or_unread_writes_nothing(small_demo: Path, tmp_path: Path) -> None:
    root = _copy(small_demo, tmp_path / "demo", git=True)
    with Project.load(root) as project:
        refused = analyze(Definition("nps", "Net Promoter Score of customers"), project.model)
        with pytest.raises(GenerateError, match="nothing to generate"):
            generate(refused, project)
        unread = analyze(
            Definition("odd_events", "Number of product events", ("Weighted by the phase of the moon",)),
            project.model,
        )
        package = generate(unread, project.model)
        assert package.problems and "could not be read" in package.problems[0]
        catalog = project.catalog
        catalog.add_user("ada", "editor")
        with pytest.raises(GenerateError, match="cannot be written"):
            write_package(package, root, catalog, "ada")
        assert catalog.changes() == []
    assert _git(root, "branch", "--list", "metricmind/*") == "" and _git(root, "status", "--porcelain") == ""


def test_failing_build_on_write_keeps_nothing(small_demo: Path, tmp_path: Path, dbt: str) -> None:
    root = _copy(small_demo, tmp_path / "demo", git=True)
    package = _package(root)
    with DuckDBWarehouse(root / "target/warehouse.duckdb", read_only=False) as wh:
        wh.execute("update main.mart_customer_lifecycle_canonical set mrr = -mrr - 1 where mrr > 0")
    with Project.load(root) as project:
        catalog = project.catalog
        catalog.add_user("ada", "editor")
        with pytest.raises(PackageBlocked, match="non_negative: fail") as blocked:
            write_package(
                package, root, catalog, "ada", build=True, executable=dbt, settings=project.settings
            )
        assert "Nothing was written" in (blocked.value.hint or "")
        assert catalog.changes() == []
    assert (
        _git(root, "branch", "--list", "metricmind/*") == ""
        and read_record(root, "subscription_value") is None
    )


NEW = {
    "paid_seats": Definition(
        "paid_seats",
        "Total seats on paid subscriptions that are live at the end of the month",
        ("Exclude trials",),
    ),
    "product_active_accounts": Definition(
        "product_active_accounts", "Distinct customers with at least one product event in the month"
    ),
}


@pytest.mark.parametrize("name", sorted(NEW))
def test_new_model_or_measure_package_builds_and_equals_the_preview(
    small_demo: Path, tmp_path: Path, dbt: str, name: str
) -> None:
    root = _copy(small_demo, tmp_path / "demo")
    with Project.load(root) as project:
        proposal = analyze(NEW[name], project.model, dialect=project.dialect)
        assert proposal.refused is None, proposal.message
        package = generate(proposal, project, run_sql=lambda sql: project.warehouse.run(sql).rows)
        preview = project.warehouse.run(proposal_sql(project.model, proposal, dialect=project.dialect)).rows
    assert package.problems == []
    if name == "paid_seats":  # a new dbt model: SQL with its reasons, generic tests, its semantic model
        assert package.new_model == "subscriptions_month_end"
        sql = package.files["models/generated/paid_seats/subscriptions_month_end.sql"]
        assert sql.startswith("-- subscriptions_month_end: the model behind metric paid_seats")
        assert "Materialization: table" in sql and "{{ ref('fct_subscriptions_canonical') }}" in sql
        props = yaml.safe_load(package.files["models/generated/paid_seats/paid_seats.yml"])
        assert props["models"][0]["config"]["materialized"] == "table"
        assert props["semantic_models"][0]["name"] == "subscriptions_month_end"
        assert {c.kind for c in package.checks} == {"generic", "singular"}
    else:  # a new measure on an existing semantic model: that file, with the measure appended
        edited = package.files["models/semantic/product.yml"]
        before = (root / "models/semantic/product.yml").read_text(encoding="utf-8")
        assert edited.startswith(before.split("measures:")[0]) and "name: product_active_accounts" in edited
    for rel, text in package.files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    result = build(root, package.selection, executable=dbt)
    assert result.ok, result.summary() + result.output[-2000:]
    tests = {n.name for n in result.nodes if n.resource_type == "test"}
    assert tests == {c.name for c in package.checks}
    with Project.load(root) as project:
        assert [i for i in project.validate(deep=True) if i.level.value == "error"] == []
        query = MetricQuery.build(name, [MONTH], order_by=[MONTH])
        built = project.run(query).rows
    assert len(built) > 12 and built == preview
