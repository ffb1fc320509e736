"""An order said as a span of sizes: "high to low", "low to high", "big to small", "from smallest to largest".

The words "high" and "low" are also values of many catalogs (a ticket's priority), and "big" or "small" a
segment's: in "csat by priority, low to high" they are the direction of the rows, not a filter. The span is
claimed before any catalog phrase is read and handed to the order pass as the direction of a sort (no limit).
Language only: no project's words.
"""

from __future__ import annotations

from collections.abc import Sequence

from metricmind.resolve.text import Token

HIGH = frozenset(
    {"high", "higher", "highest", "big", "bigger", "biggest", "large", "larger", "largest", "most"}
)
"""Words for the top of a span of sizes."""
LOW = frozenset({"low", "lower", "lowest", "small", "smaller", "smallest", "least", "fewest"})
"""Words for its bottom."""


def ranged_order(tokens: Sequence[Token]) -> tuple[int, int, bool] | None:
    """``high to low`` (descending: True) or ``low to high`` (False): the first word (after a "from"), one
    past the last, and the direction; None when the question says no such span.
    """
    norms = [t.norm for t in tokens]
    for k in range(len(norms) - 2):
        a, to, b = norms[k : k + 3]
        if to != "to" or not ((a in HIGH and b in LOW) or (a in LOW and b in HIGH)):
            continue
        first = k - 1 if k > 0 and norms[k - 1] == "from" else k
        return first, k + 3, a in HIGH
    return None
