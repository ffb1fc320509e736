"""Units and scale said in words (``define/units.py``), each probe in wording of its own, run on DuckDB
against hand SQL: thousands and millions after aggregation, a ratio per 1,000, a duration in another unit,
and the readings that must stay unread (a unit of unknown meaning, two units, a number that is no scale).
"""

from __future__ import annotations

import pytest

from metricmind.define import Definition, analyze
from metricmind.define.restate import own_rules, restates, words_of
from metricmind.define.units import Scale, in_text, rule_unit, said
from metricmind.project import Project
from tests.define.monthly import assert_same_as_hand, proposal_months, propose

LIVE_MRR = """
    , live as (
      select m.month, s.*
      from months m
      join fct_subscriptions_canonical s
        on s.started_at <= last_day(m.month) and (s.ended_at is null or s.ended_at > last_day(m.month))
       and not s.is_trial
      join dim_customers_canonical c on c.customer_id = s.customer_id
      where c.region = 'APAC'
    )
"""


@pytest.mark.parametrize(
    ("text", "divide", "multiply"),
    [
        ("Show the figures in $K", 1000.0, 1.0),
        ("values in thousands of euros", 1000.0, 1.0),
        ("Report in millions", 1_000_000.0, 1.0),
        ("present it in $MM (divide by 1,000,000)", 1_000_000.0, 1.0),
        ("Divide by 1,000", 1000.0, 1.0),
    ],
)
def test_a_rule_that_only_says_the_unit_is_a_scale(text: str, divide: float, multiply: float) -> None:
    got = rule_unit(text)
    assert isinstance(got, Scale) and (got.divide, got.multiply) == (divide, multiply)


@pytest.mark.parametrize(
    "text",
    ["Divide by 12", "Trials excluded, in $K", "count each customer once", "only the last 30 days", "Use k"],
)
def test_a_rule_that_says_more_than_a_unit_is_left_to_the_other_readers(text: str) -> None:
    assert rule_unit(text) is None


def test_a_unit_rule_whose_number_disagrees_is_a_problem_never_a_scale() -> None:
    assert isinstance(rule_unit("in thousands (divide by 1,000,000)"), str)
    two = said(Definition("x", "Booked MRR in $K", ("Show it in millions",)))
    assert two is not None and two.problem is not None


@pytest.mark.parametrize(
    ("text", "rest", "divide"),
    [
        ("Net revenue ($ in thousands)", "Net revenue", 1000.0),
        ("New MRR in thousands for EMEA customers", "New MRR for EMEA customers", 1000.0),
        ("ARR, in € millions", "ARR", 1_000_000.0),
        ("Contract value (USD 000s)", "Contract value", 1000.0),
    ],
)
def test_a_unit_inside_the_definition(text: str, rest: str, divide: float) -> None:
    found = in_text(text)
    assert found is not None and found[0] == rest and found[1].divide == divide


def test_per_a_round_number_in_words() -> None:
    found = in_text("Support tickets per thousand active users")
    assert (
        found is not None and found[0] == "Support tickets per active users" and found[1].multiply == 1000.0
    )


def test_a_unit_rule_that_also_rounds_is_not_only_a_unit() -> None:
    assert rule_unit("express in thousands, rounded") is None  # the rounding would be dropped


def test_the_definition_is_read_without_its_unit_words() -> None:
    found = in_text("Money collected from invoices, in $K, by payment month")
    assert found is not None and found[0] == "Money collected from invoices, by payment month"
    assert in_text("Customers active for 30 days") is None  # a duration without "in" is no unit


def test_a_snapshot_in_thousands_is_divided_after_aggregation(demo: Project) -> None:
    p = propose(demo, "apac_mrr_k", "Monthly recurring revenue of APAC customers, expressed in thousands")
    assert p.unread == []
    assert p.metric is not None and p.metric["type"] == "derived"
    assert "1000.0" in p.metric["type_params"]["expr"]
    assert p.metric["config"]["meta"]["scale"].startswith("in thousands")
    assert p.definition.text.endswith("expressed in thousands")  # as the person wrote it
    assert_same_as_hand(
        demo,
        p,
        LIVE_MRR
        + """select m.month, coalesce(sum(l.mrr), 0) / 1000.0
             from months m left join live l on l.month = m.month group by 1 order by 1""",
    )


def test_a_flow_in_millions_said_by_a_rule(demo: Project) -> None:
    p = propose(demo, "cash_in_m", "Cash collected from paid invoices", "State the figures in $M")
    [unit] = [r for r in p.rules if r.text == "State the figures in $M"]
    assert unit.status == "expression" and "millions" in unit.reason
    assert_same_as_hand(
        demo,
        p,
        """select m.month, coalesce(sum(i.amount), 0) / 1000000.0
           from months m left join fct_invoices_canonical i
             on date_trunc('month', i.paid_at) = m.month and i.is_paid
           group by 1 order by 1""",
    )


def test_a_ratio_per_thousand(demo: Project) -> None:
    p = propose(demo, "refunds_per_k", "Refunded invoices per 1,000 invoices")
    assert p.metric is not None and p.metric["type"] == "derived"
    assert_same_as_hand(
        demo,
        p,
        """select m.month, 1000.0 * count(*) filter (where i.is_refunded) / nullif(count(*), 0)
           from months m left join fct_invoices_canonical i on date_trunc('month', i.issued_at) = m.month
           group by 1 order by 1""",
    )


def test_a_duration_in_another_unit_converts_by_its_column(demo: Project) -> None:
    p = propose(demo, "pay_hours", "Mean days to pay per invoice, in hours")
    assert p.unread == []
    assert "24.0" in p.metric["type_params"]["expr"]  # type: ignore[index]
    assert_same_as_hand(
        demo,
        p,
        """select m.month, 24.0 * avg(i.days_to_pay)
           from months m left join fct_invoices_canonical i on date_trunc('month', i.issued_at) = m.month
           group by 1 order by 1""",
    )
    same = propose(demo, "pay_days", "Mean days to pay per invoice, in days")
    assert same.metric is not None and same.metric["type"] != "derived"  # already in days: nothing scaled


def test_a_duration_of_something_that_is_no_duration_stays_unread(demo: Project) -> None:
    p = analyze(Definition("events_h", "Product events", ("Express the result in hours",)), demo.model)
    assert [r.text for r in p.unread] == ["Express the result in hours"]


def test_per_thousand_of_a_value_that_is_no_ratio_stays_unread(demo: Project) -> None:
    p = analyze(Definition("seats_k", "Seats per 1,000 on live subscriptions at month end", ()), demo.model)
    assert p.refused is not None or p.unread


def test_a_rule_restating_the_metric_with_its_own_exclusion_is_covered(demo: Project) -> None:
    own = own_rules(demo.model, ["arr"])
    explained = words_of(["ARR of EMEA customers", "arr mrr annual recurring revenue"])
    assert restates(demo.model, "ARR is MRR times 12, trials excluded", explained, explained, own)
    # the metric leaves trials out: a rule keeping them is no restatement
    assert not restates(demo.model, "ARR = MRR x 12, trials included", explained, explained, own)


def test_a_scaled_metric_generates_with_its_helper(demo: Project) -> None:
    from metricmind.define import generate

    p = propose(demo, "events_k", "Product events on web", "Show the counts in thousands")
    package = generate(p, demo)
    text = "\n".join(package.files.values())
    assert "events_k_unscaled / 1000.0" in text and "name: events_k_unscaled" in text


def test_a_duration_named_by_its_unit_converts_to_another(demo: Project) -> None:
    # "duration in weeks": the column is duration_days; the unit word also names the column
    p = propose(demo, "sub_weeks", "Average duration of subscriptions in weeks, by start date")
    assert p.unread == [] and "7.0" in p.metric["type_params"]["expr"]  # type: ignore[index]
    assert_same_as_hand(
        demo,
        p,
        """select m.month, avg(s.duration_days) / 7.0
           from months m left join fct_subscriptions_canonical s on date_trunc('month', s.started_at) = m.month
           group by 1 order by 1""",
    )
    same = propose(demo, "sub_days", "Average duration of subscriptions in days, by start date")
    assert [r.status for r in same.rules] == ["covered"]


def test_basis_points_of_a_rate_and_per_1k(demo: Project) -> None:
    found = in_text("Refund rate (bps)")
    assert found is not None and found[1].multiply == 10_000.0
    per = in_text("Refunds per 1k invoices")
    assert per is not None and per[1].multiply == 1000.0
    p = propose(demo, "retention_bps", "Logo retention, in bps")
    assert p.metric is not None and "10000.0" in p.metric["type_params"]["expr"]
    assert p.unread == []


def test_basis_points_of_an_amount_stay_unread(demo: Project) -> None:
    p = analyze(Definition("mrr_bps", "Monthly recurring revenue in basis points", ()), demo.model)
    assert p.refused is not None or p.unread


def test_a_metric_already_in_that_unit_is_not_scaled_again(demo: Project) -> None:
    from dataclasses import replace

    from metricmind.define import model_with

    arr = demo.model.metrics["arr"]
    model = model_with(demo.model, replace(arr, description="Annual recurring revenue, in $K."))
    p = analyze(Definition("arr_k", "ARR in thousands", ()), model)
    assert p.metric is not None and "1000" not in str(p.metric["type_params"])
    assert [r.status for r in p.rules if r.text.startswith("(in the definition)")] == ["covered"]
    scaled = analyze(Definition("arr_k", "ARR in thousands", ()), demo.model)  # the catalog's own: scaled
    assert scaled.metric is not None and "1000.0" in scaled.metric["type_params"]["expr"]


@pytest.mark.parametrize(
    "text", ["Logo retention in percent", "Logo retention, as a percentage", "Logo retention (%)"]
)
def test_a_rate_said_as_a_percentage_is_scaled(demo: Project, text: str) -> None:
    p = propose(demo, "retention_pct", text)
    assert p.unread == [] and "100.0" in p.metric["type_params"]["expr"]  # type: ignore[index]
    got = proposal_months(demo, p)
    base = proposal_months(demo, propose(demo, "retention", "Logo retention"))
    assert len(got) == len(base) == 12
    assert all(abs(got[m] - 100.0 * base[m]) < 1e-6 for m in base)


def test_a_percentage_of_a_value_in_percent_is_covered_and_of_a_count_unread(demo: Project) -> None:
    p = propose(demo, "disc", "Average discount on live subscriptions at month end, as a percentage")
    assert [r.status for r in p.rules if r.text.startswith("(in the definition)")] == ["covered"]
    q = analyze(Definition("seats_pct", "Seats at month end, as a percentage", ()), demo.model)
    assert q.refused is not None or q.unread
    shape = analyze(Definition("x", "Refunds as a percentage of collections", ()), demo.model)
    assert all("(× 100)" not in r.reason for r in shape.rules)  # a ratio's shape: its scale is the rules'
