"""A yes/no column compared in SQL: ``where is_on_time = false``, ``is_weekend_night = true``, ``is_deleted != 1``.

The column is named as the catalog names its dimension (the identifier with its underscores, the words of it
joined by ``_`` in the question), the value is ``true``/``false`` (or ``1``/``0``, ``yes``/``no``) after ``=``,
``==``, ``!=``, ``<>`` or ``is [not]``: compared so, the column holds yes or no. It is read as a filter on that
dimension when exactly one categorical dimension of the catalog that the metrics reach has the name. The words are claimed first (so that "on time" is
not read again as some other value), the filter is set once the metrics are known.
"""

from __future__ import annotations

import re

from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.resolution import Filter
from metricmind.spec.names import SEP

_TRUE = frozenset({"true", "yes", "1", "t", "y"})
_FALSE = frozenset({"false", "no", "0", "f", "n"})
_EQUAL = re.compile(r"^\s*(?P<op>==?|!=|<>)\s*['\"]?\s*$")


class _SqlFlagReading(_ReadingBase):
    """Reads ``column = true|false`` on a yes/no dimension."""

    def claim_sql_flags(self) -> None:
        """Find each ``column = true|false`` whose column names a yes/no dimension; claim its words."""
        toks, q = self.tokens, self.res.question
        found: list[tuple[int, int, str, bool]] = []
        for k in range(1, len(toks)):
            value = toks[k].norm
            if value not in _TRUE | _FALSE or q[toks[k].end : toks[k].end + 1] in ("_", "-"):
                continue  # ("weight_band != '0-2kg'", "charge_type != 'no_show_fee'": a value beginning so)
            gap = q[toks[k - 1].end : toks[k].start]
            sign = _EQUAL.match(gap)
            j, negate = k - 1, False
            if (
                sign is None
                and toks[k - 1].norm in ("is", "not")
                and q[toks[k - 2].end : toks[k - 1].start] != "_"
            ):
                # "is_on_time is false", "is_deleted is not true"
                negate = toks[k - 1].norm == "not"
                j = k - 2 if not negate else k - 3
                if j < 0 or (negate and toks[k - 2].norm != "is"):
                    continue
            elif sign is None:
                continue
            else:
                negate = sign.group("op") in ("!=", "<>")
            first = j
            while first > 0 and q[toks[first - 1].end : toks[first].start] == "_":
                first -= 1
            column = q[toks[first].start : toks[j].end].lower()
            if not self.columns_named(column):
                continue
            found.append((first, k + 1, column, (value in _TRUE) != negate))
            self.claim(first, k + 1)
        self.sql_flags = found

    def columns_named(self, column: str) -> list[str]:
        """The catalog's categorical dimensions named ``column`` (``primary__column`` for each model)."""
        return [
            f"{sm.primary}{SEP}{d.name}"
            for sm in self.r.model.semantic_models.values()
            if sm.primary
            for d in sm.dimensions
            if d.type == "categorical" and d.name == column
        ]

    def read_sql_flags(self) -> None:
        """The filters of the flags claimed, on the one dimension of that name every metric reaches."""
        res = self.res
        for first, last, column, yes in getattr(self, "sql_flags", ()):
            names = [
                n for n in self.columns_named(column) if all(self.r.reachable(m, n) for m in res.metrics)
            ]
            if len(names) != 1:
                continue
            value = "true" if yes else "false"
            res.filters = [f for f in res.filters if f.field != names[0]]
            res.filters.append(Filter(names[0], "=", (value,)))
            self.span("filters", first, last, f"{names[0]}={value}", "sql")
