"""Reading the metrics of a question: phrases, words apart, shared nouns, qualifiers, modifiers."""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property

from metricmind.resolve.describedwords import _DescribedReading
from metricmind.resolve.lexicon import Entry
from metricmind.resolve.loosevalues import demonym
from metricmind.resolve.measurelist import _MeasureListReading
from metricmind.resolve.reading import _Pick
from metricmind.resolve.resolution import Resolution
from metricmind.resolve.text import FILLERS, GENERIC, root, stems
from metricmind.resolve.thresholds import find_threshold
from metricmind.resolve.timephrases import UNITS
from metricmind.resolve.verbwords import _VerbReading
from metricmind.resolve.words import (
    ASC_WORDS,
    DESC_WORDS,
    GRAIN_ADJ,
    GRAMMAR,
    GROWTH_WORDS,
    LOSE_VERBS,
    NEGATIONS,
    QUALIFIER_BEFORE,
    REDUCED_READ_PENALTY,
    SORT_WORDS,
    SOURCE_WORDS,
    WIN_VERBS,
)

VERSUS = frozenset({"vs", "versus", "against", "v"})
"""Words that set two values against each other ("partner vs events")."""

LIST_WORDS = frozenset({"vs", "versus", "and", "or", "plus"})


class _MetricReading(_DescribedReading, _MeasureListReading, _VerbReading):
    """The metric passes."""

    ambiguous: tuple[int, list[str]] | None = None  # a word several metrics share, and those metrics

    # -- metrics -------------------------------------------------------------------------------
    def versus_value(self, p: _Pick, in_value: set[int], picks: list[_Pick]) -> set[str]:
        """The dimensions a one-word metric pick shares with a value it is set against ("partner vs
        events": the channels), when it is a value of them too; none otherwise.
        """
        j = self.prev_word(p.first)
        if p.last - p.first != 1 or j < 1 or self.tokens[j].norm not in VERSUS:
            return set()
        k = self.prev_word(j)
        other = next((q for q in picks if q.kind == "value" and q.first <= k < q.last), None)
        if k < 0 or k not in in_value or other is None:
            return set()
        fields = {e.target.split("=", 1)[0] for e in other.entries}
        own = {
            e.target.split("=", 1)[0]
            for e in self.lex.lookup(tuple(self.stems[p.first : p.last]))
            if e.kind == "value"
        }
        return fields & own

    def read_metrics(self, picks: list[_Pick]) -> list[str]:
        self.merge_metric_words(picks)
        measures = self.measure_list()  # "count, total and average of invoices": every one of them
        if measures is not None:
            names, first, last = measures
            self.claim(first, last)
            for name in names:
                self.span("metrics", first, last, name, "measure list")
            picks[:] = [p for p in picks if p.kind != "metric" or p.last <= first or p.first >= last]
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
        if len(found) == 1 and self.source_value(found[0][0]):
            found = []  # "new accounts from events": the channel; the entity before it says who is counted
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
                if len(words) == 1 and words[0] in self.r.entities.nouns and ranking and as_dim:
                    p.kind, p.entries = "dimension", as_dim
                    continue
                j = self.prev_word(p.first)
                after_value = j >= 0 and j in in_value
                while j >= 0 and j in in_value:
                    j = self.prev_word(j)
                qualifier = after_value or (
                    j >= 0 and self.tokens[j].norm in QUALIFIER_BEFORE and not self.count_of(j)
                )
                qualifier = qualifier or (j >= 0 and self.tokens[j].norm == "by" and self.agent(j, p.first))
                # "billed (to) our customers": the entity right after another metric's verb is who
                k = j - 1 if j >= 0 and self.tokens[j].norm == "to" else j
                verb = k >= 0 and (self.tokens[k].norm.endswith("ed") or k < j)
                qualifier = qualifier or (
                    len(words) == 1
                    and verb
                    and any(q.last == k + 1 for q, _ in found if q is not p)
                    and not after_value
                )
                source = j >= 0 and self.tokens[j].norm in SOURCE_WORDS
                against = self.versus_value(p, in_value, picks)
                if against and self.value_of_other(p, [n for q, n in found if q is not p]):
                    p.entries = [e for e in p.entries if e.target.split("=", 1)[0] in against] or p.entries
                    continue  # "cac for partner vs events": the channel set against another, not a metric
                if (
                    words[0] in self.r.entities.nouns
                    and source
                    and self.value_of_other(p, [n for q, n in found if q is not p])
                ):
                    continue  # "new customers from events": the channel, not who the metric counts
                if words[0] in self.r.entities.nouns and (len(words) == 1 or not after_value) and qualifier:
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
        found = self.loose_in_list(found)
        out: list[str] = []
        for p, name in found:
            for shared in self.shared_noun(p):
                if shared not in out:
                    out.append(shared)  # "new vs churned customers": new customers too
            name = self.modified(p, name)
            own = set(self.stems[p.first : p.last])
            after_list = p.first > 0 and (
                self.tokens[p.first - 1].norm in LIST_WORDS
                or any(
                    c in self.res.question[self.tokens[p.first - 1].end : self.tokens[p.first].start]
                    for c in ",+&/"
                )
            )  # "billed vs revenue": two metrics listed, not one said twice
            if (
                min(e.rank for e in p.entries) >= 2
                and not after_list
                and any(own <= self.lex.metric_words[o] for o in out)
            ):
                self.span("metrics", p.first, p.last, out[-1], "same metric")
                continue  # "MRR we lost to churn": churn is part of churned MRR already
            how = "typo" if p.fuzzy else min(p.entries, key=lambda e: e.rank).source
            if p.fuzzy:
                self.res.confidence -= 0.1
            if min(e.rank for e in p.entries) >= 4:
                self.res.confidence -= REDUCED_READ_PENALTY
            self.span("metrics", p.first, p.last, name, how)
            if name not in out:
                out.append(name)
            status = str(self.r.model.metrics[name].meta.get("status") or "")
            if status == "deprecated":
                self.res.notes.append(f"{name} is deprecated; check its definition before relying on it")
        if measures is not None:
            out = [*measures[0], *(m for m in out if m not in measures[0])]
        if not out:
            out = self.counted_entity() or self.metric_from_words()
        else:
            out += [m for m in self.listed_words(found) if m not in out]
        return self.compound(out)

    def compound(self, out: list[str]) -> list[str]:
        """Two metric words right next to each other, the first a loose word, the second a metric's own
        name ("trial signups"): a compound noun whose first word says which kind, so its metric alone.
        """
        spans = sorted(self.res.spans.get("metrics", []), key=lambda x: x.start)
        if len(out) != 2 or len(spans) != 2 or {x.target for x in spans} != set(out):
            return out
        a, b = spans
        gap = self.res.question[a.end : b.start]
        if gap.strip() or " " in a.text.strip() or a.how not in ("synonym", "reduced") or b.how != "name":
            return out
        kind = self.qualified_amount(a.target, b.target)
        if kind is not None:
            # "new-logo mrr": the amount (MRR) of the kind the count names (new logos) is new MRR
            self.res.spans["metrics"] = [replace(a, target=kind, how="qualified"), replace(b, target=kind)]
            self.res.confidence -= 0.1  # a metric composed from two names: sure, not certain
            return [kind]
        self.res.spans["metrics"] = [a, replace(b, target=a.target, how="compound")]
        self.res.confidence -= 0.25  # a guess at which word is the kind: answered, not sure
        self.res.notes.append(f"read '{a.text} {b.text}' as {a.target}, the kind '{a.text}' names")
        return [a.target]

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
        counted = "how many" in text or "number of" in text or "how much" in text
        # "are Enterprise accounts growing": how many there are, month by month (the growth pass)
        counted = counted or any(t.stem in GROWTH_WORDS and not self.used[t.index] for t in self.tokens)
        norms = [
            t.norm for t in self.tokens
        ]  # "companies that quit": who was won or lost (read_entity_count)
        counted = counted or any(
            a in ("who", "that", "which") and b in WIN_VERBS | LOSE_VERBS
            for a, b in zip(norms, norms[1:], strict=False)
        )
        counted = counted or self.entity_then_verb()  # "accounts lost owing to a competitor"
        if not counted and find_threshold(self.tokens, self.res.question, self.used) is None:
            return []  # ("companies paying over 2k a month": the threshold pass reads who is filtered)  # ("how much did companies pay us": the count becomes what they pay, amount_or_count)
        for i in range(len(self.tokens)):
            entity = self.r.texts.entity_of.get(self.stems[i])
            if self.used[i] or entity is None:
                continue
            found = [e.target for e in self.lex.lookup((entity,)) if e.kind == "metric"]
            if found:
                self.used[i] = True
                self.span("metrics", i, i + 1, found[0], "entity")
                return found[:1]
        return self.growing_value()

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

    def count_of(self, j: int) -> bool:
        """Whether "of" at ``j`` ends a count phrase ("number of", "count of", "# of reviews"): what follows
        is counted (the entity's own metric), not a qualifier of another metric.
        """
        if self.tokens[j].norm != "of":
            return False
        if j > 0 and self.tokens[j - 1].norm in ("number", "count", "no"):
            return True
        before = self.res.question[: self.tokens[j].start].rstrip()
        return before.endswith("#")

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

        def own_words(target: str) -> set[str]:
            # a word repeating the entity's name is the entity ("cancelled orders": order__order_status)
            entity, _, name = target.split("=", 1)[0].rpartition("__")
            return set(stems(name.replace("_", " "))) - set(stems(entity.replace("_", " ")))

        return any(word in own_words(e.target) for e in before.entries)

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
            entries: list[Entry] = []
            for cut in range(len(rest)):  # "new, expansion and net new MRR": the head noun, if not the rest
                entries = [e for e in self.lex.lookup((self.stems[w], *rest[cut:])) if e.kind == "metric"]
                if entries:
                    break
            partner = self.best_metric(p.entries)
            name = self.best_metric(entries) if entries else self.kind_by_words(w, rest, partner)
            if name is None:
                break
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
        who = self.who_came_and_went()
        if who:
            return who
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
            if w in self.r.entities.nouns:
                continue  # "subscriptions" alone is not a metric
            if not any(c.isalpha() for c in w):
                continue  # "at least 20k": an amount, never the "20" of a label such as "40/20/40"
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
        return self.word_of_one_name()

    def no_metric(self) -> Resolution:
        self.res.notes = [n for n in self.res.notes if "monthly trend" not in n]  # no metric to trend
        words = [t.text for i, t in enumerate(self.tokens) if not self.used[i] and t.stem not in FILLERS]
        what = f" for '{' '.join(words)}'" if words else ""
        ranked = any(t.norm in DESC_WORDS | ASC_WORDS for t in self.tokens)
        reason = (
            "the question ranks without saying by which metric (top … by revenue? by MRR?)"
            if ranked and not words
            else f"no metric in the catalog matches the question{what}"
        )
        return self.res.refuse(reason, self.nearest_metrics())
