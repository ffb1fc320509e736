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
WITH = frozenset({"with", "having"})
"""Words by which rows are said to carry a yes/no value ("orders with a gift"; "w/" is read apart)."""
ARTICLES = frozenset({"a", "an", "the"})
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
    """Whether the words ``first``..``last`` follow a marking verb ("flagged as X", "marked X"), "not", a
    copula ("been deleted"), "with" ("orders with a gift", "w/ gift") or "only" ("only the gift ones"), or are
    followed by "only" or "ones" ("X only", "X-only", "the verified ones"): a value is asked for.
    """
    j = first - 1
    while j >= 0 and tokens[j].norm in ARTICLES:
        j -= 1
    word = tokens[j].norm if j >= 0 else ""
    if word in ("not", *COPULAS, *MARK_VERBS, *WITH, *ONLY) or (word == "w" and not _slash_o(tokens, j)):
        return True  # "purchases that were not refunded", "accounts that have since been deleted": a state
    if word == "as" and j > 0 and tokens[j - 1].norm in MARK_VERBS:
        return True
    return last < len(tokens) and tokens[last].norm in (*ONLY, "ones")


def _slash_o(tokens: Sequence[Token], j: int) -> bool:
    """Whether the "w" at ``j`` is the "w/o" of "without" (its "o" after it), not the "w/" of "with"."""
    return j + 1 < len(tokens) and tokens[j + 1].norm == "o"
