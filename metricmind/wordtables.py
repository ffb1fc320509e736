"""Word tables of the language, not of one project: numbers said in words and currency words.

One table each, shared by the resolver (``metricmind.resolve``) and the definition agent
(``metricmind.define``); a leaf module, so every layer may import it. A reader that must not know some of
the words (distinct counts never read "one", a currency unit never reads "pounds", which may weigh) keeps
its own filter on the table, beside the reason, in its own module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Numbers said in words ("five", "a dozen", "ninety").
NUMBER_WORDS: dict[str, int] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "dozen": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
}

#: Currency codes said as words ("Orders (USD)", "in EUR").
CURRENCY_CODES: tuple[str, ...] = ("usd", "eur", "gbp", "jpy", "cad", "aud", "chf")
#: Currency nouns, singular and plural ("in dollars", "in Swiss francs", "invoiced bucks").
CURRENCY_NOUNS: tuple[str, ...] = (
    "dollar",
    "dollars",
    "euro",
    "euros",
    "pound",
    "pounds",
    "pound sterling",
    "pounds sterling",
    "franc",
    "francs",
    "peso",
    "pesos",
    "yen",
    "yuan",
    "rupee",
    "rupees",
    "krona",
    "kronor",
    "krone",
    "kroner",
    "rand",
    "bucks",
)
#: Every currency word: the codes, then the nouns.
CURRENCY_WORDS: tuple[str, ...] = CURRENCY_CODES + CURRENCY_NOUNS


def numbers_between(low: int, high: int) -> dict[str, int]:
    """The number words of ``NUMBER_WORDS`` from ``low`` to ``high``, in the table's order, without
    "dozen" (said as "a dozen", never where a number stands alone).

    >>> list(numbers_between(2, 4))
    ['two', 'three', 'four']
    """
    return {w: n for w, n in NUMBER_WORDS.items() if low <= n <= high and w != "dozen"}


def alternation(words: Iterable[str]) -> str:
    """A regular-expression alternation of ``words`` (escaped, longest first), without a group.

    >>> alternation(["euro", "euros", "usd"])
    'euros|euro|usd'
    """
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
