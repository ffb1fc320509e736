"""Metrics read from a verb when no phrase names one: who came and went ("who joined and who left"), a
verb only one metric's name holds ("which accounts expanded the most").
"""

from __future__ import annotations

from metricmind.resolve.describe import PHRASE_WEIGHT
from metricmind.resolve.describe import key as word_key
from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.text import FILLERS
from metricmind.resolve.words import ENTITY_NOUNS, GRAMMAR, LOSE_VERBS, WIN_VERBS


class _VerbReading(_ReadingBase):
    """Metric passes that read verbs."""

    def who_came_and_went(self) -> list[str]:
        """Customers who came and went ("who joined and who left", "who signed and who quit"): "who" before a verb of winning or losing is
        the customers won or lost (the catalog's new and churned customer counts), each one asked.
        """
        out: list[str] = []
        for i in range(len(self.tokens) - 1):
            if self.tokens[i].norm != "who" or self.used[i + 1]:
                continue
            verb = self.tokens[i + 1].norm
            kind = "new" if verb in WIN_VERBS else "churn" if verb in LOSE_VERBS else None
            found = (
                [e.target for e in self.lex.lookup((kind, "customer")) if e.kind == "metric"] if kind else []
            )
            if found and found[0] not in out:
                self.claim(i, i + 2)
                self.span("metrics", i, i + 2, found[0], "who")
                out.append(found[0])
        return out

    def word_of_one_name(self) -> list[str]:
        """A verb whose root only one metric's name or synonyms hold ("which accounts expanded the most" →
        expansion MRR: "expanded" meets "expansion"), when no phrase named a metric; below 0.8.
        """
        for i, t in enumerate(self.tokens):
            if self.used[i] or t.stem in FILLERS or t.stem in GRAMMAR or t.stem in ENTITY_NOUNS:
                continue
            if not t.norm.endswith(("ed", "ing")):
                continue  # a verb says what happened ("expanded"); a vague noun ("engagement") does not
            k = word_key(t.norm)
            owners = [
                m for m, weights in self.r.texts.weights.items() if weights.get(k, 0.0) >= PHRASE_WEIGHT
            ]
            if len(owners) == 1:
                self.used[i] = True
                self.res.confidence -= 0.25
                self.span("metrics", i, i + 1, owners[0], "verb")
                return owners
        return []
