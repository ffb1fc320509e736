"""The kinds of a word nothing read, told by its place: in a value's place ("revenue from martians"), what
"how many" counts, a superlative ranking by a measure the catalog lacks, or a relative clause restating the
metric's description. Predicates of the leftover pass (``leftovers``).
"""

from __future__ import annotations

from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.thresholds import verbish

RELATIVE = frozenset({"that", "who", "which", "whose"})
"""Words that open a relative clause."""
PRESENTATION = frozenset(
    "detail details context commentary notes note explanation chart charts graph graphs trend trends "
    "percentages percentage percents labels decimals".split()
)
"""Words after "with" that say how to show the answer ("events with details"), not who or what it is of."""
QUALIFYING = frozenset({"from", "with", "among", "amongst"})
"""Prepositions whose noun restricts the metric ("revenue from …", "customers with …")."""
IN_SAYS_HOW = frozenset(
    "total totals aggregate sum summary short brief general particular full detail details words numbers "
    "figures terms order form table tables list chart charts graph percent percentage percentages points "
    "dollars dollar usd eur euro euros gbp pounds pound sterling cents cent yen currency thousands millions "
    "billions units absolute relative real nominal local practice fact reality theory".split()
)
"""Words after "in" that say how the answer is given or framed ("in total", "in dollars", "in short"), not
where or whom it is of."""
NOT_SUPERLATIVE = frozenset({"latest", "interest", "request", "contest", "forest", "honest", "modest"})
"""Words ending in -est that rank nothing."""


class _LeftoverKinds(_ReadingBase):
    """Where an unread word stands, and what that makes of it."""

    def qualifying_unknown(self, i: int) -> bool:
        """Whether the unknown word at ``i`` is the first content word after "from" or "with" (or "for" with
        an entity's noun after it; past "the"/"our"/adjectives nothing read) and not a verb: what the metric
        is restricted to.
        """
        t = self.tokens[i]
        if verbish(t.norm) or len(t.norm) < 3 or not t.norm.isalpha() or t.norm in PRESENTATION:
            return False
        nxt = self.tokens[i + 1] if i + 1 < len(self.tokens) else None
        timed = nxt is not None and any(
            s.start <= nxt.start < s.end
            for part in ("time_range", "comparison")
            for s in self.res.spans.get(part, [])
        )
        if nxt is not None and self.used[i + 1] and not timed:
            return False  # an adjective before words read ("from the big enterprise accounts")
        j = i - 1
        while j >= 0 and not self.used[j] and self.tokens[j].norm in ("the", "our", "a", "an", "any", "all"):
            j -= 1
        if j < 0 or self.used[j]:
            return False
        # "for" restricts only when whom follows ("take rate for premium sellers"), never a purpose ("for
        # the board meeting")
        whom = nxt is not None and (
            nxt.stem in self.r.entities.nouns or nxt.stem in self.r.entities.party_words
        )
        # "in" restricts when a place or group follows ("mrr in bavaria"), never a unit or a frame ("in euros")
        placed = self.tokens[j].norm == "in" and t.norm not in IN_SAYS_HOW
        return self.tokens[j].norm in QUALIFYING or placed or (self.tokens[j].norm == "for" and whom)

    def counted_unknown(self, i: int) -> bool:
        """Whether the unknown word at ``i`` is what "how many" counts ("how many dutch shops"), with only
        values or list words between.
        """
        t = self.tokens[i]
        if t.norm in ("times", "more", "less", "fewer") or t.norm == t.stem:
            return False  # (a plural noun: "how many free trials" has an adjective, not a thing counted)
        j = i - 1
        while (
            j >= 1
            and self.tokens[j].norm != "many"
            and (self.used[j] or self.tokens[j].norm in ("and", "or"))
        ):
            j -= 1
        return j >= 1 and self.tokens[j].norm == "many" and self.tokens[j - 1].norm == "how"

    def superlative(self, i: int) -> bool:
        """Whether the unread word at ``i`` is a superlative after "the" ("the tallest"): a ranking."""
        w = self.tokens[i].norm
        return (
            i > 0
            and self.tokens[i - 1].norm in ("the", "most")
            and len(w) > 5
            and w.endswith("est")
            and w not in NOT_SUPERLATIVE
        )

    def paraphrased(self, i: int) -> bool:
        """Whether the word at ``i`` is in a relative clause ("that turned into paying deals", "who moved
        off the product") in which the one metric read was read from its own description: the clause
        restates the metric's definition in other words, so its other words cost less than unexplained ones.
        """
        res = self.res
        if len(res.metrics) != 1:
            return False
        described = {
            k
            for s in res.spans.get("metrics", [])
            if s.how == "description" and s.target == res.metrics[0]
            for k in [self.token_at.get(s.start)]
            if k is not None
        }
        j = i - 1
        while j >= 0 and (not self.used[j] or j in described) and self.tokens[j].norm not in RELATIVE:
            j -= 1
        if j < 0 or self.tokens[j].norm not in RELATIVE or self.used[j] and j not in described:
            return False
        k = j + 1
        while k < len(self.tokens) and (not self.used[k] or k in described):
            k += 1
        return any(j < d < k for d in described)
