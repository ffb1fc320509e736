"""Breakdowns that add up: joins only many-to-one by default, overlapping groups only when asked for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from metricmind.errors import FanOutError, FilterError, JoinError
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from tests.compiler.marketplace import write_project


@pytest.fixture(scope="module")
def market(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project.load(write_project(tmp_path_factory.mktemp("market") / "market"))


def total_of(rows: list[tuple[Any, ...]], column: int = -1) -> float:
    return float(sum(r[column] or 0 for r in rows))


def test_foreign_to_foreign_is_refused_with_the_path_and_why(market: Project) -> None:
    with pytest.raises(FanOutError) as err:
        market.run(MetricQuery.build("inventory_on_hand", "buyer__loyalty_tier"))
    e = err.value
    assert "would count a row in several groups" in e.message
    assert "`product` is foreign in both `inventory_daily` and `order_lines`" in e.message
    assert e.path == "inventory_daily → order_lines → orders → buyers"
    assert e.hint and "--overlapping-groups" in e.hint and "allow_overlap=True" in e.hint
    assert e.to_dict()["error"] == "fan_out" and e.to_dict()["path"] == e.path


def test_one_to_many_is_refused_and_suggests_the_dimension_that_adds_up(shop: Project) -> None:
    with pytest.raises(FanOutError) as err:
        shop.compile(MetricQuery.build("new_customers", "order__status"))
    assert "`customer` is a key of `customers` but foreign in `orders`" in err.value.message
    assert err.value.path == "customers → orders"


def test_refusal_suggests_a_reachable_dimension_of_the_same_name(market: Project) -> None:
    with pytest.raises(FanOutError) as err:
        market.compile(MetricQuery.build("order_count", "order_line__ordered_at"))
    assert err.value.suggestions == ("order__ordered_at",)
    assert err.value.hint and "Did you mean 'order__ordered_at'?" in err.value.hint


def test_a_filter_through_a_fan_out_join_is_refused_too(shop: Project) -> None:
    where = "{{ Dimension('order__status') }} = 'completed'"
    with pytest.raises(FanOutError) as err:
        shop.compile(MetricQuery.build("new_customers", where=where))
    assert err.value.message.startswith(f"filter {where!r}: 'order__status' has several values for one row")
    assert "customers → orders" in err.value.message and "any one of them matches" in err.value.message
    assert err.value.hint and "Metric(" in err.value.hint and "allow_overlap=True" in err.value.hint
    rows = shop.run(MetricQuery.build("new_customers", where=where, allow_overlap=True)).rows
    expected = shop.warehouse.run(
        "select count(*) from main.customers where customer_id in "
        "(select customer_id from main.orders where status = 'completed')"
    ).rows
    assert rows == expected


def test_overlapping_groups_when_asked_say_so_and_carry_the_true_total(market: Project) -> None:
    query = MetricQuery.build("inventory_on_hand", "buyer__loyalty_tier", allow_overlap=True)
    result = market.run(query)
    alone = market.run(MetricQuery.build("inventory_on_hand")).rows[0][0]
    assert result.overlapping == ("buyer__loyalty_tier",)
    assert result.total is not None and result.total.rows == [(alone,)]
    assert total_of(result.rows) > alone  # the groups overlap: that is why it must be asked for
    assert (
        result.note and "Overlapping groups" in result.note and f"inventory_on_hand = {alone}" in result.note
    )
    data = result.to_dict()
    assert data["overlapping_groups"] == ["buyer__loyalty_tier"]
    assert data["total"] == {"columns": ["inventory_on_hand"], "rows": [[alone]]}
    assert data["note"] == result.note
    assert MetricQuery.from_dict(query.to_dict()) == query


def test_the_membership_reading_is_each_row_once_per_group(market: Project) -> None:
    result = market.run(
        MetricQuery.build(
            "inventory_rows", "buyer__loyalty_tier", allow_overlap=True, order_by="buyer__loyalty_tier"
        )
    )
    expected = market.warehouse.run(
        """select t.loyalty_tier, count(i.product_id) from inventory_daily i
        left join (select distinct l.product_id, b.loyalty_tier from order_lines l
                   left join orders o on o.order_id = l.order_id left join buyers b on b.buyer_id = o.buyer_id) t
          on t.product_id = i.product_id
        group by 1 order by 1 nulls last"""
    ).rows
    assert result.rows == expected


def test_opting_in_changes_nothing_when_no_join_fans_out(market: Project) -> None:
    plain = market.run(MetricQuery.build("revenue", "order__buyer__region__continent"))
    opted = market.run(MetricQuery.build("revenue", "order__buyer__region__continent", allow_overlap=True))
    assert opted.rows == plain.rows and opted.sql == plain.sql
    assert opted.overlapping == () and opted.note is None and "overlapping_groups" not in opted.to_dict()


def test_overlapping_total_keeps_the_other_groups(market: Project) -> None:
    result = market.run(
        MetricQuery.build("inventory_rows", "metric_time__month,buyer__loyalty_tier", allow_overlap=True)
    )
    by_month = market.run(MetricQuery.build("inventory_rows", "metric_time__month")).rows
    assert result.total is not None and result.total.rows == by_month
    assert result.note and "true totals without buyer__loyalty_tier" in result.note


def test_natural_entity_without_validity_window_is_not_a_join_key(tmp_path: Path) -> None:
    from tests.spec.test_loader import write_project as write_yaml

    root = write_yaml(
        tmp_path,
        """
semantic_models:
  - name: deals
    model: ref('deals')
    defaults: {agg_time_dimension: day}
    entities: [{name: deal, type: primary}, {name: account, type: foreign}]
    dimensions: [{name: day, type: time, type_params: {time_granularity: day}}]
    measures: [{name: amount, agg: sum}]
  - name: account_notes
    model: ref('account_notes')
    primary_entity: account_note
    entities: [{name: account, type: natural}]
    dimensions: [{name: tier, type: categorical}]
metrics:
  - {name: deal_amount, type: simple, type_params: {measure: amount}}
""",
    )
    project = Project.load(root)
    assert "account__tier" not in {d.name for d in project.dimensions("deal_amount")}
    with pytest.raises(FanOutError) as err:
        project.compile(MetricQuery.build("deal_amount", "account__tier"))
    assert "natural in `account_notes` without a validity window" in err.value.message


def test_filters_mixing_sides_of_a_fan_out_join_are_still_refused(shop: Project) -> None:
    where = "{{ Dimension('order__status') }} = 'completed' or {{ Dimension('customer__segment') }} = 'SMB'"
    with pytest.raises(FilterError):
        shop.compile(MetricQuery.build("new_customers", where=where, allow_overlap=True))


def test_refusal_is_a_join_error_for_existing_handlers(shop: Project) -> None:
    with pytest.raises(JoinError):
        shop.compile(MetricQuery.build("new_customers", "order__status"))


def test_metric_filters_inside_an_opted_in_query_still_join_many_to_one(shop: Project) -> None:
    graph = shop.graph
    assert graph.overlapping.many_to_one is graph and graph.many_to_one is graph
    query = MetricQuery.build(
        "new_customers",
        "order__status",
        where="{{ Metric('orders', group_by=['customer']) }} > 1",
        allow_overlap=True,
    )
    rows = shop.run(query).rows
    expected = shop.warehouse.run(
        """select o.status, count(c.customer_id) from main.customers c
        left join (select distinct customer_id, status from main.orders) o using (customer_id)
        where c.customer_id in (select customer_id from main.orders group by 1 having count(*) > 1)
        group by 1 order by 1 nulls last"""
    ).rows
    assert rows == expected


def test_validate_warehouse_proves_the_join_keys_are_keys(tmp_path: Path, shop: Project) -> None:
    import duckdb

    root = write_project(tmp_path / "market")
    assert not [i for i in Project.load(root).validate(warehouse=True) if "repeats" in i.message]
    con = duckdb.connect(str(root / "target" / "marketplace.duckdb"))
    con.execute("insert into buyers select buyer_id, region_code, 'platinum' from buyers where buyer_id = 3")
    con.close()
    project = Project.load(root)
    found = [i for i in project.validate(warehouse=True) if "repeats" in i.message]
    assert len(found) == 1 and found[0].code == "warehouse"
    assert "primary entity 'buyer' repeats in buyers: '3' (2 rows)" in found[0].message
    assert found[0].file == "models/marketplace.yml" and found[0].hint
    # the slowly changing dimension's natural key is one per validity start
    assert not [i for i in shop.validate(warehouse=True) if "repeats" in i.message]
