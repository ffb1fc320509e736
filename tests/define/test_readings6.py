"""Probes in wording of their own for the readings added after definitions4's dev misses (each run on
DuckDB against hand SQL where a metric is proposed): the time dimension a rule names more fully than the
closest metric's generic month, and a date said as "X month"."""

from __future__ import annotations

from metricmind.define import Definition, analyze
from metricmind.define.proposal import Proposal
from metricmind.project import Project
from tests.define.monthly import assert_same_as_hand


def _same(project: Project, proposal: Proposal, hand: str) -> None:
    assert_same_as_hand(project, proposal, hand, absolute=0.0, relative=1e-6)


def test_a_rule_naming_a_date_of_another_model_is_not_read_as_the_snapshot_month(demo: Project) -> None:
    # "month" alone names the month-end snapshot's month_start; "first paid date" names the customers'
    # first_paid_date more fully: the metric counts customers by that date, not paying customers at month end.
    p = analyze(
        Definition(
            "retail_first_payers",
            "Customers in the Retail industry who paid for the first time in the month",
            ("First paid date falls in the month",),
        ),
        demo.model,
    )
    assert p.refused is None and p.metric is not None, p.message
    assert [r.reason for r in p.rules if r.status == "time"] == ["dates the metric by first_paid_date"]
    _same(
        demo,
        p,
        """select m.month, count(c.customer_id) from months m
           left join dim_customers_canonical c
             on date_trunc('month', c.first_paid_date) = m.month and c.industry = 'Retail'
           group by 1 order by 1""",
    )


def test_a_date_said_as_its_month_is_that_date(demo: Project) -> None:
    p = analyze(
        Definition("emea_signups", "Customers from the EMEA region", ("By signup month",)), demo.model
    )
    assert p.refused is None and p.metric is not None, p.message
    assert [r.reason for r in p.rules if r.status == "time"] == ["dates the metric by signup_date"]
    _same(
        demo,
        p,
        """select m.month, count(c.customer_id) from months m
           left join dim_customers_canonical c
             on date_trunc('month', c.signup_date) = m.month and c.region = 'EMEA'
           group by 1 order by 1""",
    )


def test_a_date_of_another_model_is_never_read_as_the_snapshot_month(demo: Project) -> None:
    # Paying customers at month end are dated by month_start; a rule naming the signup date is read as
    # that date (the metric is then refused or built on it), never as the month-end count's month.
    p = analyze(
        Definition(
            "edu_paying", "Paying customers in the Education industry", ("Counted by their signup date",)
        ),
        demo.model,
    )
    assert [r.reason for r in p.rules if r.status == "time"] == ["dates the metric by signup_date"], p.rules
    assert p.time_dimension is None or p.time_dimension.name == "signup_date"


def test_a_median_is_read_as_a_median_of_the_column(demo: Project) -> None:
    p = analyze(
        Definition("median_days", "Median days to pay, by paid month", ("Exclude card payments",)),
        demo.model,
        **_columns_and_values(demo),  # type: ignore[arg-type]
    )
    assert p.refused is None and p.metric is not None and not p.unread, (p.message, p.rules)
    assert [m.measure["agg"] for m in p.new_measures] == ["median"]
    _same(
        demo,
        p,
        """, agg as (
             select date_trunc('month', paid_at) as month, median(days_to_pay) as v
             from fct_invoices_canonical
             where paid_at is not null and (payment_method is null or payment_method <> 'card')
             group by 1
           )
           select m.month, a.v from months m left join agg a on a.month = m.month order by 1""",
    )


def test_a_median_the_metric_does_not_compute_is_a_doubt_never_a_confident_answer(demo: Project) -> None:
    # Before qualifiers.py, "Median invoice amount" was answered as the monthly sum at 0.85.
    from metricmind.define.qualifiers import qualifier_doubts

    p = analyze(Definition("probe", "Invoice revenue each month"), demo.model)
    assert p.metric is not None, p.message
    p.definition = Definition("probe", "Median invoice revenue each month")
    found = qualifier_doubts(demo.model, p)
    assert found and found[0][0] < 0.6 and "'median'" in found[0][1], found


def test_a_qualifier_the_metric_computes_is_no_doubt(demo: Project) -> None:
    for text in ("Average MRR of Enterprise customers", "Unique customers who paid an invoice each month"):
        p = analyze(Definition("probe", text), demo.model)
        assert p.metric is not None, p.message
        assert not any("which the proposal does not explain" in d for d in p.doubts), (text, p.doubts)


def test_excluding_with_nothing_dropped_is_not_confident(demo: Project) -> None:
    from metricmind.define.qualifiers import qualifier_doubts

    p = analyze(Definition("probe", "Invoice revenue each month"), demo.model)
    assert p.metric is not None, p.message
    p.definition = Definition("probe", "Invoice revenue each month, excluding the odd ones")
    found = qualifier_doubts(demo.model, p)
    assert found and all(cap < 0.8 for cap, _ in found) and "'excluding'" in found[0][1]


def _columns_and_values(project: Project) -> dict[str, object]:
    from metricmind.define.columns import table_values
    from metricmind.define.extend import warehouse_columns

    columns = warehouse_columns(project.warehouse)
    return {"columns": columns, "values": table_values(project.warehouse, project.model, columns)}


def test_a_rule_comparing_two_dates_of_the_row_is_read_as_that_comparison(demo: Project) -> None:
    # Not the is_paid flag its word "paid" names: paid_at > due_at, row by row, in a new measure.
    p = analyze(
        Definition(
            "late_paid_amount", "Invoice amount by issue month", ("Only invoices paid after their due date",)
        ),
        demo.model,
        **_columns_and_values(demo),  # type: ignore[arg-type]
    )
    assert p.refused is None and p.metric is not None and not p.unread, (p.message, p.rules)
    assert [r.status for r in p.rules] == ["filter"] and "paid_at > due_at" in p.rules[0].reason
    assert p.confidence < 0.8  # a column comparison is checked by a person
    _same(
        demo,
        p,
        """select m.month, coalesce(sum(i.amount), 0) from months m
           left join fct_invoices_canonical i
             on date_trunc('month', i.issued_at) = m.month and i.paid_at > i.due_at
           group by 1 order by 1""",
    )


def test_before_and_a_payment_date_said_by_its_synonym(demo: Project) -> None:
    p = analyze(
        Definition(
            "early_invoices",
            "Number of invoices",
            ("Keep invoices whose payment date is before the due date",),
        ),
        demo.model,
        **_columns_and_values(demo),  # type: ignore[arg-type]
    )
    assert p.refused is None and p.metric is not None and not p.unread, (p.message, p.rules)
    assert "paid_at < due_at" in p.rules[0].reason
    _same(
        demo,
        p,
        """select m.month, count(i.invoice_id) from months m
           left join fct_invoices_canonical i
             on date_trunc('month', i.issued_at) = m.month and i.paid_at < i.due_at
           group by 1 order by 1""",
    )


def test_a_rule_defining_a_word_by_a_comparison_stays_unread(demo: Project) -> None:
    # "Late means …" says what a word means; applied to every part of a ratio it would make it 1.
    p = analyze(
        Definition("late", "Invoices paid late", ("Late means the payment date is after the due date",)),
        demo.model,
        **_columns_and_values(demo),  # type: ignore[arg-type]
    )
    assert p.refused is not None or any(r.status == "unread" for r in p.rules), p.rules


def test_without_the_tables_columns_a_compared_rule_is_a_doubt_not_the_flag(demo: Project) -> None:
    # No columns passed: "paid" still names is_paid, but the rule compares two dates: a doubt (0.5).
    p = analyze(
        Definition(
            "late_paid_amount", "Invoice amount by issue month", ("Only invoices paid after their due date",)
        ),
        demo.model,
    )
    assert p.metric is None or p.confidence < 0.6, (p.confidence, p.rules)
    assert any("compares" in r.reason for r in p.rules), p.rules


def test_shorthand_and_outside_read_as_the_words_they_stand_for(demo: Project) -> None:
    p = analyze(Definition("no_wire", "Invoice count", ("excl. wire",)), demo.model)
    assert p.refused is None and [r.reason for r in p.rules] == ["drops invoice__payment_method = wire"]
    p = analyze(Definition("web_less", "Events on dashboards outside the web app"), demo.model)
    assert p.refused is None and p.metric is not None, p.message
    _same(
        demo,
        p,
        """select m.month, count(e.event_id) from months m
           left join fct_user_events_canonical e
             on date_trunc('month', e.occurred_at) = m.month and e.feature = 'dashboards'
            and (e.platform is null or e.platform <> 'web')
           group by 1 order by 1""",
    )
    p = analyze(Definition("via_card", "Number of invoices settled via card"), demo.model)
    assert p.refused != "no_data", p.message  # "via" is a preposition, no unknown word


def test_the_month_of_the_event_the_metric_counts_is_its_own_month(demo: Project) -> None:
    # "in the month the customer churned" of churned MRR: the metric's own month, not the subscription's
    # end date of another model, nor a filter on today's lifecycle stage "churned".
    p = analyze(
        Definition(
            "retail_churn",
            "Churned MRR in the Retail industry",
            ("Counted in the month the customer churned",),
        ),
        demo.model,
    )
    assert p.refused is None and p.metric is not None, p.message
    assert p.rules[0].status == "covered" and "churned_mrr" in p.rules[0].reason, p.rules
    _same(
        demo,
        p,
        """select m.month, coalesce(sum(l.churned_mrr), 0) from months m
           left join (mart_customer_lifecycle_canonical l join dim_customers_canonical c using (customer_id))
             on l.month_start = m.month and c.industry = 'Retail'
           group by 1 order by 1""",
    )


def test_a_rule_saying_only_month_end_is_covered_by_a_snapshot_and_unread_on_a_flow(demo: Project) -> None:
    p = analyze(
        Definition("growth_mrr", "MRR of the Growth plan", ("as of month end", "Exclude trials")), demo.model
    )
    assert p.refused is None and p.metric is not None, p.message
    assert p.rules[0].status == "covered", p.rules
    _same(
        demo,
        p,
        """select m.month, coalesce(sum(s.mrr), 0) from months m
           left join fct_subscriptions_canonical s
             on s.started_at <= last_day(m.month) and (s.ended_at is null or s.ended_at > last_day(m.month))
            and not s.is_trial and s.plan_tier = 'Growth'
           group by 1 order by 1""",
    )
    p = analyze(Definition("issued", "Invoices issued each month", ("as of month end",)), demo.model)
    assert p.refused is not None or any(r.status == "unread" for r in p.rules), p.rules


def test_an_intensifier_is_no_leftover_word(demo: Project) -> None:
    p = analyze(Definition("no_emea", "Invoice revenue", ("Leave out the EMEA region entirely",)), demo.model)
    assert [(r.status, r.confidence) for r in p.rules] == [("filter", 0.9)], p.rules


def test_a_metric_named_by_a_word_the_definition_never_says_is_a_doubt(demo: Project) -> None:
    # The ranking may pick a narrower flow (contraction_mrr shares "customers", "MRR", "pay"); built on a
    # metric whose name says what the definition does not, the proposal is a doubt, never an answer.
    p = analyze(
        Definition(
            "growth_monthly_mrr",
            "MRR from Growth plan customers who pay month to month",
            ("Growth tier only", "monthly billing only", "excl. trials"),
        ),
        demo.model,
    )
    based_on = ((p.metric or {}).get("config") or {}).get("meta", {}).get("based_on")
    assert p.metric is None or based_on == "mrr" or p.confidence < 0.6, (based_on, p.confidence)
    if based_on not in (None, "mrr"):
        assert any("narrower metric" in d for d in p.doubts), p.doubts


def test_a_filter_rule_names_the_words_it_did_not_read(demo: Project) -> None:
    p = analyze(
        Definition("mrr_x", "Monthly recurring revenue", ("Trial subscriptions never count",)), demo.model
    )
    [rule] = p.rules
    assert rule.status == "filter" and rule.confidence < 0.8
    assert "(the filter does not read 'never')" in rule.reason, rule.reason


def test_a_rule_with_an_aside_saying_why_is_read_without_it_below_confident(demo: Project) -> None:
    p = analyze(
        Definition("no_card", "Invoice revenue", ("Exclude card payments (they settle instantly)",)),
        demo.model,
    )
    [rule] = p.rules
    assert rule.status == "filter" and rule.confidence < 0.8 and "not read" in rule.reason, rule
    assert rule.text == "Exclude card payments (they settle instantly)"
    _same(
        demo,
        p,
        """select m.month, coalesce(sum(i.amount), 0) from months m
           left join fct_invoices_canonical i
             on date_trunc('month', i.paid_at) = m.month and i.paid_at is not null
            and (i.payment_method is null or i.payment_method <> 'card')
           group by 1 order by 1""",
    )
    # an aside that negates or names a value is a condition, never dropped
    p = analyze(Definition("no_card2", "Invoice revenue", ("Leave card out (not the refunds)",)), demo.model)
    assert all("aside" not in r.reason for r in p.rules), p.rules


def test_a_parenthesis_that_keeps_or_drops_a_value_of_its_own_is_a_doubt(demo: Project) -> None:
    # Read as one list, "card, wire" would both be dropped: the parenthesis says the opposite for wire.
    p = analyze(Definition("odd", "Invoice revenue", ("Exclude card payments (but keep wire)",)), demo.model)
    assert p.metric is None or p.confidence < 0.6, (p.confidence, p.rules)
    assert any("parenthesis" in r.reason for r in p.rules), p.rules
