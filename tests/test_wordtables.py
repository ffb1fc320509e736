"""The shared word tables (``metricmind.wordtables``) and the filters their readers keep on them."""

from __future__ import annotations

import re

from metricmind.define import currency, distinctper, moneyunit, moneyword, windows
from metricmind.resolve import lexicon, text, timespans
from metricmind.wordtables import (
    CURRENCY_CODES,
    CURRENCY_NOUNS,
    CURRENCY_WORDS,
    NUMBER_WORDS,
    alternation,
    numbers_between,
)


def test_number_words_are_one_table() -> None:
    assert NUMBER_WORDS["seven"] == 7 and NUMBER_WORDS["dozen"] == 12 and NUMBER_WORDS["hundred"] == 100
    assert text.NUMBER_WORDS is NUMBER_WORDS and timespans.NUMBER_WORDS is NUMBER_WORDS
    assert text.number("twelve") == 12 and text.number("12") == 12 and text.number("dozens") is None


def test_number_filters_keep_their_readers_words() -> None:
    assert list(numbers_between(1, 3)) == ["one", "two", "three"]
    assert "dozen" not in numbers_between(1, 100) and numbers_between(12, 12) == {"twelve": 12}
    # distinct counts never read "one" ("at least one event" is no threshold), nor past twenty
    assert distinctper.COMPARED_WORDS == {
        w: n for w, n in NUMBER_WORDS.items() if 2 <= n <= 20 and w != "dozen"
    }
    assert distinctper.distinct_threshold("at least one different user") is None
    assert distinctper.distinct_threshold("accounts with at least three different users").n == 3  # type: ignore[union-attr]
    # a window reads one to ten and the usual day counts, nothing else
    assert set(windows._NUMBERS) == {*numbers_between(1, 10), "fourteen", "thirty", "sixty", "ninety"}
    assert windows.window_of("closed within fourteen days of being opened") == ("<=", 14, "being opened")
    assert windows.window_of("closed within twenty days of being opened") is None
    assert lexicon._NUMBER_NAMES == ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                                     "ten", "eleven")  # fmt: skip


def test_currency_words_are_one_table() -> None:
    assert CURRENCY_WORDS == CURRENCY_CODES + CURRENCY_NOUNS
    assert len(set(CURRENCY_WORDS)) == len(CURRENCY_WORDS)
    assert all(w == w.lower() for w in CURRENCY_WORDS)
    assert alternation(["euro", "euros", "pounds sterling"]) == r"pounds\ sterling|euros|euro"
    assert re.fullmatch(alternation(CURRENCY_WORDS), "pounds sterling")


def test_currency_filters_keep_their_readers_words() -> None:
    # the unit beside a noun: dollars, euros and the codes; "pounds" alone may weigh
    assert currency.says_currency("Refunds in euros") and currency.says_currency("Orders (CHF) by week")
    assert not currency.says_currency("Shipments in pounds") and not currency.says_currency("Refunds in yen")
    assert currency.says_currency("Refunds in pounds sterling")
    # a country qualifying any currency noun but the slang
    assert moneyunit.without_currency_country("Revenue in Swiss francs") == "Revenue in francs"
    assert moneyunit.without_currency_country("Revenue in Swedish kronor") == "Revenue in kronor"
    assert moneyunit.without_currency_country("Revenue in US bucks") == "Revenue in US bucks"
    # money nouns: dollars, euros, bucks and three codes
    assert [
        m.group("word") for m in moneyword.CURRENCY.finditer("dollars billed, bucks, GBP, yen, pounds")
    ] == [
        "dollars",
        "bucks",
        "GBP",
    ]
