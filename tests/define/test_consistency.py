"""Adversarial definitions for the paths where every rule is read and the metric still computes something
else (``define/audit.py`` and the readings it rests on): a share whose part loses the whole's filter, a
column named whole beside a metric of another column, "or not" beside a metric that restricts by the word,
a ratio split inside a column's name, a date said by its event that the metric is not dated by, and a
value of two dimensions whose entity the rule names. Each proposal either equals hand SQL on DuckDB, or is
a doubt below 0.6 that names what does not fit — never a confident answer that computes something else.
"""

from __future__ import annotations

import pytest

from metricmind.define import Definition, analyze
from metricmind.define.confidence import DOUBT
from metricmind.define.proposal import Proposal
from metricmind.project import Project
from tests.define.monthly import assert_same_as_hand


def _same(project: Project, proposal: Proposal, hand: str) -> None:
    assert proposal.metric is not None, proposal.message
    assert not proposal.unread, [r.reason for r in proposal.unread]
    assert_same_as_hand(project, proposal, hand, absolute=0.0, relative=1e-6)


def _doubt(proposal: Proposal, *words: str) -> None:
    """Refused, or a doubt below 0.6 whose reasons name each of ``words``."""
    if proposal.refused:
        return
    assert proposal.confidence < DOUBT, (proposal.confidence, proposal.metric)
    said = " ".join([*proposal.doubts, *(r.reason for r in proposal.unread)])
    for w in words:
        assert w in said, (w, said)


@pytest.fixture(scope="module")
def wide(demo: Project) -> dict[str, object]:
    """The warehouse's columns and the tables' text values, as the CLI and the bench pass them."""
    from metricmind.define.columns import table_values
    from metricmind.define.extend import warehouse_columns

    columns = warehouse_columns(demo.warehouse)
    return {"columns": columns, "values": table_values(demo.warehouse, demo.model, columns)}


def test_a_share_keeps_the_wholes_rows_in_its_part(demo: Project) -> None:
    # Before: the numerator was 'paid by card' over every region, the denominator EMEA only (above 1).
    p = analyze(
        Definition(
            "emea_card_share",
            "Proportion of APAC invoices settled by card",
            ("Count invoices by issue month",),
        ),
        demo.model,
    )
    _same(
        demo,
        p,
        """select m.month, count(case when i.payment_method = 'card' and i.is_paid then 1 end)::double
                / count(*) from months m
           join (fct_invoices_canonical i join dim_customers_canonical c using (customer_id))
             on date_trunc('month', i.issued_at) = m.month and c.region = 'APAC'
           group by 1 order by 1""",
    )
    tp = (p.metric or {})["type_params"]
    assert "customer__region" in tp["numerator"]["filter"]


def test_a_column_named_whole_beside_a_metric_of_another_column_is_a_doubt(
    demo: Project, wide: dict[str, object]
) -> None:
    # "amount of refunded invoices" is the invoices' amount; `refunds` sums refunded_amount (partial refunds)
    p = analyze(
        Definition("refunded_invoice_amount", "Amount of the invoices that got refunded, by refund date"),
        demo.model,
        **wide,  # type: ignore[arg-type]
    )
    if not p.refused and p.confidence >= DOUBT:
        _same(
            demo,
            p,
            """select m.month, coalesce(sum(i.amount), 0) from months m
               left join fct_invoices_canonical i
                 on date_trunc('month', i.refunded_at) = m.month and i.is_refunded
               group by 1 order by 1""",
        )
    else:
        _doubt(p, "'amount'")


def test_the_column_named_whole_is_no_doubt(demo: Project, wide: dict[str, object]) -> None:
    p = analyze(Definition("refunded_total", "Total refunded amount, by refund date"), demo.model, **wide)  # type: ignore[arg-type]
    assert p.metric is not None and p.confidence >= DOUBT, p.doubts
    assert not any("whole" in d for d in p.doubts)


def test_or_not_beside_a_metric_restricted_by_that_word_is_a_doubt(demo: Project) -> None:
    # `active_customers` counts the paying ones: "paying or not" says every customer signed up by then
    p = analyze(
        Definition("all_accounts", "Number of customers we have at the close of each month, paying or not"),
        demo.model,
    )
    _doubt(p, "paying")


def test_regardless_of_a_word_the_metric_does_not_restrict_by_is_no_doubt(demo: Project) -> None:
    p = analyze(Definition("all_events", "Product events, regardless of platform"), demo.model)
    assert p.metric is not None
    assert not any("restrict by" in d for d in p.doubts)


def test_a_ratio_split_inside_a_columns_name_is_a_doubt(demo: Project, wide: dict[str, object]) -> None:
    # "list price per seat" is the column list_price_per_seat, not list price ÷ seats
    p = analyze(
        Definition("seat_price_total", "Total list price per seat over subscriptions, by start month"),
        demo.model,
        **wide,  # type: ignore[arg-type]
    )
    tp = (p.metric or {}).get("type_params") or {}
    if p.metric is not None and "numerator" in tp:
        _doubt(p, "list_price_per_seat")


def test_an_event_said_in_the_month_dates_the_metric(demo: Project, wide: dict[str, object]) -> None:
    # "MRR of subscriptions begun in the month" is a flow by start date, not the month-end snapshot `mrr`
    p = analyze(
        Definition(
            "mrr_of_new_subscriptions", "Monthly recurring revenue of subscriptions started during the month"
        ),
        demo.model,
        **wide,  # type: ignore[arg-type]
    )
    if p.metric is not None and p.confidence >= DOUBT and not p.unread:
        _same(
            demo,
            p,
            """select m.month, coalesce(sum(s.mrr), 0) from months m
               left join fct_subscriptions_canonical s on date_trunc('month', s.started_at) = m.month
               group by 1 order by 1""",
        )
    else:
        _doubt(p)


def test_a_value_of_two_dimensions_goes_to_the_entity_the_rule_names(demo: Project) -> None:
    # 'partner' is a touchpoint's channel and a customer's acquisition channel: the rule speaks of customers
    p = analyze(
        Definition(
            "partner_customer_touches", "Marketing touchpoints", ("Only customers that came from partner",)
        ),
        demo.model,
    )
    assert p.rules[0].status == "filter" and "acquisition_channel" in (p.rules[0].predicate or "")
    assert "touchpoint__channel" in p.rules[0].reason  # the other reading is said
    _same(
        demo,
        p,
        """select m.month, count(t.touchpoint_id) from months m
           left join (fct_marketing_touchpoints_canonical t join dim_customers_canonical c using (customer_id))
             on date_trunc('month', t.touched_at) = m.month and c.acquisition_channel = 'partner'
           group by 1 order by 1""",
    )


def test_a_value_beside_the_sources_own_entity_stays_its_own(demo: Project) -> None:
    p = analyze(
        Definition("partner_touches", "Marketing touchpoints", ("Only touchpoints on the partner channel",)),
        demo.model,
    )
    assert p.rules[0].predicate == "{{ Dimension('touchpoint__channel') }} = 'partner'"


def test_a_definition_beginning_with_a_metrics_name_in_another_unit_is_a_doubt(demo: Project) -> None:
    # "Refunds" is `refunds`, an amount; a count of refunded invoices by issue month computes another thing
    p = analyze(
        Definition("refunds_by_issue", "Refunds, counted by the month the invoice was issued"), demo.model
    )
    if p.metric is not None and p.confidence >= DOUBT and not p.unread:
        _same(
            demo,
            p,
            """select m.month, coalesce(sum(i.refunded_amount), 0) from months m
               left join fct_invoices_canonical i
                 on date_trunc('month', i.issued_at) = m.month and i.is_refunded
               group by 1 order by 1""",
        )
    else:
        _doubt(p)


def test_an_average_over_a_longer_window_than_the_month_is_a_doubt(demo: Project) -> None:
    # the average of each month's rows (one per customer) is no average of the monthly totals
    p = analyze(Definition("avg_mrr_q", "Average MRR per month over the quarter"), demo.model)
    assert p.metric is not None and any(m.measure.get("agg") == "average" for m in p.new_measures)
    _doubt(p, "over the quarter")


def test_an_average_per_row_said_per_month_is_no_doubt(demo: Project) -> None:
    p = analyze(Definition("avg_invoice", "Average invoice amount per month"), demo.model)
    assert p.metric is not None
    assert not any("averages" in d and "check which average" in d for d in p.doubts)


def test_a_closing_clause_qualifies_every_part_of_a_difference(demo: Project) -> None:
    # before: ", card only" filtered the refunds alone and the cash collected kept every payment method
    p = analyze(Definition("net_card_cash", "Cash collected minus refunds, card only"), demo.model)
    _same(
        demo,
        p,
        """select m.month, coalesce(c.v, 0) - coalesce(r.v, 0) from months m
           left join (select date_trunc('month', paid_at) as month, sum(amount) as v from fct_invoices_canonical
                      where is_paid and payment_method = 'card' group by 1) c on c.month = m.month
           left join (select date_trunc('month', refunded_at) as month, sum(refunded_amount) as v
                      from fct_invoices_canonical where is_refunded and payment_method = 'card' group by 1) r
             on r.month = m.month
           order by 1""",
    )


def test_a_rule_for_the_numerator_filters_the_numerator_only(demo: Project) -> None:
    p = analyze(
        Definition(
            "emea_refund_rate", "Refunds divided by cash collected", ("Only EMEA customers in the numerator",)
        ),
        demo.model,
    )
    tp = (p.metric or {})["type_params"]
    assert "customer__region" in tp["numerator"]["filter"]
    assert "customer__region" not in str(tp["denominator"].get("filter") or "")
    q = analyze(
        Definition(
            "emea_both",
            "Refunds divided by cash collected",
            ("EMEA only, in both the numerator and the denominator",),
        ),
        demo.model,
    )
    tq = (q.metric or {})["type_params"]
    assert (
        "customer__region" in tq["numerator"]["filter"] and "customer__region" in tq["denominator"]["filter"]
    )


def test_filters_split_whole() -> None:
    from metricmind.define.auditparts import filter_parts as _parts
    from metricmind.define.shape import join_filters

    a = "({{ Dimension('x') }} is null or {{ Dimension('x') }} != 'E')"
    b = "{{ Dimension('y') }} = 'a and b'"
    joined = join_filters([a, b])
    assert _parts(joined) == [a, b] and join_filters(_parts(joined)) == joined


def test_another_word_for_the_entity_picks_its_dimension(demo: Project) -> None:
    # "accounts" is another word for customers (the customer name's synonym): their acquisition channel
    p = analyze(
        Definition("partner_accounts_touches", "Touches", ("only accounts that came in via partner",)),
        demo.model,
    )
    assert "customer__acquisition_channel" in (p.rules[0].predicate or "")
