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
from metricmind.resolve.sumwords import (
    AMOUNT_NOUNS,
    SUM_WORDS,
    amount_phrased,
    amount_said,
    kind_of_amount,
    summed_twins,
)
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
            between = {
                t.norm for t in self.tokens if a.end <= t.start and t.end <= b.start
            }  # "as well as": and
            if any(c in gap for c in ",+&/") or (set(stems(gap)) | between) & {
                "and",
                "or",
                "vs",
                "versus",
                "plus",
            }:
                return True
        return False

    def amount_or_count(self, metrics: list[str]) -> list[str]:
        """Amount or count: "how much" asks an amount, "how many invoices" a count; a metric read from a word
        or a shortened phrase whose unit does not fit is swapped for the one metric of the fitting unit (an
        amount in currency that adds up, or a count) whose own phrases hold the same words.
        """
        text = " ".join(t.norm for t in self.tokens)
        money = "how much" in text or "$" in self.res.question or " dollars " in f" {text} "
        spans = self.res.spans.get("metrics", [])
        # "sum(invoice amount)": what the rows add up to
        summed = len(spans) == 1 and self.said_as_amount(spans[0])
        want = "count" if "how many" in text else "currency" if money or summed else None
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
        if want is None or len(metrics) != 1 or len(spans) != 1 or (spans[0].how == "name" and not summed):
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
        if not found and summed and not unit:  # a catalog without units: the sum over what is counted
            found = summed_twins(model, metrics[0])
        if summed:  # "past-due invoice balances": the amount of the kind said before the noun, if one is
            found = self.kind_said(words, spans[0]) or found
        if len(found) > 1:  # the one whose words hold an entity the question names ("accounts" → customers)
            said = {word_key(t.norm) for t in self.tokens if self.stems[t.index] in self.r.texts.entity_words}
            kept = [n for n in found if said & set(self.r.texts.weights[n])] if said else found
            found = kept or (found if summed else [])  # ("customers having sum(invoice amount) > …")
        if len(found) > 1:  # … or another word of the question in its own name ("paid invoice $": revenue)
            apart = self.dimension_words() if summed else set()  # ("… where payment_method in …": no payment)
            others = {
                word_key(t.norm)
                for t in self.tokens
                if not spans[0].start <= t.start < spans[0].end and t.index not in apart
            }
            named = [
                n for n in found if any(self.r.texts.weights[n].get(k, 0.0) >= PHRASE_WEIGHT for k in others)
            ]
            found = named if len(named) == 1 else found
        if len(found) > 1 and summed:  # "invoice amounts": the amount the catalog names so, not a kind of it
            found = (
                amount_phrased(found, self.own_phrases(), self.stems[self.span_tokens(spans[0])[0]]) or found
            )
        if len(found) != 1:
            if found:  # "invoice $ by month": an amount asked, several fit, a count read: not a confident one
                self.res.confidence -= 0.25
                self.res.notes.append(f"an amount was asked; read as {metrics[0]}, a {unit}")
            return metrics
        self.res.spans["metrics"] = [Span(spans[0].text, spans[0].start, spans[0].end, found[0], "unit")]
        if summed:
            self.mark_kind(found[0], spans[0])
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

    def said_as_amount(self, s: Span) -> bool:
        """Whether the one word of the metric span ``s`` is said as an amount ("invoice amounts", "sum(invoice …)")."""
        at = self.span_tokens(s)
        return len(at) == 1 and amount_said(self.tokens, at[0], at[0] + 1)

    def kind_said(self, noun: list[str], s: Span) -> list[str]:
        """The one amount in currency of the kind the (up to three) words before the span ``s`` say, if one."""
        at = self.span_tokens(s)
        before = [t.norm for t in self.tokens[max(0, at[0] - 3) : at[0]] if t.norm not in SUM_WORDS]
        amounts = [
            n
            for n, m in self.r.model.metrics.items()
            if str(m.meta.get("unit") or "") == "currency" and str(m.meta.get("status") or "") != "deprecated"
        ]
        found = kind_of_amount(
            self.r.texts.weights, amounts, noun, [word_key(w) for w in before if content(w)]
        )
        return found if len(found) == 1 else []

    def mark_kind(self, metric: str, s: Span) -> None:
        """The words of the kind of amount read ("past-due", "unpaid" before "invoice balances") are the metric's
        own, no filter beside it; the amount noun after the span ("balances") is read with it.
        """
        at = self.span_tokens(s)
        weights = self.r.texts.weights[metric]
        window = [
            c for k in range(max(0, at[0] - 3), at[0]) for c in self.by_first.get(k, []) if c.last <= at[0]
        ]
        values = [c for c in window if any(e.kind == "value" for e in c.entries)]
        kinds = {
            e.target
            for c in values
            if any(weights.get(word_key(t.norm), 0.0) >= PHRASE_WEIGHT for t in self.tokens[c.first : c.last])
            for e in c.entries
            if e.kind == "value"
        }
        for c in values:  # "unpaid, past-due invoice balances": the kind's words are the metric's, no filter
            if kinds & {e.target for e in c.entries}:
                self.span("metrics", c.first, c.last, metric, "kind")
        if at[-1] + 1 < len(self.tokens) and self.tokens[at[-1] + 1].norm in AMOUNT_NOUNS:
            self.claim(at[-1] + 1, at[-1] + 2)
            self.span("metrics", at[-1] + 1, at[-1] + 2, metric, "amount")

    def dimension_words(self) -> set[int]:
        """The positions of words that name a dimension in two words or more ("payment method")."""
        return {
            k
            for cands in self.by_first.values()
            for c in cands
            if c.last - c.first > 1 and all(e.kind == "dimension" for e in c.entries)
            for k in range(c.first, c.last)
        }

    def span_tokens(self, s: Span) -> list[int]:
        """The positions of the words within a span's characters."""
        return [t.index for t in self.tokens if s.start <= t.start < s.end]

    def own_phrases(self) -> list[tuple[tuple[str, ...], str]]:
        """Every metric's own phrases (name, label, synonyms) as (words, metric)."""
        own = ("name", "label", "synonym")
        return [
            (k, e.target)
            for k, es in self.lex.phrases.items()
            for e in es
            if e.kind == "metric" and e.source in own
        ]

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
