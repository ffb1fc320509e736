"""Which date a flow is counted by, said in words of its own (each probe run on DuckDB against hand SQL):
the dataset that has the date a rule names wins over one that would have to be dated otherwise; "use the
date X actually ended, not …", "the day on which …" and "the month the payment happened" name a time
dimension; a date the chosen dataset does not have is refused, never replaced by another.
"""

from __future__ import annotations

import pytest

from metricmind.define import Definition, analyze
from metricmind.define.dating import dated_forms
from metricmind.define.extend import warehouse_columns
from metricmind.project import Project
from tests.define.monthly import assert_same_as_hand, propose


@pytest.mark.parametrize(
    ("said", "what"),
    [
        ("use the date the trial actually ended, not its scheduled end date", "ended"),
        ("the day on which the invoice was paid", "paid"),
        ("counted in the month the refund happened", "refund"),
        ("book it in the month the payment occurred", "payment"),
        ("count it when the refund actually happened", "refund"),
        ("booked when the invoice was paid", "paid"),
    ],
)
def test_a_date_said_without_by_is_reworded_for_the_rule_reader(said: str, what: str) -> None:
    assert f"date by {what} at" in dated_forms(said.split(", not")[0])


@pytest.mark.parametrize(
    "said",
    [
        "the date it happened",
        "updated daily",
        "Date of refund",
        "only when the invoice was paid",
        "counted only when paid",
    ],
)
def test_words_that_name_no_event_give_no_date(said: str) -> None:
    assert dated_forms(said.lower()) == []


def test_the_dataset_with_the_named_date_wins(demo: Project) -> None:
    # "events" is a product table and a marketing channel; only the touchpoints have a touch date
    p = propose(
        demo,
        "events_channel_reach",
        "Unique customers touched via the events channel",
        "counted by touch date",
        "each customer counted once",
    )
    assert p.unread == []
    assert [m.semantic_model for m in p.new_measures] == ["touchpoints"]
    assert_same_as_hand(
        demo,
        p,
        """select m.month, count(distinct t.customer_id)
           from months m left join fct_marketing_touchpoints_canonical t
             on date_trunc('month', t.touch_date) = m.month and t.channel = 'events'
           group by 1 order by 1""",
    )


def test_the_date_an_event_actually_happened(demo: Project) -> None:
    p = propose(
        demo,
        "competitor_cancellations",
        "Number of subscriptions cancelled because the customer switched to a competitor",
        "only where the cancel reason is switched_competitor",
        "use the date the subscription actually ended, not the date it was meant to end",
    )
    [dating] = [r for r in p.rules if r.text.startswith("use the date")]
    assert dating.status == "time" and "ended_at" in dating.reason
    assert_same_as_hand(
        demo,
        p,
        """select m.month, count(s.subscription_id)
           from months m left join fct_subscriptions_canonical s
             on date_trunc('month', s.ended_at) = m.month and s.cancel_reason = 'switched_competitor'
           group by 1 order by 1""",
    )


def test_the_month_a_payment_happened_dates_an_amount(demo: Project) -> None:
    p = propose(demo, "cash_by_payment", "Amount invoiced", "counted in the month the payment happened")
    assert p.unread == []
    assert p.time_dimension is not None and p.time_dimension.name == "paid_at"
    assert_same_as_hand(
        demo,
        p,
        """select m.month, coalesce(sum(i.amount), 0)
           from months m left join fct_invoices_canonical i on date_trunc('month', i.paid_at) = m.month
           group by 1 order by 1""",
    )


def test_a_date_the_dataset_lacks_is_refused_not_replaced(demo: Project) -> None:
    p = analyze(
        Definition(
            "api_events_paid",
            "Product events on the api feature",
            ("use the date the invoice was actually paid",),
        ),
        demo.model,
        columns=warehouse_columns(demo.warehouse),
    )
    assert p.metric is None or p.unread  # never the events' own date in silence
    assert p.refused is None or "paid_at" in (p.message or "")


def test_counted_when_an_event_happened_dates_by_it(demo: Project) -> None:
    p = propose(demo, "amount_by_refund", "Invoice amount", "count it when the refund actually happened")
    assert p.unread == []
    assert [r.status for r in p.rules] == ["time"]
    assert_same_as_hand(
        demo,
        p,
        """select m.month, coalesce(sum(i.amount), 0)
           from months m left join fct_invoices_canonical i on date_trunc('month', i.refunded_at) = m.month
           group by 1 order by 1""",
    )


@pytest.mark.parametrize(
    "text",
    [
        "Paid invoice amount by the date the invoice was settled",
        "Ad spend by campaign launch date",
    ],
)
def test_a_definition_dated_by_a_date_nobody_declared_is_unread(demo: Project, text: str) -> None:
    p = analyze(Definition("x", text, ()), demo.model, columns=warehouse_columns(demo.warehouse))
    assert p.refused is not None or any("no time dimension" in r.reason for r in p.unread)


@pytest.mark.parametrize(
    "text",
    [
        "Invoice amount by payment date",
        "Refunded amount by refund month",
        "Signups by the date they signed up",
    ],
)
def test_a_definition_dated_by_a_catalog_date_is_not_flagged(demo: Project, text: str) -> None:
    p = analyze(Definition("x", text, ()), demo.model, columns=warehouse_columns(demo.warehouse))
    assert not any("no time dimension" in r.reason for r in p.rules)


def test_the_date_after_not_is_never_declared(demo: Project) -> None:
    from metricmind.define.newtime import undeclared_dates

    columns = warehouse_columns(demo.warehouse)
    meant = Definition("x", "Invoice amount", ("Dated by the write-off date",))
    assert [n.dimension["name"] for n in undeclared_dates(demo.model, meant, columns)] == ["written_off_at"]
    not_meant = Definition("x", "Invoice amount", ("by the paid date, not the write-off date",))
    assert undeclared_dates(demo.model, not_meant, columns) == []


def test_a_definition_dated_on_the_date_an_event_happened(demo: Project) -> None:
    p = propose(demo, "invoices_by_payment", "Number of invoices, counted on the date the invoice was paid")
    assert [m.measure["agg_time_dimension"] for m in p.new_measures] == ["paid_at"]
    assert_same_as_hand(
        demo,
        p,
        """select m.month, count(i.invoice_id)
           from months m left join fct_invoices_canonical i
             on date_trunc('month', i.paid_at) = m.month and i.is_paid
           group by 1 order by 1""",
    )


def test_an_existing_metric_counted_when_another_event_happened_is_redated(demo: Project) -> None:
    # invoice_revenue is dated by the payment; the definition counts it when the invoice was issued
    p = propose(demo, "revenue_by_issue", "Invoice revenue, counted when the invoice was issued")
    assert p.time_dimension is not None and p.time_dimension.name == "issued_at"
    assert_same_as_hand(
        demo,
        p,
        """select m.month, coalesce(sum(i.amount), 0)
           from months m left join fct_invoices_canonical i
             on date_trunc('month', i.issued_at) = m.month and i.is_paid
           group by 1 order by 1""",
    )
