"""Slips in everyday words and chat around a question (issue 14, helper hres12): the mechanisms checked on
wordings of their own (``paraphrases5.yml``), not on the sentences of the sets or of the metamorphic bench.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from metricmind.resolve import Resolver
from metricmind.resolve.chat import closing_aside, greeting
from metricmind.resolve.text import tokenize
from metricmind.resolve.typos import unit_slip
from tests.resolve import blindset

DAY = dt.date(2025, 6, 18)
PROBES = Path(__file__).with_name("paraphrases5.yml")


def test_the_fifth_probes_read_right_and_their_guards_stay_refused(resolver: Resolver) -> None:
    s = blindset.score(resolver, PROBES)
    assert s.accuracy() >= 0.85, s.report(show_misses=True)
    right, total = s.confident
    assert total and right == total, s.report(show_misses=True)
    low, refused = s.refusals_low
    assert low == refused
    guards = [item for item in blindset.load(PROBES) if item["kind"] == "guard"]
    for item in guards:
        assert not resolver.resolve(str(item["q"]), as_of=DAY).answerable, item["q"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("befor", "previous_period"), ("bfore", "previous_period"), ("beofre", "previous_period")],
)
def test_a_slip_in_a_comparison_word_still_compares(resolver: Resolver, typed: str, meant: str) -> None:
    res = resolver.resolve(f"signups last month vs the month {typed}", as_of=DAY)
    assert res.answerable and res.comparison == meant, (res.reason, res.notes)


def test_a_slip_of_a_word_that_stands_for_an_entity_reads_as_the_entity(resolver: Resolver) -> None:
    res = resolver.resolve("how many cleints churned in may", as_of=DAY)
    assert res.answerable and res.metrics == ["churned_customers"], (res.reason, res.notes)
    assert any("cleints" in n for n in res.notes)  # the reading says what it read


def test_a_plural_stem_that_hides_the_word_is_read_as_typed(resolver: Resolver) -> None:
    res = resolver.resolve("number of invoies in april", as_of=DAY)  # stem "invoy", typed "invoies"
    assert res.answerable and res.metrics == ["invoice_count"], (res.reason, res.notes)


def test_after_a_number_a_slip_is_read_as_a_unit() -> None:
    assert unit_slip("moths") == "month"
    assert unit_slip("wekes") == "week"
    assert unit_slip("weks") is None  # (four letters: too short to correct)
    assert unit_slip("yeras") == "year"
    assert unit_slip("banana") is None


def test_a_correct_everyday_word_is_never_read_as_corrected(resolver: Resolver) -> None:
    res = resolver.resolve("new customers last week vs the week before", as_of=DAY)
    assert res.answerable and res.confidence == 1.0, res.notes


def test_a_closing_aside_is_chat_only_when_it_opens_with_a_filler_and_says_nothing() -> None:
    def aside(q: str) -> list[str]:
        toks = tokenize(q)
        found = closing_aside(q, toks, [False] * len(toks), lambda t: t.norm in {"region", "headcount"})
        return [toks[i].norm for i in sorted(found)]

    assert aside("mrr - for the quarterly offsite") == ["for", "the", "quarterly", "offsite"]
    assert aside("mrr, when you have a sec") == ["when", "you", "have", "a", "sec"]
    assert aside("mrr, gross margin too") == []  # a concept asked for, not chat
    assert aside("mrr, and by region") == []  # the question goes on
    assert aside("mrr, for headcount") == []  # a word the resolver reads
    assert aside("mrr, for the 2 of us") == []  # a number is never chat


def test_a_greeting_is_chat_only_when_it_asks_nothing() -> None:
    def hello(q: str) -> int:
        toks = tokenize(q)
        return len(greeting(q, toks, [False] * len(toks)))

    assert hello("hey folks! mrr") == 2
    assert hello("how many! mrr") == 0
    assert hello("mrr!") == 0  # the whole question
