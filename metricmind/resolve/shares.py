"""A share said of a count ("what fraction of our customers did we lose", "the proportion of accounts that
churned"): the catalog's ratio metric whose numerator is the metric read, when exactly one has it.
"""

from __future__ import annotations

from metricmind.resolve.conversionshare import conversion_share, said_events
from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.resolution import Span
from metricmind.resolve.text import stem
from metricmind.spec.model import MetricType

SHARE_WORDS = frozenset({"fraction", "share", "proportion", "percentage", "percent", "pct", "rate", "ratio"})
"""Words that ask for a part of a whole rather than the part's size."""
PERCENT_OF_COUNT_PENALTY = 0.3
"""A count answered to "% of …": the catalog has no share of it, so the answer is at best half of what was asked."""
SHARE_PENALTY = 0.1
"""A ratio read from its numerator and a word of share: sure, not certain (the whole is implied)."""


def same_head(part: str, whole: str) -> bool:
    """Whether two metric names end in the same noun (churned customers over active customers at start:
    a share of customers; MRR over active customers, ARPA, is an amount per customer, no share).
    """
    head = stem(part.rsplit("_", 1)[-1])  # ("solved_tickets" over "ticket_volume": a share of tickets)
    return head == stem(whole.rsplit("_", 1)[-1]) or head in {stem(w) for w in whole.split("_")}


class _ShareReading(_ReadingBase):
    """The share pass (after the metric and ratio passes)."""

    def percent_of(self, k: int) -> bool:
        """Whether the word at ``k`` is the "of" of a bare "% of" (no number before the sign)."""
        if self.tokens[k].norm != "of" or self.used[k]:
            return False
        before = self.res.question[: self.tokens[k].start].rstrip()
        return before.endswith("%") and not before[:-1].rstrip()[-1:].isdigit()

    def read_share(self) -> None:
        res = self.res
        share = [t.index for t in self.tokens if t.norm in SHARE_WORDS and not self.used[t.index]]
        share += [t.index for t in self.tokens if self.percent_of(t.index)]  # "% of tickets resolved"
        if share and self.conversion_said(min(share)):
            return
        if len(res.metrics) == 1 and not share and self.percent_sign_after(res.metrics[0]):
            self.percent_sign_read(res.metrics[0])
            return
        if len(res.metrics) != 1 or not share:
            return
        part = res.metrics[0]
        if self.said_after_per(part):
            # "avg rate we got per room sold": the count is what the rate is per, the ratio's denominator
            ratios = [
                name
                for name, m in self.r.model.metrics.items()
                if m.denominator is not None
                and m.denominator.name == part
                and not m.denominator.filter
                and str(m.meta.get("status") or "") != "deprecated"
            ]
            if len(ratios) == 1:
                self.share_read_as(ratios[0], part, share[0])
            return
        ratios = [
            name
            for name, m in self.r.model.metrics.items()
            if m.numerator is not None
            and m.numerator.name == part
            and not m.numerator.filter
            and m.denominator is not None
            and same_head(m.numerator.name, m.denominator.name)
            and str(m.meta.get("status") or "") != "deprecated"
        ]
        if len(ratios) != 1:
            m = self.r.model.metrics.get(part)
            percent = [k for k in share if self.tokens[k].norm == "of"]
            if percent and m is not None and m.type in (MetricType.SIMPLE, MetricType.CUMULATIVE):
                # "% of parcels returned to sender": a share of a count the catalog has no ratio for; the count
                # is answered, unsure (refusing it cost a right reading on a project nobody tuned on)
                res.confidence -= PERCENT_OF_COUNT_PENALTY
                res.notes.append(
                    f"'% of' asks for a share; {part} is a count, and no share of it is in the catalog"
                )
            return
        self.share_read_as(ratios[0], part, share[0])

    def percent_sign_after(self, part: str) -> bool:
        """Whether a bare "%" follows the words read as the count ``part`` ("quiz pass % on …")."""
        q = self.res.question
        return any(
            s.target == part and q[s.end :].lstrip().startswith("%")
            for s in self.res.spans.get("metrics", [])
        )

    def percent_sign_read(self, part: str) -> None:
        """The ratio "quiz pass %" asks for: the one whose numerator is the count read and that the catalog calls a share
        (its label's rate word, its unit, or a whole of the same noun), as "quiz pass rate" would be.
        """
        ratios = [
            name
            for name, m in self.r.model.metrics.items()
            if m.numerator is not None
            and m.numerator.name == part
            and not m.numerator.filter
            and m.denominator is not None
            and (
                same_head(m.numerator.name, m.denominator.name)
                or set((m.label or name).lower().replace("_", " ").split()) & SHARE_WORDS
                or str(m.meta.get("unit") or "") in ("ratio", "percent")
            )
            and str(m.meta.get("status") or "") != "deprecated"
        ]
        if len(ratios) != 1:
            return
        res = self.res
        res.metrics = [ratios[0]]
        res.spans["metrics"] = [
            Span(s.text, s.start, s.end, ratios[0], "share") for s in res.spans.get("metrics", [])
        ]
        res.confidence -= SHARE_PENALTY
        res.notes.append(f"read '%' after {part} as {ratios[0]}")

    def conversion_said(self, k: int) -> bool:
        """A share of one event's doers who did another ("% of trialists ended up paying"): the conversion
        rate (``conversionshare``), its words claimed so they are no value.
        """
        found = conversion_share(self.r.model, self.tokens, k)
        if found is None or found[0] in self.res.metrics:
            return False
        name, base, done = found
        res = self.res
        res.notes.append(
            f"read '{self.tokens[k].text}' of '{self.tokens[base].text}' who '{self.tokens[done].text}' as {name}"
        )
        res.metrics = [name]
        res.spans["metrics"] = []
        for i in said_events(self.r.model, name, self.tokens, k, base, done):
            self.used[i] = True
            self.fuzzy.discard(i)  # ("trialists": the doer of a trial, no other word misspelt)
            self.span("metrics", i, i + 1, name, "conversion")
        res.confidence -= SHARE_PENALTY
        return True

    def said_after_per(self, part: str) -> bool:
        """Whether the words read as ``part`` come right after "per" ("per room sold")."""
        spans = [s for s in self.res.spans.get("metrics", []) if s.target == part]
        firsts = [t.index for t in self.tokens if any(s.start == t.start for s in spans)]
        return bool(firsts) and all(k > 0 and self.tokens[k - 1].norm == "per" for k in firsts[:1])

    def share_read_as(self, name: str, part: str, k: int) -> None:
        """The ratio ``name`` read from the count ``part`` and the share word at ``k``."""
        res = self.res
        self.used[k] = True
        res.metrics = [name]
        spans = res.spans.get("metrics", [])
        res.spans["metrics"] = [Span(s.text, s.start, s.end, name, "share") for s in spans]
        self.span("metrics", k, k + 1, name, "share")
        res.confidence -= SHARE_PENALTY
        res.notes.append(f"read '{self.tokens[k].text}' of {part} as {name}")
