"""Generalization probe, sixth round (issue 14): each class of dev6 miss, fixed at its cause, then tried on
phrasings of their own (not copied from any question set).
"""

from __future__ import annotations

import datetime as dt

import pytest

from metricmind.resolve import Resolver

DAY = dt.date(2025, 6, 18)


def _filters(res: object) -> set[tuple[str, str, tuple[str, ...]]]:
    return {(f.field, f.op, f.values) for f in res.filters}  # type: ignore[attr-defined]


# -- a kind noun after a dimension's name ("action type") is that dimension; a time phrase after it is time ----
@pytest.mark.parametrize(
    ("question", "dimension", "start"),
    [
        ("events by action type last month", "event__action", "2025-05-01"),
        ("events split by feature category in the last quarter", "event__feature", "2025-01-01"),
        ("signups per acquisition channel type last month", "customer__acquisition_channel", "2025-05-01"),
        ("mrr by plan tier kind this year", "subscription__plan_tier", "2025-01-01"),
    ],
)
def test_a_kind_noun_after_a_dimension_name_is_that_dimension(
    resolver: Resolver, question: str, dimension: str, start: str
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert [n for n, _ in res.group_by] == [dimension]
    assert res.time_range is not None and str(res.time_range[0]) == start


def test_a_kind_noun_after_an_entity_is_no_dimension(resolver: Resolver) -> None:
    res = resolver.resolve("mrr by customer type", as_of=DAY)  # the customer's name is no customer type
    assert not res.answerable and res.confidence < 0.5


def test_an_unknown_breakdown_is_named_without_the_time_phrase_after_it(resolver: Resolver) -> None:
    res = resolver.resolve("events by action colour last month", as_of=DAY)
    assert not res.answerable
    assert "'action colour'" in (res.reason or "")


# -- a closing condition without its apostrophe ("if thats possible") is chat ------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "active users on android last month by customer segment if thats possible",
        "new mrr by region last quarter if its easy",
        "signups per channel this year if theres time",
    ],
)
def test_a_closing_condition_without_apostrophe_is_chat(resolver: Resolver, question: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.confidence >= 0.8


# -- a breakdown starting with a word that says nothing alone ("by time zone") the catalog lacks -------------
@pytest.mark.parametrize(
    "question",
    ["active users by time zone last week", "mrr by company size band", "signups by business unit"],
)
def test_an_unknown_breakdown_after_a_vague_first_word_is_refused(resolver: Resolver, question: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert not res.answerable and res.confidence < 0.5
    assert "no dimension called" in (res.reason or "")


# -- questions that name a metric but ask something no metric measures ------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "how many days does it take customers to settle an invoice",
        "how long do trials last on average",
        "please turn the mrr chart green",
        "can you make the signups look nicer",
        "what was our return on marketing spend last year",
        "yield on ad spend by channel",
    ],
)
def test_a_duration_a_look_or_a_ratio_over_a_metric_is_refused(resolver: Resolver, question: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert not res.answerable and res.confidence < 0.5


def test_the_verb_make_of_earning_still_answers(resolver: Resolver) -> None:
    res = resolver.resolve("how much money did we make from enterprise customers last month", as_of=DAY)
    assert res.answerable, res.reason


# -- a value said with "non-" before its group is the rest of the group -----------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "events from non-apple phones last month",
        "events on non ios phones in q1",
        "events on mobile apps except ios",
    ],
)
def test_a_group_without_one_member_is_the_rest(resolver: Resolver, question: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert _filters(res) == {("event__platform", "=", ("android",))}


def test_an_exclusion_alone_stays_an_exclusion(resolver: Resolver) -> None:
    res = resolver.resolve("events excluding ios last month", as_of=DAY)
    assert _filters(res) == {("event__platform", "!=", ("ios",))}


# -- "how much" before an entity's plural counts them, unless paying is said --------------------------------
@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("how much customers did we win in emea last quarter", "new_customers"),
        ("how much new accounts did we sign this year", "new_customers"),
        ("how much customers paid us last month", "invoice_revenue"),
    ],
)
def test_how_much_before_a_plural_entity_counts_it(resolver: Resolver, question: str, metric: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == [metric]


# -- a kind of thing in a value's place is read by meaning, or refused; never dropped -------------------------
@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("new mrr from banks last quarter", "Fintech"),
        ("churned mrr among banks in 2024", "Fintech"),
    ],
)
def test_a_kind_of_customer_in_a_value_place_is_read_by_meaning(
    resolver: Resolver, question: str, value: str
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert _filters(res) == {("customer__industry", "=", (value,))}
    assert 0.5 <= res.confidence < 0.8  # read by meaning: answered, never as a sure answer


@pytest.mark.parametrize("question", ["churned mrr from big companies", "new mrr from carmakers last year"])
def test_a_noun_no_value_means_is_never_dropped(resolver: Resolver, question: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert not res.answerable or res.filters, (res.reason, res.notes)
    assert res.answerable or res.confidence < 0.5


# -- words before a dimension's name outside a breakdown are a value of it, never a breakdown -----------------
def test_a_value_named_with_its_dimension_is_read_by_meaning(resolver: Resolver) -> None:
    res = resolver.resolve("events logged on the csv download feature yesterday", as_of=DAY)
    assert res.answerable, res.reason
    assert _filters(res) == {("event__feature", "=", ("reports_export",))}
    assert not res.group_by and res.confidence < 0.8


@pytest.mark.parametrize(
    "question",
    ["events on the holographic widget feature in may", "touchpoints from the spring promo abm campaign"],
)
def test_an_unknown_value_named_with_its_dimension_is_refused(resolver: Resolver, question: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert not res.answerable and res.confidence < 0.5
    assert "not a known value" in (res.reason or "")


def test_a_breakdown_after_by_keeps_its_words(resolver: Resolver) -> None:
    res = resolver.resolve("events by feature last week", as_of=DAY)
    assert res.answerable and [n for n, _ in res.group_by] == ["event__feature"]


# -- spoken markers ("okay", "i mean") are chat; "not the new ones" says which count is not meant ------------
@pytest.mark.parametrize(
    "question",
    [
        "okay so how many active customers did we have in march, i mean all of them not the new ones",
        "um how many active customers did we have at the end of q1",
        "hmm active customers at the end of last year i mean overall",
    ],
)
def test_spoken_markers_and_the_count_not_meant(resolver: Resolver, question: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["active_customers"]
    assert not res.filters and res.confidence >= 0.8


def test_mean_before_a_measure_is_still_an_average(resolver: Resolver) -> None:
    res = resolver.resolve("what was the mean invoice value last quarter", as_of=DAY)
    assert res.metrics == ["average_invoice_value"]


def test_excluding_a_value_with_ones_but_no_metric_of_it_stays_a_filter(resolver: Resolver) -> None:
    res = resolver.resolve("events last month excluding the android ones", as_of=DAY)
    assert _filters(res) == {("event__platform", "!=", ("android",))}


# -- a parenthesis of examples ending "all of it" is what the total takes in; "did we log" is no concept --------
@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("signups we recorded in q1 (organic, paid, referrals, everything)", "signups"),
        ("touchpoints last quarter (email, events, partner, all of them)", "touchpoints"),
    ],
)
def test_an_inclusive_list_of_examples_filters_nothing(
    resolver: Resolver, question: str, metric: str
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == [metric] and not res.filters
    assert res.confidence >= 0.8


def test_a_list_of_values_without_all_still_filters(resolver: Resolver) -> None:
    res = resolver.resolve("touchpoints last quarter (email and events)", as_of=DAY)
    assert res.filters


# -- a grain adjective in a thing's name ("our weekly webinar") is no breakdown by time -----------------------
def test_a_grain_adjective_naming_a_thing_is_no_grain(resolver: Resolver) -> None:
    res = resolver.resolve("signups that came from our weekly webinar this year", as_of=DAY)
    assert res.answerable, res.reason
    assert not res.group_by


def test_a_grain_adjective_before_a_metric_still_groups(resolver: Resolver) -> None:
    res = resolver.resolve("the weekly active users on web last month", as_of=DAY)
    assert [(n, g) for n, g in res.group_by] == [("metric_time", "week")]


def test_a_lead_in_before_a_breakdown_is_no_value_of_it(resolver: Resolver) -> None:
    res = resolver.resolve("quick q: industries by new mrr last month, least to most", as_of=DAY)
    assert res.answerable, res.reason
    assert [n for n, _ in res.group_by] == ["customer__industry"]
