"""Ordered values named by their rank ("those on the top two plans", "customers in the bottom tier"): when a
dimension declares the order of its values (``config.meta.value_order``), "top"/"bottom" N after a word of
membership ("on", "in") names its N highest or lowest values, a filter, not a ranking of the groups by the
metric. Without a declared order the ranking stays, below 0.8: the words may name values the catalog
cannot order.
"""

from __future__ import annotations

from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.resolution import Filter
from metricmind.resolve.words import DESC_WORDS
from metricmind.spec.names import METRIC_TIME

MEMBERSHIP = frozenset({"on", "in", "among", "amongst", "within"})
"""Words before a rank that say who belongs ("those on the top two plans")."""
SOURCE = frozenset({"from", "for", "of", "across"})
"""A word before a rank that may name values or rank the groups ("churned MRR from our biggest plan", "MRR for
the top two plans"): unsure."""
MIDDLE = frozenset({"mid", "middle", "midrange", "intermediate", "midsize", "midsized"})
"""Words for the values between the lowest and the highest ("the mid-tier plans", "middle plans")."""
UPWARD = frozenset({"up", "above", "higher", "upward", "upwards", "better", "over"})
"""After "X and"/"X or": X and the values above it in a declared order ("pro and up")."""
DOWNWARD = frozenset({"down", "below", "lower", "downward", "downwards", "under", "cheaper"})
"""After "X and"/"X or": X and the values below it ("growth or lower")."""
RANK_UNSURE = 0.25
"""Confidence lost for a ranking after a word of membership on a dimension with no declared order."""


class _TierReading(_ReadingBase):
    """The pass that reads a rank after "on"/"in" as the dimension's highest or lowest values."""

    def value_order(self, dim: str) -> tuple[str, ...]:
        """The values of ``dim`` from low to high, when its definition declares their order."""
        info = self.lex.dims.get(dim)
        if info is None or not info.values:
            return ()
        sm = self.r.model.semantic_models.get(info.model)
        own = dim.split("__")[-1]
        for d in sm.dimensions if sm is not None else ():
            if d.name == own and isinstance(d.meta.get("value_order"), dict):
                return info.values
        return ()

    def read_ranked_tiers(self) -> None:
        res, i = self.res, self.order_word
        if i is None or res.limit is None or not res.order_by:
            return
        j = self.prev_word(i)
        if j < 0 or self.tokens[j].norm not in MEMBERSHIP | SOURCE:
            return
        after = self.tokens[i].end
        spans = [
            s
            for s in res.spans.get("group_by", [])
            if s.start >= after and not s.target.startswith(METRIC_TIME)
        ]
        dims = [n for n, _ in res.group_by if n != METRIC_TIME]
        if len(spans) != 1 or len(dims) != 1:
            return
        k = self.token_at.get(spans[0].start)
        while k is not None and k < len(self.tokens) and self.tokens[k].end <= spans[0].end:
            k += 1
        if k is not None and k < len(self.tokens) and self.tokens[k].norm == "by":
            return  # "the top two plans by MRR": a ranking said outright
        values = self.value_order(dims[0])
        n = res.limit
        if not values or n >= len(values) or self.tokens[j].norm in SOURCE:
            res.confidence -= RANK_UNSURE
            res.notes.append(
                f"'{self.tokens[i].text}' after '{self.tokens[j].text}' may name values, not a ranking"
            )
            return
        members = values[-n:] if self.tokens[i].norm in DESC_WORDS else values[:n]
        res.group_by = [(name, grain) for name, grain in res.group_by if name != dims[0]]
        res.spans["group_by"] = [s for s in res.spans.get("group_by", []) if s is not spans[0]]
        res.limit, res.order_by = None, []
        res.spans.pop("limit", None)
        res.spans.pop("order_by", None)
        res.filters.append(Filter(dims[0], "in" if n > 1 else "=", tuple(members)))
        self.span_chars(
            "filters", self.tokens[i].start, spans[0].end, f"{dims[0]} in {', '.join(members)}", "rank"
        )

    def read_middle_tiers(self) -> None:
        """The values between a declared order's lowest and highest ("the mid-tier plans", "our middle
        plans", on a dimension that orders three or more): a filter, not a breakdown.
        """
        res = self.res
        for span in list(res.spans.get("group_by", [])):
            k = self.token_at.get(span.start)
            dim = span.target
            if k is None or k < 1 or dim.startswith(METRIC_TIME):
                continue
            j = k - 1
            if self.tokens[j].norm not in MIDDLE:
                continue
            values = self.value_order(dim)
            if len(values) < 3:
                continue
            members = values[1:-1]
            self.claim(j, j + 1)
            res.group_by = [(n, g) for n, g in res.group_by if n != dim]
            res.spans["group_by"] = [x for x in res.spans["group_by"] if x is not span]
            res.filters.append(Filter(dim, "in" if len(members) > 1 else "=", tuple(members)))
            self.span_chars(
                "filters", self.tokens[j].start, span.end, f"{dim} in {', '.join(members)}", "rank"
            )

    def read_and_up(self) -> None:
        """A value of a declared order followed by "and up" / "or higher" ("pro and up", "growth or above"):
        that value and every one above it, a filter "in"; "and below" / "or lower" the ones below it.
        """
        res = self.res
        for f in list(res.filters):
            order = (
                self.value_order(f.field) if f.metric is None and f.op == "=" and len(f.values) == 1 else ()
            )
            if f.values[0] not in order:
                continue
            target = f"{f.field}={f.values[0]}"
            span = next((s for s in res.spans.get("filters", []) if s.target == target), None)
            k = None if span is None else max(t.index for t in self.tokens if t.start < span.end)
            if k is None or k + 2 >= len(self.tokens):
                continue
            link, side = self.tokens[k + 1].norm, self.tokens[k + 2].norm
            if link not in ("and", "or") or side not in UPWARD | DOWNWARD or self.used[k + 2]:
                continue
            at = order.index(f.values[0])
            members = order[at:] if side in UPWARD else order[: at + 1]
            self.claim(k + 1, k + 3)
            res.filters = [x for x in res.filters if x is not f]
            res.filters.append(Filter(f.field, "in" if len(members) > 1 else "=", tuple(members)))
            assert span is not None
            self.span_chars(
                "filters", span.start, self.tokens[k + 2].end, f"{f.field} in {', '.join(members)}", "rank"
            )
