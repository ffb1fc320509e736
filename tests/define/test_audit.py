"""Adversarial paraphrases of development cases with a twist that changes the answer: a rule that looks
like one the agent reads confidently but says something else is read for what it says, or reported as a
doubt below 0.6 — never answered confidently and wrong."""

from __future__ import annotations

from metricmind.define import Definition, analyze
from metricmind.define.confidence import DOUBT
from metricmind.project import Project
from tests.define.monthly import assert_same_as_hand


def test_count_each_with_a_value_says_which_rows(demo: Project) -> None:
    # "Count each returning customer …" names the reactivated flag: a filter, not "includes rows"
    p = analyze(
        Definition(
            "reactivated_customers",
            "Customers who came back after churning",
            ("Count each returning customer in the month they reactivated",),
        ),
        demo.model,
    )
    assert p.metric is not None
    assert p.rules[0].status == "filter" and "is_reactivated_customer" in (p.rules[0].predicate or "")
    assert p.confidence < DOUBT  # the definition's own words still leave a doubt: reported, not confident
    assert_same_as_hand(
        demo,
        p,
        """select m.month, count(l.customer_id) from months m
           left join mart_customer_lifecycle_canonical l
             on l.month_start = m.month and l.is_reactivated_customer
           group by 1 order by 1""",
        absolute=0.0,
        relative=1e-6,
    )


def test_count_every_with_values_is_a_doubt(demo: Project) -> None:
    # the twist: "every … card or wire" may mean all invoices or only those two methods
    p = analyze(
        Definition("invoices", "Invoices issued per month", ("Count every invoice, card or wire",)),
        demo.model,
    )
    assert p.rules[0].status == "noop" and p.rules[0].confidence < DOUBT
    assert p.confidence < DOUBT and "card" in p.rules[0].reason


def test_count_values_as_well_restricts_nothing(demo: Project) -> None:
    p = analyze(
        Definition("invoices", "Invoices issued per month", ("Count card invoices as well",)),
        demo.model,
    )
    assert p.rules[0].status == "noop" and p.rules[0].confidence >= 0.8


def test_live_states_are_the_ones_the_snapshot_itself_names(demo: Project) -> None:
    # `mrr` says it counts active and past-due subscriptions: "only active and past_due" restates it
    said = analyze(
        Definition("mrr_live", "MRR at month end", ("Only active and past_due status",)), demo.model
    )
    assert said.rules[0].status == "covered"
    # the twist: trialing is a state `mrr` leaves out; filtering today's status would rewrite the past
    other = analyze(
        Definition("mrr_trialing", "MRR at month end", ("Only active and trialing status",)), demo.model
    )
    assert other.rules[0].status == "unread" and "today's state" in other.rules[0].reason
