"""Metrics composed from others: qualified revenue, two metrics that name a third, one metric per another
(a ratio), entities won or lost, attribution models.
"""

from __future__ import annotations

from metricmind.resolve.attribution import (
    CREDIT_WORDS,
    DEFAULT_MODEL,
    Attribution,
    listed_models,
    read_model,
    speaks_of_credit,
    wants_analysis,
)
from metricmind.resolve.metricwords import _MetricReading
from metricmind.resolve.resolution import Span
from metricmind.resolve.text import root, stems, tokenize
from metricmind.resolve.wonlost import closed_stage, verb_before_entity
from metricmind.resolve.words import LOSE_VERBS, WIN_VERBS

MODEL_CUES = frozenset({"under", "using", "with", "via", "per", "on", "by"})
"""Words before an attribution model's name that say it is the model ("under last touch")."""
RATIO_GAP = frozenset({"per", "each", "every", "divided", "by", "over", "for", "a", "an", "the", "our"})
"""The words that may stand between a numerator and a denominator ("spend per new customer")."""
COUNT_WORDS = frozenset({"number", "of", "count", "how", "many"})
"""Words a span of a counted entity may hold besides the entity ("number of clients")."""


class _ComposedReading(_MetricReading):
    """Passes that turn the metrics read into the one(s) the catalog means."""

    def read_qualified(self) -> None:
        """Qualified revenue ("MRR from new logos", "recurring revenue from brand-new customers"): a metric
        qualified by the kind of customer it comes from is that kind's metric (new MRR), if the catalog has it.
        """
        res = self.res
        spans = res.spans.get("metrics", [])
        for a in spans:
            for b in spans:
                if b.start <= a.end or b.start - a.end > 40 or a.target == b.target:
                    continue  # (only near pairs: reading stays linear in the question's length)
                between = stems(res.question[a.end : b.start])
                words = self.span_stems(b)
                if "from" not in between or len(between) > 4 or words[-1] not in self.r.entities.nouns:
                    continue
                mods, own = words[:-1], self.span_stems(a)
                if not mods:
                    # "mrr from first-time customers": the words before the entity, said of the amount
                    said = self.family_member(a.target, self.words_before(b))
                    if said is not None:
                        self.replace_qualified(a, b, said)
                        self.res.confidence -= 0.1  # read from the family's descriptions
                        return
                if mods and set(mods) <= set(own):
                    found = [a.target]  # "new MRR from brand new logos": the qualifier is said already
                else:
                    found = [e.target for e in self.lex.lookup((*mods, *own)) if e.kind == "metric"]
                    found = found or self.holding(
                        (*mods, *own)
                    )  # "revenue from new logos": new recurring revenue
                if not mods or not found:
                    continue
                self.replace_qualified(a, b, found[0])
                return

    def replace_qualified(self, a: Span, b: Span, found: str) -> None:
        """Read the amount ``a`` qualified by who it comes from (``b``) as the metric ``found``."""
        res = self.res
        res.metrics = [found if m == a.target else m for m in res.metrics if m != b.target]
        res.metrics = list(dict.fromkeys(res.metrics))
        res.spans["metrics"] = [x for x in res.spans.get("metrics", []) if x is not b and x is not a]
        self.span_chars("metrics", a.start, b.end, found, "qualified")

    def words_before(self, b: Span) -> list[int]:
        """The unread words right before the span ``b`` back to "from" ("from first-time customers")."""
        i = self.token_at.get(b.start)
        out: list[int] = []
        j = (i if i is not None else 0) - 1
        while j >= 0 and not self.used[j] and self.tokens[j].norm not in ("from", "by", "of"):
            if self.tokens[j].norm not in ("the", "our", "a", "an", "all"):
                out.append(j)
            j -= 1
        return out[::-1] if j >= 0 and self.tokens[j].norm == "from" else []

    def family_member(self, amount: str, words: list[int]) -> str | None:
        """The one metric of ``amount``'s family (its label's words in its own, the same unit) whose texts
        say the qualifier ``words`` as typed ("first-time": New MRR, "MRR of customers who had none the month
        before (first-time and returning customers)"); of metrics refining another (attributed new MRR), the
        one they refine.
        """
        models = self.r.model.metrics
        if not words or amount not in models:
            return None
        said = [self.tokens[k].norm for k in words]
        base = set(stems(models[amount].label or amount))
        unit = models[amount].meta.get("unit")
        found: dict[str, set[str]] = {}
        for name, m in models.items():
            label = set(stems(m.label or name))
            if name == amount or not base < label or m.meta.get("unit") != unit:
                continue
            syn = m.meta.get("synonyms")
            text = " ".join(
                [m.label or "", m.description or "", str(m.meta.get("definition") or "")]
                + ([str(x) for x in syn] if isinstance(syn, list) else [])
            )
            norms = [t.norm for t in tokenize(text)]
            if any(norms[k : k + len(said)] == said for k in range(len(norms))):
                found[name] = label
        bases = [n for n, label in found.items() if not any(other < label for other in found.values())]
        return bases[0] if len(bases) == 1 else None

    def read_their(self) -> None:
        """A metric said of the entities another metric counts ("churned customers and their MRR"): the
        first metric's qualifier with the second metric's words, when the catalog has that metric (churned
        MRR); otherwise the plain metric would answer for every customer.
        """
        res = self.res
        spans = res.spans.get("metrics", [])
        for b in spans:
            before = self.res.question[: b.start].rstrip().lower()
            if not before.endswith((" their", " its")):
                continue
            for a in spans:
                words = self.span_stems(a)
                if a.end > b.start or len(words) < 2 or words[-1] not in self.r.entities.party_words:
                    continue
                found = [
                    e.target
                    for e in self.lex.lookup((*words[:-1], *self.span_stems(b)))
                    if e.kind == "metric"
                ]
                if found and found[0] not in res.metrics:
                    res.metrics = [found[0] if m == b.target else m for m in res.metrics]
                    res.spans["metrics"] = [x for x in spans if x is not b]
                    self.span_chars("metrics", b.start, b.end, found[0], "their")
                    return

    def holding(self, words: tuple[str, ...]) -> list[str]:
        """The one metric with a phrase of at most one more word that holds all ``words``."""
        want = set(words)
        found = {
            e.target
            for key, entries in self.lex.phrases.items()
            if len(key) <= len(want) + 1 and want <= set(key)
            for e in entries
            if e.kind == "metric"
        }
        return sorted(found) if len(found) == 1 else []

    def read_composed(self) -> None:
        """Two metrics read apart that together name a third ("recurring revenue … with cancellations":
        MRR and churned customers → churned MRR): a count of an entity whose qualifier, put before the other
        metric's name, is a metric of the catalog, when the question does not list the two.
        """
        res = self.res
        if len(res.metrics) != 2:
            return
        spans = res.spans.get("metrics", [])
        entity = self.r.texts.entity_words | self.r.entities.party_words
        for count, base in (res.metrics, res.metrics[::-1]):
            label = self.r.model.metrics[count].label or count
            mods = tuple(w for w in stems(label) if w not in entity)
            if mods == stems(label):
                continue  # not a count of an entity
            other = self.r.model.metrics[base]
            typed = tuple(
                self.stems[t.index]
                for x in spans
                if x.target == base
                for t in self.tokens
                if x.start <= t.start < x.end
            )
            own = tuple(
                w for w in stems(base.replace("_", " ")) if w not in mods
            )  # "mrr we lost … cancelled"
            for head in (stems(base.replace("_", " ")), stems(other.label or ""), typed, own):
                found = [e.target for e in self.lex.lookup((*mods, *head)) if e.kind == "metric"]
                if not found and head == typed and head:
                    # the words as typed, in any order ("revenue … cancelled": "revenue churn")
                    key = tuple(sorted({root(w) for w in (*mods, *head)}))
                    found = [e.target for e in self.r.phrase_sets.get(key, [])]
                if found and not self.listed(spans):
                    res.metrics = [found[0]]
                    res.spans["metrics"] = [Span(x.text, x.start, x.end, found[0], "composed") for x in spans]
                    return

    def read_ratio(self) -> None:
        """Two metrics said as one over the other ("marketing spend per new customer", "billed amount
        divided by invoices"): the catalog's ratio metric of that numerator and denominator.
        """
        res = self.res
        spans = sorted(res.spans.get("metrics", []), key=lambda x: x.start)
        if len(res.metrics) == 1 and spans:
            spans = self.numerator_before_per(spans) + spans  # "spend on marketing per new customer"
        if len({x.target for x in spans}) != 2 or len(res.metrics) > 2:
            return
        first = [x for x in spans if x.target == spans[0].target]
        second = [x for x in spans if x.target != spans[0].target]
        if max(x.end for x in first) > min(x.start for x in second):
            return
        gap = res.question[max(x.end for x in first) : min(x.start for x in second)]
        words = set(stems(gap))
        end = max(x.end for x in second)
        said_ratio = words == {"to"} and stems(res.question[end : end + 12])[:1] == ("ratio",)
        if said_ratio:
            words = {"per"}  # "the ad spend to new customer ratio"
        if not (words & {"per", "divided", "each", "every"} or "/" in gap) or words - RATIO_GAP:
            return
        num, den = spans[0].target, second[0].target
        for name, m in self.r.model.metrics.items():
            if m.numerator and m.denominator and (m.numerator.name, m.denominator.name) == (num, den):
                if m.numerator.filter or m.denominator.filter:
                    continue
                res.metrics = [name]
                res.spans["metrics"] = [Span(x.text, x.start, x.end, name, "ratio") for x in spans]
                if said_ratio:
                    self.claim_word_after(end)
                for x in spans:  # (the numerator's scattered words are read now)
                    if (i := self.token_at.get(x.start)) is not None:
                        self.used[i] = True
                return

    def reached_by_credit_only(self, base: str | None, credited: str) -> bool:
        """Whether a dimension or value the question names is out of ``base``'s reach but within that of its
        credited measure (a touchpoint's campaign for new MRR): the credit is what is asked.
        """
        if base is None:
            return False
        for picks in self.by_first.values():
            for p in picks:
                dims = {e.target.split("=", 1)[0] for e in p.entries if e.kind in ("dimension", "value")}
                if not dims or not all(self.used[p.first : p.last]):
                    continue
                if not any(self.r.reachable(base, d) for d in dims) and any(
                    self.r.reachable(credited, d) for d in dims
                ):
                    return True
        return False

    def claim_word_after(self, end: int) -> None:
        """Claim the first word starting after character ``end`` ("ratio" in "X to Y ratio")."""
        k = next((t.index for t in self.tokens if t.start >= end), None)
        if k is not None:
            self.used[k] = True

    def numerator_before_per(self, spans: list[Span]) -> list[Span]:
        """The words of a metric, scattered ("spend on marketing"), unread before "per" and a metric."""
        at = self.token_at.get(spans[0].start)
        if at is None or at == 0 or self.tokens[at - 1].norm not in ("per", "each"):
            return []
        free = {root(self.stems[i]): i for i in range(at - 1) if not self.used[i]}
        best: tuple[int, str, list[int]] | None = None
        for key, entries in self.r.phrase_sets.items():
            if all(w in free for w in key) and (best is None or len(key) > best[0]):
                best = (len(key), self.best_metric(entries), [free[w] for w in key])
        if best is None:
            return []
        t = self.tokens
        return [Span(t[i].text, t[i].start, t[i].end, best[1], "scattered") for i in sorted(best[2])]

    def read_entity_count(self) -> None:
        """Customers won or lost ("how many customers did we sign", "clients walked away"): counting an
        entity with a verb of winning or losing it is the catalog's new or churned count of that entity.
        """
        res = self.res
        norms = [t.norm for t in self.tokens]
        text = " ".join(norms)
        # "customers that left because of price": the entity a relative clause says was won or lost
        relative = any(
            a in ("who", "that", "which") and b in WIN_VERBS | LOSE_VERBS
            for a, b in zip(norms, norms[1:], strict=False)
        )
        relative = relative or self.entity_then_verb()  # "accounts lost to competitors"
        of = self.r.texts.entity_of  # "closed-won logos", "lost accounts": the participle before the noun
        relative = relative or verb_before_entity(self.tokens, self.stems, {*of, *of.values()})
        if len(res.metrics) != 1 or not ("how many" in text or "number of" in text or relative):
            return
        spans = [x for x in res.spans.get("metrics", []) if x.target == res.metrics[0]]
        said_each = {self.span_stems(x) for x in spans}  # ("logos won and logos lost": the noun said twice)
        said = set(next(iter(said_each))) - COUNT_WORDS if len(said_each) == 1 else set()
        ents = self.r.entities
        # who was won or lost: the party for its generic words ("clients"), else the entity named ("sellers")
        party = ents.party if said and said <= ents.party_words else next(iter(said & ents.nouns), None)
        if party is None or (len(said) != 1 and party != ents.party):
            return
        wanted: list[str] = []
        stage = closed_stage(self.tokens)  # ("closed-lost": lost, the "closed" no win)
        for verbs, word in ((WIN_VERBS, "new"), (LOSE_VERBS, "churn")):
            hits = [i for i, w in enumerate(norms) if w in verbs and not self.used[i] and i not in stage]
            found = [e.target for e in self.lex.lookup((word, party)) if e.kind == "metric"]
            if hits and found:
                wanted.append(found[0])
                for i in hits:
                    self.claim(i, i + 1)
                    if i + 1 < len(norms) and norms[i + 1] in ("up", "in", "away", "off"):
                        self.claim(i + 1, i + 2)
        if wanted:
            res.metrics = wanted
            for k in stage:
                self.claim(k, k + 1)
                self.span("metrics", k, k + 1, wanted[0], "stage")  # ("closed-won": the deal's stage)
            if len(spans) > 1:  # "logos won and logos lost": each time the noun is said, one of them
                res.spans["metrics"] = [x for x in res.spans["metrics"] if x not in spans]
                each = wanted if len(wanted) == len(spans) else [wanted[0]] * len(spans)
                for x, m in zip(spans, each, strict=True):
                    self.span_chars("metrics", x.start, x.end, m, "entity count")
                return
            self.span_chars("metrics", spans[0].start, spans[0].end, wanted[0], "entity count")

    def span_stems(self, s: Span) -> tuple[str, ...]:
        """The stems of the tokens (shorthand spelled out) within a span's characters."""
        i = self.token_at.get(s.start)
        out: list[str] = []
        while i is not None and i < len(self.tokens) and self.tokens[i].end <= s.end:
            out.append(self.stems[i])
            i += 1
        return tuple(out)

    def read_attribution(self) -> None:
        """Attribution phrasing ("new MRR attributed to email", "under last touch, which channel …"): the
        attribution metric of the model named (the default one, said in a note, when none is).
        """
        res, found = self.res, self.r.attributions
        if found and self.read_model_list(found) is not None:
            return
        if not found or any(m in {a.metric for a in found} for m in res.metrics):
            return
        chosen, where = read_model(self.tokens, found)
        if self.credited_under(chosen, where):
            return
        self.drop_model_words(where)
        base = next((m for m in res.metrics if m in {a.base for a in found}), None)
        # "new MRR credited to email under last touch": the credit one model the catalog holds gives a
        # measure it attributes; without a word of credit it is an analysis ("new MRR under last touch")
        credited = (
            chosen is not None
            and base is not None
            and chosen.base == base
            and speaks_of_credit(self.tokens)
            and self.names_what_is_credited(chosen.metric)
        )
        if wants_analysis(self.tokens, where) and not credited:
            return  # "new MRR under last touch", "Markov credit": an attribution analysis (read_analysis)
        default = next((a for a in found if a.base == base and a.model == DEFAULT_MODEL), None)
        # "how much new MRR did each campaign generate": a breakdown only the credited measure reaches
        implied = chosen is None and default is not None and self.reached_by_credit_only(base, default.metric)
        if base is None or (chosen is None and not speaks_of_credit(self.tokens) and not implied):
            return
        if chosen is None:
            chosen = default
            if chosen is None:
                return
            res.notes.append(
                f"no attribution model named: {' '.join(chosen.model)} assumed ({chosen.metric})"
            )
        else:
            assert where is not None
            if where[1] < len(self.tokens) and self.tokens[where[1]].norm in (
                "model",
                "attribution",
                "basis",
            ):
                where = (where[0], where[1] + 1)  # "linear model", "first touch attribution"
            if where[0] > 0 and self.tokens[where[0] - 1].norm in ("under", "using", "via", "with", "per"):
                self.claim(where[0] - 1, where[0])  # "under last touch": the model's preposition
            self.claim(*where)
        credit = [
            s.target for s in res.spans.get("metrics", []) if set(s.text.lower().split()) <= CREDIT_WORDS
        ]
        res.metrics = [chosen.metric if m == base else m for m in res.metrics if m not in credit]
        for i, t in enumerate(self.tokens):
            if t.norm in CREDIT_WORDS:
                self.claim(i, i + 1)
        if where is not None:
            self.span("metrics", *where, chosen.metric, "attribution model")

    def names_what_is_credited(self, metric: str) -> bool:
        """Whether the question names a value or a breakdown only the attributed ``metric`` reaches, not its
        base ("credited to paid social": a touchpoint's channel), so the credit is asked of something.
        """
        base = next((a.base for a in self.r.attributions if a.metric == metric), None)
        entries = [e for cands in self.by_first.values() for c in cands for e in c.entries]
        for e in entries:
            dim = e.target.split("=", 1)[0]
            if e.kind in ("value", "dimension") and self.r.reachable(metric, dim):
                if base is None or not self.r.reachable(base, dim):
                    return True
        return False

    def credited_under(self, chosen: Attribution | None, where: tuple[int, int] | None) -> bool:
        """Credit under one model the catalog holds, with no measure named ("credited to paid social under
        last-touch"): the metric read so far came only from the model's own words ("touch"), so the measure
        is the one the catalog attributes under that model (a note says so), filtered as the question says.
        """
        res = self.res
        if chosen is None or where is None or not speaks_of_credit(self.tokens):
            return False
        spans = res.spans.get("metrics", [])
        inside = all(
            where[0] <= self.token_at.get(s.start, -1) < where[1]
            or set(s.text.lower().split()) <= CREDIT_WORDS
            for s in spans
        )
        if not inside or len({a.base for a in self.r.attributions if a.model == chosen.model}) != 1:
            return False
        res.metrics = [chosen.metric]
        res.spans["metrics"] = []
        if where[0] > 0 and self.tokens[where[0] - 1].norm in MODEL_CUES:
            where = (where[0] - 1, where[1])  # "under last-touch": the cue is part of the model's words
        self.claim(*where)
        self.span("metrics", *where, chosen.metric, "attribution model")
        for i, t in enumerate(self.tokens):
            if t.norm in CREDIT_WORDS and not self.used[i]:
                self.claim(i, i + 1)
        res.notes.append(f"no measure named: the credit is {chosen.metric}")
        res.confidence -= 0.1
        return True

    def drop_model_words(self, where: tuple[int, int] | None) -> None:
        """A metric read from a word of the model's name ("touch" of "last touch": touchpoints) beside another
        metric ("new MRR credited to email under last touch") is the model's word, not a metric.
        """
        res = self.res
        if where is None:
            return
        spans = res.spans.get("metrics", [])
        inside = {s.target for s in spans if where[0] <= self.token_at.get(s.start, -1) < where[1]}
        outside = {s.target for s in spans if s.target not in inside}
        if inside and outside:
            res.metrics = [m for m in res.metrics if m not in inside]
            res.spans["metrics"] = [s for s in spans if s.target not in inside]

    def read_model_list(self, found: list[Attribution]) -> bool | None:
        """Several catalog models in one list ("first, last and linear attributed new MRR"): the attributed
        metric of each (True); a list after "under" or with a model the catalog lacks is an analysis, left to
        read_analysis (False); None when no list of models is named.
        """
        res = self.res
        chain = listed_models(res.question, self.tokens, found)
        if not chain:
            return None
        if wants_analysis(self.tokens, (chain[0][1], chain[0][2])):
            return False
        bases = {a.base for a, _, _ in chain}
        attributed = {a.metric for a in found}
        if len(bases) != 1 or not any(m in bases or m in attributed for m in res.metrics):
            return None
        named = list(dict.fromkeys(a.metric for a, _, _ in chain))
        res.metrics = named + [m for m in res.metrics if m not in bases and m not in attributed]
        spans = [s for s in res.spans.get("metrics", []) if s.target not in attributed]
        res.spans["metrics"] = spans
        for a, first, last in chain:
            self.claim(first, last)
            self.span("metrics", first, last, a.metric, "attribution model")
        for i, t in enumerate(self.tokens):
            if t.norm in CREDIT_WORDS:
                self.claim(i, i + 1)
        return True
