"""Reading ``metrics`` items: every metric type, with its measure and metric inputs and conversion params."""

from __future__ import annotations

from typing import Any

from metricmind.spec.model import (
    ConstantProperty,
    Conversion,
    Cumulative,
    MeasureInput,
    Metric,
    MetricInput,
    MetricType,
)
from metricmind.spec.parse.fields import (
    Context,
    check_keys,
    grain_of,
    meta_of,
    name_of,
    period_of,
    sub,
    text_of,
    wheres,
)
from metricmind.spec.yamlio import Node


def _measure_input(value: Any, node: Node, key: str, ctx: Context, what: str) -> MeasureInput | None:
    if isinstance(value, str):
        return MeasureInput(value)
    if isinstance(value, Node):
        check_keys(value, "measure_input", ctx, f"{what}: {key}")
        if not value.get("name"):
            ctx.issues.error(f"{what}: {key} has no name", ctx.file, value.line, "add name: <measure>")
            return None
        fill = value.get("fill_nulls_with")
        return MeasureInput(
            str(value["name"]),
            wheres(value.get("filter"), value, "filter", ctx),
            value.get("alias"),
            bool(value.get("join_to_timespine")),
            fill if isinstance(fill, int | float) else None,
        )
    ctx.issues.error(
        f"{what}: '{key}' is missing",
        ctx.file,
        node.line_of(key) if node else None,
        f"add {key}: <measure name>",
    )
    return None


def metric_input(value: Any, node: Node, key: str, ctx: Context, what: str) -> MetricInput | None:
    """A metric input: a name, or a mapping with filter, alias and offsets (None, with an issue, when unreadable)."""
    if isinstance(value, str):
        return MetricInput(value)
    if isinstance(value, Node):
        check_keys(value, "metric_input", ctx, f"{what}: {key}")
        if not value.get("name"):
            ctx.issues.error(
                f"{what}: an input metric has no name", ctx.file, value.line, "add name: <metric>"
            )
            return None
        return MetricInput(
            str(value["name"]),
            wheres(value.get("filter"), value, "filter", ctx),
            value.get("alias"),
            value.get("offset_window"),
            period_of(value.get("offset_to_grain"), value, "offset_to_grain", ctx, what, sub_day=True),
        )
    ctx.issues.error(f"{what}: '{key}' is missing", ctx.file, node.line, f"add {key}: <metric name>")
    return None


def metric(node: Node, ctx: Context) -> Metric | None:
    """Parse one ``metrics`` item."""
    name = name_of(node, ctx, "metric")
    what = f"metric '{name}'"
    check_keys(node, "metric", ctx, what)
    if name is None:
        return None
    raw_type = str(node.get("type") or "").lower()
    try:
        mtype = MetricType(raw_type)
    except ValueError:
        ctx.issues.error(
            f"{what} has type '{raw_type}'",
            ctx.file,
            node.line_of("type"),
            "use simple, ratio, derived, cumulative or conversion",
        )
        return None
    tp = node.get("type_params")
    if not isinstance(tp, Node):
        ctx.issues.error(f"{what} has no type_params", ctx.file, node.line, "add type_params: {measure: ...}")
        return None
    check_keys(tp, "type_params", ctx, what)
    fields: dict[str, Any] = {}
    if mtype in (MetricType.SIMPLE, MetricType.CUMULATIVE):
        fields["measure"] = _measure_input(tp.get("measure"), tp, "measure", ctx, what)
    if mtype is MetricType.CUMULATIVE:
        ctp = sub(tp, "cumulative_type_params") if isinstance(tp.get("cumulative_type_params"), Node) else tp
        if ctp is not tp:
            check_keys(ctp, "cumulative_type_params", ctx, what)
        for legacy in ("window", "grain_to_date"):
            if tp.get(legacy) is not None:
                ctx.issues.warning(
                    f"{what} sets {legacy} directly under type_params, which dbt deprecates",
                    ctx.file,
                    tp.line_of(legacy),
                    f"move it to type_params.cumulative_type_params.{legacy}",
                    code="cumulative_legacy_param",
                )
        window, gtd = (
            ctp.get("window") or tp.get("window"),
            ctp.get("grain_to_date") or tp.get("grain_to_date"),
        )
        if window and gtd:
            ctx.issues.error(
                f"{what} sets both window and grain_to_date",
                ctx.file,
                ctp.line,
                "keep one: a trailing window or a to-date grain",
            )
        fields["cumulative"] = Cumulative(
            str(window) if window else None,
            period_of(gtd, ctp if "grain_to_date" in ctp else tp, "grain_to_date", ctx, what, sub_day=True),
            str(ctp.get("period_agg") or "first").lower(),
        )
    if mtype is MetricType.RATIO:
        fields["numerator"] = metric_input(tp.get("numerator"), tp, "numerator", ctx, what)
        fields["denominator"] = metric_input(tp.get("denominator"), tp, "denominator", ctx, what)
    if mtype is MetricType.DERIVED:
        fields["expr"] = str(tp.get("expr") or "")
        inputs = tp.get("metrics") or []
        fields["inputs"] = tuple(i for i in (metric_input(v, tp, "metrics", ctx, what) for v in inputs) if i)
        if not fields["expr"]:
            ctx.issues.error(f"{what} is derived but has no expr", ctx.file, tp.line, "add expr: a - b")
    if mtype is MetricType.CONVERSION:
        fields["conversion"] = _conversion(tp.get("conversion_type_params"), tp, ctx, what)
    return Metric(
        name=name,
        type=mtype,
        label=text_of(node, "label"),
        description=text_of(node, "description"),
        filter=wheres(node.get("filter"), node, "filter", ctx),
        time_granularity=grain_of(node.get("time_granularity"), node, "time_granularity", ctx, what),
        meta=meta_of(node),
        file=ctx.file,
        line=node.line,
        **fields,
    )


def _conversion(value: Any, tp: Node, ctx: Context, what: str) -> Conversion | None:
    if not isinstance(value, Node):
        ctx.issues.error(
            f"{what} has no conversion_type_params",
            ctx.file,
            tp.line,
            "add conversion_type_params: {base_measure, conversion_measure, entity}",
        )
        return None
    check_keys(value, "conversion_type_params", ctx, what)
    base = _measure_input(value.get("base_measure"), value, "base_measure", ctx, what)
    conv = _measure_input(value.get("conversion_measure"), value, "conversion_measure", ctx, what)
    entity = value.get("entity")
    if not entity:
        ctx.issues.error(
            f"{what} has no conversion entity", ctx.file, value.line, "add entity: <entity name>"
        )
    calc = str(value.get("calculation") or "conversion_rate").lower()
    if calc not in ("conversion_rate", "conversions"):
        ctx.issues.error(
            f"{what}: calculation '{calc}'",
            ctx.file,
            value.line_of("calculation"),
            "use conversion_rate or conversions",
        )
    props = tuple(
        ConstantProperty(str(p.get("base_property")), str(p.get("conversion_property")))
        for p in value.get("constant_properties") or []
        if isinstance(p, dict)
    )
    if base is None or conv is None or not entity:
        return None
    return Conversion(base, conv, str(entity), calc, value.get("window"), props)
