"""Readings of session 12: a rule that names where a related entity's value comes from ("Segment from
dim_customers", "Join invoices to subscriptions on subscription_id"). It is read as covered only when the
metric's filter reaches that table along many-to-one joins of the entity graph; a table reached only
through a fan-out join leaves the rule unread, saying so. Each proposal is run on DuckDB against hand SQL.
"""

from __future__ import annotations

from metricmind.define.joinrules import source_rule
from metricmind.project import Project
from tests.define.monthly import assert_same_as_hand, demo, propose

__all__ = ["demo"]


def _status(p: object, text: str) -> tuple[str, str]:
    rule = next(r for r in p.rules if r.text == text)  # type: ignore[attr-defined]
    return rule.status, rule.reason


def test_a_source_rule_is_read_only_in_its_own_shapes() -> None:
    assert source_rule("Segment from dim_customers") == ("from", "segment", "dim_customers")
    assert source_rule("segment comes from the customers table") == ("from", "segment", "customers")
    assert source_rule("Join invoices with subscriptions on subscription_id") == (
        "join",
        "invoices subscriptions",
        "subscription_id",
    )
    assert source_rule("Sessions from the web app only") is None  # a filter, not a source
    assert source_rule("Revenue from the Platinum plan") is None
    assert source_rule("Join invoices to subscriptions") is None  # no column: which join is unsaid


def test_a_dimension_from_a_related_table_is_covered_by_the_many_to_one_filter(demo: Project) -> None:
    p = propose(
        demo,
        "enterprise_billed",
        "Sum of invoice amount by issued_at month where segment = 'Enterprise'",
        "Segment from dim_customers",
    )
    status, reason = _status(p, "Segment from dim_customers")
    assert status == "covered" and "many-to-one" in reason, reason
    assert not p.unread, p.unread
    assert_same_as_hand(
        demo,
        p,
        """select m.month, coalesce(sum(i.amount), 0) as value from months m
        left join (fct_invoices_canonical i
          join dim_customers_canonical c on c.customer_id = i.customer_id and c.segment = 'Enterprise')
        on date_trunc('month', i.issued_at) = m.month
        group by 1 order by 1""",
    )


def test_a_join_rule_is_covered_by_the_filter_that_takes_that_join(demo: Project) -> None:
    p = propose(
        demo,
        "annual_billed",
        "Invoiced amount by issue month where the invoice's subscription has billing_interval = 'annual'",
        "Join invoices to subscriptions on subscription_id",
    )
    status, reason = _status(p, "Join invoices to subscriptions on subscription_id")
    assert status == "covered" and "subscription_id" in reason, reason
    assert not p.unread, p.unread
    assert_same_as_hand(
        demo,
        p,
        """select m.month, coalesce(sum(i.amount), 0) as value from months m
        left join (fct_invoices_canonical i
          join fct_subscriptions_canonical s
            on s.subscription_id = i.subscription_id and s.billing_interval = 'annual')
        on date_trunc('month', i.issued_at) = m.month
        group by 1 order by 1""",
    )


def test_a_dimension_the_named_table_does_not_hold_stays_unread(demo: Project) -> None:
    p = propose(
        demo,
        "enterprise_billed_elsewhere",
        "Sum of invoice amount by issued_at month where segment = 'Enterprise'",
        "Segment from fct_subscriptions",
    )
    assert _status(p, "Segment from fct_subscriptions")[0] == "unread"


def test_a_join_on_another_column_stays_unread(demo: Project) -> None:
    p = propose(
        demo,
        "annual_billed_other_key",
        "Invoiced amount by issue month where the invoice's subscription has billing_interval = 'annual'",
        "Join invoices to subscriptions on customer_id",
    )
    assert _status(p, "Join invoices to subscriptions on customer_id")[0] == "unread"


def test_a_table_reached_only_through_a_fan_out_stays_unread_and_says_why(demo: Project) -> None:
    p = propose(
        demo, "annual_subscriptions_paid", "New customers where status = 'paid'", "status from invoices"
    )
    status, reason = _status(p, "status from invoices")
    assert status == "unread" and "one-to-many" in reason, reason


def test_a_rule_restating_the_numerator_s_values_filters_the_numerator_only(demo: Project) -> None:
    rule = "the customer's segment is Enterprise"
    p = propose(
        demo,
        "enterprise_billed_share",
        "Share of invoiced amount from Enterprise customers, as a fraction of all invoiced amount, by issue month",
        rule,
    )
    status, reason = _status(p, rule)
    assert status == "covered" and "numerator" in reason, reason
    assert not p.unread, p.unread
    assert_same_as_hand(
        demo,
        p,
        """select m.month, v.value from months m left join (
          select date_trunc('month', i.issued_at) as month,
            sum(case when c.segment = 'Enterprise' then i.amount else 0 end) / sum(i.amount) as value
          from fct_invoices_canonical i left join dim_customers_canonical c on c.customer_id = i.customer_id
          group by 1
        ) v on v.month = m.month order by 1""",
        absolute=1e-9,
    )


def test_a_rule_naming_values_the_numerator_does_not_say_stays_a_rule_of_both_parts(demo: Project) -> None:
    p = propose(
        demo,
        "enterprise_billed_share_of_two",
        "Share of invoiced amount from Enterprise customers, as a fraction of all invoiced amount, by issue month",
        "the segment is Enterprise or SMB",
    )
    assert p.new_metrics or p.metric is not None
    den = (p.metric or {}).get("type_params", {}).get("denominator") or {}
    assert "SMB" in str(den.get("filter")), p.metric  # the denominator keeps Enterprise and SMB


def test_over_a_threshold_is_no_whole(demo: Project) -> None:
    p = propose(demo, "big_invoices_billed", "Invoiced amount of invoices over 500 dollars, by issue month")
    assert not any("'over'" in r.reason for r in p.rules), p.rules


def test_over_every_day_is_the_span_of_an_average_not_a_whole(demo: Project) -> None:
    p = propose(demo, "avg_dau_each_day", "Average daily active users in the month, over every calendar day")
    assert not any("'over'" in r.reason for r in p.rules), p.rules
    whole = propose(demo, "paid_share_flagged", "Revenue of paid invoices over all invoice revenue billed")
    assert (
        whole.metric is None
        or any(r.status == "unread" for r in whole.rules)
        or whole.metric.get("type")
        in (
            "ratio",
            "derived",
        )
    )
