"""Wording classes read since definitions3 (each phrased unlike any case file), run on DuckDB where a
metric is proposed: a rule keeping values of several dimensions, "limited/restricted to", a date that
"falls in" the month, and a ratio whose denominator is a part of its numerator (refused)."""

from __future__ import annotations

from metricmind.define import Definition, analyze
from metricmind.project import Project
from tests.define.monthly import assert_same_months, hand_months, proposal_months


def test_a_rule_keeping_values_of_two_dimensions_keeps_rows_with_both(demo: Project) -> None:
    p = analyze(
        Definition(
            "dash_viewers",
            "Distinct people using the product each month",
            ("Only view actions in dashboards",),
        ),
        demo.model,
    )
    assert p.metric is not None and not p.unread, p.rules
    want = hand_months(
        demo,
        """select m.month, count(distinct e.user_id) from months m left join fct_user_events_canonical e
           on date_trunc('month', e.event_date) = m.month and e.feature = 'dashboards' and e.action = 'view'
           group by 1 order by 1""",
    )
    assert_same_months(proposal_months(demo, p), want)


def test_dropping_values_of_two_dimensions_in_one_rule_stays_unread(demo: Project) -> None:
    # "exclude view actions in dashboards": drop the pair, or each? not guessed
    p = analyze(
        Definition(
            "not_dash_viewers",
            "Distinct people using the product each month",
            ("Exclude view actions in dashboards",),
        ),
        demo.model,
    )
    assert [r.text for r in p.unread] == ["Exclude view actions in dashboards"]


def test_restricted_to_and_a_date_that_lands_in_the_month(demo: Project) -> None:
    p = analyze(
        Definition(
            "retail_conversions",
            "Customers whose conversion day lands in the month",
            ("Restricted to Retail companies",),
        ),
        demo.model,
    )
    assert p.metric is not None and not p.unread, (p.refused, p.message, p.rules)
    want = hand_months(
        demo,
        """select m.month, count(c.customer_id) from months m left join dim_customers_canonical c
           on date_trunc('month', c.first_paid_date) = m.month and c.industry = 'Retail'
           group by 1 order by 1""",
    )
    assert_same_months(proposal_months(demo, p), want)


def test_a_denominator_inside_its_numerator_is_not_proposed(demo: Project) -> None:
    # "enabled users" read as active users who are enabled would put a part of the numerator below it
    p = analyze(Definition("mau_over_enabled", "Monthly active users divided by enabled users"), demo.model)
    assert p.metric is None or p.unread, p.metric


def test_a_share_reported_as_a_percentage_is_the_ratio_times_100(demo: Project) -> None:
    p = analyze(
        Definition(
            "android_event_pct",
            "Android events as a share of every product event",
            ("Report it as a percentage",),
        ),
        demo.model,
    )
    assert p.metric is not None and not p.unread, (p.refused, p.message, p.rules)
    want = hand_months(
        demo,
        """select m.month, 100.0 * count(*) filter (where e.platform = 'android') / count(*)
           from months m join fct_user_events_canonical e on date_trunc('month', e.event_date) = m.month
           group by 1 order by 1""",
    )
    assert_same_months(proposal_months(demo, p), want)


def test_a_scale_rule_on_a_value_that_is_no_ratio_is_unread(demo: Project) -> None:
    p = analyze(
        Definition(
            "mrr_fraction", "MRR at the end of each month", ("Give the value as a fraction between 0 and 1",)
        ),
        demo.model,
    )
    assert [r.text for r in p.unread][:1] == ["Give the value as a fraction between 0 and 1"], p.rules


def test_a_rule_saying_which_dimension_must_match_the_filter(demo: Project) -> None:
    ok = analyze(
        Definition(
            "growth_share",
            "Share of month-end MRR that comes from subscriptions on the Growth plan",
            ("The plan tier, not the customer segment", "Leave trials out of both parts"),
        ),
        demo.model,
    )
    assert ok.metric is not None and not ok.unread, (ok.refused, ok.message, ok.rules)
    clash = analyze(
        Definition(
            "ent_mrr_which",
            "MRR at the end of each month",
            ("Only the Enterprise segment", "Plan tier, not customer segment"),
        ),
        demo.model,
    )
    assert "Plan tier, not customer segment" in [r.text for r in clash.unread], clash.rules


def test_x_per_y_is_a_ratio_and_per_month_is_not(demo: Project) -> None:
    p = analyze(Definition("events_per_active_user", "Product events per active user, monthly"), demo.model)
    assert p.metric is not None and p.metric["type"] == "ratio" and not p.unread, (p.refused, p.message)
    want = hand_months(
        demo,
        """select m.month, count(*) / count(distinct e.user_id) from months m
           join fct_user_events_canonical e on date_trunc('month', e.event_date) = m.month
           group by 1 order by 1""",
    )
    assert_same_months(proposal_months(demo, p), want)
    q = analyze(Definition("plan_mrr", "MRR at month end for every plan other than Starter"), demo.model)
    assert q.metric is not None and q.metric["type"] != "ratio"


def test_a_part_chosen_by_description_words_must_share_its_unit(demo: Project) -> None:
    # "live subscriptions at month end" is a count: never the currency of `mrr`, whose description it shares
    p = analyze(
        Definition("seats_over_live", "Seats per live subscription at month end", ("Leave out trials",)),
        demo.model,
    )
    assert "'mrr'" not in str(p.metric) and "mrr" not in str((p.metric or {}).get("type_params"))


def test_a_rule_keeping_some_values_and_dropping_others(demo: Project) -> None:
    p = analyze(
        Definition("annual_not_pro_mrr", "MRR at month end", ("Annual contracts, other than the Pro plan",)),
        demo.model,
    )
    assert p.metric is not None and not p.unread, (p.refused, p.message, p.rules)
    want = hand_months(
        demo,
        """select m.month, sum(s.mrr) from months m join fct_subscriptions_canonical s on not s.is_trial
           and s.started_at <= last_day(m.month) and (s.ended_at is null or s.ended_at > last_day(m.month))
           and s.billing_interval = 'annual' and s.plan_tier <> 'Pro'
           group by 1 order by 1""",
    )
    assert_same_months(proposal_months(demo, p), want)
