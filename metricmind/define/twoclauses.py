"""A rule of two clauses that keeps values in one and drops values in the other.

"Only iOS and Android; web does not count" was read as one filter whose negation ("does not count") came
from the second clause and whose values came from both: it dropped iOS, Android and web. Each clause is
read on its own here (clauses split at ";", " — " or a full stop). When one keeps values of a dimension
and the other drops other values of the same dimension, the keep is the filter: keeping only iOS and
Android already leaves web out, and the reason says so. Two clauses on different dimensions, a value both
kept and dropped, or a keeping and a dropping clause of which one does not read as a filter ("the app is iOS
or Android; web views do not count" where "web" is a value of two dimensions) are unread: one rule each.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from metricmind.define.proposal import RuleReading
from metricmind.define.rulecues import NEGATIVE
from metricmind.define.rulevalues import Context, Read

#: Where a rule's clauses meet: a semicolon, a dash between spaces, a full stop before more words.
_BOUNDARY = re.compile(r"\s*;\s*|\s+[—–-]\s+|\.\s+(?=\w)")
#: Why a rule whose clauses keep and drop is not read when one of them does not read as a filter.
SPLIT = "one clause keeps and the other drops, and they do not both read as filters; write one rule each"
#: Why a rule of two clauses on different dimensions is not read.
SEVERAL = "states conditions of several clauses on different dimensions; write one rule each"


def split_reading(text: str, ctx: Context, read: Callable[[str, Context], Read]) -> Read | None:
    """The rule read clause by clause (module docstring), or None when it has no two clauses that both
    read as filters (the whole rule's reading then stands).
    """
    parts = [p.strip(" .") for p in _BOUNDARY.split(text) if p.strip(" .")]
    if len(parts) != 2:
        return None
    first, second = (read(p, ctx) for p in parts)
    if not all(r.reading.status == "filter" and r.dimension and not r.others for r in (first, second)):
        if bool(NEGATIVE.search(parts[0])) != bool(NEGATIVE.search(parts[1])):
            # "the app is iOS or Android; web views do not count": the whole rule would drop the first
            # clause's values by the second clause's negation
            blocked = next((r for r in (first, second) if r.reading.status == "unread"), None)
            why = f": {blocked.reading.reason}" if blocked is not None else ""
            return Read(RuleReading(text, "unread", 0.0, f"{SPLIT}{why}"))
        return None
    if first.dimension != second.dimension:
        return Read(RuleReading(text, "unread", 0.0, SEVERAL))
    if first.negative == second.negative:
        return None  # "Only iOS; only Android": one polarity, the whole rule reads it
    keep, drop = (first, second) if not first.negative else (second, first)
    kept_text = parts[0] if keep is first else parts[1]
    if set(keep.values) & set(drop.values):
        return Read(RuleReading(text, "unread", 0.0, f"keeps and drops the same values of {keep.dimension}"))
    keep = read(kept_text, ctx)  # read last: the context holds the clause kept
    shown = ", ".join(drop.values)
    return replace(
        keep,
        reading=replace(
            keep.reading,
            text=text,
            confidence=min(keep.reading.confidence, drop.reading.confidence),
            reason=f"{keep.reading.reason}; the other clause drops {shown}, which that already leaves out",
        ),
    )
