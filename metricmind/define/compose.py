"""A metric no existing measure computes: new measures, a snapshot model, and ratios of two parts.

``compose`` reads the definition as one aggregation (``terms.find_term``) or as a ratio ("X divided by Y"
in the definition or a rule, "share of X that Y"), builds each part on an existing metric when one fits
and on a new measure (or the month-end snapshot model) otherwise, reads the rules against the part's
own semantic model, and fills the proposal: ``metric``, ``new_metrics``, ``new_measures``, ``new_model``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from metricmind.define import rules as rulebook
from metricmind.define.extend import extend
from metricmind.define.newmodel import plan
from metricmind.define.proposal import Definition, NewMeasure, NewModel, Proposal, RuleReading, Suggestion
from metricmind.define.rank import is_ratio, measures_of, rank
from metricmind.define.shape import join_filters
from metricmind.define.terms import Term, find_term
from metricmind.define.words import RATIO, lexicon, stems
from metricmind.spec.joingraph import JoinGraph
from metricmind.spec.model import Metric, Model, SemanticModel
from metricmind.spec.names import SEP

AS_SHARE = re.compile(
    r"^(?P<num>.+?)\s+as an? (?:share|proportion|percentage|fraction) of\s+(?P<den>.+)$", re.I
)
DIVIDED = re.compile(r"^(?P<num>.+?)\s+(?:divided by|over|÷|/)\s+(?P<den>.+)$", re.I)
SHARE = re.compile(
    r"\b(?:share|proportion|percentage|fraction) of (?P<whole>.+?)\s+(?P<part>(?:that|which|who|paid|billed|"
    r"from|on|in|with)\b.+)$",
    re.I,
)
MIN_METRIC = 3.0


@dataclass
class Parts:
    """What compose adds to the proposal."""

    measures: list[NewMeasure] = field(default_factory=list)
    model: NewModel | None = None
    metrics: list[dict[str, Any]] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)
    reads: list[rulebook.Read] = field(default_factory=list)


def structure(definition: Definition) -> tuple[str, str, str, int | None] | None:
    """(numerator text, denominator text, numerator-only qualifier, index of the rule that said it)."""
    for i, rule in enumerate(definition.rules):
        m = DIVIDED.match(rule.strip().rstrip("."))
        if m and " divided by " in rule.lower():
            return m.group("num"), m.group("den"), "", i
    text = definition.text.strip().rstrip(".")
    if ":" in text:  # "Logo churn rate: customers lost divided by …"
        text = text.split(":", 1)[1].strip()
    m = DIVIDED.match(text)
    if m and " divided by " in text.lower():
        den = re.split(r",\s*(?:per|by|each|every)\b", m.group("den"))[0]
        return m.group("num"), den, "", None
    m = AS_SHARE.match(text)
    if m:
        return m.group("num"), m.group("den"), "", None
    s = SHARE.search(text)
    if s:
        return s.group("whole"), s.group("whole"), s.group("part"), None
    return None


def compatible(model: Model, metric: Metric, term: Term | None, named_dims: set[str]) -> bool:
    """An existing metric computes what the term says: the same column, or a count of the same entity,
    and every dimension the text names is reachable from it.
    """
    measures = measures_of(model, metric)
    if not measures:
        return term is None
    graph = JoinGraph(model, max_hops=4)
    reach: set[str] = set()
    for ms in measures:
        reach |= {n.rsplit(SEP, 1)[-1] for n in graph.reachable_names(ms.semantic_model)}
    if any(d.rsplit(SEP, 1)[-1] not in reach for d in named_dims):
        return False
    if term is None:
        return True
    if term.time_named and not term.snapshot and all(ms.agg_time_dimension != term.time for ms in measures):
        return False
    if term.agg in ("sum", "average"):
        want = set(term.expr.split("_"))
        # the same column, or a narrower one the metric names ("last_touch_new_mrr" for "new MRR")
        fits = any(ms.expr == term.expr or want < set(ms.expr.split("_")) for ms in measures)
        return fits and (term.agg == "sum" or is_ratio(metric))
    if term.counted is None:
        return False
    for ms in measures:
        home = model.semantic_models[ms.semantic_model]
        key = next((e.expr for e in home.entities if e.name == term.counted), None)
        if key is None:
            return False
        per_period = ms.non_additive is not None and (home.primary or "").startswith(f"{term.counted}_")
        if ms.non_additive is None and ms.semantic_model != term.sm and term.confidence >= 0.6:
            return False  # "accounts with product activity" are counted in the events, not the signups
        if ms.agg.value in ("count", "sum_boolean") and home.primary != term.counted and not per_period:
            return False
        if ms.agg.value == "count_distinct" and key not in ms.expr:
            return False
        if ms.agg.value in ("sum", "average"):
            return False
    return True


def named_dimensions(model: Model, texts: list[str]) -> set[str]:
    """Categorical dimensions whose values the texts (the rules) name unambiguously, as written."""
    lx = lexicon(model)
    out: set[str] = set()
    for text in texts:
        raw = re.findall(r"[a-z0-9_]+", text.lower().replace("-", " "))
        used = [False] * len(raw)
        for size in (2, 1):
            for i in range(len(raw) - size + 1):
                if any(used[i : i + size]):
                    continue  # "paid social" is read, not "paid" again
                phrase = " ".join(raw[i : i + size])
                hits = {
                    e.target.partition("=")[0]
                    for e in lx.lookup(stems(phrase.replace("_", " ")))
                    if e.kind == "value"
                    and e.source in ("value", "name", "label")
                    and e.target.partition("=")[2].lower() in (phrase, phrase.replace(" ", "_"))
                }
                if len(hits) == 1:
                    out |= hits
                    used[i : i + size] = [True] * size
    return out


def compose(
    definition: Definition,
    model: Model,
    proposal: Proposal,
    columns: dict[str, dict[str, str]] | None,
) -> tuple[str | None, list[rulebook.Read]]:
    """Fill ``proposal`` with a metric built from new parts, and the rules as read.

    The first item says why it cannot (then the proposal's metric and parts are not filled).
    """
    lx = lexicon(model)
    context = " ".join([definition.text, *definition.rules])
    dated = (definition.text, *definition.rules)
    shape = structure(definition)
    parts = Parts()
    common = [r for i, r in enumerate(definition.rules) if shape is None or i != shape[3]]
    if shape is None:
        term = find_term(model, definition.text, context, lx, columns, dated)
        if term is None:
            return "the definition names no column or entity of one semantic model clearly", []
        if RATIO.search(definition.text) and term.agg != "average":
            return (
                "the definition asks for a ratio or a share but names only one part; say it as "
                "'X divided by Y'",
                [],
            )
        made = _part(definition, model, definition.name, definition.text, term, "", common, parts, proposal)
        if isinstance(made, str):
            return made, []
        metric = _simple(definition, made)
    else:
        num_text, den_text, qualifier, rule_at = shape
        sides = []
        for role, text, extra in (("numerator", num_text, qualifier), ("denominator", den_text, "")):
            term = find_term(model, text, f"{text} {extra} {context}", lx, columns, (text, *dated))
            made = _part(
                definition, model, f"{definition.name}_{role}", text, term, extra, common, parts, proposal
            )
            if isinstance(made, str):
                return f"the {role} ({text!r}): {made}", []
            sides.append(made)
        if _same(sides[0], sides[1], parts):
            return f"the numerator ({num_text!r}) reads the same as the denominator ({den_text!r})", []
        metric = _ratio(definition, sides[0], sides[1])
        if rule_at is not None:
            proposal.rules.insert(
                rule_at,
                RuleReading(
                    definition.rules[rule_at],
                    "covered",
                    0.8,
                    f"states the ratio: {num_text!r} ÷ {den_text!r}",
                ),
            )
    proposal.metric = metric
    proposal.new_metrics = parts.metrics
    proposal.new_measures = parts.measures
    proposal.new_model = parts.model
    return None, parts.reads


def _part(
    definition: Definition,
    model: Model,
    name: str,
    text: str,
    term: Term | None,
    qualifier: str,
    rules: list[str],
    parts: Parts,
    proposal: Proposal,
) -> dict[str, Any] | str:
    """One part: ``{"name": metric, "filter": …}`` for the metric that computes it (existing or new)."""
    named = named_dimensions(model, [qualifier, *rules])
    ranked = rank(model, Definition(name, text), text)
    base = next((c.metric for c in ranked[:1] if c.score >= MIN_METRIC and not is_ratio(c.metric)), None)
    if base is not None and not compatible(model, base, term, named):
        base = None
    measure = ""
    if base is None and term is None:
        return "no existing metric fits and no column or entity of one semantic model is named clearly"
    converted: tuple[str, str] | None = None
    if base is None and term is not None and term.agg in ("sum", "average"):
        if any(rulebook.CONVERT.search(r) for r in rules):
            converted = monthly_expression(model.semantic_models[term.sm], term.expr)
            if converted is None:
                return f"no billing interval says how to convert {term.expr} to a monthly amount"
            term = Term(
                term.sm,
                term.agg,
                converted[0],
                term.time,
                term.snapshot,
                f"{term.reason}; {converted[1]}",
                term.confidence,
                term.counted,
                term.time_named,
            )
    extended = extend(
        model,
        new_measures=[(m.semantic_model, m.measure) for m in parts.measures],
        new_model=parts.model.semantic_model if parts.model else None,
    )
    if base is not None:
        homes = sorted({ms.semantic_model for ms in measures_of(model, base)})
        metric_name = base.name
        filters = [w.sql for w in base.filter]
        if base.measure is not None:
            filters += [w.sql for w in base.measure.filter]
        snapshot = all(ms.non_additive is not None for ms in measures_of(model, base))
        why = f"`{base.name}` ({base.meta.get('status', 'published')}) computes {text!r}"
        conf = 0.75
    else:
        assert term is not None
        measure, new_measure, new_model = plan(model, term, name, parts.taken, parts.model)
        if isinstance(new_model, str):
            return new_model
        parts.taken.add(measure)
        if new_measure is not None:
            parts.measures.append(new_measure)
        if new_model is not None:
            parts.model = new_model
        extended = extend(
            model,
            new_measures=[(m.semantic_model, m.measure) for m in parts.measures],
            new_model=parts.model.semantic_model if parts.model else None,
        )
        home = extended.measures[measure].semantic_model
        homes, filters, snapshot = [home], [], term.snapshot
        metric_name = name
        why = term.reason + (", at each month's end (a snapshot model)" if term.snapshot else "")
        conf = term.confidence
        if measure in model.measures:
            why += f" (the existing measure `{measure}`)"
        kin = _kin(model, term)
        if kin is not None:
            filters = [w.sql for w in kin.filter] + [
                w.sql for w in (kin.measure.filter if kin.measure else ())
            ]
            if filters:
                why += f"; keeps the filter of `{kin.name}`, which aggregates the same column"
    graph = JoinGraph(extended, max_hops=4)
    reachable: set[str] = set()
    for i, h in enumerate(homes):
        names = graph.reachable_names(h)
        reachable = names if i == 0 else reachable & names
    ctx = rulebook.Context(
        model,
        lexicon(model),
        reachable,
        snapshot,
        [str(r) for r in (base.meta.get("business_rules") or ()) if base is not None] if base else [],
        _time_dims(extended, homes),
        rulebook.flags_of(extended, reachable),
        set(homes),
    )
    if name != definition.name:
        rules = [_clause(r, text) for r in rules]
    reads = [rulebook.read_rule(r, ctx) for r in rules if r]
    if converted is not None:
        reads = [
            rulebook.Read(
                RuleReading(r.reading.text, "expression", 0.8, f"a documented expression: {converted[1]}")
            )
            if rulebook.CONVERT.search(r.reading.text)
            else r
            for r in reads
        ]
    own = _strip(text, base, term)
    if qualifier or (name != definition.name and _values(model, own, ctx)):
        said = rulebook.read_rule(f"only {qualifier or own}", replace(ctx, covering=[]))
        if said.reading.status != "filter":
            return f"cannot read {qualifier or text!r} as a filter ({said.reading.reason})"
        _, leftover = rulebook.values_in(qualifier or own, ctx)
        unexplained = [w for w in leftover if w not in _explained(extended, homes, base)]
        if unexplained:
            return f"{qualifier or text!r} says {', '.join(map(repr, unexplained))}, which no filter reads"
        reads.append(said)
    if name == definition.name:
        ruled = {r.dimension for r in reads if r.dimension}
        fresh = [(d, v) for d, v in _values(model, own, ctx) if d not in ruled and v not in ("true", "false")]
        if fresh:
            said_names = ", ".join(f"{d} = {v}" for d, v in fresh)
            reads.append(
                rulebook.Read(
                    RuleReading(
                        f"(in the definition) {text}",
                        "unread",
                        0.0,
                        f"the definition names {said_names}; say it as a rule ('Only …', 'Exclude …')",
                    )
                )
            )
    parts.reads += reads
    for r in reads:
        if (
            r.time_dimension
            and base is not None
            and all(ms.agg_time_dimension != r.time_dimension for ms in measures_of(model, base))
        ):
            return f"`{base.name}` is not dated by {r.time_dimension}"
    seen = {r.text for r in proposal.rules}
    for r in reads:
        if r.reading.text not in seen:
            proposal.rules.append(r.reading)
            seen.add(r.reading.text)
    filters += [r.reading.predicate for r in reads if r.reading.predicate]
    proposal.similar.append(Suggestion("part", metric_name, conf, why, {"text": text}))
    if base is None:
        item: dict[str, Any] = {
            "name": metric_name,
            "label": metric_name.replace("_", " ").capitalize(),
            "description": f"{text} (part of `{definition.name}`)"
            if metric_name != definition.name
            else text,
            "type": "simple",
            "type_params": {"measure": measure},
            "config": {"meta": {"status": "draft", "certification": "draft", "definition": text}},
        }
        if metric_name != definition.name:
            parts.metrics.append(item)
        else:
            return {"item": item, "filter": join_filters(filters) if filters else None}
    out: dict[str, Any] = {"name": metric_name}
    if filters:
        out["filter"] = join_filters(filters)
    return out


def _time_dims(model: Model, homes: list[str]) -> dict[str, tuple[tuple[str, ...], ...]]:
    out: dict[str, tuple[tuple[str, ...], ...]] = {}
    for h in homes:
        for d in model.semantic_models[h].dimensions:
            if d.type == "time":
                phrases = {stems(d.name.replace("_", " ")), stems(d.label)} | {
                    stems(str(s)) for s in d.meta.get("synonyms") or ()
                }
                out[d.name] = tuple(sorted(p for p in phrases if p))
    return out


def _meta(definition: Definition, unit: str | None) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "status": "draft",
        "certification": "draft",
        "definition": definition.text,
    }
    if unit:
        meta["unit"] = unit
    if definition.rules:
        meta["business_rules"] = list(definition.rules)
    return meta


def _simple(definition: Definition, made: dict[str, Any]) -> dict[str, Any]:
    if "item" in made:
        out = dict(made["item"])
        out["description"] = definition.text
        if made.get("filter"):
            out["filter"] = made["filter"]
        out["config"] = {"meta": _meta(definition, None)}
        return out
    out = {
        "name": definition.name,
        "label": definition.name.replace("_", " ").capitalize(),
        "description": definition.text,
        "type": "derived",
        "type_params": {"expr": made["name"], "metrics": [made]},
        "config": {"meta": {**_meta(definition, None), "based_on": made["name"]}},
    }
    return out


def _ratio(definition: Definition, num: dict[str, Any], den: dict[str, Any]) -> dict[str, Any]:
    def ref(part: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in part.items() if k in ("name", "filter")}

    return {
        "name": definition.name,
        "label": definition.name.replace("_", " ").capitalize(),
        "description": definition.text,
        "type": "ratio",
        "type_params": {"numerator": ref(num), "denominator": ref(den)},
        "config": {"meta": _meta(definition, "ratio")},
    }


def _values(model: Model, text: str, ctx: rulebook.Context) -> list[tuple[str, str]]:
    """Values a ratio's part names ("Card collections"), not words that name a metric ("events")."""
    lx = lexicon(model)
    found, _ = rulebook.values_in(text, ctx)
    out = []
    for dim, value in found:
        key = stems(value.lower().replace("_", " "))
        if any(e.kind == "metric" and e.source in ("name", "label") for e in lx.lookup(key)):
            continue
        out.append((dim, value))
    return out


def _same(num: dict[str, Any], den: dict[str, Any], parts: Parts) -> bool:
    """Both parts compute the same thing (a ratio of 1): a qualifier was not read."""
    if num.get("filter") != den.get("filter"):
        return False
    if num["name"] == den["name"]:
        return True
    items = {m["name"]: m for m in parts.metrics}
    measures = {
        m.measure["name"]: (
            m.semantic_model,
            m.measure["agg"],
            m.measure["expr"],
            m.measure["agg_time_dimension"],
        )
        for m in parts.measures
    }
    if parts.model is not None:
        for item in parts.model.semantic_model["measures"]:
            measures[item["name"]] = (parts.model.name, item["agg"], item["expr"], item["agg_time_dimension"])
    a, b = items.get(num["name"]), items.get(den["name"])
    if a is None or b is None or a.get("filter") != b.get("filter"):
        return False
    ma, mb = a["type_params"]["measure"], b["type_params"]["measure"]
    return ma == mb or (ma in measures and measures.get(ma) == measures.get(mb))


def _explained(model: Model, homes: list[str], base: Metric | None) -> set[str]:
    """Words a part's own measure explains (its metric's names, its model's columns, entities, grains)."""
    texts: list[str] = []
    if base is not None:
        texts += [base.name, base.label, *(str(s) for s in base.meta.get("synonyms") or ())]
    for h in homes:
        sm = model.semantic_models[h]
        texts += [sm.name, *(e.name for e in sm.entities), *(ms.name for ms in sm.measures)]
        texts += [ms.expr for ms in sm.measures if re.fullmatch(r"[a-z_][a-z0-9_]*", ms.expr)]
    for ds in model.canonical_datasets.values():
        texts += [ds.grain]
    words = set(SNAPSHOT_WORDS)
    for t in texts:
        words.update(stems(t.lower().replace("_", " ").replace("-", " ")))
    return words


SNAPSHOT_WORDS = frozenset("end live month active paying paid".split())


def _strip(text: str, base: Metric | None, term: Term | None) -> str:
    """``text`` without the words that name the part's own metric or column ("active customers at the
    start" for ``active_customers_at_start``): the rest may name values to filter on.
    """
    own: set[str] = set()
    if base is not None:
        for t in (base.name, base.label, *(str(s) for s in base.meta.get("synonyms") or ())):
            own.update(stems(t.lower().replace("_", " ").replace("-", " ")))
    if term is not None:
        own.update(stems(term.expr.replace("_", " ")))
        if term.counted:
            own.update(stems(term.counted.replace("_", " ")))
    words = [w for w in re.split(r"[\s-]+", text) if w]
    kept = [w for w in words if not (set(stems(w.lower().replace("_", " "))) & own)]
    return " ".join(kept)


def _kin(model: Model, term: Term) -> Metric | None:
    """A simple metric aggregating the same column of the same table the same way (its filter is part of
    what that column means: "credit only on converting touches"), certified first.
    """
    source = model.semantic_models[term.sm]
    found = []
    for m in model.metrics.values():
        if m.type.value != "simple" or m.measure is None or m.meta.get("status") == "deprecated":
            continue
        ms = model.measures.get(m.measure.name)
        if ms is None or ms.expr != term.expr or ms.agg.value != term.agg:
            continue
        if model.semantic_models[ms.semantic_model].relation != source.relation:
            continue
        found.append(m)
    found.sort(key=lambda m: (m.meta.get("status") != "certified", m.name))
    return found[0] if found else None


def _clause(rule: str, text: str) -> str:
    """The clause of a rule that speaks of one part of a ratio ("Refunds by refund date, collections by
    payment date" → "Refunds by refund date" for the part "Money refunded"); a rule of one clause as is,
    and "" when it has several clauses and none shares a word with the part.
    """
    clauses = [c.strip() for c in re.split(r"[,;]|\band\b", rule) if c.strip()]
    if len(clauses) < 2 or sum(" by " in f" {c.lower()} " for c in clauses) < 2:
        return rule
    words = {w[:5] for w in stems(text.lower()) if len(w) > 2}
    scored = [(len({w[:5] for w in stems(c.lower()) if len(w) > 2} & words), c) for c in clauses]
    best = max(scored)
    return best[1] if best[0] > 0 and [s for s, _ in scored].count(best[0]) == 1 else ""


#: Months in one billing period, by billing interval value.
INTERVAL_MONTHS = {"annual": 12, "yearly": 12, "year": 12, "semiannual": 6, "quarterly": 3, "quarter": 3}


def monthly_expression(sm: SemanticModel, column: str) -> tuple[str, str] | None:
    """(SQL, what it says) converting ``column`` to a monthly amount by the model's billing interval
    ("annual contracts as monthly": ÷ 12 for annual, ÷ 3 for quarterly), or None without one.
    """
    for d in sm.dimensions:
        values = [str(v) for v in d.meta.get("values") or ()]
        longer = [v for v in values if INTERVAL_MONTHS.get(v.lower(), 1) > 1]
        if d.type != "categorical" or not longer:
            continue
        col = d.expr or d.name
        cases = " ".join(f"when {col} = '{v}' then {column} / {INTERVAL_MONTHS[v.lower()]}" for v in longer)
        said = ", ".join(f"÷ {INTERVAL_MONTHS[v.lower()]} when {d.name} is {v}" for v in longer)
        return f"case {cases} else {column} end", f"{column} as a monthly amount ({said})"
    return None
