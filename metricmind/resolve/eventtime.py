"""A grain that dates another event than the metric's ("ARR by the year the company was founded").

"By year" groups a metric by its own time. When the grain is followed by a clause that says which event the
period is of ("the year the company was founded", "the month they signed up", "year founded") and nothing in
the catalog reads that clause, the breakdown asked is a time the catalog does not hold for the metric: grouping
by the metric's own year would answer another question with a confident-looking table, so it is refused.
"""

from __future__ import annotations

from metricmind.resolve.resolution import Resolution
from metricmind.resolve.text import Token
from metricmind.resolve.thresholds import IRREGULAR_PAST

OPENERS = frozenset(
    {"the", "a", "an", "our", "their", "its", "his", "her", "they", "we", "it", "that", "when"}
)
"""Words that may open the clause after the grain ("the year *the* company was founded")."""
AUX = frozenset({"was", "were", "is", "are", "got", "get", "first", "had", "has", "have", "been"})
"""Auxiliaries between the clause's subject and its verb."""
CLAUSE = 4
"""The most words between the grain and the clause's verb."""
PERIOD_ENDS = frozenset({"ended", "ending", "starting", "started", "beginning"})
"""Words right after a grain that label its period ("week ended"), no other event."""


def event_verb(word: str) -> bool:
    """Whether ``word`` is a verb in the past ("founded", "signed", "began")."""
    return word in IRREGULAR_PAST or (len(word) > 4 and word.endswith("ed"))


def grain_of_other_event(
    res: Resolution, tokens: list[Token], used: list[bool], nouns: frozenset[str]
) -> bool:
    """Refuse ``res`` when a grain read as the metric's time is followed by a clause naming another event
    whose verb nothing read (``nouns``: the catalog's entity nouns, stems, which may be the clause's subject).
    Returns whether it refused.
    """
    if not res.answerable:
        return False
    # a noun read as another breakdown may be the clause's subject ("the year the hotel was renovated")
    named = {
        t.index
        for s in res.spans.get("group_by", [])
        if s.how != "grain"
        for t in tokens
        if s.start <= t.start < s.end
    }
    for g in res.spans.get("group_by", []):
        if g.how != "grain":
            continue
        after = [t for t in tokens if t.start >= g.end]
        if not after or after[0].start - g.end > 1:
            continue  # ("by month, then …": a clause apart)
        for k, t in enumerate(after[: CLAUSE + 1]):
            if t.stem in nouns or t.index in named:
                continue  # "the customer", "the hotel": the clause's subject, even when read otherwise
            if used[t.index]:
                break
            if k == 0 and t.norm in PERIOD_ENDS:
                break  # "by week ended": how the week is labelled
            if event_verb(t.norm):
                words = " ".join(x.text for x in after[: k + 1])
                res.refuse(
                    f"'{g.text} {words}' dates another event than the time of {', '.join(res.metrics)}: "
                    "name that event's date as a breakdown (by signup month, …) if the catalog has one",
                    [],
                )
                return True
            if t.norm not in OPENERS and t.norm not in AUX:
                break
    return False
