"""Rules over a column of the source's table that is no catalog dimension (``define/columns.py``), in
wording of their own, run on DuckDB against hand SQL: the predicate goes into a new measure, the reason
says the column is not a catalog dimension, and the proposal is never confident about it."""

from __future__ import annotations

import sqlglot

from metricmind.define import Definition, analyze
from metricmind.define.columns import MAX_VALUES, column_predicate, table_values
from metricmind.define.extend import warehouse_columns
from metricmind.define.proposal import Proposal
from metricmind.project import Project
from tests.define.monthly import assert_same_as_hand


def _analyze(project: Project, name: str, text: str, *rules: str) -> Proposal:
    columns = warehouse_columns(project.warehouse)
    return analyze(
        Definition(name, text, rules),
        project.model,
        columns=columns,
        values=table_values(project.warehouse, project.model, columns),
    )


def test_the_values_read_are_text_columns_that_are_no_dimension(demo: Project) -> None:
    values = table_values(demo.warehouse, demo.model, warehouse_columns(demo.warehouse))
    subs = values["main.fct_subscriptions_canonical"]
    assert subs["cancellation_type"] == ("involuntary", "voluntary")
    assert "plan_tier" not in subs and "status" not in subs  # catalog dimensions are read as dimensions
    assert all(0 < len(v) <= MAX_VALUES for cols in values.values() for v in cols.values())


def test_a_kept_value_of_a_column_filters_a_new_measure(demo: Project) -> None:
    p = _analyze(
        demo, "usd_billing", "Amount invoiced each month, by invoice date", "Limited to invoices in USD"
    )
    assert p.refused is None and not p.unread, (p.message, p.rules)
    rule = p.rules[0]
    assert rule.status == "filter" and "not a catalog dimension" in rule.reason, rule
    assert p.confidence < 0.8  # a column the catalog does not describe: a person checks it
    (measure,) = p.new_measures
    assert measure.measure["expr"] == "case when currency = 'USD' then amount end"
    assert_same_as_hand(
        demo,
        p,
        """select m.month, coalesce(sum(i.amount), 0)
           from months m left join fct_invoices_canonical i
             on date_trunc('month', i.issued_at) = m.month and i.currency = 'USD'
           group by 1 order by 1""",
    )


def test_a_dropped_value_of_a_column_keeps_rows_without_one(demo: Project) -> None:
    p = _analyze(
        demo, "kept_starts", "Subscriptions started each month", "Leave out involuntary cancellations"
    )
    assert p.refused is None and not p.unread, (p.message, p.rules)
    assert "cancellation_type" in p.rules[0].reason and "not a catalog dimension" in p.rules[0].reason
    assert_same_as_hand(
        demo,
        p,
        """select m.month, count(s.subscription_id)
           from months m left join fct_subscriptions_canonical s
             on date_trunc('month', s.started_at) = m.month
            and (s.cancellation_type is null or s.cancellation_type <> 'involuntary')
           group by 1 order by 1""",
    )


def test_a_value_written_as_one_identifier_is_never_read_by_a_part(demo: Project) -> None:
    # "seo" alone reads as the organic_search channel; "seo_docs" is the campaign column's value, read whole
    p = _analyze(demo, "referral_touches", "Marketing touches per month", "Only the seo_docs campaign")
    assert "organic_search" not in str(p.metric), p.metric
    assert p.rules[0].status == "filter" and "seo_docs" in p.rules[0].reason, p.rules
    assert_same_as_hand(
        demo,
        p,
        """select m.month, count(t.touchpoint_id) from months m
           left join fct_marketing_touchpoints_canonical t
             on date_trunc('month', t.touched_at) = m.month and t.campaign = 'seo_docs'
           group by 1 order by 1""",
    )


def test_the_predicate_is_built_by_sqlglot_with_quoted_literals() -> None:
    sql = column_predicate("channel", ("it's", "web"), False)
    assert sql == "channel IN ('it''s', 'web')"
    tree = sqlglot.parse_one(sql, read="duckdb")
    assert {c.name for c in tree.find_all(sqlglot.exp.Column)} == {"channel"}
    dropped = column_predicate("channel", ("web",), True)
    assert dropped == "channel IS NULL OR NOT channel = 'web'"


def test_a_rule_comparing_a_column_with_a_number_filters_a_new_measure(demo: Project) -> None:
    p = _analyze(
        demo,
        "big_invoices",
        "Number of invoices issued each month",
        "Only invoices with an amount above 1000",
    )
    assert p.refused is None and not p.unread, (p.message, p.rules)
    assert "amount > 1000" in p.rules[0].reason and "not a catalog dimension" in p.rules[0].reason
    assert_same_as_hand(
        demo,
        p,
        """select m.month, count(i.invoice_id) from months m
           left join fct_invoices_canonical i on date_trunc('month', i.issued_at) = m.month and i.amount > 1000
           group by 1 order by 1""",
    )


def test_a_comparison_on_a_month_end_snapshot_filters_its_rows(demo: Project) -> None:
    p = _analyze(
        demo,
        "discounted_seats",
        "Total seats on paid subscriptions live at month end",
        "Only subscriptions with a discount percentage above zero",
    )
    assert p.refused is None and not p.unread and p.new_model is not None, (p.message, p.rules)
    assert_same_as_hand(
        demo,
        p,
        """select m.month, coalesce(sum(s.seats), 0) from months m
           left join fct_subscriptions_canonical s
             on s.started_at <= last_day(m.month) and (s.ended_at is null or s.ended_at > last_day(m.month))
            and not s.is_trial and s.discount_pct > 0
           group by 1 order by 1""",
    )


def test_a_comparison_beside_a_value_never_drops_the_value(demo: Project) -> None:
    p = _analyze(
        demo,
        "ent_big",
        "Number of invoices issued each month",
        "Only Enterprise invoices with an amount above 1000",
    )
    assert p.refused is not None or p.unread  # 'Enterprise' (a segment or a plan?) is never dropped silently
