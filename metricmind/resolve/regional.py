"""British spellings read as the American ones a catalog writes ("cheque payments" on a payment method whose
value is ``check``, "seat utilisation" for the metric labelled "Seat utilization", "annualised revenue").

A word spelt the other side of the Atlantic is the same word, not a typo: it is read so only when the word as
typed is no catalog word and exactly its American spelling is one, at no cost in confidence. The rules are the
language's regular spelling pairs (``-our``/``-or``, ``-ise``/``-ize``, ``-tre``/``-ter``, ``-ogue``/``-og``,
``-mme``/``-m``, ``-ll-``/``-l-`` before an ending) and a few irregular words; never a catalog's words.

    >>> american("cheque", {"check"}.__contains__)
    'check'
    >>> american("utilisation", {"utilization"}.__contains__)
    'utilization'
    >>> american("hour", {"hor"}.__contains__) is None
    True
"""

from __future__ import annotations

import re
from collections.abc import Callable

WORDS = {
    "cheque": "check",
    "tyre": "tire",
    "grey": "gray",
    "aluminium": "aluminum",
    "draught": "draft",
    "jewellery": "jewelry",
    "storey": "story",
    "enrol": "enroll",
    "enrolment": "enrollment",
    "enrolments": "enrollments",
    "enrols": "enrolls",
    "fulfil": "fulfill",
    "fulfilment": "fulfillment",
    "fulfilments": "fulfillments",
    "instalment": "installment",
    "instalments": "installments",
    "judgement": "judgment",
    "ageing": "aging",
    "plough": "plow",
    "cosy": "cozy",
    "sceptic": "skeptic",
    "manoeuvre": "maneuver",
    "licence": "license",
    "licences": "licenses",
    "defence": "defense",
    "offence": "offense",
    "cheques": "checks",
    "tyres": "tires",
}
"""British words whose American spelling no regular rule gives (or a rule would give too widely)."""
RULES: tuple[tuple[re.Pattern[str], str, int], ...] = (
    (
        re.compile(r"our(s|ed|ing|ite|ites|able|er|ers)?$"),
        r"or\1",
        6,
    ),  # colour, behaviour, favourite, harbour
    (re.compile(r"is(e|es|ed|er|ers|ing|ation|ations)$"), r"iz\1", 6),  # annualised, utilisation, organiser
    (re.compile(r"ys(e|es|ed|er|ers|ing)$"), r"yz\1", 6),  # analyse, catalyse
    (re.compile(r"([^aeiou])tre(s|d)?$"), r"\1ter\2", 5),  # centre, metre, theatre
    (re.compile(r"ogue(s)?$"), r"og\1", 7),  # catalogue, dialogue
    (re.compile(r"mme(s)?$"), r"m\1", 7),  # programme
    (re.compile(r"([aeiou])ll(ed|ing|er|ers)$"), r"\1l\2", 7),  # cancelled, travelling, modelling
)
"""British spelling → American, each applied to a word of at least the given length (short words such as
"hour" and "four" keep their spelling)."""


def american(word: str, known: Callable[[str], bool]) -> str | None:
    """The American spelling of ``word`` when ``known`` (a catalog word) says it is one, else None.

    ``known`` is asked of each candidate in turn (the word's irregular American form, then each regular rule's);
    the first it knows is returned. The word itself is never returned: a word the catalog knows as typed is read
    as typed by the caller.
    """
    w = word.lower()
    candidates = [WORDS[w]] if w in WORDS else []
    for pattern, repl, shortest in RULES:
        if len(w) >= shortest and pattern.search(w):
            candidates.append(pattern.sub(repl, w))
    for c in candidates:
        if c != w and known(c):
            return c
    return None
