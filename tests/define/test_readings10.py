"""Readings of session 10, one class each, in wording of their own, run on DuckDB against hand SQL:

- rows of one entity ("canceled subscriptions") are never counted by a metric counting another entity
  distinct (`churned_customers`, ``count(distinct case when status = 'canceled' then customer_id end)``):
  a mismatch, composed as a count of the rows the words name;
- a value written before the entity that heads the definition ("Canceled subscriptions") still counts the
  entity, unless a money word asks for an amount of those rows ("amount, by write-off date");
- a state word written as a value of the counted entity's own dimension, said beside it, on a new count
  dated by a date the definition names, keeps that value ("subscriptions cancelled …, by end date":
  ``status = 'canceled'``); undated, it stays unread; a state word of another entity ("Subscriptions churned
  by end date": `churned`, the customer's lifecycle stage) on such a count is kept by no filter: unread, never
  every ended subscription at 0.8;
- rows of another entity said to be absent ("Customers with no invoice in the month") are an anti-join:
  unread, never the customers *with* an invoice (proposed at 0.85); a missing value of the rows ("Subscriptions
  with no end date", proposed at 0.65 as every subscription) likewise, unless a filter reads the null.
"""

from __future__ import annotations

from metricmind.define import Definition, analyze
from metricmind.define.absence import absent_rows, absent_values
from metricmind.define.extend import warehouse_columns
from metricmind.define.fit import mismatch
from metricmind.define.money import counted_entity
from metricmind.project import Project
from tests.define.monthly import assert_same_as_hand, demo, propose

__all__ = ["demo"]

_CANCELED = """select m.month, count(s.subscription_id) from months m
    left join fct_subscriptions_canonical s
      on date_trunc('month', s.ended_at) = m.month and s.status = 'canceled' {extra}
    group by 1 order by 1"""


def test_a_distinct_count_of_a_case_expression_counts_the_entity_it_names(demo: Project) -> None:
    m = demo.model
    assert counted_entity(m, m.metrics["churned_customers"]) == "customer"
    assert mismatch(Definition("x", "Canceled subscriptions by end date"), m, m.metrics["churned_customers"])
    assert mismatch(Definition("x", "Churned customers"), m, m.metrics["churned_customers"]) is None


def test_canceled_subscriptions_count_subscription_rows(demo: Project) -> None:
    for text in ("Canceled subscriptions by end date", "Number of subscriptions canceled, by the end date"):
        p = propose(demo, "canceled_subscriptions", text)
        assert "churned_customers" not in str(p.metric), (text, p.metric)
        assert [m.measure["agg"] for m in p.new_measures] == ["count"], p.new_measures
        assert not [r for r in p.rules if r.status == "unread"], p.rules
        assert_same_as_hand(demo, p, _CANCELED.format(extra=""))


def test_the_rules_still_apply_beside_the_state_word(demo: Project) -> None:
    p = propose(
        demo,
        "paid_cancellations",
        "Subscriptions canceled in the month, by end date",
        "Paid subscriptions only",
        "Leave out cancellations whose reason is price",
    )
    assert not [r for r in p.rules if r.status == "unread"], p.rules
    assert_same_as_hand(demo, p, _CANCELED.format(extra="and not s.is_trial and s.cancel_reason <> 'price'"))


def test_an_undated_state_word_on_a_fresh_count_stays_unread(demo: Project) -> None:
    # no date said: the rows' state today on their start date is a guess, never a confident filter
    p = analyze(
        Definition("x", "Number of canceled subscriptions"),
        demo.model,
        columns=warehouse_columns(demo.warehouse),
    )
    assert p.refused or p.unread or p.confidence <= 0.5, (p.metric, p.rules)


def test_a_money_word_in_a_rule_keeps_the_amount(demo: Project) -> None:
    p = propose(
        demo, "card_write_offs", "Card invoices written off", "card only", "amount, by write-off date"
    )
    assert [m.measure["agg"] for m in p.new_measures] == ["sum"], p.new_measures


def test_rows_said_absent_are_an_anti_join_left_unread(demo: Project) -> None:
    m = demo.model
    assert absent_rows(m, "Customers with no invoice in the month") == ["invoice"]
    assert absent_rows(m, "Customers without any paid invoice") == ["invoice"]
    assert absent_rows(m, "Accounts with zero invoices") == ["invoice"]
    assert absent_rows(m, "Customers that had not a single product event") == ["event"]
    assert absent_rows(m, "Invoices not paid") == []  # a state of the rows counted: a filter
    assert absent_rows(m, "No-show rate of invoices") == []  # "no-show" is a word, no cue
    assert absent_rows(m, "Invoices with no discount") == []  # no entity's rows denied
    for text in ("Customers with no invoice in the month", "Number of customers that had no product events"):
        p = analyze(Definition("x", text), m, columns=warehouse_columns(demo.warehouse))
        assert p.metric is None or (p.unread and p.confidence <= 0.5), (text, p.metric, p.confidence)


def test_a_missing_value_said_by_no_is_never_dropped(demo: Project) -> None:
    m = demo.model
    assert absent_values(m, "Subscriptions with no end date") == ["subscription__ended_at"]
    assert absent_values(m, "Subscriptions without a cancel reason") == ["subscription__cancel_reason"]
    assert absent_values(m, "Subscriptions that never ended") == []  # a verb: no date said
    assert absent_values(m, "Canceled subscriptions by end date") == []
    p = analyze(
        Definition("x", "Subscriptions with no end date"), m, columns=warehouse_columns(demo.warehouse)
    )
    assert p.metric is None or (p.unread and p.confidence <= 0.5), (p.metric, p.confidence)


def test_a_state_word_of_another_entity_on_a_fresh_count_stays_unread(demo: Project) -> None:
    for text in ("Subscriptions churned by end date", "Churned subscriptions by end date"):
        p = analyze(Definition("x", text), demo.model, columns=warehouse_columns(demo.warehouse))
        assert p.metric is None or (p.unread and p.confidence <= 0.5), (text, p.metric, p.confidence)
