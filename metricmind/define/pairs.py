"""Rules comparing two columns of the source's table ("paid after the due date", "closed before the due
date", "refunded amount above the amount").

A comparison word ("after", "later than", "before", "on or before", "above", "more than" …) splits the rule:
the words just before it name one column, the words just after it the other. Each side must name exactly
one column of the table, of the kind the word compares (dates for "after" / "before", numbers for "above" /
"below"), found by the column's own name parts (never a key column: an entity's column, ``…_id`` or ``…_key``, is
no amount, "each customer's seats over their subscriptions" compares nothing) and, for a column that is a time dimension of the catalog,
by that dimension's label and synonyms ("payment date" is `paid_at`). The predicate is built by sqlglot
from the two identifiers (never from the rule's text) and parsed back; like a comparison with a number it
cannot be a ``{{ Dimension() }}`` filter, so it goes into a new measure (``columns.wrap``) and its
confidence stays below confident: a person checks it. A row where either date is missing (an invoice not
paid yet) compares to null and is not kept.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

from metricmind.define.columns import COLUMN_CONFIDENCE, NUMERIC
from metricmind.define.proposal import RuleReading
from metricmind.define.words import stems
from metricmind.spec.model import Model

_TEMPORAL = re.compile(r"^(DATE|TIMESTAMP|TIME|DATETIME)", re.I)
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: A key column's name (``customer_id``, ``order_key``, ``id``): a number no comparison of amounts reads.
_KEY = re.compile(r"(?:^|_)(?:id|key)$", re.I)

#: (pattern, operator, kind compared): the longest forms first.
OPERATORS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"\b(?:on or before|no later than|not later than)\s+"), "<=", "date"),
    (re.compile(r"\b(?:on or after|no earlier than|not earlier than)\s+"), ">=", "date"),
    (re.compile(r"\b(?:after|later than|past)\s+"), ">", "date"),
    (re.compile(r"\b(?:before|earlier than|ahead of|prior to)\s+"), "<", "date"),
    (re.compile(r"\b(?:above|over|more than|greater than|higher than|exceeds?|exceeding)\s+"), ">", "number"),
    (re.compile(r"\b(?:below|under|less than|lower than)\s+"), "<", "number"),
)
#: The comparison words that say "no" or "not" themselves ("no later than"): an operator, never a negation.
NEGATED_OPERATOR = re.compile(r"\b(?:no|not) (?:later|earlier) than\b")
_LEAD = re.compile(r"^(?:the|their|its|his|her|our|each|a|an)\s+")
#: How many words on each side of the comparison may name its column.
WINDOW = 4


def compares(low: str) -> bool:
    """The rule says a comparison ("received after the due date", "above the amount"): a condition, never a
    rule that only includes rows.
    """
    return any(pattern.search(low) for pattern, _, _ in OPERATORS)


def pair_reading(
    text: str, low: str, relation: str, columns: dict[str, str], model: Model, negative: bool
) -> tuple[RuleReading, str] | None:
    """A rule comparing two columns of ``relation`` (``{column: type}``): (reading, SQL), else None."""
    for pattern, op, kind in OPERATORS:
        m = pattern.search(low)
        if m is None:
            continue
        names = column_phrases(columns, kind, model)
        if len(names) < 2:
            return None
        left = stems(low[: m.start()].replace("_", " ").replace("-", " "))[-WINDOW:]
        right_text = _LEAD.sub("", low[m.end() :])
        right = stems(right_text.replace("_", " ").replace("-", " "))[:WINDOW]
        a, b = named_column(left, names, last=True), named_column(right, names, last=False)
        if a is None or b is None or a == b:
            return None
        ops = {">": exp.GT, ">=": exp.GTE, "<": exp.LT, "<=": exp.LTE}
        cmp = ops[op](this=_at_grain(a, b, columns), expression=_at_grain(b, a, columns))
        sql = (exp.not_(cmp) if negative else cmp).sql(dialect="duckdb")
        sqlglot.parse_one(sql, read="duckdb")  # two identifiers and an operator, nothing else
        reason = (
            f"keeps only {sql}: {a} and {b} are columns of {relation}, compared row by row (a row without "
            "either is not kept), so the filter goes into the measure's expression"
        )
        return RuleReading(text, "filter", COLUMN_CONFIDENCE, reason), sql
    return None


def _at_grain(column: str, other: str, columns: dict[str, str]) -> exp.Expression:
    """``column`` as compared with ``other``: a timestamp compared with a date is compared as its date
    ("paid on or before the due date": a payment on the due date at noon is on time).
    """
    node: exp.Expression = exp.column(column)
    mine, theirs = columns[column].upper(), columns[other].upper()
    if kind_of(mine) == "timestamp" and kind_of(theirs) == "date":
        return exp.cast(node, "date")
    return node


def kind_of(typ: str) -> str:
    """The kind of a column type: "date" for DATE, "timestamp" for TIMESTAMP or DATETIME, else ""."""
    if typ.startswith("DATE") and not typ.startswith("DATETIME"):
        return "date"
    return "timestamp" if typ.startswith(("TIMESTAMP", "DATETIME")) else ""


def column_phrases(columns: dict[str, str], kind: str, model: Model) -> dict[str, list[tuple[str, ...]]]:
    """The columns of that kind with the phrases (stems) naming each: name parts, and a time dimension's
    label and synonyms of the same column.
    """
    phrases: dict[str, list[tuple[str, ...]]] = {}
    typed = _TEMPORAL if kind == "date" else NUMERIC
    keys = {e.expr.lower() for sm in model.semantic_models.values() for e in sm.entities}
    for col, typ in columns.items():
        if not typed.match(typ) or not _IDENT.match(col):
            continue
        if kind == "number" and (col.lower() in keys or _KEY.search(col)):
            continue  # "each customer's seats over their subscriptions": identifiers are never compared
        own = tuple(p for p in stems(col.replace("_", " ")) if p not in ("at", "on", "id"))
        phrases[col] = [own] if own else []
    for sm in model.semantic_models.values():
        for d in sm.dimensions:
            col = (d.expr or d.name) if d.type == "time" else ""
            if col in phrases:
                phrases[col] += [stems(d.label)] + [stems(str(s)) for s in d.meta.get("synonyms") or ()]
    return {c: [p for p in ps if p] for c, ps in phrases.items() if ps}


def named_column(
    words: tuple[str, ...], names: dict[str, list[tuple[str, ...]]], *, last: bool
) -> str | None:
    """The one column a phrase of ``words`` names wholly (the longest phrase wins; a tie names none)."""
    best: list[tuple[int, str]] = []
    for col, phrases in names.items():
        n = max((len(p) for p in phrases if _has(words, p)), default=0)
        if n:
            best.append((n, col))
    if not best:
        return None
    best.sort(reverse=True)
    if len(best) > 1 and best[1][0] == best[0][0]:
        return None
    return best[0][1]


def _has(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    """``phrase`` appears in ``words`` in order, each word the same or one a form of the other."""
    n = len(phrase)
    for i in range(len(words) - n + 1):
        if all(_same(w, p) for w, p in zip(words[i : i + n], phrase, strict=True)):
            return True
    return False


def _same(word: str, part: str) -> bool:
    return word == part or (
        len(part) >= 3 and len(word) >= 3 and (word.startswith(part) or part.startswith(word))
    )


def compared_flag(found: tuple[str, str], sql: str) -> bool:
    """A yes/no value a rule names only through a compared column's own word ("paid" of ``paid_at`` in
    "paid after the due date": the comparison says it, and a row without a payment date is not kept).
    """
    dim, value = found
    if value.lower() not in ("true", "false"):
        return False
    flag = dim.rsplit("__", 1)[-1].removeprefix("is_").removeprefix("has_")
    cols = {c.name for c in sqlglot.parse_one(sql, read="duckdb").find_all(exp.Column)}
    return any(flag and (c == flag or c.startswith(flag + "_")) for c in cols)
