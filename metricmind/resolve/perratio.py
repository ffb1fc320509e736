"""A ratio the catalog lacks ("cost per parcel", "km per parcel" where no metric divides the two): "per"
before a noun read as a metric (not a dimension: "parcels per hub" is a breakdown) with a metric or a word of
the catalog right before it. When no ratio metric of the catalog was read from it (``read_ratio``), the
question asks for a concept the catalog does not have: refused, never answered as the two counts side by side
or as the count alone.
"""

from __future__ import annotations

from metricmind.resolve.metricphrases import list_between
from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.resolution import Span
from metricmind.resolve.text import FILLERS
from metricmind.resolve.words import GRAMMAR


class _PerRatioReading(_ReadingBase):
    """The pass that refuses a "<metric> per <metric noun>" the catalog has no ratio for."""

    def refuse_unknown_ratio(self) -> None:
        res = self.res
        spans = res.spans.get("metrics", [])
        toks = self.tokens
        for i in range(1, len(toks) - 1):
            if toks[i].norm != "per":
                continue
            after = next((s for s in spans if s.start == toks[i + 1].start), None)
            if after is None or after.how == "ratio" or toks[i + 1].norm != self.stems[i + 1]:
                continue  # a breakdown ("per hub"), a ratio read, or a plural ("per parcels" is no unit)
            before = next((s for s in spans if s.end == toks[i - 1].end and s.target != after.target), None)
            word = toks[i - 1]
            catalog_word = (
                not self.used[i - 1]
                and word.norm not in FILLERS
                and word.norm not in GRAMMAR
                and self.stems[i - 1] in self.lex.vocabulary
            )
            # "gross margin per parcel": a word no catalog phrase holds, right before "per", is a numerator the
            # catalog lacks (a ratio of it is no count of the unit)
            unknown = (
                not self.used[i - 1]
                and word.norm.isalpha()
                and word.norm not in FILLERS
                and word.norm not in GRAMMAR
                and self.stems[i - 1] not in self.lex.vocabulary
                and self.r.correct(word.norm) is None
            )
            if before is None and not catalog_word and not unknown:
                continue
            if before is not None and self.per_unit_of(before.target, after.target):
                continue  # "acquisition cost per new customer": CAC is already spend over new customers
            start = before.start if before is not None else word.start
            phrase = res.question[start : after.end]
            ratio = self.ratio_of(before.target, after.target) if before is not None else None
            if before is not None and ratio is not None:
                # "average gmv per order": the catalog's ratio of the two (aov), whatever else "average" read
                apart = self.items_apart(
                    [x for x in spans if x is not before and x is not after], start, after
                )
                kept = [m for m in res.metrics if m not in (before.target, after.target, ratio) or m in apart]
                res.metrics = [ratio, *[m for m in kept if m != ratio]]
                res.spans["metrics"] = [
                    Span(x.text, x.start, x.end, ratio, "ratio")
                    if x is before
                    or x is after
                    or (x.target in (before.target, after.target) and x.target not in apart)
                    else x
                    for x in spans
                ]
                continue
            # (worded apart from a concept refusal: meaning never reads it as the nearest ratio by similarity)
            res.refuse(f"'{phrase}' is a ratio the catalog has no metric for", self.nearest_metrics())
            return

    def items_apart(self, others: list[Span], start: int, after: Span) -> set[str]:
        """The metrics of ``others`` said as items of a list apart from the ratio's phrase (from character
        ``start`` to the end of ``after``): "mrr, paying customers and mrr per paying customer" asks all three.
        """
        at = {t.start: t.index for t in self.tokens}
        first = at.get(start, 0)
        last = max(t.index for t in self.tokens if t.start < after.end)
        out: set[str] = set()
        for x in others:
            words = [t.index for t in self.tokens if x.start <= t.start < x.end]
            if not words:
                continue
            if words[-1] < first and list_between(self.res.question, self.tokens, words[-1], first):
                out.add(x.target)
            elif words[0] > last and list_between(self.res.question, self.tokens, last, words[0]):
                out.add(x.target)
        return out

    def ratio_of(self, numerator: str, denominator: str) -> str | None:
        """The one ratio metric of the catalog that divides ``numerator`` by ``denominator``, unfiltered (or
        ``denominator`` itself, read as such a ratio from its words: "average gmv per order", aov).
        """
        said = self.r.model.metrics.get(denominator)
        if said is not None and said.numerator is not None and said.numerator.name == numerator:
            return denominator
        found = [
            name
            for name, m in self.r.model.metrics.items()
            if m.numerator is not None
            and m.denominator is not None
            and m.numerator.name == numerator
            and m.denominator.name == denominator
            and not m.numerator.filter
            and not m.denominator.filter
        ]
        return found[0] if len(found) == 1 else None

    def per_unit_of(self, metric: str, unit: str) -> bool:
        """Whether ``metric`` is a ratio (or a derived metric) that already divides by ``unit``."""
        m = self.r.model.metrics.get(metric)
        if m is None:
            return False
        if m.denominator is not None and m.denominator.name == unit:
            return True
        return any(i.name == unit for i in m.inputs)
