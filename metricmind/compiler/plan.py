"""MetricQuery → Plan (named steps, one CTE each) → one sqlglot AST → SQL in the target dialect.

Steps:

* ``scan``: one read of a semantic model aggregating all plain measures it serves;
* ``snapshot``: the same for semi-additive measures (rows at the first/last time of each period);
* ``cumulative`` and ``conversion``: see their modules;
* ``offset`` / ``fill``: a series shifted in time or joined to every spine period;
* ``combine``: the steps' rows united on the group-by columns; then the metric expressions.
A query answered by one scan is emitted as a single flat ``SELECT``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlglot import exp

from metricmind.compiler.conversion import render_conversion
from metricmind.compiler.cumulative import render_cumulative
from metricmind.compiler.dialects import Dialect, cte, natural_window_nulls, quote_reserved, with_cte
from metricmind.compiler.periods import ceil, floor, shift
from metricmind.compiler.resolve import Leaf, Request, Window, build
from metricmind.compiler.scan import DAY_ITEM, Scan, ScanKey, TimeRange, cached_where, render_scan
from metricmind.compiler.timefilter import day_bounds, split_wheres
from metricmind.compiler.timeshift import render_offset, render_offset_by_day, render_spine_join
from metricmind.errors import QueryError, UnknownNameError
from metricmind.spec.filters import ParsedWhere
from metricmind.spec.joingraph import JoinGraph
from metricmind.spec.model import Agg, Grain, Model
from metricmind.spec.query import MetricQuery


# Measures whose daily values re-aggregate to coarser periods, and how.
def _whole_periods(window: Window, grain: Grain) -> bool:
    """Whether an offset of ``window`` moves whole ``grain`` periods onto whole periods (3 months by quarter)."""
    per = {(Grain.DAY, Grain.WEEK): 7, (Grain.MONTH, Grain.QUARTER): 3, (Grain.MONTH, Grain.YEAR): 12}
    per[(Grain.QUARTER, Grain.YEAR)] = 4
    step = per.get((Grain(window.unit), grain))
    return step is not None and window.count % step == 0


_BY_DAY = {Agg.SUM: Agg.SUM, Agg.COUNT: Agg.SUM, Agg.SUM_BOOLEAN: Agg.SUM, Agg.MIN: Agg.MIN, Agg.MAX: Agg.MAX}


@dataclass(frozen=True)
class Step:
    """One named step of a plan (a CTE), with what it computes in words."""

    name: str
    kind: str
    description: str
    select: exp.Select


@dataclass
class Plan:
    """The steps of a compiled query and the final ``SELECT``."""

    request: Request
    steps: list[Step] = field(default_factory=list)
    final: exp.Select | None = None
    columns: list[str] = field(default_factory=list)
    _ast: exp.Select | None = field(default=None, repr=False)
    _rendered: bool = field(default=False, repr=False)

    def ast(self) -> exp.Select:
        """The whole query as one sqlglot expression (built once; treat it as read-only)."""
        if self._ast is None:
            assert self.final is not None
            final = self.final
            for step in self.steps:
                step.select.add_comments([step.description])
                final = with_cte(final, step.name, step.select)
            self._ast = final
        return self._ast

    def sql(self, dialect: Dialect | None = None, *, pretty: bool = True) -> str:
        """The SQL text for ``dialect`` (default: the one the plan was built for)."""
        d = dialect or self.request.dialect
        if not d.window_null_ordering:
            tree = natural_window_nulls(self.ast().copy(), d.sqlglot)
            return tree.sql(dialect=d.sqlglot, pretty=pretty, copy=False)
        if d.quote_reserved:
            return quote_reserved(d, self.ast().copy()).sql(dialect=d.sqlglot, pretty=pretty, copy=False)
        first = not self._rendered
        self._rendered = True
        # Rendering may transform the tree in place for some dialects: only the first render may skip the copy.
        return self.ast().sql(dialect=d.sqlglot, pretty=pretty, copy=not first)


def expand_range(query: MetricQuery, req: Request) -> TimeRange:
    """The query's ``[start, end)`` widened to whole periods of the finest requested grain (like MetricFlow)."""
    grain = req.finest_grain
    start, end = query.start, query.end
    if grain is not None:
        start = floor(start, grain) if start else None
        end = ceil(end, grain) if end else None
    return TimeRange(start, end)


class _Planner:
    def __init__(self, req: Request) -> None:
        self.req = req
        self.rng = expand_range(req.query, req)
        self.split = split_wheres(req.wheres)
        self.out_rng = self._output_range()
        self.scans: dict[tuple[object, ...], Scan] = {}
        self.steps: list[Step] = []
        self.outputs: list[tuple[str, list[str]]] = []  # (step name, leaf aliases it provides)
        self.names: set[str] = set()
        self.internal: set[str] = set()

    def name(self, base: str) -> str:
        candidate, n = base, 1
        while candidate in self.names:
            n += 1
            candidate = f"{base}_{n}"
        self.names.add(candidate)
        return candidate

    def needs_time(self, leaf: Leaf) -> bool:
        return (
            bool(self.req.time_items)
            or any(i.is_time_part for i in self.req.items)
            or self.rng.start is not None
            or self.rng.end is not None
            or self.req.uses_metric_time_filter(leaf)
        )

    def _output_range(self) -> TimeRange:
        """The query's range narrowed by the day bounds of its metric_time filters, in whole periods."""
        start, end = day_bounds(self.split.time)
        grain = self.req.finest_grain
        if grain is not None:
            start = floor(start, grain) if start else None
            end = ceil(end, grain) if end else None
        if self.rng.start and (start is None or self.rng.start > start):
            start = self.rng.start
        if self.rng.end and (end is None or self.rng.end < end):
            end = self.rng.end
        return TimeRange(start, end)

    def by_day(self, leaf: Leaf) -> Agg | None:
        """How to re-aggregate an offset shifted day by day (MetricFlow's semantics when the query's grain
        is coarser than the offset: each spine day takes the value of its shifted day, then the days are
        aggregated), or None to shift whole periods.

        Only measures whose daily values re-aggregate (sum, count, min, max) take this path.
        """
        grain = self.req.finest_grain
        if leaf.kind != "agg" and leaf.offset_window is not None and grain is not None:
            window = leaf.offset_window
            if grain.rank > Grain(window.unit).rank and not _whole_periods(window, grain):
                # shifting whole periods by less than one matched no period: the answer was empty
                raise QueryError(
                    f"the {leaf.kind} of '{leaf.measure}' offset by {window.count} {window.unit}"
                    f"{'s' if window.count != 1 else ''} cannot be "
                    f"shown by {grain.value}: the offset is not a whole number of {grain.value}s",
                    hint=f"Group by metric_time__{window.unit} (or finer), or use an offset of whole "
                    f"{grain.value}s.",
                )
        if self.cumulative_start(leaf):
            return Agg.MAX  # one day per period: the period's first
        if leaf.kind != "agg" or not (leaf.offset_window or leaf.offset_to_grain):
            return None
        m = self.req.measure(leaf.measure)
        if self.req.time_parts and m.agg in _BY_DAY and m.non_additive is None:
            # A date part of metric_time is the part of each spine day, which takes its shifted day's
            # value (MetricFlow's join of the spine to the rows); datepart.check refused the others.
            return _BY_DAY[m.agg]
        if grain is None:
            return None
        if leaf.offset_window is not None:
            coarser = grain.rank > Grain(leaf.offset_window.unit).rank
        else:
            assert leaf.offset_to_grain is not None
            coarser = grain.rank > leaf.offset_to_grain.rank or grain is Grain.WEEK
        if m.non_additive is not None or m.agg not in _BY_DAY:
            if coarser and leaf.offset_window is not None and not _whole_periods(leaf.offset_window, grain):
                raise QueryError(
                    f"'{leaf.measure}' ({'a snapshot' if m.non_additive else m.agg.value}) offset by "
                    f"{leaf.offset_window.count} {leaf.offset_window.unit} cannot be shown by {grain.value}: "
                    f"its values do not add up day by day, and the offset is not a whole number of "
                    f"{grain.value}s",
                    hint=f"Group by metric_time__{leaf.offset_window.unit} (or finer), or use an offset of "
                    f"whole {grain.value}s.",
                )
            return None
        return _BY_DAY[m.agg] if coarser else None

    def cumulative_start(self, leaf: Leaf) -> bool:
        """A cumulative leaf moved to the start of its ``offset_to_grain`` period, shown by a period coarser
        than a day: its value is the running total *on the start day* (MetricFlow joins the daily series
        at ``DATE_TRUNC(grain, day)``), not the period's own cumulative value (its first day with data), so
        it is computed by day and read on each period's first day. A group with no rows by the start day
        has no value there (``bookings_all_time_at_start_of_month``, MetricFlow's simple manifest).
        """
        grain = self.req.finest_grain
        return (
            leaf.kind == "cumulative"
            and leaf.offset_to_grain is not None
            and grain is not None
            and grain.rank > Grain.DAY.rank
            and not self.req.time_parts
        )

    def own_time(self, leaf: Leaf) -> tuple[tuple[str, ...], tuple[ParsedWhere, ...]]:
        """The leaf's own filters (from metric definitions) that name only metric_time: they choose the
        output periods of filled and offset metrics like the query's (MetricFlow's time-spine filters).
        """
        texts: list[str] = []
        parts: list[ParsedWhere] = []
        for text in leaf.filters:
            split = split_wheres([cached_where(text, self.req.dialect.sqlglot)])
            if split.time and not split.inputs and not split.mixed:
                texts.append(text)
                parts.extend(split.time)
        return tuple(texts), tuple(parts)

    def base(self, leaf: Leaf) -> Grain:
        """The grain an offset shown by a coarser period is shifted at: its own unit when finer than a
        day (each spine hour takes its shifted hour's value), else the day.
        """
        unit = leaf.offset_to_grain or (Grain(leaf.offset_window.unit) if leaf.offset_window else None)
        return unit if unit is not None and unit.sub_day else Grain.DAY

    def scan_for(
        self,
        leaf: Leaf,
        alias: str,
        rng: TimeRange,
        time_filter: bool = True,
        daily: bool = False,
        base: Grain = Grain.DAY,
    ) -> Scan:
        m = self.req.measure(leaf.measure)
        nad = m.non_additive
        key = ScanKey(
            m.semantic_model,
            m.agg_time_dimension if self.needs_time(leaf) or nad or daily else None,
            nad,
            rng,
            time_filter,
            daily,
            base if daily else Grain.DAY,
        )
        ident = key.as_tuple() + ((leaf.filters,) if nad else ())
        scan = self.scans.get(ident)
        if scan is None:
            kind = "snapshot" if nad else "scan"
            scan = self.scans[ident] = Scan(key, self.name(f"{kind}_{m.semantic_model}"))
        scan.leaves[alias] = leaf
        return scan

    def source_rng(self, leaf: Leaf) -> TimeRange:
        """The range the un-shifted series must cover so that its shifted values fill the output periods.

        An offset's source is read without the query's metric_time filters, so it is pruned to the
        output periods (``out_rng``) moved back by the offset instead.
        """
        if leaf.offset_window is None and leaf.offset_to_grain is None:
            return self.rng
        rng = self.out_rng
        if rng.start is None:
            return rng
        if leaf.offset_window is not None:
            w = leaf.offset_window
            return TimeRange(
                shift(rng.start, -w.count, w.unit),
                shift(rng.end, -w.count, w.unit) if rng.end else None,
            )
        assert leaf.offset_to_grain is not None
        return TimeRange(floor(rng.start, leaf.offset_to_grain), rng.end)

    def series(
        self,
        leaf: Leaf,
        alias: str,
        rng: TimeRange,
        time_filter: bool = True,
        daily: bool = False,
        base: Grain = Grain.DAY,
    ) -> str:
        """Plan the un-shifted computation of ``leaf``; returns the step name that holds column ``alias``.

        ``time_filter`` False: the query's metric_time filters do not apply (the source of an offset).
        """
        if leaf.kind == "cumulative":
            name = self.name(f"cumulative_{alias}".replace("__source", ""))
            req = replace(self.req, items=[DAY_ITEM, *self.req.other_items]) if daily else self.req
            self._add_ctes(
                render_cumulative(req, leaf, alias, name, rng, self.split.time if time_filter else ()),
                "cumulative",
                f"Cumulative {leaf.measure}",
            )
            return name
        if leaf.kind == "conversions":
            name = self.name(f"conversion_{alias}".replace("__source", ""))
            self._add_ctes(
                render_conversion(self.req, leaf, alias, name, rng),
                "conversion",
                f"Conversions on {leaf.measure}",
            )
            return name
        return self.scan_for(leaf, alias, rng, time_filter, daily, base).name

    def _add_ctes(self, ctes: list[tuple[str, exp.Select]], kind: str, what: str) -> None:
        for i, (step, select) in enumerate(ctes):
            self.names.add(step)
            last = i == len(ctes) - 1
            self.steps.append(
                Step(step, kind, f"{what}: {'result' if last else step.rsplit('_', 1)[-1]}", select)
            )

    def plan(self) -> Plan:
        # (alias, leaf, source step, source column, metric_time conditions on the output periods)
        pending: list[tuple[str, Leaf, str, str, tuple[ParsedWhere, ...]]] = []
        for leaf, alias in list(self.req.leaves.items()):
            if (
                leaf.offset_window
                or leaf.offset_to_grain
                or (leaf.join_to_timespine and (self.req.time_items or self.req.time_parts))
            ):
                plain = leaf.plain
                source_alias = f"{alias}__source"
                self.internal.add(source_alias)
                offset = bool(leaf.offset_window or leaf.offset_to_grain)
                own_texts, own_time = self.own_time(leaf)
                if offset and own_texts:
                    plain = replace(plain, filters=tuple(t for t in plain.filters if t not in own_texts))
                step = self.series(
                    plain,
                    source_alias,
                    self.source_rng(leaf),
                    # an offset read without metric_time conditions gets a scan of its own
                    time_filter=not (offset and (self.split.time or own_texts)),
                    daily=self.by_day(leaf) is not None,
                    base=self.base(leaf),
                )
                pending.append((alias, leaf, step, source_alias, (*self.split.time, *own_time)))
            else:
                step = self.series(leaf, alias, self.rng)
                if leaf.kind == "agg":
                    continue  # scans are registered below, once all their leaves are known
                self.outputs.append((step, [alias]))
        scan_steps = []
        for scan in self.scans.values():
            visible = [a for a in scan.leaves if a not in self.internal]
            description = (
                f"{'Snapshot of' if scan.key.non_additive else 'Scan'} {scan.key.model}: "
                + ", ".join(sorted({leaf.measure for leaf in scan.leaves.values()}))
            )
            scan_steps.append(Step(scan.name, "scan", description, render_scan(self.req, scan)))
            if visible:
                self.outputs.append((scan.name, visible))
        self.steps = scan_steps + self.steps
        for alias, leaf, source, column, time in pending:
            if leaf.offset_window or leaf.offset_to_grain:
                name = self.name(f"offset_{alias}")
                shift_text = leaf.offset_window and f"{leaf.offset_window.count} {leaf.offset_window.unit}"
                what = f"{leaf.measure} offset by {shift_text or 'to the start of the ' + str(leaf.offset_to_grain.value)}"  # type: ignore[union-attr]
                reagg = self.by_day(leaf)
                if reagg is not None:
                    select = render_offset_by_day(
                        self.req, leaf, alias, source, column, self.rng, time, reagg, self.base(leaf)
                    )
                else:
                    select = render_offset(self.req, leaf, alias, source, column, self.rng, time)
            else:
                name = self.name(f"filled_{alias}")
                what = f"{leaf.measure} joined to every time spine period"
                select = render_spine_join(
                    self.req, alias, source, column, self.rng, time, self.split.untimed
                )
            self.steps.append(Step(name, "offset" if "offset" in name else "fill", what, select))
            self.outputs.append((name, [alias]))
        return self.finish()

    def finish(self) -> Plan:
        req = self.req
        plan = Plan(req, columns=[i.column for i in req.items] + [name for name, _ in req.outputs])
        keys = [exp.column(i.column) for i in req.items]
        metrics = list(req.outputs)
        if len(self.outputs) == 1 and len(self.steps) == 1 and self.steps[0].kind == "scan":
            final = self._flatten(self.steps[0].select, metrics)
            plan.steps = []
        else:
            plan.steps = self.steps
            final = exp.select(*keys, *(exp.alias_(e, n, copy=False) for n, e in metrics)).from_(
                self._combined(), copy=False
            )
        final = self._order(final, plan.columns)
        if req.query.limit is not None:
            final = final.limit(req.query.limit, copy=False)
        plan.final = final
        return plan

    def _flatten(self, scan: exp.Select, metrics: list[tuple[str, exp.Expr]]) -> exp.Select:
        """One scan: put the metric expressions straight into its SELECT."""
        n_keys = len(self.req.items)
        aggregates = {
            e.alias_or_name: e.this if isinstance(e, exp.Alias) else e for e in scan.expressions[n_keys:]
        }
        out = scan  # the scan step is not kept in the plan: reuse its tree
        exprs = list(out.expressions[:n_keys])
        for name, e in metrics:
            exprs.append(exp.alias_(substitute(e, aggregates), name, copy=False))
        out.set("expressions", exprs)
        return out

    def _combined(self) -> exp.Expr:
        """One row per group: the union of every step's rows, grouped on the group-by columns."""
        all_aliases = [a for _, aliases in self.outputs for a in aliases]
        keys = [i.column for i in self.req.items]
        if len(self.outputs) == 1:
            return cte(self.outputs[0][0])
        owner = {a: step for step, aliases in self.outputs for a in aliases}
        parts = []
        for i, (step, aliases) in enumerate(self.outputs):
            # The first branch fixes each column's type (typed NULLs); later NULLs take that type.
            cols = [exp.column(k) for k in keys] + [
                exp.column(a)
                if a in aliases
                else exp.alias_(typed_null(a, owner[a]) if i == 0 else exp.Null(), a, copy=False)
                for a in all_aliases
            ]
            parts.append(exp.select(*cols).from_(cte(step), copy=False))
        union: exp.Query = parts[0]
        for part in parts[1:]:
            union = exp.union(union, part, distinct=False, copy=False)
        grouped = exp.select(
            *(exp.column(k) for k in keys),
            *(exp.alias_(exp.Max(this=exp.column(a)), a, copy=False) for a in all_aliases),
        ).from_(union.subquery("u", copy=False))
        if keys:
            grouped = grouped.group_by(*(exp.column(k) for k in keys), copy=False)
        self.steps.append(Step("combined", "combine", "Combine: one row per group across all steps", grouped))
        return cte("combined")

    def _order(self, final: exp.Select, columns: list[str]) -> exp.Select:
        order = self.req.query.order_by
        if not order:
            n = len(self.req.items)
            return final.order_by(*(exp.Literal.number(i + 1) for i in range(n)), copy=False) if n else final
        by_name = {c: c for c in columns}
        for item in self.req.items:
            by_name.setdefault(item.ref.name, item.column)
            by_name.setdefault(item.column.rsplit("__", 1)[0], item.column)
        terms = []
        for o in order:
            column = by_name.get(o.name)
            if column is None:
                raise UnknownNameError(
                    "order-by column",
                    o.name,
                    columns,
                    context=" (order by a requested metric or group-by item)",
                )
            terms.append(exp.Ordered(this=exp.column(column), desc=o.desc, nulls_first=False))
        return final.order_by(*terms, copy=False)


def typed_null(column: str, step: str) -> exp.Expr:
    """A NULL of the type of ``column`` of step ``step``: ``(SELECT column FROM step WHERE FALSE)``.

    The placeholders of the other steps' columns in the first ``UNION ALL`` branch. A bare ``NULL``
    has no type: PostgreSQL resolves ``a UNION b UNION c`` as ``(a UNION b) UNION c`` and types two
    bare NULLs meeting there as ``text``, which then cannot meet the ``bigint`` of a count (three or
    more steps). With every column typed in the first branch, each union step meets a typed column,
    and the later branches' NULLs take its type. A scalar subquery over no rows is NULL with the
    column's own type in every dialect, whatever the warehouse's column types are; typing only the
    first branch keeps the SQL (and the compile time) linear in the number of steps.
    """
    inner = exp.Select(expressions=[exp.column(column)]).from_(cte(step), copy=False)
    return exp.Subquery(this=inner.where(exp.false(), copy=False))


def substitute(node: exp.Expr, values: dict[str, exp.Expr]) -> exp.Expr:
    """``node`` with each unqualified column named in ``values`` replaced by (a copy of) its value."""

    def swap(n: exp.Expr) -> exp.Expr:
        if isinstance(n, exp.Column) and not n.table and n.name in values:
            return values[n.name].copy()
        return n

    return node.transform(swap, copy=True)


def plan_query(model: Model, graph: JoinGraph, query: MetricQuery, dialect: Dialect) -> Plan:
    """Compile ``query`` into a ``Plan``."""
    req = build(model, graph, query, dialect)

    def subplan(inner: MetricQuery) -> tuple[list[str], exp.Expr]:
        nested = plan_query(model, graph, inner, dialect)
        return list(nested.columns), nested.ast().copy()

    req.subplan = subplan
    return _Planner(req).plan()


__all__ = ["Plan", "Step", "plan_query"]
