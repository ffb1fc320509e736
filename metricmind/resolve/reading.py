"""The state of one question being read, and the helpers every pass shares."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from metricmind.resolve.attribution import Attribution
from metricmind.resolve.clippednoun import entity_nouns, unclipped
from metricmind.resolve.clippedvalue import unclipped_values
from metricmind.resolve.describe import MetricTexts
from metricmind.resolve.entities import ProjectEntities
from metricmind.resolve.lexicon import Entry, Lexicon
from metricmind.resolve.resolution import Resolution, Span
from metricmind.resolve.shorthand import expand
from metricmind.resolve.spelling import Speller
from metricmind.resolve.sqlops import select_items
from metricmind.resolve.text import FILLERS, Token, number, stems, tokenize
from metricmind.resolve.words import ASC_WORDS, DESC_WORDS, GRAMMAR, GROUP_WORDS
from metricmind.spec.model import Model

PARTICIPLES = frozenset(
    "made done paid sent taken given brought bought sold won lost begun run seen held kept driven".split()
)
"""Past participles that do not end in "-ed", for a passive before "by" ("deals won by partners")."""
DOUBLED_TIME = frozenset("day week month quarter year hour".split())
"""Units whose doubling around "by" is a grain ("month by month"), not an idiom."""
ARRANGED = frozenset(
    """grouped sorted ranked ordered segmented sliced bucketed aggregated organised organized arranged
    categorised categorized listed tabulated totalled totaled summed summarised summarized""".split()
)
"""Participles of arranging rows: "grouped by customers" is a breakdown, whoever did the grouping."""
AUXILIARIES = frozenset("was were is are be been being get got gets getting".split())
"""The auxiliary of a passive ("were started by")."""
MIX_WORDS = frozenset({"mix", "breakdown", "split", "distribution", "makeup"})
"""Nouns after a dimension's words that ask for a breakdown by it ("product mix", "state breakdown")."""


class Catalog(Protocol):
    """What a reading asks of the resolver that started it (the resolver implements it; readings never
    import the resolver, so the dependency runs one way: resolver → readings → this protocol).
    """

    lex: Lexicon
    model: Model

    @property
    def phrase_sets(self) -> dict[tuple[str, ...], list[Entry]]:
        """Metric phrases of two or more words keyed by their sorted word roots."""
        ...

    @property
    def texts(self) -> MetricTexts:
        """Every metric's words, weighted, for scoring metrics by their descriptions."""
        ...

    @property
    def entities(self) -> ProjectEntities:
        """The catalog's entity nouns, the party it serves and its entities' order."""
        ...

    @property
    def attributions(self) -> list[Attribution]:
        """The catalog's attribution metrics."""
        ...

    @property
    def flag_spelt(self) -> frozenset[str]:
        """Values spelt as a yes/no dimension of their entity ("invoice__status=paid")."""
        ...

    @property
    def yes_no(self) -> frozenset[str]:
        """The catalog's yes/no dimensions (``entity__is_x``)."""
        ...

    @property
    def everyday(self) -> frozenset[str]:
        """Everyday words of the catalog's questions: a one-word value of these filters only in context."""
        ...

    def sources(self, metric: str) -> set[str]:
        """The semantic models ``metric`` reads."""
        ...

    def reachable(self, metric: str, dim: str) -> bool:
        """Whether ``dim`` can group ``metric`` without counting a row twice."""
        ...

    def distance(self, metric: str, dim: str) -> int:
        """The joins from ``metric``'s models to ``dim``."""
        ...

    def correct(self, word: str) -> str | None:
        """The catalog word ``word`` is a typo of, if exactly one is close enough."""
        ...

    @property
    def speller(self) -> Speller:
        """Reads misspelt and shortened words as the catalog's words."""
        ...


@dataclass
class _Pick:
    """Words the resolver read as a catalog phrase."""

    first: int
    last: int
    entries: list[Entry]
    kind: str
    fuzzy: bool = False


PAID_WORDS = frozenset(
    {"money", "cash", "spend", "spent", "pay", "paid", "paying", "dollars", "bring", "brought"}
)
"""Words that make "how much customers …" ask what they pay ("how much customers paid us")."""


def many_of_plural(tokens: list[Token], entity_words: frozenset[str]) -> list[Token]:
    """``tokens`` with "how much" before an entity's plural read "how many" ("how much customers did we win":
    a slip for a count of them), unless the question speaks of paying ("how much customers paid us").
    """
    if any(t.norm in PAID_WORDS for t in tokens):
        return tokens
    out = list(tokens)
    for i in range(len(tokens) - 2):
        a, b = tokens[i : i + 2]
        for c in tokens[i + 2 : i + 4]:  # ("how much new accounts": one word may qualify them)
            if a.norm == "how" and b.norm == "much" and c.stem in entity_words and c.norm != c.stem:
                out[i + 1] = Token(b.index, b.text, "many", "many", b.start, b.end)
    return out


class _ReadingBase:
    """One question being read (the passes share the token state)."""

    def __init__(self, resolver: Catalog, question: str, as_of: dt.date) -> None:
        self.r = resolver
        self.lex = resolver.lex
        said = expand(tokenize(question), question, self.lex.vocabulary)
        # clipped nouns and values spelt out ("appts", "physio"), one token for one, each said in a note
        spelt = unclipped_values(unclipped(said, entity_nouns(resolver.model), self.lex.vocabulary), self.lex)
        self.tokens: list[Token] = many_of_plural(spelt, resolver.texts.entity_words)
        self.stems = [t.stem for t in self.tokens]
        self.used = [False] * len(self.tokens)
        self.res = Resolution(question=question, as_of=as_of)
        self.res.notes += [
            f"read '{a.text}' as {b.norm}" for a, b in zip(said, spelt, strict=True) if a.norm != b.norm
        ]
        self.fuzzy: set[int] = set()
        self.group_idx: list[int] = []  # token indexes that name the grouped thing (for singular/plural)
        self.order_dir: bool | None = None
        self.order_n: int | None = None
        self.order_word: int | None = None
        self.order_noun: int | None = None  # the noun of "longest term first" (``fieldorder``)
        self.by_first: dict[int, list[_Pick]] = {}  # catalog candidates by first token (set by ``pick``)
        self.by_last: dict[int, list[_Pick]] = {}  # … and by the token after their last
        self.by_dim: dict[str, list[_Pick]] = {}  # … and by each dimension they name (set by ``pick``)
        # the stems of the metrics' phrases for one list of metric spans (held, so its id is not reused),
        # its length and the metrics: see ``restates``
        self.said_cache: tuple[list[Span], tuple[int, tuple[str, ...]], frozenset[tuple[str, ...]]] | None = (
            None
        )
        self.measure_missing: str | None = None  # a measure listed over a noun that no metric is
        self.weak_reading: str | None = None  # why the metric read rests on words another metric shares
        self.qualifier_words: set[int] = set()  # unknown words read as a value before an entity ("DACH")

    # -- helpers -------------------------------------------------------------------------------
    @cached_property
    def token_at(self) -> dict[int, int]:
        """Token index by the character where the token starts."""
        return {t.start: t.index for t in self.tokens}

    @cached_property
    def unclaimed(self) -> list[bool]:
        """A "nothing claimed" mask, built once (for context checks made before claims settle)."""
        return [False] * len(self.tokens)

    @cached_property
    def norm_set(self) -> frozenset[str]:
        """Every word of the question (for "is this word anywhere" checks in constant time)."""
        return frozenset(t.norm for t in self.tokens)

    def text(self, first: int, last: int) -> Span:
        a, b = self.tokens[first].start, self.tokens[last - 1].end
        return Span(self.res.question[a:b], a, b, "")

    def span_chars(self, part: str, start: int, end: int, target: str, how: str = "") -> None:
        """Remember the characters ``start``..``end`` of the question behind ``part``."""
        self.res.span(part, Span(self.res.question[start:end], start, end, target, how))

    def span(self, part: str, first: int, last: int, target: str, how: str = "") -> None:
        s = self.text(first, last)
        self.res.span(part, Span(s.text, s.start, s.end, target, how))

    def claim(self, first: int, last: int) -> None:
        for i in range(first, last):
            self.used[i] = True

    def prev_word(self, i: int, skip: frozenset[str] = frozenset({"the", "a", "an", "our", "all"})) -> int:
        j = i - 1
        while j >= 0 and self.tokens[j].norm in skip:
            j -= 1
        return j

    def in_group_context(self, i: int) -> bool:
        """Whether the words at ``i`` name what to group by (after by/per/each/which/top N …)."""
        if self.mix_after(i):
            return True  # "product mix of funded loans": a breakdown by product
        if i in select_items(self.res.question, self.tokens):
            return True  # "select agent, count(*) …": a column selected beside the count, a breakdown
        j = self.prev_word(i)
        if j < 0:
            return False
        w = self.tokens[j].norm
        if w == "by" and self.agent(j, i):
            return False  # "trials started by customers in APAC": who did it, not a breakdown
        if w == "by" and self.doubled_by(j):
            return False  # "side by side", "one by one": a word said twice around "by" is an idiom
        if w in GROUP_WORDS or w in ("top", "bottom"):
            return True
        if number(w) is not None:
            k = self.prev_word(j)
            if j > 0 and self.tokens[j - 1].norm in ("which", "what", "the"):
                # "which 3 customers owe the most", "the 5 customers with the most events": a ranking of them
                ahead = self.tokens[i + 1 : i + 9]
                return self.tokens[i].norm != self.stems[i] and any(
                    t.norm in DESC_WORDS | ASC_WORDS for t in ahead
                )
            return k >= 0 and self.tokens[k].norm in DESC_WORDS | ASC_WORDS
        if w in DESC_WORDS | ASC_WORDS:
            k = self.prev_word(j)
            return k >= 0 and number(self.tokens[k].norm) is not None
        return False

    def mix_after(self, i: int) -> bool:
        """Whether a word of ``MIX_WORDS`` follows the word at ``i`` within a dimension's few words, none of
        them a filler or grammar word ("product mix", "risk grade breakdown").
        """
        for k in range(i + 1, min(i + 3, len(self.tokens))):
            if self.tokens[k].norm in MIX_WORDS:
                after = self.tokens[k + 1].norm if k + 1 < len(self.tokens) else ""
                return after not in GROUP_WORDS  # ("refunds split by reason": the breakdown follows)
            if self.tokens[k].norm in FILLERS or self.tokens[k].norm in GRAMMAR:
                return False
        return False

    def agent(self, by: int, i: int) -> bool:
        """Whether "by" at ``by`` follows a verb in the passive ("started by", "generated by", "made by") and
        the words at ``i`` are a plural noun: the ones who did it, not what to group by.
        """
        if by >= 1 and self.action_noun(by - 1):
            # "upgrades by customers on Pro", "money from upgrades by existing accounts": who did them
            k = i
            while k < len(self.tokens) and k < i + 2 and self.stems[k] not in self.r.entities.nouns:
                k += 1
            if k < len(self.tokens) and self.stems[k] in self.r.entities.nouns:
                after = self.tokens[k + 1].norm if k + 1 < len(self.tokens) else ""
                described = k > i or after in ("on", "in", "with", "who", "that", "from", "at", "based")
                # (plural and described: "refunds by customers" or "by customer" still group)
                return described and self.tokens[k].norm != self.tokens[k].stem
        if by >= 1 and self.done_by_entities(by, i):
            return True
        if by < 2 or self.tokens[i].norm == self.tokens[i].stem:
            return False
        verb = self.tokens[by - 1].norm
        passive = self.tokens[by - 2].norm in AUXILIARIES  # "were started by", not "grouped by"
        return passive and ((verb.endswith("ed") and len(verb) > 4) or verb in PARTICIPLES)

    def doubled_by(self, by: int) -> bool:
        """Whether "by" (or "to") at ``by`` stands between a word said twice ("side by side", "head to head"): an
        idiom, never a breakdown (time words aside: "month by month" is a grain, read with the time).
        """
        if by < 1 or by + 1 >= len(self.tokens) or self.tokens[by].norm not in ("by", "to"):
            return False
        word = self.tokens[by - 1].norm
        if word != self.tokens[by + 1].norm or word in DOUBLED_TIME:
            return False
        if {by - 1, by + 1} & self.fuzzy:
            return True  # ("side by side" read as a typo of "size" is still the idiom)
        # "revenue per parcel by parcel size": each word ends or begins a phrase of the catalog, no idiom
        for size in range(2, self.lex.max_len + 1):
            before = tuple(self.stems[by - size : by]) if by >= size else ()
            after = tuple(self.stems[by + 1 : by + 1 + size]) if by + size < len(self.tokens) else ()
            if (before and self.lex.lookup(before)) or (after and self.lex.lookup(after)):
                return False
        return True

    def done_by_entities(self, by: int, i: int) -> bool:
        """Whether "by" at ``by`` follows a past participle and the words from ``i`` end, within three words,
        in a plural entity noun ("revenue added by brand new accounts", "events logged by enterprise
        customers"): the ones who did it, not a breakdown (a breakdown names a dimension, never a plural).
        """
        verb = self.tokens[by - 1].norm
        if not ((verb.endswith("ed") and len(verb) > 4) or verb in PARTICIPLES) or verb in ARRANGED:
            return False
        for k in range(i, min(i + 3, len(self.tokens))):
            t = self.tokens[k]
            if t.stem in self.r.entities.nouns:
                return t.norm != t.stem
        return False

    def action_noun(self, k: int) -> bool:
        """Whether the word at ``k`` is a plural noun that alone names a metric and is no entity
        ("upgrades", "cancellations"): something done, whose "by" says by whom.
        """
        t = self.tokens[k]
        return (
            t.norm != t.stem
            and t.stem not in self.r.entities.nouns
            and any(
                e.kind == "metric" and e.source in ("label", "synonym", "learned")
                for e in self.lex.lookup((self.stems[k],))
            )
        )

    # -- dimensions ----------------------------------------------------------------------------
    def choose(self, entries: list[Entry], field: str = "dimension") -> tuple[str | None, str | None]:
        """The dimension of ``entries`` reachable from every metric; (None, why) when there is none."""
        names = [e.target.split("=", 1)[0] for e in entries]
        best_rank = {n: min(e.rank for e in entries if e.target.split("=", 1)[0] == n) for n in names}
        metrics = self.res.metrics
        local = set().union(*(self.r.sources(m) for m in metrics)) if metrics else set()
        ok = [n for n in dict.fromkeys(names) if all(self.r.reachable(m, n) for m in metrics)]
        if not ok:
            n = names[0]
            bad = [m for m in metrics if not self.r.reachable(m, n)]
            return None, f"{', '.join(bad)} cannot be broken down by {n}"

        # the entities the metrics are about by name ("active sellers": the seller's country, not the buyer's)
        subjects = tuple(
            f"{w}__" for m in metrics for w in stems(m.replace("_", " ")) if w in self.r.entities.nouns
        )

        keys = {e.target for e in entries if e.source == "key"}

        def key(n: str) -> tuple[bool, bool, bool, int, int, bool, bool, int, int, int]:
            info = self.lex.dims.get(n)
            order = self.r.entities.rank(n)  # the central entity's first
            # the nearer of two dimensions of one word ("product" of the loan, not of its application)
            hops = max((self.r.distance(m, n) for m in metrics), default=0)
            specific = -len(info.values) if info else 0  # "US": the country before the region
            return (
                # the entity the word names itself ("by hub": the hub, not the parcel's delivery_hub)
                n not in keys,
                # a conformed dimension (a table of dimensions only, "channel" for spend and customers)
                # serves when a metric's own dimension cannot: CAC by channel, not new customers by it
                bool(info and info.conformed),
                best_rank[n] >= 5,
                best_rank[n],
                0 if info and info.model in local else 1,
                not n.startswith(subjects) if subjects else False,
                order != 0,  # the party's own dimension first ("country": the buyer's), then the nearest
                hops,
                order,
                specific,
            )

        return sorted(ok, key=key)[0], None

    # -- nearest -------------------------------------------------------------------------------
    def describe(self, metric: str) -> dict[str, str]:
        m = self.r.model.metrics[metric]
        return {"kind": "metric", "name": metric, "label": m.label or metric}

    def nearest_metrics(self, k: int = 3) -> list[dict[str, str]]:
        """Metrics sharing words (or word beginnings) with the question; the certified ones otherwise."""
        words = [
            s for i, s in enumerate(self.stems) if not self.used[i] and s not in FILLERS and s not in GRAMMAR
        ]
        scored: list[tuple[float, str]] = []
        for name, vocab in self.lex.metric_words.items():
            score = 0.0
            for w in words:
                if w in vocab:
                    score += 1.0
                elif len(w) >= 5 and any(v[:5] == w[:5] for v in vocab):
                    score += 0.5
            if score > 0:
                scored.append((-score, name))
        scored.sort()
        if not scored:
            return self.popular()
        return [self.describe(n) for _, n in scored[:k]]

    def popular(self) -> list[dict[str, str]]:
        certified = [
            m.name for m in self.r.model.metrics.values() if str(m.meta.get("status")) == "certified"
        ]
        return [self.describe(n) for n in (certified or sorted(self.r.model.metrics))[:5]]

    def dims_for_metrics(self, phrase: str, k: int = 5) -> list[dict[str, str]]:
        metrics = self.res.metrics
        names = [n for n in self.lex.dims if all(self.r.reachable(m, n) for m in metrics)]
        phrase = phrase.lower()
        scored = sorted(
            names,
            key=lambda n: (
                -max(
                    difflib.SequenceMatcher(None, phrase, x).ratio()
                    for x in (n, n.split("__")[-1].replace("_", " "))
                )
            ),
        )
        return [{"kind": "dimension", "name": n, "label": self.lex.dims[n].label} for n in scored[:k]]
