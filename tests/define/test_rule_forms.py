"""Rule forms in wording of their own (executed against hand SQL on DuckDB where a metric is proposed):
contractions ("don't count"), a scale on an existing metric ("as a percentage" of a ratio),
a dating rule whose negated clause names another date, a column's name that holds a value's word ("the
due date" is no `past_due`), and "trials that converted" as no conversion of amounts.
"""

from __future__ import annotations

import pytest

from metricmind.define import Definition, analyze
from metricmind.define.proposal import Proposal
from metricmind.project import Project
from tests.define.monthly import assert_same_as_hand


def _same(project: Project, proposal: Proposal, hand: str) -> None:
    assert proposal.metric is not None, proposal.message
    assert not proposal.unread, [(r.text, r.reason) for r in proposal.unread]
    assert_same_as_hand(project, proposal, hand, absolute=0.0, relative=1e-6)


@pytest.fixture(scope="module")
def wide(demo: Project) -> dict[str, object]:
    from metricmind.define.columns import table_values
    from metricmind.define.extend import warehouse_columns

    columns = warehouse_columns(demo.warehouse)
    return {"columns": columns, "values": table_values(demo.warehouse, demo.model, columns)}


@pytest.mark.parametrize(
    "rule", ["Don't count the Enterprise segment", "Enterprise customers shouldn't count"]
)
def test_a_contraction_is_read_as_its_negation(demo: Project, rule: str) -> None:
    p = analyze(Definition("mrr_wo_ent", "Monthly recurring revenue", (rule,)), demo.model)
    assert p.rules[0].status == "filter" and "!= 'Enterprise'" in (p.rules[0].predicate or "")
    _same(
        demo,
        p,
        """select m.month, sum(l.mrr) from months m
           join (mart_customer_lifecycle_canonical l join dim_customers_canonical c using (customer_id))
             on l.month_start = m.month and c.segment <> 'Enterprise'
           group by 1 order by 1""",
    )


def test_a_percentage_of_a_ratio_multiplies_it_by_100(demo: Project) -> None:
    p = analyze(
        Definition("arpa_check", "Average revenue per account", ("show it in thousands",)), demo.model
    )
    assert p.metric is not None and p.metric["type"] == "derived"
    assert p.metric["type_params"]["expr"].endswith("/ 1000.0")
    q = analyze(Definition("churn_pct", "Customer churn rate", ("Report it as a percentage",)), demo.model)
    assert q.metric is not None and not q.unread
    assert q.metric["type_params"] == {
        "expr": "100.0 * customer_churn_rate",
        "metrics": [{"name": "customer_churn_rate"}],
    }


def test_a_percentage_of_an_amount_stays_unread(demo: Project) -> None:
    p = analyze(
        Definition("billed_pct", "Amount billed on invoices issued", ("as a percentage",)), demo.model
    )
    assert p.refused or p.unread


def test_the_negated_clause_of_a_dating_rule_is_not_its_date(demo: Project, wide: dict[str, object]) -> None:
    # "… the month its invoice was paid, not the month of the refund": paid_at, never refunded_at
    p = analyze(
        Definition(
            "refunds_by_payment",
            "Money refunded",
            ("Book every refund in the month its invoice was paid, not the month of the refund",),
        ),
        demo.model,
        **wide,  # type: ignore[arg-type]
    )
    assert p.rules[0].status == "time"
    _same(
        demo,
        p,
        """select m.month, coalesce(sum(i.refunded_amount), 0) from months m
           left join fct_invoices_canonical i on date_trunc('month', i.paid_at) = m.month and i.is_refunded
           group by 1 order by 1""",
    )


def test_a_columns_name_is_never_a_value(demo: Project, wide: dict[str, object]) -> None:
    # "days late" is the column days_late and "due date" the column due_at: never the status past_due
    p = analyze(
        Definition(
            "mean_lateness",
            "Mean days late of invoices settled after they were due, by payment month",
            ("only invoices paid late", "days late = number of days from the due date to the payment date"),
        ),
        demo.model,
        **wide,  # type: ignore[arg-type]
    )
    assert all("past_due" not in (r.predicate or "") for r in p.rules)
    if p.metric is not None and not p.unread:
        _same(
            demo,
            p,
            """select m.month, avg(i.days_late) from months m
               left join fct_invoices_canonical i
                 on date_trunc('month', i.paid_at) = m.month and i.is_paid_late
               group by 1 order by 1""",
        )


def test_trials_that_converted_is_no_conversion_of_amounts(demo: Project) -> None:
    p = analyze(
        Definition("trials_open", "Trials started", ("Do not count trials that converted",)), demo.model
    )
    assert all("conversion of amounts" not in r.reason for r in p.rules)


def test_a_misspelled_word_is_read_as_the_one_catalog_word_it_is_one_keystroke_from(
    demo: Project, wide: dict[str, object]
) -> None:
    from metricmind.define.spelling import respell

    assert respell("Number of cusotmers", demo.model)[1] == [("cusotmers", "customers")]
    assert respell("Include unpaid invoices", demo.model)[1] == []  # an inflection, not a typo
    assert respell("Only the Enterprize segment", demo.model)[1] == []  # near a value: refused, not guessed
    p = analyze(
        Definition(
            "reached", "Unique acounts touched by marketing on the partner channel", ("by touch date",)
        ),
        demo.model,
        **wide,  # type: ignore[arg-type]
    )
    assert p.metric is not None and p.confidence <= 0.75
    assert any("'acounts' as 'accounts'" in d for d in p.doubts)
    assert p.definition.text.startswith("Unique acounts")  # kept as written
    assert_same_as_hand(
        demo,
        p,
        """select m.month, count(distinct t.customer_id) from months m
           left join fct_marketing_touchpoints_canonical t
             on date_trunc('month', t.touched_at) = m.month and t.channel = 'partner'
           group by 1 order by 1""",
        absolute=0.0,
        relative=1e-6,
    )


def test_a_value_next_to_its_dimension_is_no_table_name(demo: Project, wide: dict[str, object]) -> None:
    # "the events channel" is a channel's value, not the product events table
    p = analyze(
        Definition(
            "events_reach", "Distinct accounts we touched through the events channel", ("by touch date",)
        ),
        demo.model,
        **wide,  # type: ignore[arg-type]
    )
    _same(
        demo,
        p,
        """select m.month, count(distinct t.customer_id) from months m
           left join fct_marketing_touchpoints_canonical t
             on date_trunc('month', t.touched_at) = m.month and t.channel = 'events'
           group by 1 order by 1""",
    )


def test_every_campaign_sharing_a_word(demo: Project, wide: dict[str, object]) -> None:
    # a dimension without declared values is read through the table's values; "all the saas summit
    # campaigns" is every campaign whose name holds those words
    p = analyze(
        Definition("summit_touches", "Marketing touchpoints", ("only all the saas summit campaigns",)),
        demo.model,
        **wide,  # type: ignore[arg-type]
    )
    assert p.rules[0].status == "filter" and "saas_summit_2024" in p.rules[0].reason
    assert_same_as_hand(
        demo,
        p,
        """select m.month, count(t.touchpoint_id) from months m
           left join fct_marketing_touchpoints_canonical t
             on date_trunc('month', t.touched_at) = m.month and t.campaign like 'saas_summit%'
           group by 1 order by 1""",
        absolute=0.0,
        relative=1e-6,
    )


def test_an_everyday_word_that_is_a_value_names_its_dimension_only_beside_it(demo: Project) -> None:
    from metricmind.define.fit import named_dimensions

    assert named_dimensions(demo.model, ["each touch gets an equal share"], common_named=True) == set()
    assert named_dimensions(demo.model, ["Only the share action"], common_named=True) == {"event__action"}
    assert named_dimensions(demo.model, ["Paid search and paid social only"], common_named=True) == set()


def test_a_converting_journey_is_no_conversion_of_amounts() -> None:
    from metricmind.define.rulecues import CONVERT

    assert CONVERT.search("Convert annual contracts to monthly equivalent")
    assert CONVERT.search("annual plans converted into monthly amounts")
    assert not CONVERT.search("each touch in a converting journey gets an equal share")
    assert not CONVERT.search("trials that converted to paid")


def test_a_rule_the_sources_texts_say_between_them_is_covered_as_a_doubt(demo: Project) -> None:
    # `linear_attributed_new_mrr`: "New MRR shared equally by all touches of the journey", "Each touch gets
    # new MRR ÷ the journey's touches": a rule restating both is covered, at a confidence a person checks
    p = analyze(
        Definition(
            "email_linear",
            "Linear attributed new MRR from email",
            ("linear split: every touch of the journey gets an equal part", "email touches only"),
        ),
        demo.model,
    )
    first = p.rules[0]
    assert first.status == "covered" and first.confidence < 0.6, first
    assert p.confidence < 0.6


def test_a_month_named_by_a_flags_word_is_the_flags_date(demo: Project) -> None:
    # "settled" is a synonym of is_paid: "the month it was settled" is paid_at, never a filter is_paid = true
    p = analyze(
        Definition(
            "billed_by_settlement",
            "Amount billed to customers",
            ("Book each invoice in the month it was settled",),
        ),
        demo.model,
    )
    assert p.rules[0].status == "time" and "paid_at" in p.rules[0].reason
    _same(
        demo,
        p,
        """select m.month, coalesce(sum(i.amount), 0) from months m
           left join fct_invoices_canonical i on date_trunc('month', i.paid_at) = m.month
           group by 1 order by 1""",
    )


def test_a_month_no_date_names_is_never_a_filter(demo: Project) -> None:
    # "the month it was shared" names no date of the events; the action value `share` inside it says when
    p = analyze(
        Definition("events_x", "Product events", ("Book each event in the month it was shared",)), demo.model
    )
    assert all("event__action" not in (r.predicate or "") for r in p.rules)


def test_the_fuller_date_name_wins(demo: Project) -> None:
    # "the month they first paid" is first_paid_date, not the invoices' paid_at
    from metricmind.define import rules as rulebook
    from metricmind.define.parts import time_dims
    from metricmind.define.words import lexicon

    ctx = rulebook.Context(
        demo.model,
        lexicon(demo.model),
        set(),
        False,
        [],
        time_dims(demo.model, ["customers"]),
        [],
        {"customers"},
    )
    read = rulebook.read_rule("Count them in the month they first paid", ctx)
    assert read.time_dimension == "first_paid_date"


@pytest.mark.parametrize("mapping", ["Treat bank transfers as wire payments", "Count bank transfers as wire"])
def test_a_value_counted_as_another_goes_with_it(demo: Project, mapping: str) -> None:
    p = analyze(Definition("wire_like", "Invoices issued", (mapping, "only wire payments")), demo.model)
    assert p.rules[0].status == "noop"
    _same(
        demo,
        p,
        """select m.month, count(i.invoice_id) from months m
           left join fct_invoices_canonical i on date_trunc('month', i.issued_at) = m.month
             and i.payment_method in ('wire', 'bank_transfer')
           group by 1 order by 1""",
    )


def test_a_mapping_alone_restricts_nothing(demo: Project) -> None:
    p = analyze(
        Definition("all_touches", "Marketing touchpoints", ("Count referral as partner",)), demo.model
    )
    assert p.rules[0].status == "noop" and p.metric is not None and not (p.metric.get("filter") or "")


def test_doesnt_count_is_a_negation(demo: Project) -> None:
    p = analyze(
        Definition("no_direct", "Marketing touchpoints", ("direct traffic doesn't count",)), demo.model
    )
    assert p.rules[0].status == "filter" and "!= 'direct'" in (p.rules[0].predicate or "")


def test_a_percentage_without_a_scale_is_a_doubt(demo: Project) -> None:
    p = analyze(Definition("paid_pct", "Paid invoices as a percentage of invoices issued"), demo.model)
    assert p.metric is not None and p.confidence < 0.6
    assert any("from 0 to 100" in d for d in p.doubts)
    q = analyze(
        Definition(
            "paid_frac", "Paid invoices as a percentage of invoices issued", ("as a fraction from 0 to 1",)
        ),
        demo.model,
    )
    assert not any("from 0 to 100" in d for d in q.doubts)


def test_a_value_phrase_of_two_dimensions_never_leaves_its_first_word_to_a_flag(demo: Project) -> None:
    # "paid search" is a value of the customer's acquisition channel and of the conformed channel: which
    # one is asked, unless the text names one by a word of its family ("acquired": the acquisition channel);
    # before, its "paid" was read as the subscription's not-a-trial flag and the channel lost
    p = analyze(Definition("ps_customers", "Customers who came through paid search"), demo.model)
    assert all("is_trial" not in (r.predicate or "") for r in p.rules)
    assert p.refused or p.unread
    p = analyze(Definition("ps_customers", "Customers acquired through paid search"), demo.model)
    assert all("is_trial" not in (r.predicate or "") for r in p.rules)
    assert [r.predicate for r in p.rules if r.predicate] == [
        "{{ Dimension('customer__acquisition_channel') }} = 'paid_search'"
    ]
