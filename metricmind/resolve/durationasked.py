"""A duration asked of a metric that measures none: "avg days to close a claim" read as the average claim severity
(an amount in USD, found through "avg" and "claim") answers something else. "<unit of time> to <verb>" ("days to
close", "hours to resolve", "time to first reply") asks how long a thing takes; a metric answers it only when its
own words (name, label, description, synonyms, its measures' names and expressions) speak of time. Otherwise the
catalog lacks the measure and the question is refused, never answered with a neighbour's number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from metricmind.resolve.resolution import Resolution
from metricmind.resolve.text import Token
from metricmind.spec.model import Model

TIME_WORDS = frozenset("second seconds minute minutes mins hour hours hrs day days week weeks time".split())
"""Nouns of a length of time that, before "to <verb>", ask a duration ("days to close")."""
_NOT_A_VERB = frozenset({"date", "now", "today", "the", "a", "an", "end", "start", "be"})
"""Words after "to" that make it no "to <verb>" ("days to date", "weeks to the end of June")."""
_UNITS = r"(?:seconds|secs|minutes|mins|hours|hrs|days|weeks)"
_NAMED_TIME = re.compile(
    rf"\b(?:{_UNITS}|time|duration|length|elapsed|lead|cycle|tat|age|aging|ageing|sla)\b|datediff|date_diff|epoch"
)
"""Words of a metric's name, label, synonyms or measures that say it measures a length of time."""
_DESCRIBED_TIME = re.compile(
    rf"\b{_UNITS} (?:from|between|until|till|to)\b|\bin {_UNITS}\b|\b(?:duration|elapsed|length)\b"
)
"""A description's words for a length of time ("minutes from ticket creation to the first agent reply", "length
in minutes"); never a window ("within 7 days") or a dating ("on the day of delivery", "30 days past due")."""


def duration_phrase(tokens: Sequence[Token]) -> tuple[int, int] | None:
    """The token range of the first "<unit of time> to <verb>" said with no number before the unit (an amount of
    days is a threshold or a period, "30 days to close", "last 7 days to date").
    """
    norms = [t.norm for t in tokens]
    for i in range(len(norms) - 2):
        if norms[i] not in TIME_WORDS or norms[i + 1] != "to":
            continue
        after = norms[i + 2]
        if after in _NOT_A_VERB or not after.isalpha() or (i > 0 and not norms[i - 1].isalpha()):
            continue
        return i, i + 3
    return None


def speaks_of_time(model: Model, metric: str) -> bool:
    """Whether ``metric``'s own words say it measures a length of time."""
    m = model.metrics.get(metric)
    if m is None:
        return True  # (not the catalog's: nothing to judge it by)
    named = [m.name.replace("_", " "), m.label or ""]
    named += [str(s) for s in (m.meta.get("synonyms") or ()) if isinstance(s, str)]
    for name in model.measures_of(metric):
        measure = model.measures.get(name)
        named += [name.replace("_", " "), str(getattr(measure, "expr", "") or "")]
    if _NAMED_TIME.search(" ".join(named).lower()):
        return True
    return bool(_DESCRIBED_TIME.search((m.description or "").lower()))


def duration_asked(res: Resolution, tokens: Sequence[Token], model: Model) -> None:
    """Refuse ``res`` when the question asks a duration that none of its metrics measures."""
    if not res.answerable or not res.metrics:
        return
    found = duration_phrase(tokens)
    if found is None or any(speaks_of_time(model, m) for m in res.metrics):
        return
    said = " ".join(t.text for t in tokens[found[0] : found[1]])
    res.refuse(
        f"'{said}' asks how long something takes; no metric in the catalog measures it "
        f"({', '.join(res.metrics)} does not)"
    )
