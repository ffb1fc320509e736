"""Metrics a question names without a catalog phrase: an entity counted ("how many accounts"), a
qualified entity noun ("new accts"), scattered words, a description, or a word only one metric has.
"""

from __future__ import annotations

from metricmind.resolve.describedwords import _DescribedReading
from metricmind.resolve.entities import distinct_counts
from metricmind.resolve.entityrows import entity_rows
from metricmind.resolve.metricphrases import _MetricPhraseReading
from metricmind.resolve.resolution import Resolution
from metricmind.resolve.text import FILLERS, number, root
from metricmind.resolve.thresholds import find_threshold
from metricmind.resolve.verbwords import _VerbReading
from metricmind.resolve.words import (
    ASC_WORDS,
    DESC_WORDS,
    GRAMMAR,
    GROWTH_WORDS,
    LOSE_VERBS,
    OBJECT_PRONOUNS,
    WIN_VERBS,
)


class _FallbackMetricReading(_DescribedReading, _VerbReading, _MetricPhraseReading):
    """The metric passes used when no metric phrase was read."""

    ambiguous: tuple[int, list[str]] | None = None  # a word several metrics share, and those metrics

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
        entities = {e.name for sm in self.r.model.semantic_models.values() for e in sm.entities}
        for i in range(len(self.tokens)):
            entity = self.r.texts.entity_of.get(self.stems[i])
            if entity is None and self.stems[i] in entities and any(n in WIN_VERBS for n in norms):
                entity = self.stems[i]  # "how many buyers did we win": the entity by its own name
            asked = i >= 2 and (norms[i - 2], norms[i - 1]) in (("how", "many"), ("number", "of"))
            if entity is None and self.stems[i] in entities and asked and norms[i] != self.stems[i]:
                entity = self.stems[i]  # "how many guests did we have": the entity by its own name, counted
            if self.used[i] or entity is None:
                continue
            found = [e.target for e in self.lex.lookup((entity,)) if e.kind == "metric"]
            if not found and any(n in WIN_VERBS for n in norms):
                found = self.won_or_lost("new", entity)  # "how many accounts did we win": created ones
            moved = any(n in WIN_VERBS | LOSE_VERBS for n in norms)  # ("how many sellers did we lose")
            if (
                not found
                and asked
                and not moved
                and len(distinct := distinct_counts(self.r.model, entity)) == 1
            ):
                # "how many guests": the distinct guests on what they did (a stay), not the profiles created
                self.res.confidence -= 0.15
                self.res.notes.append(f"read 'how many {self.tokens[i].text}' as {distinct[0]}")
                found = distinct
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
                counted = entity_rows(self.r.model, self.r.texts.entity_of.get(w, w), w)
                if counted is not None:
                    self.used[i] = True  # "P2 incidents": the one count of incident rows, "Network Incidents"
                    self.res.confidence -= 0.2
                    self.span("metrics", i, i + 1, counted, "entity rows")
                    return [counted]
                continue  # "subscriptions" alone is not a metric
            if not any(c.isalpha() for c in w) or number(w) is not None or len(w) < 2:
                continue  # "at least 20k", "top three", "u": never the "20" of a label such as "40/20/40"
            if i + 1 < len(self.tokens) and self.tokens[i + 1].norm in OBJECT_PRONOUNS:
                continue  # "call me when u see this": a verb with its object, never a metric's noun
            owners = sorted(m for m, words in self.lex.metric_words.items() if w in words)
            if len(owners) == 1:
                self.used[i] = True
                self.res.confidence -= 0.2
                self.span("metrics", i, i + 1, owners[0], "word")
                return owners
            fits = self.fit_named_values(owners)
            if len(owners) > 1 and len(fits) == 1:
                # "daily actives on android": of the metrics "actives" names, only one can be on a platform
                self.used[i] = True
                self.res.confidence -= 0.2
                self.span("metrics", i, i + 1, fits[0], "word")
                self.res.notes.append(f"read '{t.text}' as {fits[0]}, the one of its metrics the values fit")
                return fits
            if len(owners) > 1 and not unknown:
                self.ambiguous = (i, owners[:5])
                labels = ", ".join(owners[:5])
                self.res.refuse(
                    f"'{t.text}' could mean several metrics: {labels}",
                    [self.describe(m) for m in owners[:5]],
                )
                return []
        return self.word_of_one_name()

    def fit_named_values(self, metrics: list[str]) -> list[str]:
        """Of ``metrics``, those every value the question names can filter (by one of its dimensions);
        ``metrics`` itself when the question names no value.
        """
        named = [
            {e.target.split("=", 1)[0] for e in p.entries if e.kind == "value"}
            for picks in self.by_first.values()
            for p in picks
            if any(e.kind == "value" for e in p.entries) and all(self.used[p.first : p.last])
        ]
        if not named:
            return metrics
        fits = [m for m in metrics if all(any(self.r.reachable(m, d) for d in dims) for dims in named)]
        base = [m for m in fits if all(o.startswith(m + "_") or o == m for o in fits)]
        return base or fits  # (active_users before its variant active_users_7d)

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
