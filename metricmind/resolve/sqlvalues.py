"""SQL's equality and membership typed into a question: ``where brand = 'select'``, ``channel in ('chat',
'social')``. The column names a categorical dimension (its own name, or the last words of it: "channel" for
``contact_channel``) and each quoted item one of its values: the value itself in any case, else the one value
holding the item as a word or beginning with it ("select" → ``Harbor Select``, "social" → ``social_media``).
Read from the characters, as the words drop the quotes and brackets: every item of the list is kept, none is
read as a word of some other concept. Only a predicate whose column and items fit exactly one dimension is read;
``!=`` and ``not in`` are left to ``sqlops.flipped`` and the exclusion cues.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from metricmind.resolve.phraseindex import DimInfo
from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.resolution import Filter
from metricmind.spec.names import SEP

_PREDICATE = re.compile(
    r"\b(?P<col>[a-z_][\w.]*)\s*(?:==?\s*(?P<one>'[^']*'|\"[^\"]*\")|\bin\s*\((?P<many>[^)]*)\))",
    re.IGNORECASE,
)
_ITEM = re.compile(r"'([^']*)'|\"([^\"]*)\"")
_WORDS = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class SqlValues:
    """One predicate read: the dimension, its values, and the characters it spans."""

    field: str
    values: tuple[str, ...]
    start: int
    end: int


def _words(text: str) -> list[str]:
    return [w for w in _WORDS.split(text.lower()) if w]


def value_of(item: str, values: tuple[str, ...]) -> str | None:
    """The one value of ``values`` the quoted ``item`` names: itself in any case, else the one holding its
    words in a run or beginning with it (three characters or more).
    """
    said = _words(item)
    if not said:
        return None
    exact = [v for v in values if _words(v) == said]
    if len(exact) == 1:
        return exact[0]
    n = len(said)
    held = [v for v in values if any(_words(v)[i : i + n] == said for i in range(len(_words(v))))]
    if len(held) == 1:
        return held[0]
    joined = "".join(said)
    begun = [v for v in values if len(joined) >= 3 and "".join(_words(v)).startswith(joined)]
    return begun[0] if len(begun) == 1 else None


def column_dims(column: str, dims: dict[str, DimInfo]) -> list[DimInfo]:
    """The dimensions a SQL column names: by their own name, else by its last words (``channel`` for
    ``contact_channel``).
    """
    col = column.rsplit(".", 1)[-1].lower()
    own = [d for d in dims.values() if d.name.split(SEP)[-1] == col]
    return own or [d for d in dims.values() if d.name.split(SEP)[-1].endswith("_" + col)]


def sql_values(question: str, dims: dict[str, DimInfo]) -> list[SqlValues]:
    """Every ``column = 'v'`` and ``column in ('a', 'b')`` of ``question`` that fits exactly one dimension."""
    out: list[SqlValues] = []
    for m in _PREDICATE.finditer(question):
        raw = m.group("one") or m.group("many") or ""
        items = [a or b for a, b in _ITEM.findall(raw)]
        if not items:
            continue
        fits: list[tuple[str, tuple[str, ...]]] = []
        for d in column_dims(m.group("col"), dims):
            found = [value_of(i, d.values) for i in items]
            if all(found):
                fits.append((d.name, tuple(dict.fromkeys(v for v in found if v))))
        if len(fits) == 1:
            out.append(SqlValues(fits[0][0], fits[0][1], m.start(), m.end()))
    return out


class _SqlValueReading(_ReadingBase):
    """Reads SQL's ``column = 'v'`` and ``column in (…)`` on a categorical dimension."""

    def claim_sql_values(self) -> None:
        """Find each predicate (``sql_values``) and claim its words, so no item is read as another concept."""
        found = sql_values(self.res.question, self.lex.dims)
        for p in found:
            ks = [t.index for t in self.tokens if p.start <= t.start < p.end]
            if ks:
                self.claim(ks[0], ks[-1] + 1)
        self.sql_values = found

    def read_sql_values(self) -> None:
        """The filters of the predicates claimed; refused when a metric does not reach the dimension."""
        res = self.res
        for p in getattr(self, "sql_values", ()):
            if not res.metrics or not res.answerable:
                continue
            lost = [m for m in res.metrics if not self.r.reachable(m, p.field)]
            if lost:
                # "orders where seller_country = 'DE'" of orders that reach no one seller: the condition
                # typed cannot be applied, and no other column of that name can stand in for it
                res.refuse(f"{', '.join(lost)} cannot be filtered by {p.field}", [])
                return
            op = "in" if len(p.values) > 1 else "="
            res.filters = [f for f in res.filters if f.field != p.field or f.metric is not None]
            res.filters.append(Filter(p.field, op, p.values))
            res.spans["filters"] = [
                s for s in res.spans.get("filters", []) if not s.target.startswith(p.field + "=")
            ]
            ks = [t.index for t in self.tokens if p.start <= t.start < p.end]
            self.span("filters", ks[0], ks[-1] + 1, f"{p.field}={','.join(p.values)}", "sql")
