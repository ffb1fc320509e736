"""Metrics read from a verb when no phrase names one: who came and went ("who joined and who left"), a
verb only one metric's name holds ("which accounts expanded the most"), an entity before a verb of winning or
losing it ("accounts lost to competitors"), a value said to grow ("how quickly are Pro plans growing").
"""

from __future__ import annotations

from metricmind.resolve.describe import PHRASE_WEIGHT
from metricmind.resolve.describe import key as word_key
from metricmind.resolve.entities import counts_of
from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.text import FILLERS
from metricmind.resolve.words import GRAMMAR, GROWTH_WORDS, LOSE_VERBS, WIN_VERBS


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
            found = self.won_or_lost(kind, self.r.entities.party) if kind else []
            if found and found[0] not in out:
                self.claim(i, i + 2)
                self.span("metrics", i, i + 2, found[0], "who")
                out.append(found[0])
        return out

    def won_or_lost(self, kind: str, entity: str | None) -> list[str]:
        """The catalog's count of ``entity`` won (``kind`` "new") or lost ("churn"): its metric of that word and
        the entity's name ("new customers", "New accounts"); for one won, else the plain count of the entity
        over its own model, which counts them as they are created (a lender's ``new_borrowers``).
        """
        if entity is None:
            return []
        found = [e.target for e in self.lex.lookup((kind, entity)) if e.kind == "metric"]
        if found or kind != "new":
            return found
        return counts_of(self.r.model, entity)[:1]  # (no ``near``: only counts over the entity's own model)

    def word_of_one_name(self) -> list[str]:
        """A verb whose root only one metric's name or synonyms hold ("which accounts expanded the most" →
        expansion MRR: "expanded" meets "expansion"), when no phrase named a metric; below 0.8.
        """
        for i, t in enumerate(self.tokens):
            if self.used[i] or t.stem in FILLERS or t.stem in GRAMMAR or t.stem in self.r.entities.nouns:
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

    def growing_value(self) -> list[str]:
        """A value said to grow ("how quickly are Pro plans growing"): a value before its own dimension's noun, said to grow, with
        no metric named, is how many entities have that value (the count an entity's name reads), month by
        month; read at 0.75, since which entity is counted is assumed.
        """
        if not any(t.stem in GROWTH_WORDS and not self.used[t.index] for t in self.tokens):
            return []
        for i in range(len(self.tokens) - 1):
            dims = {e.target.split("=", 1)[0] for e in self.lex.lookup((self.stems[i],)) if e.kind == "value"}
            noun = self.stems[i + 1]
            own = {e.target for e in self.lex.lookup((noun,)) if e.kind == "dimension"}
            if not dims & own and not any(d.startswith(f"{noun}__") for d in dims):
                continue
            for entity in sorted(set(self.r.texts.entity_of.values())):
                found = [e.target for e in self.lex.lookup((entity,)) if e.kind == "metric"]
                if found and all(self.r.reachable(found[0], d) for d in dims & own or dims):
                    self.res.confidence -= 0.25
                    self.res.notes.append(f"read as the number of {found[0]} with '{self.tokens[i].text}'")
                    self.span("metrics", i + 1, i + 2, found[0], "growing value")
                    self.used[i + 1] = True
                    return found[:1]
        return []

    def entity_then_verb(self) -> bool:
        """Whether another noun for an entity stands right before a verb of winning or losing it ("accounts
        lost to competitors", "clients won in q1"): who was won or lost, counted.
        """
        toks, of = self.tokens, self.r.texts.entity_of
        return any(
            (self.stems[k] in of or self.stems[k] in of.values())
            and toks[k + 1].norm in WIN_VERBS | LOSE_VERBS
            for k in range(len(toks) - 1)
        )
