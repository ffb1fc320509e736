"""MetricQuery → Plan (named steps, one CTE each) → one sqlglot AST → SQL in the target dialect.

Steps:

* ``scan``: one read of a semantic model aggregating all plain measures it serves;
* ``snapshot``: the same for semi-additive measures (rows at the first/last time of each period);
* ``cumulative`` and ``conversion``: see their modules;
* ``offset`` / ``fill``: a series shifted in time or joined to every spine period;
* ``combine``: the steps' rows united on the group-by columns; then the metric expressions
  (``assemble.py``). A query answered by one scan is emitted as a single flat ``SELECT``.
"""

from __future__ import annotations

from dataclasses import replace

from sqlglot import exp

from metricmind.compiler.assemble import Assembler, Plan, Step
from metricmind.compiler.conversion import render_conversion
from metricmind.compiler.cumulative import render_cumulative
from metricmind.compiler.dialects import Dialect
from metricmind.compiler.fillperiods import filled_by_period, render_filled_periods
from metricmind.compiler.periods import ceil, floor, shift
from metricmind.compiler.resolve import Leaf, Request, Window, build
from metricmind.compiler.scan import DAY_ITEM, Scan, ScanKey, TimeRange, cached_where, render_scan
from metricmind.compiler.timefilter import day_bounds, split_wheres
from metricmind.compiler.timeshift import render_offset, render_offset_by_day, render_spine_join
from metricmind.errors import QueryError
from metricmind.spec.filters import ParsedWhere
from metricmind.spec.joingraph import JoinGraph
from metricmind.spec.model import Agg, Grain, Model
from metricmind.spec.query import MetricQuery


def _whole_periods(window: Window, grain: Grain) -> bool:
    """Whether an offset of ``window`` moves whole ``grain`` periods onto whole periods (3 months by quarter)."""
    per = {(Grain.DAY, Grain.WEEK): 7, (Grain.MONTH, Grain.QUARTER): 3, (Grain.MONTH, Grain.YEAR): 12}
    per[(Grain.QUARTER, Grain.YEAR)] = 4
    step = per.get((Grain(window.unit), grain))
    return step is not None and window.count % step == 0


# Measures whose daily values re-aggregate to coarser periods, and how.
_BY_DAY = {Agg.SUM: Agg.SUM, Agg.COUNT: Agg.SUM, Agg.SUM_BOOLEAN: Agg.SUM, Agg.MIN: Agg.MIN, Agg.MAX: Agg.MAX}


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
                    daily=self.by_day(leaf) is not None or filled_by_period(self.req, leaf),
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
            elif filled_by_period(self.req, leaf):
                name = self.name(f"filled_{alias}")
                what = f"{leaf.measure} joined to every time spine day, shown by period"
                select = render_filled_periods(
                    self.req, leaf, alias, source, column, self.rng, time, self.split.untimed
                )
            else:
                name = self.name(f"filled_{alias}")
                what = f"{leaf.measure} joined to every time spine period"
                select = render_spine_join(
                    self.req, alias, source, column, self.rng, time, self.split.untimed
                )
            self.steps.append(Step(name, "offset" if "offset" in name else "fill", what, select))
            self.outputs.append((name, [alias]))
        return Assembler(self.req, self.steps, self.outputs).finish()


def plan_query(model: Model, graph: JoinGraph, query: MetricQuery, dialect: Dialect) -> Plan:
    """Compile ``query`` into a ``Plan``."""
    req = build(model, graph, query, dialect)

    def subplan(inner: MetricQuery) -> tuple[list[str], exp.Expr]:
        nested = plan_query(model, graph, inner, dialect)
        return list(nested.columns), nested.ast().copy()

    req.subplan = subplan
    return _Planner(req).plan()


__all__ = ["Plan", "Step", "plan_query"]
