"""A metric no existing measure computes: new measures, a snapshot model, and ratios of two parts.

``compose`` reads the definition as one aggregation (``terms.find_term``) or as a ratio ("X divided by Y"
in the definition or a rule, "share of X that Y"), builds each part on an existing metric when one fits
and on a new measure (or the month-end snapshot model) otherwise, reads the rules against the part's
own semantic model, and fills the proposal: ``metric``, ``new_metrics``, ``new_measures``, ``new_model``.
"""

from __future__ import annotations

from typing import Any

from metricmind.define import rules as rulebook
from metricmind.define.columns import TableValues
from metricmind.define.combine import difference_of, percent, ratio
from metricmind.define.daily import daily_metric, is_daily_average
from metricmind.define.dating import dated_forms
from metricmind.define.distinctper import distinct_threshold
from metricmind.define.entitydays import counts_rows
from metricmind.define.ever import asks_ever, ever_metric
from metricmind.define.fit import structure
from metricmind.define.items import meta_of, only_scale, said_scale, scaled_as, simple_item
from metricmind.define.kinds import (
    difference,
    text_scale,
)
from metricmind.define.once import cover_once, distinct_of
from metricmind.define.part import MIN_METRIC, Parts, build_part
from metricmind.define.proposal import Definition, Proposal, RuleReading
from metricmind.define.ratiotail import rule_scale
from metricmind.define.restate import cover_restating, metric_words, words_of
from metricmind.define.statecolumn import state_term
from metricmind.define.sums import total
from metricmind.define.terms import Term, find_term
from metricmind.define.threshold import threshold_metric, threshold_of
from metricmind.define.words import RATIO, lexicon
from metricmind.spec.model import Model


def compose(
    definition: Definition,
    model: Model,
    proposal: Proposal,
    columns: dict[str, dict[str, str]] | None,
    values: TableValues | None = None,
) -> tuple[str | None, list[rulebook.Read]]:
    """Fill ``proposal`` with a metric built from new parts, and the rules as read.

    The first item says why it cannot (then the proposal's metric and parts are not filled).
    """
    lx = lexicon(model)
    context = " ".join([definition.text, *definition.rules])
    dated = (
        definition.text,
        *definition.rules,
        *(f for r in definition.rules for f in dated_forms(r.lower())),
    )
    shape = structure(definition)
    parts = Parts(values=values or {}, columns=columns or {})
    common = [r for i, r in enumerate(definition.rules) if shape is None or i != shape[3]]
    minus = difference(definition.text) if shape is None else None
    plus = total(definition.text) if shape is None and minus is None else None
    term: Term | None = None
    rows = counts_rows(model, definition.text)  # "with at least 3 invoices in the month": a flow per entity
    rows = rows or distinct_threshold(definition.text) is not None  # "at least 3 different users": too
    ever = ever_metric(definition, model) if shape is None and asks_ever(definition.text) else None
    if isinstance(ever, tuple):  # "customers who have ever paid an invoice": cumulative, all history
        metric, new_measure, readings, part = ever
        parts.measures.append(new_measure)
        proposal.rules += readings
        proposal.similar.append(part)
    elif shape is None and threshold_of(definition.text) and not rows:  # "more than 50 seats in total"
        over = threshold_metric(model, definition.name, definition.text, definition.rules, columns)
        if isinstance(over, str):
            return over, []
        metric, parts.model, readings, part = over
        metric["config"] = {"meta": meta_of(definition, "count")}
        proposal.rules += readings
        proposal.similar.append(part)
    elif shape is None and is_daily_average(definition.text):
        made_daily = daily_metric(definition, model, proposal, columns, meta_of(definition, None), MIN_METRIC)
        if isinstance(made_daily, str):
            return made_daily, []
        metric, parts.model = made_daily
    elif minus is not None:
        made_minus = difference_of(definition, model, minus, list(definition.rules), parts, proposal, columns)
        if isinstance(made_minus, str):
            return made_minus, []
        metric = made_minus
    elif plus is not None:  # "IAP revenue plus ad revenue"
        made_plus = difference_of(
            definition, model, plus, list(definition.rules), parts, proposal, columns, "+"
        )
        if isinstance(made_plus, str):
            return made_plus, []
        metric = made_plus
    elif shape is None:
        term = find_term(model, definition.text, context, lx, columns, dated, valued_head=True)
        term = term or state_term(model, definition.text, context, columns)  # "rooms available at month end"
        if term is None:
            return "the definition names no column or entity of one semantic model clearly", []
        if RATIO.search(definition.text) and term.agg not in ("average", "median"):
            return (
                "the definition asks for a ratio or a share but names only one part; say it as "
                "'X divided by Y'",
                [],
            )
        made = build_part(
            definition, model, definition.name, definition.text, term, "", common, parts, proposal
        )
        if isinstance(made, str):
            return made, []
        metric = simple_item(definition, made)
    else:
        made_ratio = ratio(definition, model, shape, common, dated, parts, proposal, columns)
        if isinstance(made_ratio, str):
            return made_ratio, []
        metric = made_ratio
    rulebook.check_which(parts.reads)
    parts.reads = [_scale_only(r) for r in parts.reads]
    fixed = {r.reading.text: r.reading for r in parts.reads if r.which is not None or r.scale is not None}
    scales = {r.scale for r in parts.reads if r.scale is not None}
    stated = said_scale(definition.text) or (text_scale(definition.text) if shape else None)
    stated = stated or (rule_scale(definition.rules, shape[3]) if shape else None)  # "…, as a percentage"
    if shape is not None and stated is not None and not scales:  # "…, as a percentage between 0 and 100"
        scales = {stated}
    if shape is None and stated is not None and not scaled_as(stated, term):
        proposal.rules.append(
            RuleReading(
                f"(in the definition) {definition.text}",
                "unread",
                0.1,
                f"the definition asks for {'a percentage (0-100)' if stated == 100 else 'a fraction (0-1)'} "
                "of a value that is no ratio and whose column does not say that scale",
            )
        )
    if shape is None and len(scales) == 1 and scaled_as(next(iter(scales)), term):  # "Percent 0-100" of a
        fixed |= {  # `discount_pct` average: the column holds percent already
            r.reading.text: RuleReading(
                r.reading.text,
                "noop",
                0.8,
                f"the column {term.expr if term else ''} holds that scale already",
            )
            for r in parts.reads
            if r.scale is not None
        }
    elif shape is None or len(scales) > 1:
        fixed |= {
            r.reading.text: RuleReading(
                r.reading.text, "unread", 0.1, "scales a value that is no ratio, or scales it two ways"
            )
            for r in parts.reads
            if r.scale is not None
        }
    elif scales == {100.0}:
        metric = percent(definition, metric, parts)
    proposal.rules = [fixed.get(x.text, x) for x in proposal.rules]
    proposal.rules = _restating(model, definition, proposal, metric, parts)
    proposal.metric = metric
    proposal.new_metrics = parts.metrics
    proposal.new_measures = parts.measures
    proposal.new_model = parts.model
    return None, parts.reads


def _scale_only(read: rulebook.Read) -> rulebook.Read:
    """An unread rule that only states the scale ("Per cent, 0 to 100") read as the scale."""
    scale = only_scale(read.reading.text) if read.reading.status == "unread" else None
    if scale is None:
        return read
    what = "a fraction from 0 to 1" if scale == 1 else "a percentage from 0 to 100"
    return rulebook.Read(RuleReading(read.reading.text, "noop", 0.8, f"the value is {what}"), scale=scale)


def _restating(
    model: Model, definition: Definition, proposal: Proposal, metric: dict[str, Any], parts: Parts
) -> list[RuleReading]:
    """The rules, each unread one that only restates the composed computation read as covered."""
    names = {metric["name"], *_inputs(metric), *(n for m in parts.metrics for n in (m["name"], *_inputs(m)))}
    texts = [
        definition.text,
        *(str(s.detail.get("text") or "") for s in proposal.similar if s.kind == "part"),
    ]
    new = [t for m in parts.measures for t in (m.measure["name"], str(m.measure["expr"]))]
    if parts.model is not None:
        new += [str(m.get("expr") or m["name"]) for m in parts.model.semantic_model["measures"]]
    explained = words_of([*texts, *new]) | metric_words(model, names)
    said = words_of(texts)
    what = metric.get("description") or definition.text
    kind = metric.get("type", "simple")
    read = cover_restating(model, proposal.rules, explained, said, f"a {kind} metric: {what}")
    return cover_once(model, read, distinct_of(model, metric, parts.measures, parts.model))


def _inputs(item: dict[str, Any]) -> list[str]:
    """The metric names an item reads (its numerator, denominator and derived inputs)."""
    tp = item.get("type_params") or {}
    out = [str(tp[k]["name"]) for k in ("numerator", "denominator") if isinstance(tp.get(k), dict)]
    out += [str(x["name"]) for x in tp.get("metrics") or () if isinstance(x, dict)]
    return out
