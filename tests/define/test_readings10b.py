"""Readings of session hdef15 (the tenth set), one class each, in wording of their own. Each proposal is
run on DuckDB against hand SQL, or must stay unread (refused, or an unread item):

- a country said as part of a money unit ("in thousands of US dollars") is the currency, never a filter;
- a quoted value compared with a column (``payment_method = 'sepa'``) is a stored value: one the catalog
  knows only as another word for a stored value is refused, naming that value;
- the scale said at the end of a ratio rule ("…, expressed as a percentage") scales the ratio and is no
  part of its denominator.
"""

from __future__ import annotations

from metricmind.define import Definition, Proposal, analyze
from metricmind.define.columns import table_values
from metricmind.define.extend import warehouse_columns
from metricmind.define.literals import compared
from metricmind.define.moneyunit import without_currency_country
from metricmind.define.nullrules import null_rule
from metricmind.define.ratiotail import over_named, split_tail
from metricmind.define.saiddate import said_columns
from metricmind.define.sqlwords import spoken
from metricmind.define.windows import window_of
from metricmind.project import Project
from tests.define.monthly import assert_same_as_hand, demo, hand_months, proposal_months, propose

__all__ = ["demo"]

_LIVE_MRR = """select m.month, coalesce(sum(case when {keep} then s.mrr end), 0) {scale} as value
    from months m
    left join fct_subscriptions_canonical s
      on not s.is_trial and s.started_at <= last_day(m.month)
     and (s.ended_at is null or s.ended_at > last_day(m.month))
    left join dim_customers_canonical c on c.customer_id = s.customer_id
    group by 1 order by 1"""


def _with_values(project: Project, name: str, text: str, *rules: str) -> Proposal:
    """``analyze`` as the project does it: with the warehouse's columns and the tables' text values (what
    a rule comparing the source table's own columns reads), asserting that a metric is proposed.
    """
    cols = warehouse_columns(project.warehouse)
    values = table_values(project.warehouse, project.model, cols)
    p = analyze(Definition(name, text, rules), project.model, columns=cols, values=values)
    assert p.refused is None and p.metric is not None, p.message
    return p


def _filters(p: object) -> str:
    return str(getattr(p, "metric", None))


def test_a_currency_country_is_dropped_only_inside_the_unit() -> None:
    assert without_currency_country("MRR in thousands of US dollars") == "MRR in thousands of dollars"
    assert without_currency_country("Bookings in Canadian dollars") == "Bookings in dollars"
    assert without_currency_country("MRR of US customers") == "MRR of US customers"
    assert without_currency_country("Revenue from US customers in dollars") == (
        "Revenue from US customers in dollars"
    )


def test_a_country_in_the_money_unit_filters_nothing(demo: Project) -> None:
    p = propose(
        demo,
        "enterprise_mrr_kusd",
        "Monthly recurring revenue at each month end in thousands of US dollars, Enterprise segment only",
        "Trials excluded",
    )
    assert "customer__country" not in _filters(p), p.metric
    assert_same_as_hand(demo, p, _LIVE_MRR.format(keep="c.segment = 'Enterprise'", scale="/ 1000.0"))


def test_a_country_said_of_the_customers_still_filters(demo: Project) -> None:
    p = analyze(
        Definition("us_mrr", "MRR from US customers at month end", ()),
        demo.model,
        columns=warehouse_columns(demo.warehouse),
    )
    assert p.refused or "customer__country" in _filters(p), p.metric


def test_quoted_values_compared_with_a_column_are_found() -> None:
    assert compared("invoices where payment_method <> 'card'") == [("payment_method", "card")]
    assert compared("segment not in ('SMB', 'Mid-Market')") == [("segment", "SMB"), ("segment", "Mid-Market")]
    assert compared("the so-called 'power users'") == []


def test_a_quoted_alias_of_a_stored_value_is_refused_with_that_value(demo: Project) -> None:
    p = analyze(
        Definition("sepa_invoices", "number of invoices where payment_method = 'sepa', by issue month", ()),
        demo.model,
        columns=warehouse_columns(demo.warehouse),
    )
    assert p.refused == "unknown_value", (p.refused, p.metric)
    assert "bank_transfer" in p.message and "'sepa'" in p.message


def test_a_quoted_stored_value_is_read(demo: Project) -> None:
    p = propose(
        demo, "bank_invoices", "count(invoice_id) where payment_method = 'bank_transfer', by issued_at month"
    )
    assert "bank_transfer" in _filters(p)
    hand = """select m.month, count(i.invoice_id) as value from months m
        left join fct_invoices_canonical i
          on date_trunc('month', i.issued_at) = m.month and i.payment_method = 'bank_transfer'
        group by 1 order by 1"""
    assert_same_as_hand(demo, p, hand)


def test_an_alias_said_in_words_is_still_read(demo: Project) -> None:
    p = analyze(
        Definition("ach_invoices", "Invoices paid by ACH, by issue month", ()),
        demo.model,
        columns=warehouse_columns(demo.warehouse),
    )
    assert p.refused != "unknown_value", p.message


def test_a_scale_tail_is_split_from_the_denominator() -> None:
    assert split_tail("all web events, expressed as a percentage") == ("all web events", 100.0)
    assert split_tail("all web events, as a fraction") == ("all web events", 1.0)
    assert split_tail("as a percentage") == ("as a percentage", None)
    assert split_tail("events as a percentage of all events") == (
        "events as a percentage of all events",
        None,
    )


def test_a_ratio_rule_ending_in_its_scale_is_read_and_scaled(demo: Project) -> None:
    p = propose(
        demo,
        "dashboards_share_of_web",
        "Dashboards share of web events",
        "Dashboards events on web divided by all web events, expressed as a percentage",
    )
    assert not [r for r in p.rules if r.status == "unread"], p.rules
    hand = """select m.month,
          100.0 * count(e.event_id) filter (where e.feature = 'dashboards') / count(e.event_id) as value
        from months m
        join fct_user_events_canonical e
          on date_trunc('month', e.event_date) = m.month and e.platform = 'web'
        group by 1 order by 1"""
    assert_same_as_hand(demo, p, hand)


def test_a_window_is_read_in_days_and_weeks_only() -> None:
    assert window_of("paid no more than 14 days after the issue date") == ("<=", 14, "the issue date")
    assert window_of("ended within 2 weeks of starting") == ("<=", 14, "starting")
    assert window_of("ended within 3 months of starting") is None  # months hold no fixed number of days


def test_a_window_between_two_dates_of_the_row_is_read(demo: Project) -> None:
    p = _with_values(
        demo,
        "quick_converters",
        "Customers who paid quickly, by the month they signed up",
        "Quickly = first paid date at most 14 days after the signup date",
    )
    assert not [r for r in p.rules if r.status == "unread"], p.rules
    hand = """select m.month, count(c.customer_id) as value from months m
        left join dim_customers_canonical c
          on date_trunc('month', c.signup_date) = m.month
         and c.first_paid_date - c.signup_date between 0 and 14
        group by 1 order by 1"""
    assert_same_as_hand(demo, p, hand)


def test_a_window_of_a_subscription_s_own_dates_is_read(demo: Project) -> None:
    p = _with_values(
        demo,
        "short_lived_subscriptions",
        "Short-lived cancelled paid subscriptions, counted in the month they ended",
        "Short-lived means the subscription ended less than 90 days after it started",
    )
    assert not [r for r in p.rules if r.status == "unread"], p.rules
    hand = """select m.month, count(s.subscription_id) as value from months m
        left join fct_subscriptions_canonical s
          on date_trunc('month', s.ended_at) = m.month and not s.is_trial and s.status = 'canceled'
         and s.ended_at - s.started_at >= 0 and s.ended_at - s.started_at < 90
        group by 1 order by 1"""
    assert_same_as_hand(demo, p, hand)


def test_a_negated_or_monthly_window_is_never_read_as_one(demo: Project) -> None:
    for rule in (
        "Quickly = first paid date not within 14 days after the signup date",
        "Quickly = first paid date within 2 months of the signup date",
    ):
        cols = warehouse_columns(demo.warehouse)
        p = analyze(
            Definition("quick", "Customers who paid quickly, by the month they signed up", (rule,)),
            demo.model,
            columns=cols,
            values=table_values(demo.warehouse, demo.model, cols),
        )
        assert p.refused or any(r.status == "unread" for r in p.rules), (rule, p.metric)


def test_a_date_column_said_in_the_definition_is_found(demo: Project) -> None:
    assert said_columns("sum(refunded_amount) by refunded_at month", demo.model) == {"refunded_at"}
    assert said_columns("sum(amount) by paid_at, not issued_at", demo.model) == {"paid_at"}
    assert said_columns("sum(amount) by customer_id", demo.model) == set()  # no date


def test_a_metric_dated_by_another_column_than_the_definition_says_stays_unread(demo: Project) -> None:
    # a new measure on invoices would be dated by issued_at, the model's default: never in silence
    p = _with_values(
        demo,
        "annual_refunds",
        "sum(refunded_amount) by refunded_at month where the invoice's subscription has billing_interval "
        "= 'monthly'",
    )
    unread = [r for r in p.rules if r.status == "unread"]
    months = proposal_months(demo, p)
    hand = """select m.month, coalesce(sum(i.refunded_amount), 0) as value from months m
        left join (fct_invoices_canonical i join fct_subscriptions_canonical s
          on s.subscription_id = i.subscription_id and s.billing_interval = 'monthly')
          on date_trunc('month', i.refunded_at) = m.month
        group by 1 order by 1"""
    want = hand_months(demo, hand)
    if any(abs(months.get(k, 0.0) - v) > 0.01 for k, v in want.items()):
        assert unread, (p.metric, p.rules)


def test_the_dating_column_read_as_said_is_not_flagged(demo: Project) -> None:
    p = _with_values(demo, "refunds_by_refund_month", "sum(refunded_amount) of invoices by refunded_at month")
    assert not [r for r in p.rules if r.status == "unread" and "dates the metric by" in r.reason], p.rules
    hand = """select m.month, coalesce(sum(i.refunded_amount), 0) as value from months m
        left join fct_invoices_canonical i on date_trunc('month', i.refunded_at) = m.month
        group by 1 order by 1"""
    assert_same_as_hand(demo, p, hand)


def test_over_divides_only_after_a_head_naming_a_ratio() -> None:
    assert over_named("Refund rate", "refunded invoices over paid invoices")
    assert not over_named("", "refunded invoices over paid invoices")
    assert not over_named("Big invoices", "invoices over 500 dollars")
    assert not over_named("Refund rate", "refunds over 100 over paid invoices")  # two: unclear


def test_a_sql_not_equal_is_said_as_not() -> None:
    assert spoken("count(invoice_id) where status <> 'void'") == "count(invoice_id) where status not 'void'"
    assert spoken("where segment != 'SMB'") == "where segment not 'SMB'"
    assert spoken("amount <> 0") == "amount <> 0"  # no quoted value: left to the number readers


def test_a_sql_not_equal_drops_the_value(demo: Project) -> None:
    p = _with_values(
        demo, "non_wire_invoices", "count(invoice_id) by issued_at month where payment_method <> 'wire'"
    )
    assert "!= 'wire'" in _filters(p), p.metric
    hand = """select m.month, count(i.invoice_id) as value from months m
        left join fct_invoices_canonical i
          on date_trunc('month', i.issued_at) = m.month and i.payment_method <> 'wire'
        group by 1 order by 1"""
    assert_same_as_hand(demo, p, hand)


def test_nothing_negates_what_follows(demo: Project) -> None:
    p = _with_values(
        demo,
        "avg_days_to_pay_clean",
        "Average days to pay of invoices by payment month, where nothing was refunded",
    )
    assert "is_refunded') }} = false" in _filters(p), p.metric
    hand = """select m.month, avg(i.days_to_pay) as value from months m
        join fct_invoices_canonical i
          on date_trunc('month', i.paid_at) = m.month and coalesce(i.refunded_amount, 0) = 0
        group by 1 order by 1"""
    assert_same_as_hand(demo, p, hand)


def _reading_of(project: Project, text: str, rule: str) -> str:
    cols = warehouse_columns(project.warehouse)
    values = table_values(project.warehouse, project.model, cols)
    p = analyze(Definition("x", text, (rule,)), project.model, columns=cols, values=values)
    return next(r.status for r in p.rules if r.text == rule)


def test_x_are_not_y_never_drops_y_when_only_y_names_values(demo: Project) -> None:
    # "cancellations" is status canceled, what the metric counts; "plan changes" names no value
    assert _reading_of(demo, "Cancelled subscriptions by end month", "Plan changes aren't cancellations") == (
        "unread"
    )
    assert _reading_of(
        demo, "Cancelled subscriptions by end month", "Plan changes are not cancellations"
    ) == ("unread")


def test_x_are_not_y_still_drops_x(demo: Project) -> None:
    assert _reading_of(demo, "Invoice revenue by payment month", "Refunds are not revenue") == "filter"


def test_two_columns_compared_in_the_definition_are_never_dropped_silently(demo: Project) -> None:
    for text in (
        "Invoices paid after their due date, by payment month",
        "count(invoice_id) by paid_at month where paid_at > due_at",
    ):
        cols = warehouse_columns(demo.warehouse)
        p = analyze(
            Definition("late", text, ()),
            demo.model,
            columns=cols,
            values=table_values(demo.warehouse, demo.model, cols),
        )
        if p.refused or any(r.status == "unread" for r in p.rules):
            continue
        hand = """select m.month, count(i.invoice_id) as value from months m
            left join fct_invoices_canonical i
              on date_trunc('month', i.paid_at) = m.month and i.paid_at > i.due_at
            group by 1 order by 1"""
        assert_same_as_hand(demo, p, hand)


def test_a_comparison_said_as_a_rule_is_not_flagged(demo: Project) -> None:
    p = _with_values(
        demo, "late_invoices", "Invoices by payment month", "Only invoices paid after their due date"
    )
    assert not [r for r in p.rules if r.status == "unread"], p.rules
    hand = """select m.month, count(i.invoice_id) as value from months m
        left join fct_invoices_canonical i
          on date_trunc('month', i.paid_at) = m.month and i.paid_at > i.due_at
        group by 1 order by 1"""
    assert_same_as_hand(demo, p, hand)


def test_a_null_rule_honoured_by_the_sql_is_covered(demo: Project) -> None:
    p = _with_values(
        demo,
        "refunds_by_refund_month",
        "Refunded amount of invoices, by refund month",
        "Null refunded_amount means 0",
        "Null refunded_at means no refund",
    )
    assert [r.status for r in p.rules if "Null" in r.text] == ["covered", "covered"], p.rules
    hand = """select m.month, coalesce(sum(coalesce(i.refunded_amount, 0)), 0) as value from months m
        left join fct_invoices_canonical i on date_trunc('month', i.refunded_at) = m.month
        group by 1 order by 1"""
    assert_same_as_hand(demo, p, hand)


def test_a_null_rule_the_sql_does_not_honour_stays_unread(demo: Project) -> None:
    # an average skips a null, where 0 would lower it: never covered
    assert null_rule("Null refunded_amount means 0") == ("refunded_amount", "zero")
    assert _reading_of(
        demo, "Average refunded amount of invoices, by issue month", "Null refunded_amount means 0"
    ) == ("unread")
    assert _reading_of(demo, "Invoices by issue month", "paid_at null means not paid") == "unread"
