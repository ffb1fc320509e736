from __future__ import annotations

from pathlib import Path

import pytest

from metricmind.demo.runner import build, discover, order, render
from metricmind.errors import SpecError
from metricmind.warehouse.duckdb import DuckDBWarehouse


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "models" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "models"


def test_render_resolves_ref_and_source(tmp_path: Path) -> None:
    models = discover(
        write(
            tmp_path,
            {
                "b.sql": "select * from {{ ref('a') }} join {{source( 'raw' , \"t\" )}} using (x)",
                "a.sql": "select 1 as x",
            },
        )
    )
    b = next(m for m in models if m.name == "b")
    assert b.refs == {"a"} and b.sources == {("raw", "t")}
    assert render(b) == 'select * from "main"."a" join "raw"."t" using (x)'
    assert (
        render(b, "analytics", {"raw": "landing"})
        == 'select * from "analytics"."a" join "landing"."t" using (x)'
    )


def test_order_is_topological_then_alphabetical(tmp_path: Path) -> None:
    models = discover(
        write(
            tmp_path,
            {
                "marts/d.sql": "select * from {{ ref('c') }}, {{ ref('a') }}",
                "c.sql": "select * from {{ ref('b') }}",
                "b.sql": "select 1",
                "a.sql": "select 2",
                "e.sql": "select 3",
            },
        )
    )
    assert [m.name for m in order(models)] == ["a", "b", "c", "d", "e"]


def test_unknown_ref_suggests_a_name(tmp_path: Path) -> None:
    models = discover(
        write(tmp_path, {"orders.sql": "select 1", "report.sql": "select * from {{ ref('ordres') }}"})
    )
    with pytest.raises(SpecError) as info:
        order(models)
    issue = info.value.issues[0]
    assert "unknown model 'ordres'" in issue.message and issue.hint == "did you mean 'orders'?"
    assert issue.file is not None and issue.file.endswith("report.sql") and issue.line == 1


def test_cycles_are_refused(tmp_path: Path) -> None:
    models = discover(
        write(
            tmp_path,
            {
                "a.sql": "select * from {{ ref('b') }}",
                "b.sql": "select * from {{ ref('a') }}",
                "c.sql": "select 1",
            },
        )
    )
    with pytest.raises(SpecError, match="cycle: a, b"):
        order(models)


def test_other_jinja_is_refused(tmp_path: Path) -> None:
    models = discover(write(tmp_path, {"a.sql": "select 1\n{% if true %}, 2{% endif %}"}))
    with pytest.raises(SpecError) as info:
        render(models[0])
    assert info.value.issues[0].line == 2


def test_duplicate_model_names(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="defined twice"):
        discover(write(tmp_path, {"a.sql": "select 1", "sub/a.sql": "select 2"}))


def test_build_creates_tables_in_order(tmp_path: Path) -> None:
    models = discover(
        write(
            tmp_path,
            {
                "totals.sql": "select sum(x) as total from {{ ref('numbers') }}",
                "numbers.sql": "select range as x from {{ source('raw', 'seed') }}, range(n);",
            },
        )
    )
    with DuckDBWarehouse(tmp_path / "w.duckdb", read_only=False) as wh:
        wh.execute("create schema raw")
        wh.execute("create table raw.seed as select 4 as n")
        runs = build(wh, models)
        assert [(r.name, r.rows) for r in runs] == [("numbers", 4), ("totals", 1)]
        assert wh.run("select total from main.totals").scalar() == 6
