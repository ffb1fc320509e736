"""Probes in wording of their own (session 7) for readings that did not depend on one set's phrasing:
a word negated by "non-" ("non-wire", "non-trial"), "mean" as the statistic, a noun put "out" at the end
of a rule, and a value that is also an everyday word ("Growth", "monthly") named as the value: capitalised
as the catalog writes it, or beside a word of its dimension's name ("billed monthly"). Each proposal is
run on DuckDB against hand SQL, or must stay below the confidence at which it would be written.
"""

from __future__ import annotations

from metricmind.define import Definition, analyze
from metricmind.define.confidence import DOUBT
from metricmind.define.words import expand
from metricmind.project import Project
from tests.define.monthly import assert_same_as_hand, propose

LIVE = """
    live as (
      select m.month, s.* from months m
      join fct_subscriptions_canonical s
        on s.started_at <= last_day(m.month) and (s.ended_at is null or s.ended_at > last_day(m.month))
    )
"""


def test_non_is_read_as_not_and_keeps_the_word_said_both_ways() -> None:
    assert expand("Average days to pay for non-wire invoices") == "Average days to pay for not wire invoices"
    assert expand("non trial subscriptions") == "not trial subscriptions"
    assert expand("paying and non-paying customers") == "paying and non-paying customers"
    assert expand("a non-zero discount") == "a non-zero discount"


def test_mean_is_the_average_but_i_mean_is_not() -> None:
    assert expand("Mean invoice value") == "average invoice value"
    assert expand("the mean of days late") == "the average of days late"
    assert expand("By big customers I mean the Enterprise segment") == (
        "By big customers I mean the Enterprise segment"
    )


def test_a_non_value_in_the_definition_drops_it(demo: Project) -> None:
    p = propose(demo, "days_to_pay_ex_wire", "Mean days to pay on non-wire invoices", "by payment date")
    assert any(
        r.status == "filter" and "drops invoice__payment_method = wire" in r.reason for r in p.rules
    ), p.rules
    assert_same_as_hand(
        demo,
        p,
        """select m.month, avg(date_diff('day', i.issued_at, i.paid_at)) from months m
           left join fct_invoices_canonical i
             on date_trunc('month', i.paid_at) = m.month and i.payment_method <> 'wire'
           group by 1 order by 1""",
        absolute=1e-6,
    )


def test_a_negated_word_never_picks_the_metric_that_says_it(demo: Project) -> None:
    # "non-trial" names what is left out: the count of live subscriptions is never `trial_starts`
    p = analyze(
        Definition("live_paid_subs", "How many non-trial subscriptions are active at each month's close", ()),
        demo.model,
    )
    based = p.metric["config"]["meta"].get("based_on") if p.metric else None
    assert based != "trial_starts" or p.confidence < DOUBT, (based, p.confidence)


def test_a_noun_put_out_at_the_end_of_a_rule_is_dropped(demo: Project) -> None:
    p = propose(demo, "mrr_core", "MRR at the end of each month", "trials out", "the Enterprise plan out")
    filters = {r.reason for r in p.rules if r.status == "filter"}
    assert "drops subscription__is_trial = true" in filters, filters
    assert "drops subscription__plan_tier = Enterprise" in filters, filters
    assert_same_as_hand(
        demo,
        p,
        ","
        + LIVE.strip()
        + """ select m.month, coalesce(sum(l.mrr), 0) from months m
           left join live l on l.month = m.month and not l.is_trial and l.plan_tier <> 'Enterprise'
           group by 1 order by 1""",
    )


def test_an_everyday_word_named_as_the_value_filters(demo: Project) -> None:
    # "Growth" capitalised is the plan tier, not growth; "billed monthly" is the billing interval
    p = propose(
        demo, "growth_monthly_mrr", "Month-end MRR of Growth subscriptions billed monthly", "no trials"
    )
    filters = {r.reason.split(": ", 1)[-1] for r in p.rules if r.status == "filter"}
    assert "keeps only subscription__plan_tier = Growth" in filters, filters
    assert "keeps only subscription__billing_interval = monthly" in filters, filters
    assert p.confidence >= DOUBT, p.doubts
    assert_same_as_hand(
        demo,
        p,
        ","
        + LIVE.strip()
        + """ select m.month, coalesce(sum(l.mrr), 0) from months m
           left join live l on l.month = m.month and not l.is_trial and l.plan_tier = 'Growth'
             and l.billing_interval = 'monthly'
           group by 1 order by 1""",
    )


def test_each_value_the_definition_names_is_shown_once_per_dimension(demo: Project) -> None:
    p = propose(demo, "seats_core", "Month-end seats on monthly billed paid subscriptions excluding Starter")
    shown = [r.reason for r in p.rules if r.text.startswith("(in the definition)") and r.status == "filter"]
    assert any("subscription__plan_tier" in s for s in shown), shown
    assert any("subscription__billing_interval" in s for s in shown), shown
    assert p.confidence >= DOUBT, p.doubts


def test_a_rule_dropping_what_the_metric_counts_is_a_contradiction(demo: Project) -> None:
    # `trial_starts` counts trials: "leave trials out" would leave nothing
    p = analyze(Definition("trial_starts_ex", "Trials started each month", ("leave trials out",)), demo.model)
    assert p.refused == "contradictory_rules", (p.refused, p.message)
    assert "drops what the metric itself counts" in p.message


def test_a_compared_number_nothing_reads_is_unread(demo: Project) -> None:
    p = analyze(
        Definition("heavy_users", "Users with events on more than 10 days of the month", ()), demo.model
    )
    assert p.refused or any("compares with 10" in r.reason for r in p.unread), (p.refused, p.rules)


def test_values_of_two_dimensions_said_with_their_names_keep_both(demo: Project) -> None:
    p = propose(
        demo, "ios_alert_users", "Distinct users per month", "platform ios, feature alerts", "monthly"
    )
    assert not p.unread, p.unread
    assert_same_as_hand(
        demo,
        p,
        """select m.month, count(distinct e.user_id) from months m
           left join fct_user_events_canonical e
             on date_trunc('month', e.event_date) = m.month and e.platform = 'ios' and e.feature = 'alerts'
           group by 1 order by 1""",
    )


def test_a_rule_whose_subject_is_one_side_filters_that_side_only(demo: Project) -> None:
    p = propose(
        demo,
        "web_event_intensity",
        "Web events in the month divided by every user active in the month",
        "Active users count any event on every platform, mobile included",
        "Only the numerator is restricted to the web",
    )
    assert not p.unread, p.unread
    assert_same_as_hand(
        demo,
        p,
        """select m.month, count(e.event_id) filter (where e.platform = 'web') * 1.0 / count(distinct e.user_id)
           from months m join fct_user_events_canonical e on date_trunc('month', e.event_date) = m.month
           group by 1 order by 1""",
        absolute=1e-9,
    )


def test_percent_of_rows_that_is_a_share(demo: Project) -> None:
    p = propose(demo, "alerts_share", "Percent of product events that were on the alerts feature", "0 to 100")
    assert not p.unread, p.unread
    assert_same_as_hand(
        demo,
        p,
        """select m.month, 100.0 * count(*) filter (where e.feature = 'alerts') / count(*) from months m
           join fct_user_events_canonical e on date_trunc('month', e.event_date) = m.month
           group by 1 order by 1""",
        absolute=1e-9,
    )
