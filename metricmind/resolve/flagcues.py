"""The words that say a yes/no dimension's value is meant: "accounts flagged as deleted", "marked paid",
"avg stars, completed only". Alone, such a word is an everyday one ("deleted", "active", "completed") and is read
as a value only in a context that asks for one; a marking verb before it, or "only" after it, is such a context
for the values of a yes/no dimension. Closed-class English, no catalog's words.
"""

from __future__ import annotations

from collections.abc import Sequence

from metricmind.resolve.text import Token

MARK_VERBS = frozenset({"flagged", "marked", "tagged", "labelled", "labeled", "classed", "classified"})
"""Verbs by which a row is said to carry a yes/no value ("flagged as refunded")."""
COPULAS = frozenset(
    {"is", "are", "was", "were", "been", "being", "be", "got", "gets", "get", "become", "became"}
)
"""Verbs after which a yes/no column's word is the state of the rows ("that have since been deleted")."""
ONLY = frozenset({"only", "solely", "exclusively"})


def marking_verbs(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """The span of each marking verb (with its "as") followed by a word: said of the value after it."""
    out: list[tuple[int, int]] = []
    for k, t in enumerate(tokens[:-1]):
        if t.norm not in MARK_VERBS:
            continue
        end = k + 2 if tokens[k + 1].norm == "as" else k + 1
        if end < len(tokens):
            out.append((k, end))
    return out


def flag_cued(tokens: Sequence[Token], first: int, last: int) -> bool:
    """Whether the words ``first``..``last`` follow a marking verb ("flagged as X", "marked X"), "not" or a
    copula ("been deleted"), or are followed by "only" ("X only", "X-only"): a value is asked for.
    """
    before = [t.norm for t in tokens[max(0, first - 2) : first]]
    if before[-1:] == ["not"] or (before[-1:] and before[-1] in COPULAS):
        return True  # "purchases that were not refunded", "accounts that have since been deleted": a state
    if before[-1:] and (
        before[-1] in MARK_VERBS or (before[-1] == "as" and before[:1] and before[0] in MARK_VERBS)
    ):
        return True
    return last < len(tokens) and tokens[last].norm in ONLY
