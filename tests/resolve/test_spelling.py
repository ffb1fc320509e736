"""Misspelt and shortened words read from the catalog's own vocabulary (``metricmind.resolve.spelling``).

Every word here is invented for these tests (none is in a dev set): the speller is given a made-up
vocabulary, and the end-to-end checks run on the helpdesk sample, whose words the resolver never saw.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from metricmind.project import Project
from metricmind.resolve import Resolver
from metricmind.resolve.shorthand import expand
from metricmind.resolve.spelling import Correction, Speller, english_words, in_context
from metricmind.resolve.text import tokenize
from tests.conftest import in_ci

VOCABULARY = [
    "warehouse",
    "shipment",
    "shipments",
    "shipped",
    "carrier",
    "management",
    "department",
    "region",
    "segment",
    "supplier",
    "invoice",
    "invoiced",
    "returns",
    "refund",
    "refunds",
    "retailer",
    "retention",
]
DICTIONARY = frozenset({"sent", "ship", "date", "rent", "real"})
HELPDESK = Path(__file__).resolve().parents[2] / "metricmind" / "testing" / "projects" / "helpdesk"
DEMO = HELPDESK.parents[2] / "demo" / "project"
DAY = dt.date(2025, 6, 18)


def needs_dictionary(words: frozenset[str]) -> None:
    """Skip without the embeddings extra (fail under CI, where it must be installed)."""
    if not words:
        assert not in_ci(), "the embeddings extra (its tokenizer vocabulary) is missing under CI"
        pytest.skip("the embeddings extra is not installed")


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller(VOCABULARY, ["between"], dictionary=DICTIONARY)


@pytest.fixture(scope="module")
def helpdesk() -> Resolver:
    return Resolver(Project.load(HELPDESK, strict=False).model)


@pytest.mark.parametrize(
    ("typed", "word", "how"),
    [
        ("wrehouse", "warehouse", "typo"),  # a dropped letter
        ("cariier", "carrier", "typo"),  # a doubled letter
        ("supplire", "supplier", "typo"),  # two letters swapped
        ("shipmnet", "shipment", "typo"),
        ("betwen", "between", "typo"),  # grammar words are spelt too
        ("invoicd", "invoiced", "typo"),  # one root, two words: the one it shortens
        ("retai", "retailer", "prefix"),
        ("mgmt", "management", "dropped"),
        ("regn", "region", "dropped"),
        ("retntn", "retention", "dropped"),
        ("sgmt", "segment", "abbreviation"),
        ("dprtmnt", "department", "abbreviation"),
        ("spplr", "supplier", "abbreviation"),
    ],
)
def test_reads_typed_words_as_catalog_words(speller: Speller, typed: str, word: str, how: str) -> None:
    assert speller.correct(typed) == Correction(word, how)


@pytest.mark.parametrize(
    "typed",
    [
        "sent",  # an English word, though its letters are in "segment"
        "rent",  # an English word
        "reg",  # too short to be anything but an abbreviation, and "reg" has a vowel
        "rtn",  # returns or retention: two roots fit
        "xyzzy",
        "ship",  # a word of its own
    ],
)
def test_leaves_unsafe_words_alone(speller: Speller, typed: str) -> None:
    assert speller.correct(typed) is None


def test_words_of_one_root_are_one_reading(speller: Speller) -> None:
    assert speller.correct("refnds") == Correction("refunds", "typo")  # refund, refunds: one root


def test_two_roots_at_the_same_distance_are_no_reading() -> None:
    speller = Speller(["pallet", "ballet"], dictionary=frozenset())
    assert speller.correct("xallet") is None
    assert Speller(["margin", "marlin"], dictionary=frozenset()).correct("marxin") is None


def test_short_words_need_five_letters_without_a_dictionary() -> None:
    speller = Speller(VOCABULARY, dictionary=frozenset())
    assert speller.correct("regn") is None  # four letters with a vowel: unsafe without a dictionary
    assert speller.correct("mgmt") == Correction("management", "dropped")  # no vowel: an abbreviation
    assert speller.correct("retntion") == Correction("retention", "typo")


def test_the_dictionary_knows_english_words() -> None:
    words = english_words()
    needs_dictionary(words)
    assert {"sent", "region", "customer"} <= words and "regn" not in words


@pytest.mark.parametrize(
    ("question", "metric", "group_by", "typed"),
    [
        ("tikcet volume by prioirty", "ticket_volume", "ticket__priority", "tikcet"),
        ("ticket volume by regn", "ticket_volume", "account__sales_region", "regn"),
        ("slvd tickets by agnt", "solved_tickets", "agent", "agnt"),
        ("resolutn rate by team", "resolution_rate", "agent__support_team", "resolutn"),
    ],
)
def test_questions_with_typos_on_an_unseen_project(
    helpdesk: Resolver, question: str, metric: str, group_by: str, typed: str
) -> None:
    res = helpdesk.resolve(question, as_of=DAY)
    assert res.answerable and res.metrics == [metric] and res.group_by == [(group_by, None)]
    assert any(n.startswith(f"read '{typed}' as ") for n in res.notes)
    assert res.confidence < 1.0  # a corrected word always costs confidence


def test_an_english_word_is_not_read_as_a_catalog_word(helpdesk: Resolver) -> None:
    needs_dictionary(english_words())
    res = helpdesk.resolve("ticket volume by sent", as_of=DAY)
    assert not res.answerable and res.confidence < 0.5


def test_between_two_roots_the_one_the_word_extends() -> None:
    speller = Speller(["retail", "retained", "school"], dictionary=frozenset())
    assert speller.correct("retailer") == Correction("retail", "typo")  # retail + "er", not retained
    assert Speller(["margin", "marlin"], dictionary=frozenset()).correct("marlinx") == Correction(
        "marlin", "typo"
    )


def test_a_value_read_from_a_typo_costs_confidence() -> None:
    demo = Resolver(Project.load(DEMO, strict=False).model)
    exact = demo.resolve("signups from germany last month", as_of=DAY)
    typed = demo.resolve("signups from germnay last month", as_of=DAY)
    assert typed.answerable and typed.filters == exact.filters and typed.filters
    assert typed.confidence < exact.confidence
    assert "read 'germnay' as germany" in typed.notes


def test_a_short_form_is_read_from_the_phrase_it_makes() -> None:
    demo = Resolver(Project.load(DEMO, strict=False).model)
    res = demo.resolve("contr mrr by rgn last month", as_of=DAY)  # "contr": contract or contraction
    assert res.answerable and res.metrics == ["contraction_mrr"]
    assert res.group_by == [("customer__region", None)]
    assert "read 'contr' as contraction" in res.notes and res.confidence < 1.0
    assert not demo.resolve("contr by region last month", as_of=DAY).answerable  # no phrase, no reading


def test_all_consonants_kept_is_an_abbreviation() -> None:
    speller = Speller(["source", "supplier", "carrier"], dictionary=frozenset())
    assert speller.correct("src") == Correction("source", "abbreviation")
    assert speller.correct("spr") is None  # supplier's consonants are "spplr": two dropped


def test_a_short_form_after_by_reads_the_one_dimension_it_begins() -> None:
    speller = Speller(["category", "catalog", "carrier"], dictionary=frozenset())

    def dims(word: str) -> bool:
        return word in {"category", "carrier"}

    def no_phrase(key: tuple[str, ...]) -> bool:
        return False

    assert in_context(speller, "cat", "by", None, no_phrase, dims) == Correction("category", "context")
    assert in_context(speller, "cat", "of", None, no_phrase, dims) is None  # not after "by"/"per"
    assert in_context(speller, "ca", "by", None, no_phrase, dims) is None  # two letters: too short


@pytest.mark.parametrize(
    ("question", "per"),
    [
        ("tickets/agent last week", True),  # a catalog noun over a singular catalog noun
        ("tickets/agents last week", False),  # plural after the slash: a list
        ("urgent/high tickets", False),  # "high" is no catalog word here
        ("tickets/agent/team", False),  # a chain of three: a list
        ("and/or tickets", False),
    ],
)
def test_a_slash_between_catalog_nouns_reads_per(helpdesk: Resolver, question: str, per: bool) -> None:
    tokens = tokenize(question)
    said = [t.norm for t in expand(tokens, question, helpdesk.lex.vocabulary)]
    assert ("per" in said) is per


def test_a_metric_per_dimension_with_a_slash(helpdesk: Resolver) -> None:
    res = helpdesk.resolve("ticket volume/agent last week", as_of=DAY)
    assert res.answerable and res.metrics == ["ticket_volume"] and res.group_by == [("agent", None)]


def test_a_word_spelt_as_it_sounds() -> None:
    speller = Speller(["picture", "ticket", "price"], dictionary=frozenset({"fix", "box"}))
    assert speller.correct("pix") == Correction("picture", "sounded")  # picts: pictures
    assert speller.correct("tix") == Correction("ticket", "sounded")  # ticks: tickets
    assert speller.correct("fix") is None  # an English word
    assert Speller(["ticket"], dictionary=frozenset()).correct("tix") is None  # no dictionary: no guess
