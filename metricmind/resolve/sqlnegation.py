"""SQL's "not equal" typed into a question: "where device != 'web'", "vehicle_type <> 'diesel_van'".

The tokenizer keeps words, not operators, so "device != 'web'" reads as the value web: the rows of web only,
the opposite of what was asked. ``flipped`` turns an equality (or membership) read from a value typed right
after "!=" or "<>" (or SQL's "not in (…)") into the exclusion it says. Closed-class SQL, no catalog's words.
"""

from __future__ import annotations

import re

from metricmind.resolve.resolution import Filter, Span

_NOT_EQUAL = re.compile(r"(?:!=|<>|\bnot\s+in\b)\s*\(?\s*['\"]?\s*$", re.IGNORECASE)
_FLIP = {"=": "!=", "in": "not in"}


def flipped(question: str, filters: list[Filter], spans: list[Span]) -> tuple[list[Filter], list[str]]:
    """``filters`` with the values typed right after a SQL "not equal" excluded, and the fields flipped.

    >>> f = Filter("lesson_view__device", "=", ("web",))
    >>> s = Span("web", 45, 48, "lesson_view__device=web")
    >>> flipped("watch_hours group by device where device != 'web' -- sept", [f], [s])[0][0].op
    '!='
    """
    out = list(filters)
    said: list[str] = []
    for s in spans:
        if not _NOT_EQUAL.search(question[max(0, s.start - 12) : s.start]):
            continue
        field = re.split(r"=| in | not in ", s.target, maxsplit=1)[0].strip()
        for k, f in enumerate(out):
            if f.metric is None and f.field == field and f.op in _FLIP:
                out[k] = Filter(f.field, _FLIP[f.op], f.values)
                said.append(field)
    return out, said
