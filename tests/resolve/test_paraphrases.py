"""Paraphrase probes (issue 14): new wordings of the blind splits' weak kinds, written by hand before the
resolver was run on them (``paraphrases.yml``), and the mechanisms they checked, each on wordings of its own.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from metricmind.resolve import Resolver
from tests.resolve import blindset

DAY = dt.date(2025, 6, 18)
PROBES = Path(__file__).parent / "paraphrases.yml"


def _filters(res: object) -> set[tuple[str, str, tuple[str, ...]]]:
    return {(f.field, f.op, f.values) for f in res.filters}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "floor"),
    [
        ("paraphrases.yml", 0.85),
        ("paraphrases2.yml", 0.8),
        ("paraphrases3.yml", 0.88),
        ("paraphrases4.yml", 0.8),
    ],
)
def test_the_paraphrase_probes_read_mostly_right_and_calibrated(
    resolver: Resolver, name: str, floor: float
) -> None:
    s = blindset.score(resolver, PROBES.parent / name)
    assert s.accuracy() >= floor, s.report(show_misses=True)
    right, total = s.confident
    assert total and right / total >= 0.9, s.report(show_misses=True)
    low, refused = s.refusals_low
    assert low == refused


@pytest.mark.parametrize(
    "question",
    [
        "fintech and healthcare side by side on mrr",
        "mrr for apac and latam, head to head",
        "how does emea stack up against apac on mrr",
        "new mrr from partner next to referral",
    ],
)
def test_a_contrast_idiom_sets_two_values_side_by_side(resolver: Resolver, question: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert len(res.group_by) == 1 and not any("unknown" in n for n in res.notes), res.notes
    (f,) = res.filters
    assert f.field == res.group_by[0][0] and f.op == "in" and len(f.values) == 2


def test_a_word_said_twice_around_by_is_no_breakdown(resolver: Resolver) -> None:
    res = resolver.resolve("mrr and arr side by side", as_of=DAY)
    assert res.answerable, res.reason
    assert res.group_by == []
    res = resolver.resolve("mrr month by month this year", as_of=DAY)  # a time unit doubled is a grain
    assert [g for _, g in res.group_by] == ["month"]


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("recurring revenue added by brand new accounts this year", "new_mrr"),
        ("events logged by enterprise customers last week", "events"),
    ],
)
def test_by_before_a_plural_entity_after_a_participle_is_who_did_it(
    resolver: Resolver, question: str, metric: str
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == [metric]
    assert all(g[0] == "metric_time" for g in res.group_by)


@pytest.mark.parametrize(
    "question",
    [
        "what fraction of our customers did we lose last quarter",
        "churned customers as a percentage, by segment",
        "the proportion of customers that we lost in q1",
    ],
)
def test_a_share_of_a_count_is_the_ratio_of_that_numerator(resolver: Resolver, question: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["customer_churn_rate"]


def test_an_amount_per_entity_is_no_share(resolver: Resolver) -> None:
    # ARPA is MRR over customers: a share needs its part and its whole to count the same thing
    res = resolver.resolve("mrr share by region", as_of=DAY)
    assert res.metrics == ["mrr"]


@pytest.mark.parametrize(
    "question",
    [
        "do smb or enterprise accounts churn at a higher rate",
        "which plan churns at a higher rate, starter or pro",
    ],
)
def test_the_word_a_shortened_name_dropped_said_apart_confirms_it(resolver: Resolver, question: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["customer_churn_rate"]
    assert len(res.group_by) == 1
    assert res.confidence >= 0.8, res.notes


@pytest.mark.parametrize(
    ("question", "field", "value"),
    [
        (
            "new customers last quarter excluding those that came through referral",
            "customer__acquisition_channel",
            "referral",
        ),
        ("events except the ones made on ios", "event__platform", "ios"),
        (
            "churned customers in 2024 apart from the ones whose business closed",
            "subscription__cancel_reason",
            "business_closed",
        ),
        ("mrr leaving out anyone who joined via partner", "customer__acquisition_channel", "partner"),
    ],
)
def test_an_exclusion_runs_over_the_clause_that_says_which_ones(
    resolver: Resolver, question: str, field: str, value: str
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert _filters(res) == {(field, "!=", (value,))}


def test_an_exclusion_word_whose_scope_is_not_traced_is_never_a_confident_inclusion(
    resolver: Resolver,
) -> None:
    res = resolver.resolve("mrr except whatever came in from emea", as_of=DAY)
    kept = ("customer__region", "=", ("EMEA",)) in _filters(res)
    assert not (res.answerable and kept and res.confidence >= 0.8)


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("I'm wondering how many trials started last week", "trial_starts"),
        ("We're prepping the QBR and would like to see arr by region, could you check?", "arr"),
        ("When you have a minute, I'd like to see refunds for last quarter.", "refunds"),
    ],
)
def test_a_lead_in_or_a_closing_ask_is_context(resolver: Resolver, question: str, metric: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == [metric] and res.confidence >= 0.8, res.notes


@pytest.mark.parametrize(
    ("question", "grain"),
    [
        ("new customers in each of the last 4 quarters", "quarter"),
        ("mrr for every one of the past 6 months", "month"),
    ],
)
def test_each_of_a_range_is_one_row_per_unit(resolver: Resolver, question: str, grain: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.group_by == [("metric_time", grain)]


@pytest.mark.parametrize(
    ("question", "metric", "value"),
    [
        ("how many accounts pay more than 3k in mrr", "mrr", 3000.0),
        ("number of customers with more than 200 events", "events", 200.0),
        ("how many clients have over 10 active users", "active_users", 10.0),
    ],
)
def test_a_count_under_a_threshold_counts_the_entity_by_the_metric_named_after_the_amount(
    resolver: Resolver, question: str, metric: str, value: float
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["active_customers"]
    (f,) = res.filters
    assert (f.metric, f.op, float(f.values[0])) == (metric, ">", value)


@pytest.mark.parametrize(
    ("question", "values"),
    [
        ("churned mrr for starter and growth together in h1 2024", ("Starter", "Growth")),
        ("new mrr from growth and pro combined last quarter", ("Growth", "Pro")),
        ("events for api and alerts features together", ("api", "alerts")),
    ],
)
def test_values_listed_together_filter_as_one_group(
    resolver: Resolver, question: str, values: tuple[str, ...]
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.comparison is None and all(g[0] == "metric_time" for g in res.group_by)
    (f,) = res.filters
    assert f.op == "in" and set(f.values) == set(values)


@pytest.mark.parametrize(
    "question",
    [
        "active users by city in may",  # an English word is no shortening of "capability"
        "cost per click on paid search last qtr",  # a ratio whose unit the catalog lacks
        "mrr per seat this month",
        "churned mrr last year split voluntary vs involuntary",  # values no dimension holds
        "new customers, inbound versus outbound",
        "mrr from martian customers",  # a word in a value's place that nothing reads
    ],
)
def test_what_the_catalog_lacks_is_refused(resolver: Resolver, question: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert not res.answerable and res.confidence < 0.5, (res.metrics, res.group_by, res.notes)


def test_a_place_word_before_an_entity_is_a_value_not_a_second_metric(resolver: Resolver) -> None:
    res = resolver.resolve("mrr from our DACH customers at the end of last month", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["mrr"] and res.filters


@pytest.mark.parametrize(
    ("question", "start"),
    [
        ("expansion mrr may yoy", dt.date(2025, 5, 1)),
        ("how many signups in the month of may", dt.date(2025, 5, 1)),
    ],
)
def test_may_before_a_comparison_or_at_the_end_is_the_month(
    resolver: Resolver, question: str, start: dt.date
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.time_range is not None and res.time_range[0] == start
    assert res.group_by == []


@pytest.mark.parametrize("question", ["total in-app actions yesterday", "on-platform events last week"])
def test_a_hyphenated_preposition_makes_a_modifier_not_a_breakdown(resolver: Resolver, question: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["events"] and res.group_by == []


@pytest.mark.parametrize(
    "question", ["daily actives on android yesterday", "how many actives were there on ios last week"]
)
def test_a_word_several_metrics_share_is_the_one_the_named_values_fit(
    resolver: Resolver, question: str
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["active_users"] and res.group_by == []


@pytest.mark.parametrize(
    "question",
    [
        "new mrr last quarter excluding anything from paid search",
        "arr leaving out whatever came through email",
    ],
)
def test_an_exclusion_over_an_indefinite_pronoun_excludes(resolver: Resolver, question: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert {f.op for f in res.filters} == {"!="}


@pytest.mark.parametrize(
    "question",
    [
        "Our finance team is asking what the overdue balance looked like at the end of May.",
        "I need, for a planning doc, the trial conversion rate by acquisition channel for 2024.",
    ],
)
def test_a_purpose_or_who_asks_is_context(resolver: Resolver, question: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.filters == []


def test_another_noun_for_the_entity_a_metric_counts_is_who(resolver: Resolver) -> None:
    res = resolver.resolve("how many clients cancelled in q1", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["churned_customers"] and res.confidence >= 0.8


@pytest.mark.parametrize(
    "question",
    ["new mrr by campaign last quarter", "how much new mrr did each touchpoint campaign bring in 2024"],
)
def test_a_breakdown_only_the_credited_measure_reaches_reads_the_default_attribution(
    resolver: Resolver, question: str
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert len(res.metrics) == 1 and "attributed" in res.metrics[0]
    assert [n for n, _ in res.group_by if n != "metric_time"] == ["touchpoint__campaign"]
    assert any("assumed" in n for n in res.notes)


@pytest.mark.parametrize(
    "question", ["expansion mrr from the mid-tier plans last qtr", "mrr on our middle plans"]
)
def test_the_middle_of_a_declared_order_is_its_inner_values(resolver: Resolver, question: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.group_by == []
    assert _filters(res) == {("subscription__plan_tier", "in", ("Growth", "Pro"))}


@pytest.mark.parametrize("question", ["mrr from yearly contracts", "arr for the middle plans"])
def test_a_metric_said_by_its_name_is_not_renamed_on_one_words_evidence(
    resolver: Resolver, question: str
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.metrics and res.metrics[0] in ("mrr", "arr"), res.metrics


@pytest.mark.parametrize(
    ("question", "field", "value"),
    [
        ("touchpoints this year, leaving email out", "touchpoint__channel", "email"),
        ("arr taking the smb segment out", "customer__segment", "SMB"),
        ("new customers last month, leave partner aside", "customer__acquisition_channel", "partner"),
    ],
)
def test_a_cue_split_around_its_value_excludes(
    resolver: Resolver, question: str, field: str, value: str
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert _filters(res) == {(field, "!=", (value,))}


def test_an_amount_in_a_count_noun_is_what_was_paid(resolver: Resolver) -> None:
    res = resolver.resolve("how many clients paid us over 30k in invoices in 2024", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["active_customers"]
    assert [f.metric for f in res.filters] == ["invoice_revenue"]


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("what is our yearly run rate right now", "arr"),
        ("yearly recurring revenue by region", "arr"),
        ("annualised recurring revenue last quarter", "arr"),
    ],
)
def test_a_word_of_period_said_another_way_reads_the_catalog_phrase(
    resolver: Resolver, question: str, metric: str
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == [metric]
    assert all(g != "year" for _, g in res.group_by)


def test_a_value_said_with_another_word_of_period_filters(resolver: Resolver) -> None:
    res = resolver.resolve("mrr from yearly contracts", as_of=DAY)
    assert res.metrics == ["mrr"]
    assert _filters(res) == {("subscription__billing_interval", "=", ("annual",))}


def test_a_filter_naming_the_value_the_metric_was_read_from_restates_it(resolver: Resolver) -> None:
    res = resolver.resolve("unpaid invoices past due by segment", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["overdue_amount"] and res.filters == []


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("the typical invoice size by segment", "average_invoice_value"),
        ("mean bill size last year", "average_invoice_value"),
    ],
)
def test_typical_and_mean_are_the_average(resolver: Resolver, question: str, metric: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == [metric]


def test_a_value_of_two_dimensions_is_the_one_of_the_entity_named_after_it(resolver: Resolver) -> None:
    res = resolver.resolve("show enterprise new accounts by month this year", as_of=DAY)
    assert res.answerable, res.reason
    assert _filters(res) == {("customer__segment", "=", ("Enterprise",))}


def test_a_value_the_metric_restates_is_never_excluded(resolver: Resolver) -> None:
    res = resolver.resolve("invoice revenue without anything paid by wire", as_of=DAY)
    assert res.answerable, res.reason
    assert _filters(res) == {("invoice__payment_method", "!=", ("wire",))}


@pytest.mark.parametrize(
    ("question", "values"),
    [
        ("events from android phones this week", ("android",)),
        ("active users on ios phones yesterday", ("ios",)),
        ("events on ios and android phones", ("ios", "android")),
    ],
)
def test_a_member_said_before_its_group_narrows_it(
    resolver: Resolver, question: str, values: tuple[str, ...]
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    (f,) = res.filters
    assert f.field == "event__platform" and set(f.values) == set(values)
