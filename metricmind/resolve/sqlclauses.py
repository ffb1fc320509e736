"""SQL's own clauses typed into a question by an analyst: "order by desc limit 10", "… limit 5". ``limit N`` is how
many rows to show, as "top N" says it; with no word of ranking it keeps the N largest (a limit without an order
keeps any N rows, which no one asks for). The words "order", "by", "desc" / "asc" right before it are the ranking
said in SQL (closed-class SQL, not any catalog's words).
"""

from __future__ import annotations

from collections.abc import Sequence

from metricmind.resolve.text import Token, number

DIRECTIONS = {"desc": True, "descending": True, "asc": False, "ascending": False}
"""SQL's sort directions: descending (True) or ascending (False)."""


def limit_clauses(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """The positions of "limit" followed by a count, with the count ("limit 10" → (k, 10))."""
    out: list[tuple[int, int]] = []
    for k in range(len(tokens) - 1):
        n = number(tokens[k + 1].norm)
        if tokens[k].norm == "limit" and n is not None and n > 0:
            out.append((k, n))
    return out


def bare_order(tokens: Sequence[Token], limit_at: int) -> tuple[list[int], bool | None]:
    """The words "order by desc" (or "order by asc", "desc") right before the limit at ``limit_at`` that name
    no column: their positions and the direction they say (None when no direction is said).
    """
    k = limit_at - 1
    at: list[int] = []
    desc: bool | None = None
    if k >= 0 and tokens[k].norm in DIRECTIONS:
        desc = DIRECTIONS[tokens[k].norm]
        at.append(k)
        k -= 1
    if k >= 1 and tokens[k].norm == "by" and tokens[k - 1].norm == "order":
        at += [k, k - 1]
    return sorted(at), desc


def sort_verb(tokens: Sequence[Token], first: int, last: int) -> bool:
    """Whether the one word ``first``..``last`` is a verb of sorting right before "by" ("order by gmv desc",
    "sort by"): SQL's ORDER BY, never a metric named by the same noun (a shop's orders).
    """
    return (
        last - first == 1
        and tokens[first].norm in SORT_VERBS
        and last < len(tokens)
        and tokens[last].norm == "by"
    )


SORT_VERBS = frozenset({"order", "sort", "rank"})
"""Verbs of sorting that SQL and people put right before "by"."""
