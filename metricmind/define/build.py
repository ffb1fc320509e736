"""Build a proposal on a chosen metric: read its rules, date it, check them and compile its preview SQL.

``build_metric`` fills a ``Proposal`` with the base metric, the business rules read against its sources (with
a new measure when a rule filters a column that is no dimension, or dates the metric by another time
dimension), the refusals (unknown values, contradictions, dates no measure has) and the metric's SQL by
``metric_time__month`` (``preview_sql``). ``analyze`` (``metricmind.define.analyze``) chooses the metric.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from metricmind.catalog.definitions import parse_definition
from metricmind.compiler import Compiler
from metricmind.define import rules as rulebook
from metricmind.define.columns import TableValues, numeric_columns, on_columns
from metricmind.define.extend import extend
from metricmind.define.implied import implied
from metricmind.define.once import cover_once, distinct_of
from metricmind.define.oneside import whole_of_ratio
from metricmind.define.parts import time_dims as time_phrases
from metricmind.define.proposal import Definition, Proposal, RuleReading, Suggestion
from metricmind.define.rank import is_snapshot, measures_of
from metricmind.define.ratioside import numerator_said
from metricmind.define.redate import redate, time_dimension_of
from metricmind.define.restate import cover_restating, metric_words, own_rules, words_of
from metricmind.define.shape import contradiction, dimensions, join_filters, metric_dict
from metricmind.define.sourcetexts import source_texts
from metricmind.define.statistics import statistic_of
from metricmind.define.usage import Usage
from metricmind.define.words import (
    lexicon,
    stems,
    without_examples,
)
from metricmind.errors import MetricmindError
from metricmind.spec.joingraph import JoinGraph
from metricmind.spec.model import Measure, Metric, Model, SemanticModel
from metricmind.spec.names import METRIC_TIME, SEP
from metricmind.spec.query import MetricQuery

#: The refusal of a date a new measure of the same column could give (tried again with ``redate_ok``).
REDATE_NEEDED = "a new measure dated by it could not be composed with every rule read"


def refuse(proposal: Proposal, code: str, message: str) -> None:
    """Mark ``proposal`` refused with ``code`` and ``message``: no metric, no SQL."""
    proposal.refused = code
    proposal.message = message
    proposal.metric = None
    proposal.preview_sql = None


def _semantic_model(model: Model, measure: Measure) -> SemanticModel:
    return model.semantic_models[measure.semantic_model]


def build_metric(
    definition: Definition,
    model: Model,
    proposal: Proposal,
    base: Metric,
    dialect: str,
    max_hops: int,
    usage: Usage | None = None,
    values: TableValues | None = None,
    columns: dict[str, dict[str, str]] | None = None,
    *,
    redate_ok: bool = False,
) -> Model:
    """Fill ``proposal`` with ``base`` and the rules read; returns the model the metric compiles on (with
    a new measure when a rule filters a column that is no dimension, or, with ``redate_ok``, when a rule
    dates a simple metric's measure by another time dimension of its semantic model).
    """
    graph = JoinGraph(model, max_hops=max_hops)
    measures = measures_of(model, base)
    sms = sorted({ms.semantic_model for ms in measures})
    reachable: set[str] | None = None
    for sm_name in sms:
        names = graph.reachable_names(sm_name)
        reachable = names if reachable is None else reachable & names
    reachable = reachable or set()
    snapshot = is_snapshot(model, base)
    covering = [str(r) for r in base.meta.get("business_rules") or ()]
    covering += [base.description, str(base.meta.get("definition") or "")]
    time_dims = time_phrases(model, sms)
    ctx = rulebook.Context(
        model,
        lexicon(model),
        reachable,
        snapshot,
        covering,
        time_dims,
        rulebook.flags_of(model, reachable, set(sms)),
        set(sms),
    )
    ctx.own_name = base.name
    ctx.definition = definition.text
    ctx.sources = source_texts(model, base)
    ctx.naming = [f"{ms.name} {ms.description}".replace("_", " ") for ms in measures]
    ctx.naming += [n.replace("_", " ") for n in sms]
    ctx.statistic = statistic_of(model, base)
    main_measure = measures[0] if len(measures) == 1 else None
    if main_measure is not None and values:
        ctx.table = model.semantic_models[main_measure.semantic_model].relation
        ctx.table_values = values.get(ctx.table, {})
        ctx.table_numeric = numeric_columns(columns, ctx.table)
        ctx.table_columns = (columns or {}).get(ctx.table) or {}
    reads = [rulebook.read_rule(r, ctx) for r in definition.rules]
    reads += _implicit_rule(definition, base, ctx, reads)
    whole_of_ratio(reads, base, model)  # "leave denied claims out": a ratio's one side did
    rulebook.check_which(reads)
    unit = str(base.meta.get("unit") or "")
    factor = None  # the metric multiplied ("as a percentage" of a ratio: 100)
    for r in reads:
        if r.scale is None:
            continue
        times = scaling(r.scale, unit)
        if times is None or (factor is not None and times != factor):
            r.reading = RuleReading(
                r.reading.text, "unread", 0.1, f"scales the value, but `{base.name}` is in {unit or 'units'}"
            )
        elif times != 1.0:
            factor = times
            r.reading = replace(r.reading, reason=f"{r.reading.reason}: `{base.name}` × {times:g}")
    proposal.rules = cover_restating(
        model,
        [r.reading for r in reads],
        words_of([definition.text]) | metric_words(model, [base.name]),
        words_of([definition.text]),
        f"`{base.name}` ({base.description or base.label})",
        own_rules(model, [base.name]),
    )
    if base.type.value == "simple" and base.measure is not None:  # "an account counts once however many"
        counted = distinct_of(
            model, {"type": "simple", "type_params": {"measure": base.measure.name}}, [], None
        )
        proposal.rules = cover_once(model, proposal.rules, counted)
    main = measures[0] if len(measures) == 1 else None
    # The measure and the time dimension.
    if main is not None:
        home = _semantic_model(model, main)
        agg = main.agg.value
        why = f"{agg}({main.expr}) on {home.relation}"
        if main.non_additive:
            why += (
                f", a snapshot: the value at the {main.non_additive.window_choice} {main.non_additive.name}"
            )
        proposal.measure = Suggestion(
            "measure", main.name, 0.8, why, {"semantic_model": home.name, "agg": agg}
        )
    time_name = main.agg_time_dimension if main else None
    asked = [(f"the definition {definition.text!r}", rulebook.time_in(definition.text, ctx))]
    asked += [(f"rule {r.reading.text!r}", r.time_dimension) for r in reads]
    for where, wanted in asked:
        if wanted and main is not None and wanted != main.agg_time_dimension:
            swap = _measure_dated_by(model, main, wanted)
            if swap is None and redate_ok and base.type.value == "simple":
                made = redate(model, main, wanted, definition.name, set(model.measures))
                if not isinstance(made, str):
                    if made[1] is not None:
                        proposal.new_measures = [*proposal.new_measures, made[1]]
                        model = extend(model, new_measures=[(made[1].semantic_model, made[1].measure)])
                    swap = model.measures[made[0]]
            if swap is None:
                refuse(
                    proposal,
                    "unsupported",
                    f"{where} dates the metric by {wanted}, but `{base.name}` is dated by "
                    f"{main.agg_time_dimension} and no measure of the same column is dated by {wanted}"
                    + (
                        f"; {main.semantic_model} has no time dimension {wanted}"
                        if not time_dimension_of(model, main.semantic_model, wanted)
                        else f"; {REDATE_NEEDED}"
                    ),
                )
                return model
            main, time_name = swap, wanted
    if time_name:
        proposal.time_dimension = Suggestion(
            "time", time_name, 0.85, f"the measure's own time dimension; queried as {METRIC_TIME}{SEP}month"
        )
    dimensions(model, proposal, reachable, graph, sms, usage)
    # Refusals: values that do not exist, contradictions.
    for r in reads:
        if r.reading.suggestion:
            refuse(proposal, "unknown_value", f"rule {r.reading.text!r}: {r.reading.reason}")
            return model
    clash = contradiction(reads)
    if clash:
        refuse(proposal, "contradictory_rules", clash)
        return model
    predicates = [r.reading.predicate for r in reads if r.reading.predicate]
    quoted = {r.reading.reason for r in reads if r.reading.status == "covered"}
    proposal.assumptions = [
        f"`{base.name}`: {rule}"
        for rule in map(str, base.meta.get("business_rules") or ())
        if not any(rule in q for q in quoted)
    ]
    if not predicates and proposal.similar and proposal.similar[0].name == base.name:
        top = proposal.similar[0]
        status = base.meta.get("status", "published")
        proposal.similar[0] = replace(
            top,
            reason=f"this looks like `{base.name}`, {status} — reuse it?"
            + top.reason.split(":", 1)[-1].replace(";", ",").rstrip(),
        )
    proposal.metric = metric_dict(definition, base, predicates)
    if main is not None and base.type.value == "simple" and base.measure and main.name != base.measure.name:
        if factor is not None:
            refuse(proposal, "unsupported", f"a scaled value of `{base.name}` dated by {time_name}")
            return model
        proposal.metric["type_params"] = {"measure": main.name}
    if factor is not None:
        proposal.metric = scaled(proposal.metric, base, predicates, factor)
    on = on_columns(model, proposal, reads, main, definition.name)
    try:
        proposal.preview_sql = preview_sql(on, proposal.metric, dialect=dialect, max_hops=max_hops)
    except MetricmindError as exc:
        refuse(proposal, "unsupported", f"the proposed metric does not compile: {exc.message}")
    return on


def scaling(scale: float, unit: str) -> float | None:
    """The factor a scale rule multiplies a metric in ``unit`` by (1.0: as it is), or None when it does
    not apply: a fraction is a ratio as it is, a percentage of a ratio is × 100 (of a percent: as it is).
    """
    if scale == 1.0:
        return 1.0 if unit == "ratio" else None
    return 1.0 if unit == "percent" else 100.0 if unit == "ratio" else None


def scaled(metric: dict[str, Any], base: Metric, predicates: list[str], factor: float) -> dict[str, Any]:
    """``metric`` (on ``base`` with the rule ``predicates``) multiplied by ``factor``: a derived metric."""
    item: dict[str, Any] = {"name": base.name}
    if predicates:
        item["filter"] = join_filters(predicates)
    expr = f"{factor:.1f} * {base.name}"
    meta = dict(metric["config"]["meta"]) | {"unit": "percent"}
    out = {k: v for k, v in metric.items() if k not in ("filter", "type_params", "config")}
    return out | {
        "type": "derived",
        "type_params": {"expr": expr, "metrics": [item]},
        "config": {"meta": meta},
    }


def _implicit_rule(
    definition: Definition, base: Metric, ctx: rulebook.Context, reads: list[rulebook.Read]
) -> list[rulebook.Read]:
    """A value the definition itself names ("MRR from Enterprise customers") that no rule speaks of."""
    found, _ = rulebook.values_in(without_examples(definition.text), ctx)
    ruled = {d for r in reads if r.reading.status != "unread" for d in (r.dimension, *r.others) if d}
    own = set(
        stems(" ".join([base.name.replace("_", " "), base.label, *map(str, base.meta.get("synonyms") or ())]))
    )
    unclear = [
        (p, dims)
        for p, dims in ctx.ambiguous
        if not set(dims) & ruled and not set(stems(p)) <= own  # "events" of the events metric
    ]
    if unclear and not found:
        phrase, dims = unclear[0]
        return [
            rulebook.Read(
                RuleReading(
                    f"(in the definition) {definition.text}",
                    "unread",
                    0.0,
                    f"{phrase!r} is a value of {', '.join(dims)}; say which in a rule ('Only the … segment')",
                )
            )
        ]
    ruled_values = {v for r in reads for v in r.values}
    said = implied(definition.text, ctx, ruled=ruled, ruled_values=ruled_values, own=own, rules=reads)
    return numerator_said(said, ctx.model, base)  # "share of attempts that passed": the numerator's own


def _measure_dated_by(model: Model, measure: Measure, time_dim: str) -> Measure | None:
    sm = model.semantic_models[measure.semantic_model]
    for ms in sm.measures:
        if ms.expr == measure.expr and ms.agg == measure.agg and ms.agg_time_dimension == time_dim:
            return ms
    return None


def model_with(model: Model, metric: Metric) -> Model:
    """``model`` with ``metric`` added (or replacing one of the same name)."""
    return replace(model, metrics={**model.metrics, metric.name: metric})


def preview_sql(
    model: Model, definition: dict[str, Any], *, dialect: str = "duckdb", max_hops: int = 4
) -> str:
    """The SQL of the metric ``definition`` (a draft dictionary) by ``metric_time__month``, oldest first."""
    from_yaml = parse_definition(definition)
    compiler = Compiler(model_with(model, from_yaml), max_hops=max_hops)
    col = f"{METRIC_TIME}{SEP}month"
    query = MetricQuery.build(from_yaml.name, [col], order_by=[col])
    return compiler.compile(query, dialect, pretty=True).sql
