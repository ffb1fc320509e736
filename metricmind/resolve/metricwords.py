"""Reading the metrics of a question: phrases, words apart, shared nouns, qualifiers, modifiers."""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property

from metricmind.resolve.analyst import additive
from metricmind.resolve.describe import PHRASE_WEIGHT, content
from metricmind.resolve.describe import key as word_key
from metricmind.resolve.exclusion import EXCLUSION_WORDS
from metricmind.resolve.lexicon import COMMON_WORDS, Entry
from metricmind.resolve.loosevalues import demonym
from metricmind.resolve.reading import _Pick, _ReadingBase
from metricmind.resolve.resolution import Resolution, Span
from metricmind.resolve.shorthand import SHORT_FORMS
from metricmind.resolve.text import FILLERS, GENERIC, root, stems
from metricmind.resolve.timephrases import UNITS
from metricmind.resolve.words import (
    ASC_WORDS,
    DESC_WORDS,
    ENTITY_NOUNS,
    GRAIN_ADJ,
    GRAMMAR,
    NEGATIONS,
    QUALIFIER_BEFORE,
    SORT_WORDS,
)

MIN_GAIN = 2.0
"""How much a metric's description must explain beyond a reading made of names, labels or synonyms to
replace it (about one rare word: "costing" for CAC, not "paid" for invoice revenue)."""
LIST_WORDS = frozenset({"vs", "versus", "and", "or", "plus"})


PAYING_WORDS = frozenset({"money", "cash", "spend", "spent", "pay", "paid", "dollars"})
"""Words that, with customers as the subject of "how much", say the amount they pay."""


class _MetricReading(_ReadingBase):
    """The metric passes."""

    ambiguous: tuple[int, list[str]] | None = None  # a word several metrics share, and those metrics

    @cached_property
    def qualifiers(self) -> set[int]:
        """Positions of entity nouns read as qualifying another metric ("MRR from customers …")."""
        return set()

    # -- metrics -------------------------------------------------------------------------------
    def read_metrics(self, picks: list[_Pick]) -> list[str]:
        self.merge_metric_words(picks)
        found: list[tuple[_Pick, str]] = []
        for p in picks:
            if p.kind != "metric":
                continue
            if self.names_value_dimension(p, picks):
                self.claim(p.first, p.last)  # "card payments": the payment method's noun, not a metric
                continue
            if self.ranked_entity(p, picks):
                p.kind = "entity"  # "best customers": ranked, but by which metric?
                continue
            found.append((p, self.best_metric(p.entries)))
        # "MRR from Enterprise customers": a bare entity noun qualifies another metric;
        # "our biggest customers by MRR": it names what to group by
        if len(found) > 1:
            keep = []
            in_value = {j for q in picks if q.kind == "value" for j in range(q.first, q.last)}
            values = {d: info.values for d, info in self.lex.dims.items()}
            in_value |= {
                j
                for p, _ in found
                if (j := self.prev_word(p.first)) >= 0 and demonym(self.tokens, j, values) is not None
            }  # "our Japanese customers": a country adjective is a value too
            for p, name in found:
                words = self.stems[p.first : p.last]
                j = self.prev_word(p.first)
                as_dim = [e for e in self.lex.lookup(tuple(words)) if e.kind == "dimension"]
                ranking = j >= 0 and self.tokens[j].norm in DESC_WORDS | ASC_WORDS | {"which", "what"}
                ranking = ranking or self.sorted_by_other(p)  # "customers ranked by MRR"
                ranking = ranking or any(  # "smallest refunds client": rank, metric, the entity ranked
                    q.last == j + 1
                    and (k := self.prev_word(q.first)) >= 0
                    and self.tokens[k].norm in DESC_WORDS | ASC_WORDS
                    for q, _ in found
                    if q is not p
                )
                if len(words) == 1 and words[0] in ENTITY_NOUNS and ranking and as_dim:
                    p.kind, p.entries = "dimension", as_dim
                    continue
                j = self.prev_word(p.first)
                after_value = j >= 0 and j in in_value
                while j >= 0 and j in in_value:
                    j = self.prev_word(j)
                qualifier = after_value or (j >= 0 and self.tokens[j].norm in QUALIFIER_BEFORE)
                # "billed (to) our customers": the entity right after another metric's verb is who
                k = j - 1 if j >= 0 and self.tokens[j].norm == "to" else j
                verb = k >= 0 and (self.tokens[k].norm.endswith("ed") or k < j)
                qualifier = qualifier or (
                    len(words) == 1
                    and verb
                    and any(q.last == k + 1 for q, _ in found if q is not p)
                    and not after_value
                )
                if words[0] in ENTITY_NOUNS and (len(words) == 1 or not after_value) and qualifier:
                    self.claim(p.first, p.last)  # "MRR from customers acquired via paid search"
                    self.qualifiers.update(range(p.first, p.last))
                    continue
                if j >= 0 and self.tokens[j].norm in NEGATIONS:
                    self.claim(j, p.last)
                    self.res.notes.append(
                        f"ignored '{self.text(j, p.last).text}': not a filter the catalog has"
                    )
                    continue
                keep.append((p, name))
            found = keep
        out: list[str] = []
        for p, name in found:
            for shared in self.shared_noun(p):
                if shared not in out:
                    out.append(shared)  # "new vs churned customers": new customers too
            name = self.modified(p, name)
            own = set(self.stems[p.first : p.last])
            if min(e.rank for e in p.entries) >= 2 and any(own <= self.lex.metric_words[o] for o in out):
                self.span("metrics", p.first, p.last, out[-1], "same metric")
                continue  # "MRR we lost to churn": churn is part of churned MRR already
            how = "typo" if p.fuzzy else min(p.entries, key=lambda e: e.rank).source
            if p.fuzzy:
                self.res.confidence -= 0.1
            if min(e.rank for e in p.entries) >= 4:
                self.res.confidence -= 0.1
            self.span("metrics", p.first, p.last, name, how)
            if name not in out:
                out.append(name)
            status = str(self.r.model.metrics[name].meta.get("status") or "")
            if status == "deprecated":
                self.res.notes.append(f"{name} is deprecated; check its definition before relying on it")
        if not out:
            out = self.counted_entity() or self.metric_from_words()
        else:
            out += [m for m in self.listed_words(found) if m not in out]
        return out

    def listed_words(self, found: list[tuple[_Pick, str]]) -> list[str]:
        """A lone word listed with a metric ("billed vs collected") that only one metric's phrases hold
        ("collected": invoice revenue's "collected revenue", "cash collected").
        """
        out: list[str] = []
        q, toks = self.res.question, self.tokens
        # a list word between ("billed vs collected"), or a list mark ("spend, new customers and CAC")
        edges = [
            *((p.first - 2, p) for p, _ in found if p.first >= 1 and toks[p.first - 1].norm in LIST_WORDS),
            *((p.last + 1, p) for p, _ in found if p.last < len(toks) and toks[p.last].norm in LIST_WORDS),
            *(
                (p.first - 1, p)
                for p, _ in found
                if p.first >= 1 and any(c in q[toks[p.first - 1].end : toks[p.first].start] for c in ",+&/")
            ),
            *(
                (p.last, p)
                for p, _ in found
                if p.last < len(toks)
                and any(c in q[toks[p.last - 1].end : toks[p.last].start] for c in ",+&/")
            ),
        ]
        for i, _p in edges:
            if not 0 <= i < len(toks) or self.used[i] or self.stems[i] in FILLERS | GRAMMAR:
                continue
            owners = [m for m, words in self.lex.metric_words.items() if self.stems[i] in words]
            if len(owners) == 1:
                self.used[i] = True
                self.span("metrics", i, i + 1, owners[0], "listed word")
                out.append(owners[0])
        return out

    def counted_entity(self) -> list[str]:
        """``how many accounts …``: another noun for an entity, counted, is the metric the entity's own
        name is ("customers" → active customers; a verb of winning or losing refines it later).
        """
        text = " ".join(t.norm for t in self.tokens)
        if "how many" not in text and "number of" not in text and "how much" not in text:
            return []  # ("how much did companies pay us": the count becomes what they pay, amount_or_count)
        for i in range(len(self.tokens)):
            entity = self.r.texts.entity_of.get(self.stems[i])
            if self.used[i] or entity is None:
                continue
            found = [e.target for e in self.lex.lookup((entity,)) if e.kind == "metric"]
            if found:
                self.used[i] = True
                self.span("metrics", i, i + 1, found[0], "entity")
                return found[:1]
        return []

    def qualified_entity(self) -> list[str]:
        """A word before another noun for an entity that, with the entity's own name, is a metric ("new
        accts" → new customers, "lost logos" → churned customers' phrase "lost customers").
        """
        entity_of = self.r.texts.entity_of
        for i in range(len(self.tokens) - 1):
            entity = entity_of.get(self.stems[i + 1])
            if self.used[i] or self.used[i + 1] or entity is None:
                continue
            found = [e.target for e in self.lex.lookup((self.stems[i], entity)) if e.kind == "metric"]
            if found:
                self.used[i] = self.used[i + 1] = True
                self.span("metrics", i, i + 2, found[0], "entity")
                return found[:1]
        return []

    # -- metrics by their descriptions -----------------------------------------------------------
    def metric_positions(self) -> set[int]:
        """The positions of the words read as metrics so far."""
        out: set[int] = set()
        for s in self.res.spans.get("metrics", []):
            i = self.token_at.get(s.start)
            while i is not None and i < len(self.tokens) and self.tokens[i].start < s.end:
                out.add(i)
                i += 1
        return out

    def content_words(self, extra: set[int]) -> list[tuple[int, str]]:
        """The question's meaningful words that are unread or in ``extra`` (position, word)."""
        return [
            (i, t.norm)
            for i, t in enumerate(self.tokens)
            if (not self.used[i] or i in extra)
            and content(t.norm)
            and t.stem not in FILLERS
            and SHORT_FORMS.get(t.norm) != ""  # a chat filler ("hey quick one") is no evidence
            and t.norm not in EXCLUSION_WORDS  # "ignoring SMB" excludes a value, it names no metric
            and not self.names_value(i)  # "customers on Starter": a plan, not the word "start"
        ]

    def names_value(self, i: int) -> bool:
        """Whether the word at ``i`` is, as typed, a whole value of a dimension ("Starter", "EMEA")."""
        word = self.tokens[i].norm
        after_on = i > 0 and self.tokens[i - 1].norm == "on"  # "customers on Starter"
        return (word not in COMMON_WORDS or after_on) and any(
            e.kind == "value" and e.source == "value" for e in self.lex.lookup((word,))
        )

    def described(self, metrics: list[str]) -> list[str]:
        """One metric whose own words (synonyms, description, definition) explain every word read as a
        metric and more of the question ("whats it costing us to acquire each new customer" → CAC, not new
        customers; "actions users took" → events alone): it replaces the reading. Words the chosen metric's
        description explains ("distinct users" → active users, "Distinct users with …") count as read.
        """
        at = self.metric_positions()
        words = self.content_words(at | self.qualifiers)
        unread = {i for i, _ in words if i not in at}
        joined = self.listed(self.res.spans.get("metrics", []))
        if (not unread and len(metrics) < 2) or (joined and len(metrics) > 1):
            return metrics  # a list of metrics ("mrr plus arr") stays a list
        texts = self.r.texts
        ranked = texts.ranked(words)
        if not ranked:
            return metrics
        score, best, hit = ranked[0]
        if metrics == [best]:
            self.explained(best, hit - at)
            return metrics
        read = {i for i, _ in words if i in at}
        # a metric read from an entity noun alone ("clients" → customers) is only who is meant
        nouns = read if read and all(self.stems[i] in texts.entity_words for i in read) else set()
        spans = self.res.spans.get("metrics", [])
        strong = not nouns and any(s.how in ("name", "label", "synonym", "learned") for s in spans)
        gain = texts.cover(best, [(i, w) for i, w in words if i in unread])[0]
        others = max((s for s, m, _ in ranked if m in metrics and m != best), default=0.0)
        second = ranked[1][0] if len(ranked) > 1 else 0.0
        if (
            not read - nouns <= hit
            or (nouns and (gain < MIN_GAIN or len(hit & unread) < 2))
            or not (
                gain >= (MIN_GAIN if strong else 0.1)
                or (len(metrics) > 1 and (best in metrics or not joined))
            )
            or score <= others
            or (
                second >= score * 0.9 and best not in metrics
            )  # keeping one of the metrics read needs no margin
        ):
            return metrics
        for i in hit | nouns:
            self.used[i] = True
        self.res.spans["metrics"] = [s for s in spans if s.target == best]
        for i in sorted(hit - read):
            self.span("metrics", i, i + 1, best, "description")
        self.res.confidence -= 0.1
        return [best]

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
            revenue = [e.target for e in self.lex.lookup(("revenue",)) if e.kind == "metric"]
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
        if len(found) != 1:
            return metrics
        self.res.spans["metrics"] = [Span(spans[0].text, spans[0].start, spans[0].end, found[0], "unit")]
        for t in self.tokens:
            if not self.used[t.index] and self.stems[t.index] in self.r.texts.entity_words:
                self.used[t.index] = True  # "how many accounts churned": the entity counted
                self.span("metrics", t.index, t.index + 1, found[0], "entity")
        return found

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

    def explained(self, metric: str, positions: set[int]) -> None:
        """Claim words the metric's own description explains (they are not unknown words)."""
        for i in sorted(positions):
            if self.stems[i] in self.r.texts.entity_words:
                continue  # "accounts we refunded": the entity says who, for thresholds and counts
            if i > 0 and self.tokens[i - 1].norm == "by":
                continue  # "spend by ad creative": the words after "by" name a breakdown, not the metric
            self.used[i] = True
            self.span("metrics", i, i + 1, metric, "description")

    def metric_by_description(self) -> list[str]:
        """No metric phrase at all: the metric whose words explain two or more of the question's, clearly
        ahead of the next ("how much cash did clients pay us" → invoice revenue).
        """
        words = self.content_words(set())
        ranked = self.r.texts.ranked(words)
        if not ranked:
            return []
        score, best, hit = ranked[0]
        second = ranked[1][0] if len(ranked) > 1 else 0.0
        if len(hit) < 2 or second >= score * 0.8:
            return []
        for i in sorted(hit):
            self.used[i] = True
            self.span("metrics", i, i + 1, best, "description")
        self.res.confidence -= 0.15
        return [best]

    def sorted_by_other(self, p: _Pick) -> bool:
        """Whether a sort word and "by" follow the words of ``p`` ("customers ranked/sorted by MRR")."""
        norms = [t.norm for t in self.tokens[p.last : p.last + 4]]
        return any(a in SORT_WORDS and b == "by" for a, b in zip(norms, norms[1:], strict=False))

    def names_value_dimension(self, p: _Pick, picks: list[_Pick]) -> bool:
        """A one-word metric phrase right after a value, that is a word of the value's dimension's name
        ("card payments": payment_method; "paid search customers" is not one: customers is no word of it).
        """
        if p.last - p.first != 1:
            return False
        before = next((q for q in picks if q.kind == "value" and q.last == p.first), None)
        if before is None:
            return False
        word = self.stems[p.first]
        return any(
            word in stems(e.target.split("=", 1)[0].split("__", 1)[-1].replace("_", " "))
            for e in before.entries
        )

    def ranked_entity(self, p: _Pick, picks: list[_Pick]) -> bool:
        """An entity noun alone right after a ranking word, and no other metric ("best customers")"""
        if p.last - p.first != 1 or self.stems[p.first] not in self.r.texts.entity_words:
            return False
        j = self.prev_word(p.first)
        others = [q for q in picks if q.kind == "metric" and q is not p]
        if others or j < 0 or self.tokens[j].norm not in DESC_WORDS | ASC_WORDS:
            return False
        # "lost the most customers" names its metric with a modifier (churned customers)
        return self._modified({self.stems[p.first]}, self.best_metric(p.entries), strict=True) is None

    def shared_noun(self, p: _Pick) -> list[str]:
        """``new vs churned customers``, ``new, expansion, contraction + churned MRR``: each word of the list
        before this phrase, with the rest of the phrase, when that names a metric too.
        """
        if p.last - p.first < 2:
            return []
        rest = self.stems[p.first + 1 : p.last]
        out: list[str] = []
        k, listed = p.first, False
        while k > 0:
            j = k - 1
            gap = self.res.question[self.tokens[j].end : self.tokens[k].start]
            if self.tokens[j].norm in LIST_WORDS:
                w, listed = j - 1, True
            elif any(c in gap for c in ",+&/"):
                w, listed = j, True
            elif listed:
                w = j  # "new expansion and churned MRR": the list goes on without its commas
            else:
                break
            if w < 0 or self.used[w]:
                break
            entries = [e for e in self.lex.lookup((self.stems[w], *rest)) if e.kind == "metric"]
            if not entries:
                break
            name = self.best_metric(entries)
            self.claim(w, k)
            self.span("metrics", w, w + 1, name, "shared noun")
            out.append(name)
            k = w
        return out[::-1]

    def merge_metric_words(self, picks: list[_Pick]) -> None:
        """Two metric words that together are another metric's phrase (``customers churned``)."""
        metric_picks = [p for p in picks if p.kind == "metric"]
        for a, b in zip(metric_picks, metric_picks[1:], strict=False):
            if b.first - a.last > 2 or a.kind != "metric" or b.kind != "metric":
                continue
            words = sorted({root(w) for w in self.stems[a.first : a.last] + self.stems[b.first : b.last]})
            merged = self.phrase_index.get(tuple(words))
            if merged:
                a.entries, a.last = merged, b.last
                b.kind = "merged"
                self.claim(a.first, b.last)

    @cached_property
    def phrase_index(self) -> dict[tuple[str, ...], list[Entry]]:
        return self.r.phrase_sets

    def compares(self, metric: str) -> bool:
        """Whether a metric is itself a change between periods (a derived metric with an offset)."""
        m = self.r.model.metrics.get(metric)
        return m is not None and any(i.offset_window or i.offset_to_grain for i in m.inputs)

    def best_metric(self, entries: list[Entry]) -> str:
        def key(e: Entry) -> tuple[int, int, str]:
            status = (
                str(self.r.model.metrics[e.target].meta.get("status") or "")
                if e.target in self.r.model.metrics
                else ""
            )
            return (e.rank, status == "deprecated", e.target)

        return min((e for e in entries if e.target in self.r.model.metrics), key=key).target

    def modified(self, p: _Pick, name: str) -> str:
        """``customers … churned`` → churned customers: a longer phrase whose other words are present."""
        words = set(self.stems[p.first : p.last])
        if len(words) > 2:
            return name
        found = self._modified(words, name)
        plain = set(self.stems[p.first : p.last - 1]) <= {"active", "paying", "total", "current", "overall"}
        if found is None and len(words) > 1 and plain:
            # "active customers … lose": the head noun alone with the modifier ("lost customers")
            found = self._modified({self.stems[p.last - 1]}, name, strict=True)
        if found is None:
            return name
        target, idx = found
        for i in idx:
            self.used[i] = True
            self.span("metrics", i, i + 1, target, "modifier")
        return target

    def _modified(self, words: set[str], name: str, *, strict: bool = False) -> tuple[str, list[int]] | None:
        best: tuple[int, str, list[int]] | None = None
        for size, target, rest in self._longer_phrases(frozenset(words), name, strict):
            idx = [self._free_at(w) for w in rest]
            if any(i is None for i in idx):
                continue
            if best is None or size > best[0]:
                best = (size, target, [i for i in idx if i is not None])
        return None if best is None else (best[1], best[2])

    def _longer_phrases(
        self, words: frozenset[str], name: str, strict: bool
    ) -> list[tuple[int, str, tuple[str, ...]]]:
        """Metric phrases (other than ``name``'s) that hold ``words`` and more: (length, metric, the roots
        of the other words). Computed once per word set of a question, so a question that repeats a
        metric does not scan the lexicon again for each repetition.
        """
        cache_key = (words, name, strict)
        found = self._phrase_cache.get(cache_key)
        if found is None:
            found = []
            for key, entries in self.lex.phrases.items():
                if len(key) <= len(words) or not words <= set(key):
                    continue
                rest = [w for w in key if w not in words]
                if strict and any(w in FILLERS or w in GENERIC for w in rest):
                    continue
                roots = tuple(root(w) for w in rest)
                for e in entries:
                    if e.kind == "metric" and e.target != name:
                        found.append((len(key), e.target, roots))
            self._phrase_cache[cache_key] = found
        return found

    @cached_property
    def _phrase_cache(self) -> dict[tuple[frozenset[str], str, bool], list[tuple[int, str, tuple[str, ...]]]]:
        return {}

    @cached_property
    def _free_index(self) -> dict[str, list[int]]:
        """Each word root → the positions of the question's words with that root (grain and unit words
        left out), ascending; ``_free_at`` drops used positions from the end as it meets them.
        """
        out: dict[str, list[int]] = {}
        for i, t in enumerate(self.tokens):
            if t.norm not in GRAIN_ADJ and self.stems[i] not in UNITS:
                out.setdefault(root(self.stems[i]), []).append(i)
        return out

    def _free_at(self, word_root: str) -> int | None:
        """The last unused position of a word with this root (amortised O(1): ``used`` only grows)."""
        positions = self._free_index.get(word_root)
        while positions and self.used[positions[-1]]:
            positions.pop()
        return positions[-1] if positions else None

    def metric_from_words(self) -> list[str]:
        """No metric phrase: its words scattered (``spend on marketing``), or a word only one metric has."""
        free: dict[str, int] = {}
        for i, u in enumerate(self.used):
            if not u:
                free.setdefault(root(self.stems[i]), i)
        best: tuple[int, str, list[int]] | None = None
        for key, entries in self.r.phrase_sets.items():
            if len(key) > 1 and all(w in free for w in key) and (best is None or len(key) > best[0]):
                best = (len(key), self.best_metric(entries), [free[w] for w in key])
        if best is not None:
            self.res.confidence -= 0.05
            for i in sorted(best[2]):
                self.used[i] = True
                self.span("metrics", i, i + 1, best[1], "scattered")
            return [best[1]]
        described = self.metric_by_description()
        if described:
            return described
        qualified = self.qualified_entity()
        if qualified:
            return qualified
        unknown = any(
            not u and self.stems[i] not in self.lex.vocabulary and self.stems[i] not in FILLERS | GRAMMAR
            for i, u in enumerate(self.used)
        )
        for i, t in enumerate(self.tokens):
            w = self.stems[i]
            if self.used[i] or w in FILLERS or w in GRAMMAR:
                continue
            if w in ENTITY_NOUNS:
                continue  # "subscriptions" alone is not a metric
            owners = sorted(m for m, words in self.lex.metric_words.items() if w in words)
            if len(owners) == 1:
                self.used[i] = True
                self.res.confidence -= 0.2
                self.span("metrics", i, i + 1, owners[0], "word")
                return owners
            if len(owners) > 1 and not unknown:
                self.ambiguous = (i, owners[:5])
                labels = ", ".join(owners[:5])
                self.res.refuse(
                    f"'{t.text}' could mean several metrics: {labels}",
                    [self.describe(m) for m in owners[:5]],
                )
                return []
        return []

    def no_metric(self) -> Resolution:
        words = [t.text for i, t in enumerate(self.tokens) if not self.used[i] and t.stem not in FILLERS]
        what = f" for '{' '.join(words)}'" if words else ""
        ranked = any(t.norm in DESC_WORDS | ASC_WORDS for t in self.tokens)
        reason = (
            "the question ranks without saying by which metric (top … by revenue? by MRR?)"
            if ranked and not words
            else f"no metric in the catalog matches the question{what}"
        )
        return self.res.refuse(reason, self.nearest_metrics())
