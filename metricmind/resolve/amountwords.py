"""Amounts and counts among the metrics read: the amount a count's kind names ("new-logo mrr"), a kind told
by the words of a list, an amount asked of a count ("how much did customers pay"), what customers pay.

The passes of ``_AmountReading`` (under ``_DescribedReading``, which reads metrics from their descriptions).
"""

from __future__ import annotations

from dataclasses import replace

from metricmind.resolve.analyst import additive
from metricmind.resolve.describe import PHRASE_WEIGHT, content
from metricmind.resolve.describe import key as word_key
from metricmind.resolve.loosevalues import prefixed
from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.resolution import Span
from metricmind.resolve.text import stems
from metricmind.resolve.words import LOSE_VERBS, WIN_VERBS

COMPARATIVES = frozenset({"more", "most", "fewer", "less", "least"})
"""Words that say a measure is compared ("more events")."""
PAYING_WORDS = frozenset({"money", "cash", "spend", "spent", "pay", "paid", "dollars"})
"""Words that, with customers as the subject of "how much", say the amount they pay."""


class _AmountReading(_ReadingBase):
    """Amount or count: the passes that tell them apart."""

    def qualified_amount(self, count: str, amount: str) -> str | None:
        """The metric a count of an entity's kind makes of an amount said with it ("new-logo mrr": new
        customers and MRR → new MRR): the words of the count's label but the entity's, put before the
        amount's name, name a metric of the amount's unit. None when the units match (a compound of two
        counts keeps its first word's kind) or no such metric exists.
        """
        models = self.r.model.metrics
        if count not in models or amount not in models:
            return None
        if models[count].meta.get("unit") == models[amount].meta.get("unit"):
            return None
        entity = self.r.texts.entity_words | self.r.entities.party_words
        mods = tuple(w for w in stems(models[count].label or count) if w not in entity)
        if not mods:
            return None
        found = [
            e.target
            for e in self.lex.lookup((*mods, *stems(models[amount].label or amount)))
            if e.kind == "metric" and e.target in models
        ]
        return found[0] if found else None

    def kind_by_words(self, w: int, rest: list[str], partner: str) -> str | None:
        """The one metric of ``partner``'s unit whose own words hold the listed word at ``w`` and the shared
        head noun ``rest`` ("won and lost customers": won → new customers, whose synonyms say "wins"), when
        no phrase of the catalog is the two together. Read from the catalog's words, never a word list.
        """
        word = self.tokens[w].norm
        if not content(word):
            return None
        texts, models = self.r.texts, self.r.model.metrics
        unit = models[partner].meta.get("unit") if partner in models else None
        # a verb of winning or losing says new or churned, as the metrics' own verbs do ("signed and
        # churned customers": new customers)
        said = "new" if word in WIN_VERBS else "churn" if word in LOSE_VERBS else word
        wanted = [word_key(said), *(word_key(r) for r in rest)]
        found = [
            m
            for m, weights in texts.weights.items()
            if m != partner
            and m in models
            and models[m].meta.get("unit") == unit
            and str(models[m].meta.get("status") or "") != "deprecated"
            and all(k in weights for k in wanted)
            and weights[wanted[0]] >= PHRASE_WEIGHT  # the word is one of its names, not of its prose
        ]
        return found[0] if len(found) == 1 else None

    def compared_measure(self, metrics: list[str]) -> str | None:
        """Of two metrics read, the one named by its own name right after a comparative ("where do people
        generate more events": events; "people" says who): the measure compared, the other only the subject.
        """
        if len(metrics) != 2:
            return None
        spans = self.res.spans.get("metrics", [])
        for s in spans:
            i = self.token_at.get(s.start)
            j = self.prev_word(i) if i is not None else -1
            if s.how == "name" and j >= 0 and self.tokens[j].norm in COMPARATIVES:
                self.used[j] = True
                self.res.spans["metrics"] = [x for x in spans if x.target == s.target]
                return s.target
        return None

    def listed(self, spans: list[Span]) -> bool:
        """Whether a list word or mark stands between the words of two metrics ("MRR and churned customers")."""
        ordered = sorted(spans, key=lambda x: x.start)
        for a, b in zip(ordered, ordered[1:], strict=False):
            if a.target == b.target:
                continue
            gap = self.res.question[a.end : b.start]
            if any(c in gap for c in ",+&/") or set(stems(gap)) & {"and", "or", "vs", "versus", "plus"}:
                return True
        return False

    def amount_or_count(self, metrics: list[str]) -> list[str]:
        """Amount or count: "how much" asks an amount, "how many invoices" a count; a metric read from a word
        or a shortened phrase whose unit does not fit is swapped for the one metric of the fitting unit (an
        amount in currency that adds up, or a count) whose own phrases hold the same words.
        """
        text = " ".join(t.norm for t in self.tokens)
        money = "how much" in text or "$" in self.res.question or " dollars " in f" {text} "
        want = "count" if "how many" in text else "currency" if money else None
        spans = self.res.spans.get("metrics", [])
        if want == "currency" and len(metrics) == 1 and self.counts_entity(metrics[0], spans):
            # "how much did clients pay us", "money customers brought in": what they pay, the catalog's revenue
            revenue = self.what_they_pay() or [
                e.target for e in self.lex.lookup(("revenue",)) if e.kind == "metric"
            ]
            if revenue:
                self.res.spans["metrics"] = [replace(x, target=revenue[0], how="unit") for x in spans]
                for t in self.tokens:  # the words of paying say the amount ("money", "spend with us")
                    if not self.used[t.index] and t.norm in PAYING_WORDS:
                        self.used[t.index] = True
                        self.span("metrics", t.index, t.index + 1, revenue[0], "unit")
                self.res.confidence -= 0.1
                return revenue[:1]
        if want is None or len(metrics) != 1 or len(spans) != 1 or spans[0].how == "name":
            return metrics
        if spans[0].how != "reduced" and len(self.span_words(spans[0])) != 1:
            return metrics  # a whole label or synonym says what it means
        model = self.r.model
        unit = str(model.metrics[metrics[0]].meta.get("unit") or "")
        if unit == want or (unit in ("ratio", "percent") and want != "count"):
            return metrics  # (a rate is never "how many": "how many accounts churned" counts them)
        words = [word_key(w) for w in self.span_words(spans[0])]
        found = [
            name
            for name, m in model.metrics.items()
            if str(m.meta.get("unit") or "") == want
            and str(m.meta.get("status") or "") != "deprecated"
            and (want == "count" or additive(model, name))
            and all(self.r.texts.weights[name].get(k, 0.0) >= PHRASE_WEIGHT for k in words)
        ]
        if len(found) > 1:  # the one whose words hold an entity the question names ("accounts" → customers)
            said = {word_key(t.norm) for t in self.tokens if self.stems[t.index] in self.r.texts.entity_words}
            found = [n for n in found if said & set(self.r.texts.weights[n])] if said else found
        if len(found) > 1:  # … or another word of the question in its own name ("paid invoice $": revenue)
            others = {word_key(t.norm) for t in self.tokens if not spans[0].start <= t.start < spans[0].end}
            named = [
                n for n in found if any(self.r.texts.weights[n].get(k, 0.0) >= PHRASE_WEIGHT for k in others)
            ]
            found = named if len(named) == 1 else found
        if len(found) != 1:
            if found:  # "invoice $ by month": an amount asked, several fit, a count read: not a confident one
                self.res.confidence -= 0.25
                self.res.notes.append(f"an amount was asked; read as {metrics[0]}, a {unit}")
            return metrics
        self.res.spans["metrics"] = [Span(spans[0].text, spans[0].start, spans[0].end, found[0], "unit")]
        for t in self.tokens:
            if not self.used[t.index] and self.stems[t.index] in self.r.texts.entity_words:
                self.used[t.index] = True  # "how many accounts churned": the entity counted
                self.span("metrics", t.index, t.index + 1, found[0], "entity")
        return found

    def what_they_pay(self) -> list[str]:
        """The one currency amount whose name or synonyms hold another word of the question ("how much did
        existing accounts expand their spend": expansion MRR), when exactly one does.
        """
        entity = self.r.texts.entity_words
        found: set[str] = set()
        for t in self.tokens:
            if self.used[t.index] or t.norm in PAYING_WORDS or self.stems[t.index] in entity:
                continue
            k = word_key(t.norm)
            for m, weights in self.r.texts.weights.items():
                unit = str(self.r.model.metrics[m].meta.get("unit") or "")
                if unit == "currency" and weights.get(k, 0.0) >= PHRASE_WEIGHT:
                    found.add(m)
        return sorted(found) if len(found) == 1 else []

    def counts_entity(self, metric: str, spans: list[Span]) -> bool:
        """Whether ``metric`` is a count read from nothing but an entity noun (and its description's words)."""
        if str(self.r.model.metrics[metric].meta.get("unit") or "") != "count":
            return False
        named = [s for s in spans if s.how != "description"]
        entity = self.r.texts.entity_words
        return bool(named) and all(
            all(self.stems[t.index] in entity for t in self.tokens if s.start <= t.start < s.end)
            for s in named
        )

    def span_words(self, s: Span) -> list[str]:
        """The words (lower case) within a span's characters."""
        return [t.norm for t in self.tokens if s.start <= t.start < s.end]

    def prefix_of_values(self, k: int) -> bool:
        """Whether the word before ``k`` begins several values of a dimension named at ``k``."""
        word = self.tokens[k - 1].norm
        for c in self.by_first.get(k, []):
            for e in c.entries:
                info = self.lex.dims.get(e.target) if e.kind == "dimension" else None
                if info is not None and prefixed(word, info.values):
                    return True
        return False
