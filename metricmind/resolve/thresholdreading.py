"""Thresholds on a metric per entity, read as MetricFlow's metric filters: "customers with over 5k MRR",
"which accounts are paying us more than 15k a month", "how many borrowers had over $40k funded".

The passes of ``_ThresholdReading`` (under the resolver's ``_Reading``); ``thresholds`` finds the comparison
and the amount, these passes find the metric, whom it is per and what the question counts or shows.
"""

from __future__ import annotations

from metricmind.resolve.analyst import is_snapshot
from metricmind.resolve.composed import _ComposedReading
from metricmind.resolve.describe import PHRASE_WEIGHT
from metricmind.resolve.describe import key as word_key
from metricmind.resolve.entities import counts_of
from metricmind.resolve.entitynames import distinct_counts_near, entity_of_name, name_dimensions
from metricmind.resolve.percentscale import as_metric_value
from metricmind.resolve.reading import _Pick
from metricmind.resolve.resolution import Filter
from metricmind.resolve.sqlops import having_column, metric_of_column, rows_counted
from metricmind.resolve.text import stems
from metricmind.resolve.thresholds import OBJECT_PRONOUNS, RELATIVE_WORDS, find_threshold, verbish
from metricmind.resolve.unitthreshold import unit_metric
from metricmind.spec.names import METRIC_TIME

PAYING_VERBS = frozenset({"pay", "pays", "paid", "paying", "spend", "spends", "spent", "spending"})
"""Verbs of a customer paying us, before a threshold ("customers that spent over 50k")."""
THRESHOLD_WINDOW_CONFIDENCE = 0.75
"""The most a threshold per entity carries when the question names a period: the threshold's metric is
computed over all time, the answer's over the period."""


def inflections(verb: str) -> set[str]:
    """A regular verb's forms ("owe" → owe, owes, owed, owing): a description says it in any of them."""
    base = verb.removesuffix("s") if verb.endswith("es") or not verb.endswith("ss") else verb
    stem = base.removesuffix("e")
    return {verb, base, base + "s", base + "d" if base.endswith("e") else base + "ed", stem + "ing"}


COUNT_WORDS = frozenset({"number", "count", "total", "of", "the"})
"""Words that say a count of what follows ("the number of customers")."""


class _ThresholdReading(_ComposedReading):
    """The threshold passes."""

    threshold = False  # a threshold per entity was read ("customers with over 5k MRR")

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
        # ("number of customers": the count of whom the threshold is per, a synonym of it or not)
        entity = {s.target for s in spans if set(self.span_stems(s)) - COUNT_WORDS <= nouns}
        at = self.tokens[th.first].start
        near = sorted((abs(s.start - at), s.target) for s in spans if s.target not in entity)
        after = self.metric_after(th.last) or self.monthly_payment(th.first, th.last)
        unit = (
            None
            if after is not None
            else unit_metric(self.tokens, self.used, th.first, th.last, self.r.model, self.r.texts)
        )
        if unit is not None:  # "learners who watched more than 300 minutes": the metric of that verb and unit
            after = unit[0]
            for k in unit[1:]:
                self.claim(k, k + 1)
                self.span("metrics", k, k + 1, after, "threshold unit")
        if after is not None:
            # "customers paying more than 3k MRR", "pay us over 20k of mrr": the metric named after the amount
            # is what the amount measures, whatever verb or metric stands before it
            near = [(0, after)]
        summed = self.having_metric()
        if summed is not None:
            after = summed  # "having sum(gross_usd) > 50": the metric the column is the measure of
            near = [(0, summed)]
        paid = None if after is not None else self.what_they_paid(th.first, entity)
        if paid is not None:
            near = [(0, paid)]  # "customers who spent more than 20k": what they paid us, not our spend
        if not near:
            return
        metric = near[0][1]
        # its name, else its key; or the name column its own noun is the label of ("Agent" on agent_name), as
        # "by agent" reads it
        said = {e.target for e in self.lex.lookup(stems(who.replace("_", " "))) if e.kind == "dimension"}
        by = next((n for n in name_dimensions(who) if n in self.lex.dims and n in said), None)
        by = by or (f"{who}__name" if f"{who}__name" in self.lex.dims else who)
        if not self.r.reachable(metric, by):
            return
        self.claim(th.first, th.last)
        self.threshold = True
        norms = " ".join(t.norm for t in self.tokens)
        distinct = "count distinct" in norms  # SQL's "count(distinct player) … having sum(x) > 50"
        if (
            "how many" in norms
            or "number of" in norms
            or "count of" in norms
            or "# of" in res.question
            or distinct
            or rows_counted(res.question)  # "count(*) claims having sum(incurred) > 50000": the claims
        ):
            counted = (
                (distinct_counts_near(self.r.model, who, metric)[:1] if distinct else [])
                or [m for m in res.metrics if m in entity and m != metric]
                or [e.target for e in self.lex.lookup((who,)) if e.kind == "metric"][:1]
                or counts_of(self.r.model, who, metric)[:1]  # the catalog's count of who, near the metric
            )
            res.metrics = counted or res.metrics
            if distinct:  # ("group by player having …": the players counted, one number)
                res.group_by = [(n, g) for n, g in res.group_by if n not in (who, by)]
        else:
            res.metrics = [metric]
            res.group_by = [(n, g) for n, g in res.group_by if n not in name_dimensions(who)]
            if by not in [n for n, _ in res.group_by]:
                res.group_by.append((by, None))
        for i, stem in enumerate(self.stems):
            if stem == who and not self.used[i]:
                self.claim(i, i + 1)  # "sellers": whom the threshold is per
        value = as_metric_value(self.r.model, metric, th.value, th.percent)  # ("8.5%" of a fraction: 0.085)
        res.filters.append(Filter(who, th.op, (str(value),), metric=metric))
        self.span("filters", th.first, th.last, f"{metric} per {who} {th.op} {value:g}", "threshold")
        if th.upper is not None:
            upper = as_metric_value(self.r.model, metric, th.upper, th.percent)
            res.filters.append(Filter(who, "<=", (str(upper),), metric=metric))
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

    def verb_of_threshold(self, picks: list[_Pick]) -> list[str]:
        """No metric phrase, a threshold on an entity of the catalog and a verb beside it ("how many borrowers
        have applied more than 5 times"): the metric the verb names, before any metric is guessed from the
        words' descriptions (which would read the entity noun as some metric about it).
        """
        if any(p.kind == "metric" for p in picks):
            return []
        th = find_threshold(self.tokens, self.res.question, self.used)
        if th is None or self.threshold_entity() is None:
            return []
        verb = self.threshold_verb(th.first, th.last)
        if verb is None:  # "couriers who drove more than 500 km": the metric of that verb and unit
            unit = unit_metric(self.tokens, self.used, th.first, th.last, self.r.model, self.r.texts)
            if unit is not None:
                verb = unit[0]
                for k in unit[1:]:
                    self.claim(k, k + 1)
                    self.span("metrics", k, k + 1, verb, "threshold unit")
        return [verb] if verb is not None else []

    def threshold_verb(self, first: int, last: int) -> str | None:
        """The metric a verb beside a threshold names ("borrowers who applied more than 5 times": applications;
        "had more than $40k funded": the funded amount): of the simple metrics whose name holds the verb, the
        one named by it alone, or for an amount ("$", "40k") the one whose name says amount.
        """
        money = "$" in self.res.question[
            max(0, self.tokens[first].start - 2) : self.tokens[last - 1].end
        ] or any(self.tokens[k].norm in ("k", "m", "thousand", "million") for k in range(first, last))
        before = first - 1
        if before >= 1 and self.tokens[before].norm in OBJECT_PRONOUNS and not self.used[before]:
            before -= 1  # "owe us more than 2000": the verb stands before whom it is owed
        for k in (before, last):
            if not 0 <= k < len(self.tokens) or self.used[k] or not self.verb_at(k, first):
                continue
            word = word_key(self.tokens[k].norm)
            simple = [m for m, mm in self.r.model.metrics.items() if mm.type.value == "simple"]
            weights = self.r.texts.weights
            named = [m for m in simple if weights.get(m, {}).get(word, 0.0) >= PHRASE_WEIGHT]
            if money:
                named = [m for m in named if "amount" in m.split("_")]
            else:
                named = [m for m in named if len(m.split("_")) == 1]
            if not named and k == before:
                named = self.amounts_of_verb(k)
            if len(named) == 1:
                self.claim(k, k + 1)
                if k == before and before == first - 2:
                    self.claim(before + 1, first)  # (whom it is owed: "us")
                self.span("metrics", k, k + 1, named[0], "threshold verb")
                return named[0]
        return None

    def amounts_of_verb(self, k: int) -> list[str]:
        """The amount metrics (simple, "amount" in the name) whose own texts, description included, say the
        verb at ``k`` in any of its forms ("owe": "money owed by customers" → the overdue amount): read from
        the catalog's words. One is the verb's amount; several or none, no reading.
        """
        forms = {word_key(f) for f in inflections(self.tokens[k].norm)}
        model = self.r.model
        return [
            m
            for m, mm in model.metrics.items()
            if mm.type.value == "simple"
            and ("amount" in m.split("_") or mm.meta.get("unit") == "currency" or self.summed(m))
            and forms & set(self.r.texts.weights.get(m, {}))
        ]

    def summed(self, metric: str) -> bool:
        """Whether ``metric`` sums one measure of amounts (no unit declared; not a count kept as a sum)."""
        model = self.r.model
        measures = model.measures_of(metric)
        unit = model.metrics[metric].meta.get("unit")
        counted = metric.rsplit("_", 1)[-1] in self.r.entities.nouns | {
            n + "s" for n in self.r.entities.nouns
        }
        return (
            unit is None
            and not counted
            and len(measures) == 1
            and model.measures[measures[0]].agg.value == "sum"
        )

    def verb_of_read_metric(self, k: int) -> bool:
        """Whether the word at ``k`` stands as a verb (after a relative word, or before whom it is said of:
        "who owe", "owe us") and a read metric's own texts say it in another form ("owe" for the overdue
        amount, "money owed by customers"): the verb says what the metric says.
        """
        t = self.tokens[k]
        placed = (k >= 1 and self.tokens[k - 1].norm in RELATIVE_WORDS) or (
            k + 1 < len(self.tokens) and self.tokens[k + 1].norm in OBJECT_PRONOUNS
        )
        if not placed or not t.norm.isalpha():
            return False
        forms = {word_key(f) for f in inflections(t.norm)}
        return any(forms & set(self.r.texts.weights.get(m, {})) for m in self.res.metrics)

    def verb_at(self, k: int, first: int) -> bool:
        """Whether the word at ``k``, beside a threshold starting at ``first``, reads as a verb: by its form
        ("applied", "funded"), or by its place between a relative word and the threshold ("who owe more than",
        "who owe us over").
        """
        t = self.tokens[k]
        if verbish(t.norm):
            return True
        if k >= first or not t.norm.isalpha():
            return False
        return (k >= 1 and self.tokens[k - 1].norm in RELATIVE_WORDS) or (
            k == first - 2 and self.tokens[k + 1].norm in OBJECT_PRONOUNS
        )

    def threshold_entity(self) -> str | None:
        """Whom a threshold is per: an entity of the catalog named in the question ("sellers with over 5k
        GMV"), else the customer for the words people use for customers ("accounts", "clients", "logos").
        """
        entities = {e.name for sm in self.r.model.semantic_models.values() for e in sm.entities}
        for s in self.stems:  # the first one named: who ("accounts with 50+ events": customers, not events)
            if s in entities:
                return s
            named = entity_of_name(self.lex.lookup((s,)), entities)
            if named is not None:
                return named  # "which hotels sold …": the word of the property's name, so the property
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
        if not verbs:  # "customers who owe us more than 2000": the amount the verb's description says
            said = [
                (k, found)
                for k in range(max(0, first - 3), first)
                if not self.used[k] and self.verb_at(k, first)
                for found in [self.amounts_of_verb(k)]
                if len(found) == 1
            ]
            verbs, revenue = ([said[0][0]], said[0][1]) if said else ([], revenue)
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

    def having_metric(self) -> str | None:
        """The metric SQL's ``having sum(<column>)`` aggregates, read from the column (its words claimed)."""
        said = having_column(self.res.question)
        if said is None:
            return None
        plain = {
            m.name: tuple(self.r.model.measures_of(m.name))
            for m in self.r.model.metrics.values()
            if m.type == "simple" and not m.filter
        }
        metric = metric_of_column(said[0], plain)
        if metric is not None:
            for t in self.tokens:
                if said[1] <= t.start < said[2]:
                    self.claim(t.index, t.index + 1)
        return metric

    def metric_after(self, i: int) -> str | None:
        """The metric a phrase of one to three words right after position ``i`` names, if one does ("over 20k
        of MRR", "more than 5k in new MRR": across one preposition too).
        """
        across = i < len(self.tokens) and self.tokens[i].norm in ("of", "in", "worth") and not self.used[i]
        if across:
            i += 1
        for size in (3, 2, 1):
            words = tuple(self.stems[i : i + size])
            if len(words) < size:
                continue
            found = [e.target for e in self.lex.lookup(words) if e.kind == "metric"]
            if across:  # "over 20k of MRR" is an amount of it; "50k in invoices" is no count of invoices
                found = [
                    m for m in found if str(self.r.model.metrics[m].meta.get("unit") or "") == "currency"
                ]
            if found:
                return found[0]
        return None
