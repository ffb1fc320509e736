"""Several measures of one noun in one breath: "count, total and average of invoices", "number and sum of
refunds". Each measure word with the noun names one metric of the catalog (a count, an amount, an average):
all of them are read, none is dropped.
"""

from __future__ import annotations

from functools import cached_property

from metricmind.resolve.reading import _ReadingBase
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
        """The metrics of "W1, W2 and W3 of NOUN" (each W a measure word), and the tokens they span."""
        toks = self.tokens
        for o, t in enumerate(toks):
            if t.norm != "of" or o + 1 >= len(toks):
                continue
            n = o + 1
            while n < len(toks) - 1 and toks[n].norm in _BEFORE_NOUN:
                n += 1
            items: list[int] = []
            k = self.prev_word(o)
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
            if len(items) < 2:
                continue
            metrics = [self.measure_of(_KIND_OF[toks[i].norm], self.stems[n]) for i in reversed(items)]
            if all(m is not None for m in metrics) and len(set(metrics)) == len(metrics):
                return [m for m in metrics if m is not None], min(items), n + 1
        return None

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
