"""Passes for questions as people type them (issue 14): exclusions, values set against each other,
values named loosely, thresholds per customer, qualified revenue, attribution phrasing, and the
calibration of the confidence.
"""

from __future__ import annotations

import re

from metricmind.resolve.describe import PHRASE_WEIGHT
from metricmind.resolve.describe import key as word_key
from metricmind.resolve.exclusion import exclusion_after, exclusion_around, exclusion_cue
from metricmind.resolve.leftvalues import after_cue, left_values, value_part
from metricmind.resolve.lexicon import Entry
from metricmind.resolve.loosevalues import DEMONYMS, demonym, prefixed
from metricmind.resolve.reading import _Pick
from metricmind.resolve.resolution import Filter, Span
from metricmind.resolve.sqlops import plain_count, rows_counted_before, sql_negated
from metricmind.resolve.text import root, stems
from metricmind.resolve.thresholdreading import _ThresholdReading
from metricmind.resolve.thresholds import verbish
from metricmind.resolve.tiers import _TierReading
from metricmind.resolve.unsaidperiod import PERIOD_WORDS, unsaid_period
from metricmind.resolve.valuegroups import _ValueGroupReading
from metricmind.resolve.words import GRAMMAR, REDUCED_READ_PENALTY

EVERYDAY_SHORT = frozenset(
    {"de", "na", "us", "it", "or", "in", "on", "at", "as", "am", "is", "to", "no", "me", "id"}
)
"""Short words that are also everyday words: as aliases they count only as typed (upper case)."""
IGNORED_WORD_PENALTY = 0.25
"""Confidence lost per word left unexplained: one such word keeps the answer but below 0.8 (on the
blind-written dev split most answers that ignored a word were wrong); three make it a refusal.
"""
DEGREE_WORDS = frozenset({"how", "so", "very", "too", "pretty", "quite", "as", "really"})
"""Words of degree before an adjective ("how good", "very high"): the word says how much, never a value."""
VS_WORDS = ("vs", "versus", "against")
"""Words that set two values against each other ("Starter vs Pro")."""
UNSURE_PENALTY = 0.25
"""Confidence lost for a reading the calibration found often wrong (see ``_PhrasingReading.calibrate``)."""
WEAK_CONFIDENCE = 0.7
"""The most a metric read from description words another metric explains as well can be trusted."""
WHICH_MORE = frozenset(
    {
        *("which", "where", "who", "more", "most", "less", "fewer", "bigger", "better", "higher", "lower"),
        *("smaller", "larger", "greater", "faster", "slower", "worse", "best", "worst"),
    }
)
"""With "or" between two values of one dimension, these make it a comparison ("iOS or Android: where …")."""


class _PhrasingReading(_ThresholdReading, _TierReading, _ValueGroupReading):
    """The passes for loose phrasings (the metric passes below them, time and order above)."""

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
        if self.period_unsaid(spans):
            return
        loose = [s for s in spans if s.how in ("synonym", "modifier", "reduced")]
        if len(res.metrics) > 1 and loose:
            res.confidence -= UNSURE_PENALTY
            res.notes.append(f"read several metrics, '{loose[0].text}' loosely as {loose[0].target}")
        elif any(s.how == "reduced" for s in spans):
            s = next(s for s in spans if s.how == "reduced")
            others = [m for m in self.r.model.metrics if m != s.target]
            if self.whole_name_said(s.target, others):
                pass  # its identifier's words all said in another order ("funded loans"): the name itself
            elif self.split_word(s):
                return
            else:
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

    def period_unsaid(self, spans: list[Span]) -> bool:
        """The one metric read from a synonym the catalog also says, with a word of period, of a metric
        derived from it ("run rate" of MRR, "annual run rate" of ARR), with no period said before it: asked
        back with both (``unsaid_period``).
        """
        if len(self.res.metrics) != 1 or len(spans) != 1 or spans[0].how != "synonym":
            return False
        s = spans[0]
        at = [t.index for t in self.tokens if s.start <= t.start < s.end]
        j = self.prev_word(at[0]) if at else -1
        if not at or (j >= 0 and self.tokens[j].norm in PERIOD_WORDS):
            return False  # "monthly run rate": the period is said
        choices = unsaid_period(self.r.model, s.target, s.text)
        if not choices:
            return False
        self.ambiguous = (at[0], choices)
        self.res.refuse(
            f"'{s.text}' does not say over which period: {', '.join(choices)}",
            [self.describe(m) for m in choices],
        )
        return True

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
        if len(owners) < 2 or self.whole_name_said(s.target, owners):
            return False
        if rows_counted_before(res.question, s.start) and plain_count(self.r.model, s.target):
            return False  # "select count(*) from claims": the claims' rows, their plain count
        said = self.said_elsewhere(s.target, at[0])
        if said:
            self.claim(said[0], said[0] + 1)  # "churn at a higher rate": the dropped word is said apart
            self.span("metrics", said[0], said[0] + 1, s.target, "word apart")
            return False
        choices = [s.target, *owners][:5]
        self.ambiguous = (at[0], choices)
        res.refuse(
            f"'{s.text}' could mean several metrics: {', '.join(choices)}",
            [self.describe(m) for m in choices],
        )
        return True

    def whole_name_said(self, target: str, others: list[str]) -> bool:
        """Whether every word of ``target``'s identifier is in the question, in any order, and no other
        metric's is ("funded loans", "how many borrowers got funded": ``loans_funded``, ``funded_borrowers``):
        the word left alone is then that metric, not a split reading.
        """
        said = {root(w) for w in self.stems}

        def whole(name: str) -> bool:
            words = {root(w) for w in stems(name.replace("_", " "))}
            return len(words) > 1 and words <= said

        return whole(target) and not any(whole(m) for m in others)

    def case_ok(self, case: str, i: int, text: str) -> bool:
        """A short upper-case alias typed in lower case counts unless it is also an everyday word
        ("smb", "uk" do; "us" only as "the us" or "ex-us"; "de", "na" only after a cue or set against a value).
        A question typed all in capitals is read as if in lower case ("HOW MANY CUSTOMERS ARE PAYING US").
        """
        shouting = not any(c.islower() for c in self.res.question)  # all caps: case says nothing
        if case == text and not shouting:
            return True
        low = text.lower()
        if len(case) == 3 and low == case.lower() + "s":
            low = low[:-1]  # "the smbs", "SMBs": the plural of a three-letter value ("us" is never one)
        if low != case.lower():
            return False
        if len(low) == 1:
            return False  # "a share of": one letter typed in lower case is a word, never the grade "A"
        if low == "us":  # "the us"; "ex-us", "non-us": a prefix of exclusion joined to it
            prev = self.tokens[i - 1] if i > 0 else None
            joined = prev is not None and self.res.question[prev.end : self.tokens[i].start] == "-"
            return (
                prev is not None and (prev.norm == "the" or (joined and prev.norm in ("ex", "non")))
            ) or self.listed_with_value(i)  # "us or uk": set beside another value of its dimension
        if low in EVERYDAY_SHORT and low != "or":
            # "all regions except na", "emea versus na": after an exclusion cue, or set against a value
            return exclusion_cue(
                self.tokens, i, self.unclaimed, self.r.entities.nouns
            ) is not None or self.set_against_value(i)
        return low not in EVERYDAY_SHORT

    def listed_with_value(self, i: int) -> bool:
        """Whether the word at ``i`` and a value of one of its dimensions stand on both sides of "or", "and",
        "vs" ("us or uk", "uk vs us"): a value among values, never the pronoun.
        """
        dims = {e.target.split("=", 1)[0] for e in self.lex.lookup((self.stems[i],)) if e.kind == "value"}
        for j, k in ((i + 1, i + 2), (i - 1, i - 2)):
            if not (0 <= min(j, k) and max(j, k) < len(self.tokens)):
                continue
            if self.tokens[j].norm not in ("or", "and") and self.tokens[j].norm not in VS_WORDS:
                continue
            other = {
                e.target.split("=", 1)[0] for e in self.lex.lookup((self.stems[k],)) if e.kind == "value"
            }
            if dims & other:
                return True
        return False

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
        self.read_source_word(values, self.negated)
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
        if any(
            all(self.r.texts.weights.get(m, {}).get(word_key(w), 0.0) >= PHRASE_WEIGHT for w in words)
            for m in self.res.metrics
        ):
            return True
        # "unpaid invoices past due": the value (past_due) is what the metric was read from ("past due")
        values = [e.target.split("=", 1)[1] for e in p.entries if e.kind == "value" and "=" in e.target]
        if not values:
            return False
        spans = self.res.spans.get("metrics", [])
        key = (len(spans), tuple(self.res.metrics))
        cache = self.said_cache  # once per state of the metrics' spans, not once per value
        if cache is None or cache[0] is not spans or cache[1] != key:
            said = frozenset(tuple(stems(x.text)) for x in spans if x.target in self.res.metrics)
            cache = self.said_cache = (spans, key, said)
        return any(tuple(stems(v.replace("_", " "))) in cache[2] for v in values)

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
                # "how good was the approval rate": a word of degree says how, not which (credit band good)
                or (c.first > 0 and self.tokens[c.first - 1].norm in DEGREE_WORDS)
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

    def entity_after_value(self, p: _Pick) -> bool:
        """An entity noun right after a value or a country adjective ("enterprise accounts", "Aussie
        companies") says who is counted, not what to group by.
        """
        if p.last - p.first != 1 or not all(
            e.target.endswith("__name") or e.source == "entity" for e in p.entries
        ):
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
        if cue is None and sql_negated(self.res.question, self.tokens, i):
            return True  # "where device != 'web'": SQL's sign of "not equal"
        if cue is None and last is not None:
            cue = exclusion_after(self.tokens, last, self.dimension_nouns(i))
        if cue is None and last is not None:
            nouns = self.dimension_nouns(i)
            cue = exclusion_around(self.tokens, i, last, nouns)
            if cue is not None:
                end = last + 2 if last < len(self.tokens) and self.tokens[last].stem in nouns else last + 1
                self.claim(last, end)  # ("leaving email out": the particle is part of the cue)
        if cue is None:
            return False
        self.claim(*cue)
        return True
