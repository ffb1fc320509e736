"""``analyze``: the issue's MRR anchor executed against the certified metric, rules, refusals, bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from metricmind.catalog.definitions import parse_definition
from metricmind.compiler import Compiler
from metricmind.define import Definition, Proposal, analyze, model_with
from metricmind.project import Project
from metricmind.spec.query import MetricQuery

MONTH = "metric_time__month"
MRR = Definition(
    "subscription_value",
    "Total value of active subscriptions per month",
    (
        "Exclude trial subscriptions",
        "Only count active and past_due status",
        "Convert annual contracts to monthly equivalent",
    ),
)


def by_month(project: Project, metric: dict[str, Any]) -> dict[dt.date, float]:
    """The proposed metric (not saved) by month for 2024, executed on the demo warehouse."""
    m = parse_definition(metric)
    query = MetricQuery.build(m.name, [MONTH], start="2024-01-01", end="2024-12-31", order_by=[MONTH])
    sql = Compiler(model_with(project.model, m)).compile(query, project.dialect).sql
    return {_day(r[0]): float(r[1]) for r in project.warehouse.run(sql).rows}


def _day(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def test_mrr_anchor_equals_certified_mrr_every_month_of_2024(demo: Project) -> None:
    p = analyze(MRR, demo.model)
    assert p.refused is None, p.message
    assert p.metric is not None and p.preview_sql and "metric_time__month" in p.preview_sql
    got = by_month(demo, p.metric)
    want = {
        _day(r[0]): float(r[1])
        for r in demo.query("mrr", MONTH, start="2024-01-01", end="2024-12-31", order_by=MONTH).rows
    }
    assert len(want) == 12 and got == pytest.approx(want)
    assert (
        p.similar[0].name == "mrr" and "certified" in p.similar[0].reason and "reuse" in p.similar[0].reason
    )
    assert p.measure is not None and "snapshot" in p.measure.reason
    statuses = {r.text: r.status for r in p.rules}
    assert statuses["Only count active and past_due status"] == "covered"
    assert "not today's status" in next(r.reason for r in p.rules if "past_due" in r.text)
    assert all(0 <= s.confidence <= 1 and s.reason for s in [*p.similar, *p.sources, *p.dimensions])
    assert p.elapsed_ms > 0  # reported; its speed is measured in bench/define.py, not asserted here
    assert any("Discounts are netted out" in a for a in p.assumptions)
    assert not any("trials and ended contracts" in a for a in p.assumptions)  # quoted by a covered rule


def test_rules_become_allow_listed_dimension_filters_that_execute(demo: Project) -> None:
    p = analyze(
        Definition(
            "emea_paying", "Distinct paying customers in EMEA at the end of each month", ("EMEA only",)
        ),
        demo.model,
    )
    assert p.metric is not None, p.message
    assert "{{ Dimension('customer__region') }} = 'EMEA'" in p.metric["filter"]
    emea = by_month(demo, p.metric)
    hand = demo.warehouse.run(
        "select date_trunc('month', l.month_start)::date, count(*) from mart_customer_lifecycle_canonical l "
        "join dim_customers_canonical c using (customer_id) where c.region = 'EMEA' and l.mrr > 0 "
        "and l.month_start between '2024-01-01' and '2024-12-01' group by 1"
    )
    assert emea == {_day(r[0]): float(r[1]) for r in hand.rows}


def test_exclusion_keeps_nulls_and_negated_flag(demo: Project) -> None:
    p = analyze(
        Definition(
            "web_events", "Number of product events on web", ("Only the web platform", "Exclude alerts")
        ),
        demo.model,
    )
    assert p.metric is not None
    flt = p.metric["filter"]
    assert "{{ Dimension('event__platform') }} = 'web'" in flt
    assert "{{ Dimension('event__feature') }} is null or {{ Dimension('event__feature') }} != 'alerts'" in flt


def refused(p: Proposal, code: str) -> str:
    assert p.refused == code, (p.refused, p.message, p.metric)
    assert p.metric is None and p.preview_sql is None
    return p.message


def test_unknown_value_names_the_nearest(demo: Project) -> None:
    p = analyze(
        Definition(
            "platinum_mrr", "Month-end recurring revenue from the Platinum plan", ("Only the Platinum plan",)
        ),
        demo.model,
    )
    msg = refused(p, "unknown_value")
    # no plan is spelled like 'Platinum': the plan's values are listed instead of a far-off "nearest"
    assert "platinum" in msg.lower() and "its values: 'Starter', 'Growth', 'Pro', 'Enterprise'" in msg, msg
    near = analyze(
        Definition("x", "Recurring revenue from the Enterprize plan", ("Only the Entreprise plan",)),
        demo.model,
    )
    assert "nearest is 'Enterprise'" in refused(near, "unknown_value")


def test_definition_matching_nothing_offers_closest_metrics(demo: Project) -> None:
    msg = refused(
        analyze(Definition("nps", "Average Net Promoter Score from customer surveys each month"), demo.model),
        "no_data",
    )
    assert "promoter" in msg and "closest metrics" in msg


def test_contradictory_rules(demo: Project) -> None:
    p = analyze(
        Definition("web_only_events", "Number of product events", ("Only the web platform", "Exclude web")),
        demo.model,
    )
    assert "web" in refused(p, "contradictory_rules")


def test_unreadable_rule_is_shown_unread_not_dropped(demo: Project) -> None:
    p = analyze(
        Definition("odd_events", "Number of product events", ("Weighted by the phase of the moon",)),
        demo.model,
    )
    assert [r.text for r in p.unread] == ["Weighted by the phase of the moon"]
    assert p.to_dict()["unread"] == ["Weighted by the phase of the moon"]


@pytest.mark.parametrize(
    ("definition", "code"),
    [
        (Definition("mrr", "Monthly recurring revenue"), "name_exists"),
        (Definition("Bad Name", "Monthly recurring revenue"), "bad_input"),
        (Definition("x_mrr", "Recurring revenue\nmetrics:\n  - name: evil"), "bad_input"),
        (Definition("x_mrr", "Recurring revenue {{ env_var('SECRET') }}"), "bad_input"),
        (Definition("x_mrr", "Recurring revenue", ("!!python/object:os.system 'rm -rf /'",)), "bad_input"),
        (Definition("x_mrr", "   "), "bad_input"),
    ],
)
def test_bad_input_is_refused_with_a_message(demo: Project, definition: Definition, code: str) -> None:
    assert refused(analyze(definition, demo.model), code)
