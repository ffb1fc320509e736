"""Probes in wording of their own for the causes fixed after definitions4 (each run on DuckDB against
hand SQL where a metric is proposed): everyday abbreviations and filler words, a ratio's denominator
counted on another table than the closest snapshot metric, and a value read only through a catalog alias
that names a kind of thing (a doubt, never a confident answer)."""

from __future__ import annotations

from metricmind.define import Definition, analyze
from metricmind.define.columns import table_values
from metricmind.define.extend import warehouse_columns
from metricmind.define.proposal import Proposal
from metricmind.project import Project
from tests.define.monthly import assert_same_as_hand


def _same(project: Project, proposal: Proposal, hand: str) -> None:
    assert_same_as_hand(project, proposal, hand, absolute=0.0, relative=1e-6)


def test_abbreviations_are_read_as_the_words_they_stand_for(demo: Project) -> None:
    p = analyze(Definition("subs_started", "No. of subs started each month"), demo.model)
    assert p.refused is None, p.message
    assert p.metric is not None and p.metric["description"] == "No. of subs started each month"  # as written
    _same(
        demo,
        p,
        """select m.month, count(s.subscription_id) from months m
           left join fct_subscriptions_canonical s on date_trunc('month', s.started_at) = m.month
           group by 1 order by 1""",
    )


def test_filler_words_are_no_unknown_words(demo: Project) -> None:
    p = analyze(
        Definition("invoices_issued", "How many invoices we issued each month, plain and simple"), demo.model
    )
    assert p.refused is None and not p.unread, (p.message, p.rules)
    _same(
        demo,
        p,
        """select m.month, count(i.invoice_id) from months m
           left join fct_invoices_canonical i on date_trunc('month', i.issued_at) = m.month
           group by 1 order by 1""",
    )


def test_a_denominator_of_entities_that_did_something_is_counted_where_they_did_it(demo: Project) -> None:
    p = analyze(
        Definition(
            "events_per_doer",
            "Events per account that did something: all events divided by distinct customers who had an event",
        ),
        demo.model,
    )
    assert p.refused is None and p.metric is not None, p.message
    assert p.metric["type_params"]["denominator"]["name"] != "active_customers"  # not the paying customers
    _same(
        demo,
        p,
        """, agg as (
             select date_trunc('month', occurred_at) as month, count(*) * 1.0 / count(distinct customer_id) as v
             from fct_user_events_canonical group by 1
           )
           select m.month, a.v from months m left join agg a on a.month = m.month order by 1""",
    )


def test_a_value_read_only_through_an_alias_naming_a_kind_of_thing_is_a_doubt(demo: Project) -> None:
    p = analyze(
        Definition("dd_revenue", "Invoice revenue per month", ("Only direct debit payments",)), demo.model
    )
    assert p.refused is None and p.confidence < 0.6
    assert any("only through the catalog's alias" in r.reason for r in p.unread), p.rules


MONTH_END = """select m.month, {value}
           from months m
           join fct_subscriptions_canonical s
             on s.started_at <= last_day(m.month) and (s.ended_at is null or s.ended_at > last_day(m.month))
            and not s.is_trial
           join dim_customers_canonical c on c.customer_id = s.customer_id
           group by 1 order by 1"""


def test_a_possessive_share_with_an_explicit_scale_is_a_percentage_ratio(demo: Project) -> None:
    p = analyze(
        Definition(
            "latam_mrr_share",
            "LATAM's share of all MRR at the end of each month, as a number from 0 to 100",
            ("No trials in either the LATAM part or the total",),
        ),
        demo.model,
    )
    assert p.refused is None and not p.unread, (p.message, p.rules)
    value = "100.0 * sum(case when c.region = 'LATAM' then s.mrr else 0 end) / sum(s.mrr)"
    _same(demo, p, MONTH_END.format(value=value))


def test_a_rule_saying_what_live_means_is_covered_by_the_snapshot(demo: Project) -> None:
    p = analyze(
        Definition(
            "running_seats",
            "Seats on live subscriptions at month end",
            (
                "A subscription is included when it is still running on the final day of the month",
                "Exclude trials",
            ),
        ),
        demo.model,
    )
    assert p.refused is None and p.rules[0].status == "covered", p.rules
    _same(demo, p, MONTH_END.format(value="sum(s.seats)"))


def test_a_graded_word_is_explained_by_the_sentence_saying_what_it_means(demo: Project) -> None:
    text = "Total number of seats held by our largest accounts at each month end. By largest accounts we mean the Enterprise segment."
    p = analyze(
        Definition("largest_accounts_seats", text, ("Enterprise segment only", "Exclude trials")), demo.model
    )
    assert p.refused is None and not p.unread, (p.message, p.rules)
    _same(demo, p, MONTH_END.format(value="sum(case when c.segment = 'Enterprise' then s.seats else 0 end)"))
    # unexplained, the same word is a doubt, never a confident answer for every customer
    vague = analyze(
        Definition("largest_accounts_seats", "Seats held by our largest accounts at month end"), demo.model
    )
    assert vague.refused is not None or vague.confidence < 0.6


def test_an_alias_of_a_country_and_a_region_reads_as_the_country_below_confident(demo: Project) -> None:
    p = analyze(
        Definition("us_mrr", "Month-end MRR for customers in the US", ("Only the US", "Trials excluded")),
        demo.model,
    )
    assert p.refused is None and p.metric is not None
    assert "customer__country" in str(p.metric.get("filter")) and p.confidence < 0.8
    _same(demo, p, MONTH_END.format(value="sum(case when c.country = 'United States' then s.mrr else 0 end)"))


def test_a_column_named_without_its_unit_suffix_and_a_stated_scale(demo: Project) -> None:
    text = "Mean discount (0 to 100) of paid subscriptions live at month end, unweighted"
    columns = warehouse_columns(demo.warehouse)  # discount_pct is no measure's column: the warehouse has it
    p = analyze(Definition("mean_discount", text, ("No trials",)), demo.model, columns=columns)
    assert p.refused is None and not p.unread, (p.message, p.rules)
    _same(demo, p, MONTH_END.format(value="avg(s.discount_pct)"))
    # a fraction of a column in percent is not what the column holds: never answered as is
    frac = analyze(
        Definition(
            "mean_discount", "Mean discount (0 to 1) of paid subscriptions live at month end", ("No trials",)
        ),
        demo.model,
    )
    assert frac.refused is not None or frac.unread


def test_examples_in_parentheses_an_adverb_of_a_value_and_the_date_a_row_ended(demo: Project) -> None:
    columns = warehouse_columns(demo.warehouse)
    p = analyze(
        Definition(
            "forced_ends",
            "Subscriptions that ended voluntarily (e.g. budget cuts, a move to another tool), counted on the day the subscription ended",
            ("Voluntary cancellation type only",),
        ),
        demo.model,
        columns=columns,
        values=table_values(demo.warehouse, demo.model, columns),
    )
    assert p.refused is None and not p.unread, (p.message, p.rules)
    _same(
        demo,
        p,
        """select m.month, count(s.subscription_id) from months m
           left join fct_subscriptions_canonical s
             on date_trunc('month', s.ended_at) = m.month and s.cancellation_type = 'voluntary'
           group by 1 order by 1""",
    )


def test_how_many_times_counts_rows_not_who(demo: Project) -> None:
    p = analyze(
        Definition(
            "exports_done", "How many times users created something each month", ("Only the create action",)
        ),
        demo.model,
    )
    assert p.refused is None and p.metric is not None, p.message
    assert "active_users" not in str(p.metric)  # the events, not the distinct users who created
    _same(
        demo,
        p,
        """select m.month, count(e.event_id) from months m
           left join fct_user_events_canonical e on date_trunc('month', e.occurred_at) = m.month and e.action = 'create'
           group by 1 order by 1""",
    )


def test_unpaid_invoices_at_month_end_are_an_open_balance_never_the_overdue_one(demo: Project) -> None:
    p = analyze(
        Definition("open_receivables", "Total amount of unpaid invoices at the end of each month"), demo.model
    )
    assert p.metric is None or "overdue" not in str(p.metric)  # overdue is a narrower state nobody said
    assert p.new_model is not None and "paid_at" in p.new_model.sql  # open from issue until paid
    assert p.confidence < 0.6 and any("written off" in d for d in p.doubts)  # a doubt: check it
    _same(
        demo,
        p,
        """select m.month, sum(i.amount) from months m
           join fct_invoices_canonical i
             on i.issued_at <= last_day(m.month) and (i.paid_at is null or i.paid_at > last_day(m.month))
           group by 1 order by 1""",
    )


def test_a_pronoun_is_no_country(demo: Project) -> None:
    # "US" (in capitals) is the catalog's alias of the United States; "came to us" names no value
    p = analyze(
        Definition(
            "partner_wins",
            "New customers per month who came to us through a partner",
            ("Partner channel only",),
        ),
        demo.model,
    )
    assert "United States" not in str(p.metric) and all("United States" not in r.reason for r in p.rules)
