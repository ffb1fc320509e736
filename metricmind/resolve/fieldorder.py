"""Rows sorted by a breakdown's own values: "by term, longest term first", "by tenure, newest cohort first".

A superlative, a noun and "first" say how the rows go; when the noun is the dimension the question groups by
(read from the project's own dimension names, as any breakdown is), the sort is on that dimension's values,
not on the metric.
"""

from __future__ import annotations

from metricmind.resolve.lexicon import DimInfo
from metricmind.resolve.resolution import Resolution
from metricmind.resolve.text import Token

DESC_SUPERLATIVES = frozenset("longest biggest largest highest greatest most newest latest top".split())
"""Superlatives that put the largest (or latest) value first, the language's and no catalog's."""
ASC_SUPERLATIVES = frozenset("shortest smallest lowest least fewest earliest oldest".split())
FIRST = frozenset({"first", "1st"})


def ordered_noun(tokens: list[Token], used: list[bool]) -> tuple[int, int, bool] | None:
    """(the superlative's position, the noun's, descending) of "<superlative> <noun> first"; None if absent."""
    for i in range(len(tokens) - 2):
        w = tokens[i].norm
        if used[i] or w not in DESC_SUPERLATIVES | ASC_SUPERLATIVES:
            continue
        # the noun may be two words ("biggest vehicle type first"): its last word names the dimension
        last = next((k for k in (i + 2, i + 3) if k < len(tokens) and tokens[k].norm in FIRST), None)
        if last is not None:
            return i, last - 1, w in DESC_SUPERLATIVES
    return None


def grouped_field(res: Resolution, tokens: list[Token], noun: int) -> str | None:
    """The dimension grouped by whose words hold the noun at ``noun`` ("term": ``loan__term_months``)."""
    grouped = {name for name, _grain in res.group_by}
    stem = tokens[noun].stem
    for s in res.spans.get("group_by", []):
        field = s.target.split("=", 1)[0]
        if field not in grouped:
            continue
        words = {t.stem for t in tokens if s.start <= t.start < s.end}
        if stem in words:
            return field
    return None


def numeric_values(info: DimInfo | None) -> bool:
    """Whether a dimension's known values are all numbers (a term in months sorts by its values; priority
    names do not: "high" < "low" < "urgent" is no order of urgency).
    """
    if info is None or not info.values:
        return False
    try:
        [float(v) for v in info.values]
    except ValueError:
        return False
    return True
