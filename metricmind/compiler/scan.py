"""Scan steps: read one semantic model once and aggregate every plain measure the query needs from it.

Measures with different filters share the scan through conditional aggregation
(``SUM(CASE WHEN … THEN x END)``); filters common to all of them go to ``WHERE``. Snapshot measures
(``non_additive_dimension``) keep only the rows at the first/last time of each period before aggregating.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

from sqlglot import exp

from metricmind.compiler import datepart, timefilter
from metricmind.compiler.dialects import Dialect, day, extract, percentile, trunc
from metricmind.compiler.resolve import GroupItem, Leaf, Request, custom_column
from metricmind.compiler.source import Source
from metricmind.errors import FanOutError, FilterError, MetricmindError, QueryError
from metricmind.spec.filters import PLACEHOLDER, ParsedWhere, parse_where
from metricmind.spec.model import Agg, Grain, Measure, NonAdditive
from metricmind.spec.names import Ref, split
from metricmind.spec.query import MetricQuery


@lru_cache(maxsize=4096)
def cached_where(text: str, dialect: str) -> ParsedWhere:
    """Parse a filter once per process (filters from YAML repeat across queries)."""
    return parse_where(text, dialect)


@dataclass(frozen=True)
class TimeRange:
    """A half-open ``[start, end)`` range on a measure's time dimension (either side may be open)."""

    start: dt.date | None = None
    end: dt.date | None = None

    def condition(self, value: exp.Expr) -> exp.Expr | None:
        """``value >= start AND value < end`` (or the sides that are set)."""
        parts: list[exp.Expr] = []
        if self.start:
            parts.append(exp.GTE(this=value.copy(), expression=date_literal(self.start)))
        if self.end:
            parts.append(exp.LT(this=value.copy(), expression=date_literal(self.end)))
        return exp.and_(*parts, copy=False) if parts else None


def date_literal(value: dt.date) -> exp.Expr:
    """``CAST('2024-01-01' AS DATE)``."""
    return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.build("date"), copy=False)


@dataclass
class ScanKey:
    """What makes two leaves share one scan."""

    model: str
    time_dim: str | None
    non_additive: NonAdditive | None
    range: TimeRange
    # False for the source of an offset: the query's metric_time conditions then choose the output
    # periods of the offset step, not the rows read (see ``timefilter``).
    time_filter: bool = True
    # True for the source of an offset shifted day by day: grouped by metric_time__day, not the query's grains.
    daily: bool = False
    # the grain of a ``daily`` scan: a day, or the hour of an offset counted in hours
    base: Grain = Grain.DAY

    def as_tuple(self) -> tuple[object, ...]:
        """Hashable identity."""
        return (
            self.model,
            self.time_dim,
            self.non_additive,
            self.range,
            self.time_filter,
            self.daily,
            self.base,
        )


DAY_ITEM = GroupItem(split("metric_time__day"), "metric_time__day", Grain.DAY)


def scan_items(req: Request, key: ScanKey) -> list[GroupItem]:
    """The group-by columns of a scan: the query's, or ``metric_time__day`` (the ``base`` grain) and the
    others for a daily scan.
    """
    return [base_item(key.base), *req.other_items] if key.daily else req.items


def base_item(grain: Grain) -> GroupItem:
    """``metric_time`` at ``grain`` (``DAY_ITEM`` for a day)."""
    return (
        DAY_ITEM
        if grain is Grain.DAY
        else GroupItem(split(f"metric_time__{grain.value}"), f"metric_time__{grain.value}", grain)
    )


@dataclass
class Scan:
    """One scan step and the leaves (alias → leaf) it aggregates."""

    key: ScanKey
    name: str
    leaves: dict[str, Leaf] = field(default_factory=dict)


def item_expr(req: Request, src: Source, item: GroupItem, time_dim: str | None) -> exp.Expr:
    """The expression of a group-by item as seen from ``src`` (``metric_time`` maps to ``time_dim``)."""
    if item.is_time_part:
        if time_dim is None:
            raise QueryError("metric_time requested for a measure without a time dimension")
        assert item.part is not None
        return extract(req.dialect, item.part, day(req.dialect, src.raw_time(time_dim)))
    if item.is_metric_time:
        if time_dim is None:
            raise QueryError("metric_time requested for a measure without a time dimension")
        if item.custom:
            return spine_lookup(req, item.custom, src.day_of(time_dim))
        return trunc(req.dialect, item.grain or Grain.DAY, src.raw_time(time_dim))
    return src.element(item.ref, item.grain)


def condition(req: Request, src: Source, parsed: ParsedWhere, time_dim: str | None) -> exp.Expr:
    """A filter with every reference replaced by its column expression in ``src``."""
    cond = parsed.condition.copy()
    for col in list(cond.find_all(exp.Column)):
        if not col.name.startswith(PLACEHOLDER):
            continue
        ref = parsed.refs[col.name]
        if ref.kind == "metric":
            col.replace(metric_value(req, src, ref, parsed.text))
            continue
        if ref.is_metric_time and ref.date_part:  # a number (EXTRACT), never the grain's date
            if time_dim is None:
                raise QueryError(
                    f"filter {parsed.text!r} uses metric_time but the measure has no time dimension"
                )
            col.replace(extract(req.dialect, ref.date_part, day(req.dialect, src.raw_time(time_dim))))
            continue
        if ref.is_metric_time:
            if time_dim is None:
                raise QueryError(
                    f"filter {parsed.text!r} uses metric_time but the measure has no time dimension"
                )
            if ref.custom:
                value = spine_lookup(req, custom_column(req.model, ref), src.day_of(time_dim))
            else:
                value = trunc(req.dialect, ref.grain or Grain.DAY, src.raw_time(time_dim))
        else:
            try:
                value = src.element(ref, ref.grain)
            except FanOutError as exc:
                raise exc.in_filter(parsed.text) from None
        col.replace(value)
    return cond


def spine_lookup(req: Request, column: str, day: exp.Expr) -> exp.Expr:
    """The time spine's ``column`` on ``day`` (a custom granularity's period of that day)."""
    return timefilter.spine_lookup(req.model, column, day)


def metric_value(req: Request, src: Source, ref: Ref, text: str) -> exp.Expr:
    """``{{ Metric('orders', group_by=['customer']) }}`` for each row of ``src``: the metric computed per
    ``group_by`` (its own query, all time), looked up by the row's values of those names.

    The metric's own query grouped by those names, LEFT JOINed onto the rows (``Source.lookup``): a row
    whose entity has no value gets NULL (the filter is then false), as in MetricFlow, which joins the
    same per-entity metric onto the rows.
    """
    if not ref.group_by:
        raise FilterError(
            f"filter {text!r}: Metric('{ref.name}') needs group_by, the entity to compute it per",
            hint=f"e.g. {{{{ Metric('{ref.name}', group_by=['customer']) }}}} > 3",
        )
    if req.subplan is None:
        raise QueryError(
            f"filter {text!r}: metric filters need the planner", hint="Compile through Compiler."
        )
    names, body = req.subplan(MetricQuery(metrics=(ref.name,), group_by=ref.group_by))
    body.set("order", None)
    return src.lookup(ref.name, body, [(names[i], src.element(split(g))) for i, g in enumerate(ref.group_by)])


def aggregate(d: Dialect, m: Measure, value: exp.Expr, cond: exp.Expr | None) -> exp.Expr:
    """The aggregate of one measure, conditional on ``cond`` when given (NULL when no row matches)."""

    def when(v: exp.Expr) -> exp.Expr:
        return exp.Case(ifs=[exp.If(this=cond.copy(), true=v)]) if cond is not None else v

    if m.agg is Agg.SUM:
        return exp.Sum(this=when(value))
    if m.agg is Agg.COUNT:
        if cond is None:
            return exp.Count(this=value)
        flag = exp.Case(
            ifs=[
                exp.If(
                    this=exp.Not(this=exp.Is(this=value, expression=exp.Null())), true=exp.Literal.number(1)
                )
            ],
            default=exp.Literal.number(0),
        )
        return exp.Sum(this=when(flag))
    if m.agg is Agg.COUNT_DISTINCT:
        counted = exp.Count(this=exp.Distinct(expressions=[when(value)]))
        if cond is None:
            return counted
        any_row = exp.EQ(this=exp.Max(this=when(exp.Literal.number(1))), expression=exp.Literal.number(1))
        return exp.Case(ifs=[exp.If(this=any_row, true=counted)])
    if m.agg is Agg.SUM_BOOLEAN:
        # as dbt-semantic-interfaces rewrites it: SUM(CASE WHEN x THEN 1 ELSE 0 END), so a group whose
        # values are all NULL counts 0 true rows (a SUM of them cast to int was NULL)
        one = exp.Case(ifs=[exp.If(this=value, true=exp.Literal.number(1))], default=exp.Literal.number(0))
        return exp.Sum(this=when(one))
    if m.agg is Agg.AVERAGE:
        return exp.Avg(this=when(value))
    if m.agg is Agg.MIN:
        return exp.Min(this=when(value))
    if m.agg is Agg.MAX:
        return exp.Max(this=when(value))
    p = 0.5 if m.agg is Agg.MEDIAN else (m.percentile if m.percentile is not None else 0.5)
    return percentile(d, when(value), p, discrete=m.discrete_percentile, approximate=m.approximate_percentile)


def render_scan(req: Request, scan: Scan) -> exp.Select:
    """``SELECT keys, aggregates FROM model JOIN … WHERE … GROUP BY keys`` for one scan."""
    key = scan.key
    src = Source(req.model, req.graph, req.dialect, key.model)
    # the day that picks a slowly changing dimension's valid row: the measures' own time
    src.time_dim = key.time_dim or next(
        (req.measure(leaf.measure).agg_time_dimension for leaf in scan.leaves.values()), None
    )
    keys = [
        exp.alias_(item_expr(req, src, item, key.time_dim), item.column, copy=False)
        for item in scan_items(req, key)
    ]
    where: list[exp.Expr] = []
    wheres = req.wheres if key.time_filter else timefilter.split_wheres(req.wheres).untimed
    for parsed in wheres:
        where.append(condition(req, src, parsed, key.time_dim))
    if key.time_dim and (key.range.start or key.range.end):
        rng = key.range.condition(src.raw_time(key.time_dim))
        if rng is not None:
            where.append(rng)
    # Filters every leaf shares go to WHERE; the rest become conditional aggregates.
    leaf_filters = {alias: set(leaf.filters) for alias, leaf in scan.leaves.items()}
    common = set.intersection(*leaf_filters.values()) if leaf_filters else set()
    for text in sorted(common):
        where.append(condition(req, src, cached_where(text, req.dialect.sqlglot), key.time_dim))
    specific: dict[str, exp.Expr | None] = {}
    for alias, texts in leaf_filters.items():
        own = sorted(texts - common)
        specific[alias] = (
            exp.and_(
                *(condition(req, src, cached_where(t, req.dialect.sqlglot), key.time_dim) for t in own),
                copy=False,
            )
            if own
            else None
        )
    if specific and all(c is not None for c in specific.values()):
        unique = {c.sql(): c for c in specific.values() if c is not None}
        where.append(
            exp.or_(*(exp.paren(c.copy()) for c in unique.values()), copy=False)
            if len(unique) > 1
            else next(iter(unique.values())).copy()
        )
    values: dict[str, exp.Expr] = {}
    for alias, leaf in scan.leaves.items():
        m = req.measure(leaf.measure)
        values[alias] = src.local(m.expr, f"measure '{m.name}'")
    if key.non_additive is not None:
        return _render_snapshot(req, scan, src, keys, where, values, specific)
    select = exp.select(
        *keys,
        *(
            exp.alias_(
                aggregate(req.dialect, req.measure(leaf.measure), values[alias], specific[alias]),
                alias,
                copy=False,
            )
            for alias, leaf in scan.leaves.items()
        ),
    )
    select = src.select_from(select, where)
    if keys:
        select = select.group_by(*(exp.Literal.number(i + 1) for i in range(len(keys))), copy=False)
    return select


def _days_only(inner: exp.Select, n_keys: int, time_items: list[GroupItem]) -> exp.Select:
    """A copy of a snapshot's row query keeping only the period keys and the snapshot day, without the
    LEFT JOINs nothing left reads.

    It feeds ``MAX``/``MIN`` of the day per period: a left join never removes rows and repeated rows do
    not change a maximum, so dropping those joins (dimension lookups, fan-out bridges) is exact.
    """
    light = inner.copy()
    times = {i.column for i in time_items}
    keep = [e for e in light.expressions[:n_keys] if e.alias_or_name in times]
    keep += [e for e in light.expressions if e.alias_or_name == "__snapshot_day"]
    light.set("expressions", keep)
    joins = list(light.args.get("joins") or [])
    while True:
        # Tables read outside each join itself (its own ON reads its alias).
        unused = [
            j
            for j in joins
            if j.side == "LEFT"
            and not j.kind
            and not any(
                c.table == j.alias_or_name
                for part in [*light.expressions, light.args.get("where"), *(o for o in joins if o is not j)]
                if part is not None
                for c in part.find_all(exp.Column)
            )
        ]
        if not unused:
            break
        joins = [j for j in joins if j not in unused]
        light.set("joins", joins or None)
    return light


def _is_snapshot_time(src: Source, item: GroupItem, name: str) -> bool:
    """True when ``item`` is the snapshot model's own time dimension ``name`` (at any grain)."""
    try:
        tgt = src.target(item.ref)
    except MetricmindError:
        return False
    return tgt.dimension is not None and not tgt.path.hops and tgt.dimension.name == name


def _check_periods_nest(scan: Scan, periods: list[GroupItem]) -> None:
    """Refuse a snapshot grouped by periods that cross (a week and a month, quarter or year).

    A week that spans two months has no one last day: each (week, month) pair's last day is a third
    answer, and MetricFlow takes the last day of whichever of the two is named first. Periods that nest
    (day, month, quarter, year) are exact: the finest period's last day.
    """
    grains = {datepart.grain_of(i.part) if i.part else i.grain or Grain.DAY for i in periods}
    if Grain.WEEK in grains and any(g.rank > Grain.WEEK.rank for g in grains):
        coarser = sorted((g for g in grains if g.rank > Grain.WEEK.rank), key=lambda g: g.rank)
        names = ", ".join(i.column for i in periods)
        raise QueryError(
            f"'{scan.key.model}' holds a snapshot measure (read on the last day of each period), grouped "
            f"here by periods that cross ({names}): a week that spans two {coarser[0].value}s has no one "
            "last day to read the snapshot on",
            hint=f"Group it by the week or by the {coarser[0].value}, not both.",
        )


def _render_snapshot(
    req: Request,
    scan: Scan,
    src: Source,
    keys: list[exp.Expr],
    where: list[exp.Expr],
    values: dict[str, exp.Expr],
    specific: dict[str, exp.Expr | None],
) -> exp.Select:
    """Semi-additive measures: keep rows at the min/max snapshot time per period (and window grouping)."""
    nad = scan.key.non_additive
    assert nad is not None
    # The snapshot day is internal (never output), so a cast to DATE does: a no-op on DATE columns,
    # where DATE_TRUNC('DAY') would turn every row into a TIMESTAMP.
    day_expr = exp.cast(src.raw_time(nad.name), exp.DataType.build("date"), copy=False)
    # The periods: metric_time, and the snapshot's own time dimension when it is grouped by itself
    # (`hub_day__ds__month` is a period as `metric_time__month` is; MetricFlow reads it so).
    # A date part of metric_time is one too: "every March" is read on the last March's last snapshot day
    # (MetricFlow's MAX of the snapshot day per part).
    periods = [
        i for i in req.items if i.is_metric_time or i.is_time_part or _is_snapshot_time(src, i, nad.name)
    ]
    _check_periods_nest(scan, periods)
    partition = [item_expr(req, src, i, scan.key.time_dim) for i in periods]
    for entity in nad.window_groupings:
        partition.append(src.element(split(entity)))
    window_fn = exp.Max if nad.window_choice == "max" else exp.Min
    # Without per-entity groupings, pick the complete day per period with GROUP BY + join (a hash join
    # on a handful of rows) instead of a window over every row.
    by_join = not nad.window_groupings
    # Leaves with the same value and filter (a metric and its offset source) share one column.
    same: dict[str, str] = {}
    first: dict[tuple[str, str], str] = {}
    for a, v in values.items():
        cond = specific.get(a)
        same[a] = first.setdefault((v.sql(), cond.sql() if cond is not None else ""), a)
    inner_cols = [
        *keys,
        *(exp.alias_(v, f"__v_{a}", copy=False) for a, v in values.items() if same[a] == a),
        *(
            exp.alias_(c, f"__f_{a}", copy=False)
            for a, c in specific.items()
            if c is not None and same[a] == a
        ),
        exp.alias_(day_expr, "__snapshot_day", copy=False),
    ]
    if not by_join:
        complete = exp.Window(this=window_fn(this=day_expr.copy()), partition_by=partition or None)
        inner_cols.append(exp.alias_(complete, "__complete_day", copy=False))
    inner = src.select_from(exp.select(*inner_cols), where)
    outer_keys = [exp.column(i.column) for i in req.items]
    aggs = []
    for alias, leaf in scan.leaves.items():
        col = same[alias]
        cond = exp.column(f"__f_{col}") if specific[alias] is not None else None
        aggs.append(
            exp.alias_(
                aggregate(req.dialect, req.measure(leaf.measure), exp.column(f"__v_{col}"), cond),
                alias,
                copy=False,
            )
        )
    if by_join:
        period_cols = [i.column for i in periods]
        # The rows are read twice (an inline subquery each time), not kept in a CTE: materialising every
        # row of a snapshot table costs more than scanning it again (DuckDB: 1.3x → 1.1x of hand-written SQL).
        last = exp.select(
            *(exp.column(c) for c in period_cols),
            exp.alias_(window_fn(this=exp.column("__snapshot_day")), "__complete_day", copy=False),
        ).from_(_days_only(inner, len(req.items), periods).subquery("snap", copy=False), copy=False)
        if period_cols:
            last = last.group_by(*(exp.column(c) for c in period_cols), copy=False)
        # When the periods come from the snapshot column itself at a day grain or coarser, the
        # complete day names its period: joining on the day alone is exact (and cheaper).
        day_names_period = scan.key.time_dim == nad.name and all(
            (i.grain or Grain.DAY).rank >= Grain.DAY.rank and not i.custom for i in periods
        )
        on = [
            exp.EQ(this=exp.column(c, table="snap"), expression=exp.column(c, table="snap_last"))
            for c in ([] if day_names_period else period_cols)
        ]
        on.append(
            exp.EQ(
                this=exp.column("__snapshot_day", table="snap"),
                expression=exp.column("__complete_day", table="snap_last"),
            )
        )
        # Periods named by the complete day are taken from the small side, so the rows need no
        # truncation of their own (the column is pruned from the inline subquery).
        outer_keys = [
            exp.column(i.column, table="snap_last" if day_names_period and i.is_metric_time else "snap")
            for i in req.items
        ]
        select = (
            exp.select(*(exp.alias_(k, k.name, copy=False) for k in outer_keys), *aggs)
            .from_(inner.subquery("snap", copy=False), copy=False)
            .join(last.subquery("snap_last", copy=False), on=exp.and_(*on, copy=False), copy=False)
        )
        if outer_keys:
            select = select.group_by(*(k.copy() for k in outer_keys), copy=False)
        return select
    select = exp.select(*outer_keys, *aggs).from_(inner.subquery("snap", copy=False))
    select = select.where(
        exp.EQ(this=exp.column("__snapshot_day"), expression=exp.column("__complete_day")), copy=False
    )
    if outer_keys:
        select = select.group_by(*outer_keys, copy=False)
    return select
