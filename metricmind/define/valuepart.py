"""A ratio's numerator said by values alone ("Wire transfers as a % of invoiced amount", "Android as a share
of all events"): the denominator's own rows kept to those values. The numerator names no measure, no column
and no entity; every word of it is a value (or a value's alias) of the catalog's dimensions, so the part is
the denominator's wording with the numerator's words as its qualifier (read as a filter by ``build_part``,
which refuses what the denominator's rows do not reach). Pure and deterministic.
"""

from __future__ import annotations

from metricmind.define.words import GLUE, lexicon, stems
from metricmind.spec.model import Model

#: The longest value phrase looked up (words).
_LONGEST = 3


def values_only(model: Model, text: str) -> bool:
    """Every word of ``text`` but glue is inside a phrase the catalog knows as a value or a value's alias,
    and none names anything else too ("events" is a marketing channel's value and the product's events).
    """
    words = stems(text.lower().replace("-", " ").replace("_", " "))
    lx = lexicon(model)
    covered = [w in GLUE for w in words]
    if all(covered):
        return False
    for i, w in enumerate(words):  # "events", "refunds": a value that also names a metric or a thing
        if not covered[i] and any(e.kind != "value" for e in lx.lookup((w,))):
            return False
    for size in range(_LONGEST, 0, -1):
        for i in range(len(words) - size + 1):
            if all(covered[i : i + size]):
                continue
            if any(e.kind == "value" for e in lx.lookup(tuple(words[i : i + size]))):
                covered[i : i + size] = [True] * size
    return all(covered)
