"""The metric phrase helpers: which metric a phrase names, longer phrases a modifier makes, words listed
with a metric, phrases merged across a gap, and the context checks the metric passes share.
"""

from __future__ import annotations

from functools import cached_property

from metricmind.resolve.lexicon import Entry
from metricmind.resolve.ratecount import count_of_rate
from metricmind.resolve.reading import _Pick, _ReadingBase
from metricmind.resolve.sameverbs import SAME_ROOTS
from metricmind.resolve.text import FILLERS, GENERIC, Token, root, stems
from metricmind.resolve.timespans import UNITS
from metricmind.resolve.words import ASC_WORDS, DESC_WORDS, GRAIN_ADJ, GRAMMAR, SORT_WORDS
from metricmind.spec.names import METRIC_TIME

VERSUS = frozenset({"vs", "versus", "against", "v"})
"""Words that set two values against each other ("partner vs events")."""

LIST_WORDS = frozenset({"vs", "versus", "and", "or", "plus"})


def list_between(question: str, tokens: list[Token], lo: int, hi: int) -> bool:
    """Whether a list word ("and", "vs") or mark (a comma, "&") stands after the word at ``lo`` and before
    the word at ``hi`` ("csat and avg rating": two items; a slash often says "per": "cost/km").
    """
    return any(
        tokens[k].norm in LIST_WORDS or any(c in question[tokens[k].end : tokens[k + 1].start] for c in ",+&")
        for k in range(max(lo, 0), min(hi, len(tokens) - 1))
    )


class _MetricPhraseReading(_ReadingBase):
    """Helpers of the metric passes that look at one phrase and its neighbours."""

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
        for i, p in edges:
            if not 0 <= i < len(toks) or self.used[i] or self.stems[i] in FILLERS | GRAMMAR:
                continue
            if not self.lone_item(i, p):
                continue  # "applications and share approved": the item is "share approved", not "share"
            owners = [m for m, words in self.lex.metric_words.items() if self.stems[i] in words]
            if len(owners) == 1:
                name = (
                    count_of_rate(self.r.model.metrics, owners[0], toks[i].norm, self.stems[i]) or owners[0]
                )
                self.used[i] = True
                self.span("metrics", i, i + 1, name, "listed word")
                out.append(name)
        return out

    def lone_item(self, i: int, p: _Pick) -> bool:
        """Whether word ``i``, listed beside the metric ``p``, is an item alone: the word on its far side is
        read already, a word of grammar, or set off by a list mark or word (not "share approved").
        """
        q, toks = self.res.question, self.tokens
        k = i + 1 if i >= p.last else i - 1
        if not 0 <= k < len(toks) or self.used[k] or self.stems[k] in FILLERS | GRAMMAR:
            return True
        if toks[k].norm in LIST_WORDS:
            return True
        a, b = (i, k) if k > i else (k, i)
        return any(c in q[toks[a].end : toks[b].start] for c in ",+&/:;?!")

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
        if before is None or self.listed_item(p):
            return False  # ("refunds, orders and …": a list, not a value's noun)
        if not any(q.kind == "metric" and q is not p for q in picks):
            return False  # "web enrolments in may": the one metric said, whose noun the channel's name shares
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

    def merge_metric_words(self, picks: list[_Pick]) -> None:
        """Two metric words that together are another metric's phrase (``customers churned``)."""
        metric_picks = [p for p in picks if p.kind == "metric"]
        for a, b in zip(metric_picks, metric_picks[1:], strict=False):
            if b.first - a.last > 2 or a.kind != "metric" or b.kind != "metric":
                continue
            words = sorted({root(w) for w in self.stems[a.first : a.last] + self.stems[b.first : b.last]})
            merged = self.phrase_index.get(tuple(words))
            mine = [{root(w) for w in self.stems[p.first : p.last]} for p in (a, b)]
            whole = self.listed_item(a) or (self.item_start(a) and self.listed_item(b))
            if whole and list_between(self.res.question, self.tokens, a.last - 1, b.first):
                continue  # "orders, refunds and refund rate": two items, not one phrase across the comma
            apart = not (mine[0] <= mine[1] or mine[1] <= mine[0])
            if apart and list_between(self.res.question, self.tokens, a.last - 1, b.first):
                continue  # "orders and share refunded": the list word parts two items ("share refunded")
            inside = mine[0] <= mine[1] or mine[1] <= mine[0]
            # "revenue, parcels and revenue per parcel", "(asked for) orders and avg order value": list items; a
            # metric said by its name is one wherever the list stands ("first touch and last touch …" elides)
            named = min(e.rank for e in a.entries) < 2
            if inside and (
                whole or (named and list_between(self.res.question, self.tokens, a.last - 1, b.first))
            ):
                continue
            if merged:
                a.entries, a.last = merged, b.last
                b.kind = "merged"
                self.claim(a.first, b.last)

    def item_start(self, p: _Pick) -> bool:
        """Whether ``p`` opens the question or a clause ("q2: orders, refunds …"): the first item of a list."""
        if p.first < 1:
            return True
        gap = self.res.question[self.tokens[p.first - 1].end : self.tokens[p.first].start]
        return ":" in gap or self.used[p.first - 1]

    def listed_item(self, p: _Pick) -> bool:
        """Whether a comma or a list word stands right before ``p`` ("revenue, parcels and …")."""
        if p.first < 1:
            return False
        before = self.tokens[p.first - 1]
        return before.norm in LIST_WORDS or "," in self.res.question[before.end : self.tokens[p.first].start]

    @cached_property
    def phrase_index(self) -> dict[tuple[str, ...], list[Entry]]:
        return self.r.phrase_sets

    def compares(self, metric: str) -> bool:
        """Whether a metric is itself a change between periods (a derived metric with an offset)."""
        m = self.r.model.metrics.get(metric)
        return m is not None and any(i.offset_window or i.offset_to_grain for i in m.inputs)

    def growth_of(self, metric: str, comparison: str, unit: str | None) -> str | None:
        """The catalog's one metric of ``metric``'s change between periods ("Pickup Growth vs Prior Month",
        ``bookings_made`` over itself a month before), for a question that asks ``metric`` against an
        earlier period: a year's offset for the same period last year, a shorter one for the period before.
        """
        found = []
        for name, m in self.r.model.metrics.items():
            offsets = [i for i in m.inputs if i.offset_window or i.offset_to_grain]
            if not offsets or {i.name for i in m.inputs} != {metric}:
                continue
            windows = {str(i.offset_window or i.offset_to_grain).lower() for i in offsets}
            yearly = any("year" in w for w in windows)
            if yearly != (comparison == "same_period_last_year"):
                continue
            if comparison != "same_period_last_year" and not any(w in (unit, f"1 {unit}") for w in windows):
                continue  # the period before must be the metric's own step ("vs prior month": a month)
            found.append(name)
        return found[0] if len(found) == 1 else None

    def compared_unit(self) -> str | None:
        """The period a question compares with the one before it: its time breakdown's grain ("each month"),
        else the step between the range and the compared range, else a unit the comparison's words say.
        """
        res = self.res
        grain = next((g for n, g in res.group_by if n == METRIC_TIME and g), None)
        if grain is not None:
            return str(grain)
        if res.time_range is not None and res.comparison_range is not None:
            (a, _), (b, _) = res.time_range, res.comparison_range
            months = (a.year - b.year) * 12 + a.month - b.month
            step = {1: "month", 3: "quarter", 12: "year"}.get(months)
            if step is not None and a.day == b.day:
                return step
        for s in res.spans.get("comparison", []):
            for unit in ("week", "month", "quarter", "year"):
                if unit in s.text.lower():
                    return unit
        return None

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
        named = any(e.target == name and e.source in ("name", "label", "synonym") for e in p.entries)
        if named and any(self.list_between(i, p) or self.bracketed_after(p, i) for i in idx):
            # "csat and avg rating": a metric said by its name; the next item's words are its own ("total revenue
            # (iap + ads)": words in brackets after it spell out what it is, never a kind of it)
            return name
        for i in idx:
            self.used[i] = True
            self.span("metrics", i, i + 1, target, "modifier")
        return target

    def bracketed_after(self, p: _Pick, i: int) -> bool:
        """Whether the word at ``i`` stands inside brackets opened right after the phrase ``p``."""
        if i < p.last:
            return False
        q = self.res.question
        between = q[self.tokens[p.last - 1].end : self.tokens[i].start]
        return between.lstrip().startswith("(") and ")" not in between

    def list_between(self, i: int, p: _Pick) -> bool:
        """Whether a list word or mark stands between the word at ``i`` and the phrase ``p``."""
        lo, hi = (i, p.first) if i < p.first else (p.last - 1, i)
        return list_between(self.res.question, self.tokens, lo, hi)

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
                own = root(self.stems[i])  # ("close" is also "solved": sameverbs)
                for r in SAME_ROOTS.get(own, frozenset({own})) | {own}:
                    out.setdefault(r, []).append(i)
        return out

    def _free_at(self, word_root: str) -> int | None:
        """The last unused position of a word with this root (amortised O(1): ``used`` only grows)."""
        positions = self._free_index.get(word_root)
        while positions and self.used[positions[-1]]:
            positions.pop()
        return positions[-1] if positions else None

    def said_elsewhere(self, metric: str, k: int) -> list[int]:
        """The unread words of the question, apart from the word at ``k``, that are words of ``metric``'s own
        label or name and of no other metric that shares the word at ``k`` ("rate" in "churn at a higher rate").
        """
        m = self.r.model.metrics[metric]
        own = set(stems(f"{m.label or ''} {metric.replace('_', ' ')}"))
        word = self.stems[k]
        rivals = [w for n, w in self.lex.metric_words.items() if n != metric and word in w]
        return [
            i
            for i in range(len(self.tokens))
            if i != k
            and not self.used[i]
            and self.stems[i] in own
            and self.stems[i] not in FILLERS
            and not any(self.stems[i] in w for w in rivals)
        ]
