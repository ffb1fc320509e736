"""The package renderer: source tests run on DuckDB find exactly the offending rows; files and selection."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from metricmind.export import MetricSpec, NewModel, SourceTest, render, source_test_sql
from metricmind.warehouse.duckdb import DuckDBWarehouse

ROWS = "(1, 'a', 10), (2, 'b', -5), (2, 'z', null), (3, null, 7)"


@pytest.fixture
def wh(tmp_path: Path) -> Iterator[DuckDBWarehouse]:
    with DuckDBWarehouse(tmp_path / "w.duckdb", read_only=False) as w:
        w.execute(f"create table things as select * from (values {ROWS}) as t(id, kind, amount)")
        yield w


@pytest.mark.parametrize(
    ("test", "expected"),
    [
        (SourceTest("not_null", "things", ("amount",)), [(2, "z", None)]),
        (SourceTest("unique", "things", ("id",)), [(2, 2)]),
        (SourceTest("unique", "things", ("id", "kind")), []),
        (SourceTest("non_negative", "things", ("amount",)), [(2, "b", -5)]),
        (SourceTest("accepted_values", "things", ("kind",), ("a", "b")), [("z", 1)]),
    ],
)
def test_source_tests_return_the_offending_rows(
    wh: DuckDBWarehouse, test: SourceTest, expected: list[tuple[object, ...]]
) -> None:
    rows = [tuple(r) for r in wh.run(source_test_sql(test, "main.things") + " order by all").rows]
    assert rows == expected


def test_render_new_model_with_generic_tests_helpers_and_selection() -> None:
    sm = {"name": "things_sm", "model": "ref('things')", "entities": [{"name": "thing", "type": "primary"}]}
    spec = MetricSpec(
        name="thing_total",
        label="Thing total",
        definition="Total amount of things",
        metric_yaml="metrics:\n- name: thing_total\n",
        metric={"name": "thing_total", "type": "ratio"},
        rules=("Only kind a",),
        by_month_sql="select 1 as metric_time__month, 2 as thing_total",
        source_tests=(
            SourceTest("unique", "things", ("id",)),
            SourceTest("accepted_values", "things", ("kind",), ("a", "b")),
            SourceTest("non_negative", "things", ("amount",)),
            SourceTest("not_null", "raw_things", ("id",)),
        ),
        new_model=NewModel(
            "things", "select * from {{ ref('raw_things') }}", sm, "view", "light and current"
        ),
        helper_metrics=({"name": "thing_count", "type": "simple"},),
        edited_files=(("models/semantic/x.yml", "semantic_models: []\n"),),
    )
    pkg = render(spec)
    props = yaml.safe_load(pkg.files["models/generated/thing_total/thing_total.yml"])
    model = props["models"][0]
    assert model["config"] == {"materialized": "view", "tags": ["metricmind_thing_total"]}
    assert model["description"] == "{{ doc('thing_total') }}"
    assert {c["name"]: c["data_tests"] for c in model["columns"]} == {
        "id": ["unique"],
        "kind": [{"accepted_values": {"arguments": {"values": ["a", "b"]}}}],
    }
    assert props["semantic_models"] == [sm] and props["metrics"] == [
        {"name": "thing_count", "type": "simple"}
    ]
    sql = pkg.files["models/generated/thing_total/things.sql"]
    assert "-- Materialization: view" in sql and "light and current" in sql and "Rule: Only kind a" in sql
    assert sql.rstrip().endswith("select * from {{ ref('raw_things') }}")
    assert pkg.files["models/semantic/x.yml"] == "semantic_models: []\n"
    singular = sorted(p for p in pkg.files if p.startswith("tests/"))
    assert singular == [
        "tests/generated/thing_total/thing_total_month_grain_unique.sql",
        "tests/generated/thing_total/thing_total_not_null.sql",
        "tests/generated/thing_total/thing_total_raw_things_id_not_null.sql",
        "tests/generated/thing_total/thing_total_things_amount_non_negative.sql",
    ]
    assert pkg.selection == ["path:models/generated/thing_total", "path:tests/generated/thing_total"]
    assert {c.kind for c in pkg.checks} == {"generic", "singular"} and len(pkg.checks) == 6
    assert pkg.pattern["materialization"] == "view" and pkg.pattern["metric_type"] == "ratio"
    assert [f["path"] for f in pkg.to_dict()["files"]] == sorted(pkg.files)
