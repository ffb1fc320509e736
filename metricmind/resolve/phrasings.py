"""Passes for questions as people type them (issue 14): exclusions, values set against each other,
values named loosely, thresholds per customer, qualified revenue, attribution phrasing, and the
calibration of the confidence.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from metricmind.resolve.analyst import is_snapshot
from metricmind.resolve.composed import _ComposedReading
from metricmind.resolve.describe import PHRASE_WEIGHT
from metricmind.resolve.describe import key as word_key
from metricmind.resolve.entities import counts_of
from metricmind.resolve.exclusion import exclusion_after, exclusion_cue
from metricmind.resolve.leftvalues import after_cue, left_values, value_part
from metricmind.resolve.lexicon import Entry
from metricmind.resolve.loosevalues import DEMONYMS, demonym, prefixed
from metricmind.resolve.reading import _Pick
from metricmind.resolve.resolution import Filter, Span
from metricmind.resolve.thresholds import find_threshold, verbish
from metricmind.resolve.tiers import _TierReading
from metricmind.resolve.valuegroups import _ValueGroupReading
from metricmind.resolve.words import GRAMMAR, REDUCED_READ_PENALTY
from metricmind.spec.names import METRIC_TIME

EVERYDAY_SHORT = frozenset(
    {"de", "na", "us", "it", "or", "in", "on", "at", "as", "am", "is", "to", "no", "me", "id"}
)
"""Short words that are also everyday words: as aliases they count only as typed (upper case)."""
IGNORED_WORD_PENALTY = 0.25
"""Confidence lost per word left unexplained: one such word keeps the answer but below 0.8 (on the
blind-written dev split most answers that ignored a word were wrong); three make it a refusal.
"""
PAYING_VERBS = frozenset({"pay", "pays", "paid", "paying", "spend", "spends", "spent", "spending"})
"""Verbs of a customer paying us, before a threshold ("customers that spent over 50k")."""
THRESHOLD_WINDOW_CONFIDENCE = 0.75
"""The most a threshold per entity carries when the question names a period: the threshold's metric is
computed over all time, the answer's over the period."""
VS_WORDS = ("vs", "versus", "against")
"""Words that set two values against each other ("Starter vs Pro")."""
UNSURE_PENALTY = 0.25
"""Confidence lost for a reading the calibration found often wrong (see ``_PhrasingReading.calibrate``)."""
WEAK_CONFIDENCE = 0.7
"""The most a metric read from description words another metric explains as well can be trusted."""
WHICH_MORE = frozenset(
    {"which", "where", "who", "more", "most", "less", "fewer", "bigger", "better", "higher"}
)
"""With "or" between two values of one dimension, these make it a comparison ("iOS or Android: where …")."""


class _PhrasingReading(_ComposedReading, _TierReading, _ValueGroupReading):
    """The passes for loose phrasings (the metric passes below them, time and order above)."""

    threshold = False  # a threshold per entity was read ("customers with over 5k MRR")
    sort_only = False  # "biggest first": the ranking sorts without a limit
    polarity: tuple[int, int, int, int] | None = None  # a value and a cue that may or may not exclude it

    def calibrate(self) -> None:
        """Lower the confidence for readings that, on the blind-written dev split, were often wrong: a
        metric read from a shortened phrase ("churn" → churn rate), several metrics when one of them
        came from a synonym or modifier, a ranking with nothing to rank.
        """
        res = self.res
        if not res.answerable:
            return
        spans = res.spans.get("metrics", [])
        loose = [s for s in spans if s.how in ("synonym", "modifier", "reduced")]
        if len(res.metrics) > 1 and loose:
            res.confidence -= UNSURE_PENALTY
            res.notes.append(f"read several metrics, '{loose[0].text}' loosely as {loose[0].target}")
        elif any(s.how == "reduced" for s in spans):
            s = next(s for s in spans if s.how == "reduced")
            if self.split_word(s):
                return
            # (the metric pass took 0.1 for the shortened phrase already: one cause, one penalty)
            res.confidence -= UNSURE_PENALTY - REDUCED_READ_PENALTY
            res.notes.append(f"read '{s.text}' as {s.target}, a shortened name")
        if res.order_by and not res.group_by:
            res.confidence -= UNSURE_PENALTY
            res.notes.append("a ranking without a breakdown: nothing to rank")
        self.one_sided_versus()
        if self.measure_missing is not None:
            res.confidence -= UNSURE_PENALTY
            res.notes.append(self.measure_missing)
        if self.weak_reading is not None and any(s.how == "description" for s in spans):
            res.confidence = min(res.confidence, WEAK_CONFIDENCE)
            res.notes.append(self.weak_reading)

    def one_sided_versus(self) -> None:
        """Two words set against each other ("issued versus paid invoices") of which one became a filter and
        the other part of the metric: the comparison asked for is lost, so the answer is below 0.8.
        """
        res, toks = self.res, self.tokens
        for k in range(1, len(toks) - 1):
            if toks[k].norm not in VS_WORDS:
                continue
            sides = [self.part_at(toks[k - 1].start), self.part_at(toks[k + 1].start)]
            if sorted(sides) == ["filters", "metrics"]:
                res.confidence -= UNSURE_PENALTY
                res.notes.append(
                    f"'{toks[k - 1].text} {toks[k].text} {toks[k + 1].text}' read as one side only"
                )
                return

    def part_at(self, char: int) -> str:
        """The part (metrics, filters, …) whose words hold the character ``char``."""
        for part in ("metrics", "filters"):
            if any(s.start <= char < s.end for s in self.res.spans.get(part, [])):
                return part
        return ""

    def split_word(self, s: Span) -> bool:
        """A metric read from one word left when a generic word is dropped ("churn" for "churn rate") that is
        also a word of two or more other metrics' names ("churned MRR", "churned customers", "churned
        users"): the reading is really split, so ask back with the readings, unless the question ranks
        groups (then the rate, the one measure that compares groups of different sizes, is meant: "which
        plan has the most churn").
        """
        res = self.res
        at = [t.index for t in self.tokens if s.start <= t.start < s.end]
        if len(at) != 1 or len(res.metrics) != 1 or res.order_by or res.limit is not None or self.threshold:
            return False  # (a count under a threshold: the threshold's metric says which)
        word = self.stems[at[0]]
        owners = sorted(m for m, words in self.lex.metric_words.items() if word in words and m != s.target)
        if len(owners) < 2:
            return False
        choices = [s.target, *owners][:5]
        self.ambiguous = (at[0], choices)
        res.refuse(
            f"'{s.text}' could mean several metrics: {', '.join(choices)}",
            [self.describe(m) for m in choices],
        )
        return True

    def case_ok(self, case: str, i: int, text: str) -> bool:
        """A short upper-case alias typed in lower case counts unless it is also an everyday word
        ("smb", "uk" do; "us" only as "the us" or "ex-us"; "de", "na" only after a cue or set against a value).
        """
        if case == text:
            return True
        low = text.lower()
        if low != case.lower():
            return False
        if len(low) == 1:
            return False  # "a share of": one letter typed in lower case is a word, never the grade "A"
        if low == "us":  # "the us"; "ex-us", "non-us": a prefix of exclusion joined to it
            prev = self.tokens[i - 1] if i > 0 else None
            joined = prev is not None and self.res.question[prev.end : self.tokens[i].start] == "-"
            return prev is not None and (prev.norm == "the" or (joined and prev.norm in ("ex", "non")))
        if low in EVERYDAY_SHORT and low != "or":
            # "all regions except na", "emea versus na": after an exclusion cue, or set against a value
            return exclusion_cue(
                self.tokens, i, self.unclaimed, self.r.entities.nouns
            ) is not None or self.set_against_value(i)
        return low not in EVERYDAY_SHORT

    def set_against_value(self, i: int) -> bool:
        """Whether the word at ``i`` and a value stand on both sides of "vs", "versus", "against" or
        "compared with/to".
        """
        for j, k in ((i - 1, i - 2), (i + 1, i + 2)):
            if 0 <= k < len(self.tokens) and self.tokens[j].norm in VS_WORDS:
                if any(e.kind == "value" for e in self.lex.lookup((self.stems[k],))):
                    return True
        if self.value_before_versus(i):
            return True
        # "NA compared with EMEA", "EMEA compared to NA"
        for a, b, k in ((i + 1, i + 2, i + 3), (i - 2, i - 1, i - 3)):
            if 0 <= min(a, k) and max(b, k) < len(self.tokens):
                pair = (self.tokens[a].norm, self.tokens[b].norm)
                if pair in (("compared", "with"), ("compared", "to")) and any(
                    e.kind == "value" for e in self.lex.lookup((self.stems[k],))
                ):
                    return True
        return False

    def value_before_versus(self, i: int) -> bool:
        """Whether a value of several words stands before "vs", maybe with its entity noun and a word of
        time between ("sold out listings vs still active ones").
        """
        j = i - 1
        while j >= 0 and self.tokens[j].norm in ("still", "currently", "the", "those", "now"):
            j -= 1
        if j < 1 or self.tokens[j].norm not in VS_WORDS:
            return False
        k = j - 1
        while k >= 0 and self.stems[k] in self.r.entities.nouns:
            k -= 1
        return any(e.kind == "value" for c in self.by_last.get(k + 1, []) for e in c.entries)

    def read_loose_values(self) -> None:
        """Values named loosely: "Aussie companies" (a demonym), "paid channels" (a word several values of
        the dimension named next begin with).
        """
        res = self.res
        if not res.answerable or not res.metrics:
            return
        values = {
            name: info.values
            for name, info in self.lex.dims.items()
            if info.values and all(self.r.reachable(m, name) for m in res.metrics)
        }
        for i in range(len(self.tokens)):
            hit = None if self.used[i] else demonym(self.tokens, i, values)
            if hit is not None:
                neg = self.negated(i)
                res.filters.append(Filter(hit[0], "!=" if neg else "=", (hit[1],)))
                self.claim(i, i + 1)
                self.span("filters", i, i + 1, f"{hit[0]}{'!=' if neg else '='}{hit[1]}", "demonym")
        for s in list(res.spans.get("group_by", [])):
            k = self.token_at.get(s.start)
            if k is None or k == 0 or self.used[k - 1] or s.target not in values:
                continue
            vals = prefixed(self.tokens[k - 1].norm, values[s.target])
            if not vals:
                continue
            # "paid channels": the values, not a breakdown
            res.group_by = [g for g in res.group_by if g[0] != s.target]
            res.spans["group_by"] = [x for x in res.spans["group_by"] if x.target != s.target]
            neg = self.negated(k - 1)
            res.filters.append(Filter(s.target, "not in" if neg else "in", tuple(vals)))
            self.claim(k - 1, k)
            self.span(
                "filters", k - 1, k + 1, f"{s.target} {'not in' if neg else 'in'} {', '.join(vals)}", "prefix"
            )
        self.read_places(values, self.negated)
        self.read_shared_words(values, self.negated)
        self.read_partial_pairs(values)
        self.align_listed()
        grouped = {n for n, _ in res.group_by}
        for k in range(1, len(self.tokens)):
            if self.used[k - 1]:
                continue
            dims = [e.target for c in self.by_first.get(k, []) for e in c.entries if e.kind == "dimension"]
            for dim in dims:
                vals = prefixed(self.tokens[k - 1].norm, values.get(dim, ()))
                if vals and dim in grouped:
                    # "CAC per channel for the paid channels": grouped by it, and kept to those values
                    neg = self.negated(k - 1)
                    res.filters.append(Filter(dim, "not in" if neg else "in", tuple(vals)))
                    self.claim(k - 1, k + 1)
                    self.span(
                        "filters",
                        k - 1,
                        k + 1,
                        f"{dim} {'not in' if neg else 'in'} {', '.join(vals)}",
                        "prefix",
                    )
                    break

    def restates(self, p: _Pick) -> bool:
        """Whether a value's words are all words of a metric's own name, label or synonyms ("paid" for
        invoice revenue, "paid revenue"; "paying" for active customers, "paying customers").
        """
        words = [t.norm for t in self.tokens[p.first : p.last]]
        return any(
            all(self.r.texts.weights.get(m, {}).get(word_key(w), 0.0) >= PHRASE_WEIGHT for w in words)
            for m in self.res.metrics
        )

    def read_left_values(self) -> None:
        """Values still unexplained once the reading is complete ("new MRR for email", "users touching the
        api", "customers who left for a competitor"): filters of a dimension every metric reaches.
        """
        res = self.res
        if not res.answerable or not res.metrics:
            return
        taken = {f.field for f in res.filters} | {n for n, _ in res.group_by}

        def choose(entries: list[Entry]) -> str | None:
            name = self.choose(entries)[0]
            return None if name is None or name in taken else name

        cands = [c for cs in self.by_first.values() for c in cs]
        for c, dim, value in left_values(cands, self.used, choose):
            words = [t.norm for t in self.tokens[c.first : c.last]]
            if (
                c.fuzzy  # a typo's nearest word ("actually" → annually) is too weak to filter by
                or self.restates(c)
                or dim in taken
                or self.in_group_context(c.first)  # "by browser": a breakdown, not a filter
                or any(w in GRAMMAR or self.stems[k] in GRAMMAR for k, w in enumerate(words, c.first))
                # "accounts paying by card": a verb ("browser" is a noun, whatever its ending)
                or (len(words) == 1 and verbish(words[0]) and not words[0].endswith("er"))
                or self.describes_other_metric(c, value)
            ):
                continue
            self.add_left_value(c.first, c.last, dim, value, "unexplained value")
        reachable = {
            name: info.values
            for name, info in self.lex.dims.items()
            if info.values and name not in taken and all(self.r.reachable(m, name) for m in res.metrics)
        }
        for i, t in enumerate(self.tokens):
            if self.used[i] or not after_cue(self.tokens, i):
                continue
            hit = value_part(self.stems[i], reachable) or value_part(t.norm, reachable)
            if hit is not None and hit[0] not in taken:
                self.add_left_value(i, i + 1, hit[0], hit[1], "part of a value")

    def describes_other_metric(self, c: _Pick, value: str) -> bool:
        """A one-word alias of a value ("cost" for the cancel reason price) that is also a word of the
        description of a metric not read ("what does it cost to win a client": CAC, "Customer acquisition
        cost"): a word about the measure, not a filter.
        """
        if c.last - c.first != 1 or self.tokens[c.first].norm == value.lower():
            return False
        j = self.prev_word(c.first)
        if after_cue(self.tokens, c.first) or (j >= 0 and self.tokens[j].norm in ("over", "about", "of")):
            return False  # "left over cost", "because of cost": the reason named
        k = word_key(self.tokens[c.first].norm)
        return any(k in w for m, w in self.r.texts.weights.items() if m not in self.res.metrics)

    def drop_entity_verb(self) -> None:
        """A metric read from the verb after the entity grouped by ("Which customers churned last month, and
        how much MRR did we lose from each?"): that word says which ones are listed; a metric read from it alone (churn rate) beside
        another metric is not asked for (counting each customer once per customer says nothing).
        """
        res = self.res
        if len(res.metrics) < 2:
            return
        grouped = {s.end for s in res.spans.get("group_by", []) if s.target.endswith("__name")}
        spans = res.spans.get("metrics", [])
        for s in list(spans):
            if s.how != "reduced" or " " in s.text.strip():
                continue
            i = self.token_at.get(s.start)
            if i is None or i == 0 or self.tokens[i - 1].end not in grouped:
                continue
            others = {x.target for x in spans if x.target != s.target}
            if others & set(res.metrics):
                res.metrics = [m for m in res.metrics if m != s.target]
                res.spans["metrics"] = [x for x in spans if x.target != s.target]

    def add_left_value(self, first: int, last: int, dim: str, value: str, how: str) -> None:
        neg = self.negated(first, last)
        self.res.filters.append(Filter(dim, "!=" if neg else "=", (value,)))
        self.claim(first, last)
        self.span("filters", first, last, f"{dim}{'!=' if neg else '='}{value}", how)

    def read_threshold(self) -> None:
        """A threshold per customer ("customers with over 5k MRR"): a filter on the metric per customer."""
        res = self.res
        th = find_threshold(self.tokens, res.question, self.used)
        who = self.threshold_entity()
        if th is None or who is None:
            return  # "invoices over 1000 dollars": an amount per row, which the catalog cannot apply
        nouns = self.r.entities.party_words | {who}
        spans = res.spans.get("metrics", [])
        # (the stems as read, shorthand spelled out: "custs", "cust w/ over 3k")
        entity = {s.target for s in spans if set(self.span_stems(s)) <= nouns}
        at = self.tokens[th.first].start
        near = sorted((abs(s.start - at), s.target) for s in spans if s.target not in entity)
        after = self.metric_after(th.last) or self.monthly_payment(th.first, th.last)
        if after is not None and not near:
            near = [(0, after)]  # "customers paying more than 3k MRR": the metric named after the amount
        paid = None if after is not None else self.what_they_paid(th.first, entity)
        if paid is not None:
            near = [(0, paid)]  # "customers who spent more than 20k": what they paid us, not our spend
        if not near:
            return
        metric = near[0][1]
        by = f"{who}__name" if f"{who}__name" in self.lex.dims else who  # its name, else its key
        if not self.r.reachable(metric, by):
            return
        self.claim(th.first, th.last)
        self.threshold = True
        norms = " ".join(t.norm for t in self.tokens)
        if "how many" in norms or "number of" in norms or "count of" in norms or "# of" in res.question:
            counted = (
                [m for m in res.metrics if m in entity]
                or [e.target for e in self.lex.lookup((who,)) if e.kind == "metric"][:1]
                or counts_of(self.r.model, who, metric)[:1]  # the catalog's count of who, near the metric
            )
            res.metrics = counted or res.metrics
        else:
            res.metrics = [metric]
            if by not in [n for n, _ in res.group_by]:
                res.group_by.append((by, None))
        for i, stem in enumerate(self.stems):
            if stem == who and not self.used[i]:
                self.claim(i, i + 1)  # "sellers": whom the threshold is per
        res.filters.append(Filter(who, th.op, (str(th.value),), metric=metric))
        self.span("filters", th.first, th.last, f"{metric} per {who} {th.op} {th.value:g}", "threshold")
        if th.upper is not None:
            res.filters.append(Filter(who, "<=", (str(th.upper),), metric=metric))
        current = (
            is_snapshot(self.r.model, metric) and res.time_range is not None and res.time_range[1] > res.as_of
        )
        if res.time_range is not None and not current:
            # (a snapshot's latest value over all time is its value now: "owe more than 10k rn" is right)
            # a metric filter is computed over all time (as MetricFlow does): say so, never answer confidently
            # as if the threshold were on the period asked
            res.notes.append(
                f"the threshold is on each {who}'s {metric} over all recorded history (a metric filter is "
                "computed over all time), not only over the period asked"
            )
            res.confidence = min(res.confidence, THRESHOLD_WINDOW_CONFIDENCE)

    def implied_by_threshold(self) -> list[str]:
        """No metric named, but a threshold on what an entity pays ("which accounts are paying us more than
        15k a month"): the monthly payment (MRR) or the revenue the threshold is on, per that entity.
        """
        th = find_threshold(self.tokens, self.res.question, self.used)
        if th is None or self.threshold_entity() is None:
            return []
        monthly = self.monthly_payment(th.first, th.last)
        if monthly is None:
            paid = self.what_they_paid(th.first, set())
            if paid is not None:
                return [paid]
            verb = self.threshold_verb(th.first, th.last)
            return [verb] if verb is not None else []
        verbs = [k for k in range(th.first) if self.tokens[k].norm in PAYING_VERBS]
        if verbs:
            # "customers are paying us at least 20k monthly": what they pay, not the lifecycle stage "paying"
            at = self.tokens[verbs[-1]].start
            held = [x for x in self.res.spans.get("filters", []) if x.start <= at < x.end]
            for x in held:
                self.res.filters = [f for f in self.res.filters if f.field != x.target.split("=", 1)[0]]
            self.res.spans["filters"] = [x for x in self.res.spans.get("filters", []) if x not in held]
            self.claim(verbs[-1], verbs[-1] + 1)
            self.span("metrics", verbs[-1], verbs[-1] + 1, monthly, "paid")
        return [monthly]

    def threshold_verb(self, first: int, last: int) -> str | None:
        """The metric a verb beside a threshold names ("borrowers who applied more than 5 times": applications;
        "had more than $40k funded": the funded amount): of the simple metrics whose name holds the verb, the
        one named by it alone, or for an amount ("$", "40k") the one whose name says amount.
        """
        money = "$" in self.res.question[
            max(0, self.tokens[first].start - 2) : self.tokens[last - 1].end
        ] or any(self.tokens[k].norm in ("k", "m", "thousand", "million") for k in range(first, last))
        for k in (first - 1, last):
            if not 0 <= k < len(self.tokens) or self.used[k] or not verbish(self.tokens[k].norm):
                continue
            word = word_key(self.tokens[k].norm)
            named = [
                m
                for m, w in self.r.texts.weights.items()
                if w.get(word, 0.0) >= PHRASE_WEIGHT and self.r.model.metrics[m].type.value == "simple"
            ]
            if money:
                named = [m for m in named if "amount" in m.split("_")]
            else:
                named = [m for m in named if len(m.split("_")) == 1]
            if len(named) == 1:
                self.claim(k, k + 1)
                self.span("metrics", k, k + 1, named[0], "threshold verb")
                return named[0]
        return None

    def threshold_entity(self) -> str | None:
        """Whom a threshold is per: an entity of the catalog named in the question ("sellers with over 5k
        GMV"), else the customer for the words people use for customers ("accounts", "clients", "logos").
        """
        entities = {e.name for sm in self.r.model.semantic_models.values() for e in sm.entities}
        for s in self.stems:  # the first one named: who ("accounts with 50+ events": customers, not events)
            if s in entities:
                return s
            if s in self.r.entities.party_words and self.r.entities.party is not None:
                return self.r.entities.party  # the party's generic words ("clients", "logos")
        return None

    def read_paid(self) -> None:
        """Before breakdowns are read: a threshold on what customers paid ("which accounts spent more than
        10k") sets the metric (revenue), so "which accounts" then groups it, not marketing spend.
        """
        th = find_threshold(self.tokens, self.res.question, self.used)
        if th is not None and self.metric_after(th.last) is None and not self.per_month(th.last):
            spans = self.res.spans.get("metrics", [])
            self.what_they_paid(
                th.first, {s.target for s in spans if set(self.span_stems(s)) <= self.r.entities.party_words}
            )

    def what_they_paid(self, first: int, entity: set[str]) -> str | None:
        """A verb of paying right before a threshold, said of the entity ("customers that spent over
        50k", "accounts who paid us more than 5000"), with no other metric named than one read from that
        verb: the amount customers pay, the catalog's revenue, per customer.
        """
        verbs = [k for k in range(max(0, first - 3), first) if self.tokens[k].norm in PAYING_VERBS]
        revenue = [e.target for e in self.lex.lookup(("revenue",)) if e.kind == "metric"]
        if (
            not verbs
            or not revenue
            or not any(self.stems[k] in self.r.entities.party_words for k in range(verbs[0]))
        ):
            return None
        at = self.tokens[verbs[0]].start
        spans = [s for s in self.res.spans.get("metrics", []) if s.target not in entity]
        if any(not (s.start <= at < s.end or s.how == "description") for s in spans):
            return None  # "customers paying over 5k in new MRR": the metric is named
        self.res.spans["metrics"] = [s for s in self.res.spans.get("metrics", []) if s not in spans]
        self.res.metrics = [m for m in self.res.metrics if m in entity] or [revenue[0]]
        self.claim(verbs[0], verbs[0] + 1)
        self.span("metrics", verbs[0], verbs[0] + 1, revenue[0], "paid")
        return revenue[0]

    def monthly_payment(self, first: int, last: int) -> str | None:
        """What a customer pays each month ("paying over 1000 a month"): the catalog's monthly recurring
        revenue; the words "a month" are then no breakdown by month.
        """
        norms = [t.norm for t in self.tokens]
        paying = any(
            w in ("pay", "pays", "paying", "paid", "spend", "spends", "spending") for w in norms[:first]
        )
        if not (paying and self.per_month(last)):
            return None
        slash = norms[last] in ("month", "monthly")  # one word: "10k/mo", "20k monthly"
        found = [e.target for e in self.lex.lookup(("monthly", "recurring", "revenue")) if e.kind == "metric"]
        if not found:
            return None
        self.res.group_by = [g for g in self.res.group_by if g != (METRIC_TIME, "month")]
        self.res.spans["group_by"] = [x for x in self.res.spans.get("group_by", []) if x.how != "grain"]
        self.claim(last, last + (1 if slash else 2))
        return found[0]

    def per_month(self, last: int) -> bool:
        """Whether "a month", "per month", "each month" or "/mo" follows the amount ending at ``last``."""
        norms = [t.norm for t in self.tokens[last : last + 2]]
        slash = (  # "10k/mo"
            norms[:1] == ["month"]
            and self.res.question[self.tokens[last - 1].end : self.tokens[last].start] == "/"
        )
        return (
            slash
            or norms[:1] == ["monthly"]
            or norms in (["a", "month"], ["per", "month"], ["each", "month"])
        )

    def metric_after(self, i: int) -> str | None:
        """The metric a phrase of one to three words right after position ``i`` names, if one does."""
        for size in (3, 2, 1):
            words = tuple(self.stems[i : i + size])
            if len(words) < size:
                continue
            found = [e.target for e in self.lex.lookup(words) if e.kind == "metric"]
            if found:
                return found[0]
        return None

    def entity_after_value(self, p: _Pick) -> bool:
        """An entity noun right after a value or a country adjective ("enterprise accounts", "Aussie
        companies") says who is counted, not what to group by.
        """
        if p.last - p.first != 1 or not all(e.target.endswith("__name") for e in p.entries):
            return False
        if self.tokens[p.first].norm == self.stems[p.first] or self.in_group_context(p.first):
            return False  # singular ("by customer") or after by/per/which
        if self.norm_set & {"which", "what", "list", "who", "whose"}:
            return False
        j = p.first - 1
        if j < 0:
            return False
        before = self.by_last.get(p.first, [])
        return any(c.entries and any(e.kind == "value" for e in c.entries) for c in before) or (
            self.tokens[j].norm in DEMONYMS
        )

    def agreeing(self, p: _Pick, picks: list[_Pick]) -> list[Entry]:
        """A value of several dimensions ("Enterprise": segment or plan) listed with a value of only one
        of them ("Enterprise vs SMB") means that one.
        """
        dims = {e.target.split("=", 1)[0] for e in p.entries}
        if len(dims) < 2:
            return p.entries
        lo = bisect_left([q.first for q in picks], p.first - 8)  # picks are in question order
        others = [
            {e.target.split("=", 1)[0] for e in o.entries}
            for o in picks[lo : lo + 16]
            if o is not p and o.kind == "value" and abs(o.first - p.last) <= 4 and abs(p.first - o.last) <= 4
        ]
        for o in others:
            if len(o) == 1 and o <= dims:
                return [e for e in p.entries if e.target.split("=", 1)[0] in o]
        # "vintage sellers": the value of the dimension whose entity the next word names
        after = self.stems[p.last] if p.last < len(self.tokens) else ""
        own = [e for e in p.entries if e.target.split("__", 1)[0] == after]
        return own or p.entries

    def dimension_nouns(self, i: int) -> frozenset[str]:
        """The words of the names of the dimensions a value at ``i`` belongs to ("payment", "method")."""
        dims = {
            e.target.split("=", 1)[0]
            for c in self.by_first.get(i, [])
            for e in c.entries
            if e.kind == "value"
        }
        return frozenset(w for d in dims for w in re.split(r"_+", d) if len(w) > 2)

    def negated(self, i: int, last: int | None = None) -> bool:
        """Whether an exclusion cue ("excluding", "apart from", "all … but", or after the value ending at
        ``last``: "partner excluded", "EMEA aside") governs the value at ``i``.
        """
        cue = exclusion_cue(self.tokens, i, self.used, self.r.entities.nouns)
        if cue is None and last is not None:
            cue = exclusion_after(self.tokens, last, self.dimension_nouns(i))
        if cue is None:
            return False
        self.claim(*cue)
        return True
