"""New parts executed on the demo: a value group, a documented conversion, a ratio of two existing metrics."""

from __future__ import annotations

from metricmind.define import Definition, analyze
from metricmind.define.extend import proposal_sql, warehouse_columns
from metricmind.project import Project


def _rows(demo: Project, sql: str) -> dict[str, float]:
    return {str(r[0])[:10]: float(r[1] or 0) for r in demo.warehouse.run(sql).rows}


def test_a_value_group_keeps_each_of_its_values(demo: Project) -> None:
    p = analyze(
        Definition("mobile_users", "Distinct users on mobile each month", ("Only mobile",)), demo.model
    )
    assert p.refused is None, p.message
    assert p.rules[0].predicate == "{{ Dimension('event__platform') }} in ('ios', 'android')"
    got = _rows(demo, proposal_sql(demo.model, p, start="2024-03-01", end="2024-03-31"))
    hand = demo.warehouse.run(
        "select count(distinct user_id) from fct_user_events_canonical where platform in ('ios', 'android') "
        "and event_date between date '2024-03-01' and date '2024-03-31'"
    ).rows[0][0]
    assert got["2024-03-01"] == float(hand)


def test_annual_contracts_as_monthly_is_a_documented_expression(demo: Project) -> None:
    d = Definition(
        "avg_contract_monthly",
        "Average contract amount per live subscription at the end of each month",
        ("Annual contracts as monthly", "Exclude trials"),
    )
    p = analyze(d, demo.model, columns=warehouse_columns(demo.warehouse))
    assert p.refused is None and p.new_model is not None, p.message
    reading = next(r for r in p.rules if r.text == "Annual contracts as monthly")
    assert reading.status == "expression" and "÷ 12" in reading.reason
    measure = p.new_model.semantic_model["measures"][0]
    assert "contract_amount / 12" in measure["expr"] and measure["agg"] == "average"
    assert analyze(d, demo.model).refused == "no_data"  # without the warehouse's columns it is not found


def test_a_ratio_of_two_existing_metrics_runs_and_equals_hand_sql(demo: Project) -> None:
    d = Definition("events_per_user", "Product events divided by active users, per month")
    p = analyze(d, demo.model)
    assert p.refused is None and p.metric is not None, p.message
    assert p.metric["type"] == "ratio"
    assert p.metric["type_params"]["numerator"]["name"] == "events"
    got = _rows(demo, proposal_sql(demo.model, p, start="2024-05-01", end="2024-05-31"))
    hand = demo.warehouse.run(
        "select count(*) / count(distinct user_id) from fct_user_events_canonical "
        "where event_date between date '2024-05-01' and date '2024-05-31'"
    ).rows[0][0]
    assert abs(got["2024-05-01"] - float(hand)) < 1e-9


def test_a_one_part_share_is_refused_not_summed(demo: Project) -> None:
    p = analyze(Definition("kept", "Share of starting MRR retained at the end of the month"), demo.model)
    assert p.refused == "unsupported" and p.metric is None
