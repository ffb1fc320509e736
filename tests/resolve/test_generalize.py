"""Mechanisms added to read blind-written questions (issue 14), each tried on wording of its own (none of
these questions is in a question set): unexplained values, parts of a value's name, the entity's verb in
"which customers churned …", a dollar sign asking for an amount, cue words that are not concepts.
"""

from __future__ import annotations

import datetime as dt

import pytest

from metricmind.resolve import Resolver

DAY = dt.date(2025, 6, 18)


def read(
    resolver: Resolver, question: str
) -> tuple[list[str], list[str], list[tuple[str, str, tuple[str, ...]]]]:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, (question, res.reason)
    return (
        sorted(res.metrics),
        sorted(n for n, _ in res.group_by),
        sorted((f.field, f.op, tuple(sorted(f.values))) for f in res.filters),
    )


@pytest.mark.parametrize(
    ("question", "metric", "field", "value"),
    [
        ("events hitting alerts in q1", "events", "event__feature", "alerts"),
        ("how many people used integrations last week", "active_users", "event__feature", "integrations"),
        (
            "linear attributed new mrr for referral this year",
            "linear_attributed_new_mrr",
            "touchpoint__channel",
            "referral",
        ),
    ],
)
def test_an_unexplained_value_filters(
    resolver: Resolver, question: str, metric: str, field: str, value: str
) -> None:
    metrics, _, filters = read(resolver, question)
    assert metrics == [metric]
    assert filters == [(field, "=", (value,))]


def test_a_value_after_by_is_no_filter(resolver: Resolver) -> None:
    res = resolver.resolve("active users by browser", as_of=DAY)
    assert not res.filters


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("churned mrr from accounts that went to a competitor in 2024", "switched_competitor"),
        ("how many customers churned because the business closed this year", "business_closed"),
    ],
)
def test_part_of_a_value_name_after_a_cue(resolver: Resolver, question: str, value: str) -> None:
    _, _, filters = read(resolver, question)
    assert filters == [("subscription__cancel_reason", "=", (value,))]


def test_cue_words_are_not_concepts(resolver: Resolver) -> None:
    metrics, _, filters = read(resolver, "how many customers left because of price in q1")
    assert metrics == ["churned_customers"]
    assert filters == [("subscription__cancel_reason", "=", ("price",))]


def test_the_entity_verb_of_a_list_is_not_a_metric(resolver: Resolver) -> None:
    metrics, group_by, _ = read(resolver, "which accounts churned in march, and the mrr we lost with each")
    assert metrics == ["churned_mrr"]
    assert group_by == ["customer__name"]


def test_new_accounts_picked_up_are_new_customers(resolver: Resolver) -> None:
    metrics, _, _ = read(resolver, "how many new accounts did we land this quarter")
    assert metrics == ["new_customers"]


@pytest.mark.parametrize(
    ("question", "group_by"),
    [
        ("refunds x industry 2024", ["customer__industry"]),
        ("new mrr x qtr since jan", ["metric_time__quarter"]),
    ],
)
def test_x_between_words_is_by(resolver: Resolver, question: str, group_by: list[str]) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable, res.reason
    assert [n + (f"__{g}" if g else "") for n, g in res.group_by] == group_by


def test_touchpoint_shorthand(resolver: Resolver) -> None:
    metrics, _, _ = read(resolver, "touchpts by channel in may")
    assert metrics == ["touchpoints"]


@pytest.mark.parametrize(
    "question", ["refunds by industry sorted smallest first 2024", "arpa by region ranked lowest first"]
)
def test_a_direction_after_a_sort_word(resolver: Resolver, question: str) -> None:
    res = resolver.resolve(question, as_of=DAY)
    assert res.answerable and res.limit is None, res.reason
    assert [d["desc"] for d in res.to_dict()["order_by"]] == [False]


def test_a_noun_value_ending_like_a_comparative(resolver: Resolver) -> None:
    _, _, filters = read(resolver, "weekly active users on the browser since april")
    assert filters == [("event__platform", "=", ("web",))]
