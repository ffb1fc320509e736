"""Resolve a ``MetricQuery`` against the model: group-by items, filters, and metric expressions.

Every metric becomes one SQL expression over *leaf* columns (an aggregated measure with its filters
and options). Ratios and derived metrics are expanded inline, so ``a / b`` over two measures of one
semantic model reads that table once, and nested derived metrics add no extra joins.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from sqlglot import exp

from metricmind.compiler import datepart, scd
from metricmind.compiler.dialects import Dialect, double_division, to_double
from metricmind.errors import QueryError, UnknownNameError
from metricmind.spec import expressions
from metricmind.spec.filters import ParsedWhere, parse_where
from metricmind.spec.joingraph import JoinGraph
from metricmind.spec.model import (
    Conversion,
    Cumulative,
    Grain,
    Measure,
    Metric,
    MetricInput,
    MetricType,
    Model,
    Where,
)
from metricmind.spec.names import METRIC_TIME, NameError_, Ref, split
from metricmind.spec.query import MetricQuery

_WINDOW = re.compile(r"^\s*(\d+)\s+([a-z]+?)s?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Window:
    """A time window such as ``7 days`` or ``3 months``."""

    count: int
    unit: str  # day | week | month | quarter | year

    @classmethod
    def parse(cls, text: str, what: str) -> Window:
        """Read ``"7 days"``; raise a clear error otherwise."""
        m = _WINDOW.match(str(text))
        unit = m.group(2).lower() if m else ""
        if not m or unit not in {g.value for g in Grain}:
            raise QueryError(
                f"{what}: cannot read window {text!r}",
                hint="Write a count and a unit, e.g. '7 days', '3 months', '1 year'.",
            )
        return cls(int(m.group(1)), unit)


@dataclass(frozen=True)
class GroupItem:
    """One requested group-by column."""

    ref: Ref
    column: str
    grain: Grain | None = None
    custom: str | None = None  # the time spine column of a custom granularity
    part: str | None = None  # a date part (``metric_time__extract_month``): a plain key, not a period

    @property
    def is_metric_time(self) -> bool:
        """True for ``metric_time`` at some grain (a date part of it is a plain key, not a period)."""
        return self.ref.is_metric_time and self.part is None

    @property
    def is_time_part(self) -> bool:
        """True for a date part of ``metric_time`` (``metric_time__extract_dow``)."""
        return self.ref.is_metric_time and self.part is not None


@dataclass(frozen=True)
class Leaf:
    """One aggregated measure column the query needs."""

    measure: str
    filters: tuple[str, ...] = ()
    kind: str = "agg"  # agg | cumulative | conversions
    cumulative: Cumulative | None = None
    conversion: Conversion | None = None
    offset_window: Window | None = None
    offset_to_grain: Grain | None = None
    join_to_timespine: bool = False

    @property
    def plain(self) -> Leaf:
        """The same leaf without time shifting or gap filling."""
        return replace(self, offset_window=None, offset_to_grain=None, join_to_timespine=False)


@dataclass
class Request:
    """A resolved query: what to group by, which leaves to compute, and how metrics combine them."""

    query: MetricQuery
    model: Model
    dialect: Dialect
    graph: JoinGraph
    items: list[GroupItem]
    wheres: list[ParsedWhere]
    leaves: dict[Leaf, str] = field(default_factory=dict)
    outputs: list[tuple[str, exp.Expr]] = field(default_factory=list)
    #: group-by columns reached through a one-to-many or foreign↔foreign join (``allow_overlap`` only)
    overlapping: tuple[str, ...] = ()
    #: plans a nested query (a ``{{ Metric(...) }}`` filter's per-entity metric) and returns its column
    #: names and SQL tree. The planner sets it, so row sources never import the planner: the flow runs one
    #: way, plan → scan/cumulative/conversion/timeshift → source.
    subplan: Callable[[MetricQuery], tuple[list[str], exp.Expr]] | None = None

    @property
    def time_items(self) -> list[GroupItem]:
        """The ``metric_time`` items."""
        return [i for i in self.items if i.is_metric_time]

    @property
    def other_items(self) -> list[GroupItem]:
        """Group-by items other than ``metric_time``."""
        return [i for i in self.items if not i.is_metric_time]

    @property
    def time_parts(self) -> list[GroupItem]:
        """The date parts of ``metric_time`` (``metric_time__extract_dow``)."""
        return [i for i in self.items if i.is_time_part]

    @property
    def finest_grain(self) -> Grain | None:
        """The finest requested ``metric_time`` grain."""
        grains = [i.grain for i in self.time_items if i.grain]
        return min(grains, key=lambda g: g.rank) if grains else None

    @property
    def coarsest_grain(self) -> Grain | None:
        """The coarsest requested ``metric_time`` grain."""
        grains = [i.grain for i in self.time_items if i.grain]
        return max(grains, key=lambda g: g.rank) if grains else None

    def measure(self, name: str) -> Measure:
        """The measure called ``name``."""
        return self.model.measures[name]

    def uses_metric_time_filter(self, leaf: Leaf) -> bool:
        """True when a filter of the query or of the leaf mentions ``metric_time``."""
        return any(r.is_metric_time for w in self.wheres for r in w.refs.values()) or any(
            r.is_metric_time for f in leaf.filters for r in parse_where(f, self.dialect.sqlglot).refs.values()
        )


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
        _check_custom(req)
    datepart.check(
        model,
        [(i.column, i.is_time_part) for i in items if i.part],
        wheres,
        req.leaves,
        periods=[i.grain for i in items if i.is_metric_time and i.grain],
    )
    _check_cumulative_snapshot(req)
    if query.allow_overlap:
        req.overlapping = _overlapping(req)
    return req


def _overlapping(req: Request) -> tuple[str, ...]:
    """The group-by columns that some measure of the query reaches through a fan-out join."""
    models = sorted(
        {
            req.model.measures[leaf.measure].semantic_model
            for leaf in req.leaves
            if leaf.measure in req.model.measures
        }
    )
    out: list[str] = []
    for item in req.other_items:
        for sm in models:
            try:
                target = req.graph.resolve(sm, item.ref)
            except QueryError:
                continue  # the scan reports it
            if target.path.fanout:
                out.append(item.column)
                break
    return tuple(out)


def _check_custom(req: Request) -> None:
    """Custom granularities group simple, ratio and derived metrics; time-shifting ones need real grains."""
    for leaf in req.leaves:
        measure = req.model.measures.get(leaf.measure)
        shifted = leaf.kind != "agg" or leaf.offset_window or leaf.offset_to_grain or leaf.join_to_timespine
        if shifted or (measure is not None and measure.non_additive is not None):
            what = (
                "a snapshot measure" if not shifted else "a cumulative, conversion, offset or filled metric"
            )
            raise QueryError(
                f"'{leaf.measure}' is {what}: it cannot be grouped by a custom granularity yet",
                hint="Group it by metric_time__day/week/month/quarter/year, or drop the custom granularity.",
            )


def _check_cumulative_snapshot(req: Request) -> None:
    """Refuse a cumulative metric over a snapshot (``non_additive_dimension``) measure.

    Adding stock levels up over a window is no stock, and MetricFlow answers something else again (the
    period's last snapshot inside the window): no number here would be right, so none is given.
    """
    for leaf in req.leaves:
        measure = req.model.measures.get(leaf.measure)
        if measure is not None and (leaf.kind == "cumulative" or leaf.offset_window or leaf.offset_to_grain):
            _check_cumulative_own_time(req, measure)
            scd.check(req, leaf, measure)
        if leaf.kind == "cumulative" and measure is not None:
            _check_cumulative_range(req, measure)
        if leaf.kind == "cumulative" and measure is not None and measure.non_additive is not None:
            raise QueryError(
                f"'{leaf.measure}' is a snapshot measure (non_additive_dimension "
                f"'{measure.non_additive.name}'): a cumulative metric over it would add stock levels up "
                "over its window, which is no stock, and MetricFlow answers yet another number",
                hint=f"Query a simple metric of '{leaf.measure}' (the snapshot at each period's end), or "
                "make the cumulative metric over a flow measure (events, amounts).",
            )


def _check_cumulative_range(req: Request, measure: Measure) -> None:
    """Refuse a cumulative metric limited to a time range but not grouped by ``metric_time``.

    metricmind answers the running total on the range's last day (all history up to it); MetricFlow adds
    up the rows inside the range only. Grouped by ``metric_time`` both give the running totals.
    """
    if req.time_items:
        return
    timed = (
        req.query.start or req.query.end or any(r.is_metric_time for w in req.wheres for r in w.refs.values())
    )
    if timed:
        raise QueryError(
            f"a cumulative metric of '{measure.name}' limited to a time range needs metric_time in the "
            "group-by: without it, is it the running total at the range's end or the total inside the "
            "range? (MetricFlow answers the second, a running total the first)",
            hint="Group by metric_time__day (or week, month, …), or drop the time range for the total to date.",
        )


def _check_cumulative_own_time(req: Request, measure: Measure) -> None:
    """Refuse a cumulative or offset metric grouped by its measure's own time dimension by name
    (``order_item__placed_at__quarter``): MetricFlow reads that name as ``metric_time`` (the running total
    on each period's first day; the shifted period), metricmind would group the rows of each period apart
    (each period's own total; the unshifted period beside the shifted one). Until both agree, the query
    names ``metric_time``.
    """
    for item in req.other_items:
        if item.ref.kind not in ("auto", "time"):
            continue
        try:
            target = req.graph.resolve(measure.semantic_model, item.ref)
        except QueryError:
            continue  # the scan reports it
        dim = target.dimension
        if (
            dim is not None
            and target.model == measure.semantic_model
            and dim.name == measure.agg_time_dimension
        ):
            grain = (
                datepart.grain_of(item.part).value
                if item.part
                else item.ref.grain.value
                if item.ref.grain
                else "day"
            )
            raise QueryError(
                f"'{item.column}' is the time dimension of measure '{measure.name}', here cumulated or "
                f"offset: group the metric by metric_time__{grain} instead (MetricFlow reads the name as "
                "metric_time, a plain group-by would total or shift each period apart)",
                hint=f"Replace {item.column} with metric_time__{grain}.",
            )


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
                _check_min_grain(model, query, datepart.grain_of(ref.date_part), ref.column())
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
            _check_min_grain(model, query, grain)
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


def _check_min_grain(model: Model, query: MetricQuery, grain: Grain, label: str | None = None) -> None:
    """Refuse ``metric_time`` finer than a metric's data, like MetricFlow: a monthly snapshot by day
    would show only month starts, as if the other days had no value.
    """
    for name in query.metrics:
        floor = model.min_grain(name) if name in model.metrics else None
        if floor is not None and grain.rank < floor.rank:
            finer = ", ".join(g.value for g in Grain if g.rank >= floor.rank)
            raise QueryError(
                f"metric '{name}' is recorded by {floor.value}: its time dimension has time_granularity "
                f"{floor.value}, so {label or f'{METRIC_TIME}__{grain.value}'} is finer than its data",
                hint=f"Group by {METRIC_TIME} at {finer} (e.g. {METRIC_TIME}__{floor.value}).",
            )


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
    base = _leaf(
        req,
        Leaf(
            conv.base_measure.name,
            (*filters, *_filters(conv.base_measure.filter)),
            offset_window=offset,
            offset_to_grain=to_grain,
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
        ),
        name,
    )
    if conv.calculation == "conversions":
        return _fill(conversions, conv.conversion_measure.fill_nulls_with)
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


__all__ = ["METRIC_TIME", "GroupItem", "Leaf", "Request", "Window", "build"]
