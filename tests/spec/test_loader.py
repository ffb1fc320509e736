"""Loading YAML: every issue with file, line and a fix; nothing stops at the first problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from metricmind.errors import Level, SpecError
from metricmind.project import Project
from metricmind.spec.loader import load
from metricmind.spec.model import Agg, EntityType, Grain, MetricType

SHOP = Path(__file__).parents[2] / "metricmind" / "testing" / "projects" / "shop"


def write_project(tmp: object, text: str, name: str = "models/semantic.yml") -> Path:
    root = Path(str(tmp)) / "proj"
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    (root / "metricmind.yml").write_text("name: test\nwarehouse: {type: duckdb, path: target/x.duckdb}\n")
    return root


def errors(root: Path) -> list[str]:
    return [str(i) for i in Project.load(root, strict=False).issues if i.level is Level.ERROR]


def test_shop_loads_every_kind_of_object() -> None:
    result = load(SHOP)
    assert result.ok, result.issues
    m = result.model
    assert {t.value for t in MetricType} == {x.type.value for x in m.metrics.values()}
    assert m.semantic_models["orders"].entity("customer").type is EntityType.FOREIGN  # type: ignore[union-attr]
    assert (
        m.measures["p90_order_amount"].agg is Agg.PERCENTILE
        and m.measures["p90_order_amount"].percentile == 0.9
    )
    assert m.measures["total_balance"].non_additive is not None
    assert m.metrics["revenue"].meta["synonyms"] == ["sales", "turnover"]
    assert m.metrics["revenue_growth_mom"].inputs[1].offset_window == "1 month"
    assert m.metrics["revenue_mtd"].cumulative.grain_to_date is Grain.MONTH  # type: ignore[union-attr]
    assert m.time_spine is not None and m.time_spine.column == "date_day"
    assert m.saved_queries["revenue_by_segment"].group_by[0] == "TimeDimension('metric_time', 'month')"
    assert m.metrics["revenue"].file == "models/metrics.yml" and m.metrics["revenue"].line == 3


def test_malformed_yaml_names_file_line_and_fix(tmp_path: Path) -> None:
    root = write_project(tmp_path, "metrics:\n  - name: a\n    type: simple\n  foo: [\n")
    (found,) = errors(root)
    assert "models/semantic.yml:4" in found and "invalid YAML" in found and "hint:" in found


def test_tabs_get_a_specific_hint(tmp_path: Path) -> None:
    root = write_project(tmp_path, "metrics:\n\t- name: a\n")
    (found,) = errors(root)
    assert "tab" in found.lower()


def test_every_issue_is_collected(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        """
semantic_models:
  - name: orders
    model: ref('orders')
    defaults: {agg_time_dimensoin: ordered_at}
    entities:
      - {name: order, type: primary, expr: order_id}
    dimensions:
      - {name: ordered_at, type: time, type_params: {time_granularity: day}}
    measures:
      - {name: total, agg: summ, expr: amount}
      - {name: n, agg: count, expr: order_id, agg_time_dimension: orderd_at}
metrics:
  - {name: revenue, type: simple, type_params: {measure: totl}}
  - {name: ratio, type: ratio, type_params: {numerator: revenue, denominator: nothing}}
  - {name: d, type: derived, type_params: {expr: revenue - x, metrics: [{name: revenue}]}}
  - {name: bad_filter, type: simple, type_params: {measure: n}, filter: "1=1; drop table t"}
  - {name: Bad-Name, type: simple, type_params: {measure: n}}
""",
    )
    found = "\n".join(errors(root))
    assert "unknown key 'agg_time_dimensoin'" in found and "did you mean 'agg_time_dimension'" in found
    assert "agg 'summ'" in found and "did you mean 'sum'" in found
    assert "'orderd_at' is not a time dimension" in found and "'ordered_at'" in found
    assert "unknown measure 'totl'" in found
    assert "unknown metric 'nothing'" in found
    assert "'x', which is not one of its input metrics" in found
    assert "bad_filter" in found and "not a single condition" in found
    assert "lower snake_case" in found
    assert all(":" in line.split()[1] for line in found.splitlines())  # every one has file:line


def test_cycles_are_reported(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        """
metrics:
  - {name: a, type: derived, type_params: {expr: b, metrics: [{name: b}]}}
  - {name: b, type: derived, type_params: {expr: a, metrics: [{name: a}]}}
""",
    )
    assert any("cycle" in e for e in errors(root))


def test_strict_load_raises_with_all_issues(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        "metrics:\n  - {name: a, type: simple, type_params: {measure: m1}}\n"
        "  - {name: b, type: simple, type_params: {measure: m2}}\n",
    )
    with pytest.raises(SpecError) as err:
        Project.load(root, strict=True)
    assert len(err.value.issues) == 2


def test_duplicate_names(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        "metrics:\n  - {name: a, type: simple, type_params: {measure: m}}\n"
        "  - {name: a, type: simple, type_params: {measure: m}}\n",
    )
    assert any("defined twice" in e for e in errors(root))


def test_deep_validation_runs_metricflow_rules_and_compiles_everything() -> None:
    issues = Project.load(SHOP).validate(deep=True)
    assert not [i for i in issues if i.level is Level.ERROR]
