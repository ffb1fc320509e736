"""Bad queries get clear errors with suggestions; filters can never inject SQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from metricmind.errors import FilterError, JoinError, QueryError, UnknownNameError
from metricmind.project import Project
from metricmind.spec.query import MetricQuery


def compile_(shop: Project, **kw: object) -> str:
    return shop.compile(MetricQuery.build(**kw))  # type: ignore[arg-type]


def test_unknown_metric_suggests_closest(shop: Project) -> None:
    with pytest.raises(UnknownNameError) as err:
        compile_(shop, metrics="revenu")
    assert "revenue" in err.value.suggestions
    assert "Did you mean 'revenue'" in str(err.value)


def test_unknown_dimension_suggests_closest(shop: Project) -> None:
    with pytest.raises(UnknownNameError) as err:
        compile_(shop, metrics="revenue", group_by="customer__segmnt")
    assert "customer__segment" in err.value.suggestions


def test_dimension_of_an_unrelated_model_is_a_join_error(tmp_path: object) -> None:
    from tests.spec.test_loader import write_project

    root = write_project(
        tmp_path,
        """
semantic_models:
  - name: sales
    model: ref('sales')
    defaults: {agg_time_dimension: day}
    entities: [{name: sale, type: primary}]
    dimensions: [{name: day, type: time, type_params: {time_granularity: day}}]
    measures: [{name: amount, agg: sum}]
  - name: weather
    model: ref('weather')
    entities: [{name: station, type: primary}]
    dimensions: [{name: temperature, type: categorical}]
metrics:
  - {name: sales_amount, type: simple, type_params: {measure: amount}}
""",
    )
    with pytest.raises(JoinError) as err:
        Project.load(root).compile(MetricQuery.build("sales_amount", "station__temperature"))
    assert "cannot be joined" in err.value.message and err.value.hint


def test_wrong_entity_path_lists_reachable_names(shop: Project) -> None:
    with pytest.raises(JoinError) as err:
        compile_(shop, metrics="revenue", group_by="product__continent")
    assert err.value.hint and "customer__region__continent" in err.value.hint


@pytest.mark.parametrize(
    "where",
    [
        "1 = 1; DROP TABLE orders",
        "customer__segment = 'SMB' UNION SELECT * FROM customers",
        "customer__segment IN (SELECT segment FROM customers)",
        "orders.amount > 0",
        "{% if true %} 1 = 1 {% endif %}",
        "{{ Dimension('customer__segment') ",
        "{{ __import__('os').system('x') }} = 1",
        "pg_sleep(10) is null",
    ],
)
def test_injection_is_refused(shop: Project, where: str) -> None:
    with pytest.raises(FilterError):
        compile_(shop, metrics="revenue", where=where)


def test_filter_values_stay_literals(shop: Project) -> None:
    sql = compile_(shop, metrics="revenue", where="customer__segment = 'x''; DROP TABLE orders; --'")
    assert "DROP TABLE orders; --'" in sql  # inside a string literal, quoted
    result = shop.run(MetricQuery.build("revenue", where="customer__segment = 'x''; DROP TABLE orders; --'"))
    assert result.rows == [(None,)]


def test_offset_without_metric_time_says_what_to_add(shop: Project) -> None:
    with pytest.raises(QueryError) as err:
        compile_(shop, metrics="revenue_growth_mom", group_by="customer__segment")
    assert err.value.hint and "metric_time" in err.value.hint


def test_empty_time_range(shop: Project) -> None:
    with pytest.raises(QueryError, match="empty"):
        MetricQuery.build("revenue", start="2024-02-01", end="2024-01-01")


def test_bad_dialect_suggests(shop: Project) -> None:
    with pytest.raises(QueryError) as err:
        shop.compile(MetricQuery.build("revenue"), "postgress")
    assert err.value.hint and "postgres" in err.value.hint


def test_order_by_unknown_column(shop: Project) -> None:
    with pytest.raises(UnknownNameError):
        compile_(shop, metrics="revenue", group_by="customer__segment", order_by="-revenu")


def test_ambiguous_path_asks_for_explicit_name(tmp_path: object) -> None:
    from tests.spec.test_loader import write_project

    root = write_project(
        tmp_path,
        """
semantic_models:
  - name: sales
    model: ref('sales')
    defaults: {agg_time_dimension: day}
    entities:
      - {name: sale, type: primary}
      - {name: seller, type: foreign}
      - {name: buyer, type: foreign}
    dimensions:
      - {name: day, type: time, type_params: {time_granularity: day}}
    measures:
      - {name: amount, agg: sum}
  - name: sellers
    model: ref('sellers')
    entities:
      - {name: seller, type: primary}
      - {name: country, type: foreign}
  - name: buyers
    model: ref('buyers')
    entities:
      - {name: buyer, type: primary}
      - {name: country, type: foreign}
  - name: countries
    model: ref('countries')
    entities:
      - {name: country, type: primary}
    dimensions:
      - {name: continent, type: categorical}
metrics:
  - {name: sales_amount, type: simple, type_params: {measure: amount}}
""",
    )
    project = Project.load(root)
    with pytest.raises(JoinError) as err:
        project.compile(MetricQuery.build("sales_amount", "country__continent"))
    assert "buyer__country__continent" in (err.value.hint or "")
    assert "seller__country__continent" in (err.value.hint or "")
    sql = project.compile(MetricQuery.build("sales_amount", "seller__country__continent"))
    assert "sellers" in sql and "buyers" not in sql


def test_metric_filter_needs_group_by(shop: Project) -> None:

    with pytest.raises(FilterError, match="needs group_by"):
        shop.compile(MetricQuery.build("revenue", where="{{ Metric('orders') }} > 3"))
    with pytest.raises(UnknownNameError):
        shop.compile(MetricQuery.build("revenue", where="{{ Metric('orderz', group_by=['customer']) }} > 3"))


def test_unknown_custom_granularity(shop: Project) -> None:
    with pytest.raises(UnknownNameError, match="granularity"):
        shop.compile(MetricQuery.build("revenue", "metric_time__fiscal_quarter"))


def test_slowly_changing_dimension_needs_both_bounds(tmp_path: Path) -> None:
    import shutil

    from metricmind.testing.shop import SHOP

    root = tmp_path / "shop"
    shutil.copytree(SHOP, root)
    yml = root / "models" / "semantic_models.yml"
    yml.write_text(yml.read_text().replace("            is_end: true\n", "            is_start: true\n", 1))
    issues = [str(i) for i in Project.load(root, strict=False).issues]
    assert any("exactly one is_start and one is_end" in i for i in issues), issues


def test_every_metric_renders_in_every_dialect_without_sqlglot_warnings(
    shop: object, caplog: pytest.LogCaptureFixture
) -> None:
    """sqlglot warns (and drops the clause) when a dialect cannot state a construct; the compiler builds
    only what each dialect can say (e.g. no NULLS LAST in a BigQuery window frame)."""
    import logging

    from metricmind.compiler.dialects import DIALECTS
    from metricmind.spec.query import MetricQuery

    project = shop
    with caplog.at_level(logging.WARNING, logger="sqlglot"):
        for dialect in DIALECTS:
            for name in project.model.metrics:  # type: ignore[attr-defined]
                for group_by in (["metric_time__month"], ["metric_time__month", "customer__segment"]):
                    try:
                        project.compile(MetricQuery.build(name, group_by), dialect)  # type: ignore[attr-defined]
                    except QueryError:
                        continue  # refused (e.g. exact percentiles in BigQuery): said, not mistranslated
    assert not [r.getMessage() for r in caplog.records if r.name.startswith("sqlglot")]
