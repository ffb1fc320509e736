"""Readings that used to be silently wrong: each is now right, or shown as a doubt or an unread rule.

Phrased unlike any case file; where a metric is proposed, it runs on DuckDB against hand SQL.
"""

from __future__ import annotations

from metricmind.define import Definition, analyze
from metricmind.define.confidence import confirmed, is_doubt
from metricmind.project import Project
from tests.define.monthly import proposal_months

LIVE = "s.started_at <= last_day(m.month) and (s.ended_at is null or s.ended_at > last_day(m.month))"


def _hand(project: Project, where: str, value: str = "count(s.subscription_id)") -> dict[str, float]:
    sql = f"""
        with months as (
          select cast(m as date) as month
          from generate_series(date '2024-01-01', date '2024-12-01', interval 1 month) t(m)
        )
        select m.month, {value}
        from months m left join fct_subscriptions_canonical s on {LIVE} and {where}
        group by 1 order by 1
    """
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


def test_paid_subscriptions_leave_out_trials(demo: Project) -> None:
    # the catalog says a paid subscription is one that is not a trial (is_trial value_aliases "false")
    p = analyze(
        Definition(
            "paid_contracts_close", "Number of paid subscriptions in force at the close of each month"
        ),
        demo.model,
    )
    assert p.refused is None and p.metric is not None, p.message
    assert "is_trial" in str(p.metric.get("filter")), p.metric
    assert proposal_months(demo, p) == _hand(demo, "not s.is_trial")


def test_paid_is_not_read_as_a_trial_flag_across_a_join(demo: Project) -> None:
    # invoices "paid by card": the invoice's own is_paid flag and a verb of manner, never is_trial
    p = analyze(Definition("card_cash", "Cash from invoices paid by card, by the day of payment"), demo.model)
    assert "is_trial" not in str(p.metric)


def test_a_name_the_catalog_has_only_as_another_word_is_a_doubt(demo: Project) -> None:
    # "standard" is a lower-case alias of the Growth tier; "the Standard tier" names a tier of its own
    p = analyze(
        Definition(
            "standard_tier_seats",
            "Seats on the Standard tier at each month's end",
            ("Only Standard tier contracts",),
        ),
        demo.model,
    )
    assert p.metric is not None and p.confidence < 0.6
    doubts = [r for r in p.rules if is_doubt(r)]
    assert doubts and "'Standard' is not a value" in doubts[0].reason and "'Growth'" in doubts[0].reason
    assert not confirmed(p, "ana").unread  # a person who read it may still confirm it


def test_a_lower_case_alias_is_read_without_doubt(demo: Project) -> None:
    p = analyze(
        Definition("growthish_mrr", "MRR at month end", ("Only the standard plan", "Leave out trials")),
        demo.model,
    )
    assert p.metric is not None and not p.unread, p.rules
    assert "'Growth'" in str(p.metric)


def test_a_rule_naming_another_metric_is_not_a_row_filter(demo: Project) -> None:
    # "churned MRR" is a metric (an amount), not the lifecycle stage "churned" of a customer
    p = analyze(
        Definition(
            "ent_mrr_movement",
            "Net MRR change for Enterprise-segment customers",
            ("Leave out churned MRR",),
        ),
        demo.model,
    )
    unread = [r for r in p.unread if r.text == "Leave out churned MRR"]
    assert unread and "churned_mrr" in unread[0].reason
    assert "lifecycle_stage" not in str(p.metric)


def test_new_parts_named_after_the_definition_explain_none_of_its_words(demo: Project) -> None:
    # the new measure takes the metric's name; that name must not vouch for the words it was made of
    p = analyze(
        Definition(
            "discounted_live_subscriptions", "How many subscriptions are live at the close of each month"
        ),
        demo.model,
    )
    assert p.metric is not None
    q = analyze(
        Definition(
            "discounted_live_subscriptions",
            "How many discounted subscriptions are live at the close of each month",
        ),
        demo.model,
    )
    assert q.refused is not None or q.confidence < p.confidence


def test_a_point_in_time_phrase_is_no_unknown_word(demo: Project) -> None:
    p = analyze(Definition("mrr_close", "Recurring revenue at the close of the month"), demo.model)
    assert p.refused is None, p.message
    got, want = proposal_months(demo, p), _hand(demo, "not s.is_trial", "sum(s.mrr)")
    assert got.keys() == want.keys() and all(abs(got[m] - want[m]) < 0.01 for m in want)


def test_trials_that_turned_paid_are_not_filtered_to_paid_rows(demo: Project) -> None:
    # "paid" says what the trials became, not which rows count: no is_trial = false next to trials
    p = analyze(
        Definition("trials_to_paid", "Trial subscriptions started each month which converted into paid ones"),
        demo.model,
    )
    assert "is_trial') }} = false" not in str(p.metric)


def test_a_verb_is_no_unknown_word_but_an_unexplained_one_is_a_doubt(demo: Project) -> None:
    # "worked with" is a verb of use; "renewed" is a verb the catalog never uses: a doubt, not an answer
    p = analyze(
        Definition("web_api_users", "Distinct users who worked with the API on web during the month"),
        demo.model,
    )
    assert p.refused is None and p.metric is not None, p.message
    text = str(p.metric)
    assert "'api'" in text and "'web'" in text
    q = analyze(Definition("renewing_customers", "Customers who renewed at month end"), demo.model)
    assert q.refused is not None or any("renewed" in r.reason for r in q.unread)


def test_a_value_in_the_definition_explains_only_its_own_words(demo: Project) -> None:
    # the filter read from "dashboards" must not vouch for "clicked" in the same clause
    p = analyze(
        Definition("dash_clickers", "Number of distinct users who clicked on dashboards in the month"),
        demo.model,
    )
    assert p.metric is None or p.confidence < 0.6


def test_a_negation_after_its_values_drops_them(demo: Project) -> None:
    # "alerts not counted": the values come before the negation, so they are dropped, not kept
    p = analyze(Definition("events_sans_alerts", "Product events per month, alerts not counted"), demo.model)
    assert p.metric is not None
    assert "!= 'alerts'" in str(p.metric) and "= 'alerts'" not in str(p.metric).replace("!= 'alerts'", "")


def test_a_word_another_metric_says_is_a_doubt(demo: Project) -> None:
    # "customers whose MRR fell to zero" are churned customers: `active_customers` explains "customers"
    # and "MRR" but not "fell", which `churned_mrr` says; never a quiet active-customer count
    p = analyze(
        Definition("mrr_zero_customers", "Number of customers whose MRR fell to zero in the month"),
        demo.model,
    )
    assert p.metric is None or any(is_doubt(r) and "churned" in r.reason for r in p.rules), (
        p.confidence,
        p.doubts,
    )


def test_the_words_of_a_dating_clause_name_no_metric(demo: Project) -> None:
    # "by invoice date" says when: "invoice" there must not pick the invoice *count* for "total billed"
    p = analyze(Definition("billed_total", "Total billed per month by invoice date"), demo.model)
    assert p.metric is None or "invoice_count" not in str(p.metric), p.metric


def test_a_definition_value_a_rule_contradicts_is_never_dropped_quietly(demo: Project) -> None:
    # the definition leaves alerts out, the rule keeps only alerts: shown, not silently the rule's reading
    p = analyze(
        Definition("web_events_alerts", "Events on web other than alerts", ("Only alerts",)), demo.model
    )
    assert p.refused is not None or any("alerts" in r.reason for r in p.unread), p.rules


def test_keeping_what_the_source_leaves_out_is_unread(demo: Project) -> None:
    # `mrr` leaves trials out by its own rule: "only trials" (a rule, or the definition's words) would
    # leave nothing; shown as unread instead of an empty metric
    for definition in (
        Definition("trial_mrr_rule", "MRR at month end", ("Only trial subscriptions",)),
        Definition("trial_mrr_words", "Monthly recurring revenue of trials at month end"),
    ):
        p = analyze(definition, demo.model)
        assert p.refused == "contradictory_rules" or any("leaves out" in r.reason for r in p.unread), p.rules
    # a clause of the same rule that keeps ("counts active and past-due") is no exclusion; "only active" keeps
    # part of the states the snapshot counts (past_due too): unread as such, never a contradiction
    q = analyze(Definition("active_mrr", "MRR at month end", ("Only active subscriptions",)), demo.model)
    assert q.refused != "contradictory_rules" and not any("leaves out" in r.reason for r in q.unread), q.rules
    assert all("state" in r.reason for r in q.unread), q.rules


def test_a_split_exclusion_drops(demo: Project) -> None:
    # "leave X out", "keep X out": the negation wraps its value (once read as keeping X)
    p = analyze(
        Definition("events_no_alerts", "Product events per month", ("Keep the alerts feature out",)),
        demo.model,
    )
    assert p.metric is not None and "!= 'alerts'" in str(p.metric), p.rules
    q = analyze(Definition("mrr_no_trials", "MRR at month end", ("Leave trials out of it",)), demo.model)
    assert q.refused is None and "is_trial') }} = false" in str(q.metric), (q.refused, q.message)


def test_a_rule_that_defines_a_word_is_no_filter(demo: Project) -> None:
    # "Late means …" says what a word means; reading "late" in it as the past_due status would be wrong
    p = analyze(
        Definition("late_invoices", "Invoices issued per month", ("Late means paid after the due date",)),
        demo.model,
    )
    assert [r.text for r in p.unread][:1] == ["Late means paid after the due date"], p.rules
    assert "past_due" not in str(p.metric)
