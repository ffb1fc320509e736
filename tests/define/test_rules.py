"""Rule grammar details: dates, polarity, ambiguous values, values in the definition, derived inputs."""

from __future__ import annotations

import datetime as dt

import pytest

from metricmind.define import Definition, analyze
from metricmind.project import Project
from tests.define.test_analyze import by_month


def test_date_rule_moves_the_metric_to_the_measure_dated_by_it(demo: Project) -> None:
    p = analyze(
        Definition(
            "paid_excl_wire", "Total amount of invoices, excluding wire transfers", ("Date by payment date",)
        ),
        demo.model,
    )
    assert p.metric is not None, p.message
    assert p.metric["type_params"] == {"measure": "paid_amount"}
    assert p.time_dimension is not None and p.time_dimension.name == "paid_at"
    got = by_month(demo, p.metric)
    hand = demo.warehouse.run(
        "select date_trunc('month', paid_at)::date, sum(amount) from fct_invoices_canonical "
        "where payment_method <> 'wire' and paid_at >= '2024-01-01' and paid_at < '2025-01-01' group by 1"
    )
    assert got == pytest.approx({r[0]: float(r[1]) for r in hand.rows})


def test_a_rule_is_covered_only_with_the_same_polarity(demo: Project) -> None:
    p = analyze(
        Definition(
            "x_mrr",
            "Month-end recurring revenue",
            ("Exclude trial subscriptions", "Only trial subscriptions"),
        ),
        demo.model,
    )
    assert p.refused == "contradictory_rules" and p.metric is None
    assert [r.status for r in p.rules] == ["covered", "filter"]


def test_a_value_of_two_dimensions_is_not_guessed(demo: Project) -> None:
    vague = analyze(Definition("x_mrr", "Month-end recurring revenue", ("Only Enterprise",)), demo.model)
    assert vague.unread and "customer__segment" in vague.unread[0].reason
    assert "subscription__plan_tier" in vague.unread[0].reason
    named = analyze(
        Definition("x_mrr", "Month-end recurring revenue", ("Only the Enterprise segment",)), demo.model
    )
    assert (
        named.metric is not None
        and named.metric["filter"] == "{{ Dimension('customer__segment') }} = 'Enterprise'"
    )


def test_a_value_named_only_in_the_definition_is_applied(demo: Project) -> None:
    p = analyze(Definition("emea_mrr", "Month-end recurring revenue from EMEA customers"), demo.model)
    assert p.metric is not None and p.metric["filter"] == "{{ Dimension('customer__region') }} = 'EMEA'"
    assert p.rules[0].text.startswith("(in the definition)")


def test_a_rule_on_a_derived_metric_filters_its_input_and_executes(demo: Project) -> None:
    p = analyze(
        Definition("emea_arr", "Annualized recurring revenue at the end of each month", ("EMEA only",)),
        demo.model,
    )
    assert p.metric is not None and p.metric["type"] == "derived"
    assert p.metric["type_params"]["metrics"][0]["filter"] == "{{ Dimension('customer__region') }} = 'EMEA'"
    got = by_month(demo, p.metric)
    hand = demo.warehouse.run(
        "select l.month_start, 12 * sum(l.mrr) from mart_customer_lifecycle_canonical l "
        "join dim_customers_canonical c using (customer_id) where c.region = 'EMEA' "
        "and l.month_start between '2024-01-01' and '2024-12-01' group by 1"
    )
    want = {(r[0].date() if isinstance(r[0], dt.datetime) else r[0]): float(r[1]) for r in hand.rows}
    assert len(want) == 12 and got == pytest.approx(want)


def test_a_state_column_on_a_snapshot_is_not_filtered(demo: Project) -> None:
    p = analyze(
        Definition(
            "x_overdue",
            "Amount of invoices unpaid past their due date at the end of each month",
            ("Not paid",),
        ),
        demo.model,
    )
    assert p.metric is not None and "filter" not in p.metric
    assert p.rules[0].status == "unread" and "rewrite the past" in p.rules[0].reason
