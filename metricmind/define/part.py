"""One part of a metric built from new parts: the existing metric that computes it, or a new measure.

``build_part`` reads a part's words (a whole definition, or a ratio's or difference's side) as an existing
metric when one fits, else as a new measure or month-end snapshot model (``Parts`` collects what is new),
reads the rules against the part's own semantic model, and dates it as a rule says.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from metricmind.define import rules as rulebook
from metricmind.define.columns import TableValues, numeric_columns, wrap, wrapped_snapshot
from metricmind.define.extend import extend
from metricmind.define.fit import compatible, named_dimensions, narrower_state
from metricmind.define.flagwords import said_of_flag
from metricmind.define.implied import implied, state_words
from metricmind.define.kinds import (
    GRAIN,
    dated_by,
)
from metricmind.define.newmodel import plan
from metricmind.define.openstate import OpenState, judged, open_state
from metricmind.define.parts import (
    clause_for,
    explained,
    home_words,
    kin,
    monthly_expression,
    named_fully,
    own_words,
    part_values,
    same_unit,
    strip_own,
    time_dims,
)
from metricmind.define.population import read_population
from metricmind.define.proposal import Definition, NewMeasure, NewModel, Proposal, RuleReading, Suggestion
from metricmind.define.rank import is_ratio, measures_of, rank
from metricmind.define.reach import unreached
from metricmind.define.redate import REDATED_CONFIDENCE, redate, time_dimension_of
from metricmind.define.rulecues import asks_conversion
from metricmind.define.shape import join_filters
from metricmind.define.sourcetexts import source_texts
from metricmind.define.statistics import statistic_of
from metricmind.define.terms import Term
from metricmind.define.words import USE_VERBS, content, lexicon, verbs_in
from metricmind.spec.joingraph import JoinGraph
from metricmind.spec.model import Metric, Model

MIN_METRIC = 3.0


@dataclass
class Parts:
    """What compose adds to the proposal."""

    measures: list[NewMeasure] = field(default_factory=list)
    model: NewModel | None = None
    metrics: list[dict[str, Any]] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)
    reads: list[rulebook.Read] = field(default_factory=list)
    values: TableValues = field(default_factory=dict)  # tables' text columns that are no dimension
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # the warehouse's columns and types


def build_part(
    definition: Definition,
    model: Model,
    name: str,
    text: str,
    term: Term | None,
    qualifier: str,
    rules: list[str],
    parts: Parts,
    proposal: Proposal,
    population: str = "",
) -> dict[str, Any] | str:
    """One part: ``{"name": metric, "filter": …}`` for the metric that computes it (existing or new);
    ``population`` is the definition's phrase for the rows a rule-stated rate is of (``population``).
    """
    # a state word of a rule ("Active users are …") names no dimension the part must reach
    named = named_dimensions(model, [qualifier]) | named_dimensions(model, rules, state_words(model))
    ranked = rank(model, Definition(name, text), text)
    base = next((c.metric for c in ranked[:1] if c.score >= MIN_METRIC and not is_ratio(c.metric)), None)
    if base is not None:  # values the part's own words name ("customers using the API")
        named |= named_dimensions(model, [text], frozenset(own_words(base, term)) | state_words(model))
    if base is not None and (
        not compatible(model, base, term, named) or narrower_state(model, base, term, text)
    ):
        base = None
    if base is not None and unreached(model, base.name, text):
        base = (
            None  # "customers with at least one overdue invoice": `active_customers` never reaches invoices
        )
    if base is not None and term is None and not named_fully(base, text) and not same_unit(model, base, text):
        base = None  # "live subscriptions at month end" is a count, not the currency of `mrr`
    if base is not None and name != definition.name and not named_fully(base, text):
        extra = [w for w in content(text) if w not in own_words(base, term) and w not in state_words(model)]
        if extra and set(extra) <= set(content(base.description)) and not named:
            extra = []  # "sellers who sold at least one item": the metric's own description, word for word
        if extra:  # "the amount of all invoices issued": its rows' entity and their date
            extra = [w for w in extra if w not in home_words(model, base)]
        if extra:  # "enabled users" is not `active_users` filtered to enabled ones
            return (
                f"{text!r} names `{base.name}` only in part, and {', '.join(map(repr, extra))} may make it "
                "another count; name the metric, or write the part as a filter of it"
            )
    measure = ""
    state: OpenState | None = None
    if base is None and term is None:
        return "no existing metric fits and no column or entity of one semantic model is named clearly"
    converted: tuple[str, str] | None = None
    if base is None and term is not None and term.agg in ("sum", "average", "median"):
        if any(asks_conversion(r) for r in rules):  # never "…, not the monthly equivalent"
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
    told = base  # the metric whose rows the part counts (its texts and its inputs' say what they are)
    if base is not None:
        homes = sorted({ms.semantic_model for ms in measures_of(model, base)})
        metric_name = base.name
        filters = [w.sql for w in base.filter]
        if base.measure is not None:
            filters += [w.sql for w in base.measure.filter]
        snapshot = all(ms.non_additive is not None for ms in measures_of(model, base))
        why = f"`{base.name}` ({base.meta.get('status', 'published')}) computes {text!r}"
        conf = 0.75
        rival = rival_of(model, ranked, base)
        if rival is not None:  # two metrics fit the part's words about as well: a guess, a doubt
            conf = RIVAL_CONFIDENCE
            why += f"; `{rival[0]}` fits its words about as well ({rival[1]} vs {rival[2]})"
    else:
        assert term is not None
        asked = open_state(model, term, text, rules, parts.columns)  # "overdue at month end"
        if isinstance(asked, str):
            return asked
        state = asked
        measure, new_measure, new_model = plan(model, term, name, parts.taken, parts.model, state)
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
        homes, filters, snapshot = [home], [], term.snapshot or term.state  # a balance: read at the end
        metric_name = name
        why = term.reason + (", at each month's end (a snapshot model)" if term.snapshot else "")
        conf = term.confidence
        if term.agg == "average" and GRAIN.search(
            definition.text
        ):  # "one journey per customer, not per touch"
            conf = min(conf, 0.5)
            why += "; the definition averages over another grain than the table's rows (not de-duplicated)"
        if measure in model.measures:
            why += f" (the existing measure `{measure}`)"
        same = kin(model, term)
        if same is not None:
            filters = [w.sql for w in same.filter] + [
                w.sql for w in (same.measure.filter if same.measure else ())
            ]
            if filters:
                why += f"; keeps the filter of `{same.name}`, which aggregates the same column"
                told = same  # its rows are the kept filter's: what it says of them holds here too
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
        time_dims(extended, homes),
        rulebook.flags_of(extended, reachable, set(homes)),
        set(homes),
    )
    ctx.statistic = term.agg if term is not None else statistic_of(model, base) if base is not None else ""
    ctx.definition = definition.text
    ctx.sources = source_texts(model, told)
    source = homes[0] if len(homes) == 1 else None
    if source is not None and source not in model.semantic_models:  # a month-end snapshot: its source's rows
        source = term.sm if term is not None and term.snapshot and parts.model is not None else None
    if source is not None:
        ctx.table = model.semantic_models[source].relation
        ctx.table_values = parts.values.get(ctx.table, {})
        ctx.table_numeric = numeric_columns(parts.columns, ctx.table)
        ctx.table_columns = (parts.columns or {}).get(ctx.table) or {}
    if name != definition.name:
        rules = [clause_for(r, text) for r in rules]
    reads = [rulebook.read_rule(r, ctx) for r in rules if r]
    rulebook.apply_treated(reads)  # "Treat bank transfers as wire" + "only wire": both
    if converted is not None:
        reads = [
            rulebook.Read(
                RuleReading(r.reading.text, "expression", 0.8, f"a documented expression: {converted[1]}")
            )
            if asks_conversion(r.reading.text)
            else r
            for r in reads
        ]
    own = strip_own(text, base, term)
    if qualifier or (name != definition.name and part_values(model, own, ctx)):
        said = rulebook.read_rule(f"only {qualifier or own}", replace(ctx, covering=[]))
        if said.reading.status != "filter":
            return f"cannot read {qualifier or text!r} as a filter ({said.reading.reason})"
        _, leftover = rulebook.values_in(qualifier or own, ctx)
        compared = set(content(str(said.column_sql or "")))  # "paid after their due date": paid_at, due_at
        held = verbs_in((qualifier or own).lower()) & USE_VERBS  # "revenue earned from Gold guests"
        unexplained = [w for w in leftover if w not in explained(extended, homes, base) | compared | held]
        unexplained = said_of_flag(unexplained, ctx.flags, said.dimension)  # "referred": the flag's
        if unexplained:
            return f"{qualifier or text!r} says {', '.join(map(repr, unexplained))}, which no filter reads"
        reads.append(said)
    if population:  # "No-show rate of Booking.com reservations": the rows both parts count
        kept = read_population(
            population,
            model,
            extended,
            homes,
            base,
            term,
            ctx,
            reads,
            definition.text,
            tuple(definition.rules),
        )
        if isinstance(kept, str):
            return kept
        if kept is not None:
            reads.append(kept)
    if name == definition.name:
        ruled = {d for r in reads if r.reading.status != "unread" for d in (r.dimension, *r.others) if d}
        ruled_values = {v for r in reads for v in r.values}
        counted = (term.counted or "") if base is None and term is not None and term.time_named else ""
        reads += implied(
            text,
            ctx,
            ruled=ruled,
            ruled_values=ruled_values,
            own=own_words(base, term),
            rules=reads,
            counted=counted,
        )
    if base is None and term is not None and term.snapshot:  # "not yet delivered", "due before that date"
        reads = judged(reads, model, term, state or OpenState())
    parts.reads += reads
    wanted = {r.time_dimension for r in reads if r.time_dimension}
    if len(wanted) > 1:
        return f"the rules date it by {' and '.join(sorted(wanted))}"
    for when in wanted:
        dated = _dated(model, extended, base, measure, when, name, parts)
        if isinstance(dated, str):
            return dated
        if dated is not None:  # the same column dated by the rule's time dimension
            measure, why = dated
            base, metric_name, conf = None, name, min(conf, REDATED_CONFIDENCE)
            extended = extend(
                model,
                new_measures=[(m.semantic_model, m.measure) for m in parts.measures],
                new_model=parts.model.semantic_model if parts.model else None,
            )
    seen = {_shown(r) for r in proposal.rules}
    for r in reads:  # a rule read for both parts shows once; the definition's values once per dimension
        if _shown(r.reading) not in seen:
            proposal.rules.append(r.reading)
            seen.add(_shown(r.reading))
    filters += [r.reading.predicate for r in reads if r.reading.predicate]
    on_columns = [str(r.column_sql) for r in reads if r.column_sql]
    ms = None
    if on_columns:
        ms = extended.measures.get(measure) if base is None else None
        if base is not None and base.type.value == "simple" and len(measures_of(model, base)) == 1:
            ms = measures_of(model, base)[0]
        if ms is not None and parts.model is not None and ms.semantic_model == parts.model.name:
            parts.model = wrapped_snapshot(parts.model, measure, on_columns)  # its rows are the source's
            on_columns = []
        elif ms is None or ms.semantic_model not in model.semantic_models:
            return (
                "a rule filters a column that is no dimension, and the part has no one measure of its table"
            )
    if on_columns and ms is not None:
        fresh = bool(measure) and measure not in model.measures
        if fresh:  # the part's own new measure: wrapped instead, under its name
            parts.measures = [m for m in parts.measures if m.measure["name"] != measure]
        new = wrap(model, ms, on_columns, measure if fresh else name, parts.taken - {measure})
        parts.measures.append(new)
        parts.taken.add(new.measure["name"])
        measure, base, metric_name = new.measure["name"], None, name
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


#: A part whose closest metric has a rival within this score is guessed, not read.
RIVAL_MARGIN = 0.5
RIVAL_CONFIDENCE = 0.55


def rival_of(model: Model, ranked: list[Any], base: Metric) -> tuple[str, float, float] | None:
    """(name, its score, the chosen one's score) of another metric that fits the part's words about as
    well as ``base`` and reads none of its measures (a variant of the same measure, cumulative or offset,
    or a metric built on it, is told apart by the ranking's own cues).
    """
    top = next((c for c in ranked if c.metric.name == base.name), None)
    if top is None:
        return None
    own = set(model.measures_of(base.name))
    for c in ranked:
        if c.metric.name == base.name or is_ratio(c.metric) or c.score < top.score - RIVAL_MARGIN:
            continue
        if set(model.measures_of(c.metric.name)) & own:  # a variant or a metric built on it
            continue
        return c.metric.name, c.score, top.score
    return None


def _dated(
    model: Model,
    extended: Model,
    base: Metric | None,
    measure: str,
    wanted: str,
    name: str,
    parts: Parts,
) -> tuple[str, str] | str | None:
    """The part's measure dated by ``wanted`` when a rule dates it so: None when it already is, (measure,
    why) for a measure of the same column dated by it (the catalog's, or a new one added to ``parts``),
    or why it cannot be.
    """
    if base is not None:
        own = measures_of(model, base)
        if any(ms.agg_time_dimension == wanted for ms in own):
            return None
        if base.type.value != "simple" or len(own) != 1:
            return f"`{base.name}` is not dated by {wanted}, and it is no one measure to date otherwise"
        source = own[0]
    else:
        if dated_by(extended, measure) == wanted:
            return None
        source = extended.measures[measure]
        fresh = next((m for m in parts.measures if m.measure["name"] == measure), None)
        if fresh is not None:  # the part's own new measure: dated by the rule's time dimension instead
            if source.non_additive is not None or not time_dimension_of(model, source.semantic_model, wanted):
                return f"the new measure is dated by {source.agg_time_dimension}, not {wanted}"
            fresh.measure["agg_time_dimension"] = wanted
            return measure, f"{fresh.reason}; dated by {wanted}, as a rule says"
    made = redate(model, source, wanted, name, parts.taken)
    if isinstance(made, str):
        return f"the part is dated by {source.agg_time_dimension}, not {wanted} ({made})"
    new_name, new = made
    parts.taken.add(new_name)
    if new is None:
        return new_name, f"`{new_name}` computes `{source.name}` dated by {wanted}"
    parts.measures.append(new)
    return new_name, new.reason


def _shown(reading: RuleReading) -> str:
    """What tells two readings apart on the proposal: the rule's text, and for the values the definition
    itself names (one reading per dimension, all of the same text) the reading's reason too.
    """
    if reading.text.startswith("(in the definition)"):
        return f"{reading.text}\n{reading.reason}"
    return reading.text
