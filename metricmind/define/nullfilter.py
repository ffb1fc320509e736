"""A rule keeping the rows where a column of the source's table is empty, or where it holds a value
("first reply time is null", "no first payment date", "never paid", "a ticket with any first reply is not
counted"): ``column is null`` or ``column is not null``, put into the measure like any column filter.

The column is read from the table's own columns by the words of its name (a time suffix such as ``_ts``,
``_at`` or ``_date`` may go unsaid); the cue must stand right before those words ("no", "without",
"never"; "with", "has", "any") or right after them ("is null", "is empty", "is not null"). A rule that
drops the rows it names ("… is not counted", "exclude …") keeps the others.
"""

from __future__ import annotations

import re

from sqlglot import exp

from metricmind.define.proposal import RuleReading
from metricmind.define.rulecues import DROPS
from metricmind.define.rulevalues import Context, Read
from metricmind.define.termcolumns import PART_GLUE, part_hit, term_words

#: Parts of a column name that say only that it holds a time.
TIME_PARTS = frozenset({"ts", "at", "date", "dt", "tstamp", "time", "timestamp", "on", "day"})
#: Words right before the column's that say it is empty, and those that say it holds a value.
EMPTY_BEFORE = frozenset({"no", "without", "never", "missing"})
FILLED_BEFORE = frozenset({"with", "has", "have", "had"})
#: Articles between such a verb and the column's words ("with any first reply"); "any payment method"
#: alone says every value, never a filled one.
_ARTICLES = frozenset({"any", "a", "an", "some"})
_EMPTY_AFTER = re.compile(r"^(?:is |are )?(?:null|empty|missing|blank|not set)\b")
_FILLED_AFTER = re.compile(r"^(?:is |are )(?:not null|not empty|set|filled|present)\b")
#: Confidence of a null filter read: a column named in part, a person checks it.
CONFIDENCE = 0.7


def _span(column: str, words: tuple[str, ...]) -> tuple[int, int] | None:
    parts = [p for p in term_words(column) if p not in PART_GLUE and p not in TIME_PARTS]
    if not parts:
        return None
    hits = [part_hit(p, words) for p in parts]
    if any(h is None for h in hits):
        return None
    spots = [h for h in hits if h is not None]
    lo, hi = min(spots), max(spots)
    return (lo, hi) if hi - lo <= len(parts) else None


def _filled_before(before: tuple[str, ...]) -> bool:
    """A verb of having, maybe an article, before the column ("with first reply", "has a first reply")."""
    if before and before[-1] in FILLED_BEFORE:
        return True
    return len(before) == 2 and before[0] in FILLED_BEFORE and before[1] in _ARTICLES


def null_filter(text: str, low: str, ctx: Context) -> Read | None:
    """The rule read as ``column is [not] null`` on one column of the source's table; None otherwise."""
    if not ctx.table_columns:
        return None
    words = term_words(low)
    spans = {c: s for c in ctx.table_columns if (s := _span(c, words)) is not None}
    if not spans:
        return None
    longest = max(len(term_words(c)) for c in spans)
    best = [c for c in spans if len(term_words(c)) == longest]
    if len(best) != 1:
        return None
    column = best[0]
    lo, hi = spans[column]
    before = words[max(0, lo - 2) : lo]
    after = " ".join(words[hi + 1 :])
    after = re.sub(r"^(?:time|date|timestamp|day)\s+", "", after)
    if _EMPTY_AFTER.match(after) or (before and before[-1] in EMPTY_BEFORE):
        empty = True
    elif _FILLED_AFTER.match(after) or _filled_before(before):
        empty = False
    else:
        return None
    if DROPS.search(low):
        empty = not empty
    col = exp.column(column)
    cond: exp.Expr = col.is_(exp.null()) if empty else exp.not_(col.is_(exp.null()))
    sql = cond.sql(dialect="duckdb")
    reason = (
        f"keeps only {sql}: {column} is a column of {ctx.table}, read by the words of its name; the filter "
        "goes into the measure's expression"
    )
    return Read(RuleReading(text, "filter", CONFIDENCE, reason), column_sql=sql)
