"""Resolve a ``MetricQuery`` against the model: group-by items, filters, and metric expressions.

Every metric becomes one SQL expression over *leaf* columns (an aggregated measure with its filters
and options). Ratios and derived metrics are expanded inline, so ``a / b`` over two measures of one
semantic model reads that table once, and nested derived metrics add no extra joins. The request types
live in :mod:`metricmind.compiler.request`, the refusals in :mod:`metricmind.compiler.checks`.
"""

from __future__ import annotations

from dataclasses import replace

from sqlglot import exp

from metricmind.compiler import datepart
from metricmind.compiler.checks import (
    check_cumulative_snapshot,
    check_custom,
    check_filled_conversion,
    check_filled_cumulative,
    check_min_grain,
    check_sub_day,
    overlapping,
)
from metricmind.compiler.dialects import Dialect, double_division, to_double
from metricmind.compiler.request import GroupItem, Leaf, Request, Window
from metricmind.errors import QueryError, UnknownNameError
from metricmind.spec import expressions
from metricmind.spec.filters import parse_where
from metricmind.spec.joingraph import JoinGraph
from metricmind.spec.model import Grain, Metric, MetricInput, MetricType, Model, Where
from metricmind.spec.names import METRIC_TIME, NameError_, Ref, split
from metricmind.spec.query import MetricQuery


def build(model: Model, graph: JoinGraph, query: MetricQuery, dialect: Dialect) -> Request:
    """Resolve ``query``; raises ``QueryError`` subclasses with suggestions."""
    for name in query.metrics:
        if name not in model.metrics:
            raise UnknownNameError("metric", name, model.metrics)
    items = _group_items(model, query)
    wheres = []
    for text in query.where:
        parsed = parse_where(text, dialect.sqlglot)
        for ref in parsed.refs.values():
            if ref.date_part:
                datepart.check_part(ref.date_part, f"filter {text!r}")
        wheres.append(parsed)
    # Only a query that asks for overlapping groups sees one-to-many and foreign↔foreign joins.
    req = Request(
        query, model, dialect, graph.overlapping if query.allow_overlap else graph.many_to_one, items, wheres
    )
    for name in query.metrics:
        req.outputs.append((name, _metric_expr(req, name, (), None, None, ())))
    if any(i.custom for i in items):
        check_custom(req)
    datepart.check(
        model,
        [(i.column, i.is_time_part) for i in items if i.part],
        wheres,
        req.leaves,
        periods=[i.grain for i in items if i.is_metric_time and i.grain],
    )
    check_cumulative_snapshot(req)
    check_sub_day(req)
    check_filled_cumulative(req)
    if query.allow_overlap:
        req.overlapping = overlapping(req)
    return req


def _group_items(model: Model, query: MetricQuery) -> list[GroupItem]:
    items: list[GroupItem] = []
    seen: set[str] = set()
    for name in query.group_by:
        try:
            ref = split(name)
        except (NameError_, ValueError) as exc:
            raise QueryError(
                f"cannot read group-by item {name!r}: {exc}",
                hint="Use names like metric_time__month or customer__segment.",
            ) from exc
        if ref.date_part:
            datepart.check_part(ref.date_part, f"group-by item {name!r}")
            if ref.is_metric_time:
                check_min_grain(model, query, datepart.grain_of(ref.date_part), ref.column())
            column = ref.column()
            if column not in seen:
                seen.add(column)
                items.append(GroupItem(ref, column, None, None, ref.date_part))
            continue
        if ref.custom:
            custom = custom_column(model, ref)
            column = ref.column()
            if column not in seen:
                seen.add(column)
                items.append(GroupItem(ref, column, None, custom))
            continue
        grain = ref.grain
        if ref.is_metric_time:
            grain = grain or _default_grain(model, query)
            check_min_grain(model, query, grain)
        column = ref.column(grain)
        if column in seen:
            continue
        seen.add(column)
        items.append(GroupItem(ref, column, grain))
    return items


def custom_column(model: Model, ref: Ref) -> str:
    """The time spine column of ``ref``'s custom granularity; unknown names get suggestions."""
    spine = model.time_spine
    known = dict(spine.custom_granularities) if spine else {}
    if not ref.is_metric_time or ref.custom not in known:
        grains = [f"{METRIC_TIME}__{g.value}" for g in Grain] + [f"{METRIC_TIME}__{c}" for c in known]
        raise UnknownNameError("granularity", f"{ref.name}__{ref.custom}", grains)
    return known[ref.custom]


def _default_grain(model: Model, query: MetricQuery) -> Grain:
    """MetricFlow's default for bare ``metric_time``: the metrics' own time granularity, else day."""
    grains = [g for g in (model.metrics[m].time_granularity for m in query.metrics) if g is not None]
    return max(grains, key=lambda g: g.rank) if grains else Grain.DAY


def _filters(wheres: tuple[Where, ...]) -> tuple[str, ...]:
    return tuple(w.sql for w in wheres)


def _leaf(req: Request, leaf: Leaf, metric: str) -> exp.Expr:
    """The column of ``leaf``, registering it; named after the measure, or the metric when it is special."""
    if leaf.measure not in req.model.measures:
        raise UnknownNameError("measure", leaf.measure, req.model.measures, context=f" (used by '{metric}')")
    canonical = replace(leaf, filters=tuple(sorted(set(leaf.filters))))
    alias = req.leaves.get(canonical)
    if alias is None:
        special = (
            canonical.kind != "agg"
            or canonical.filters
            or canonical.offset_window
            or canonical.offset_to_grain
        )
        base = metric if special else canonical.measure
        taken = set(req.leaves.values()) | {i.column for i in req.items}
        alias, n = base, 1
        while alias in taken:
            n += 1
            alias = f"{base}_{n}"
        req.leaves[canonical] = alias
    return exp.column(alias)


def _metric_expr(
    req: Request,
    name: str,
    filters: tuple[str, ...],
    offset: Window | None,
    to_grain: Grain | None,
    stack: tuple[str, ...],
) -> exp.Expr:
    if name in stack:
        raise QueryError(
            f"metric '{name}' depends on itself ({' → '.join((*stack, name))})",
            hint="Break the cycle in the derived metric definitions.",
        )
    metric = req.model.metrics.get(name)
    if metric is None:
        raise UnknownNameError(
            "metric", name, req.model.metrics, context=f" (used by '{stack[-1]}')" if stack else ""
        )
    stack = (*stack, name)
    filters = (*filters, *_filters(metric.filter))
    if metric.type is MetricType.SIMPLE:
        return _simple(req, metric, filters, offset, to_grain)
    if metric.type is MetricType.CUMULATIVE:
        assert metric.measure is not None and metric.cumulative is not None
        leaf = Leaf(
            metric.measure.name,
            (*filters, *_filters(metric.measure.filter)),
            "cumulative",
            cumulative=metric.cumulative,
            offset_window=offset,
            offset_to_grain=to_grain,
            join_to_timespine=metric.measure.join_to_timespine,
            fill_nulls_with=metric.measure.fill_nulls_with if metric.measure.join_to_timespine else None,
        )
        return _fill(_leaf(req, leaf, name), metric.measure.fill_nulls_with)
    if metric.type is MetricType.RATIO:
        assert metric.numerator is not None and metric.denominator is not None
        num = _input(req, metric.numerator, filters, offset, to_grain, stack)
        den = _input(req, metric.denominator, filters, offset, to_grain, stack)
        return _ratio(req.dialect, num, den)
    if metric.type is MetricType.DERIVED:
        return _derived(req, metric, filters, offset, to_grain, stack)
    assert metric.conversion is not None
    conv = metric.conversion
    check_filled_conversion(req, conv, filters)
    base = _leaf(
        req,
        Leaf(
            conv.base_measure.name,
            (*filters, *_filters(conv.base_measure.filter)),
            offset_window=offset,
            offset_to_grain=to_grain,
            join_to_timespine=conv.base_measure.join_to_timespine,
        ),
        f"{name}_base",
    )
    # The conversion measure's own filter is applied to conversion events by the conversion step.
    conversions = _leaf(
        req,
        Leaf(
            conv.conversion_measure.name,
            filters,
            "conversions",
            conversion=conv,
            offset_window=offset,
            offset_to_grain=to_grain,
            join_to_timespine=conv.conversion_measure.join_to_timespine,
        ),
        name,
    )
    if conv.calculation == "conversions":
        return _fill(conversions, conv.conversion_measure.fill_nulls_with)
    # A measure joined to the time spine is filled before the rate, as MetricFlow does: a period with
    # visits and no conversion filled with 0 has a rate of 0, a period with neither (0 / 0) NULL.
    if conv.base_measure.join_to_timespine:
        base = _fill(base, conv.base_measure.fill_nulls_with)
    if conv.conversion_measure.join_to_timespine:
        conversions = _fill(conversions, conv.conversion_measure.fill_nulls_with)
    return _ratio(req.dialect, conversions, base)


def _simple(
    req: Request, metric: Metric, filters: tuple[str, ...], offset: Window | None, to_grain: Grain | None
) -> exp.Expr:
    assert metric.measure is not None
    mi = metric.measure
    leaf = Leaf(
        mi.name,
        (*filters, *_filters(mi.filter)),
        offset_window=offset,
        offset_to_grain=to_grain,
        join_to_timespine=mi.join_to_timespine,
    )
    return _fill(_leaf(req, leaf, metric.name), mi.fill_nulls_with)


def _fill(column: exp.Expr, value: int | float | None) -> exp.Expr:
    if value is None:
        return column
    return exp.Coalesce(this=column, expressions=[exp.Literal.number(value)])


def _ratio(dialect: Dialect, num: exp.Expr, den: exp.Expr) -> exp.Expr:
    return exp.Div(
        this=to_double(dialect, num),
        expression=to_double(dialect, exp.Nullif(this=den, expression=exp.Literal.number(0))),
    )


def _input(
    req: Request,
    mi: MetricInput,
    filters: tuple[str, ...],
    offset: Window | None,
    to_grain: Grain | None,
    stack: tuple[str, ...],
) -> exp.Expr:
    from_input = mi.offset_window
    input_grain = mi.offset_to_grain
    if (from_input or input_grain) and (offset or to_grain):
        raise QueryError(
            f"metric '{stack[-1]}' nests time offsets", hint="Offset a metric only once in a chain."
        )
    window = Window.parse(from_input, f"metric '{stack[-1]}'") if from_input else offset
    return _metric_expr(
        req,
        mi.name,
        (*filters, *_filters(mi.filter)),
        window,
        input_grain or to_grain,
        stack,
    )


def _derived(
    req: Request,
    metric: Metric,
    filters: tuple[str, ...],
    offset: Window | None,
    to_grain: Grain | None,
    stack: tuple[str, ...],
) -> exp.Expr:
    by_name = {i.ref_name: i for i in metric.inputs}
    tree = double_division(
        req.dialect,
        expressions.check(
            metric.expr or "", req.dialect.sqlglot, inputs=by_name, what=f"derived metric '{metric.name}'"
        ),
    )
    resolved: dict[str, exp.Expr] = {}
    for col in tree.find_all(exp.Column):
        key = col.name
        if key not in by_name:
            raise UnknownNameError("metric input", key, by_name, context=f" in the expr of '{metric.name}'")
        if key not in resolved:
            resolved[key] = exp.paren(_input(req, by_name[key], filters, offset, to_grain, stack), copy=False)

    def swap(node: exp.Expr) -> exp.Expr:
        return resolved[node.name].copy() if isinstance(node, exp.Column) else node

    return tree.transform(swap, copy=False)


__all__ = ["METRIC_TIME", "GroupItem", "Leaf", "Request", "Window", "build", "custom_column"]
