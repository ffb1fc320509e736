"""Metrics read from their descriptions: the words a data team wrote about them (``describe``) and the words
a chosen metric explains (amounts versus counts: ``amountwords``).
"""

from __future__ import annotations

from functools import cached_property

from metricmind.resolve.amountwords import _AmountReading
from metricmind.resolve.definition import defined_in_brackets
from metricmind.resolve.describe import content
from metricmind.resolve.describe import key as word_key
from metricmind.resolve.describedunit import changes_unit
from metricmind.resolve.exclusion import EXCLUSION_WORDS, in_cue
from metricmind.resolve.metricphrases import list_between
from metricmind.resolve.reading import _Pick
from metricmind.resolve.resolution import Span
from metricmind.resolve.shorthand import SHORT_FORMS
from metricmind.resolve.text import FILLERS
from metricmind.resolve.words import GROWTH_WORDS, LOSE_VERBS, SOURCE_WORDS, WIN_VERBS

MIN_GAIN = 2.0
"""How much a metric's description must explain beyond a reading made of names, labels or synonyms to
replace it (about one rare word: "costing" for CAC, not "paid" for invoice revenue)."""
POPULATION = frozenset({"base", "population"})
"""Words after a metric's noun that keep its measure ("our user base")."""
TIE_SHARE = 0.9
"""Metrics scoring within this share of the best are about as well explained."""
SHARED_SHARE = 0.6
"""A runner-up explaining the same words with at least this share of the best score makes the reading weak."""


class _DescribedReading(_AmountReading):
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
            and not in_cue(self.tokens, i)  # "not counting the US": the cue's verb, not a metric's word
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
        bracketed = defined_in_brackets(self.res)
        if bracketed is not None and bracketed[0] in metrics:
            # "total revenue (iap + ads)": the brackets say what it is, no other metric; the words of its own
            # description inside are read with it
            name, lo, hi = bracketed
            own = self.r.texts.weights.get(name, {})
            inside = {
                t.index
                for t in self.tokens
                if lo < t.start
                and t.end <= hi
                and {word_key(t.norm), word_key(self.stems[t.index])} & set(own)
            }
            self.explained(name, inside)
            # (a metric read only inside them is part of what they spell out: "completed gmv (no refunds)")
            spans = self.res.spans.get("metrics", [])
            return [
                m for m in metrics if m == name or any(s.target == m and not lo < s.start < hi for s in spans)
            ]
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
            # a metric named by its own name; nor does a word in a value's place ("from the saas companies")
            grouped = self.after_by()
            words = [(i, w) for i, w in words if i in at or (i not in grouped and not self.in_value_place(i))]
        verbs = self.verbs_of_named(self.res.spans.get("metrics", []))
        words = [(i, w) for i, w in words if i not in verbs and not self.lead_in_apart(i, at)]
        unread = {i for i, _ in words if i not in at}
        joined = self.listed(self.res.spans.get("metrics", []))
        if (not unread and len(metrics) < 2) or (joined and len(metrics) > 1):
            return metrics  # a list of metrics ("mrr plus arr") stays a list
        if len(metrics) == 1 and self.listed_apart(at, unread):
            return self.listed_described(metrics, at, [(i, w) for i, w in words if i in unread])
        compared = self.compared_measure(metrics)
        if compared is not None:
            return [compared]
        texts = self.r.texts
        full = self.base_first(texts.ranked(words))
        # one metric read, from plural entity nouns alone ("customers who …"): who is counted, a count
        counted = bool(at) and all(self.entity_noun(i) and self.tokens[i].norm != self.stems[i] for i in at)
        ranked = self.of_asked_unit(full, "count" if counted else "") if len(metrics) == 1 else full
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
            or (strong and not self.built_from(best, metrics) and changes_unit(self.r.model, metrics, best))
        ):
            return metrics
        self.shared_evidence(full, hit)
        for i in hit | nouns:
            self.used[i] = True
        self.res.spans["metrics"] = [s for s in spans if s.target == best]
        for i in sorted(hit - read):
            self.span("metrics", i, i + 1, best, "description")
        self.res.confidence -= 0.1
        return [best]

    def lead_in_apart(self, i: int, at: set[int]) -> bool:
        """Whether a colon stands between the word at ``i`` and every word read as a metric ("Prepping the
        account review with Duin Mode: how many parcels …"): a lead-in's words never rename the request's metric.
        """
        q, toks = self.res.question, self.tokens
        return (
            bool(at)
            and i not in at
            and all(":" in q[toks[min(i, a)].end : toks[max(i, a)].start] for a in at)
        )

    def listed_apart(self, at: set[int], unread: set[int]) -> bool:
        """Whether the unread words are an item of their own, a list word or mark between them and every
        metric read ("csat and avg rating": the second item is another metric, not a better name for both).
        """
        if not at or not unread:
            return False
        q, toks = self.res.question, self.tokens
        if max(unread) < min(at):
            return list_between(q, toks, max(unread), min(at))
        return min(unread) > max(at) and list_between(q, toks, max(at), min(unread))

    def listed_described(self, metrics: list[str], at: set[int], words: list[tuple[int, str]]) -> list[str]:
        """The metrics read, and the one an item listed apart describes clearly (two of its words or more,
        well ahead of the next); the metrics alone otherwise.
        """
        ranked = self.base_first(self.r.texts.ranked(words))
        if not ranked:
            return metrics
        score, best, hit = ranked[0]
        second = ranked[1][0] if len(ranked) > 1 else 0.0
        if best in metrics or len(hit) < 2 or second >= score * 0.8:
            return metrics
        for i in sorted(hit):
            self.used[i] = True
            self.span("metrics", i, i + 1, best, "description")
        self.res.confidence -= 0.1  # a metric said by its description's words: sure, not certain
        return [best, *metrics] if max(hit) < min(at) else [*metrics, best]

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

    def explained(self, metric: str, positions: set[int]) -> None:
        """Claim words the metric's own description explains (they are not unknown words)."""
        for i in sorted(positions):
            if self.stems[i] in self.r.texts.entity_words:
                continue  # "accounts we refunded": the entity says who, for thresholds and counts
            if i > 0 and self.tokens[i - 1].norm == "by":
                continue  # "spend by ad creative": the words after "by" name a breakdown, not the metric
            if i > 0 and self.tokens[i - 1].norm == "per" and self.said_in_metric(i):
                continue  # "ad spend per ad group": a word of the metric said again after "per" starts a new noun
            if self.prefix_of_values(i + 1):
                continue  # "the paid channels": values the word begins, not the metric's "paid"
            self.used[i] = True
            self.span("metrics", i, i + 1, metric, "description")

    def of_asked_unit(
        self, ranked: list[tuple[float, str, set[int]]], default: str = ""
    ) -> list[tuple[float, str, set[int]]]:
        """The ranking without metrics of another unit than the one asked ("how many" a count, "how much" an
        amount, else ``default``: a count when the only metric word is an entity noun, "customers who …"):
        "how many customers stopped paying" is churned customers, never the churned MRR its words explain as
        well. Metrics the catalog gives no unit stay; nothing is dropped when nothing would stay.
        """
        text = " ".join(t.norm for t in self.tokens)
        asked = "count" if "how many" in text else "currency" if "how much" in text else ""
        want = asked or default
        if not want or not ranked:
            return ranked
        units = {m: str(self.r.model.metrics[m].meta.get("unit") or "") for _, m, _ in ranked}
        # a unit only implied (by the entity counted) settles a near tie only, never a clear lead
        band = ranked if asked else [r for r in ranked if r[0] >= ranked[0][0] * TIE_SHARE]
        kept = [
            r for r in band if units[r[1]] in ("", want) or (want == "currency" and units[r[1]] != "count")
        ]
        return [*kept, *ranked[len(band) :]] if kept else ranked

    def in_value_place(self, i: int) -> bool:
        """Whether the word at ``i`` stands between a word of restriction and an entity noun ("from the saas
        companies", "among fintech customers"): it says which ones, like a value, whatever else it explains.
        """
        j = self.prev_word(i)
        if j < 0 or self.tokens[j].norm not in ("from", "among", "amongst") or i + 1 >= len(self.tokens):
            return False
        return self.entity_noun(i + 1)

    def said_in_metric(self, i: int) -> bool:
        """Whether the word at ``i`` is also a word of a phrase read as a metric elsewhere in the question."""
        at = self.metric_positions() - {i}
        return any(self.stems[k] == self.stems[i] for k in at)

    def metric_by_description(self) -> list[str]:
        """No metric phrase at all: the metric whose words explain two or more of the question's, clearly
        ahead of the next ("how much cash did clients pay us" → invoice revenue).
        """
        words = self.content_words(set())
        # a plural noun for an entity ("companies that stopped paying"): who is counted, should a tie need it
        counted = any(self.entity_noun(i) and t.norm != self.stems[i] for i, t in enumerate(self.tokens))
        ranked = self.of_asked_unit(self.base_first(self.r.texts.ranked(words)), "count" if counted else "")
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
