"""A rule of two clauses, one a filter and one the metric's date ("Touches of the webinar series campaign,
by touch date"): read as both, the filter its other clause reads alone and the date its dating clause names.

Read only when the rule splits at one comma into exactly two clauses, the dating clause alone names the same
time dimension and no value, and the other clause alone reads as a confident filter of one dimension with no
date of its own. Anything else keeps the rule unread (the caller's "say the filter as a rule of its own").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from metricmind.define.rulevalues import Context, Read, values_of
from metricmind.define.timerules import time_rule
from metricmind.define.words import stems

#: The filter clause's least confidence for the rule to be read (an alias in doubt stays unread).
FILTER_CONFIDENCE = 0.75
#: The rows' noun leading a clause ("Touches of the …"): the definition's own word for what it counts.
_SUBJECT = re.compile(r"^\s*(\w+) of (?:the |our |a |an )?(?=\w)", re.IGNORECASE)
#: A dating clause: "by touch date", "dated by the touch", "by the month of the touch".
_DATING = re.compile(r"^\s*(?:by|dated by|counted on|on|in)\b")


def _stems(text: str) -> tuple[str, ...]:
    return stems(text.lower().replace("-", " ").replace("_", " "))


def _without_subject(clause: str, ctx: Context) -> str:
    """``clause`` without a leading "<rows> of the" whose noun the definition says and that names no value
    ("Touches of the webinar series campaign" of "Webinar touches by month": the webinar series campaign).
    """
    m = _SUBJECT.search(clause)
    if m is None:
        return clause
    noun = _stems(m.group(1))
    named, _ = values_of(noun, ctx)
    ctx.ambiguous.clear()
    if not noun or named or not set(noun) <= set(_stems(ctx.definition)):
        return clause
    return clause[m.end() :]


def dated_filter(text: str, time_dim: str, ctx: Context, read: Callable[[str, Context], Read]) -> Read | None:
    """The rule ``text`` read as a filter dated by ``time_dim``; None when it is not two such clauses."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2 or not all(parts):
        return None
    first, second = parts
    dating, kept = (second, first) if _DATING.search(second.lower()) else (first, second)
    if not _DATING.search(dating.lower()):
        return None
    low = dating.lower()
    if time_rule(low, _stems(low), ctx) != time_dim:
        return None
    named, _ = values_of(_stems(low), ctx)
    ctx.ambiguous.clear()
    if named:
        return None
    kept = _without_subject(kept, ctx)
    klow = kept.lower()
    if time_rule(klow, _stems(klow), ctx):
        return None
    got = read(kept, ctx)
    r = got.reading
    if (
        r.status != "filter"
        or got.dimension is None
        or not got.values
        or got.others
        or got.time_dimension
        or got.column_sql
        or got.treated_as
        or r.confidence < FILTER_CONFIDENCE
    ):
        return None
    got.reading = replace(r, text=text, reason=f"{r.reason}; dates the metric by {time_dim}")
    got.time_dimension = time_dim
    return got
