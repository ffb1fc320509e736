"""Several measures of one noun in one breath: "count, total and average of invoices", "number and sum of
refunds". Each measure word with the noun names one metric of the catalog (a count, an amount, an average):
all of them are read, none is dropped.
"""

from __future__ import annotations

from functools import cached_property

from metricmind.resolve.reading import _Pick, _ReadingBase
from metricmind.resolve.text import root

MEASURE_KINDS: dict[str, frozenset[str]] = {
    "count": frozenset({"count", "number", "volume", "many"}),
    "amount": frozenset({"total", "sum", "amount", "value"}),
    "average": frozenset({"average", "avg", "mean"}),
}
"""Measure words by the kind of metric they name with a noun ("total" of invoices: an amount)."""
_KIND_OF = {w: kind for kind, words in MEASURE_KINDS.items() for w in words}
_LIST = frozenset({"and", "or", "plus", "vs", "versus"})
_BEFORE_NOUN = frozenset({"the", "our", "all", "of"})
_AFTER_LIST = frozenset(
    {"by", "per", "for", "in", "on", "from", "over", "since", "during", "across", "last", "this"}
)
"""Words that may follow a list of measures after its noun ("refund count and total by month")."""


class _MeasureListReading(_ReadingBase):
    """The pass that reads a list of measure words over one noun."""

    @cached_property
    def metric_phrases(self) -> list[tuple[frozenset[str], str]]:
        """Every metric phrase as its set of word roots, with its metric (deprecated metrics left out)."""
        out = []
        for words, entries in self.lex.phrases.items():
            for e in entries:
                if e.kind != "metric" or e.target not in self.r.model.metrics:
                    continue
                if str(self.r.model.metrics[e.target].meta.get("status") or "") != "deprecated":
                    out.append((frozenset(root(w) for w in words), e.target))
        return out

    def measure_list(self) -> tuple[list[str], int, int] | None:
        """The metrics of "W1, W2 and W3 of NOUN" or "NOUN W1 and W2" (each W a measure word), and the tokens
        they span. When some measure words name no metric ("refund count and total": no count of refunds),
        nothing is read here and ``measure_missing`` says which, for the calibration.
        """
        for items, n in self._measure_lists():
            metrics = [self.measure_of(_KIND_OF[self.tokens[i].norm], self.stems[n]) for i in items]
            if all(m is not None for m in metrics) and len(set(metrics)) == len(metrics):
                names = [m for m in metrics if m is not None]
                if self.after_colon(n, items):  # (the words between the noun and the colon are read apart)
                    self.claim(n, n + 1)
                    return (
                        names,
                        min(k for k in range(n + 1, items[0] + 1) if ":" in self.gap(k - 1)),
                        self.colon_list_end,
                    )
                return names, min(*items, n), max(*items, n) + 1
            missing = [self.tokens[i].text for i, m in zip(items, metrics, strict=True) if m is None]
            if any(m is not None for m in metrics):
                self.measure_missing = f"no metric for the {' and '.join(missing)} of '{self.tokens[n].text}'"
        return None

    def _measure_lists(self) -> list[tuple[list[int], int]]:
        """(measure word positions, noun position) of each list of two or more measure words over a noun."""
        toks, out = self.tokens, []
        for o, t in enumerate(toks):
            if t.norm == "of" and o + 1 < len(toks):  # "count, total and average of invoices"
                n = o + 1
                while n < len(toks) - 1 and toks[n].norm in _BEFORE_NOUN:
                    n += 1
                items = self._list_back(self.prev_word(o))
                single = len(items) == 1 and _KIND_OF[toks[items[0]].norm] != "count"
                if len(items) >= 2 or single:  # ("total of invoices": the amount, not their count)
                    out.append((items[::-1], n))
            elif (
                t.norm not in _KIND_OF
                and t.norm.isalpha()
                and o + 1 < len(toks)
                and toks[o + 1].norm in _KIND_OF
            ):
                items = self._list_forward(o + 1)  # "refund count and total"
                after = items[-1] + 1 if items else len(toks)
                names = any(e.kind == "metric" for c in self.by_first.get(after, []) for e in c.entries)
                ends = (
                    after >= len(toks) or (self.used[after] and not names) or toks[after].norm in _AFTER_LIST
                )
                if len(items) >= 2 and ends:  # ("customers count and total mrr": the total of MRR)
                    out.append((items, o))
        colon = next((k for k in range(len(toks) - 1) if ":" in self.gap(k)), None)
        if colon is not None:  # "invoices in may: how many, total $ billed, avg size"
            noun = next(
                (
                    k
                    for k in range(colon + 1)
                    if toks[k].norm.isalpha()
                    and toks[k].norm != self.stems[k]
                    and toks[k].norm not in _KIND_OF
                ),
                None,
            )
            items = self._list_after_colon(colon + 1)
            if noun is not None and len(items) >= 2:
                out.append((items, noun))
        return out

    def after_colon(self, n: int, items: list[int]) -> bool:
        """Whether the list ``items`` of the noun at ``n`` follows a colon after it (and runs to the end)."""
        return n < items[0] and any(":" in self.gap(k) for k in range(n, items[0]))

    def gap(self, k: int) -> str:
        """The characters between the token ``k`` and the next."""
        toks = self.tokens
        return self.res.question[toks[k].end : toks[k + 1].start] if k + 1 < len(toks) else ""

    def _list_after_colon(self, k: int) -> list[int]:
        """The measure words of a list from ``k``, each item a measure word and at most two words more ("how
        many, total $ billed, avg size"; words a time phrase took do not count); empty unless every item starts
        so, but for chat after two items at least ("…, avg size, when you get a sec"). ``colon_list_end`` is
        where the list stops.
        """
        toks = self.tokens
        items: list[int] = []
        item: list[int] = []
        self.colon_list_end = len(toks)

        def close(item: list[int]) -> bool:
            words = [i for i in item if toks[i].norm != "how"]
            if not words:
                return True
            if toks[words[0]].norm not in _KIND_OF or len(words) > 3:
                return False
            items.append(words[0])
            return True

        for j in range(k, len(toks)):
            if toks[j].norm in _LIST:
                if not close(item):
                    return []
                item = []
                continue
            if not self.used[j]:
                item.append(j)
            if j == len(toks) - 1 or any(c in self.gap(j) for c in ",&+/;"):
                if not close(item):
                    if len(items) >= 2 and item and all(not self.used[i] for i in item):
                        self.colon_list_end = item[0]  # (chat after the list: left to the leftovers)
                        return items
                    return []
                item = []
        return items

    def _list_back(self, k: int) -> list[int]:
        toks, items = self.tokens, []
        while k >= 0 and toks[k].norm in _KIND_OF:
            items.append(k)
            j = self.prev_word(k)
            gap = self.res.question[toks[j].end : toks[k].start] if j >= 0 else ""
            if j >= 0 and toks[j].norm in _LIST:
                k = self.prev_word(j)
            elif j >= 0 and any(c in gap for c in ",+&/"):
                k = j
            else:
                break
        return items

    def _list_forward(self, k: int) -> list[int]:
        toks, items = self.tokens, []
        while k < len(toks) and toks[k].norm in _KIND_OF:
            items.append(k)
            j = k + 1
            gap = self.res.question[toks[k].end : toks[j].start] if j < len(toks) else ""
            if j < len(toks) and toks[j].norm in _LIST:
                k = j + 1
            elif j < len(toks) and any(c in gap for c in ",+&/"):
                k = j
            else:
                break
        return items

    def measure_of(self, kind: str, noun: str) -> str | None:
        """The one metric a phrase of which holds the noun and a word of ``kind`` (at most three words)."""
        want, words = root(noun), {root(w) for w in MEASURE_KINDS[kind]}
        others = {root(w) for k, ws in MEASURE_KINDS.items() if k != kind for w in ws}
        found = {
            m
            for phrase, m in self.metric_phrases
            if want in phrase and phrase & words and not phrase & others and len(phrase) <= 3
        }  # ("mean invoice amount" is an average, not the amount)
        return next(iter(found)) if len(found) == 1 else None

    def loose_in_list(self, found: list[tuple[_Pick, str]]) -> list[tuple[_Pick, str]]:
        """A one-word metric read loosely ("churned": the churn rate) listed before a phrase whose head noun
        it shares ("churned and new MRR"): the word and the head noun name a metric too (churned MRR), so
        the loose reading is dropped and the word left for the shared head noun.
        """
        loose = {
            q.first: q for q, _ in found if q.last - q.first == 1 and min(e.rank for e in q.entries) >= 2
        }
        for p, _ in found:
            j = p.first - 1
            if p.last - p.first < 2 or j < 1 or self.tokens[j].norm not in _LIST or j - 1 not in loose:
                continue
            rest = self.stems[p.first + 1 : p.last]
            shared = {e.target for e in self.lex.lookup((self.stems[j - 1], *rest)) if e.kind == "metric"}
            if shared - {e.target for e in p.entries}:  # ("refunds and refund rate": the rate said again)
                self.used[j - 1] = False
                found = [(q, n) for q, n in found if q is not loose[j - 1]]
        return found
