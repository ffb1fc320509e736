"""A kind of thing listed with a value it belongs to: "hospitals and clinics", "schools & colleges".

People name a group by two or three of its kinds: "churned mrr from hospitals & clinics" means the Healthcare
industry, though only "hospitals" is a catalog alias of it. A word the catalog does not know, listed with a
value it does ("X and Y"), used to refuse the question ("'clinics' is not a known value"), which is right
for "the UK and Ireland" (a second value the data lacks) and wrong for a second kind of the same value.

``same_kind`` tells them apart by meaning, with the offline embedding model (``metricmind.embedding``): the
word is read as the value it is listed with only when

- it is a common noun in the plural ("clinics", "banks", "stores"; never a name such as "Ireland"), and
- of all the dimension's values (each with its catalog aliases), the one it is listed with is the nearest,
  at cosine ``FLOOR`` or more and ``MARGIN`` ahead of the next value.

Without the embeddings extra (or with ``$METRICMIND_RESOLVE_MEANING=off``) nothing is read so: the question is
refused as before. The values' vectors are computed once per list of values and kept (``valuevectors``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.valuevectors import named, similarities, value_text

FLOOR = 0.4
"""The least cosine between the word and the value it is listed with."""
MARGIN = 0.12
"""How far the value it is listed with must lead the dimension's next value."""

KIND_PENALTY = 0.1
"""What reading a word as a kind of the value it is listed with costs (an unexplained word costs 0.25)."""


def same_kind(
    word: str,
    plural: bool,
    value: str,
    values: Sequence[str],
    aliases: dict[str, Sequence[str]],
) -> bool:
    """Whether the unknown ``word`` listed with ``value`` is another kind of that value (see the module)."""
    if not plural or value not in values or len(values) < 2:
        return False
    scores = similarities([value_text(v, aliases.get(v, ())) for v in values], word)
    if scores is None:
        return False
    order = np.argsort(-scores)
    best, second = int(order[0]), float(scores[order[1]])
    return values[best] == value and float(scores[best]) >= FLOOR and float(scores[best]) - second >= MARGIN


class _KindReading(_ReadingBase):
    """The leftover pass's reading of a kind listed with a value."""

    def kind_of_value(self, i: int, k: int) -> bool:
        """Whether the unknown plural noun at ``i``, listed with the value read at ``k``, is another kind of
        that value by meaning (``kindvalues``): then it is read with it, at a cost, and named in the notes.
        """
        t, at = self.tokens[i], self.tokens[k].start
        span = next((s for s in self.res.spans.get("filters", []) if s.start <= at < s.end), None)
        if span is None or "=" not in span.target:
            return False
        field, value = span.target.split("=", 1)
        info = self.lex.dims.get(field.rstrip("!"))
        plural = t.norm != self.stems[i] and t.norm.endswith("s") and not named(t.text)
        if info is None or not same_kind(t.norm, plural, value, info.values, dict(info.aliases)):
            return False
        self.used[i] = True
        self.res.confidence -= KIND_PENALTY
        self.res.notes.append(f"read '{t.text}' as {value} by meaning, listed with it")
        return True
