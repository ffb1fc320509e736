"""A country said as part of a money unit: "in millions of US dollars", "in Canadian dollars".

The words that qualify a currency in the phrase giving the figure's unit ("in … US dollars", "of US
dollars") say which currency the figure is in, never which rows to keep: "ARR in millions of US dollars"
is every customer's ARR, not the United States' alone. Reading the country in such a phrase as a value
filter is a confident wrong number, so the qualifier is dropped before values are read.
"""

from __future__ import annotations

import re

from metricmind.wordtables import CURRENCY_NOUNS, alternation

#: Currency nouns (language, not one project's values): the shared table's nouns but the slang "bucks",
#: which no country qualifies here ("US bucks" stays as said).
_CURRENCY = alternation(w for w in CURRENCY_NOUNS if w != "bucks")
#: "in US dollars", "of U.S. dollars", "in Canadian dollars", "in millions of Australian dollars": a
#: capitalized word or an abbreviation right after "in" / "of" and right before a currency noun.
_QUALIFIED = re.compile(
    rf"\b(?P<lead>in|of)\s+(?P<which>(?:[A-Z][A-Za-z]*\.?|[A-Z]\.(?:[A-Z]\.)+)(?:\s+[A-Z][a-z]+)?)"
    rf"\s+(?=(?:{_CURRENCY})\b)",
    re.IGNORECASE,
)
#: "US$", "C$", "A$": a currency sign with its country's letters.
_SIGNED = re.compile(r"\b[A-Z]{1,3}\$")


def without_currency_country(text: str) -> str:
    """``text`` without the words naming a currency's country (module docstring).

    >>> without_currency_country("ARR as at month end, in millions of US dollars, excluding SMB")
    'ARR as at month end, in millions of dollars, excluding SMB'
    >>> without_currency_country("Revenue from US customers in dollars")
    'Revenue from US customers in dollars'
    """
    out = _SIGNED.sub("$", text)

    def blank(m: re.Match[str]) -> str:
        which = m.group("which")
        if which[0].islower():  # "in paid dollars": no country (the pattern ignores case for the nouns)
            return m.group(0)
        return m.group("lead") + " "

    return _QUALIFIED.sub(blank, out)
