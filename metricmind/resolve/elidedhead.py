"""A list item that leaves out the head noun the item before it said: "gwp, return premium and net written" asks
the written premium net of cancellations, "premium" said once with "return". The item's words with that head are
words of exactly one metric's own phrase (its name, label or synonym, in any order), which is read as the item.
"""

from __future__ import annotations

from collections.abc import Sequence

from metricmind.resolve.lexicon import Entry
from metricmind.resolve.resolution import Span
from metricmind.resolve.text import FILLERS, Token, root
from metricmind.resolve.words import GRAMMAR

JOINERS = frozenset({"and", "plus", "&", "+"})
"""Words that add one more item to a list of metrics."""
MAX_ITEM = 3
"""The most words of an item said without its head."""


def elided_items(
    tokens: Sequence[Token],
    stems: Sequence[str],
    used: Sequence[bool],
    question: str,
    read: Sequence[tuple[int, int]],
    phrase_sets: dict[tuple[str, ...], list[Entry]],
    metrics: Sequence[str],
) -> list[tuple[int, int, str]]:
    """The token runs right after a metric phrase of two words or more (``read``: token ranges) and a joiner
    that, with the phrase's last word, name exactly one metric not already read (``metrics``).
    """
    out: list[tuple[int, int, str]] = []
    for first, last in read:
        if last - first < 2 or last >= len(tokens):
            continue
        gap = question[tokens[last - 1].end : tokens[last].start]
        k = last + 1 if tokens[last].norm in JOINERS else last if "," in gap else -1
        if k < 0:
            continue
        end = k
        while end < len(tokens) and end - k < MAX_ITEM and not used[end]:
            w = tokens[end].norm
            if not w.isalpha() or w in GRAMMAR or w in FILLERS or stems[end] in FILLERS:
                break
            end += 1
        if end == k or (
            end < len(tokens) and not used[end] and tokens[end].norm.isalpha() and end - k == MAX_ITEM
        ):
            continue
        words = {root(stems[i]) for i in range(k, end)} | {root(stems[last - 1])}
        owners = {
            e.target for key, entries in phrase_sets.items() if words <= set(key) for e in entries
        } - set(metrics)
        if len(owners) == 1:
            out.append((k, end, next(iter(owners))))
    return out


def token_ranges(
    spans: Sequence[Span], token_at: dict[int, int], tokens: Sequence[Token]
) -> list[tuple[int, int]]:
    """The token ranges of ``spans`` (metric spans of the question)."""
    out: list[tuple[int, int]] = []
    for s in spans:
        if s.start not in token_at:
            continue
        first = token_at[s.start]
        last = first
        while last < len(tokens) and tokens[last].end <= s.end:
            last += 1
        out.append((first, last))
    return out
