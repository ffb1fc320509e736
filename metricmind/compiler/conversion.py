"""Conversion metrics without MetricFlow's range join between base and conversion events.

For each conversion event, MetricFlow finds the latest base event of the same entity (and constant
properties) at or before it and inside the window, and credits the conversion to that base event's time
and dimensions. Here base and conversion events are put in one stream per entity ordered by day (base
first on ties), and a running ``MAX`` of base days gives the latest base day before each conversion in
one sort: O(n log n) instead of a join that grows with events × events.
"""

from __future__ import annotations

from sqlglot import exp

from metricmind.compiler.dialects import cte, day, extract, interval, joined, trunc
from metricmind.compiler.periods import shift
from metricmind.compiler.resolve import GroupItem, Leaf, Request, Window
from metricmind.compiler.scan import TimeRange, aggregate, cached_where, condition
from metricmind.compiler.source import Source
from metricmind.spec.filters import parse_where
from metricmind.spec.model import Grain
from metricmind.spec.names import split

Cte = tuple[str, exp.Select]


def _date() -> exp.DataType:
    return exp.DataType.build("date")


def _col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table)


def _other(req: Request, base: Source, item: GroupItem, base_time: exp.Expr) -> exp.Expr:
    """A base event's value of a group-by item other than a ``metric_time`` period (a date part of
    ``metric_time`` is the base event's day's part).
    """
    if item.is_time_part:
        assert item.part is not None
        return extract(req.dialect, item.part, day(req.dialect, base_time.copy()))
    return base.element(item.ref, item.grain)


def render_conversion(req: Request, leaf: Leaf, alias: str, name: str, rng: TimeRange) -> list[Cte]:
    """CTEs computing the conversions of one conversion metric, credited to the base events' time and
    dimensions; the last CTE (``name``) has the group-by columns and ``alias``.
    """
    conv = leaf.conversion
    assert conv is not None
    base_m = req.measure(conv.base_measure.name)
    conv_m = req.measure(conv.conversion_measure.name)
    window = Window.parse(conv.window, f"conversion metric on '{conv_m.name}'") if conv.window else None
    base = Source(req.model, req.graph, req.dialect, base_m.semantic_model, prefix="b")
    other = Source(req.model, req.graph, req.dialect, conv_m.semantic_model, prefix="c")
    base.time_dim, other.time_dim = base_m.agg_time_dimension, conv_m.agg_time_dimension
    entity = split(conv.entity)
    props = [(split(p.base_property), split(p.conversion_property)) for p in conv.constant_properties]
    prop_cols = [f"prop_{i}" for i in range(len(props))]
    keys = [i.column for i in req.other_items]

    # Base events: entity, day, group-by values and constant properties.
    base_time = base.raw_time(base_m.agg_time_dimension)
    b_where = [condition(req, base, w, base_m.agg_time_dimension) for w in req.wheres]
    b_where += [
        condition(req, base, cached_where(t, req.dialect.sqlglot), base_m.agg_time_dimension)
        for t in (*leaf.filters, *(w.sql for w in conv.base_measure.filter))
    ]
    b_rng = TimeRange(rng.start, rng.end).condition(base_time)
    b_where += [b_rng] if b_rng is not None else []
    b_ent = base.element(entity)
    b_props = [base.element(bp) for bp, _ in props]
    b_where += [exp.Not(this=exp.Is(this=e.copy(), expression=exp.Null())) for e in (b_ent, *b_props)]
    base_sel = base.select_from(
        exp.select(
            exp.alias_(b_ent, "ent", copy=False),
            *(exp.alias_(p, c, copy=False) for p, c in zip(b_props, prop_cols, strict=True)),
            exp.alias_(exp.cast(base_time, _date(), copy=False), "day", copy=False),
            *(exp.alias_(_other(req, base, i, base_time), i.column, copy=False) for i in req.other_items),
        ),
        b_where,
    )

    # Conversion events: entity, day, the measure's value.
    conv_time = other.raw_time(conv_m.agg_time_dimension)
    c_where = [
        condition(req, other, parse_where(w.sql, req.dialect.sqlglot), conv_m.agg_time_dimension)
        for w in conv.conversion_measure.filter
    ]
    upper = shift(rng.end, window.count, window.unit) if (rng.end and window) else None
    c_rng = TimeRange(rng.start, upper if window else None).condition(conv_time)
    c_where += [c_rng] if c_rng is not None else []
    c_ent = other.element(entity)
    c_props = [other.element(cp) for _, cp in props]
    c_val = other.local(conv_m.expr, f"measure '{conv_m.name}'")
    # Events whose value is NULL add nothing to an aggregate, but they are conversion events all the same:
    # a period whose base events converted only into NULL values has a conversion count of 0 (a rate of
    # 0.0), not none at all (NULL), as in MetricFlow. So only events without an entity are left out.
    c_where += [exp.Not(this=exp.Is(this=e.copy(), expression=exp.Null())) for e in (c_ent, *c_props)]
    conv_sel = other.select_from(
        exp.select(
            exp.alias_(c_ent, "ent", copy=False),
            *(exp.alias_(p, c, copy=False) for p, c in zip(c_props, prop_cols, strict=True)),
            exp.alias_(exp.cast(conv_time, _date(), copy=False), "day", copy=False),
            exp.alias_(c_val, "val", copy=False),
        ),
        c_where,
    )

    part = [_col("ent"), *(_col(c) for c in prop_cols)]
    stream = exp.union(
        exp.select(
            *part,
            _col("day"),
            exp.alias_(exp.Literal.number(0), "is_conversion", copy=False),
            exp.alias_(exp.Null(), "val", copy=False),
        ).from_(cte(f"{name}_base"), copy=False),
        exp.select(
            *part, _col("day"), exp.alias_(exp.Literal.number(1), "is_conversion", copy=False), _col("val")
        ).from_(cte(f"{name}_events"), copy=False),
        distinct=False,
        copy=False,
    )
    latest = exp.Window(
        this=exp.Max(
            this=exp.Case(
                ifs=[
                    exp.If(
                        this=exp.EQ(this=_col("is_conversion"), expression=exp.Literal.number(0)),
                        true=_col("day"),
                    )
                ]
            )
        ),
        partition_by=[p.copy() for p in part],
        order=exp.Order(expressions=[exp.Ordered(this=_col("day")), exp.Ordered(this=_col("is_conversion"))]),
        spec=exp.WindowSpec(kind="ROWS", start="UNBOUNDED", start_side="PRECEDING", end="CURRENT ROW"),
    )
    matched = exp.select(
        *part, _col("day"), _col("is_conversion"), _col("val"), exp.alias_(latest, "base_day", copy=False)
    ).from_(stream.subquery("s", copy=False))
    credited_where: list[exp.Expr] = [
        exp.EQ(this=_col("is_conversion"), expression=exp.Literal.number(1)),
        exp.Not(this=exp.Is(this=_col("base_day"), expression=exp.Null())),
    ]
    if window is not None:
        credited_where.append(
            exp.GT(
                this=_col("base_day"),
                expression=exp.cast(
                    exp.Sub(this=_col("day"), expression=interval(window.count, window.unit)),
                    _date(),
                    copy=False,
                ),
            )
        )
    credited = (
        exp.select(*part, _col("base_day"), _col("val"))
        .from_(cte(f"{name}_matched"), copy=False)
        .where(exp.and_(*credited_where, copy=False), copy=False)
    )
    ctes: list[Cte] = [
        (f"{name}_base", base_sel),
        (f"{name}_events", conv_sel),
        (f"{name}_matched", matched),
        (f"{name}_credited", credited),
    ]

    time_cols = [
        exp.alias_(trunc(req.dialect, i.grain or Grain.DAY, _col("base_day", "c")), i.column, copy=False)
        for i in req.time_items
    ]
    final = exp.select(
        *time_cols,
        *(_col(k, "p") for k in keys),
        exp.alias_(aggregate(req.dialect, conv_m, _col("val", "c"), None), alias, copy=False),
    ).from_(cte(f"{name}_credited", "c"), copy=False)
    if keys:
        # The dimensions of the credited base event (one row per entity and day).
        rank = exp.Window(
            this=exp.RowNumber(),
            partition_by=[p.copy() for p in part] + [_col("day")],
            order=exp.Order(expressions=[exp.Ordered(this=_col(k), nulls_first=False) for k in keys]),
        )
        picked = exp.select(
            *part, _col("day"), *(_col(k) for k in keys), exp.alias_(rank, "rn", copy=False)
        ).from_(cte(f"{name}_base"), copy=False)
        ctes.append(
            (
                f"{name}_dims",
                exp.select(exp.Star())
                .from_(picked.subquery("r", copy=False))
                .where(exp.EQ(this=_col("rn"), expression=exp.Literal.number(1)), copy=False),
            )
        )
        on = [exp.EQ(this=_col(c.name, "p"), expression=_col(c.name, "c")) for c in part]
        on.append(exp.EQ(this=_col("day", "p"), expression=_col("base_day", "c")))
        final = final.join(joined(cte(f"{name}_dims", "p"), exp.and_(*on, copy=False), "inner"), copy=False)
    n_keys = len(time_cols) + len(keys)
    if n_keys:
        final = final.group_by(*(exp.Literal.number(i + 1) for i in range(n_keys)), copy=False)
    ctes.append((name, final))
    return ctes
