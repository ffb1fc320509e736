"""How sure the agent is that a proposal computes what the person meant, and what it doubts.

A proposal's ``confidence`` is the lowest of its parts' (the weakest link decides):

- **the words**: every content word of the definition must be explained by what the metric reads (the
  existing metrics' names, synonyms, descriptions and rules, a new measure's column and entity, its
  semantic model, its time dimension) or by a filter read from it. A word nothing explains ("lost to
  cancellations" summed as every ended contract) means the metric may say less than the definition;
- **the source**: a similar metric chosen by its name or a synonym is surer than one chosen by shared
  description words, and a new measure's reading (``Term.confidence``) by the margin over its rivals;
- **the rules**: each rule's reading (a filter read exactly, a filter with words left over, a filter the
  definition only implies, a rule the source covers);
- **a ratio's parts**: each part's own reading.

Below ``DOUBT`` the proposal gets an unread item ("(doubt) …") naming the doubt and the alternatives, so
it is never silently wrong: the surfaces show it and refuse to write it until a person decides. A person
who has read the doubts confirms the proposal (``confirmed``: web "Confirm", ``define --confirm``, MCP
``confirm=true``); the doubt then leaves the rules, and ``doubts`` records the confirmation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from metricmind.define.currencyrule import charged_words
from metricmind.define.flagdescribed import described_flag_words
from metricmind.define.groupdefs import parenthesized
from metricmind.define.openstate import CLOSED_ALSO, state_lines
from metricmind.define.proposal import Proposal, RuleReading
from metricmind.define.qualifiers import qualifier_doubts
from metricmind.define.terms import MAX_CUE, MIN_CUE, PERCENTILE_CUE, VERBS
from metricmind.define.words import (
    USE_VERBS,
    content,
    dating_verbs,
    known,
    lexicon,
    stems,
    verbs_in,
    vocabulary,
    without_examples,
)
from metricmind.spec.model import Metric, Model

#: At or above this a proposal is "confident": right at least 90% of the time on the development files.
CONFIDENT = 0.8
#: Below this a proposal carries an unread doubt.
DOUBT = 0.6
#: The confidence of a proposal whose definition says a word another metric says and it does not.
RIVAL = 0.55
#: The confidence of a proposal whose definition uses a word the catalog never uses.
UNKNOWN_WORD = 0.5
#: The highest confidence of a proposal with a rule left unread: the metric rests on a guess.
UNREAD_CONFIDENCE = 0.5
#: How the unread item of a doubt begins.
DOUBT_PREFIX = "(doubt) "
#: Words that say how to aggregate, when, or which rows live: explained by the metric's shape.
SHAPE_WORDS = frozenset(
    """
    end live active month monthly average mean median distinct unique different count number
    total sum amount value share proportion percentage percent fraction ratio rate divided per out
    each every once twice day week quarter year at least one any anything product
    """.split()
)


#: A negated phrase ("not the Enterprise plan") that may say which dimension a value read belongs to.
NOT_THE = re.compile(r"\bnot (?:the |a |an |by )?((?:[\w-]+ ?){1,4})", re.IGNORECASE)


#: "not weighted by revenue": an average with no weight, which is what an average computes.
UNWEIGHTED = re.compile(r"\bnot weighted(?: by ((?:[\w-]+ ?){1,3}))?|\bunweighted\b", re.IGNORECASE)
#: The month-end model of rows open from issue until payment (``terms.start_end``): how it reads the span.
OPEN_SPAN = "source.paid_at is null or source.paid_at >"
#: Its confidence: written-off invoices stay open, which the catalog does not say (a doubt).
OPEN_CONFIDENCE = 0.55
#: A sentence saying what a word of the definition means ("By big customers I mean accounts in …").
MEANS = re.compile(
    r"\b(?:by\s+)?((?:[\w-]+\s+){0,3}[\w-]+)\s*,?\s+(?:i|we|you)\s+mean\s+([^.;]+)|"
    r"\b((?:[\w-]+\s+){0,3}[\w-]+)\s+(?:means|refers to|stands for)\s+([^.;]+)",
    re.IGNORECASE,
)


def metric_texts(model: Model, names: Iterable[str], new: frozenset[str] = frozenset()) -> list[str]:
    """Names, labels, synonyms, descriptions, definitions and rules of ``names`` and their inputs.

    Metrics and measures in ``new`` are the proposal's own (named and described from the definition's
    words): only what they read (columns, tables, entities, time dimensions) explains a word.
    """
    texts: list[str] = []
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen or name not in model.metrics:
            continue
        seen.add(name)
        m = model.metrics[name]
        if name not in new:
            texts += _metric_words(m)
        todo += [i.name for i in m.inputs]
        for ref in (m.numerator, m.denominator):
            if ref is not None:
                todo.append(ref.name)
        if m.measure is not None:
            texts += _measure_words(model, m.measure.name, new)
        for ms in model.measures_of(name):
            texts += _measure_words(model, ms, new)
    return texts


def _metric_words(m: Metric) -> list[str]:
    texts = [m.name, m.label, m.description, str(m.meta.get("definition") or "")]
    texts += [str(s) for s in m.meta.get("synonyms") or ()]
    texts += [str(r) for r in m.meta.get("business_rules") or ()]
    return texts


def _measure_words(model: Model, name: str, new: frozenset[str] = frozenset()) -> list[str]:
    ms = model.measures.get(name)
    if ms is None:
        return []
    sm = model.semantic_models[ms.semantic_model]
    texts = [] if name in new else [ms.name, ms.label]
    texts += [ms.expr, sm.name, sm.relation.rsplit(".", 1)[-1]]
    texts += [e.name for e in sm.entities]
    names = _entity_names(model)
    for e in sm.entities:  # an entity's synonyms ("accounts" for customer)
        texts += names.get(e.name, [])
    for d in sm.dimensions:
        if d.type == "time" and d.name == ms.agg_time_dimension:
            texts += [d.name, d.label, *(str(s) for s in d.meta.get("synonyms") or ())]
    return texts


_ENTITY_NAMES: dict[object, dict[str, list[str]]] = {}


def _entity_names(model: Model) -> dict[str, list[str]]:
    """Entity → the phrases the lexicon reads as it ("accounts" → customer), once per shape of the model
    (a model extended with a proposal's new parts has the same entities: its lexicon is not built again).
    """
    key = tuple(
        sorted(
            (sm.name, tuple(e.name for e in sm.entities), tuple(d.name for d in sm.dimensions))
            for sm in model.semantic_models.values()
        )
    )
    hit = _ENTITY_NAMES.get(key)
    if hit is not None:
        return hit
    out: dict[str, list[str]] = {}
    for phrase, entries in lexicon(model).phrases.items():
        for x in entries:
            if x.kind == "dimension" and x.target.endswith("__name"):
                out.setdefault(x.target.split("__", 1)[0], []).append(" ".join(phrase))
    if len(_ENTITY_NAMES) > 32:
        _ENTITY_NAMES.clear()
    _ENTITY_NAMES[key] = out
    return out


def _fold(word: str) -> str:
    if word.endswith("ily") and len(word) > 5:  # "involuntarily" → "involuntary"
        word = word[:-3] + "y"
    for suffix in ("ations", "ation", "ing", "ed", "es", "s", "e", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


#: The part of a filter's reason naming the rule's words it did not read (``rules.py``).
NOT_READ = re.compile(r" \(the filter does not read [^)]*\)| \(the aside .* says why; not read\)")


def unexplained(model: Model, proposal: Proposal) -> list[str]:
    """Content words of the definition that neither the proposed metric nor a filter read explains."""
    metric = proposal.metric
    if metric is None:
        return []
    names = _inputs(metric)
    new = _new_names(proposal)
    texts = metric_texts(model, names, new)
    for item in proposal.new_metrics:
        texts += _measure_words(model, str(item.get("type_params", {}).get("measure") or ""), new)
    tp = metric.get("type_params") or {}
    if tp.get("measure"):
        texts += _measure_words(model, str(tp["measure"]), new)
    for nm in proposal.new_measures:
        texts += [
            str(nm.measure.get("expr") or ""),
            nm.semantic_model,
            str(nm.measure.get("agg_time_dimension")),
        ]
    if proposal.new_model is not None:
        texts += [proposal.new_model.name, *state_lines(proposal.new_model.sql)]  # "no first reply by then"
        if OPEN_SPAN in proposal.new_model.sql:  # open from issue until paid: what "unpaid" means
            texts += ["unpaid outstanding open owed balance receivable"]
    for r in proposal.rules:
        if r.status in ("filter", "covered", "time", "expression", "noop"):
            whole = (
                r.status != "filter" or r.confidence >= 0.9
            )  # a filter with words left over: only what it read
            texts += [
                r.text if whole and not r.text.startswith("(in the definition)") else "",
                r.predicate or "",
            ]
            texts += (
                [NOT_READ.sub("", r.reason)] if r.status == "filter" else []
            )  # words it did not read: none
            texts += _said(r)
    explained = {_fold(w) for t in texts for w in stems(t.lower().replace("_", " ").replace("-", " "))}
    text = proposal.definition.text
    explained |= {_fold(w) for w in SHAPE_WORDS | VERBS | (verbs_in(text) & USE_VERBS) | dating_verbs(text)}
    explained |= {_fold(w) for w in flag_words(model, proposal.rules)}  # "paid" of is_trial = false
    explained |= {_fold(w) for w in described_flag_words(model, proposal.rules, text)}  # "never passed"
    values = {v.lower() for r in proposal.rules for v in re.findall(r"'([^']+)'", r.predicate or "")}
    explained |= {_fold(w) for w in charged_words(text, values)}  # "charged in euros" of currency = 'EUR'
    meanings = [
        (m.group(1) or m.group(3) or "", m.group(2) or m.group(4) or "") for m in MEANS.finditer(text)
    ]
    for named, meaning in meanings + parenthesized(text):  # "By big customers I mean …", "risky (D and E)"
        if any(set(content(v)) <= set(content(meaning)) for v in values if content(v)):
            explained |= {_fold(w) for w in content(named) + content(meaning)}
    for span in UNWEIGHTED.findall(text):  # "a plain average, not weighted by revenue": no weight
        explained |= {_fold(w) for w in content(span)} | {"weight"}
    aggs = {str(nm.measure.get("agg")) for nm in proposal.new_measures}
    if proposal.new_model is not None:
        aggs |= {str(m.get("agg")) for m in proposal.new_model.semantic_model.get("measures") or ()}
    for cue, agg in ((MAX_CUE, "max"), (MIN_CUE, "min"), (PERCENTILE_CUE, "percentile")):
        if agg in aggs:  # "largest single subscription's MRR" read as a max measure: "largest" is explained
            explained |= {_fold(w) for m in cue.finditer(text) for w in content(m.group(0))}
    for span in NOT_THE.findall(text):  # "…, not the Enterprise plan": says which dimension a value is of
        said = set(content(span))
        if any(set(content(v)) <= said for v in values if content(v)):
            explained |= {_fold(w) for w in said}
    out = []
    for w in content(without_examples(proposal.definition.text)):
        if _fold(w) not in explained and w not in out and not w.isdigit():
            out.append(w)
    return out


_FLAG = re.compile(r"Dimension\('(?:\w+__)*((?:is|has|was)_\w+)'")


def flag_words(model: Model, rules: list[RuleReading]) -> set[str]:
    """Stems of what the yes/no flags the rules filter on are called: the flag's own word, its synonyms
    and its values' aliases (``is_trial``'s "no" words "paid", "paying" on the demo), which the filter
    explains.
    """
    names = {m.group(1) for r in rules for m in _FLAG.finditer(r.predicate or "")}
    out: set[str] = set()
    for sm in model.semantic_models.values():
        for d in sm.dimensions:
            if d.name not in names:
                continue
            texts = [d.name.split("_", 1)[1], *(str(s) for s in d.meta.get("synonyms") or ())]
            texts += [str(a) for v in (d.meta.get("value_aliases") or {}).values() for a in v or ()]
            for t in texts:
                for w in stems(t.lower().replace("_", " ").replace("-", " ")):
                    out |= {w, w[:-3]} if w.endswith("ing") and len(w) > 5 else {w}  # paying → pay
    return out


def _new_names(proposal: Proposal) -> frozenset[str]:
    """The metrics and measures the proposal itself adds (named after the definition, not the data)."""
    names = {proposal.definition.name}
    names |= {str(item.get("name") or "") for item in proposal.new_metrics}
    names |= {str(nm.measure.get("name") or "") for nm in proposal.new_measures}
    if proposal.new_model is not None:
        names |= {str(m.get("name") or "") for m in proposal.new_model.semantic_model.get("measures") or ()}
    return frozenset(n for n in names if n)


def _said(r: RuleReading) -> list[str]:
    """The phrases a filter read from the definition quotes ("the definition says 'on web'")."""
    if not r.text.startswith("(in the definition)"):
        return []
    return [part.split("'", 2)[1] for part in r.reason.split(": ", 1)[:1] if "'" in part]


def _inputs(metric: dict[str, Any]) -> list[str]:
    tp = metric.get("type_params") or {}
    names = [str(metric.get("config", {}).get("meta", {}).get("based_on") or "")]
    names += [str(i.get("name")) for i in tp.get("metrics") or ()]
    names += [str(tp[k]["name"]) for k in ("numerator", "denominator") if isinstance(tp.get(k), dict)]
    return [n for n in names if n]


def _rival(model: Model, proposal: Proposal, missing: list[str]) -> tuple[str, str] | None:
    """(word, metric): an unexplained word of the definition that another metric's own words say (its
    name, label, synonyms, description, definition), a metric the proposal does not read.
    """
    if not missing or proposal.metric is None:
        return None
    used = set(_inputs(proposal.metric))
    todo = list(used)
    while todo:  # the inputs' inputs
        m = model.metrics.get(todo.pop())
        if m is None:
            continue
        for name in [i.name for i in m.inputs] + [r.name for r in (m.numerator, m.denominator) if r]:
            if name not in used:
                used.add(name)
                todo.append(name)
    want = {_fold(w): w for w in missing}
    for m in sorted(model.metrics.values(), key=lambda m: m.name):
        if m.name in used or m.name == proposal.definition.name:
            continue
        said = {_fold(w) for t in _own_words(m) for w in stems(t.lower().replace("_", " ").replace("-", " "))}
        hit = next((want[f] for f in want if f in said), None)
        if hit:
            return hit, m.name
    return None


def _own_words(m: Metric) -> list[str]:
    return [
        m.name,
        m.label,
        m.description,
        str(m.meta.get("definition") or ""),
        *map(str, m.meta.get("synonyms") or ()),
    ]


def rule_confidence(rules: list[RuleReading]) -> float:
    """The lowest confidence of the rules read (1.0 without rules); unread rules are flagged already."""
    read = [r.confidence for r in rules if r.status != "unread"]
    return min(read, default=1.0)


def assess(
    model: Model, proposal: Proposal, source: float, source_why: str, *, base: Model | None = None
) -> None:
    """Fill ``proposal.confidence`` and ``doubts``; below ``DOUBT`` add an unread "(doubt)" item.

    Args:
        model: The model the proposal's metric compiles on (extended with its new parts).
        proposal: A proposal with a metric.
        source: The confidence of the chosen metric or measure.
        source_why: What that choice rests on and its alternatives (said in a doubt).
        base: The project's own model when ``model`` is extended with the proposal's new parts (whose
            names and descriptions come from the definition, so they know every word of it).
    """
    if proposal.metric is None:
        return
    doubts: list[str] = []
    parts = [source]
    if source < CONFIDENT:
        doubts.append(source_why)
    missing = unexplained(model, proposal)
    words = content(proposal.definition.text)
    if missing:
        share = len(missing) / max(len(words), 1)
        parts.append(max(0.0, 0.75 - 0.5 * share - 0.1 * (len(missing) - 1)))
        doubts.append(
            f"the definition says {', '.join(repr(w) for w in missing)}, which nothing the metric reads "
            "explains; check that it computes what these words mean"
        )
    rival = _rival(base or model, proposal, missing)
    if rival:  # "customers whose MRR fell to zero": `churned_customers` says "fell", `active_customers` not
        parts.append(RIVAL)
        doubts.append(
            f"the definition says {rival[0]!r}, which `{rival[1]}` says and the proposed metric does not; "
            f"check that it is not `{rival[1]}`"
        )
    strange = [w for w in missing if not known(w, vocabulary(base or model))]
    if strange:  # a word the catalog never uses (a verb let through the unknown-word refusal)
        parts.append(UNKNOWN_WORD)
        doubts.append(
            f"the definition says {', '.join(repr(w) for w in strange)}, which the catalog never uses; "
            "check that the metric means it"
        )
    if (
        proposal.new_model is not None
        and OPEN_SPAN in proposal.new_model.sql
        and CLOSED_ALSO not in proposal.new_model.sql  # "not written off by then": said and read
    ):
        parts.append(OPEN_CONFIDENCE)
        doubts.append(
            "an invoice is read as open from its issue date until its payment date; invoices written off "
            "stay open (the catalog says nothing of them): check that this is the balance meant"
        )
    for cap, doubt in qualifier_doubts(model, proposal):  # "median", "per", "excluding" … (qualifiers.py)
        parts.append(cap)
        doubts.append(doubt)
    rules = rule_confidence(proposal.rules)
    parts.append(rules)
    if rules < CONFIDENT:
        weak = [r for r in proposal.rules if r.status != "unread" and r.confidence < CONFIDENT]
        doubts += [f"rule {r.text!r} read with confidence {r.confidence}: {r.reason}" for r in weak[:2]]
    proposal.confidence = round(min(parts), 2)
    proposal.doubts = doubts
    if proposal.confidence < DOUBT and not proposal.unread:
        proposal.rules.append(
            RuleReading(
                DOUBT_PREFIX + proposal.definition.text,
                "unread",
                proposal.confidence,
                "; ".join(doubts) or "the agent is not sure this metric computes what the definition means",
            )
        )


def capped(proposal: Proposal) -> None:
    """A proposal with a metric and a rule left unread (the person's own rule, or a doubt) stays below
    ``UNREAD_CONFIDENCE``: whatever else it read surely, the metric ignores part of what was said.
    """
    left = [r.text for r in proposal.unread if not is_doubt(r)]
    if proposal.metric is None or not proposal.unread or proposal.confidence <= UNREAD_CONFIDENCE:
        return
    proposal.confidence = UNREAD_CONFIDENCE
    if left:
        proposal.doubts.append(
            f"{', '.join(map(repr, left))} left unread: the metric does not say what "
            + ("these rules say" if len(left) > 1 else "this rule says")
        )


def is_doubt(reading: RuleReading) -> bool:
    """Whether ``reading`` is the agent's doubt about the whole proposal (not a rule the person wrote)."""
    return reading.status == "unread" and reading.text.startswith(DOUBT_PREFIX)


def confirmed(proposal: Proposal, user: str = "") -> Proposal:
    """``proposal`` as a person who read its doubts confirmed it: the doubt items leave the rules, and
    ``doubts`` says who confirmed them (kept with the change). Unread rules the person wrote stay unread.
    """
    doubts = [r for r in proposal.rules if is_doubt(r)]
    if not doubts:
        return proposal
    who = f" by {user}" if user else ""
    return replace(
        proposal,
        rules=[r for r in proposal.rules if not is_doubt(r)],
        doubts=[*proposal.doubts, f"confirmed{who} after reading the doubts"],
    )
