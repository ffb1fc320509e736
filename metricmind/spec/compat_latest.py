"""dbt 1.12's latest-spec objects as MetricFlow-format documents, for ``compat``'s run of
``dbt-semantic-interfaces``.

DSI's own YAML format has no latest spec (no ``semantic_model`` on a dbt model, no ``agg`` on a metric), so
the semantic models and metrics metricmind read from it are written out in the legacy form it validates:
each simple metric as a measure plus a metric over it, cumulative and conversion metrics over the simple
metrics' measures (as ``parse.resolve`` settled them).
"""

from __future__ import annotations

from typing import Any

from metricmind.spec.model import Measure, MeasureInput, Metric, MetricInput, MetricType, Model, SemanticModel
from metricmind.spec.parse import is_latest
from metricmind.spec.yamlio import Node


def latest_names(doc: Node) -> tuple[list[str], list[str]]:
    """The semantic models and metrics a document defines in the latest spec (enabled ones only)."""
    sms: list[str] = []
    metrics: list[str] = []
    for item in doc.get("models") or []:
        if not isinstance(item, Node) or not is_latest(item) or not isinstance(item.get("name"), str):
            continue
        raw = item.get("semantic_model")
        config = raw if isinstance(raw, Node) else None
        if not (raw is True or (config is not None and config.get("enabled", True) is not False)):
            continue
        sms.append(str(config.get("name") or item["name"]) if config is not None else str(item["name"]))
        metrics += [str(m.get("name")) for m in item.get("metrics") or [] if isinstance(m, Node)]
    metrics += [
        str(m.get("name")) for m in doc.get("metrics") or [] if isinstance(m, Node) and "type_params" not in m
    ]
    return sms, metrics


def documents(model: Model, sms: list[str], metrics: list[str], schema: str) -> list[dict[str, Any]]:
    """MetricFlow-format documents of the named semantic models and metrics that ``model`` holds."""
    out: list[dict[str, Any]] = [
        {"semantic_model": _semantic_model(model.semantic_models[n], schema)}
        for n in sms
        if n in model.semantic_models
    ]
    return out + [{"metric": _metric(model.metrics[n])} for n in metrics if n in model.metrics]


def _semantic_model(sm: SemanticModel, schema: str) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": sm.name,
        "description": sm.description,
        "node_relation": {"alias": sm.ref, "schema_name": schema},
        "entities": [{"name": e.name, "type": e.type.value, "expr": e.expr} for e in sm.entities],
        "dimensions": [],
        "measures": [_measure(m) for m in sm.measures],
    }
    if sm.default_agg_time_dimension:
        doc["defaults"] = {"agg_time_dimension": sm.default_agg_time_dimension}
    if sm.primary_entity:
        doc["primary_entity"] = sm.primary_entity
    for d in sm.dimensions:
        dim: dict[str, Any] = {"name": d.name, "type": d.type, "expr": d.expr, "is_partition": d.is_partition}
        if d.grain is not None:
            params: dict[str, Any] = {"time_granularity": d.grain.value}
            if d.validity:
                params["validity_params"] = {"is_start": d.validity == "start", "is_end": d.validity == "end"}
            dim["type_params"] = params
        doc["dimensions"].append(dim)
    return doc


def _measure(m: Measure) -> dict[str, Any]:
    doc: dict[str, Any] = {"name": m.name, "agg": m.agg.value, "expr": m.expr}
    if m.agg_time_dimension:
        doc["agg_time_dimension"] = m.agg_time_dimension
    if m.non_additive is not None:
        nad = m.non_additive
        doc["non_additive_dimension"] = {
            "name": nad.name,
            "window_choice": nad.window_choice,
            "window_groupings": list(nad.window_groupings),
        }
    if m.percentile is not None:
        doc["agg_params"] = {"percentile": m.percentile, "use_discrete_percentile": m.discrete_percentile}
    return doc


def _measure_input(mi: MeasureInput) -> dict[str, Any]:
    doc: dict[str, Any] = {"name": mi.name}
    if mi.filter:
        doc["filter"] = [w.sql for w in mi.filter]
    if mi.join_to_timespine:
        doc["join_to_timespine"] = True
    if mi.fill_nulls_with is not None:
        doc["fill_nulls_with"] = mi.fill_nulls_with
    return doc


def _metric_input(mi: MetricInput) -> dict[str, Any]:
    doc: dict[str, Any] = {"name": mi.name}
    if mi.filter:
        doc["filter"] = [w.sql for w in mi.filter]
    if mi.alias:
        doc["alias"] = mi.alias
    if mi.offset_window:
        doc["offset_window"] = mi.offset_window
    if mi.offset_to_grain:
        doc["offset_to_grain"] = mi.offset_to_grain.value
    return doc


def _metric(m: Metric) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if m.measure is not None:
        params["measure"] = _measure_input(m.measure)
    if m.type is MetricType.RATIO and m.numerator and m.denominator:
        params["numerator"], params["denominator"] = _metric_input(m.numerator), _metric_input(m.denominator)
    if m.type is MetricType.DERIVED:
        params["expr"] = m.expr or ""
        params["metrics"] = [_metric_input(i) for i in m.inputs]
    if m.cumulative is not None:
        c = m.cumulative
        cum: dict[str, Any] = {"period_agg": c.period_agg}
        if c.window:
            cum["window"] = c.window
        if c.grain_to_date:
            cum["grain_to_date"] = c.grain_to_date.value
        params["cumulative_type_params"] = cum
    if m.conversion is not None:
        c2 = m.conversion
        conv: dict[str, Any] = {
            "base_measure": _measure_input(c2.base_measure),
            "conversion_measure": _measure_input(c2.conversion_measure),
            "entity": c2.entity,
            "calculation": c2.calculation,
        }
        if c2.window:
            conv["window"] = c2.window
        if c2.constant_properties:
            conv["constant_properties"] = [
                {"base_property": p.base_property, "conversion_property": p.conversion_property}
                for p in c2.constant_properties
            ]
        params["conversion_type_params"] = conv
    doc: dict[str, Any] = {
        "name": m.name,
        "type": m.type.value,
        "label": m.label or m.name,
        "description": m.description,
        "type_params": params,
    }
    if m.filter:
        doc["filter"] = [w.sql for w in m.filter]
    if m.time_granularity is not None:
        doc["time_granularity"] = m.time_granularity.value
    return doc
