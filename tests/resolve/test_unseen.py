"""Classes of phrasing fixed for questions typed by people who never saw the resolver's vocabulary (issue
14, third round). Each class is tried on wording of its own: none of these questions is in a question set.
"""

from __future__ import annotations

import datetime as dt

import pytest

from metricmind.project import Project
from metricmind.resolve import Resolver

DAY = dt.date(2025, 6, 18)


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("arr for the third quarter of last year", "2024-07-01", "2024-10-01"),
        ("refunds q3 last yr", "2024-07-01", "2024-10-01"),
        ("signups in february of this year", "2025-02-01", "2025-03-01"),
        ("invoice count for october last year", "2024-10-01", "2024-11-01"),
    ],
)
def test_a_period_of_a_year_said_relatively(resolver: Resolver, question: str, start: str, end: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.time_range == (dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    assert res.comparison is None


def test_a_month_against_the_same_month_of_last_year(resolver: Resolver) -> None:
    res = resolver.resolve("signups february vs february last year", as_of=DAY)
    assert res.answerable, res.reason
    assert res.time_range == (dt.date(2025, 2, 1), dt.date(2025, 3, 1))
    assert res.comparison == "same_period_last_year"
    assert res.comparison_range == (dt.date(2024, 2, 1), dt.date(2024, 3, 1))


@pytest.mark.parametrize(
    "question",
    [
        "nps to arr ratio",  # a concept linked to a metric by "to"
        "arr of the purple team",  # by "of the"
        "how heavy are our invoices",  # "how <word>" asks a measure no metric has
        "how loud was signups last month",
    ],
)
def test_a_concept_the_catalog_lacks_is_refused(resolver: Resolver, question: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert not res.answerable
    assert res.confidence < 0.5


def test_words_after_by_are_a_breakdown_not_the_metric(resolver: Resolver) -> None:
    # "ad" is a word of marketing spend's description, but after "by" it begins a breakdown the catalog lacks
    res = resolver.resolve("marketing spend by ad network", as_of=DAY)
    assert not res.answerable
    assert "ad network" in (res.reason or "")


def test_an_idiom_of_verbs_next_to_a_metric_is_no_concept(resolver: Resolver) -> None:
    res = resolver.resolve("how much mrr walked away last month", as_of=DAY)
    assert res.answerable, res.reason


@pytest.mark.parametrize(
    ("question", "metrics"),
    [
        (
            "linear and first touch attributed new mrr by campaign this year",
            ["first_touch_attributed_new_mrr", "linear_attributed_new_mrr"],
        ),
        (
            "first and last touch attributed new mrr in q2",
            ["first_touch_attributed_new_mrr", "last_touch_attributed_new_mrr"],
        ),
    ],
)
def test_several_catalog_models_in_one_list(resolver: Resolver, question: str, metrics: list[str]) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.analysis is None
    assert sorted(res.metrics) == metrics


def test_a_model_list_after_under_stays_an_analysis(resolver: Resolver) -> None:
    res = resolver.resolve("new mrr under first and last touch in q2", as_of=DAY)
    assert res.analysis is not None


def test_a_word_several_metrics_share_is_asked_back(resolver: Resolver) -> None:
    res = resolver.resolve("churn for enterprise in 2024", as_of=DAY)
    assert not res.answerable and res.confidence < 0.5
    assert res.clarify is not None
    offered = {m for c in res.clarify["choices"] for m in c["metrics"]}
    assert {"customer_churn_rate", "churned_mrr", "churned_customers"} <= offered


def test_ranking_groups_by_a_shared_word_reads_the_rate(resolver: Resolver) -> None:
    res = resolver.resolve("which region had the highest churn last year", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["customer_churn_rate"]
    assert res.confidence < 0.8  # a shortened name: answered, but not sure


def test_a_lone_word_listed_with_commas_is_its_metric(resolver: Resolver) -> None:
    res = resolver.resolve("cac, spend and new customers by quarter in 2024", as_of=DAY)
    assert res.answerable, res.reason
    assert sorted(res.metrics) == ["cac", "marketing_spend", "new_customers"]


def test_in_some_terms_is_no_concept(resolver: Resolver) -> None:
    res = resolver.resolve("expansion in dollar terms for q1", as_of=DAY)
    assert res.answerable, res.reason
    assert not any("terms" in n for n in res.notes)


def test_an_entity_after_a_ranked_metric_is_the_breakdown(resolver: Resolver) -> None:
    res = resolver.resolve("smallest refunds client in 2024", as_of=DAY)
    assert res.answerable, res.reason
    assert [n for n, _ in res.group_by] == ["customer__name"]
    assert res.limit == 1 and res.order_by == [("refunds", False)]


def test_a_grain_word_inside_the_metric_wording_is_no_breakdown(resolver: Resolver) -> None:
    res = resolver.resolve("average monthly revenue per client in the uk", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["arpa"] and res.group_by == []
    grain = resolver.resolve("monthly invoice revenue in 2024", as_of=DAY)  # at the edge it still is one
    assert grain.group_by == [("metric_time", "month")]


def test_a_loose_word_in_a_compound_is_another_concept(resolver: Resolver) -> None:
    # "sales" alone is a synonym of invoice revenue; "sales pipeline" is a concept the catalog lacks
    res = resolver.resolve("sales pipeline this quarter", as_of=DAY)
    assert not res.answerable and res.confidence < 0.5


def test_a_verb_cue_across_a_preposition_is_no_exclusion(resolver: Resolver) -> None:
    res = resolver.resolve("is mrr dropping in latam", as_of=DAY)
    assert res.answerable, res.reason
    assert [(f.field, f.op) for f in res.filters] == [("customer__region", "=")]
    kept = resolver.resolve("mrr dropping latam", as_of=DAY)
    assert [(f.field, f.op) for f in kept.filters] == [("customer__region", "!=")]


def test_a_value_before_its_dimension_name_is_a_value_not_a_metric(resolver: Resolver) -> None:
    # "events" names a metric and a channel; before "channel" it is the channel
    res = resolver.resolve("signups that came through the events channel in 2024", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["signups"]
    assert [(f.field, f.values) for f in res.filters] == [("customer__acquisition_channel", ("events",))]
    assert res.group_by == []


def test_values_listed_bare_after_the_metric_are_set_side_by_side(resolver: Resolver) -> None:
    res = resolver.resolve("mrr emea and apac this quarter", as_of=DAY)
    assert res.answerable, res.reason
    assert [n for n, _ in res.group_by] == ["customer__region"]
    assert [(f.op, sorted(f.values)) for f in res.filters] == [("in", ["APAC", "EMEA"])]
    tied = resolver.resolve("mrr from emea and apac this quarter", as_of=DAY)  # a condition: one filter
    assert tied.group_by == []


def test_a_chat_preamble_and_fillers_cost_nothing(resolver: Resolver) -> None:
    res = resolver.resolve("fyi for the board: hey pls send arr by segment thanks", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["arr"] and res.confidence >= 0.8


def test_a_verb_the_metric_already_says_is_read(resolver: Resolver) -> None:
    res = resolver.resolve("new logos we landed in march", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["new_customers"] and not res.notes


def test_a_value_named_as_typed_is_no_description_evidence(resolver: Resolver) -> None:
    # "Starter" is a plan; its stem is no evidence for "active customers at the start"
    res = resolver.resolve("active customers on starter in apac", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["active_customers"]
    assert ("subscription__plan_tier", ("Starter",)) in [(f.field, f.values) for f in res.filters]


@pytest.mark.parametrize(
    ("question", "metric", "dim"),
    [
        ("rfnds by cntry", "refunds", "customer__country"),  # letters dropped, vowels first
        ("trial strts by pln tier", "trial_starts", "subscription__plan_tier"),
    ],
)
def test_words_typed_without_their_vowels(resolver: Resolver, question: str, metric: str, dim: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == [metric]
    assert [n for n, _ in res.group_by] == [dim]


def test_a_real_short_word_is_no_abbreviation(resolver: Resolver) -> None:
    res = resolver.resolve("mrr from big accounts in emea", as_of=DAY)
    assert res.metrics == ["mrr"]


def test_a_half_with_a_two_digit_year(resolver: Resolver) -> None:
    res = resolver.resolve("signups h1 23", as_of=DAY)
    assert res.time_range == (dt.date(2023, 1, 1), dt.date(2023, 7, 1))


def test_mid_mkt_is_the_segment(resolver: Resolver) -> None:
    res = resolver.resolve("arr mid mkt last qtr", as_of=DAY)
    assert [(f.field, f.values) for f in res.filters] == [("customer__segment", ("Mid-Market",))]


@pytest.mark.parametrize(
    ("question", "metric"),
    [("new companies in the uk this yr", "new_customers"), ("lost accts in q2", "churned_customers")],
)
def test_a_word_before_another_noun_for_the_entity(resolver: Resolver, question: str, metric: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == [metric]


def test_a_threshold_names_its_metric_after_the_amount(resolver: Resolver) -> None:
    res = resolver.resolve("clients paying over 2,500 arr", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["arr"]
    assert [(f.metric, f.op, f.values) for f in res.filters] == [("arr", ">", ("2500.0",))]


def test_the_verb_after_which_customers_is_no_breakdown(resolver: Resolver) -> None:
    res = resolver.resolve("which accounts generate the most events", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["events"]
    assert [n for n, _ in res.group_by] == ["customer__name"]


@pytest.mark.parametrize(
    "question", ["how much did companies pay us in june", "how much did customers spend with us in 2024"]
)
def test_how_much_customers_pay_is_revenue_not_a_count(resolver: Resolver, question: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["invoice_revenue"]
    count = resolver.resolve("how many companies paid us in june", as_of=DAY)
    assert count.metrics == ["active_customers"]


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("ad spend per new customer by channel this yr", "cac"),
        ("what did we spend on marketing for each new customer in q1", "cac"),
        ("mrr per active customer in emea", "arpa"),
    ],
)
def test_one_metric_per_another_is_their_ratio(resolver: Resolver, question: str, metric: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == [metric]


def test_a_metric_per_time_unit_is_no_ratio(resolver: Resolver) -> None:
    res = resolver.resolve("new customers per week in may", as_of=DAY)
    assert res.metrics == ["new_customers"]
    assert res.group_by == [("metric_time", "week")]


def test_a_sort_direction_said_at_the_end(resolver: Resolver) -> None:
    res = resolver.resolve("rank industries by new mrr, smallest first, 2024", as_of=DAY)
    assert res.order_by == [("new_mrr", False)] and res.limit is None


def test_the_entity_after_a_metric_verb_is_who(resolver: Resolver) -> None:
    res = resolver.resolve("how much have we invoiced our clients in q2", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["billed_amount"]


def test_a_word_that_keeps_the_measure_costs_nothing_but_rate_does(resolver: Resolver) -> None:
    kept = resolver.resolve("touchpoint volume by channel in may", as_of=DAY)
    assert kept.metrics == ["touchpoints"] and not kept.notes
    changed = resolver.resolve("refund rate by month", as_of=DAY)
    assert not changed.answerable or changed.confidence < 0.8  # refunds are no rate


def test_a_typo_in_a_time_word_still_gives_the_period(resolver: Resolver) -> None:
    res = resolver.resolve("arr for the previus quater", as_of=DAY)
    assert res.answerable, res.reason
    assert res.time_range == (dt.date(2025, 1, 1), dt.date(2025, 4, 1))


def test_where_an_entity_is_based_is_no_metric_evidence(resolver: Resolver) -> None:
    res = resolver.resolve("revenue from companies headquartered in france", as_of=DAY)
    assert res.metrics == ["invoice_revenue"]
    assert [(f.field, f.values) for f in res.filters] == [("customer__country", ("France",))]


def test_values_a_word_begins_are_kept_while_grouped_by_their_dimension(resolver: Resolver) -> None:
    res = resolver.resolve("signups per channel, only the paid channels, last qtr", as_of=DAY)
    assert res.answerable, res.reason
    assert [n for n, _ in res.group_by] == ["customer__acquisition_channel"]
    assert [(f.op, sorted(f.values)) for f in res.filters] == [("in", ["paid_search", "paid_social"])]


def test_x_to_y_ratio_is_the_catalogs_ratio(resolver: Resolver) -> None:
    res = resolver.resolve("billed amount to invoice count ratio by plan", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["average_invoice_value"] and not res.notes


def test_a_base_of_customers_is_the_customers(resolver: Resolver) -> None:
    res = resolver.resolve("the customer base by segment in q1", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["active_customers"] and not res.notes


def test_two_metrics_whose_typed_words_name_a_third(resolver: Resolver) -> None:
    # "revenue" (invoice revenue) and "cancellations" (churned customers): together "revenue churn"
    res = resolver.resolve("revenue gone with cancellations in march", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["churned_mrr"]


def test_sorted_high_to_low(resolver: Resolver) -> None:
    res = resolver.resolve("signups by country sorted low to high", as_of=DAY)
    assert res.order_by == [("signups", False)] and not res.notes


def test_paying_an_amount_a_month_is_mrr_per_customer(resolver: Resolver) -> None:
    res = resolver.resolve("how many clients pay more than 500 a month in emea", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["active_customers"]
    assert [(f.metric, f.op) for f in res.filters if f.metric] == [("mrr", ">")]
    assert res.group_by == []  # "a month" is no breakdown


def test_how_much_customers_expand_is_the_amount_the_verb_names(resolver: Resolver) -> None:
    res = resolver.resolve("how much did our accounts expand in april", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["expansion_mrr"]


def test_a_half_of_this_year_and_more_growth_verbs(resolver: Resolver) -> None:
    res = resolver.resolve("gimme signups h2 last year", as_of=DAY)
    assert res.answerable, res.reason
    assert res.time_range == (dt.date(2024, 7, 1), dt.date(2025, 1, 1))
    better = resolver.resolve("has nrr improved this year", as_of=DAY)
    assert better.answerable and better.comparison == "previous_period"


def test_a_metric_listed_after_another_is_no_repetition(resolver: Resolver) -> None:
    res = resolver.resolve("billed amount versus revenue for march", as_of=DAY)
    assert sorted(res.metrics) == ["billed_amount", "invoice_revenue"]


def test_a_verb_only_one_metric_names_is_that_metric_below_confident(resolver: Resolver) -> None:
    res = resolver.resolve("which clients expanded most in 2024", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["expansion_mrr"] and res.confidence < 0.8
    assert not resolver.resolve("engagement in may", as_of=DAY).answerable  # a vague noun is no verb


def test_a_dimension_mix_is_a_breakdown(resolver: Resolver) -> None:
    res = resolver.resolve("segment mix of trial starts last qtr", as_of=DAY)
    assert res.answerable, res.reason
    assert [n for n, _ in res.group_by] == ["customer__segment"]


def test_between_two_amounts_is_two_thresholds_that_run(resolver: Resolver, resolve_demo: Project) -> None:
    res = resolver.resolve("clients with arr between 10k and 60k", as_of=DAY)
    assert res.answerable, res.reason
    assert [(f.metric, f.op) for f in res.filters] == [("arr", ">="), ("arr", "<=")]
    result = resolve_demo.run(res.metric_query())
    assert result.rows is not None


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("new customers that didn't come through referral in 2024", "referral"),
        ("churned mrr leaving out the ones who left because of price", "price"),
    ],
)
def test_a_negation_said_late_or_contracted_still_excludes(
    resolver: Resolver, question: str, value: str
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert [(f.op, f.values) for f in res.filters] == [("!=", (value,))]


def test_a_short_everyday_value_compared_with_another(resolver: Resolver) -> None:
    res = resolver.resolve("churned customers na compared with latam in 2024", as_of=DAY)
    assert res.answerable, res.reason
    assert [n for n, _ in res.group_by] == ["customer__region"]
    assert [sorted(f.values) for f in res.filters] == [["LATAM", "NA"]]


def test_a_compound_of_a_loose_word_and_a_metric_name(resolver: Resolver) -> None:
    res = resolver.resolve("how many trial signups in april", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["trial_starts"] and res.confidence < 0.8
    listed = resolver.resolve("trials and signups in april", as_of=DAY)  # a list stays a list
    assert sorted(listed.metrics) == ["signups", "trial_starts"]
