"""The materialization policy wired into the DuckDB rollup build: views, incremental refreshes and the
policy's own choices all give the plain plan's rows; an incremental refresh that would differ is
rebuilt in full; the policy is rewarded from the measured costs and kept beside the manifest."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from metricmind import MetricQuery, Project
from metricmind.learn.rollup import spec_for
from metricmind.learn.safety import same_answer
from metricmind.project.rollups import RollupStore, data_version
from metricmind.project.rollups_build import kinds_for
from metricmind.warehouse.duckdb import DuckDBWarehouse

MONTH = MetricQuery.build("invoice_revenue", ["metric_time__month", "customer__segment"])
YEAR = MetricQuery.build("invoice_revenue", "metric_time__year")


@pytest.fixture
def root(demo_built: Path, tmp_path: Path) -> Path:
    target = tmp_path / "demo"
    shutil.copytree(demo_built, target, ignore=shutil.ignore_patterns(".metricmind"))
    return target


@pytest.fixture
def demo(root: Path) -> Iterator[Project]:
    with Project.load(root) as project:
        yield project


def same(project: Project, store: RollupStore, query: MetricQuery) -> bool:
    found = store.find(project, query, data_version(project))
    assert found is not None, query
    got = store.run(found[1])
    plain = project._run_plain(query)
    return same_answer(plain.rows, got.rows) and got.columns == plain.columns


def write(root: Path, sql: str) -> None:
    with DuckDBWarehouse(root / "target" / "warehouse.duckdb", read_only=False) as wh:
        wh.execute(sql)


def test_which_kinds_apply() -> None:
    from metricmind.learn.rollup import RollupSpec

    by_day = RollupSpec("invoice_revenue", ("metric_time__day", "customer__segment"), reagg="SUM")
    exact = RollupSpec("new_customers", ("metric_time__month",))
    assert kinds_for(by_day) == ["table", "incremental", "view", "ephemeral"]
    assert kinds_for(exact) == ["table", "view", "ephemeral"]  # no time column to refresh by


def test_a_view_rollup_reads_the_live_rows(demo: Project, root: Path) -> None:
    spec = spec_for(demo.model, MONTH)
    assert spec is not None
    store = RollupStore(demo.state_dir / "rollups")
    report = store.build(demo, [spec], kind="view")
    assert report["kinds"] == {spec.name: "view"} and not report["failed"]
    assert same(demo, store, MONTH) and same(demo, store, YEAR)
    demo.close()
    write(root, "UPDATE main.fct_invoices_canonical SET amount = amount + 1")
    with Project.load(root) as changed:
        assert same(changed, store, YEAR)  # a view is never stale: it reads the new rows


def test_an_incremental_rollup_is_refreshed_and_verified(demo: Project, root: Path) -> None:
    spec = spec_for(demo.model, MONTH)
    assert spec is not None
    store = RollupStore(demo.state_dir / "rollups")
    assert store.build(demo, [spec], kind="incremental")["kinds"] == {spec.name: "incremental"}
    assert same(demo, store, MONTH)
    demo.close()
    newest = "(SELECT MAX(paid_at) FROM main.fct_invoices_canonical)"
    write(root, f"UPDATE main.fct_invoices_canonical SET amount = amount + 7 WHERE paid_at >= {newest}")
    with Project.load(root) as changed:
        assert store.find(changed, MONTH, data_version(changed)) is None  # stale until refreshed
        report = store.build(changed, [spec], kind="incremental")
        assert report["built"] == [spec.name] and not report["failed"]
        assert same(changed, store, MONTH) and same(changed, store, YEAR)
    # an old day changes: the refresh alone would differ, so the rollup is rebuilt in full
    write(root, "UPDATE main.fct_invoices_canonical SET amount = amount * 3 WHERE paid_at < '2025-01-01'")
    with Project.load(root) as old_changed:
        report = store.build(old_changed, [spec], kind="incremental")
        assert report["rollups"] == 1 and not report["failed"]
        assert same(old_changed, store, MONTH)


def test_the_policy_chooses_each_rollups_kind_and_learns(demo: Project) -> None:
    queries = [
        MONTH,
        YEAR,
        MetricQuery.build("signups", "metric_time__week"),
        MetricQuery.build("new_customers"),
    ]
    specs = [s for s in (spec_for(demo.model, q) for q in queries) if s is not None]
    store = RollupStore(demo.state_dir / "rollups")
    report = store.build(demo, specs, {s.key: 25 for s in specs})
    assert not report["failed"]
    assert len(report["kinds"]) + len(report["ephemeral"]) == len(specs)
    for rollup in store.rollups():
        assert rollup.extra["kind"] == report["kinds"][rollup.table] in kinds_for(rollup.spec)
        assert rollup.build_ms >= 0 and rollup.extra["read_ms"] > 0
    for query in queries:
        if store.find(demo, query, data_version(demo)) is not None:
            assert same(demo, store, query)
    state = json.loads((store.folder / "materialize.json").read_text())
    before = state["experiences"]
    store.build(demo, specs, {s.key: 25 for s in specs})  # current ones kept: nothing new to learn
    after = json.loads((store.folder / "materialize.json").read_text())["experiences"]
    assert after == before + len(report["ephemeral"])  # only the unbuilt ones are decided again
