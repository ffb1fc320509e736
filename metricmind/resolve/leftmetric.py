"""A word several metrics share, left unread beside a metric read only from who is counted.

"whats retention like for customers who came in through paid social": "customers" reads as a count of
customers, and "retention" (a word of net, gross and logo retention) would be dropped as unexplained, giving a
confident count of new customers nobody asked for. The word that names metrics is what is asked; as it names
several, the question is ambiguous and asked back, as bare "retention" is. Read from the catalog's own metric
words (``Lexicon.metric_words``), never a list of phrases.
"""

from __future__ import annotations

from metricmind.resolve.leftovers import SAME_MEASURE
from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.resolution import Span
from metricmind.resolve.text import FILLERS, clause_break, number
from metricmind.resolve.thresholds import verbish
from metricmind.resolve.words import GRAMMAR


class _LeftMetricReading(_ReadingBase):
    """The pass that asks back a shared metric word dropped beside an entity noun."""

    def metric_word_left(self) -> None:
        res = self.res
        spans = res.spans.get("metrics", [])
        if not res.answerable or not spans:
            return
        entity = self.r.texts.entity_words | self.r.entities.nouns
        if not all(all(w in entity for w in _stems(self, s.start, s.end)) for s in spans):
            return  # a metric named by its own words: a word left over is a modifier, read elsewhere
        for i, t in enumerate(self.tokens):
            w = self.stems[i]
            if self.used[i] or w in entity or w in FILLERS or w in GRAMMAR or len(w) < 4 or verbish(t.norm):
                continue  # ("companies that stopped paying": a verb saying what they did, read with the count)
            if (
                w not in self.lex.vocabulary
                and t.norm.isalpha()
                and t.norm not in SAME_MEASURE  # ("the customer base": the customers)
                and self.beside_entity(i)
                and not self.in_context(i, spans)
            ):
                # "customer health score by segment": a noun no catalog word explains, said of the entity
                # counted, is what is asked (a score the catalog lacks), never dropped for a count of customers
                res.refuse(f"'{t.text}' is not in the catalog as a metric", self.nearest_metrics())
                return
            if i and number(self.tokens[i - 1].norm.replace(",", "")) is not None:
                continue  # "invoices over 1000 dollars": the unit of an amount, read with the number
            owners = sorted(m for m, words in self.lex.metric_words.items() if w in words)
            if len(owners) < 2 or set(owners) & set(res.metrics):
                continue
            res.refuse(
                f"'{t.text}' could mean several metrics: {', '.join(owners[:5])}",
                [self.describe(m) for m in owners[:5]],
            )
            return

    def in_context(self, i: int, spans: list[Span]) -> bool:
        """Whether the word at ``i`` stands in a clause set apart from every metric read ("Prepping the account
        review with Duin Mode: how many parcels …"): context around the request, not what it asks.
        """
        q, t = self.res.question, self.tokens[i]
        for s in spans:
            a, b = (t.end, s.start) if t.end <= s.start else (s.end, t.start)
            if not clause_break(q[a:b]):
                return False
        return True

    def beside_entity(self, i: int) -> bool:
        """Whether the word at ``i`` follows a singular entity noun, maybe across one value read in between
        ("customer health score": customer, the value health, score).
        """
        entity = self.r.texts.entity_words | self.r.entities.nouns
        for k in (i - 1, i - 2):
            if k < 0:
                return False
            t = self.tokens[k]
            if self.stems[k] in entity and t.norm == self.stems[k]:
                return True
            if not self.used[k]:
                return False
        return False


def _stems(reading: _ReadingBase, start: int, end: int) -> list[str]:
    """The stems of the words between the characters ``start`` and ``end`` of the question."""
    return [reading.stems[k] for k, t in enumerate(reading.tokens) if t.start >= start and t.end <= end]
