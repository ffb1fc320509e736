"""Real dbt: the demo project builds with it (same tables as metricmind's runner), and failures are reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from metricmind.demo.build import build_demo
from metricmind.export import DbtNotFound, build, find_dbt
from metricmind.warehouse.duckdb import DuckDBWarehouse

TABLES = ("fct_subscriptions_canonical", "mart_customer_lifecycle_canonical", "fct_touchpoint_attribution")


def _fingerprints(path: Path) -> dict[str, tuple[object, ...]]:
    with DuckDBWarehouse(path, read_only=True) as wh:
        out = {}
        for t in TABLES:
            row = wh.run(f"select count(*), sum(hash(t)::hugeint) from main.{t} t").rows[0]  # order-free
            out[t] = tuple(row)
        return out


def test_demo_project_builds_with_real_dbt_into_the_same_tables(tmp_path: Path, dbt: str) -> None:
    root = tmp_path / "demo"
    build_demo(root, scale=150, end_date="2025-03-31", threads=1)
    warehouse = root / "target" / "warehouse.duckdb"
    ours = _fingerprints(warehouse)
    with DuckDBWarehouse(warehouse, read_only=False) as wh:
        for t in TABLES:
            wh.execute(f"drop table main.{t} cascade")
    result = build(root, executable=dbt)
    assert result.ok, result.summary() + "\n" + result.output[-3000:]
    kinds = {n.resource_type for n in result.nodes}
    assert {"model", "test"} <= kinds
    assert all(n.status in {"success", "pass", "no-op"} for n in result.nodes)
    assert _fingerprints(warehouse) == ours


def _tiny_project(root: Path, rows: str) -> None:
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text(
        "name: tiny\nversion: '1.0'\nconfig-version: 2\nprofile: tiny\nmodel-paths: [models]\n",
        encoding="utf-8",
    )
    (root / "profiles.yml").write_text(
        "tiny:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: tiny.duckdb\n"
        "      schema: main\n      threads: 1\n",
        encoding="utf-8",
    )
    (root / "models" / "things.sql").write_text(f"select * from (values {rows}) as t(id, amount)\n")
    (root / "models" / "schema.yml").write_text(
        "version: 2\nmodels:\n  - name: things\n    columns:\n      - name: id\n"
        "        data_tests: [unique, not_null]\n",
        encoding="utf-8",
    )


def test_a_failing_test_is_reported_with_its_node_message_and_sql(tmp_path: Path, dbt: str) -> None:
    _tiny_project(tmp_path / "ok", "(1, 10), (2, 20)")
    ok = build(tmp_path / "ok", ["things"], executable=dbt)
    assert ok.ok and {n.name: n.status for n in ok.nodes} == {
        "things": "success",
        "unique_things_id": "pass",
        "not_null_things_id": "pass",
    }
    _tiny_project(tmp_path / "dup", "(1, 10), (1, 20), (null, 5)")
    bad = build(tmp_path / "dup", ["things"], executable=dbt)
    assert not bad.ok and bad.returncode != 0
    failed = {n.name: n for n in bad.failed}
    assert set(failed) == {"unique_things_id", "not_null_things_id"}
    assert failed["unique_things_id"].failures == 1 and "1 result" in failed["unique_things_id"].message
    assert "things" in failed["unique_things_id"].compiled_sql
    assert "unique_things_id: fail" in bad.summary()


def test_dbt_is_found_by_argument_setting_and_variable_or_refused(
    tmp_path: Path, dbt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("METRICMIND_DBT_EXECUTABLE", raising=False)
    monkeypatch.setenv("METRICMIND_DBT", dbt)
    assert find_dbt() == dbt
    assert find_dbt(settings={"dbt": {"executable": dbt}}) == dbt
    with pytest.raises(DbtNotFound, match="not found") as missing:
        find_dbt(str(tmp_path / "no-dbt"))
    assert "dbt.executable" in (missing.value.hint or "")
    monkeypatch.delenv("METRICMIND_DBT")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DbtNotFound, match="not installed"):
        find_dbt()


def test_build_uses_the_target_asked_for(tmp_path: Path, dbt: str) -> None:
    root = tmp_path / "two"
    _tiny_project(root, "(1, 10)")
    profiles = (root / "profiles.yml").read_text(encoding="utf-8")
    other = "    other:\n      type: duckdb\n      path: other.duckdb\n      schema: main\n      threads: 1\n"
    (root / "profiles.yml").write_text(profiles + other, encoding="utf-8")
    result = build(root, ["things"], executable=dbt, target="other")
    assert result.ok and "--target" in result.command
    assert (root / "other.duckdb").exists() and not (root / "tiny.duckdb").exists()
