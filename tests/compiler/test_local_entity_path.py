"""A model's own elements named through one of its own key entities, as MetricFlow names them.

MetricFlow qualifies a semantic model's dimensions and its other entities with any of the model's primary,
unique or natural entities: ``order__buyer`` is the orders model's own ``buyer`` column for a metric of
orders, ``order_ref__channel`` its ``channel`` when ``order_ref`` is a unique entity of orders. It refuses
``order__order`` (an entity through itself) and a longer path from the model's own entity
(``order__buyer__loyalty_tier``); so does metricmind. Checked against MetricFlow on the lastmile sample in
``tests/foreign/test_lastmile_vs_metricflow.py``.
"""

from __future__ import annotations

import pytest

from metricmind.errors import JoinError
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from tests.compiler.marketplace import write_project

UNIQUE = "      - {name: buyer, type: foreign, expr: buyer_id}\n"


@pytest.fixture(scope="module")
def market(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = write_project(tmp_path_factory.mktemp("market_local") / "market")
    yml = root / "models" / "marketplace.yml"
    text = yml.read_text()
    assert text.count(UNIQUE) == 1
    yml.write_text(text.replace(UNIQUE, UNIQUE + "      - {name: order_ref, type: unique, expr: order_id}\n"))
    return Project.load(root)


def rows_of(
    project: Project, metric: str, group_by: str, where: str | None = None
) -> list[tuple[object, ...]]:
    return sorted(project.run(MetricQuery.build(metric, group_by, where=where)).rows, key=repr)


def warehouse(project: Project, sql: str) -> list[tuple[object, ...]]:
    return sorted(project.warehouse.run(sql).rows, key=repr)


def test_a_foreign_entity_through_the_models_primary_entity(market: Project) -> None:
    expected = warehouse(market, "select buyer_id, count(order_id) from main.orders group by 1")
    assert len(expected) > 10
    assert rows_of(market, "order_count", "order__buyer") == expected
    assert rows_of(market, "order_count", "buyer") == expected


def test_a_foreign_entity_through_a_unique_entity_and_a_dimension_too(market: Project) -> None:
    expected = warehouse(market, "select buyer_id, count(order_id) from main.orders group by 1")
    assert rows_of(market, "order_count", "order_ref__buyer") == expected
    channels = warehouse(market, "select channel, sum(shipping_fee) from main.orders group by 1")
    assert rows_of(market, "shipping", "order_ref__channel") == channels
    assert rows_of(market, "shipping", "order__channel") == channels


def test_the_primary_through_a_unique_entity_and_back(market: Project) -> None:
    expected = warehouse(market, "select order_id, count(order_id) from main.orders group by 1")
    assert rows_of(market, "order_count", "order_ref__order") == expected
    assert rows_of(market, "order_count", "order__order_ref") == expected


def test_a_declared_primary_entity_names_the_models_foreign_entity(market: Project) -> None:
    expected = warehouse(market, "select product_id, count(product_id) from main.inventory_daily group by 1")
    assert rows_of(market, "inventory_rows", "inventory_snapshot__product") == expected


def test_in_a_filter_and_in_a_ratio_across_models(market: Project) -> None:
    where = "{{ Entity('order__buyer') }} in (1, 2, 3)"
    expected = warehouse(market, "select count(order_id) from main.orders where buyer_id in (1, 2, 3)")
    assert market.run(MetricQuery.build("order_count", where=where)).rows == expected
    # revenue lives on order lines, which reach the buyer through the order: one group-by name for both
    ratio = dict(market.run(MetricQuery.build("revenue_per_order", "order__buyer")).rows)
    line_revenue = dict(
        warehouse(
            market,
            "select o.buyer_id, sum(l.quantity * l.price) from main.order_lines l "
            "left join main.orders o on l.order_id = o.order_id group by 1",
        )
    )
    orders = dict(warehouse(market, "select buyer_id, count(order_id) from main.orders group by 1"))
    assert set(ratio) == set(orders)
    for buyer, value in ratio.items():
        if value is not None:
            assert float(value) == pytest.approx(float(line_revenue[buyer]) / orders[buyer])
    assert sum(1 for v in ratio.values() if v is not None) > 10


@pytest.mark.parametrize(
    "name",
    ["order__order", "order_ref__order_ref", "order__buyer__loyalty_tier", "order__region", "buyer__channel"],
)
def test_what_metricflow_refuses_is_refused(market: Project, name: str) -> None:
    with pytest.raises(JoinError):
        market.compile(MetricQuery.build("order_count", name))
