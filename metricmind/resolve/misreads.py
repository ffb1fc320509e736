"""The rest of a question misread around a metric read right (issue 14, calibration features).

First contact's confident wrong answers mostly read the metric by its own name and misread the rest: a unit
("outage mins", "invoice $") left to no part of the answer, a yes/no asked both ways ("direct debit customers
vs not") answered one way, a catalog value absorbed into a metric's description ("paying EU customers") and
not applied, a state or outcome ("lapsed", "abandoned") answered with a rate, a growth word ("change",
"growth", "up vs last month") read without the comparison it asks or a comparison read as a growth metric, a
period phrase partly read ("since jan 2024" read as January, "q2 so far" as the whole quarter). Each is a
feature of the finished answer (its ``ask --json`` shape and the question's words), so the readings of any
day's code carry it (``bench/resolve_first_contact.py``); a catalog value is known from the resolver's value
phrases and a growth metric from its metrics (``catalog_words``), given to ``calibration.answer_features``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from metricmind.resolve.droppedwords import MetricHeads, metric_heads
from metricmind.resolve.phraseindex import Lexicon
from metricmind.resolve.text import FILLERS, Token, stems, tokenize
from metricmind.spec.names import METRIC_TIME

ValuePhrases = frozenset[tuple[str, ...]]
"""A catalog's values, each as the stems of its words (``("direct", "debit")``)."""


@dataclass(frozen=True)
class Catalog:
    """What a feature needs of the catalog: its values (``value_phrases``), its metrics' names and their head
    words (``droppedwords.metric_heads``).
    """

    values: ValuePhrases = frozenset()
    metrics: frozenset[str] = frozenset()
    heads: MetricHeads = frozenset()


NO_CATALOG = Catalog()
"""No catalog: the features that need one are not named."""

UNIT_WORDS = frozenset(
    """min mins hr hrs sec secs ms gb gbs mb mbs tb kb mbps gbps kwh km kms kg pct pp bps usd eur gbp
    k mm bn""".split()
)
"""A unit's shorthand ("outage mins", "5gb", "10k", "churn pct"); ``k``, ``mm``, ``bn`` only after a number."""
_MAGNITUDES = frozenset({"k", "mm", "bn"})
_SPELLED = {"min": "minute", "mins": "minute", "hr": "hour", "hrs": "hour", "sec": "second", "secs": "second"}
_PERCENT = frozenset({"%", "pct", "pp", "bps"})
_CURRENCY = frozenset({"$", "€", "£", "usd", "eur", "gbp"})
_MONEY_METRIC = re.compile(
    r"revenue|amount|spend|cost|mrr|arr|gmv|price|premium|fee|value|sales|bill|pay|cash|income|margin|profit"
    r"|arpa|arpu|ltv|cac|principal|interest|rev|adr|revpar|collection"
)
"""A metric in money (a currency said is its unit, read)."""
_UNIT_SIGNS = re.compile(r"[$€£%]")
_GUESSED = frozenset(
    {"description", "meaning", "typo", "head", "word", "scattered", "word apart", "shared noun", "unit"}
)
"""A span's ``how`` that explains its words only by a guess (not the catalog's own name, label, synonym)."""
_OWN = frozenset({"name", "label", "synonym"})
_DESCRIBED = frozenset({"description", "meaning"})
_EITHER_WAY = re.compile(r"\b(?:vs\.?|versus|or)\s+not\b")
STATE_WORDS = frozenset(
    """abandoned abandon abandons lapsed lapse lapses cancelled canceled cancellation cancellations failed
    fail fails failure failures declined rejected expired bounced denied refunded returned churned""".split()
)
"""A state or outcome said of things counted ("lapsed policies", "failed payments")."""
_RATE_WORDS = frozenset(
    "rate rates ratio share percent percentage pct proportion fraction often conversion likely".split()
)
_RATE_METRIC = re.compile(r"rate|ratio|share|pct|percent|conversion|_per_")
GROWTH_WORDS = frozenset(
    """growth grow grew grown growing change changed changes delta increase increased decrease decreased
    climb climbing climbed rise rising rose fall falling fell drop dropped dropping""".split()
)
_UP_DOWN = frozenset({"up", "down"})
_COMPARED = frozenset({"vs", "versus", "compared", "against"})
_BEFORE = frozenset({"last", "prior", "previous", "prev", "same", "the"})
_GROWTH_METRIC = re.compile(r"growth|change|delta|(?:^|_)(?:mom|yoy|wow|qoq|dod)(?:_|$)")
PERIOD_EDGES = frozenset("since until till so far ago early late mid middle before after".split())
"""Words of a period phrase around its dates ("since jan", "q2 so far"); not "end of" or "eom" (a snapshot
asked at the end of a period is read by the period's range: with them, 64 of 74 confident first-contact
readings carrying the feature were right), not
"through" ("cumulative revenue through 2025": the end of a running total), not "start" (a verb as often)."""
_SKIP = frozenset({"the", "of", "a"})
_PERIODS = frozenset(
    """jan january feb february mar march apr april may jun june jul july aug august sep sept september oct
    october nov november dec december ytd qtd mtd wtd yoy qoq mom wow h1 h2 week weeks month months quarter
    quarters year years yesterday today""".split()
)


MISREAD = frozenset({"unit shorthand unexplained", "either way asked, one side read", "period partly read"})
"""The features counted as one family, ``misread around the metric``: each alone is rare; at first contact
6 of their 7 confident readings were wrong (the right one already capped by ``CAPS``); today's readings
of the same splits carry one, right and capped too."""


def value_phrases(lex: Lexicon) -> ValuePhrases:
    """The stems of every value a project's lexicon indexes (its own words, not an alias of it)."""
    return frozenset(
        key
        for key, entries in lex.phrases.items()
        if any(e.kind == "value" and e.source != "alias" for e in entries)
    )


def catalog_words(lex: Lexicon, metrics: Iterable[str], labels: Mapping[str, str] | None = None) -> Catalog:
    """The catalog words of a project's lexicon, metric names and labels (name → label)."""
    names = frozenset(metrics)
    return Catalog(
        value_phrases(lex), names, metric_heads(labels if labels is not None else {n: "" for n in names})
    )


def misread_features(question: str, answer: dict[str, Any], catalog: Catalog = NO_CATALOG) -> set[str]:
    """The misread-around-the-metric features of an answerable answer to ``question``."""
    spans: dict[str, list[dict[str, Any]]] = answer.get("spans") or {}
    tokens = tokenize(question)
    every = [s for found in spans.values() for s in found]
    out: set[str] = set()
    # a unit is explained by a metric or a filter (a period's span around "in $ last month" explains nothing)
    read = spans.get("metrics", []) + spans.get("filters", [])
    if _unit_unexplained(question, tokens, read, [str(m) for m in answer.get("metrics") or []]):
        out.add("unit shorthand unexplained")
    if _EITHER_WAY.search(question.lower()):
        out.add("either way asked")
        if not any(g.get("name") != METRIC_TIME for g in answer.get("group_by") or []):
            out.add("either way asked, one side read")
    values = catalog.values
    if _value_absorbed(spans.get("metrics", []), answer.get("filters") or [], values, _DESCRIBED):
        out.add("value absorbed by a metric's description")
    if _value_absorbed(spans.get("metrics", []), answer.get("filters") or [], values, None):
        out.add("value absorbed by a metric")
    if _state_read_as_rate(tokens, answer):
        out.add("state read as a rate")
    out |= _growth_features(tokens, answer, spans, every, catalog.metrics)
    out |= _period_features(tokens, spans, every)
    if out & MISREAD:
        out.add("misread around the metric")
    return out


def _inside(t: Token, spans: Sequence[dict[str, Any]]) -> bool:
    return any(int(s["start"]) <= t.start < int(s["end"]) for s in spans)


def _unit_unexplained(
    q: str, tokens: Sequence[Token], spans: Sequence[dict[str, Any]], metrics: Sequence[str]
) -> bool:
    """A unit's shorthand or sign no metric or filter span explains (or one only by a guess) and no metric
    answered names (a percent answered by a rate, "km" by ``cost_per_km``, "mins" by ``outage_minutes``, a
    currency by a metric in money).
    """
    trusted = [s for s in spans if str(s.get("how") or "") not in _GUESSED]
    rated = any(_RATE_METRIC.search(m) for m in metrics)

    def named(unit: str) -> bool:
        if unit in _PERCENT:
            return rated
        if unit in _CURRENCY:
            return any(_MONEY_METRIC.search(m) for m in metrics)
        word = _SPELLED.get(unit, unit)
        return any(word in m.split("_") or f"{word}s" in m.split("_") for m in metrics)

    for k, t in enumerate(tokens):
        if t.norm not in UNIT_WORDS:
            continue
        if t.norm in _MAGNITUDES and not (
            k and tokens[k - 1].norm.isdigit() and tokens[k - 1].end == t.start
        ):
            continue
        if not _inside(t, trusted) and not named(t.norm):
            return True
    for m in _UNIT_SIGNS.finditer(q):
        if not any(int(s["start"]) <= m.start() < int(s["end"]) for s in trusted) and not named(m.group()):
            return True
    return False


def _value_absorbed(
    metric_spans: Sequence[dict[str, Any]],
    filters: Sequence[dict[str, Any]],
    values: ValuePhrases,
    hows: frozenset[str] | None,
) -> bool:
    """A metric span (read by one of ``hows``, default any but the metric's own name, label or synonym) whose
    words hold a catalog value no filter applies.
    """
    applied: set[tuple[str, ...]] = set()
    for f in filters:
        for v in [f.get("value"), *(f.get("values") or [])]:
            if v is not None:
                applied.add(tuple(stems(str(v).replace("_", " "))))
    for s in metric_spans:
        how = str(s.get("how") or "")
        if (hows is not None and how not in hows) or (hows is None and how in _OWN):
            continue
        words = tuple(stems(str(s["text"])))
        own = set(stems(str(s["target"]).replace("_", " ")))
        for n in range(1, len(words) + 1):
            for i in range(len(words) - n + 1):
                part = words[i : i + n]
                if part in values and part not in applied and not set(part) <= own | FILLERS:
                    return True
    return False


def _state_read_as_rate(tokens: Sequence[Token], answer: dict[str, Any]) -> bool:
    """A state or outcome word ("lapsed", "failed") answered with a rate the question does not ask."""
    norms = {t.norm for t in tokens}
    if not norms & STATE_WORDS or norms & _RATE_WORDS:
        return False
    return any(_RATE_METRIC.search(str(m)) for m in answer.get("metrics") or [])


def _growth_words(tokens: Sequence[Token]) -> list[Token]:
    """The growth words of a question ("growth", "change", "up/down", "up vs last month")."""
    out = []
    for k, t in enumerate(tokens):
        after = tokens[k + 1].norm if k + 1 < len(tokens) else ""
        before = tokens[k - 1].norm if k else ""
        if t.norm in GROWTH_WORDS:
            out.append(t)
        elif t.norm in _UP_DOWN and (
            after in _COMPARED | _UP_DOWN | {"from", "on", "or"} or before in _UP_DOWN
        ):
            out.append(t)
    return out


def _comparison_said(tokens: Sequence[Token]) -> bool:
    """A comparison with an earlier period ("vs last month", "compared to the prior quarter")."""
    for k, t in enumerate(tokens):
        if t.norm in _COMPARED:
            nxt = [x.norm for x in tokens[k + 1 : k + 4] if x.norm not in ("to", "with")]
            if nxt and nxt[0] in _BEFORE and (nxt[0] != "the" or (len(nxt) > 1 and nxt[1] in _BEFORE)):
                return True
    return False


def _growth_features(
    tokens: Sequence[Token],
    answer: dict[str, Any],
    spans: dict[str, list[dict[str, Any]]],
    every: Sequence[dict[str, Any]],
    catalog: frozenset[str] = frozenset(),
) -> set[str]:
    """A growth word no part of the answer read (no comparison, no growth metric), a comparison asked and
    none read, a growth metric answered where the question says no growth word (outside a value: "growth
    plan"), a growth word answered by a comparison where the catalog has the metric's growth
    (``gmv_mom_change`` for "gmv change vs the prior month").
    """
    out: set[str] = set()
    metrics = [str(m) for m in answer.get("metrics") or []]
    grown = any(_GROWTH_METRIC.search(m) for m in metrics)
    words = _growth_words(tokens)
    said = [t for t in words if not _inside(t, spans.get("filters", []))]
    if any(not _inside(t, every) for t in words) and not answer.get("comparison") and not grown:
        out.add("growth word unread")
    if _comparison_said(tokens) and not answer.get("comparison") and not grown:
        out.add("comparison asked, none read")
    if grown and not said:
        out.add("comparison read as growth")
    if said and answer.get("comparison") and not grown and _growth_of(metrics, catalog):
        out.add("growth metric passed over")
    if out:
        out.add("growth misread")
    return out


def _growth_of(metrics: Sequence[str], catalog: frozenset[str]) -> bool:
    """Whether the catalog has a growth metric of one of ``metrics`` (``funded_amount_mom_growth``)."""
    return any(
        other.startswith(f"{m}_") and _GROWTH_METRIC.search(other[len(m) :])
        for m in metrics
        for other in catalog
    )


def _period_features(
    tokens: Sequence[Token], spans: dict[str, list[dict[str, Any]]], every: Sequence[dict[str, Any]]
) -> set[str]:
    """A period phrase partly read (a word of it beside the dates no span reads: "since jan 2024", "q2 so
    far") or a period word read as a value, a metric's word or a breakdown.
    """
    out: set[str] = set()
    periods = spans.get("time_range", [])
    for s in periods:
        a, b = int(s["start"]), int(s["end"])
        before = [t for t in tokens if t.end <= a]
        after = [t for t in tokens if t.start >= b]
        while before and before[-1].norm in _SKIP:
            before.pop()
        while after and after[0].norm in _SKIP:
            after.pop(0)
        for t in before[-1:] + after[:1]:
            if t.norm in PERIOD_EDGES and not _inside(t, every):
                out.add("period partly read")
    other = spans.get("filters", []) + [
        s for s in spans.get("metrics", []) if str(s.get("how") or "") not in _OWN
    ]
    if any(t.norm in _PERIODS and _inside(t, other) for t in tokens):
        out.add("period word read as another")
    if out:
        out.add("period misread")
    return out
