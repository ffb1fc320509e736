"""Values named as a group and nonsense that must be refused (issue 14, sixth round). Each class is tried on
wording of its own: none of these questions is in a question set.
"""

from __future__ import annotations

import datetime as dt

import pytest

from metricmind.resolve import Resolver
from metricmind.resolve.places import countries_in, part_of_region

DAY = dt.date(2025, 6, 18)


def _filters(res: object) -> set[tuple[str, str, tuple[str, ...]]]:
    return {(f.field, f.op, tuple(sorted(f.values))) for f in res.filters}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("question", "op", "countries"),
    [
        ("trial starts from our middle eastern accounts last quarter", "=", ("United Arab Emirates",)),
        ("mrr from south american clients", "in", ("Argentina", "Brazil", "Chile")),
        ("churned customers outside the middle east this year", "!=", ("United Arab Emirates",)),
    ],
)
def test_a_place_that_is_a_small_part_of_a_region_is_its_countries(
    resolver: Resolver, question: str, op: str, countries: tuple[str, ...]
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert _filters(res) == {("customer__country", op, countries)}


def test_a_place_that_is_most_of_a_region_keeps_the_declared_value(resolver: Resolver) -> None:
    res = resolver.resolve("invoice revenue from europe in q1", as_of=DAY)
    assert _filters(res) == {("customer__region", "=", ("EMEA",))}


def test_the_share_of_a_region_decides() -> None:
    countries = ("United Kingdom", "Germany", "France", "Spain", "United Arab Emirates", "Brazil", "Mexico")
    emea = ["Europe", "Middle East", "Africa"]
    assert countries_in("middle east", countries) == ["United Arab Emirates"]
    assert part_of_region("middle east", emea, countries)
    assert not part_of_region("europe", emea, countries)  # 4 of 5: most of it
    assert not part_of_region("asia", emea, countries)  # none of it


@pytest.mark.parametrize(
    ("question", "values"),
    [
        ("new customers who found us through search engines this year", ("organic_search", "paid_search")),
        ("new customers from search engines, organic only, last month", ("organic_search",)),
    ],
)
def test_a_word_several_values_share_is_all_of_them(
    resolver: Resolver, question: str, values: tuple[str, ...]
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    field = "customer__acquisition_channel"
    assert _filters(res) == {(field, "=" if len(values) == 1 else "in", values)}
    assert not res.group_by


def test_a_word_values_share_keeps_a_breakdown_said_elsewhere(resolver: Resolver) -> None:
    res = resolver.resolve("new customers per channel for the search engines", as_of=DAY)
    assert res.answerable, res.reason
    assert [g[0] for g in res.group_by] == ["customer__acquisition_channel"]
    assert _filters(res) == {("customer__acquisition_channel", "in", ("organic_search", "paid_search"))}


def test_everything_but_frames_an_exclusion(resolver: Resolver) -> None:
    res = resolver.resolve("trial starts by region this year, everything but apac", as_of=DAY)
    assert res.answerable, res.reason
    assert _filters(res) == {("customer__region", "!=", ("APAC",))}
    assert [g[0] for g in res.group_by] == ["customer__region"]


@pytest.mark.parametrize(
    "question",
    [
        "arr of the planet mars",
        "invoice revenue by count of employees",
        "which plan is the loudest",
        "active users by onboarding stage last month",
    ],
)
def test_an_unexplained_word_where_a_breakdown_or_qualifier_goes_refuses(
    resolver: Resolver, question: str
) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert not res.answerable
    assert res.confidence < 0.5


@pytest.mark.parametrize(
    "question",
    [
        "mrr of the enterprise segment",
        "arr by number of customers? no: arr by segment",
        "mrr of our top plan",
    ],
)
def test_known_words_after_of_still_read(resolver: Resolver, question: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason


def test_a_metric_word_set_against_a_value_is_a_value(resolver: Resolver) -> None:
    # "events" is a metric and a channel; set against the channel "partner" it is the channel
    res = resolver.resolve("new customers, partner versus events, this year", as_of=DAY)
    assert res.answerable, res.reason
    assert res.metrics == ["new_customers"]
    assert _filters(res) == {("customer__acquisition_channel", "in", ("events", "partner"))}
    assert [g[0] for g in res.group_by] == ["customer__acquisition_channel"]


def test_a_count_of_an_unknown_plural_is_refused_but_an_adjective_is_not(resolver: Resolver) -> None:
    assert not resolver.resolve("how many german wombats signed up this year", as_of=DAY).answerable
    assert resolver.resolve("how many free trials started this week", as_of=DAY).answerable


@pytest.mark.parametrize(
    "question",
    ["invoice revenue from lizards last year", "trial starts with green hats", "arr among unicorns"],
)
def test_an_unknown_noun_after_from_or_with_is_refused(resolver: Resolver, question: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert not res.answerable
    assert res.confidence < 0.5


def test_an_adjective_before_words_read_is_no_qualifier(resolver: Resolver) -> None:
    res = resolver.resolve("mrr from the large enterprise accounts", as_of=DAY)
    assert res.answerable, res.reason
    assert _filters(res) == {("customer__segment", "=", ("Enterprise",))}


def test_the_first_half_alone_is_the_latest_begun(resolver: Resolver) -> None:
    res = resolver.resolve("signups in the second half", as_of=DAY)
    assert res.time_range == (dt.date(2024, 7, 1), dt.date(2025, 1, 1))
    res = resolver.resolve("signups each month of the first half", as_of=DAY)
    assert res.time_range == (dt.date(2025, 1, 1), dt.date(2025, 7, 1))


def test_presentation_words_after_with_are_no_restriction(resolver: Resolver) -> None:
    res = resolver.resolve("events with details", as_of=DAY)
    assert res.answerable, res.reason


def test_a_place_read_over_a_declared_region_is_never_confident(resolver: Resolver) -> None:
    res = resolver.resolve("new customers in the middle east this year", as_of=DAY)
    assert res.answerable, res.reason
    assert res.confidence <= 0.75
    assert any("not the wider customer__region" in n for n in res.notes)


def test_a_shared_word_after_an_exclusion_is_all_of_its_values_left_out(resolver: Resolver) -> None:
    res = resolver.resolve("new customers this quarter excluding search", as_of=DAY)
    assert res.answerable, res.reason
    assert _filters(res) == {("customer__acquisition_channel", "not in", ("organic_search", "paid_search"))}


def test_the_noun_after_a_place_is_no_breakdown(resolver: Resolver) -> None:
    res = resolver.resolve("trial starts from the gulf region this year", as_of=DAY)
    assert res.answerable, res.reason
    assert _filters(res) == {("customer__country", "=", ("United Arab Emirates",))}
    assert res.group_by == []


def test_a_declared_region_holding_none_of_a_place_is_no_confident_answer(resolver: Resolver) -> None:
    # EMEA's aliases name Africa, but no country value of the demo lies in Africa
    res = resolver.resolve("new mrr from african customers", as_of=DAY)
    assert res.confidence < 0.8
