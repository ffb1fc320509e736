"""Thresholds on a metric per entity: "customers paying more than 5k MRR", "accounts with 50+ events".

Such a question filters the entities (customers) by the metric computed per entity, MetricFlow's
``{{ Metric('mrr', group_by=['customer']) }} > 5000``. The reading finds a comparison word and a number
("more than 5k", "over $500", "at least 10", "50+", "under 2,000"), the metric nearest to it, and the
entity the question is about (customers/accounts/clients/companies; customers when none is named).
"which customers …"/"list accounts …" show the metric per customer; "how many customers …" count them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from metricmind.resolve.text import Token
from metricmind.wordtables import CURRENCY_WORDS, NUMBER_WORDS

# comparison words before a number: (words, operator)
COMPARATORS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("more", "than"), ">"),
    (("greater", "than"), ">"),
    (("higher", "than"), ">"),
    (("bigger", "than"), ">"),
    (("larger", "than"), ">"),
    (("over",), ">"),
    (("north", "of"), ">"),
    (("in", "excess", "of"), ">"),
    (("upwards", "of"), ">"),
    (("south", "of"), "<"),
    (("above",), ">"),
    (("exceeding",), ">"),
    (("beyond",), ">"),
    (("at", "least"), ">="),
    (("no", "less", "than"), ">="),
    (("minimum", "of"), ">="),
    (("less", "than"), "<"),
    (("fewer", "than"), "<"),
    (("lower", "than"), "<"),
    (("under",), "<"),
    (("below",), "<"),
    (("at", "most"), "<="),
    (("no", "more", "than"), "<="),
    (("up", "to"), "<="),
)
SCALE = {
    "k": 1_000,
    "thousand": 1_000,
    "m": 1_000_000,
    "mm": 1_000_000,
    "million": 1_000_000,
    "mn": 1_000_000,
    "grand": 1_000,
}
SPACED_SCALE = frozenset({"thousand", "million", "grand"})
"""Scale words said apart from their number ("10 grand", "2 million"); a letter ("5k") sticks to it."""
SYMBOLS = {">": ">", ">=": ">=", "<": "<", "<=": "<=", "≥": ">=", "≤": "<="}


@dataclass(frozen=True)
class Threshold:
    """``op value`` read from the words ``first``..``last`` of the question."""

    op: str
    value: float
    first: int
    last: int
    upper: float | None = None  # "between 1k and 5k": also ``<= upper``
    percent: bool = False  # "over 8.5%", "above 8 percent": the number is a percentage (``percentscale``)


PERCENT_WORDS = frozenset({"percent", "pct", "percentage"})


def find_threshold(tokens: list[Token], question: str, used: list[bool]) -> Threshold | None:
    """The first "comparison word + amount" of the question ("more than 5k", "50+", "> 100") among the
    words no other reading claimed; a percentage ("8.5%", "8 percent") is marked as one.
    """
    th = _find_threshold(tokens, question, used)
    if th is None:
        return None
    if any(t.norm.endswith("%") for t in tokens[th.first : th.last]):
        return replace(th, percent=True)
    if th.last < len(tokens) and tokens[th.last].norm in PERCENT_WORDS and not used[th.last]:
        return replace(th, percent=True, last=th.last + 1)
    return th


def _find_threshold(tokens: list[Token], question: str, used: list[bool]) -> Threshold | None:
    for i, t in enumerate(tokens):
        amount = _amount(t.norm)
        worded = amount is None and not used[i] and _word_amount(tokens, i) is not None
        if worded:
            amount, last = _word_amount(tokens, i) or (0.0, i + 1)
            last = _currency_after(tokens, last)  # "twenty thousand dollars"
            th = _compared(tokens, i, last, amount)  # "over ten grand": only after a comparison word
            if th is not None and not any(used[th.first : th.last]):
                return th
            continue
        if amount is None or used[i] or (_is_year(t.norm) and not counted_amount(tokens, i, question)):
            continue
        if i > 0 and tokens[i - 1].norm == "between":
            low, end = _scaled(tokens, i)
            if (
                end + 1 < len(tokens)
                and tokens[end].norm == "and"
                and _amount(tokens[end + 1].norm) is not None
            ):
                high, stop = _scaled(tokens, end + 1)
                return Threshold(">=", low, i - 1, stop, upper=high)  # "between 1k and 5k"
        last = i + 1
        while (
            last < len(tokens)
            and question[tokens[last - 1].end : tokens[last].start] == ","
            and len(tokens[last].norm) == 3
            and tokens[last].norm.isdigit()
        ):
            amount = amount * 1000 + float(tokens[last].norm)  # "2,000"
            last += 1
        if last < len(tokens) and tokens[last].norm in SCALE and tokens[last].start == t.end:
            amount *= SCALE[tokens[last].norm]
            last += 1
        elif last < len(tokens) and tokens[last].norm in SPACED_SCALE:
            amount *= SCALE[tokens[last].norm]
            last += 1
        end_char = tokens[last - 1].end
        if question[end_char : end_char + 1] == "+":
            return Threshold(">=", amount, i, last)
        last = _currency_after(tokens, last)  # "40000 dollars": the amount's unit, part of it
        before = question[max(0, t.start - 8) : t.start].rstrip().rstrip("$€£").rstrip()
        for sym in sorted(SYMBOLS, key=len, reverse=True):
            if before.endswith(sym) and not _or_more(tokens, last):
                return Threshold(SYMBOLS[sym], amount, i, last)
        th = _compared(tokens, i, last, amount)
        if th is not None:
            return th
    return None


def _currency_after(tokens: list[Token], last: int) -> int:
    """Past a currency word right after an amount ending at ``last`` ("dollars", "eur", "bucks")."""
    return last + 1 if last < len(tokens) and tokens[last].norm in CURRENCY_WORDS else last


def signed(question: str, tokens: list[Token], i: int) -> bool:
    """Whether a comparison sign stands right before the number at ``i`` ("> 15 routes", ">= $2k")."""
    start = tokens[i - 1].end if i > 0 else 0
    before = question[start : tokens[i].start].strip().rstrip("$€£").strip()
    return before.endswith(tuple(SYMBOLS))


def _or_more(tokens: list[Token], last: int) -> bool:
    """Whether "or more"/"or less" follows the amount ending at ``last``."""
    return (
        last + 1 < len(tokens)
        and tokens[last].norm == "or"
        and tokens[last + 1].norm in ("more", "above", "less", "fewer")
    )


def _compared(tokens: list[Token], i: int, last: int, amount: float) -> Threshold | None:
    """The threshold of the amount at ``i``..``last`` with "or more" after it or a comparison word before."""
    if _or_more(tokens, last):
        op = ">=" if tokens[last + 1].norm in ("more", "above") else "<="
        return Threshold(op, amount, i, last + 2)
    for words, op in COMPARATORS:
        k = len(words)
        if i >= k and tuple(x.norm for x in tokens[i - k : i]) == words:
            return Threshold(op, amount, i - k, last)
    return None


def _word_amount(tokens: list[Token], i: int) -> tuple[float, int] | None:
    """An amount written in words at ``i`` and where it ends: "five", "twenty five", "ten grand", "a hundred",
    "twenty thousand" (20,000), "one hundred ten", "one hundred and fifty thousand". None when ``i`` holds no
    number word.
    """
    n = NUMBER_WORDS.get(tokens[i].norm)
    if n is None and tokens[i].norm == "a" and i + 1 < len(tokens):
        if tokens[i + 1].norm == "dozen":
            return 12.0, i + 2  # "more than a dozen"
        if tokens[i + 1].norm == "hundred" or tokens[i + 1].norm in SPACED_SCALE:
            n = 1  # "more than a hundred", "over a grand"
    if n is None:
        return None
    amount, last = _below_thousand(tokens, float(n), i + 1)
    if last < len(tokens) and tokens[last].norm in SPACED_SCALE:
        amount, last = amount * SCALE[tokens[last].norm], last + 1
        rest = NUMBER_WORDS.get(tokens[last].norm) if last < len(tokens) else None
        if rest is not None and rest < 1000:  # "five thousand five hundred"
            more, last = _below_thousand(tokens, float(rest), last + 1)
            amount += more
    return amount, last


def _below_thousand(tokens: list[Token], n: float, last: int) -> tuple[float, int]:
    """The words from a number word (``n``, ending at ``last``) up to a hundreds' tens and units: "twenty
    five", "five hundred", "one hundred and ten".
    """

    def tens_units(amount: float, at: int) -> tuple[float, int]:
        if amount >= 20 and amount % 10 == 0 and amount < 100 and at < len(tokens):
            unit = NUMBER_WORDS.get(tokens[at].norm)
            if unit is not None and unit < 10:
                return amount + unit, at + 1  # "twenty five"
        return amount, at

    amount, last = tens_units(n, last)
    if last < len(tokens) and tokens[last].norm == "hundred" and amount < 100:
        amount, last = amount * 100, last + 1  # "five hundred", "twenty five hundred"
        k = last + 1 if last < len(tokens) and tokens[last].norm == "and" else last
        rest = NUMBER_WORDS.get(tokens[k].norm) if k < len(tokens) else None
        if rest is not None and rest < 100:  # "one hundred (and) fifty"
            more, last = tens_units(float(rest), k + 1)
            amount += more
    return amount, last


def _scaled(tokens: list[Token], i: int) -> tuple[float, int]:
    """The amount at ``i`` with a scale word or letter after it ("5k", "2 million"), and where it ends."""
    amount = _amount(tokens[i].norm) or 0.0
    last = i + 1
    if (
        last < len(tokens)
        and tokens[last].norm in SCALE
        and (tokens[last].start == tokens[i].end or tokens[last].norm in SPACED_SCALE)
    ):
        amount *= SCALE[tokens[last].norm]
        last += 1
    return amount, last


def _amount(word: str) -> float | None:
    try:
        return float(word.replace(",", "").removesuffix("%"))
    except ValueError:
        return None


THAN_WORDS = frozenset({"more", "fewer", "less", "greater", "higher", "lower", "bigger", "larger"})
"""Comparatives before "than" that, with a number and a noun after it, make that number an amount."""
TIME_NOUNS = frozenset(
    {"and", "to", "in", "through", "until", "vs", "versus", "or", "levels", "level", "numbers"}
)


OBJECT_PRONOUNS = frozenset({"us", "me", "them", "you", "him", "her"})
"""Who a verb's amount is owed, paid or sent to ("owe us more than 2000"): a verb stands before them."""
RELATIVE_WORDS = frozenset({"who", "that", "which", "whose"})
"""Words that open a relative clause, whose next word is its verb ("customers who owe more than 2000")."""
HAVING_WORDS = frozenset({"with", "has", "have", "had", "having"})
"""Words before an amount someone holds ("accounts with over 2000 overdue")."""


def counted_amount(tokens: list[Token], i: int, question: str = "") -> bool:
    """Whether a number that looks like a year is an amount of something: after "more (fewer …) than"
    or a comparison sign of the ``question`` ("> 2000 events") and before a noun ("more than 2000 events"),
    or after any comparison word that a verb of the asker's clause stands before ("owe us more than 2000",
    "customers who spent over 2000", "accounts with at least 2000 overdue"); not a year compared with
    ("higher than 2024") or a period ("mrr over 2024").
    """
    noun_after = i + 1 < len(tokens) and tokens[i + 1].norm.isalpha() and tokens[i + 1].norm not in TIME_NOUNS
    if noun_after and i >= 2 and tokens[i - 1].norm == "than" and tokens[i - 2].norm in THAN_WORDS:
        return True
    if noun_after and signed(question, tokens, i):
        return True
    return _is_year(tokens[i].norm) and _after_verb(tokens, i)


def _after_verb(tokens: list[Token], i: int) -> bool:
    """Whether a comparison word ends right before ``i`` and a verb of the clause stands before it: its
    object pronoun ("owe us over"), a verb form ("spent more than", "paid at least"), a relative word and the
    verb after it ("who owe more than"), or a word of having ("with over").
    """
    for words, _ in COMPARATORS:
        k = len(words)
        if i < k or tuple(x.norm for x in tokens[i - k : i]) != words:
            continue
        j = i - k - 1
        if j < 0:
            return False
        prev = tokens[j].norm
        return (
            prev in OBJECT_PRONOUNS
            or prev in HAVING_WORDS
            or prev in IRREGULAR_PAST
            or (len(prev) > 4 and prev.endswith("ed"))
            or (j >= 1 and tokens[j - 1].norm in RELATIVE_WORDS and prev.isalpha())
        )
    return False


def _is_year(word: str) -> bool:
    """``2024`` is a year, not an amount."""
    return word.isdigit() and len(word) == 4 and word.startswith(("19", "20"))


IRREGULAR_PAST = frozenset(
    """won lost went came took left got made paid spent gave brought kept ran fell rose grew sold began
    became saw did had said found gone come take give get make pay spend keep run fall rise grow sell
    walk walked showed show more less fewer most least sent send put set cut bought held""".split()
)


def verbish(word: str) -> bool:
    """Whether an unexplained word reads as a verb or a comparative ("walked", "touching", "bigger"), not
    a concept the catalog lacks ("margin", "lifetime"): such a word is ignored, not refused.
    """
    return word in IRREGULAR_PAST or (len(word) > 4 and word.endswith(("ed", "ing", "ly", "er")))
