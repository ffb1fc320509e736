"""Qualifier words of a definition checked against what the proposed metric computes (never silently wrong).

Words such as "median", "average", "distinct", "per" or "excluding" are glue for ranking (they name no
column, metric or value), so the content-word check of ``confidence.unexplained`` never sees them. Yet each
says how the metric aggregates or what it leaves out, and a proposal that ignores one computes something
else: a sum where a median was asked, every row where distinct people were, everything where something was
to be excluded. ``qualifier_doubts`` reads each such word in the definition and checks it against the
metric's aggregations (its measures, through ratio and derived inputs), its shape (a ratio, a division)
and the words of the metrics it is built on (an existing `average_invoice_value` says "average" itself);
a word the proposal does not explain is a doubt with a cap on the confidence: below ``DOUBT`` (0.6: the
proposal is not written until a person confirms) where the aggregation is surely another ("median" read as a
sum), below ``CONFIDENT`` (0.8) where the reading may still be right ("per plan tier" said of a breakdown).
"""

from __future__ import annotations

import re
from typing import Any

from metricmind.define.proposal import Proposal
from metricmind.define.units import SECONDS
from metricmind.define.words import stems
from metricmind.spec.model import Model

#: The cap when the aggregation the word asks for is surely not the metric's.
WRONG_AGG = 0.5
#: The cap when the word may be explained otherwise (a person checks it).
UNSURE = 0.75
#: The cap when the metric built on is named by a word the definition never says (a narrower metric).
NARROWER = 0.55

MEDIAN = re.compile(r"\b(median|percentile|p50|p90|p95|p99)\b", re.I)
#: "maximum", "largest single …", "minimum": the greatest or least value, never a sum.
EXTREME = re.compile(r"\b(max|maximum|minimum|(?:largest|biggest|highest|smallest|lowest) single)\b", re.I)
#: "average", "avg", "mean" as a noun or adjective ("the mean of", "mean days"), not the verb ("I mean").
AVERAGE = re.compile(
    r"\b(averages?|averaged|averaging|avg|typical)\b|(?<!\bi )(?<!\bwe )(?<!\bto )(?<!\bthey )\bmean\b(?!\s+(?:that|by)\b)",
    re.I,
)
DISTINCT = re.compile(r"\b(distinct|unique|deduplicated|de-duplicated|different)\b", re.I)
#: "per customer", "per active account"; not a period ("per month"), "per cent" or "per touch" after "not".
PER = re.compile(
    r"(?<!\bnot )\bper\s+(?!(?:the |a |each |every |calendar )?(?:month|day|week|quarter|year|cent)s?\b)"
    r"(?P<what>[a-z][a-z-]*)",
    re.I,
)
EXCLUDING = re.compile(
    r"\b(excluding|exclude[sd]?|except|other than|apart from|leaving out|leave out|without|excl\.?|"
    r"but not)\b",
    re.I,
)
_NEGATIVE_PREDICATE = re.compile(r"!=|\bnot\b|= false|is null or", re.I)


def qualifier_doubts(model: Model, proposal: Proposal) -> list[tuple[float, str]]:
    """(cap, doubt) for each qualifier word of the definition the proposed metric does not explain."""
    metric = proposal.metric
    if metric is None:
        return []
    text = _without_parentheses(proposal.definition.text)
    shape = _shape(model, proposal, metric)
    aggs, ratio, said = shape["aggs"], shape["ratio"], shape["said"]
    out: list[tuple[float, str]] = []
    m = MEDIAN.search(text)
    if m and not aggs & {"median", "percentile"} and not said & {"median", "percentil"}:
        out.append((WRONG_AGG, _doubt(m.group(0), f"the metric aggregates by {_shown(aggs)}, not a median")))
    m = EXTREME.search(text)
    if m and not aggs & {"max", "min"} and not said & {"max", "maximum", "min", "minimum"}:
        out.append(
            (WRONG_AGG, _doubt(m.group(0), f"the metric aggregates by {_shown(aggs)}, not a max or min"))
        )
    m = AVERAGE.search(text)
    if m and not MEDIAN.search(text) and "average" not in aggs and not ratio and not said & AVERAGE_WORDS:
        out.append(
            (WRONG_AGG, _doubt(m.group(0), f"the metric is a {_shown(aggs)}, not an average or a ratio"))
        )
    m = DISTINCT.search(text)
    if m and not shape["unique"] and not said & {"distinct", "uniqu", "unique"}:
        out.append(
            (UNSURE, _doubt(m.group(0), f"the metric aggregates by {_shown(aggs)}, not a distinct count"))
        )
    m = PER.search(text)
    if m and not ratio and "average" not in aggs and not said & ({"per"} | AVERAGE_WORDS):
        out.append((UNSURE, _doubt(m.group(0), "the metric is no ratio or average: a breakdown by it?")))
    narrower = _narrower(model, proposal, metric)
    if narrower:  # "MRR from Growth plan customers" answered by `contraction_mrr`
        out.append((NARROWER, narrower))
    m = EXCLUDING.search(text)
    if m and not _drops(proposal):
        out.append((UNSURE, _doubt(m.group(0), "no rule read drops anything")))
    return out


AVERAGE_WORDS = frozenset({"averag", "average", "mean", "avg", "arpa", "arpu"})


def _doubt(word: str, why: str) -> str:
    return f"the definition says {word.lower()!r}, which the proposal does not explain: {why}"


def _shown(aggs: set[str]) -> str:
    return " and ".join(sorted(aggs)) or "an expression"


def _without_parentheses(text: str) -> str:
    """The definition without parentheses of examples or notes ("(one journey per customer, not per touch)"
    says what it is not as much as what it is; its words are checked by the content-word check).
    """
    return re.sub(r"\([^)]*\)", " ", text)


def _drops(proposal: Proposal) -> bool:
    """A rule read drops rows (a negative filter, or a rule the source already states)."""
    for r in proposal.rules:
        if r.status == "covered":
            return True
        if r.status == "filter" and _NEGATIVE_PREDICATE.search(r.predicate or r.reason or ""):
            return True
        if r.status == "filter" and r.reason.startswith("drops"):
            return True
    metric = proposal.metric or {}
    return bool(_NEGATIVE_PREDICATE.search(str(metric.get("filter") or "")))


def _shape(model: Model, proposal: Proposal, metric: dict[str, Any]) -> dict[str, Any]:
    """What the metric computes: its measures' aggregations, whether it divides, whether it counts each
    thing once, and the stems of the existing metrics it is built on.
    """
    tp = metric.get("type_params") or {}
    names: list[str] = []
    meta = (metric.get("config") or {}).get("meta") or {}
    if meta.get("based_on"):
        names.append(str(meta["based_on"]))
    names += [str(i.get("name")) for i in tp.get("metrics") or () if isinstance(i, dict)]
    names += [str(tp[k]["name"]) for k in ("numerator", "denominator") if isinstance(tp.get(k), dict)]
    ratio = metric.get("type") == "ratio" or "/" in str(tp.get("expr") or "")
    measures = [str(tp["measure"])] if tp.get("measure") else []
    said: set[str] = set()
    seen: set[str] = set()
    todo = [n for n in names if n]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        m = model.metrics.get(name)
        if m is None:
            continue
        ratio = ratio or m.type.value == "ratio" or "/" in (m.expr or "")
        measures += model.measures_of(name)
        if name not in _new_names(proposal):
            for t in (m.name, m.label, m.description, str(m.meta.get("definition") or "")):
                said |= {w[:8] for w in stems(t.lower().replace("_", " ").replace("-", " "))}
        todo += [i.name for i in m.inputs] + [r.name for r in (m.numerator, m.denominator) if r]
    aggs: set[str] = set()
    unique = False
    for name in measures:
        ms = model.measures.get(name)
        if ms is None:
            continue
        aggs.add(ms.agg.value)
        sm = model.semantic_models.get(ms.semantic_model)
        keys = {e.expr or e.name for e in sm.entities if e.type.is_key} if sm is not None else set()
        if ms.agg.value in ("count_distinct", "sum_boolean", "max", "min") or (ms.expr in keys):
            unique = True  # a distinct count, a flag per entity, or rows of the entity's own table
    if proposal.new_model is not None:
        unique = True  # a model of its own grain (one row per entity and day or month)
    return {"aggs": aggs, "ratio": ratio, "said": said, "unique": unique}


def _new_names(proposal: Proposal) -> set[str]:
    names = {proposal.definition.name}
    names |= {str(item.get("name") or "") for item in proposal.new_metrics}
    return names


def _narrower(model: Model, proposal: Proposal, metric: dict[str, Any]) -> str | None:
    """A doubt when the existing metric the proposal is built on is named by a word that neither the
    definition, its rules, nor any of that metric's own labels and synonyms said in full explain
    ("contraction" of `contraction_mrr` for "MRR from Growth plan customers"): a narrower metric.
    """
    meta = (metric.get("config") or {}).get("meta") or {}
    base = model.metrics.get(str(meta.get("based_on") or ""))
    if base is None:
        return None
    d = proposal.definition
    said_text = " ".join((d.text, *d.rules, d.name.replace("_", " "))).lower().replace("-", " ")
    said = {_fold(w) for w in stems(said_text)}
    for phrase in (base.label, *map(str, base.meta.get("synonyms") or ())):
        words = [_fold(w) for w in stems(phrase.lower().replace("-", " "))]
        if words and all(w in said for w in words):
            return None  # the definition says one of the metric's own names in full
    missing = [  # a unit in the name ("avg_resolution_hours") says how it is reported: the units' concern
        w
        for w in stems(base.name.replace("_", " "))
        if len(w) > 3 and _fold(w) not in said and w.rstrip("s") not in SECONDS
    ]
    if not missing:
        return None
    return (
        f"the proposal is built on `{base.name}`, but the definition never says {', '.join(map(repr, missing))} "
        "nor any of its names: check that it is not a narrower metric than the one meant"
    )


def _fold(word: str) -> str:
    if word.endswith("ution") and len(word) > 7:
        word = word[:-5] + "ve"  # resolution → resolve, solution → solve
    for suffix in ("ations", "ation", "ing", "ed", "es", "s", "e", "ly", "al"):  # renewal → renew
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word
