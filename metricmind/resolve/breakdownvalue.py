"""A value said after "by" with a noun the catalog lacks: "bookings by card brand" is a breakdown, not cards.

After "by", "per" or "each" a question asks for a breakdown. A value read there followed by a noun no
catalog phrase knows ("card" of the payment method, then "brand") names an attribute of that value the
catalog does not hold: answering the card payments alone, the noun ignored, is a silently wrong number.
``value_then_unknown`` refuses it as a breakdown the catalog lacks, with the dimensions it can answer.
"""

from __future__ import annotations

from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.text import FILLERS
from metricmind.resolve.words import GRAMMAR

BREAKDOWN_WORDS = frozenset({"by", "per", "each", "every"})
"""Words after which a value with a noun the catalog lacks names a breakdown ("by card brand")."""


class _BreakdownValueReading(_ReadingBase):
    """The pass over values read in a breakdown's place."""

    def value_then_unknown(self) -> None:
        """Refuse a value read right after a breakdown word when an unknown noun follows it (see the module)."""
        res = self.res
        if not res.answerable:
            return
        for s in res.spans.get("filters", []):
            first = next((t.index for t in self.tokens if t.start == s.start), None)
            last = next((t.index + 1 for t in self.tokens if t.end == s.end), None)
            if first is None or last is None or last >= len(self.tokens) or first == 0:
                continue
            if self.tokens[self.prev_word(first)].norm not in BREAKDOWN_WORDS:
                continue  # ("churned customers among large businesses": who, not a breakdown)
            t = self.tokens[last]
            if self.used[last] or not t.norm.isalpha() or len(t.norm) < 3:
                continue
            if t.norm in FILLERS or t.stem in GRAMMAR or t.norm in GRAMMAR or self.lex.lookup((t.stem,)):
                continue  # (a word the catalog names alone is read by the other passes)
            gap = res.question[self.tokens[last - 1].end : t.start]
            if gap.strip():
                continue  # ("by card, brand new …": the value ends its clause)
            words = f"{s.text} {t.text}"
            res.refuse(
                f"no dimension called '{words}' is known for {', '.join(res.metrics)}",
                self.dims_for_metrics(t.text),
            )
            return
