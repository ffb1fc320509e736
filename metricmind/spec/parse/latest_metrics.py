"""Reading metrics in dbt 1.12's latest spec: no ``type_params``, its keys promoted onto the metric.

A simple metric carries its own aggregation (``agg``, ``expr``, ``percentile``, ``non_additive_dimension``,
``agg_time_dimension``) and sits in the ``metrics:`` of a model that has a ``semantic_model``; it is read as
a measure of that semantic model plus a simple metric over it, the pair the legacy spec spells out (and
MetricFlow itself converts between). Cumulative and conversion metrics name *metrics* (``input_metric``,
``base_metric``, ``conversion_metric``) where the compiler wants measures: each such name is kept as a
``Pending`` and replaced by the named simple metric's measure, with that metric's filter, once every file
is read (:func:`resolve`), so the simple metric may live in any file and in either spec.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from metricmind.errors import IssueList, closest
from metricmind.spec.model import (
    Agg,
    ConstantProperty,
    Conversion,
    Cumulative,
    Measure,
    MeasureInput,
    Metric,
    MetricInput,
    MetricType,
    NonAdditive,
)
from metricmind.spec.parse.fields import (
    Context,
    check_keys,
    did_you_mean,
    grain_of,
    meta_of,
    name_of,
    period_of,
    text_of,
    wheres,
)
from metricmind.spec.parse.metrics import metric_input
from metricmind.spec.yamlio import Node

#: The keys that belong to one metric type; the other types' keys are ignored with a warning.
TYPE_KEYS: dict[MetricType, set[str]] = {
    MetricType.SIMPLE: {
        "agg",
        "expr",
        "percentile",
        "percentile_type",
        "non_additive_dimension",
        "agg_time_dimension",
        "join_to_timespine",
        "fill_nulls_with",
    },
    MetricType.CUMULATIVE: {"input_metric", "window", "grain_to_date", "period_agg"},
    MetricType.RATIO: {"numerator", "denominator"},
    MetricType.DERIVED: {"expr", "input_metrics"},
    MetricType.CONVERSION: {
        "entity",
        "calculation",
        "base_metric",
        "conversion_metric",
        "window",
        "constant_properties",
    },
}
#: Keys metricmind honours on simple metrics only: elsewhere they would change the numbers, so they are refused.
SIMPLE_ONLY = ("join_to_timespine", "fill_nulls_with")


@dataclass(frozen=True)
class Pending:
    """A metric named where a measure is compiled: ``role`` of ``metric`` (the object read) is ``input``."""

    metric: Metric
    role: str  # "input_metric" | "base_metric" | "conversion_metric"
    input: MetricInput
    line: int | None = None


@dataclass
class Read:
    """One latest-spec metric as read: the metric, the measure a simple metric brings, what is pending."""

    metric: Metric | None = None
    measure: Measure | None = None
    pending: list[Pending] = field(default_factory=list)


def latest_metric(
    node: Node, ctx: Context, model: str | None = None, default_time: str | None = None
) -> Read:
    """Read one latest-spec metric; ``model`` is the semantic model whose ``metrics:`` hold it (if any)."""
    name = name_of(node, ctx, "metric")
    what = f"metric '{name}'"
    check_keys(node, "latest_metric", ctx, what)
    if name is None:
        return Read()
    raw_type = str(node.get("type") or "simple").lower()  # dbt's default type is simple
    try:
        mtype = MetricType(raw_type)
    except ValueError:
        hint = "use simple, ratio, derived, cumulative or conversion"
        ctx.issues.error(f"{what} has type '{raw_type}'", ctx.file, node.line_of("type"), hint)
        return Read()
    _misplaced(node, mtype, ctx, what)
    meta = meta_of(node)
    if node.get("hidden") is True:
        meta.setdefault("hidden", True)
    base = Metric(
        name=name,
        type=mtype,
        label=text_of(node, "label"),
        description=text_of(node, "description"),
        filter=wheres(node.get("filter"), node, "filter", ctx),
        time_granularity=grain_of(node.get("time_granularity"), node, "time_granularity", ctx, what),
        meta=meta,
        file=ctx.file,
        line=node.line,
    )
    if mtype is MetricType.SIMPLE:
        return _simple(node, base, ctx, what, model, default_time)
    if mtype is MetricType.RATIO:
        num = metric_input(node.get("numerator"), node, "numerator", ctx, what)
        den = metric_input(node.get("denominator"), node, "denominator", ctx, what)
        return Read(dataclasses.replace(base, numerator=num, denominator=den))
    if mtype is MetricType.DERIVED:
        return _derived(node, base, ctx, what)
    if mtype is MetricType.CUMULATIVE:
        return _cumulative(node, base, ctx, what)
    return _conversion(node, base, ctx, what)


def _misplaced(node: Node, mtype: MetricType, ctx: Context, what: str) -> None:
    """Warn about keys of another metric type (dbt ignores them); refuse the simple-only fills elsewhere."""
    own = TYPE_KEYS[mtype]
    for other, keys in TYPE_KEYS.items():
        for key in sorted(keys - own):
            if key not in node or other is not _owner(key):
                continue
            if key in SIMPLE_ONLY:
                ctx.issues.error(
                    f"{what} is {mtype.value} and sets {key}, which metricmind applies to simple metrics only",
                    ctx.file,
                    node.line_of(key),
                    f"set {key} on the simple metrics it is computed from",
                )
            else:
                ctx.issues.warning(
                    f"{what} is {mtype.value}: '{key}' belongs to {other.value} metrics and is ignored",
                    ctx.file,
                    node.line_of(key),
                    f"remove '{key}', or set type: {other.value}",
                    code="unknown_key",
                )


def _owner(key: str) -> MetricType:
    return next(t for t, keys in TYPE_KEYS.items() if key in keys)


def _simple(
    node: Node, base: Metric, ctx: Context, what: str, model: str | None, default_time: str | None
) -> Read:
    raw = node.get("agg")
    if model is None:
        hint = (
            "move it to the `metrics:` of the model whose columns it aggregates (that model needs "
            "semantic_model: {enabled: true}); legacy-spec metrics use type_params: {measure: ...}"
        )
        found = "has agg" if raw is not None else "has neither agg nor type_params"
        ctx.issues.error(
            f"{what} is a simple metric outside a model: it {found}, and dbt reads a latest-spec simple "
            "metric only in a model's `metrics:`",
            ctx.file,
            node.line,
            hint,
        )
        return Read()
    try:
        agg = Agg(str(raw or "").lower())
    except ValueError:
        agg_line = node.line_of("agg")
        if raw is None:
            ctx.issues.error(
                f"{what} is simple but has no agg", ctx.file, node.line, "add agg: sum (or count, …)"
            )
        else:
            ctx.issues.error(
                f"{what} has agg '{raw}'", ctx.file, agg_line, did_you_mean(str(raw), [a.value for a in Agg])
            )
        # the metric stays, over a measure that is not there: what uses it is left out with this cause
        return Read(dataclasses.replace(base, measure=MeasureInput(base.name)))
    expr = node.get("expr")
    if agg is Agg.COUNT and expr is None:
        ctx.issues.error(
            f"{what} is a count without expr; dbt refuses it (MetricFlow: 'a COUNT aggregation requires an expr')",
            ctx.file,
            node.line,
            "add expr: 1 to count rows, or expr: <column> to count the rows where that column is not null",
        )
    percentile, discrete = _percentile(node, agg, ctx, what)
    fill = node.get("fill_nulls_with")
    if fill is not None and not isinstance(fill, int | float):
        ctx.issues.error(
            f"{what}: fill_nulls_with must be a number", ctx.file, node.line_of("fill_nulls_with"), ""
        )
    measure = Measure(
        name=base.name,
        agg=agg,
        expr=str(expr).strip() if expr is not None else base.name,
        agg_time_dimension=str(node.get("agg_time_dimension") or default_time or ""),
        semantic_model=model,
        description=base.description,
        label=base.label,
        non_additive=_non_additive(node.get("non_additive_dimension"), node, ctx, what),
        percentile=percentile,
        discrete_percentile=discrete,
        meta=dict(base.meta),
        line=node.line,
    )
    given = MeasureInput(
        base.name,
        join_to_timespine=node.get("join_to_timespine") is True,
        fill_nulls_with=fill if isinstance(fill, int | float) else None,
    )
    return Read(dataclasses.replace(base, measure=given), measure)


def _percentile(node: Node, agg: Agg, ctx: Context, what: str) -> tuple[float | None, bool]:
    """``percentile`` (between 0 and 1) and whether ``percentile_type`` is discrete (default continuous)."""
    value, kind = node.get("percentile"), str(node.get("percentile_type") or "continuous").lower()
    if agg is not Agg.PERCENTILE:
        return None, False
    if kind not in ("discrete", "continuous"):
        ctx.issues.error(
            f"{what}: percentile_type '{kind}'",
            ctx.file,
            node.line_of("percentile_type"),
            "use discrete or continuous",
        )
    if not isinstance(value, int | float) or not 0 < value < 1:
        ctx.issues.error(
            f"{what} is a percentile and needs percentile between 0 and 1, got {value!r}",
            ctx.file,
            node.line_of("percentile"),
            "write percentile: 0.95 for the 95th percentile",
        )
        return None, kind == "discrete"
    return float(value), kind == "discrete"


def _non_additive(value: Any, node: Node, ctx: Context, what: str) -> NonAdditive | None:
    if value is None:
        return None
    if not isinstance(value, Node):
        ctx.issues.error(
            f"{what}: non_additive_dimension must be a mapping",
            ctx.file,
            node.line_of("non_additive_dimension"),
            "write non_additive_dimension: {name: <time dimension>, window_agg: max}",
        )
        return None
    check_keys(value, "latest_non_additive", ctx, f"{what}: non_additive_dimension")
    choice = str(value.get("window_agg") or "max").lower()
    if choice not in ("min", "max"):
        ctx.issues.error(
            f"{what}: window_agg '{choice}'",
            ctx.file,
            value.line_of("window_agg"),
            "use min (first snapshot of the period) or max (last)",
        )
    if not value.get("name"):
        ctx.issues.error(
            f"{what}: non_additive_dimension has no name", ctx.file, value.line, "add name: <time dimension>"
        )
    groups = value.get("group_by") or []
    groups = groups if isinstance(groups, list) else [groups]
    return NonAdditive(str(value.get("name") or ""), choice, tuple(str(g) for g in groups))


def _derived(node: Node, base: Metric, ctx: Context, what: str) -> Read:
    expr = str(node.get("expr") or "").strip()
    if not expr:
        ctx.issues.error(f"{what} is derived but has no expr", ctx.file, node.line, "add expr: a - b")
    raw = node.get("input_metrics")
    if not isinstance(raw, list) or not raw:
        ctx.issues.error(
            f"{what} is derived but has no input_metrics",
            ctx.file,
            node.line_of("input_metrics"),
            "add input_metrics: [{name: a}, {name: b}] (the legacy spec's type_params.metrics)",
        )
        raw = []
    inputs = tuple(i for i in (metric_input(v, node, "input_metrics", ctx, what) for v in raw) if i)
    return Read(dataclasses.replace(base, expr=expr, inputs=inputs))


def _cumulative(node: Node, base: Metric, ctx: Context, what: str) -> Read:
    window, gtd = node.get("window"), node.get("grain_to_date")
    if window and gtd:
        ctx.issues.error(
            f"{what} sets both window and grain_to_date",
            ctx.file,
            node.line_of("grain_to_date"),
            "keep one: a trailing window or a to-date grain",
        )
    period = str(node.get("period_agg") or "first").lower()
    if period not in ("first", "last", "average"):
        ctx.issues.error(
            f"{what}: period_agg '{period}'",
            ctx.file,
            node.line_of("period_agg"),
            "use first, last or average",
        )
    cumulative = Cumulative(
        str(window) if window else None, period_of(gtd, node, "grain_to_date", ctx, what), period
    )
    given = metric_input(node.get("input_metric"), node, "input_metric", ctx, what)
    if given is None:
        return Read()
    metric = dataclasses.replace(base, measure=MeasureInput(given.name), cumulative=cumulative)
    return Read(metric, pending=[Pending(metric, "input_metric", given, node.line_of("input_metric"))])


def _conversion(node: Node, base: Metric, ctx: Context, what: str) -> Read:
    entity = node.get("entity")
    if not entity:
        ctx.issues.error(f"{what} has no conversion entity", ctx.file, node.line, "add entity: <entity name>")
    calc = str(node.get("calculation") or "conversion_rate").lower()
    if calc not in ("conversion_rate", "conversions"):
        ctx.issues.error(
            f"{what}: calculation '{calc}'",
            ctx.file,
            node.line_of("calculation"),
            "use conversion_rate or conversions",
        )
    props = []
    for p in node.get("constant_properties") or []:
        if isinstance(p, Node) and p.get("base_property") and p.get("conversion_property"):
            props.append(ConstantProperty(str(p["base_property"]), str(p["conversion_property"])))
        else:
            ctx.issues.error(
                f"{what}: a constant property needs base_property and conversion_property",
                ctx.file,
                p.line if isinstance(p, Node) else node.line_of("constant_properties"),
                "write - {base_property: plan, conversion_property: plan}",
            )
    base_in = metric_input(node.get("base_metric"), node, "base_metric", ctx, what)
    conv_in = metric_input(node.get("conversion_metric"), node, "conversion_metric", ctx, what)
    if base_in is None or conv_in is None or not entity:
        return Read()
    window = node.get("window")
    conversion = Conversion(
        MeasureInput(base_in.name),
        MeasureInput(conv_in.name),
        str(entity),
        calc,
        str(window) if window else None,
        tuple(props),
    )
    metric = dataclasses.replace(base, conversion=conversion)
    return Read(
        metric,
        pending=[
            Pending(metric, "base_metric", base_in, node.line_of("base_metric")),
            Pending(metric, "conversion_metric", conv_in, node.line_of("conversion_metric")),
        ],
    )


def resolve(metrics: list[Metric], pending: list[Pending], issues: IssueList) -> list[Metric]:
    """``metrics`` with each pending metric name replaced by that simple metric's measure.

    A metric whose name cannot be replaced (unknown, not simple, or with an offset) is left out, with an
    error at its line; what depends on it is then a follow-on of that error.
    """
    by_name: dict[str, Metric] = {}
    for m in metrics:
        by_name.setdefault(m.name, m)
    done: dict[int, Metric | None] = {}
    for p in pending:
        key = id(p.metric)
        current = done.get(key, p.metric)
        if current is None:
            continue
        given = _measure_of(p, by_name, issues)
        if given is None:
            done[key] = None
        elif p.role == "input_metric":
            done[key] = dataclasses.replace(current, measure=given)
        elif current.conversion is not None and p.role == "base_metric":
            conversion = dataclasses.replace(current.conversion, base_measure=given)
            done[key] = dataclasses.replace(current, conversion=conversion)
        elif current.conversion is not None:
            conversion = dataclasses.replace(current.conversion, conversion_measure=given)
            done[key] = dataclasses.replace(current, conversion=conversion)
    out = []
    for m in metrics:
        got = done.get(id(m), m)
        if got is not None:
            out.append(got)
    return out


def _measure_of(p: Pending, by_name: dict[str, Metric], issues: IssueList) -> MeasureInput | None:
    """The measure input a pending metric name stands for: the simple metric's measure and filters."""
    owner, name = p.metric, p.input.name
    what = f"{owner.type.value} metric '{owner.name}'"
    target = by_name.get(name)
    if target is None:
        near = closest(name, by_name, n=1)
        hint = f"did you mean '{near[0]}'?" if near else f"define a simple metric '{name}' on a model"
        issues.error(f"{what} uses unknown metric '{name}' ({p.role})", owner.file, p.line, hint)
        return None
    if target.type is not MetricType.SIMPLE or target.measure is None:
        verb = "cumulates" if p.role == "input_metric" else "converts"
        issues.error(
            f"{what}: {p.role} '{name}' is a {target.type.value} metric; metricmind {verb} a simple metric",
            owner.file,
            p.line,
            f"point {p.role} at a simple metric (an aggregation on a model)",
        )
        return None
    if p.input.offset_window or p.input.offset_to_grain:
        issues.error(
            f"{what}: {p.role} '{name}' has a time offset, which metricmind does not apply there",
            owner.file,
            p.line,
            "remove offset_window / offset_to_grain, or offset the cumulative or conversion metric in a derived one",
        )
        return None
    measure = target.measure
    return MeasureInput(
        measure.name,
        (*target.filter, *measure.filter, *p.input.filter),
        None,
        measure.join_to_timespine,
        measure.fill_nulls_with,
    )
