"""A dimension whose values are numbers, compared with a number a rule says ("level number 15 and above",
"only attempt number 1", "at least 3 nights"): a ``{{ Dimension() }}`` filter with the comparison.

The dimension is read from the catalog (its name, label or alias in the lexicon, reachable from the
source) and must hold only numbers (the values the catalog declares or the warehouse holds): a number said
beside a text dimension is never compared. An equality must name one of its values; a comparison may
name any number. A clause that negates is not read here (the usual readers say why).
"""

from __future__ import annotations

import re

from sqlglot import exp

from metricmind.define.columns import COLUMN_CONFIDENCE
from metricmind.define.nearer import every_value
from metricmind.define.proposal import RuleReading
from metricmind.define.rulecues import NEGATIVE
from metricmind.define.rulevalues import Context, Read
from metricmind.define.termcolumns import term_words
from metricmind.define.words import stems

_N = r"(-?\d+(?:\.\d+)?)"
#: (pattern, operator): a comparison said before or after its number.
COMPARED = (
    (
        re.compile(
            rf"\b(?:above|over|more than|greater than|exceeds?|exceeding|higher than|beyond)\s+{_N}\b"
        ),
        ">",
    ),
    (re.compile(rf"\b(?:at least|no less than|not less than|from)\s+{_N}\b(?!\s*(?:to|-|and)\s*\d)"), ">="),
    (re.compile(rf"\b(?:below|under|less than|fewer than|lower than)\s+{_N}\b"), "<"),
    (re.compile(rf"\b(?:at most|no more than|not more than|up to)\s+{_N}\b"), "<="),
    (
        re.compile(
            rf"\b{_N}\s*(?:\+|(?:and|or)\s+(?:above|over|more|higher|greater|up|upwards|beyond|later)\b)"
        ),
        ">=",
    ),
    (re.compile(rf"\b{_N}\s+(?:and|or)\s+(?:below|under|less|fewer|lower|earlier|down)\b"), "<="),
)
#: Clauses of a rule ("only attempt number 1, retries are left out").
_CLAUSES = re.compile(r"[,;:()]|\s[-–—]\s")
#: Confidence of a comparison read; lower when other clauses of the rule are left to agree with it.
CONFIDENCE = 0.8
PARTIAL = 0.7


def _number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _numeric_dims(words: tuple[str, ...], ctx: Context) -> dict[str, int]:
    """The reachable dimensions of only numbers the words name, each with where its name ends."""
    out: dict[str, int] = {}
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            for e in ctx.lexicon.lookup(words[i : i + size]):
                if e.kind != "dimension" or e.target not in ctx.reachable or e.target in out:
                    continue
                values = every_value(ctx.model, e.target)
                if len(values) >= 2 and all(_number(v) for v in values):
                    out[e.target] = i + size
    return out


def number_compared(text: str, low: str, ctx: Context) -> Read | None:
    """A filter comparing a numeric dimension the rule names with the number it says; None otherwise."""
    clauses = [c for c in _CLAUSES.split(low) if c.strip()]
    said = [c for c in clauses if re.search(r"\d", c)]
    if len(said) != 1 or NEGATIVE.search(said[0]):
        return None
    clause = said[0]
    words = stems(clause.replace("-", " ").replace("_", " "))
    dims = _numeric_dims(words, ctx)
    if not dims:
        return _on_column(text, clause, words, len(clauses), ctx)
    if len(dims) != 1:
        return None
    dim, end = next(iter(dims.items()))
    op, number = None, None
    for pattern, sign in COMPARED:
        m = pattern.search(clause)
        if m is not None:
            op, number = sign, m.group(1)
            break
    if op is None:  # "attempt number 1", "level is 15": the number right after the dimension's words
        rest = words[end:]
        while rest and rest[0] in ("is", "of", "equal", "equals", "to", "="):
            rest = rest[1:]
        if not rest or not _number(rest[0]) or len(re.findall(r"\d+(?:\.\d+)?", clause)) != 1:
            return None
        if rest[0] not in every_value(ctx.model, dim):
            return None  # a value it never holds: the unknown-value reader says so
        op, number = "=", rest[0]
    if number is None:
        return None
    predicate = f"{{{{ Dimension('{dim}') }}}} {op} {number}"
    confidence = CONFIDENCE if len(clauses) == 1 else PARTIAL
    reason = f"keeps only {dim} {op} {number} ({dim} holds numbers)"
    if len(clauses) > 1:
        reason += "; the rule's other clauses are read as saying the same"
    return Read(RuleReading(text, "filter", confidence, reason, predicate))


def _compared(clause: str, words: tuple[str, ...], end: int) -> tuple[str, str] | None:
    """(operator, number) the clause says of the name ending at ``end`` (a comparison, or "= N")."""
    for pattern, sign in COMPARED:
        m = pattern.search(clause)
        if m is not None:
            return sign, m.group(1)
    rest = words[end:]
    while rest and rest[0] in ("is", "of", "equal", "equals", "to", "="):
        rest = rest[1:]
    if rest and _number(rest[0]) and len(re.findall(r"\d+(?:\.\d+)?", clause)) == 1:
        return "=", rest[0]
    m = re.search(rf"(?:=|\bequals?|\bequal to)\s*{_N}\b", clause)
    return ("=", m.group(1)) if m else None


def _on_column(text: str, clause: str, words: tuple[str, ...], clauses: int, ctx: Context) -> Read | None:
    """The comparison on a numeric column of the source's table that no dimension declares ("only stars
    = 5"): the predicate goes into the measure (``column_sql``), below the confidence of a dimension's.
    """
    named = [c for c in ctx.table_numeric if (s := term_words(c)) and _contains(words, s)]
    if len(named) != 1:
        return None
    column = named[0]
    run = term_words(column)
    end = next(i + len(run) for i in range(len(words)) if words[i : i + len(run)] == run)
    said = _compared(clause, words, end)
    if said is None:
        return None
    op, number = said
    ops = {">": exp.GT, ">=": exp.GTE, "<": exp.LT, "<=": exp.LTE, "=": exp.EQ}
    sql = ops[op](this=exp.column(column), expression=exp.Literal.number(number)).sql(dialect="duckdb")
    reason = (
        f"keeps only {sql}: {column} is a column of {ctx.table}, not a catalog dimension, so the filter goes "
        "into the measure's expression"
    )
    return Read(
        RuleReading(text, "filter", PARTIAL if clauses > 1 else COLUMN_CONFIDENCE, reason), column_sql=sql
    )


def _contains(words: tuple[str, ...], run: tuple[str, ...]) -> bool:
    return any(words[i : i + len(run)] == run for i in range(len(words) - len(run) + 1))
