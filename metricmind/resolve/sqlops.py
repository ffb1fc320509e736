"""SQL's comparison signs and positional columns typed into a question: ``where device != 'web'``, ``<> 'DE'``,
``order by 2 desc``. The words of a question drop punctuation, so the sign is read from the characters between
two words: a value right after ``!=`` or ``<>`` is left out, as after "excluding". ``order by 2`` sorts by the
second column selected, which in a question of one metric grouped by something is the metric (closed-class SQL,
no catalog's words).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from metricmind.resolve.text import Token, number

_NOT_EQUAL = re.compile(r"(?:!=|<>|!==)\s*['\"(]?\s*$")
"""The characters before a value that say "not equal" (an opening quote or parenthesis may follow the sign)."""


def sql_negated(question: str, tokens: Sequence[Token], first: int) -> bool:
    """Whether the value whose first word is at ``first`` follows SQL's "not equal" sign (``!= 'web'``)."""
    if first <= 0 or first >= len(tokens):
        return False
    gap = question[tokens[first - 1].end : tokens[first].start]
    return _NOT_EQUAL.search(gap) is not None


def positional_order(tokens: Sequence[Token]) -> tuple[int, int, bool | None] | None:
    """``order by 2 [desc|asc]``: the position of "order", one past the last word of the clause, and the
    direction said (None when none is). The column's number names the selected column, never an amount.
    """
    norms = [t.norm for t in tokens]
    for k in range(len(norms) - 2):
        if norms[k] in ("order", "sort") and norms[k + 1] == "by" and number(norms[k + 2]) is not None:
            end, desc = k + 3, None
            if end < len(norms) and norms[end] in ("desc", "descending", "asc", "ascending"):
                desc = norms[end] in ("desc", "descending")
                end += 1
            return k, end, desc
    return None


_LIST_ENDS = frozenset({"from", "where", "group", "order", "having", "limit"})


def select_items(question: str, tokens: Sequence[Token]) -> frozenset[int]:
    """The first word of each item of a SQL select list (``select agent, count(*) from …``: "agent", "count"):
    a column there is asked beside the others, a breakdown when it names a dimension. Only a question that
    starts with "select" has one; it runs to the first "from", "where", "group", "order", "having" or "limit".
    """
    if not tokens or tokens[0].norm != "select":
        return frozenset()
    out: set[int] = set()
    k = 1
    if k < len(tokens) and tokens[k].norm == "distinct":
        k += 1
    first = True
    while k < len(tokens) and tokens[k].norm not in _LIST_ENDS:
        if first:
            out.add(k)
        gap = question[tokens[k].end : tokens[k + 1].start] if k + 1 < len(tokens) else ""
        first = "," in gap
        k += 1
    return frozenset(out)


_HAVING = re.compile(
    r"\bhaving\s+(?:sum|avg|count|min|max)\s*\(\s*(?:distinct\s+)?([A-Za-z_][\w.]*)\s*\)", re.I
)


def having_column(question: str) -> tuple[str, int, int] | None:
    """The column aggregated after "having" (``having sum(gross_usd) > 50``: "gross_usd") with its characters."""
    m = _HAVING.search(question)
    if m is None:
        return None
    return m.group(1).rsplit(".", 1)[-1].lower(), m.start(1), m.end(1)


def metric_of_column(column: str, metrics: dict[str, tuple[str, ...]]) -> str | None:
    """The one metric a column names: by its own name, else the one plain metric whose measure's name holds
    every word of the column ("gross_usd" for the measure ``iap_gross_usd``). ``metrics`` maps each plain
    (simple, unfiltered) metric to its measures' names.
    """
    if column in metrics:
        return column
    words = set(column.split("_"))
    found = [m for m, measures in metrics.items() if any(words <= set(x.split("_")) for x in measures)]
    return found[0] if len(found) == 1 else None
