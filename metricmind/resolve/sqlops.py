"""SQL's comparison signs and positional columns typed into a question: ``where device != 'web'``, ``<> 'DE'``,
``not in ('a', 'b')``, ``order by 2 desc``. The words of a question drop punctuation, so the sign is read from the
characters before a value: a value right after ``!=``, ``<>`` or ``not in (`` is left out, as after "excluding".
``order by 2`` sorts by the second column selected, which in a question of one metric grouped by something is the
metric (closed-class SQL, no catalog's words).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from metricmind.resolve.resolution import Filter, Span
from metricmind.resolve.text import Token, number
from metricmind.spec.model import MetricType, Model

_NOT_EQUAL = re.compile(r"(?:!==?|<>|\bnot\s+in\b)\s*\(?\s*['\"]?\s*$", re.IGNORECASE)
"""The characters before a value that say "not equal" (an opening parenthesis or quote may follow the sign)."""
_FLIP = {"=": "!=", "in": "not in"}
_BEFORE = 12
"""How many characters before a value's first one can hold the sign and its quote ("not in ( '")."""


def not_equal_before(question: str, start: int) -> bool:
    """Whether the characters right before ``start`` are SQL's "not equal" (``!=``, ``<>``, ``not in (``)."""
    return _NOT_EQUAL.search(question[max(0, start - _BEFORE) : start]) is not None


def sql_negated(question: str, tokens: Sequence[Token], first: int) -> bool:
    """Whether the value whose first word is at ``first`` follows SQL's "not equal" sign (``!= 'web'``): the
    sign stands between the word before and the value (a word, "not in", is read by the exclusion cues).
    """
    if first <= 0 or first >= len(tokens):
        return False
    gap = question[tokens[first - 1].end : tokens[first].start]
    return _NOT_EQUAL.search(gap) is not None


def flipped(question: str, filters: list[Filter], spans: list[Span]) -> tuple[list[Filter], list[str]]:
    """``filters`` with the values typed right after a SQL "not equal" excluded, and the fields flipped: a
    value another reading took as an equality (or membership) is the exclusion the sign says.

    >>> f = Filter("lesson_view__device", "=", ("web",))
    >>> s = Span("web", 45, 48, "lesson_view__device=web")
    >>> flipped("watch_hours group by device where device != 'web' -- sept", [f], [s])[0][0].op
    '!='
    """
    out = list(filters)
    said: list[str] = []
    for s in spans:
        if not not_equal_before(question, s.start):
            continue
        field = re.split(r"=| in | not in ", s.target, maxsplit=1)[0].strip()
        for k, f in enumerate(out):
            if f.metric is None and f.field == field and f.op in _FLIP:
                out[k] = Filter(f.field, _FLIP[f.op], f.values)
                said.append(field)
    return out, said


_COUNT_ROWS = re.compile(r"\bcount\s*\(\s*\*\s*\)\s*(?:from\s+)?$", re.IGNORECASE)


def rows_counted_before(question: str, start: int) -> bool:
    """Whether SQL's ``count(*)`` (``count(*) from``) stands right before ``start``: the rows of the table named
    there are counted, its plain count, never one of the other metrics that share its word.
    """
    return _COUNT_ROWS.search(question[max(0, start - 24) : start]) is not None


def plain_count(model: Model, name: str) -> bool:
    """Whether the metric ``name`` is a simple count of rows with no filter of its own (``count(*)``'s reading)."""
    m = model.metrics.get(name)
    if m is None or m.type != MetricType.SIMPLE or m.filter:
        return False
    measures = [model.measures.get(x) for x in model.measures_of(name)]
    return (
        len(measures) == 1
        and measures[0] is not None
        and measures[0].agg.value in ("count", "count_distinct")
    )


def rows_counted(question: str) -> bool:
    """Whether SQL's ``count(*)`` is typed anywhere in ``question`` (rows counted: "count(*) claims having …")."""
    return re.search(r"\bcount\s*\(\s*\*\s*\)", question, re.IGNORECASE) is not None


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


_SQL_MARKS = re.compile(r"^\s*select\b|\bwhere\b|--|[=()']", re.IGNORECASE)
"""Characters and words only SQL typed into a question has (a sign, a quote, a comment, "select", "where")."""


def positional_group(question: str, tokens: Sequence[Token]) -> list[int]:
    """The words of SQL's ``group by`` that are no concept: the column numbers after it (``group by 1, 2``
    names selected columns, whose words say the breakdown), and "group" itself when the question is typed as
    SQL (``… where brand = 'x' group by month``: no market segment called "group").
    """
    norms = [t.norm for t in tokens]
    sql = _SQL_MARKS.search(question) is not None
    out: list[int] = []
    for k in range(len(norms) - 2):
        if norms[k] == "group" and norms[k + 1] == "by":
            j = k + 2
            while j < len(norms) and norms[j].isdigit() and len(norms[j]) <= 2:
                out.append(j)
                j += 1
            if sql or j > k + 2:
                out.append(k)
    return sorted(out)


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
