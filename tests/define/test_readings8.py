"""Readings of session 8, one class each, in wording of their own: a filler lead-in read away (as the
resolver reads a request), an everyday word typed with a slip, an amount asked in cents, a negative rule that
ties values of two dimensions, a value's dimension named by a word of its family ("acquired" → acquisition
channel) or by a rule ("X means the customer's segment"), a flag dropped with "not" said of it, and a dating
clause whose verb only says the event came. Each proposal is run on DuckDB against hand SQL, or must stay
unread.
"""

from __future__ import annotations

from metricmind.define import Definition, analyze
from metricmind.define.leadin import without_lead
from metricmind.define.spelling import respell
from metricmind.define.units import CENTS, in_text, rule_unit
from metricmind.project import Project
from tests.define.monthly import assert_same_as_hand, proposal_months, propose

APAC_NEW = """select m.month, count(c.customer_id) from months m
    left join dim_customers_canonical c
      on date_trunc('month', c.first_paid_date) = m.month and c.region = 'APAC'
    group by 1 order by 1"""


def test_a_filler_lead_in_is_read_away_and_a_lead_that_says_something_stays() -> None:
    assert without_lead("Basically, trial starts on the Pro plan") == "Trial starts on the Pro plan"
    assert without_lead("In a nutshell: refunds by refund date") == "Refunds by refund date"
    assert without_lead("Sum: invoice amounts by month") is None  # an aggregation word is no filler
    assert without_lead("Could you build a KPI that tracks churned MRR") == "Churned MRR"
    assert without_lead("So I really need paid invoices per month") == "Paid invoices per month"
    assert without_lead("Please leave out trials") == "Leave out trials"
    assert without_lead("In APAC, new customers each month") is None  # the lead names a value
    assert without_lead("For the board pack I need ARR by segment") is None  # a purpose: context that says
    assert without_lead("Accounts that want to see a demo") is None  # no request: the words say who
    assert without_lead("Invoices paid by card as well") is None  # a closing "as well" is no lead-in


def test_a_definition_with_a_lead_in_equals_the_one_without(demo: Project) -> None:
    for text in (
        "Honestly, customers whose first paid subscription began in the month",
        "Hey team, can you set up a metric for customers whose first paid subscription began in the month",
    ):
        p = propose(demo, "apac_new", text, "Note: APAC customers only")
        assert p.definition.text == text  # the proposal keeps the text as written
        assert any("lead-in" in d for d in p.doubts), p.doubts
        assert_same_as_hand(demo, p, APAC_NEW)


def test_an_everyday_word_with_a_slip_is_read_as_the_word(demo: Project) -> None:
    p = propose(
        demo, "apac_new", "New customers each month, ignoring whcih plan they are on", "Levae out EMEA"
    )
    assert any("'Levae' as 'leave'" in d for d in p.doubts), p.doubts
    assert_same_as_hand(
        demo,
        p,
        """select m.month, count(c.customer_id) from months m
           left join dim_customers_canonical c
             on date_trunc('month', c.first_paid_date) = m.month and c.region <> 'EMEA'
           group by 1 order by 1""",
    )
    assert respell("Only the Enterprize segment", demo.model)[1] == []  # near a value: never guessed


def test_cents_scale_a_money_metric_and_nothing_else(demo: Project) -> None:
    assert rule_unit("Report the dollars times 100") == CENTS
    assert rule_unit("Times 100") is None  # a percentage, or anything: not read as cents
    assert in_text("Invoice revenue per month, in cents") == ("Invoice revenue per month", CENTS)
    p = propose(demo, "paid_cents", "Invoice revenue collected each month, in cents")
    assert p.metric is not None and p.metric["config"]["meta"]["scale"] == CENTS.what
    dollars = proposal_months(demo, propose(demo, "paid_dollars", "Invoice revenue collected each month"))
    got = proposal_months(demo, p)
    assert dollars and all(abs(got[m] - 100 * v) < 0.5 for m, v in dollars.items())
    count = analyze(Definition("users_cents", "Active users per month, in cents"), demo.model)
    assert count.refused or any(
        r.status == "unread" and "no amount of money" in r.reason for r in count.rules
    )


def test_a_negative_rule_tying_two_values_drops_their_combination(demo: Project) -> None:
    p = propose(
        demo, "viewers", "Distinct users with a view event in the month", "Views only", "Ignore views on iOS"
    )
    tied = next(r for r in p.rules if r.text == "Ignore views on iOS")
    assert tied.status == "filter" and "at once" in tied.reason
    assert_same_as_hand(
        demo,
        p,
        """select m.month, count(distinct e.user_id) from months m
           left join fct_user_events_canonical e
             on date_trunc('month', e.event_date) = m.month and e.action = 'view' and e.platform <> 'ios'
           group by 1 order by 1""",
    )
    listed = analyze(Definition("x", "Product events per month", ("Leave out views and iOS",)), demo.model)
    assert all("at once" not in r.reason for r in listed.rules)  # a list drops each, never the pair
    alone = analyze(Definition("x", "Product events per month", ("Ignore views on iOS",)), demo.model)
    assert [r.text for r in alone.unread] == ["Ignore views on iOS"]  # the pair, or each? no rule says


def test_a_word_of_the_dimension_s_family_picks_it_among_two(demo: Project) -> None:
    p = propose(demo, "partner_new", "New customers acquired via partner")
    assert [r.predicate for r in p.rules if r.predicate] == [
        "{{ Dimension('customer__acquisition_channel') }} = 'partner'"
    ]
    assert_same_as_hand(
        demo,
        p,
        """select m.month, count(c.customer_id) from months m
           left join dim_customers_canonical c
             on date_trunc('month', c.first_paid_date) = m.month and c.acquisition_channel = 'partner'
           group by 1 order by 1""",
    )


def test_a_rule_saying_which_dimension_a_value_means(demo: Project) -> None:
    p = propose(
        demo,
        "ent_mrr",
        "Month-end MRR of Enterprise customers",
        "Enterprise means the customer's segment, not the plan tier",
    )
    said = p.rules[0]
    assert said.status == "noop" and "customer__segment" in said.reason, said
    other = analyze(
        Definition(
            "ent_mrr",
            "Month-end MRR on the Enterprise plan",
            ("Enterprise refers to the plan tier, not segment",),
        ),
        demo.model,
    )
    assert all("customer__segment" not in (r.predicate or "") for r in other.rules)


def test_a_flag_dropped_with_not_said_of_it_keeps_the_flag(demo: Project) -> None:
    p = propose(
        demo,
        "card_paid",
        "Invoice amount by issue month",
        "Card invoices only",
        "Invoices never paid are left out",
    )
    kept = next(r for r in p.rules if r.text == "Invoices never paid are left out")
    assert kept.predicate == "{{ Dimension('invoice__is_paid') }} = true", kept
    assert_same_as_hand(
        demo,
        p,
        """select m.month, sum(i.amount) from months m
           left join fct_invoices_canonical i
             on date_trunc('month', i.issued_at) = m.month and i.payment_method = 'card'
             and i.paid_at is not null
           group by 1 order by 1""",
    )
    twice = analyze(
        Definition("x", "Invoice amount by issue month", ("Exclude invoices not paid by card",)), demo.model
    )
    assert all(r.status == "unread" for r in twice.rules if r.text.startswith("Exclude")), twice.rules


def test_an_event_that_arrived_dates_by_its_noun_and_averaged_over_rows_is_an_average(demo: Project) -> None:
    p = propose(
        demo,
        "card_days",
        "Days from issue to payment on card invoices, averaged over the invoices paid in the month",
        "Card only",
        "Bucket by the month the payment was received",
    )
    assert any(r.status == "time" and "paid_at" in r.reason for r in p.rules), p.rules
    assert_same_as_hand(
        demo,
        p,
        """select m.month, avg(date_diff('day', i.issued_at, i.paid_at)) from months m
           left join fct_invoices_canonical i
             on date_trunc('month', i.paid_at) = m.month and i.payment_method = 'card'
           group by 1 order by 1""",
        absolute=1e-6,
    )
