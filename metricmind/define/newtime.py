"""A date the definition counts by that the catalog declares no time dimension for ("By the write-off
date"), found among the date columns of the semantic models' own tables (``written_off_at``).

The column must exist in the warehouse (the caller passes ``columns``: ``{relation: {column: type}}``), be a
date or timestamp, be no time dimension of its semantic model yet, and every part of its name without the
time suffix must be said in one phrase that dates ("by …", "… date", "the month …"). The proposal then
carries the new time dimension (``Proposal.new_dimensions``), which ``generate`` writes into the semantic
model's own YAML beside the measure dated by it. Nothing is guessed from a word the column's name does not
hold.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from metricmind.define.proposal import Definition, NewDimension, Proposal
from metricmind.define.shape import join_filters
from metricmind.define.termdates import time_of, verb_hit
from metricmind.define.words import bare_time_name, stems
from metricmind.spec.model import Dimension, Grain, Model

#: A metric dated by a time dimension the catalog did not declare is below confident.
NEW_DATE_CONFIDENCE = 0.75
#: Column types that hold a date.
DATE_TYPE = re.compile(r"\b(date|timestamp)", re.IGNORECASE)
#: A phrase that dates ("by …", "… date", "in the month …", "counted when …").
DATING = re.compile(r"\b(by|date[ds]?|dated|day|month|counted|when)\b", re.IGNORECASE)


def _words(text: str) -> tuple[str, ...]:
    return stems(text.lower().replace("-", " ").replace("_", " "))


def undeclared_dates(
    model: Model, definition: Definition, columns: dict[str, dict[str, str]] | None
) -> list[NewDimension]:
    """Time dimensions to add: date columns the definition's dating phrases name whole."""
    if not columns:
        return []
    # "…, not its scheduled end date": the date after "not" is the one not meant
    phrases = [re.split(r",?\s+\bnot\b", t)[0] for t in (definition.text, *definition.rules)]
    phrases = [t for t in phrases if DATING.search(t)]
    # a phrase a declared time dimension already answers ("by signup date") adds nothing: a mart's copy
    # of the column is never declared beside the catalog's own
    phrases = [t for t in phrases if not any(time_of(sm, _words(t)) for sm in model.semantic_models.values())]
    if not phrases:
        return []
    out: list[NewDimension] = []
    for sm in model.semantic_models.values():
        table = columns.get(sm.relation) or {}
        declared = {d.expr or d.name for d in sm.dimensions} | {d.name for d in sm.dimensions}
        declared |= {e.expr for e in sm.entities}
        for column, typ in table.items():
            if column in declared or not DATE_TYPE.search(typ):
                continue
            key = [p for p in bare_time_name(column).split("_") if p]
            if not key:
                continue
            saying = [p for p in phrases if all(verb_hit(k, _words(p)) for k in key)]
            if not saying:
                continue
            said = saying[0]
            forms = {tuple(key)}  # as each phrase says it: "write off" for written_off_at
            forms |= {tuple(next(w for w in _words(p) if verb_hit(k, (w,))) for k in key) for p in saying}
            name = column if column not in {d.name for d in sm.dimensions} else f"{column}_date"
            label = f"{' '.join(key).capitalize()} date"
            item: dict[str, Any] = {
                "name": name,
                "type": "time",
                "label": label,
                "description": f"The date {column} of {sm.relation} (added for a definition that counts by it).",
                "type_params": {"time_granularity": "day"},
                "config": {"meta": {"synonyms": sorted(f"{' '.join(ws)} date" for ws in forms)}},
            }
            if name != column:
                item["expr"] = column
            reason = (
                f"{definition.name}: {said!r} dates by {column}, a date column of {sm.relation} that "
                f"{sm.name} declares no time dimension for: a new time dimension {name}"
            )
            out.append(NewDimension(sm.name, item, reason))
    return out


def dimension_from(item: dict[str, Any]) -> Dimension:
    """A ``dimensions:`` item (a proposal's new time dimension) as a ``Dimension``."""
    meta = (item.get("config") or {}).get("meta") or {}
    return Dimension(
        name=str(item["name"]),
        type=str(item.get("type") or "time"),
        expr=str(item.get("expr") or item["name"]),
        grain=Grain(str((item.get("type_params") or {}).get("time_granularity") or "day")),
        description=str(item.get("description") or ""),
        label=str(item.get("label") or ""),
        meta=dict(meta),
    )


def with_dimensions(model: Model, added: list[NewDimension]) -> Model:
    """``model`` with the new time dimensions in their semantic models."""
    sms = dict(model.semantic_models)
    for nd in added:
        sm = sms[nd.semantic_model]
        if any(d.name == nd.dimension["name"] for d in sm.dimensions):
            continue
        sms[sm.name] = replace(sm, dimensions=(*sm.dimensions, dimension_from(nd.dimension)))
    return replace(model, semantic_models=sms)


def used(proposal: Proposal, added: list[NewDimension]) -> list[NewDimension]:
    """The new time dimensions a new measure of the proposal is dated by (the others are dropped)."""
    dated = {
        (m.semantic_model, str(m.measure.get("agg_time_dimension") or "")) for m in proposal.new_measures
    }
    return [nd for nd in added if (nd.semantic_model, nd.dimension["name"]) in dated]


def dated_rows_only(model: Model, proposal: Proposal) -> None:
    """Each metric over a new measure dated by a new time dimension keeps only rows that have that date
    (an invoice never written off has no write-off month: without the filter it would sum into a month
    of none, which the package's tests refuse).
    """
    new = {(nd.semantic_model, str(nd.dimension["name"])) for nd in proposal.new_dimensions}
    dated: dict[str, str] = {}
    for nm in proposal.new_measures:
        key = (nm.semantic_model, str(nm.measure.get("agg_time_dimension") or ""))
        sm = model.semantic_models.get(nm.semantic_model)
        if key in new and sm is not None and sm.primary:
            dated[str(nm.measure["name"])] = (
                f"{{{{ TimeDimension('{sm.primary}__{key[1]}', 'day') }}}} is not null"
            )
    for item in [proposal.metric, *proposal.new_metrics]:
        if not item or item.get("type") != "simple":
            continue
        cond = dated.get(str((item.get("type_params") or {}).get("measure") or ""))
        if cond is not None:
            item["filter"] = join_filters([f for f in (item.get("filter"), cond) if f])
