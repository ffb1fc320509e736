"""A concept put before a metric by a preposition: "the payback period on CAC", "variance of MRR".

The noun phrase before "on", "of" or "for" is what is asked; the metric after it is only what the concept is
of. When a word of that phrase is one the catalog lacks, the question asks for something the catalog does not
measure, and the leftover pass refuses it (naming the metric as the nearest) rather than answer the metric
alone with the word dropped.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from metricmind.resolve.text import FILLERS, Token
from metricmind.resolve.thresholds import verbish
from metricmind.resolve.words import GRAMMAR

FRONTING = frozenset({"on", "of", "for"})
"""Prepositions by which a noun before a metric takes the metric as its argument ("payback period on CAC",
"variance of MRR", "target for signups"): the noun is what is asked, the metric only what it is of."""
ASKING_NOUNS = frozenset(
    "summary overview picture snapshot rundown recap readout update stats statistics info information "
    "insight insights analysis glance view look data detail details breakdown numbers figures".split()
)
"""Nouns of a request for a metric itself ("a summary of MRR", "stats on sign-ups"): no other concept."""
DETERMINERS = frozenset({"the", "our", "a", "an", "its", "their"})


def fronted_run(
    tokens: Sequence[Token],
    stems: Sequence[str],
    used: Sequence[bool],
    vocabulary: Collection[str],
    first: int,
) -> list[int]:
    """The unread words of the noun phrase that "on", "of" or "for" puts right before the metric starting at
    ``first`` ("payback period on cac" → payback, period), when one of them is a noun the catalog lacks;
    else none. A request's own nouns ("a summary of mrr", "stats on signups") and verbs make no concept.
    """
    j = first - 1
    while j >= 0 and not used[j] and tokens[j].norm in DETERMINERS:
        j -= 1
    if j < 1 or used[j] or tokens[j].norm not in FRONTING:
        return []
    run: list[int] = []
    k = j - 1
    while k >= 0 and not used[k]:
        t = tokens[k]
        closed = t.norm in FILLERS or t.stem in GRAMMAR or t.norm in GRAMMAR
        if (closed and k < j - 1) or verbish(t.norm) or not t.norm.isalpha():
            break  # (the head noun may be a word of time or grammar: "payback period", "lead time")
        run.append(k)
        k -= 1
    if any(tokens[k].norm in ASKING_NOUNS or stems[k] in ASKING_NOUNS for k in run):
        return []
    unknown = [k for k in run if stems[k] not in vocabulary and len(tokens[k].norm) > 3]
    return sorted(run) if unknown else []


def run_around(words: Collection[int], i: int) -> tuple[int, int]:
    """The first and past-the-last positions of the run of consecutive ``words`` holding ``i``."""
    lo, hi = i, i + 1
    while lo - 1 in words:
        lo -= 1
    while hi in words:
        hi += 1
    return lo, hi
