"""A unit of money said beside the noun: "Paid invoices, $, by month", "Orders (USD)", "Refunds in dollars".

A definition whose head noun is a countable thing ("invoices", "orders") asks for a count, unless it also
says the figure is in a currency: a currency sign or code standing on its own (", $,", "(USD)", "in €",
"in dollars", "– amount") asks for the amount of those things, never their number. A sign or a currency
word next to a number ("over $500", "500 dollars or more") is a threshold, not the unit, and says nothing
of the kind.
"""

from __future__ import annotations

import re

from metricmind.wordtables import CURRENCY_CODES, CURRENCY_WORDS, alternation

#: Currency signs and codes (language, not one project's nouns).
_SIGNS = r"[$€£¥]"
#: A filter on the shared table: the codes, dollars, euros and "pounds sterling", never "pounds" alone (a
#: weight: "shipments in pounds" are counted) nor the other nouns, which were never read as a unit here.
_CODES = alternation(
    w
    for w in CURRENCY_WORDS
    if w in CURRENCY_CODES or w in {"dollar", "dollars", "euro", "euros", "pounds sterling"}
)
#: A unit word standing as a segment of its own: ", amount,", "(value)", "- $ value".
_UNIT_WORDS = r"amounts?|value|values|revenue|money|spend"
_NUMBER = r"\d[\d,.]*\s*[kmb]?"

_SEGMENT = re.compile(r"[,;()\[\]–—|/]|\s-\s|:")
_ALONE = re.compile(
    rf"^\s*(?:in\s+|as\s+)?(?:(?:{_SIGNS})|(?:{_CODES})|(?:{_SIGNS}\s*(?:{_UNIT_WORDS}))"
    rf"|(?:(?:{_CODES})\s+(?:{_UNIT_WORDS}))|(?:{_UNIT_WORDS}))\s*$",
    re.IGNORECASE,
)
#: "in $", "in dollars", "in USD", "($)" inside a longer phrase: the reporting currency.
_IN_CURRENCY = re.compile(rf"\bin\s+(?:{_SIGNS}(?!\s*{_NUMBER})|(?:{_CODES})\b)", re.IGNORECASE)
_BESIDE_NUMBER = re.compile(rf"{_SIGNS}\s*\d|\d[\d,.]*\s*[kmb]?\s*(?:{_CODES})\b", re.IGNORECASE)


def says_currency(text: str) -> bool:
    """``text`` says its figure is in a currency (module docstring): a segment between punctuation that is
    only a sign, a currency code or word, or a money unit word ("$", "USD", "in dollars", "amount"), or
    "in $" / "in USD" inside a phrase. A sign or code beside a number is a threshold and does not count.

    >>> says_currency("Paid invoices, $, by month, excl. refunds")
    True
    >>> says_currency("Orders (USD) by week")
    True
    >>> says_currency("Invoices over $500 by month")
    False
    >>> says_currency("Paid invoices by month")
    False
    """
    stripped = _BESIDE_NUMBER.sub(" ", text)
    if _IN_CURRENCY.search(stripped):
        return True
    segments = _SEGMENT.split(stripped)
    return any(_ALONE.match(s) for s in segments[1:] if s.strip())
