"""A window between two dates of one row: "first paid date no more than 30 days after the sign-up date",
"it ended no more than 180 days after it started", "closed within 2 weeks of being opened".

A rule that bounds how far one date of the source's row lies after another names the two columns around
the window's words (as ``pairs.py`` finds them: a column's own name parts, or a time dimension's label
and synonyms). The window is read as ``later - earlier`` in whole days (a timestamp compared as its date)
with the bound the words say, and the later date never before the earlier one ("no more than 30 days
after" is 0 to 30 days after). A row missing either date compares to null and is not kept (a customer
who never paid did not pay within 30 days).

Days and weeks only: "within six months" is no fixed number of days (a rule saying "180 days" is read),
so a window in months, quarters or years is left to be said in days. A window with "before" or an
unclear direction is not read here. Like ``pairs.py``, the predicate is built by sqlglot from the two
identifiers and the number (never from the rule's text), goes into a new measure's expression, and its
confidence stays below confident.
"""

from __future__ import annotations

import re
from dataclasses import replace

import sqlglot
from sqlglot import exp

from metricmind.define.columns import COLUMN_CONFIDENCE
from metricmind.define.pairs import column_phrases, compared_flag, kind_of, named_column
from metricmind.define.proposal import RuleReading
from metricmind.define.rulevalues import Context, Read, values_of
from metricmind.define.words import stems
from metricmind.spec.model import Model
from metricmind.wordtables import NUMBER_WORDS, numbers_between

#: The window's numbers in words: one to ten and the usual day counts. Other words ("within twenty
#: days") are left unread, as they always were here: a filter on the shared table, not a table of its own.
_NUMBERS = numbers_between(1, 10) | {w: NUMBER_WORDS[w] for w in ("fourteen", "thirty", "sixty", "ninety")}
#: The bound's words and operator ("no more than 30 days after": at most 30).
_BOUNDS: tuple[tuple[str, str], ...] = (
    (r"no more than|not more than|at most|up to|within|no later than", "<="),
    (r"less than|fewer than|under|inside", "<"),
    (r"at least|no less than|not less than", ">="),
    (r"more than|over|later than", ">"),
)
_WINDOW = re.compile(
    r"\b(?P<bound>" + "|".join(b for b, _ in _BOUNDS) + r")\s+(?:the\s+first\s+)?"
    r"(?P<n>\d+|" + "|".join(_NUMBERS) + r")\s+(?P<unit>days?|weeks?|months?|quarters?|years?)\s+"
    r"(?P<rel>after|of|from|since|following)\s+",
    re.IGNORECASE,
)
_LEAD = re.compile(r"^(?:the|their|its|his|her|our|each|a|an|being|having)\s+", re.IGNORECASE)
#: How many words on each side may name its column.
WINDOW = 4


def window_of(text: str) -> tuple[str, int, str] | None:
    """(operator, days, the words after the window) of the window ``text`` says, in days; None for none
    or for a window in months or longer.

    >>> window_of("first paid date no more than 30 days after the sign-up date")
    ('<=', 30, 'the sign-up date')
    >>> window_of("closed within 2 weeks of being opened")
    ('<=', 14, 'being opened')
    >>> window_of("cancelled within six months of starting") is None
    True
    """
    m = _WINDOW.search(text)
    if m is None:
        return None
    unit = m.group("unit").lower()
    if not unit.startswith(("day", "week")):
        return None
    raw = m.group("n").lower()
    n = int(raw) if raw.isdigit() else _NUMBERS[raw]
    op = next(o for words, o in _BOUNDS if re.fullmatch(words, m.group("bound").lower()))
    return op, n * (7 if unit.startswith("week") else 1), text[m.end() :]


def window_reading(
    text: str, low: str, relation: str, columns: dict[str, str], model: Model
) -> tuple[RuleReading, str] | None:
    """A rule bounding the days between two date columns of ``relation``: (reading, SQL), else None."""
    m = _WINDOW.search(low)
    said = window_of(low)
    if m is None or said is None:
        return None
    op, days, after = said
    names = column_phrases(columns, "date", model)
    if len(names) < 2:
        return None
    left = stems(low[: m.start()].replace("_", " ").replace("-", " "))[-WINDOW:]
    later = named_column(left, names, last=True)
    right_text = _LEAD.sub("", _LEAD.sub("", after.strip()))
    earlier = None
    for form in (right_text.replace("-", ""), right_text.replace("-", " ")):  # "sign-up date": signup_date
        earlier = earlier or named_column(stems(form.replace("_", " "))[:WINDOW], names, last=False)
    if later is None or earlier is None or later == earlier:
        return None
    gap = exp.Sub(this=_as_date(later, columns), expression=_as_date(earlier, columns))
    ops = {"<=": exp.LTE, "<": exp.LT, ">=": exp.GTE, ">": exp.GT}
    bound = ops[op](this=gap, expression=exp.Literal.number(days))
    if op in ("<=", "<"):  # "no more than 30 days after": never before it
        sql = exp.and_(exp.GTE(this=gap.copy(), expression=exp.Literal.number(0)), bound).sql(
            dialect="duckdb"
        )
    else:
        sql = bound.sql(dialect="duckdb")
    sqlglot.parse_one(sql, read="duckdb")  # identifiers, numbers and operators only
    reason = (
        f"keeps only {sql}: {later} within the window after {earlier}, in whole days (both are columns of "
        f"{relation}; a row without either is not kept), so the filter goes into the measure's expression"
    )
    return RuleReading(text, "filter", COLUMN_CONFIDENCE, reason), sql


def _as_date(column: str, columns: dict[str, str]) -> exp.Expression:
    """``column`` in whole days: a timestamp as its date."""
    node: exp.Expression = exp.column(column)
    return exp.cast(node, "date") if kind_of(columns[column].upper()) == "timestamp" else node


#: Where a rule that defines a word starts saying what it means ("Went paid = …", "Early means …").
_DEFINED = re.compile(r"\s(?:=|:|means?|is defined as|counts? as)\s", re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:not|never|no|without|except|excluding|exclude[sd]?)\b|n't\b", re.IGNORECASE)


def window_rule(text: str, low: str, ctx: Context) -> Read | None:
    """A rule read as a window between two dates of the source's table (module docstring); None when it
    says none, when it negates it ("not within 30 days"), or when it also names a value (read otherwise).
    """
    if not ctx.table_columns:
        return None
    split = _DEFINED.split(low, maxsplit=1)  # "went paid = …": the word defined is the definition's
    head, body = (split[0].strip(), split[1]) if len(split) == 2 and len(split[0].split()) <= 4 else ("", low)
    if _NEGATION.search(_WINDOW.sub(" ", body)):
        return None
    got = window_reading(text, body, ctx.table, ctx.table_columns, ctx.model)
    if got is None:
        return None
    found, _ = values_of(stems(body.replace("-", " ").replace("_", " ")), ctx)
    own = {w for c in exp.condition(got[1]).find_all(exp.Column) for w in stems(c.name.replace("_", " "))}
    found = [  # "the subscription ended …": "ended" is the compared ended_at, no status value
        f
        for f, (_, key) in zip(found, ctx.keys, strict=False)
        if not compared_flag(f, got[1]) and not set(key) <= own
    ]
    if found or ctx.ambiguous:
        return None
    reading = got[0]
    if head:  # the word the rule defines is what the window explains ("quickly", "went paid")
        reading = replace(reading, reason=f"{head!r} is read as a window: {reading.reason}")
    return Read(reading, column_sql=got[1])


def without_window_words(text: str, rules: tuple[str, ...]) -> str:
    """``text`` without each word a rule defines as a window ("Went paid = first paid date no more than 30
    days after the sign-up date": the definition's "went paid" is that window, no value of a dimension),
    and without the window's own words ("within 30 days": no column of days).

    >>> without_window_words("Sign-ups that went paid within 30 days", ("Went paid = paid_at within 30 days of x",))
    'Sign-ups that    '
    """
    for rule in rules:
        parts = _DEFINED.split(rule.strip(), maxsplit=1)
        if len(parts) != 2 or window_of(parts[1].lower()) is None or len(parts[0].split()) > 4:
            continue
        text = re.sub(rf"\b{re.escape(parts[0].strip())}\b", " ", text, flags=re.IGNORECASE)
        text = _SAID_WINDOW.sub(" ", text)
    return text


#: The window said in the definition itself ("within 30 days", "in the first 2 weeks").
_SAID_WINDOW = re.compile(
    r"\b(?:"
    + "|".join(b for b, _ in _BOUNDS)
    + r"|in)\s+(?:the\s+first\s+)?(?:\d+|"
    + "|".join(_NUMBERS)
    + r")\s+(?:days?|weeks?)\b",
    re.IGNORECASE,
)
