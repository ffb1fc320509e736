"""Word forms the catalog does not use, read as the catalog word they stand for: British spellings
("organisation", "cancelled", "colour"), business shorthand ("biz", "acct", "txns"), and the words people use for the party a business serves
("organisations", "companies", "clients") where the catalog calls it otherwise (the demo's customer).

Only a word the catalog's vocabulary does not know is rewritten, and only into a word it knows (or the
party's own entity name); the proposal keeps the text as written. A spelling variant costs nothing; any
other reading caps the proposal's confidence at ``FORM_CONFIDENCE`` and is named in ``doubts``, so a
person checks it.

The party words come from the resolver's language of entities (``resolve.entities.PARTY_ENTITY_NAMES``);
the party is the first of them the catalog has as an entity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from metricmind.define.proposal import Definition, Proposal
from metricmind.define.words import content, known, stems, vocabulary
from metricmind.resolve.entities import PARTY_ENTITY_NAMES
from metricmind.spec.model import Model

#: A reading other than a spelling variant: a person checks it.
FORM_CONFIDENCE = 0.75
#: British endings and their American forms (longest first).
SPELLINGS = (
    ("isations", "izations"),
    ("isation", "ization"),
    ("ising", "izing"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("ise", "ize"),
    ("ysed", "yzed"),
    ("yse", "yze"),
    ("ours", "ors"),
    ("our", "or"),
    ("tres", "ters"),
    ("tre", "ter"),
    ("ogues", "ogs"),
    ("ogue", "og"),
    ("ences", "enses"),
    ("ence", "ense"),
    ("lled", "led"),
    ("lling", "ling"),
    ("lments", "llments"),
    ("lment", "llment"),
    ("mmes", "ms"),
    ("mme", "m"),
    ("geing", "ging"),
)
#: Business shorthand written out (language, not a project's words).
SHORTHAND = {
    "biz": "business",
    "org": "organization",
    "orgs": "organizations",
    "acct": "account",
    "accts": "accounts",
    "acc": "account",
    "accs": "accounts",
    "rev": "revenue",
    "txn": "transaction",
    "txns": "transactions",
    "mgmt": "management",
    "mktg": "marketing",
    "amt": "amount",
    "amts": "amounts",
    "yr": "year",
    "yrs": "years",
    "qtr": "quarter",
    "qtrs": "quarters",
    "mth": "month",
    "mths": "months",
    "mo": "month",
    "mos": "months",
    "wk": "week",
    "wks": "weeks",
    "dept": "department",
    "cxl": "cancellation",
    "sub'n": "subscription",
    "thru": "through",
    # units, each way: a catalog writes `km_driven` or `distance_kilometers`, people either
    "kilometres": "km",
    "kilometre": "km",
    "kilometers": "km",
    "kilometer": "km",
    "km": "kilometers",
    "kms": "kilometers",
    "kilograms": "kg",
    "kilogram": "kg",
    "kg": "kilograms",
    "kgs": "kilograms",
    "hrs": "hours",
    "hr": "hour",
    "mins": "minutes",
}
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")


@dataclass(frozen=True)
class Change:
    """One word read as another: ``said`` → ``read`` (``how``: spelling, shorthand, party; misspelt words are
    ``define/spelling.py``'s).
    """

    said: str
    read: str
    how: str

    @property
    def costs(self) -> bool:
        """Whether a person should check this reading (all but a spelling variant)."""
        return self.how != "spelling"


def party(model: Model) -> str | None:
    """The entity the business serves: the first party name the catalog has as an entity."""
    names = {e.name for sm in model.semantic_models.values() for e in sm.entities}
    return next((n for n in PARTY_ENTITY_NAMES if n in names), None)


def _known(word: str, vocab: frozenset[str]) -> bool:
    found = stems(word)
    return bool(found) and all(known(s, vocab) for s in found)


def _case(like: str, word: str) -> str:
    return word.capitalize() if like[:1].isupper() else word


def read_word(word: str, model: Model) -> Change | None:
    """How ``word`` (unknown to the catalog) reads as a catalog word, if it does ("organisation's": its
    possessive kept).
    """
    for mark in ("'s", "’s", "s'", "s’"):
        if word.lower().endswith(mark) and len(word) > len(mark) + 2:
            bare = read_word(word[: -len(mark)] + ("s" if mark[0] == "s" else ""), model)
            if bare is None:
                return None
            tail = mark if mark[0] != "s" else mark[1:]
            return Change(word, bare.read + tail, bare.how)
    vocab = vocabulary(model)
    low = word.lower()
    if len(low) < 2 or not content(low) or _known(low, vocab):  # glue words are no catalog words
        return None
    for british, american in SPELLINGS:
        if low.endswith(british) and len(low) > len(british) + 2:
            variant = low[: -len(british)] + american
            if _known(variant, vocab):
                return Change(word, _case(word, variant), "spelling")
            low_alt = variant
            break
    else:
        low_alt = low
    short = SHORTHAND.get(low)
    if short is not None and _known(short, vocab):
        return Change(word, _case(word, short), "shorthand")
    who = party(model)
    for form in {low, low_alt, short or low}:
        singular = form[:-1] if form.endswith("s") else form
        if who and singular in PARTY_ENTITY_NAMES and singular != who and len(singular) > 3:
            return Change(word, _case(word, who + ("s" if singular != form else "")), "party")
    return None


def normalise(text: str, model: Model, changes: list[Change]) -> str:
    """``text`` with each word form the catalog does not use read as its catalog word (``changes`` grows)."""

    def sub(m: re.Match[str]) -> str:
        change = read_word(m.group(0), model)
        if change is None:
            return m.group(0)
        changes.append(change)
        return change.read

    return WORD.sub(sub, text)


def normalised(definition: Definition, model: Model) -> tuple[Definition, list[Change]]:
    """The definition with its word forms read (the same number of rules), and the readings made (a
    lead-in that says nothing, "Basically, …", is read away before: ``leadin.read_away``).
    """
    changes: list[Change] = []
    text = normalise(definition.text, model, changes)
    rules = tuple(normalise(r, model, changes) for r in definition.rules)
    return Definition(definition.name, text, rules), changes


def cost(proposal: Proposal, changes: list[Change]) -> None:
    """Cap the confidence of a proposal that read shorthand or another word for the party, and say so."""
    costly = list({(c.said.lower(), c.read.lower()): c for c in changes if c.costs}.values())
    if not costly or proposal.metric is None:
        return
    proposal.confidence = min(proposal.confidence, FORM_CONFIDENCE)
    said = ", ".join(f"{c.said!r} as {c.read!r}" for c in costly)
    proposal.doubts.append(f"read {said} (a word form the catalog does not use): check it")
