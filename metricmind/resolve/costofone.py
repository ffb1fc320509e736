"""What it cost to get one of a count ("what did it cost us to win one customer", "how much did we spend to
land each new logo"): the catalog's ratio of an amount over that count, as "cost per customer won" would be.

The count is the metric read; the ratio is the one metric whose denominator is that count (unfiltered) and
whose numerator is an amount (``unit: currency``, or a currency's code), when exactly one is. The amount's verb comes first, then
"to", a verb and "one"/"a"/"each"; every word read as the count comes after the "to".
"""

from __future__ import annotations

from metricmind.resolve.shares import _ShareReading

AMOUNT_VERBS = frozenset({"cost", "costs", "costing", "spend", "spent", "spending"})
"""Words that ask what was paid out (the numerator an amount)."""
ONE_WORDS = frozenset({"one", "a", "an", "each", "every", "single", "1"})
"""Words that make the count a unit ("to win one customer": per customer)."""


def is_amount(unit: str) -> bool:
    """Whether a metric's unit is money: ``currency`` or a currency's code (``EUR``)."""
    return unit.lower() == "currency" or (len(unit) == 3 and unit.isalpha() and unit.isupper())


class _CostOfOneReading(_ShareReading):
    """The cost-of-one pass (after the share pass)."""

    def cost_of_one_at(self) -> int | None:
        """The amount verb of "cost us to <verb> one <count>" (every word of the count after the "to")."""
        spans = self.res.spans.get("metrics", [])
        if not spans:
            return None
        start = min(s.start for s in spans)
        for t in self.tokens:
            if t.norm not in AMOUNT_VERBS or self.used[t.index]:
                continue
            after = self.tokens[t.index + 1 : t.index + 8]
            to = next((u.index for u in after if u.norm == "to"), None)
            if to is None:
                continue
            ones = [u for u in self.tokens[to + 2 : to + 4] if u.norm in ONE_WORDS]
            if ones and self.tokens[to].start < start:  # (the count's words after "to": its verb may be one)
                return t.index
        return None

    def read_cost_of_one(self) -> None:
        res = self.res
        if len(res.metrics) != 1:
            return
        k = self.cost_of_one_at()
        if k is None:
            return
        part = res.metrics[0]
        model = self.r.model
        ratios = [
            name
            for name, m in model.metrics.items()
            if m.denominator is not None
            and m.denominator.name == part
            and not m.denominator.filter
            and m.numerator is not None
            and m.numerator.name in model.metrics
            and is_amount(str(model.metrics[m.numerator.name].meta.get("unit") or ""))
            and str(m.meta.get("status") or "") != "deprecated"
        ]
        if len(ratios) != 1:
            return
        self.share_read_as(
            ratios[0], part, k
        )  # (as a share is read: the ratio over the count, a little unsure)
