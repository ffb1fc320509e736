"""Existing metrics ranked against a definition: shared words, unit (money or a count), ratio, snapshot."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from metricmind.define.currency import says_currency
from metricmind.define.money import (
    MONEY,
    counted_entity,
    head,
    is_count,
    is_money,
    vocab,
    wanted_entity,
)
from metricmind.define.proposal import Definition
from metricmind.define.rulecover import only_point_in_time
from metricmind.define.statistics import statistic_asked, statistic_of
from metricmind.define.words import DISTINCT, RATIO, SNAPSHOT, content, stems
from metricmind.resolve.lexicon import COMMON_WORDS  # noqa: F401
from metricmind.spec.model import Measure, Metric, Model


@dataclass
class Candidate:
    """An existing metric scored against the definition."""

    metric: Metric
    score: float
    reason: str
    phrase: str = ""  # the name, label or synonym the definition says, if any


def confidence(score: float) -> float:
    """A ranking score as a confidence between 0 and 1."""
    return round(score / (score + 4.0), 2)


#: Glue words that still tell metrics apart when both say them ("for the first time", "the previous month").
ORDER_WORDS = frozenset({"first", "last", "previous", "next"})


def unit(metric: Metric) -> str:
    """The metric's unit (``currency``, ``count``, ``ratio`` …) from its meta."""
    return str(metric.meta.get("unit") or "")


#: A dating clause ("by invoice date", "by the payment date", "dated by issue date").
DATED_BY = re.compile(r"\b(?:dated\s+)?by\s+(?:the\s+)?(?:[a-z]+\s+){1,2}?(?:date|day)\b", re.IGNORECASE)


#: A word negated on its own ("not trial", from "non-trial"): what the metric leaves out, never what it is.
NEGATED = re.compile(
    r"\bnot\s+(?!(?:yet|only|just|all|any|the|a|an|by|in|on|at|to|of|be|been|"
    r"counting|including|counted|included)\b)[a-z]+\b"
    # "…, excl. refunds", "excluding trials": what is left out names no metric asked for
    r"|\b(?:excl\.?|excluding|except|without)\s+(?:the\s+|any\s+|all\s+)?[a-z]+\b",
    re.IGNORECASE,
)


def rank(
    model: Model, definition: Definition, text: str, metric_uses: Mapping[str, int] | None = None
) -> list[Candidate]:
    """Existing metrics ranked by the words they share with the definition, their unit and snapshot; the
    knowledge graph's ``metric_uses`` (queries that calculated each metric) break near ties.
    """
    # "by invoice date" says when, not what: its words name no metric ("Total billed … by invoice date")
    text, spoken = DATED_BY.sub(" ", text), DATED_BY.sub(" ", definition.text)
    # "active not trial subscriptions" (said "non-trial"): the word negated names what is left out
    text, spoken = NEGATED.sub(" ", text), NEGATED.sub(" ", spoken)
    want = stems(text.lower().replace("_", " ").replace("-", " "))
    said = stems(spoken.lower().replace("_", " ").replace("-", " "))
    want_content = {_fold(w) for w in content(text)}
    wants_money, wants_count = wants_unit(definition.text, model)
    wants_snapshot = bool(SNAPSHOT.search(definition.text)) or any(  # a rule "as of month end"
        only_point_in_time(r.lower()) for r in definition.rules
    )
    wants_distinct = bool(DISTINCT.search(definition.text))
    entity = wanted_entity(model, definition.text) if wants_count else ""
    asked = statistic_asked(definition.text)
    wants_ratio = bool(RATIO.search(definition.text)) or asked.startswith("p")
    out: list[Candidate] = []
    for t in _traits(model):
        m = t.metric
        best_phrase, best, by_name = "", 0.0, False
        for p, key in t.phrases:
            if key and (_contains(said, key) or _inverted(said, key)):  # "average severity of claims"
                score = 2.0 + 1.5 * len(key)
            elif len(key) > 1 and _spread(said, key):
                score = 1.0 + 1.5 * len(key)
            elif key and _contains(want, key):  # only in the name a person chose
                score = 1.0 + 1.0 * len(key)
            else:
                continue
            if score > best:
                best_phrase, best = p, score
                by_name = p in t.names and _contains(said, key)
        overlap = want_content & t.doc
        ruled = (want_content - t.doc) & t.ruled
        said_order = set(said) & ORDER_WORDS  # "for the first time": first, not any, paid month
        overlap |= said_order & t.doc_order
        score = best + 1.25 * len(overlap) + 0.5 * len(ruled)
        money, counted = t.money, t.counted
        if wants_money and money or wants_count and counted:
            score += 1.0
        elif (wants_money and counted) or (wants_count and money):
            score -= 4.0
        if entity and counted and _other_entity(entity, t.entity):
            score -= 2.0  # "Loans that were …" counts loans, not the borrowers `funded_borrowers` counts
        rate = t.rate
        if rate != wants_ratio and not (
            by_name and rate and not (wants_count and counts_first(definition.text, model))
        ):  # "ARPA" names a ratio without saying "per"; "count of CSAT responses" counts, names no ratio
            score -= 3.0
        stat = t.stat
        if asked and stat:  # "median minutes" is the p50 measure, "average, not median" the mean
            score += 1.5 if stat == asked else -1.5
        snapshot = t.snapshot
        if wants_snapshot and snapshot:
            score += 1.5
        elif wants_snapshot and not snapshot:
            score -= 1.0  # "open tickets at month end" is no count of tickets created in the month
        elif snapshot and not wants_snapshot and not (by_name and set(said) <= set(stems(best_phrase))):
            score -= 1.0  # unless the definition is the snapshot's name and nothing else ("Backlog")
        if wants_distinct and counted:
            score += 0.5
        if m.meta.get("status") == "certified":
            score += 0.25
        uses = (metric_uses or {}).get(m.name, 0)
        if uses and score > 0:
            score += min(0.5, math.log1p(uses) / 8.0)
        if score <= 0:
            continue
        bits = []
        if best_phrase:
            bits.append(f"the definition says {best_phrase!r}")
        if overlap:
            bits.append(f"its description shares {', '.join(sorted(overlap))}")
        if wants_snapshot and snapshot:
            bits.append("a month-end snapshot, as asked")
        if uses:
            bits.append(f"used by {uses} logged queries")
        status = m.meta.get("status", "published")
        reason = f"looks like `{m.name}`, {status}: " + ("; ".join(bits) or "same unit")
        out.append(Candidate(m, round(score, 2), reason, best_phrase))
    # a tie goes to the metric whose name says nothing the definition does not ("MRR for EMEA customers":
    # `mrr`, not `churned_mrr`, whose description shares "customer" as much), then by name
    out.sort(key=lambda c: (-c.score, _unsaid(c.metric.name, want), c.metric.name))
    return out


@dataclass(frozen=True)
class _Traits:
    """What ``rank`` reads of one metric that does not depend on the definition (computed once per model)."""

    metric: Metric
    phrases: tuple[tuple[str, tuple[str, ...]], ...]  # (a name it goes by, its stems)
    names: frozenset[str]  # its name and synonyms, as written
    doc: frozenset[str]  # folded words of its description (or label) and definition
    ruled: frozenset[str]  # folded words of its business rules
    doc_order: frozenset[str]  # the order words its description and definition say
    money: bool
    counted: bool
    entity: str  # the entity it counts, or ""
    rate: bool
    stat: str
    snapshot: bool


_TRAITS: dict[int, tuple[Model, tuple[_Traits, ...]]] = {}


def _traits(model: Model) -> tuple[_Traits, ...]:
    """The traits of ``model``'s metrics that are not deprecated, in the model's order, kept per model."""
    held = _TRAITS.get(id(model))
    if held is not None and held[0] is model:
        return held[1]
    out = []
    for m in model.metrics.values():
        if m.meta.get("status") == "deprecated":
            continue
        phrases = [m.name.replace("_", " "), re.sub(r"\(.*?\)", " ", m.label)]
        phrases += [str(s) for s in m.meta.get("synonyms") or ()]
        if m.type.value == "simple" and m.measure is not None and not m.filter:  # the data team's name too
            phrases.append(m.measure.name.replace("_", " "))
        described = m.description or m.label  # a metric without a description is described by its label
        counted = is_count(model, m)
        out.append(
            _Traits(
                metric=m,
                phrases=tuple((p, stems(p.replace("-", " "))) for p in phrases),
                names=frozenset({m.name.replace("_", " "), *(str(s) for s in m.meta.get("synonyms") or ())}),
                doc=frozenset(_fold(w) for w in content(f"{described} {m.meta.get('definition') or ''}")),
                ruled=frozenset(
                    _fold(w) for r in m.meta.get("business_rules") or () for w in content(str(r))
                ),
                doc_order=frozenset(
                    set(stems(f"{m.description} {m.meta.get('definition') or ''}".lower())) & ORDER_WORDS
                ),
                money=is_money(model, m),
                counted=counted,
                entity=counted_entity(model, m) if counted else "",
                rate=is_rate(model, m),
                stat=statistic_of(model, m),
                snapshot=is_snapshot(model, m),
            )
        )
    if len(_TRAITS) > 16:
        _TRAITS.clear()
    _TRAITS[id(model)] = (model, tuple(out))
    return _TRAITS[id(model)][1]


def _unsaid(name: str, said: tuple[str, ...]) -> int:
    """How many words of a metric's name the definition does not say."""
    return sum(1 for w in content(name) if w not in said)


def _other_entity(wanted: str, counts: str) -> bool:
    """A metric counting ``counts`` counts something else than ``wanted`` (``customer_month`` rows are
    customers' months, still customers).
    """
    return bool(counts) and counts != wanted and wanted not in counts.split("_")


def is_ratio(metric: Metric) -> bool:
    """A ratio, a rate or an average (by type, unit or a division in its expression)."""
    return metric.type.value == "ratio" or unit(metric) in ("ratio", "percent") or "/" in (metric.expr or "")


#: Aggregations that give a rate of their rows, as a ratio does ("average minutes", "median hours").
RATE_AGGS = frozenset({"average", "median", "percentile"})


def is_rate(model: Model, metric: Metric) -> bool:
    """A ratio (:func:`is_ratio`), a conversion rate, or a simple metric over an average, median or
    percentile measure: what "average …", "rate", "… per …" ask for.
    """
    if is_ratio(metric) or metric.type.value == "conversion":
        return True
    measures = measures_of(model, metric) if metric.type.value == "simple" else []
    return bool(measures) and all(str(getattr(ms.agg, "value", ms.agg)) in RATE_AGGS for ms in measures)


def _fold(word: str) -> str:
    """A verb form folded for comparing descriptions: started/starts → start, upgrading → upgrad."""
    if word.endswith("ies") and len(word) > 5:
        return word[:-3] + "y"  # replies → reply
    if word.endswith("ution") and len(word) > 7:
        word = word[:-5] + "ve"  # resolution → resolve, solution → solve
    for suffix in ("ing", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def wants_unit(text: str, model: Model) -> tuple[bool, bool]:
    """(money, count) asked for: the head of the definition ("Customers who …", "Total value of …",
    "Funded amount to borrowers …"), by English's words and the project's own (``money.vocab``).
    """
    low = text.lower()
    if re.match(r"\s*(number|count|how many|distinct|unique)\b", low):
        return False, True
    if re.match(r"\s*(the )?(total|sum) (value|amount)\b|\s*(amount|value|money)\b", low):
        return True, False
    if says_currency(text):
        return True, False  # "Paid invoices, $, by month": a unit of money beside the noun
    money_words, count_words = vocab(model)
    said = head(text)
    words = content(text)
    first = words[0] if words else ""
    if said in _COLUMN_WORDS and first in count_words:
        # "Invoice amount": a column of the entity's table, which the column reader names ("amount");
        # no money metric is preferred by the word alone (a refunds or a revenue metric is another column)
        return False, True
    if said in money_words:
        return True, False
    if said in count_words:
        return False, True
    if first in count_words and len(words) > 1 and words[1] in MONEY:
        return True, False  # a compound: "invoice revenue", "customer spend", "account balance"
    if first in count_words:
        return False, True
    if first in money_words:
        return True, False
    money = bool(set(words) & money_words)
    return money, bool(set(words) & count_words) and not money


#: Generic words for a column's value ("amount", "value"): after an entity noun they name its column.
_COLUMN_WORDS = frozenset({"amount", "value", "sum"})


def counts_first(text: str, model: Model) -> bool:
    """The definition opens by asking for a count ("Number of …", "Customers who …"), not for a metric a
    later phrase qualifies ("CSAT for EMEA customers").
    """
    words = content(text)
    return bool(re.match(r"\s*(number|count|how many|distinct|unique)\b", text.lower())) or (
        bool(words) and words[0] in vocab(model)[1]
    )


def _spread(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    """Every word of ``phrase`` in order within a window two words longer ("average mrr per paying customer")."""
    n = len(phrase) + 2
    for i in range(len(words)):
        window = words[i : i + n]
        if window and window[0] == phrase[0]:
            it = iter(window)
            if all(w in it for w in phrase):
                return True
    return False


def _inverted(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    """``phrase`` said with one of its modifiers after its noun and "of", two words at most between
    ("average severity of claims" for "Average Claim Severity", "average size of personal loans" for
    "Average Loan Size").
    """
    for at in range(len(phrase) - 1):
        front, modifier, noun = phrase[:at], phrase[at], phrase[at + 1 :]
        said = (*front, *noun, "of")
        for i in range(len(words) - len(said)):
            if words[i : i + len(said)] == said and modifier in words[i + len(said) : i + len(said) + 3]:
                return True  # "of claims", "of the claims", "of personal loans"
    return False


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


def measures_of(model: Model, metric: Metric) -> list[Measure]:
    """The measures ``metric`` reads (through its inputs)."""
    named = _measures_by_name(model)
    return [ms for name in model.measures_of(metric.name) for ms in named.get(name, ())]


_BY_NAME: dict[int, tuple[Model, dict[str, list[Measure]]]] = {}


def _measures_by_name(model: Model) -> dict[str, list[Measure]]:
    """Every measure of ``model`` by name, in the order of its semantic models, kept per model."""
    held = _BY_NAME.get(id(model))
    if held is not None and held[0] is model:
        return held[1]
    out: dict[str, list[Measure]] = {}
    for sm in model.semantic_models.values():
        for ms in sm.measures:
            out.setdefault(ms.name, []).append(ms)
    if len(_BY_NAME) > 16:
        _BY_NAME.clear()
    _BY_NAME[id(model)] = (model, out)
    return out


def is_snapshot(model: Model, metric: Metric) -> bool:
    """Every measure of ``metric`` is semi-additive (a snapshot)."""
    measures = measures_of(model, metric)
    return bool(measures) and all(ms.non_additive is not None for ms in measures)
