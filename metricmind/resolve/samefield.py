"""Several values of one dimension read by different passes, joined as a person means them.

A value can be read by the catalog's phrases, by a demonym ("japanese"), by a loose name or by a typo
("singaporean"); each pass adds its own filter, so "the japanese and singaporean accounts" could become
``country = Japan AND country = Singapore``, which no row satisfies. Two equalities on one dimension are
one membership (``country in (Japan, Singapore)``), and two exclusions one exclusion of both
(``!=`` twice is ``not in``: the same rows). An inclusion and an exclusion of some of its values are the
rest of it ("phones except iPhones": ``platform in (ios, android) AND platform != ios`` is
``platform = android``). Metric thresholds and other operators are left as they are.
"""

from __future__ import annotations

from metricmind.resolve.resolution import Filter

_JOINED = {"=": "in", "in": "in", "!=": "not in", "not in": "not in"}


def join_same_field(filters: list[Filter]) -> list[Filter]:
    """``filters`` with the equalities (or exclusions) of each dimension joined, in first-seen order."""
    out: list[Filter] = []
    seen: dict[tuple[str, str], int] = {}
    for f in filters:
        kind = _JOINED.get(f.op)
        key = (f.field, kind or "")
        if f.metric is not None or kind is None or key not in seen:
            if f.metric is None and kind is not None:
                seen[key] = len(out)
            out.append(f)
            continue
        first = out[seen[key]]
        values = tuple(dict.fromkeys([*first.values, *f.values]))
        out[seen[key]] = Filter(f.field, kind if len(values) > 1 else first.op, values)
    return _subtract(out, seen)


def _subtract(filters: list[Filter], seen: dict[tuple[str, str], int]) -> list[Filter]:
    """An inclusion with an exclusion of the same dimension as the inclusion's remaining values."""
    drop: set[int] = set()
    for (field, kind), at in seen.items():
        other = seen.get((field, "not in"))
        if kind != "in" or other is None:
            continue
        rest = tuple(v for v in filters[at].values if v not in filters[other].values)
        if not rest or not set(filters[other].values) <= set(filters[at].values):
            continue  # (an exclusion of values never included, or of all of them, is left for the reader)
        filters[at] = Filter(field, "=" if len(rest) == 1 else "in", rest)
        drop.add(other)
    return [f for k, f in enumerate(filters) if k not in drop]
