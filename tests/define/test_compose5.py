"""Composed metrics in wording of their own (each run on DuckDB against hand SQL): a part dated by another
time dimension than its catalog measure (a new measure of the same column), a ratio whose parts carry
their own dates, a column a rule names whole ("allocated spend") where the definition says only "spend",
rules that only restate the arithmetic or the scale, and the refusals that must stay."""

from __future__ import annotations

import pytest

from metricmind.define import Definition, analyze
from metricmind.define.extend import warehouse_columns
from metricmind.define.proposal import Proposal
from metricmind.define.redate import part_dates
from metricmind.define.restate import restates
from metricmind.project import Project
from tests.define.monthly import assert_same_as_hand, propose

CONFIDENT = 0.8


def test_a_part_dated_by_a_rule_gets_a_measure_of_the_same_column_dated_so(demo: Project) -> None:
    # `refunds` is dated by refunded_at; the rule dates both parts by the payment date: the right part is
    # a new measure of refunded_amount dated by paid_at, never the catalog's refund-date measure.
    p = propose(
        demo,
        "net_paid",
        "Money collected on invoices less the amounts refunded",
        "Both counted in the month the invoice was paid",
        "paid invoices only",
    )
    assert p.metric is not None and p.metric["type"] == "derived"
    redated = [m.measure for m in p.new_measures if m.measure["expr"] == "refunded_amount"]
    assert [m["agg_time_dimension"] for m in redated] == ["paid_at"]
    assert p.unread == []
    assert p.confidence < CONFIDENT  # a composed reading a person checks
    assert_same_as_hand(
        demo,
        p,
        """select m.month, coalesce(sum(i.amount), 0) - coalesce(sum(i.refunded_amount), 0)
           from months m left join fct_invoices_canonical i
             on date_trunc('month', i.paid_at) = m.month and i.is_paid
           group by 1 order by 1""",
    )


def test_each_part_of_a_ratio_keeps_its_own_date_and_a_scale_rule_is_read(demo: Project) -> None:
    p = propose(
        demo,
        "refund_ratio",
        "Money refunded as a share of money collected",
        "amount refunded by refund date divided by amount of paid invoices by payment date",
        "0-100",
    )
    assert p.unread == []
    assert sorted(r.reason for r in p.rules if r.status == "time") == [
        "dates the metric by paid_at",
        "dates the metric by refunded_at",
    ]
    assert p.confidence < CONFIDENT
    assert_same_as_hand(
        demo,
        p,
        """select m.month, 100.0 * coalesce(r.v, 0) / c.v
           from months m
           join (select date_trunc('month', paid_at) as month, sum(amount) as v
                 from fct_invoices_canonical where is_paid group by 1) c using (month)
           left join (select date_trunc('month', refunded_at) as month, sum(refunded_amount) as v
                      from fct_invoices_canonical where is_refunded group by 1) r using (month)
           order by 1""",
    )


def test_a_rule_naming_a_column_whole_says_which_spend(demo: Project) -> None:
    # "spend" alone is the ad-spend table's column; the rule names `allocated_spend` of the touches and
    # dates by the touch date, which the ad-spend table does not have.
    p = propose(demo, "social_spend", "Paid social spend", "allocated spend, counted by touch date")
    assert p.metric is not None and p.metric["type_params"] == {"measure": "allocated_spend"}
    assert p.confidence < CONFIDENT
    assert_same_as_hand(
        demo,
        p,
        """select m.month, coalesce(sum(t.allocated_spend), 0) from months m
           left join fct_marketing_touchpoints_canonical t
             on date_trunc('month', t.touched_at) = m.month and t.channel = 'paid_social'
           group by 1 order by 1""",
    )


def test_a_rule_restating_the_statistic_is_covered(demo: Project) -> None:
    p = propose(
        demo,
        "median_wire_days",
        "Median days to pay for bank transfer invoices, by month paid",
        "Median of days to pay",
    )
    assert [r.status for r in p.rules if r.text == "Median of days to pay"] == ["covered"]
    assert_same_as_hand(
        demo,
        p,
        """select m.month, median(i.days_to_pay) from months m
           left join fct_invoices_canonical i
             on date_trunc('month', i.paid_at) = m.month and i.payment_method = 'bank_transfer'
           group by 1 order by 1""",
    )


def test_restating_needs_an_operation_and_every_word_explained(demo: Project) -> None:
    words = {"median", "day", "pay", "invoice", "amount"}
    assert restates(demo.model, "Median of days to pay", words, set())
    assert not restates(demo.model, "Median of days to pay, weighted by amount", words, set())
    assert not restates(demo.model, "days to pay", words, set())  # no operation: not a restatement
    # a value word ("paid", a yes/no flag) said only in the restating rule would drop a restriction
    assert not restates(demo.model, "subtract the amount of paid invoices", words | {"paid"}, set())
    assert restates(demo.model, "subtract the amount of paid invoices", words | {"paid"}, {"paid"})


@pytest.mark.parametrize(
    ("text", "bare", "dates"),
    [
        ("Refunded amount by refund date", "Refunded amount", ["by refund date"]),
        ("paid invoice amount by paid date, same month", "paid invoice amount", ["by paid date"]),
        ("new customers (by first paid date)", "new customers", ["by first paid date"]),
        ("customers by region", "customers by region", []),
    ],
)
def test_a_parts_own_dating_clause(text: str, bare: str, dates: list[str]) -> None:
    assert part_dates(text) == (bare, dates)


def test_a_date_no_model_of_the_column_has_is_refused(demo: Project) -> None:
    # ad spend has no touch date: the catalog's spend metric is never re-dated by another model's date
    p = analyze(
        Definition("search_ad_spend", "Ad spend on paid search", ("by touch date",)),
        demo.model,
        columns=warehouse_columns(demo.warehouse),
    )
    assert p.refused == "unsupported" and p.metric is None
    assert "ad_spend has no time dimension touched_at" in p.message


def test_a_part_two_metrics_fit_alike_is_a_guess(demo: Project) -> None:
    from metricmind.define.part import rival_of as _rival
    from metricmind.define.rank import Candidate

    m = demo.model.metrics
    # another metric of other measures within half a point: a rival (the part is a doubt)
    ranked = [Candidate(m["active_users"], 4.0, ""), Candidate(m["signups"], 3.75, "")]
    assert _rival(demo.model, ranked, m["active_users"]) == ("signups", 3.75, 4.0)
    # further away, or built on the same measure (revenue and its all-time cumulative): no rival
    assert _rival(demo.model, [ranked[0], Candidate(m["signups"], 3.0, "")], m["active_users"]) is None
    same = [Candidate(m["invoice_revenue"], 4.0, ""), Candidate(m["lifetime_revenue"], 4.0, "")]
    assert _rival(demo.model, same, m["invoice_revenue"]) is None


def test_a_date_column_no_dimension_declares_becomes_a_time_dimension(demo: Project) -> None:
    p = propose(demo, "written_off_amount", "Invoice amount", "Dated by the write-off date")
    assert [(d.semantic_model, d.dimension["name"], d.dimension["type"]) for d in p.new_dimensions] == [
        ("invoices", "written_off_at", "time")
    ]
    assert [m.measure["agg_time_dimension"] for m in p.new_measures] == ["written_off_at"]
    assert [r.reason for r in p.rules] == ["dates the metric by written_off_at"]
    assert p.confidence < CONFIDENT
    assert_same_as_hand(
        demo,
        p,
        """select m.month, coalesce(sum(i.amount), 0) from months m
           left join fct_invoices_canonical i on date_trunc('month', i.written_off_at) = m.month
           group by 1 order by 1""",
    )
    # without the warehouse's columns no column is known: the rule stays unread, nothing is declared
    bare = analyze(
        Definition("written_off_amount", "Invoice amount", ("Dated by the write-off date",)), demo.model
    )
    assert bare.new_dimensions == [] and [r.text for r in bare.unread] == ["Dated by the write-off date"]


def test_two_metrics_the_definition_both_names_are_a_guess(demo: Project) -> None:
    # "Funded amount to borrowers" names `funded_amount` and `funded_borrowers` alike: a doubt, never 0.75
    from metricmind.define.analyze import _source_confidence
    from metricmind.define.rank import Candidate

    m = demo.model.metrics
    said = "looks like `x`: the definition says 'x'"
    both = [Candidate(m["active_users"], 6.5, said), Candidate(m["signups"], 6.25, said)]
    conf, why = _source_confidence(both)
    assert conf <= 0.55 and "names both" in why
    apart = [
        Candidate(m["active_users"], 6.5, said),
        Candidate(m["signups"], 6.25, "its description shares x"),
    ]
    assert _source_confidence(apart)[0] > 0.55


def test_a_ratios_own_inputs_explain_a_rule_restating_it(demo: Project) -> None:
    from metricmind.define.restate import metric_words, words_of

    explained = words_of(["Average invoice value"]) | metric_words(demo.model, ["average_invoice_value"])
    assert restates(demo.model, "billed amount divided by invoice count", explained, set())
    assert not restates(demo.model, "billed amount divided by customer count", explained, set())


@pytest.mark.parametrize(
    ("text", "agg", "hand"),
    [
        (
            "Maximum days late of an invoice, by issue month",
            "max",
            """select m.month, max(i.days_late) from months m
               left join fct_invoices_canonical i on date_trunc('month', i.issued_at) = m.month
               group by 1 order by 1""",
        ),
        (
            "Minimum invoice amount by issue month",
            "min",
            """select m.month, min(i.amount) from months m
               left join fct_invoices_canonical i on date_trunc('month', i.issued_at) = m.month
               group by 1 order by 1""",
        ),
        (
            "90th percentile of days to pay, by paid month",
            "percentile",
            """select m.month, quantile_cont(i.days_to_pay, 0.9) from months m
               left join fct_invoices_canonical i on date_trunc('month', i.paid_at) = m.month
               group by 1 order by 1""",
        ),
        (
            "Largest single subscription's MRR at month end",
            "max",
            """select m.month, max(s.mrr) from months m
               left join fct_subscriptions_canonical s on s.started_at <= last_day(m.month)
                 and (s.ended_at is null or s.ended_at > last_day(m.month))
               group by 1 order by 1""",
        ),
    ],
)
def test_a_statistic_of_a_column_is_a_new_measure_of_it(
    demo: Project, text: str, agg: str, hand: str
) -> None:
    p = propose(demo, "column_statistic", text)
    measures = [m.measure for m in p.new_measures]
    if p.new_model is not None:  # at month end: the snapshot model's semi-additive measure
        measures += list(p.new_model.semantic_model["measures"])
    assert [m["agg"] for m in measures] == [agg]
    if agg == "percentile":
        assert measures[0]["agg_params"] == {"percentile": 0.9}
    assert p.unread == []
    assert_same_as_hand(demo, p, hand)


def test_a_statistic_the_metric_does_not_compute_is_a_doubt(demo: Project) -> None:
    # the catalog's `mrr` is a sum: "maximum" is never answered by it quietly
    from metricmind.define.qualifiers import qualifier_doubts

    p = Proposal(definition=Definition("x", "Maximum MRR"), metric={"name": "x", "type": "derived"})
    p.metric = {"name": "x", "type": "simple", "type_params": {"measure": "mrr"}}
    doubts = qualifier_doubts(demo.model, p)
    assert doubts and doubts[0][0] <= 0.5 and "'maximum'" in doubts[0][1]


def test_values_of_one_table_and_no_column_count_its_rows_below_confident(demo: Project) -> None:
    p = propose(
        demo,
        "android_alerts",
        "Alerts created on Android phones",
        "feature alerts",
        "action create",
        "platform android",
    )
    assert p.unread == [] and 0.6 <= p.confidence < CONFIDENT
    assert_same_as_hand(
        demo,
        p,
        """select m.month, count(e.event_id) from months m
           left join fct_user_events_canonical e on date_trunc('month', e.occurred_at) = m.month
             and e.feature = 'alerts' and e.action = 'create' and e.platform = 'android'
           group by 1 order by 1""",
    )
    # money, a share or a statistic is never read as a count of rows
    from metricmind.define.terms import find_term
    from metricmind.define.words import lexicon

    for text in (
        "Money from card invoices",
        "Share of alerts created on Android",
        "Maximum alerts on Android",
    ):
        term = find_term(demo.model, text, text, lexicon(demo.model))
        assert term is None or term.agg != "count" or "dimensions or values" not in term.reason


def test_a_rule_naming_only_the_column_and_its_date_says_what_is_summed(demo: Project) -> None:
    # the definition names no column; "amount, by write-off date" names `amount` and a date
    p = propose(
        demo,
        "card_writeoffs",
        "Card invoices that were written off",
        "card only",
        "amount, by write-off date",
    )
    assert [m.measure["expr"] for m in p.new_measures] == ["amount"]
    assert [d.dimension["name"] for d in p.new_dimensions] == ["written_off_at"]
    assert p.confidence < CONFIDENT
    from metricmind.define.termcolumns import headed

    assert headed("amount", ("amount, by write-off date",)) == 1.0
    # a ratio's clause is no head: "Refunded amount by refund date divided by …" names no column so
    assert (
        headed("refunded_amount", ("Refunded amount by refund date divided by paid amount by paid date",))
        == 0
    )


def test_a_date_the_catalog_declares_adds_no_dimension(demo: Project) -> None:
    # the touches' table also holds a `touch_date` column, but "touch date" is the declared touched_at
    from metricmind.define.newtime import undeclared_dates

    columns = warehouse_columns(demo.warehouse)
    assert "touch_date" in columns["main.fct_marketing_touchpoints_canonical"]
    assert undeclared_dates(demo.model, Definition("x", "Paid touches", ("by touch date",)), columns) == []
    found = undeclared_dates(demo.model, Definition("x", "Invoice amount", ("by write-off date",)), columns)
    assert [(d.semantic_model, d.dimension["name"]) for d in found] == [("invoices", "written_off_at")]
