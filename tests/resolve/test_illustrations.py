"""Classes of issue 14's own illustrations (fourth round), each tried on wording of its own: business words
another metric shares, entity nouns as the subject, bare numbers next to observed values, thresholds said of
any entity noun, several metrics sharing a noun, attribution credit with a model, period comparisons.
"""

from __future__ import annotations

import datetime as dt

import pytest

from metricmind.project import Project
from metricmind.resolve import Resolver

DAY = dt.date(2025, 6, 18)


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("how many companies have we added this quarter", "new_customers"),
        ("number of clients added in q1", "new_customers"),
    ],
)
def test_an_entity_noun_counted_with_a_verb_of_adding(resolver: Resolver, question: str, metric: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == [metric]
    assert res.filters == []


@pytest.mark.parametrize(
    ("question", "limit"),
    [("top 3 accounts by mrr this year", 3), ("best 10 companies by billed amount qtd", 10)],
)
def test_a_bare_number_is_a_limit_not_an_observed_value(
    resolve_demo: Project, question: str, limit: int
) -> None:
    # the project's resolver knows the warehouse's values (months since signup 0, 1, 2 …): a number stays a number
    res = resolve_demo.resolver().resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.limit == limit
    assert [n for n, _ in res.group_by] == ["customer__name"]
    assert res.filters == []


@pytest.mark.parametrize("noun", ["companies", "clients", "accounts"])
def test_a_threshold_on_what_any_entity_noun_pays(resolver: Resolver, noun: str) -> None:
    res = resolver.resolve(f"{noun} paying over 2k a month", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["mrr"]
    [f] = res.filters
    assert (f.metric, f.op, f.values) == ("mrr", ">", ("2000.0",))


@pytest.mark.parametrize(
    "question",
    [
        "income we lose when customers step down to a lower package",
        "mrr lost when customers go down a tier",
    ],
)
def test_words_two_metrics_explain_alike_are_no_confident_answer(resolver: Resolver, question: str) -> None:
    # churned and contraction MRR both say "lost": without a word only one has, the answer is below 0.8
    res = resolver.resolve(question, as_of=DAY)
    assert res.confidence < 0.8


@pytest.mark.parametrize(
    "question",
    ["money collected from clients in q1", "how much money was collected from accounts last month"],
)
def test_money_collected_is_the_revenue_net_revenue_is_derived_from(
    resolver: Resolver, question: str
) -> None:
    # net revenue's definition says "Money collected, less refunds": the question says nothing of refunds
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["invoice_revenue"]


@pytest.mark.parametrize(
    ("question", "metrics"),
    [
        ("the number and the mean of invoices last quarter", ["invoice_count", "average_invoice_value"]),
        (
            "sum, count and avg of invoices by segment",
            ["billed_amount", "invoice_count", "average_invoice_value"],
        ),
    ],
)
def test_several_measures_of_one_noun_are_all_read(
    resolver: Resolver, question: str, metrics: list[str]
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == metrics


@pytest.mark.parametrize(
    ("question", "metric", "channel"),
    [
        (
            "how much got credited to email under first touch last quarter",
            "first_touch_attributed_new_mrr",
            "email",
        ),
        ("the credit to referral with linear in q1", "linear_attributed_new_mrr", "referral"),
    ],
)
def test_credit_under_a_model_with_no_measure_is_that_models_metric(
    resolver: Resolver, question: str, metric: str, channel: str
) -> None:
    # "touch" of "first touch" is the model's word, not touchpoints
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == [metric]
    assert [(f.field, f.values) for f in res.filters] == [("touchpoint__channel", (channel,))]
    assert res.analysis is None
    assert any(metric in n for n in res.notes)  # the answer names the measure it assumed


def test_a_model_word_is_no_second_metric(resolver: Resolver) -> None:
    res = resolver.resolve("new mrr credited to email under last touch", as_of=DAY)
    assert "touchpoints" not in res.metrics


def test_the_cost_of_landing_a_customer_is_cac(resolver: Resolver) -> None:
    res = resolver.resolve("how much does it cost us to land one new account", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["cac"]
    assert res.filters == []


def test_a_value_alias_that_describes_an_unread_metric_is_no_filter(resolver: Resolver) -> None:
    # "cost" is an alias of the cancel reason "price" and a word of CAC's description: never a silent filter
    res = resolver.resolve("what does it cost to sign a new account", as_of=DAY)
    assert res.filters == []
    assert res.metrics == ["cac"] or res.confidence < 0.8
    kept = resolver.resolve("churned customers who left over cost in q1", as_of=DAY)  # a reason after "over"
    assert [(f.field, f.values) for f in kept.filters] == [("subscription__cancel_reason", ("price",))]


@pytest.mark.parametrize(
    "question", ["how fast are new customers climbing", "is arr shrinking for the Growth plan"]
)
def test_growth_with_no_period_is_the_monthly_trend(resolver: Resolver, question: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert ("metric_time", "month") in res.group_by
    assert any("monthly trend" in n for n in res.notes)


def test_growth_keeps_a_plan_value_that_is_an_ordinary_word(resolver: Resolver) -> None:
    res = resolver.resolve("how quickly is mrr rising for Pro", as_of=DAY)
    assert res.answerable, res.reason
    assert [(f.field, f.values) for f in res.filters] == [("subscription__plan_tier", ("Pro",))]
    assert ("metric_time", "month") in res.group_by


@pytest.mark.parametrize(
    ("question", "start"),
    [
        ("arr compared with the same month last year", "2025-06-01"),
        ("signups vs the same week last year", "2025-06-16"),
    ],
)
def test_the_same_unit_last_year_is_this_unit_compared(resolver: Resolver, question: str, start: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.comparison == "same_period_last_year"
    assert res.time_range == (dt.date.fromisoformat(start), DAY + dt.timedelta(days=1))
    assert not res.uses_time


@pytest.mark.parametrize(
    ("question", "values"),
    [
        ("arr from accounts on the top 2 tiers", ("Pro", "Enterprise")),
        ("new customers in the bottom two plans this year", ("Starter", "Growth")),
    ],
)
def test_a_rank_after_on_or_in_names_ordered_values(
    resolver: Resolver, question: str, values: tuple[str, ...]
) -> None:
    # the plan tier declares its order (value_order): "top 2 tiers" are values, not a ranking of the tiers
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert [(f.field, f.op, f.values) for f in res.filters] == [("subscription__plan_tier", "in", values)]
    assert res.limit is None
    assert res.group_by == []


def test_a_rank_of_groups_stays_a_ranking(resolver: Resolver) -> None:
    res = resolver.resolve("the top 2 tiers by arr", as_of=DAY)
    assert res.limit == 2
    assert [n for n, _ in res.group_by] == ["subscription__plan_tier"]


@pytest.mark.parametrize(
    "question",
    [
        "mrr lost from clients switching to cheaper plans",
        "how much recurring revenue did we lose from accounts that moved to cheaper tiers in q1",
    ],
)
def test_moving_to_a_cheaper_plan_is_a_downgrade(resolver: Resolver, question: str) -> None:
    # "cheaper" after a verb of moving says a change of plan (contraction), not the cheapest plan as a filter
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["contraction_mrr"]
    assert res.filters == [] and res.group_by == []


def test_a_cheaper_plan_with_no_move_is_still_the_cheapest_value(resolver: Resolver) -> None:
    res = resolver.resolve("arr of the cheaper plans", as_of=DAY)
    assert res.metrics == ["arr"]
    assert [f.field for f in res.filters] == ["subscription__plan_tier"]


@pytest.mark.parametrize(
    ("question", "metrics"),
    [("invoice count and total by month", ["invoice_count", "billed_amount"]), ("invoice avg, count", None)],
)
def test_measures_listed_after_their_noun(
    resolver: Resolver, question: str, metrics: list[str] | None
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == (metrics or ["average_invoice_value", "invoice_count"])


def test_a_listed_measure_the_catalog_lacks_is_no_confident_answer(resolver: Resolver) -> None:
    res = resolver.resolve("total and number of refunds in q1", as_of=DAY)  # refunds is an amount only
    assert res.confidence < 0.8
    assert any("no metric for the number" in n for n in res.notes)


def test_two_words_set_against_each_other_read_one_sided_is_unsure(resolver: Resolver) -> None:
    res = resolver.resolve("the paid vs issued invoices in may", as_of=DAY)
    assert res.confidence < 0.8


def test_an_entity_noun_said_to_grow_is_its_count_over_time(resolver: Resolver) -> None:
    res = resolver.resolve("are our SMB companies growing", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["active_customers"]
    assert ("metric_time", "month") in res.group_by
    assert [(f.field, f.values) for f in res.filters] == [("customer__segment", ("SMB",))]


def test_who_came_and_who_went(resolver: Resolver) -> None:
    res = resolver.resolve("who signed and who quit in q1", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["new_customers", "churned_customers"]


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("how fast are Growth accounts rising", "Growth"),
        ("is mrr from Pro customers climbing", "Pro"),
        ("how quickly are growth clients increasing", "Growth"),  # lower case, before the noun of who
    ],
)
def test_a_plan_named_like_an_ordinary_word_stays_a_filter_in_growth_phrasing(
    resolver: Resolver, question: str, value: str
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert [(f.field, f.values) for f in res.filters] == [("subscription__plan_tier", (value,))]
    assert ("metric_time", "month") in res.group_by


def test_a_state_value_before_an_entity_noun_is_not_forced_into_a_filter(resolver: Resolver) -> None:
    # "paid" is a state of an invoice (lower case in the catalog), not a named value like a plan
    res = resolver.resolve("paying customers last month", as_of=DAY)
    assert res.answerable, res.reason
    assert res.filters == []


@pytest.mark.parametrize("question", ["arr from the Baltics last year", "signups in Polynesia this quarter"])
def test_a_region_named_loosely_that_no_value_is_is_asked_back(resolver: Resolver, question: str) -> None:
    # never an unfiltered answer with the place dropped
    res = resolver.resolve(question, as_of=DAY)
    assert not res.answerable
    assert res.confidence < 0.5
    assert "not a value the catalog knows" in (res.reason or "")


def test_a_place_whose_countries_are_values_is_those_countries(resolver: Resolver) -> None:
    # Iberia holds Spain and Portugal; the catalog's countries hold Spain only (``test_groups.py``)
    res = resolver.resolve("signups in Iberia this quarter", as_of=DAY)
    assert res.answerable, res.reason
    assert [(f.field, f.values) for f in res.filters] == [("customer__country", ("Spain",))]


def test_a_rank_after_from_is_no_confident_ranking(resolver: Resolver) -> None:
    res = resolver.resolve("expansion mrr from our largest plan", as_of=DAY)
    assert res.confidence < 0.8


def test_two_values_compared_on_the_metric_after_more(resolver: Resolver) -> None:
    # "people" is who; "more events" is the measure compared between the two platforms
    res = resolver.resolve("Android or web: where do folks trigger more events?", as_of=DAY)
    assert res.metrics == ["events"]
    assert [n for n, _ in res.group_by] == ["event__platform"]
    assert [(f.op, f.values) for f in res.filters] == [("in", ("android", "web"))]


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("companies that quit because of price in q1", "churned_customers"),
        ("accounts who signed via referral this year", "new_customers"),
    ],
)
def test_an_entity_a_relative_clause_says_was_won_or_lost(
    resolver: Resolver, question: str, metric: str
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == [metric]
    assert len(res.filters) == 1


def test_growth_words_are_no_evidence_for_another_metric(resolver: Resolver) -> None:
    # "fast"/"growing" say how the user base changes, not a quick ratio
    res = resolver.resolve("how quickly is the user base climbing", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["active_users"]


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("the total of invoices in april", "billed_amount"),
        ("the mean of invoices last year", "average_invoice_value"),
    ],
)
def test_one_measure_word_of_a_noun_is_that_kind_of_metric(
    resolver: Resolver, question: str, metric: str
) -> None:
    # "of invoices" alone is the invoice count; "the total of invoices" is their amount
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == [metric]


def test_a_ranking_of_growth_with_no_period_is_no_confident_trend(resolver: Resolver) -> None:
    res = resolver.resolve("which segment grew arr the most", as_of=DAY)
    assert ("metric_time", "month") not in res.group_by  # never the top month-and-segment row
    assert res.confidence < 0.8


def test_a_metric_said_of_the_entities_another_counts(resolver: Resolver) -> None:
    res = resolver.resolve("new logos and their mrr last month", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["new_customers", "new_mrr"]
