"""Metrics scored by the words a data team wrote about them: name, label, synonyms, description, definition.

A question often names a metric in business words no synonym lists ("what it costs us to acquire a
customer", "share of trials that end up paying"). Those words are usually in the metric's description or
definition ("Customer acquisition cost", "Share of trials that became paying customers"). ``MetricTexts``
indexes every metric's words under a coarse key (accents, case, plural and verb endings folded, first five
letters) weighted by how rare the key is across metrics (inverse document frequency) and by where it was
written (a name, label or synonym counts more than a description). ``cover`` tells which of the question's
words one metric explains and how much they weigh.

A single-word metric name inside another metric's words (``mrr`` in "Churned MRR") brings that metric's
own phrases along at a lower weight ("recurring revenue" then counts for churned MRR too), and the entity
nouns a catalog declares for its ``name`` dimensions ("account", "company" for customer) meet their entity.

This is the lexical scoring feature; an embedding similarity may be added next to it through
``MetricTexts.scorer`` (a ``Scorer``: the question's content words → a score in [0, 1] per metric).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from metricmind.resolve.text import FILLERS, GENERIC, fold
from metricmind.resolve.words import GRAMMAR
from metricmind.spec.model import Model

Scorer = Callable[[list[str]], dict[str, float]]
"""An extra scoring feature: the question's content words → a score in [0, 1] per metric name."""

PHRASE_WEIGHT = 1.0
"""Weight of a word from a metric's name, label or synonyms."""
TEXT_WEIGHT = 0.7
"""Weight of a word from its description or definition (written as prose, so looser)."""
EXTRA_WEIGHT = 3.0
"""Weight of the extra scoring feature (``MetricTexts.scorer``), about one rare word at full similarity."""
EXPANDED_WEIGHT = 0.6
"""Weight of a word brought in by a single-word metric name inside the text ("MRR" → recurring revenue)."""

# Irregular forms folded to a shared key (the regular endings are stripped by ``key``), and the business
# verb of landing a customer, which means acquiring one ("what it costs to land a customer"; "win" is not
# one: "win-back" is a reactivation).
_IRREGULAR = {
    "paid": "pay",
    "spent": "spend",
    "took": "take",
    "taken": "take",
    "sold": "sell",
    "won": "win",
    "cheaper": "downgrade",  # moving to a cheaper plan is a downgrade; to a pricier one an upgrade
    "pricier": "upgrade",
    "land": "acquire",
    "landed": "acquire",
    "landing": "acquire",
    "lost": "lose",
    "loss": "lose",
    "bought": "buy",
    "gave": "give",
    "given": "give",
    "grew": "grow",
    "grown": "grow",
    "became": "become",
    "left": "leave",
    "went": "go",
    "gone": "go",
    "came": "come",
    "clients": "customer",
    "client": "customer",
}
_ENDINGS = ("ations", "ation", "ings", "ing", "ions", "ion", "ies", "es", "ed", "s", "e")
_WORD = re.compile(r"[^\W_]+")
# function words of prose descriptions, on top of the resolver's fillers and grammar words
_PROSE = frozenset(
    """also above below before after within without zero one two three more less than not no each its
    who whose whom which that this those these then when there their they them it is are was were be
    been has have had the a an of to in on by for from with at as and or per into ones""".split()
)


def key(word: str) -> str:
    """The coarse form words meet in: ``"acquire"`` and ``"acquisition"`` → ``"acqui"``, ``"costing"`` →
    ``"cost"``, ``"paid"`` and ``"paying"`` → ``"pay"``.

    >>> key("Acquisition"), key("acquire"), key("costing"), key("paid"), key("paying")
    ('acqui', 'acqui', 'cost', 'pay', 'pay')
    """
    w = fold(word)
    w = _IRREGULAR.get(w, w)
    for ending in _ENDINGS:
        if w.endswith(ending) and len(w) - len(ending) >= 3:
            w = w[: -len(ending)]
            if ending == "ies":
                w += "y"
            break
    return w[:5]


def content(word: str) -> bool:
    """Whether a word can carry meaning for a metric (not a filler, grammar or prose function word)."""
    w = fold(word)
    return (
        bool(w) and w.isalpha() and w not in FILLERS and w not in GRAMMAR and w not in _PROSE and len(w) > 1
    )


@dataclass
class MetricTexts:
    """Every metric's weighted keys, and how rare each key is across metrics."""

    weights: dict[str, dict[str, float]] = field(default_factory=dict)  # metric → key → weight
    idf: dict[str, float] = field(default_factory=dict)
    entity_words: frozenset[str] = frozenset()  # stems of entity nouns ("customer", "account", "company")
    entity_of: dict[str, str] = field(default_factory=dict)  # another noun for an entity → the entity

    def cover(self, metric: str, words: Iterable[tuple[int, str]]) -> tuple[float, set[int]]:
        """The score of ``metric`` over ``(position, word)`` pairs and the positions it explains."""
        own = self.weights.get(metric, {})
        score, hit = 0.0, set()
        seen: set[str] = set()
        for i, w in words:
            k = key(w)
            weight = own.get(k)
            if weight is None:
                continue
            hit.add(i)
            if k not in seen:  # a word said twice counts once
                seen.add(k)
                score += weight * self.idf.get(k, 0.0)
        return score, hit

    scorer: Scorer | None = None
    """An extra feature (an embedding similarity, say): its score per metric, times ``EXTRA_WEIGHT``, is
    added to the lexical score of every metric that explains at least one word."""

    def ranked(self, words: list[tuple[int, str]]) -> list[tuple[float, str, set[int]]]:
        """Every metric that explains at least one word, best first."""
        extra = self.scorer([w for _, w in words]) if self.scorer is not None and words else {}
        out = []
        for metric in self.weights:
            score, hit = self.cover(metric, words)
            if hit:
                out.append((score + EXTRA_WEIGHT * extra.get(metric, 0.0), metric, hit))
        out.sort(key=lambda x: (-x[0], x[1]))
        return out


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if content(w) and fold(w) not in GENERIC]


def metric_texts(model: Model, entity_nouns: dict[str, set[str]] | None = None) -> MetricTexts:
    """Index the metrics of ``model``; ``entity_nouns`` maps an entity to other nouns for it
    (``{"customer": {"account", "company"}}``), whose keys then count wherever the entity's does.
    """
    out = MetricTexts()
    phrases: dict[str, list[str]] = {}
    for m in model.metrics.values():
        words: list[str] = []
        for text in (m.name.replace("_", " "), m.label or "", *_synonyms(m.meta.get("synonyms"))):
            words.extend(_words(re.sub(r"\(.*?\)", " ", text)))
        phrases[m.name] = words
    single = {m.name: phrases[m.name] for m in model.metrics.values() if "_" not in m.name}
    aliases: dict[str, set[str]] = defaultdict(set)
    for entity, nouns in (entity_nouns or {}).items():
        for noun in nouns:
            aliases[key(entity)].add(key(noun))
    for m in model.metrics.values():
        weights: dict[str, float] = {}

        def add(word: str, weight: float, into: dict[str, float] = weights) -> None:
            k = key(word)
            for kk in (k, *aliases.get(k, ())):
                if into.get(kk, 0.0) < weight:
                    into[kk] = weight

        prose = f"{m.description or ''} {m.meta.get('definition') or ''}"
        for w in _words(prose):
            add(w, TEXT_WEIGHT)
        for w in phrases[m.name]:
            add(w, PHRASE_WEIGHT)
            if w.lower() in single and w.lower() != m.name:
                for x in single[w.lower()]:
                    add(x, EXPANDED_WEIGHT)
        out.weights[m.name] = weights
    n = len(out.weights) or 1
    df: dict[str, int] = defaultdict(int)
    for weights in out.weights.values():
        for k in weights:
            df[k] += 1
    out.idf = {k: math.log(1 + n / d) for k, d in df.items()}
    out.entity_of = {noun: entity for entity, nouns in (entity_nouns or {}).items() for noun in nouns}
    out.entity_words = frozenset(
        {*(entity_nouns or {}), *(w for nouns in (entity_nouns or {}).values() for w in nouns)}
    )
    return out


def _synonyms(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None]
    return []
