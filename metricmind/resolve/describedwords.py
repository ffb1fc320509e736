"""Metrics read from their descriptions: the words a data team wrote about them (``describe``), amounts
versus counts, the words a chosen metric explains.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property

from metricmind.resolve.analyst import additive
from metricmind.resolve.describe import PHRASE_WEIGHT, content
from metricmind.resolve.describe import key as word_key
from metricmind.resolve.exclusion import EXCLUSION_WORDS
from metricmind.resolve.loosevalues import prefixed
from metricmind.resolve.reading import _Pick, _ReadingBase
from metricmind.resolve.resolution import Span
from metricmind.resolve.shorthand import SHORT_FORMS
from metricmind.resolve.text import FILLERS, stems
from metricmind.resolve.words import GROWTH_WORDS, LOSE_VERBS, SOURCE_WORDS, WIN_VERBS

MIN_GAIN = 2.0
"""How much a metric's description must explain beyond a reading made of names, labels or synonyms to
replace it (about one rare word: "costing" for CAC, not "paid" for invoice revenue)."""
POPULATION = frozenset({"base", "population"})
"""Words after a metric's noun that keep its measure ("our user base")."""
COMPARATIVES = frozenset({"more", "most", "fewer", "less", "least"})
"""Words that say a measure is compared ("more events")."""
TIE_SHARE = 0.9
"""Metrics scoring within this share of the best are about as well explained."""
SHARED_SHARE = 0.6
"""A runner-up explaining the same words with at least this share of the best score makes the reading weak."""
PAYING_WORDS = frozenset({"money", "cash", "spend", "spent", "pay", "paid", "dollars"})
"""Words that, with customers as the subject of "how much", say the amount they pay."""


class _DescribedReading(_ReadingBase):
    """Metric passes that read the catalog's descriptions."""

    @cached_property
    def qualifiers(self) -> set[int]:
        """Positions of entity nouns read as qualifying another metric ("MRR from customers …")."""
        return set()

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
            and not self.reason_cue(i)  # "churn due to cost": why, not the "due" of overdue
        ]

    def reason_cue(self, i: int) -> bool:
        """Whether the word at ``i`` is part of a phrase giving a reason ("due to", "owing to", "because of",
        "on account of"): it links a cause to the metric and names no metric itself.
        """
        norms = [t.norm for t in self.tokens]
        at = norms[i]
        nxt = norms[i + 1] if i + 1 < len(norms) else ""
        prev = norms[i - 1] if i > 0 else ""
        return (
            (at in ("due", "owing") and nxt == "to")
            or (at == "account" and prev == "on" and nxt == "of")
            or (at == "because" and nxt == "of")
        )

    def value_of_other(self, p: _Pick, others: list[str]) -> bool:
        """Whether an entity noun read as who another metric counts is also a value every other metric
        reaches ("new customers from events": the events channel); the pick then becomes that value.
        """
        values = [
            e
            for e in self.lex.lookup(tuple(self.stems[p.first : p.last]))
            if e.kind == "value"
            and others
            and all(self.r.reachable(m, e.target.split("=", 1)[0]) for m in others)
        ]
        if not values:
            return False
        p.kind, p.entries = "value", values
        return True

    def source_value(self, p: _Pick) -> bool:
        """The one metric word read is an entity noun after a word of origin that is also a value, and an
        entity noun before it says who ("how many new accounts came from events"): it is that value.
        """
        words = self.stems[p.first : p.last]
        j = p.first - 1
        while j >= 0 and self.tokens[j].norm in ("the", "our", "a"):
            j -= 1
        if j < 0 or self.tokens[j].norm not in SOURCE_WORDS or words[0] not in self.r.entities.nouns:
            return False
        if not any(self.stems[k] in self.r.entities.nouns | self.r.texts.entity_words for k in range(j)):
            return False
        values = [e for e in self.lex.lookup(tuple(words)) if e.kind == "value"]
        if values:
            p.kind, p.entries = "value", values
        return bool(values)

    def names_value(self, i: int) -> bool:
        """Whether the word at ``i`` is, as typed, a whole value of a dimension ("Starter", "EMEA")."""
        word = self.tokens[i].norm
        after_on = i > 0 and self.tokens[i - 1].norm == "on"  # "customers on Starter"
        return (word not in self.r.everyday or after_on) and any(
            e.kind == "value" and e.source == "value" for e in self.lex.lookup((word,))
        )

    def beside_named(self, metrics: list[str]) -> set[int]:
        """The words right before or after a metric said by its own name ("avg csat rating": "rating" makes
        one noun phrase with "csat"; "mrr from yearly contracts": "contracts" qualifies, it does not rename).
        """
        out: set[int] = set()
        for x in self.res.spans.get("metrics", []):
            if x.how not in ("name", "label") or x.target not in metrics:
                continue
            inside = [t.index for t in self.tokens if x.start <= t.start < x.end]
            if inside:
                out.update({inside[0] - 1, inside[-1] + 1})
        return out

    def built_from(self, metric: str, parts: list[str]) -> bool:
        """Whether ``metric`` is computed from one of ``parts`` (a ratio's numerator or denominator, a derived
        metric's input).
        """
        m = self.r.model.metrics.get(metric)
        if m is None:
            return False
        inputs = {i.name for i in m.inputs} | {x.name for x in (m.numerator, m.denominator) if x is not None}
        return bool(inputs & set(parts))

    def described(self, metrics: list[str]) -> list[str]:
        """One metric whose own words (synonyms, description, definition) explain every word read as a
        metric and more of the question ("whats it costing us to acquire each new customer" → CAC, not new
        customers; "actions users took" → events alone): it replaces the reading. Words the chosen metric's
        description explains ("distinct users" → active users, "Distinct users with …") count as read.
        """
        if any(s.how == "measure list" for s in self.res.spans.get("metrics", [])):
            return metrics  # "count, total and average of invoices": each measure said is meant
        at = self.metric_positions()
        # a growth word ("how fast is … growing") says how it changes, and "base" after the metric ("user
        # base") its population: neither is evidence for another metric
        words = [
            (i, w)
            for i, w in self.content_words(at | self.qualifiers)
            if i in at or (self.stems[i] not in GROWTH_WORDS and not (w in POPULATION and i - 1 in at))
        ]
        if any(s.how in ("name", "label") for s in self.res.spans.get("metrics", [])):
            # "touchpoints by journey position": words after "by" ask for a breakdown, they do not rename
            # a metric named by its own name
            grouped = self.after_by()
            words = [(i, w) for i, w in words if i in at or i not in grouped]
        verbs = self.verbs_of_named(self.res.spans.get("metrics", []))
        words = [(i, w) for i, w in words if i not in verbs]
        unread = {i for i, _ in words if i not in at}
        joined = self.listed(self.res.spans.get("metrics", []))
        if (not unread and len(metrics) < 2) or (joined and len(metrics) > 1):
            return metrics  # a list of metrics ("mrr plus arr") stays a list
        compared = self.compared_measure(metrics)
        if compared is not None:
            return [compared]
        texts = self.r.texts
        ranked = self.base_first(texts.ranked(words))
        if not ranked:
            return metrics
        score, best, hit = ranked[0]
        if metrics == [best]:
            self.explained(best, hit - at)
            return metrics
        read = {i for i, _ in words if i in at}
        # a metric read from an entity noun alone ("clients" → customers) is only who is meant
        nouns = read if read and all(self.entity_noun(i) for i in read) else set()
        spans = self.res.spans.get("metrics", [])
        strong = not nouns and any(s.how in ("name", "label", "synonym", "learned") for s in spans)
        # a metric said by its own name ("mrr on our middle plans") is renamed on one word's evidence only to a
        # metric built from it ("what does a new customer cost us": CAC, spend over new customers)
        named = any(s.how in ("name", "label") and s.target in metrics for s in spans)
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
                named
                and len(hit & unread) < 2
                and best not in metrics
                and not self.built_from(best, metrics)
                and not (hit & unread & self.beside_named(metrics))
            )
            or (
                second >= score * 0.9 and best not in metrics
            )  # keeping one of the metrics read needs no margin
        ):
            return metrics
        self.shared_evidence(ranked, hit)
        for i in hit | nouns:
            self.used[i] = True
        self.res.spans["metrics"] = [s for s in spans if s.target == best]
        for i in sorted(hit - read):
            self.span("metrics", i, i + 1, best, "description")
        self.res.confidence -= 0.1
        return [best]

    def after_by(self) -> set[int]:
        """Positions of the unread words right after a "by" that is no passive's agent ("by journey
        position"), up to the next word something read or a linking word.
        """
        out: set[int] = set()
        for j, t in enumerate(self.tokens):
            if t.norm != "by" or j + 1 >= len(self.tokens) or self.agent(j, j + 1):
                continue
            k = j + 1
            while k < len(self.tokens) and not self.used[k] and self.tokens[k].norm not in FILLERS:
                out.add(k)
                k += 1
        return out

    def verbs_of_named(self, spans: list[Span]) -> set[int]:
        """Positions of a lone verb of winning or losing read as a metric that another span names by its
        name or label ("to win each new customer"): the verb says what the named metric says, so it is no
        evidence a described metric must explain ("what's it costing us to win each new customer": CAC).
        """
        named = {s.target for s in spans if s.how in ("name", "label")}
        out: set[int] = set()
        for s in spans:
            i = self.token_at.get(s.start)
            if (
                i is not None
                and s.target in named
                and s.how != "name"
                and self.tokens[i].end == s.end
                and self.tokens[i].norm in WIN_VERBS | LOSE_VERBS
            ):
                out.add(i)
        return out

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

    def explained(self, metric: str, positions: set[int]) -> None:
        """Claim words the metric's own description explains (they are not unknown words)."""
        for i in sorted(positions):
            if self.stems[i] in self.r.texts.entity_words:
                continue  # "accounts we refunded": the entity says who, for thresholds and counts
            if i > 0 and self.tokens[i - 1].norm == "by":
                continue  # "spend by ad creative": the words after "by" name a breakdown, not the metric
            if self.prefix_of_values(i + 1):
                continue  # "the paid channels": values the word begins, not the metric's "paid"
            self.used[i] = True
            self.span("metrics", i, i + 1, metric, "description")

    def metric_by_description(self) -> list[str]:
        """No metric phrase at all: the metric whose words explain two or more of the question's, clearly
        ahead of the next ("how much cash did clients pay us" → invoice revenue).
        """
        words = self.content_words(set())
        ranked = self.base_first(self.r.texts.ranked(words))
        if not ranked:
            return []
        score, best, hit = ranked[0]
        second = ranked[1][0] if len(ranked) > 1 else 0.0
        if len(hit) < 2 or second >= score * 0.8:
            return []
        self.shared_evidence(ranked, hit)
        for i in sorted(hit):
            self.used[i] = True
            self.span("metrics", i, i + 1, best, "description")
        self.res.confidence -= 0.15
        return [best]

    def base_first(self, ranked: list[tuple[float, str, set[int]]]) -> list[tuple[float, str, set[int]]]:
        """Among metrics the words explain about as well, the one the others are derived from ("money
        collected": invoice revenue, not net revenue, "Money collected, less refunds"): the question says
        nothing of what the derived ones take away or add. The derived ones leave the ranking.
        """
        if len(ranked) < 2:
            return ranked
        band = [r for r in ranked if r[0] >= ranked[0][0] * TIE_SHARE]
        for cand in band:
            derived = [
                r for r in band if r is not cand and self.derived_from(r[1], cand[1]) and cand[2] >= r[2]
            ]
            if derived and len(derived) == len(band) - 1:
                return [cand, *(r for r in ranked if r is not cand and r not in derived)]
        return ranked

    def derived_from(self, metric: str, base: str) -> bool:
        """Whether ``metric`` is computed from ``base``: an input of it, or the measure it accumulates."""
        metrics = self.r.model.metrics
        m, b = metrics[metric], metrics[base]
        inputs = {i.name for i in (*m.inputs, m.numerator) if i is not None}
        same_measure = m.measure is not None and b.measure is not None and m.measure.name == b.measure.name
        return base in inputs or (m.cumulative is not None and b.cumulative is None and same_measure)

    def entity_noun(self, i: int) -> bool:
        """Whether the word at ``i`` is a noun for an entity ("accounts", and "clients", folded to customer)."""
        entity = self.r.texts.entity_words
        return self.stems[i] in entity or word_key(self.tokens[i].norm) in {word_key(w) for w in entity}

    def shared_evidence(self, ranked: list[tuple[float, str, set[int]]], hit: set[int]) -> None:
        """Note a metric read from description words that another metric explains just as well: every word
        it explains beyond an entity noun ("accounts") is explained by a runner-up too ("revenue we lose" is
        churned MRR's "lost" and contraction MRR's "MRR lost … through downgrades"). The reading then rests
        on weights, not on a word only it has: it is answered below 0.8 (``calibrate``).
        """
        entity = self.r.texts.entity_words
        own = {i for i in hit if self.stems[i] not in entity and self.tokens[i].norm not in entity}
        score, best = ranked[0][0], ranked[0][1]
        text = " ".join(t.norm for t in self.tokens)
        want = (
            "count" if "how many" in text or "number of" in text else "currency" if "how much" in text else ""
        )
        metrics = self.r.model.metrics
        for other_score, other, other_hit in ranked[1:4]:
            if want and str(metrics[other].meta.get("unit") or "") != want:
                continue  # "how many accounts churned": churned MRR is no count, so no rival
            if (
                own <= other_hit
                and other_score >= score * SHARED_SHARE
                and not self.derived_from(other, best)
            ):
                self.weak_reading = f"read as {best}, though {other} explains the same words"
                return

    def prefix_of_values(self, k: int) -> bool:
        """Whether the word before ``k`` begins several values of a dimension named at ``k``."""
        word = self.tokens[k - 1].norm
        for c in self.by_first.get(k, []):
            for e in c.entries:
                info = self.lex.dims.get(e.target) if e.kind == "dimension" else None
                if info is not None and prefixed(word, info.values):
                    return True
        return False
