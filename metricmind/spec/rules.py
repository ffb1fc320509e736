"""Semantic checks on a loaded model. Each rule appends issues (with file, line and a fix); none raises.

``check`` runs the cheap structural rules on every load. Deeper checks (compiling every metric, the
warehouse, MetricFlow's own validator) live with their dependencies: ``Project.validate``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from metricmind.errors import ExpressionError, FilterError, Issue, IssueList, closest
from metricmind.spec import expressions
from metricmind.spec.filters import parse_where
from metricmind.spec.model import FINE_GRAINS, SUB_DAY, Agg, Measure, Metric, MetricType, Model
from metricmind.spec.names import NameError_

_WINDOW = re.compile(r"^\s*\d+\s+(day|week|month|quarter|year)s?\s*$", re.IGNORECASE)
#: offsets and cumulative windows may count in hours, minutes or seconds too
_OFFSET = re.compile(r"^\s*\d+\s+(second|minute|hour|day|week|month|quarter|year)s?\s*$", re.IGNORECASE)
STATUSES = ("draft", "in_review", "published", "certified", "deprecated")
_UNIT = re.compile(r"^\s*\d+\s+([a-z_][a-z0-9_]*?)s?\s*$", re.IGNORECASE)


def _not_a_window(model: Model, what: str, window: str) -> str:
    """Why ``window`` is refused: a sub-day unit or a custom granularity (both unsupported), or not a window."""
    unit = _UNIT.match(window)
    name = unit.group(1).lower() if unit else ""
    spine = model.time_spine
    custom = {n for n, _ in spine.custom_granularities} if spine else set()
    if name in (*FINE_GRAINS, *SUB_DAY):
        return (
            f"{what} {window!r} is finer than a day: sub-day windows are not supported (metricmind compiles "
            "at a day or coarser)"
        )
    if name in custom:
        return (
            f"{what} {window!r} counts in the custom granularity '{name}': windows and offsets in custom "
            "granularities are not supported"
        )
    return f"{what} {window!r} is not a window"


def _custom_unit(model: Model, window: str) -> str | None:
    """The custom granularity of the time spine ``window`` counts in (``1 fiscal_quarter``), if any."""
    unit = _UNIT.match(window)
    spine = model.time_spine
    name = unit.group(1).lower() if unit else ""
    return name if spine and name in {n for n, _ in spine.custom_granularities} else None


def _window_issue(model: Model, issues: IssueList, m: Metric, what: str, window: str, hint: str) -> None:
    """An error for a window that is not one; a warning for one counted in a custom granularity: the
    metric loads and its queries are refused with why (``request.Window.parse``).
    """
    custom = _custom_unit(model, window)
    if custom is None:
        issues.error(f"metric '{m.name}': {_not_a_window(model, what, window)}", m.file, m.line, hint)
        return
    issues.warning(
        f"metric '{m.name}': {what} {window!r} counts in the custom granularity '{custom}': the metric "
        "loads, and its queries are refused (windows and offsets in custom granularities are not "
        "computed yet)",
        m.file,
        m.line,
        "count it in days, weeks, months, quarters or years to query it with metricmind",
        code="custom_granularity_window",
    )


Rule = Callable[[Model, IssueList, str], None]


def _hint(name: str, known: Iterable[str]) -> str | None:
    near = closest(name, known)
    return f"did you mean {', '.join(repr(n) for n in near)}?" if near else None


def semantic_models(model: Model, issues: IssueList, dialect: str) -> None:
    """Entities, dimensions, measures and their references inside each semantic model."""
    seen_measures: dict[str, str] = {}
    for sm in model.semantic_models.values():
        primaries = [e.name for e in sm.entities if e.type.value == "primary"]
        if len(primaries) > 1:
            issues.error(
                f"semantic model '{sm.name}' has {len(primaries)} primary entities ({', '.join(primaries)})",
                sm.file,
                sm.line,
                "keep one primary entity; make the others foreign or unique",
            )
        if sm.dimensions and not sm.primary:
            issues.error(
                f"semantic model '{sm.name}' has dimensions but no primary entity",
                sm.file,
                sm.line,
                "add an entity with type: primary, or set primary_entity: <name>",
            )
        bounds = [d.validity for d in sm.dimensions if d.validity]
        if bounds and sorted(bounds) != ["end", "start"]:
            issues.error(
                f"semantic model '{sm.name}' needs exactly one is_start and one is_end validity dimension "
                f"(has {', '.join(sorted(bounds))})",
                sm.file,
                sm.line,
                "mark the row's first valid day with validity_params: {is_start: true} and the first day it "
                "is no longer valid with {is_end: true}",
            )
        names = [d.name for d in sm.dimensions]
        for dup in {n for n in names if names.count(n) > 1}:
            issues.error(
                f"semantic model '{sm.name}' defines dimension '{dup}' twice",
                sm.file,
                sm.line,
                "rename or remove one of them",
            )
        time_dims = {d.name for d in sm.dimensions if d.is_time}
        for m in sm.measures:
            if m.name in seen_measures:
                issues.error(
                    f"measure '{m.name}' is defined in '{seen_measures[m.name]}' and '{sm.name}'",
                    sm.file,
                    m.line,
                    "measure names are unique across the project; rename one",
                )
            seen_measures.setdefault(m.name, sm.name)
            if not m.agg_time_dimension:
                issues.error(
                    f"measure '{m.name}' has no agg_time_dimension",
                    sm.file,
                    m.line,
                    "set defaults: {agg_time_dimension: <time dimension>} on the semantic model (in dbt "
                    "1.12's latest spec: agg_time_dimension: on the model, or on the simple metric)",
                )
            elif m.agg_time_dimension not in time_dims:
                issues.error(
                    f"measure '{m.name}': agg_time_dimension '{m.agg_time_dimension}' is not a time dimension "
                    f"of '{sm.name}'",
                    sm.file,
                    m.line,
                    _hint(m.agg_time_dimension, time_dims) or "add it as a time dimension",
                )
            if m.non_additive is not None:
                if m.non_additive.name not in time_dims:
                    issues.error(
                        f"measure '{m.name}': non_additive_dimension '{m.non_additive.name}' is not a time "
                        f"dimension of '{sm.name}'",
                        sm.file,
                        m.line,
                        _hint(m.non_additive.name, time_dims),
                    )
                entities = {e.name for e in sm.entities}
                for g in m.non_additive.window_groupings:
                    if g not in entities:
                        issues.error(
                            f"measure '{m.name}': window grouping '{g}' is not an entity of '{sm.name}'",
                            sm.file,
                            m.line,
                            _hint(g, entities),
                        )
            _parse(m.expr, dialect, f"measure '{m.name}' expr", issues, sm.file, m.line)
        for d in sm.dimensions:
            _parse(d.expr, dialect, f"dimension '{d.name}' expr", issues, sm.file, d.line)
        for e in sm.entities:
            _parse(e.expr, dialect, f"entity '{e.name}' expr", issues, sm.file, sm.line)


def _parse(sql: str, dialect: str, what: str, issues: IssueList, file: str | None, line: int | None) -> None:
    try:
        expressions.check(sql, dialect, what=what)
    except ExpressionError as exc:
        issues.error(exc.message, file, line, exc.hint)


def metrics(model: Model, issues: IssueList, dialect: str) -> None:
    """References from metrics to measures, metrics and entities; windows; filters; cycles."""
    measures, known = model.measures, model.metrics
    for m in known.values():
        where = (m.file, m.line)
        for mi in [x for x in (m.measure,) if x] + (
            [m.conversion.base_measure, m.conversion.conversion_measure] if m.conversion else []
        ):
            if mi.name not in measures:
                issues.error(
                    f"metric '{m.name}' uses unknown measure '{mi.name}'",
                    *where,
                    _hint(mi.name, measures),
                    code="unknown_reference",
                )
        for ref in [x for x in (m.numerator, m.denominator) if x] + list(m.inputs):
            if ref.name not in known:
                issues.error(
                    f"metric '{m.name}' uses unknown metric '{ref.name}'",
                    *where,
                    _hint(ref.name, known),
                    code="unknown_reference",
                )
            if ref.offset_window and not _OFFSET.match(ref.offset_window):
                _window_issue(
                    model,
                    issues,
                    m,
                    "offset_window",
                    ref.offset_window,
                    "write a count and a unit, e.g. '1 month' or '7 days'",
                )
        if m.type is MetricType.DERIVED and m.expr:
            _derived_expr(m.name, m.expr, {i.ref_name for i in m.inputs}, dialect, issues, where)
        if m.cumulative is not None:
            if m.cumulative.window and not _OFFSET.match(m.cumulative.window):
                _window_issue(
                    model,
                    issues,
                    m,
                    "window",
                    m.cumulative.window,
                    "write a count and a unit, e.g. '7 days' or '3 months'",
                )
            snapshot = model.measures.get(m.measure.name) if m.measure else None
            if snapshot is not None and snapshot.non_additive is not None:
                issues.warning(
                    f"metric '{m.name}': a cumulative of '{snapshot.name}', a snapshot measure "
                    f"(non_additive_dimension '{snapshot.non_additive.name}'), adds snapshots up over the "
                    "window; dbt accepts it, but metricmind and MetricFlow answer different numbers and neither "
                    "is a stock",
                    *where,
                    f"use a simple metric of '{snapshot.name}' (the last snapshot of each period), or a "
                    "cumulative of a flow measure",
                    code="cumulative_snapshot",
                )
            if m.cumulative.period_agg not in ("first", "last", "average"):
                issues.error(
                    f"metric '{m.name}': period_agg '{m.cumulative.period_agg}'",
                    *where,
                    "use first, last or average",
                )
        if m.numerator is not None and m.denominator is not None:
            _same_input_twice(m, issues)
        if m.conversion is not None:
            conv = m.conversion
            if conv.window and not _WINDOW.match(str(conv.window)):
                issues.error(
                    f"metric '{m.name}': window {conv.window!r} is not a window", *where, "e.g. '7 days'"
                )
            _conversion_inputs(m, model, issues)
            for mi in (conv.base_measure, conv.conversion_measure):
                if mi.name in measures:
                    sm = model.measure_model(mi.name)
                    if sm.entity(conv.entity) is None:
                        issues.error(
                            f"metric '{m.name}': entity '{conv.entity}' is not in semantic model '{sm.name}' "
                            f"of measure '{mi.name}'",
                            *where,
                            _hint(conv.entity, [e.name for e in sm.entities]),
                        )
        filters = list(m.filter) + [
            f for x in (m.measure, m.numerator, m.denominator, *m.inputs) if x for f in x.filter
        ]
        for f in filters:
            try:
                parse_where(f.sql, dialect)
            except (FilterError, NameError_) as exc:
                issues.error(
                    f"metric '{m.name}': {exc}",
                    f.file or m.file,
                    f.line or m.line,
                    getattr(exc, "hint", None),
                )
        status = m.meta.get("status")
        if status is not None and status not in STATUSES:
            issues.warning(
                f"metric '{m.name}': status '{status}' is not a lifecycle state",
                *where,
                f"use one of: {', '.join(STATUSES)}",
            )
        if m.name in {d.name for _, d in model.iter_dimensions()}:
            issues.warning(
                f"metric '{m.name}' has the same name as a dimension",
                *where,
                "rename one of them so questions and group-bys are unambiguous",
            )
    _cycles(model, issues)


def _conversion_inputs(m: Metric, model: Model, issues: IssueList) -> None:
    """A conversion counts events: dbt refuses other measures (COUNT, COUNT_DISTINCT or SUM of 1 only), and
    MetricFlow does not apply a filter on the conversion measure (metricmind does: a warning, the engines'
    numbers differ).
    """
    assert m.conversion is not None
    for role, mi in (("base", m.conversion.base_measure), ("conversion", m.conversion.conversion_measure)):
        measure = model.measures.get(mi.name)
        if measure is None:
            continue
        if not _counts_events(measure):
            agg = f"sum of {measure.expr!r}" if measure.agg is Agg.SUM else measure.agg.value
            issues.error(
                f"metric '{m.name}': the {role} measure '{mi.name}' of a conversion metric is a {agg}; dbt and "
                "MetricFlow accept only count, count_distinct or sum of 1 (dbt parse: 'For conversion metrics, "
                "the measure must be COUNT/SUM(1)/COUNT_DISTINCT')",
                m.file,
                m.line,
                f"count the events instead: a measure with agg: count (or count_distinct) of the key of "
                f"'{measure.semantic_model}', and keep '{mi.name}' for a simple or ratio metric",
                code="conversion_measure",
            )
    grains = {}
    for role, mi in (("base", m.conversion.base_measure), ("conversion", m.conversion.conversion_measure)):
        measure = model.measures.get(mi.name)
        sm = model.semantic_models.get(measure.semantic_model) if measure else None
        dim = sm.dimension(measure.agg_time_dimension) if sm and measure else None
        if dim is not None and dim.grain is not None:
            grains[role] = dim.grain
    if len(set(grains.values())) > 1:
        issues.error(
            f"metric '{m.name}': the base measure '{m.conversion.base_measure.name}' is timed by "
            f"{grains['base'].value} and the conversion measure '{m.conversion.conversion_measure.name}' by "
            f"{grains['conversion'].value}: a conversion between events of different time grains is not "
            "supported (metricmind matched the days, MetricFlow answers other rates)",
            m.file,
            m.line,
            "use measures whose agg_time_dimension has one time_granularity",
            code="conversion_measure",
        )
    conv = m.conversion.conversion_measure
    if conv.filter:
        issues.warning(
            f"metric '{m.name}': the conversion measure '{conv.name}' has a filter "
            f"({' and '.join(f.sql for f in conv.filter)}); metricmind applies it, MetricFlow does not (dbt "
            "parse warns: 'filtering on a conversion input measure is not fully supported yet'), so the two "
            "give different numbers",
            conv.filter[0].file or m.file,
            conv.filter[0].line or m.line,
            "to get the same number from both, count the filtered events with their own measure (a measure "
            "whose expr is a CASE WHEN ... THEN key END, agg: count) and drop the filter",
            code="conversion_filter",
        )


def _same_input_twice(m: Metric, issues: IssueList) -> None:
    """A ratio of one metric over itself with different filters and no alias: MetricFlow names both inputs
    after the metric and divides a column by itself (1.0); metricmind keeps them apart.
    """
    num, den = m.numerator, m.denominator
    assert num is not None and den is not None
    if num.name != den.name or num.ref_name != den.ref_name or num.filter == den.filter:
        return
    issues.warning(
        f"metric '{m.name}': numerator and denominator are both '{num.name}' with different filters and no "
        "alias; metricmind divides the two, MetricFlow gives both one column name and answers 1.0",
        m.file,
        m.line,
        f"give the filtered side an alias (alias: {num.name}_filtered) so MetricFlow and dbt's Semantic Layer "
        "answer the same number",
        code="ratio_alias",
    )


def _counts_events(measure: Measure) -> bool:
    """COUNT, COUNT_DISTINCT, or SUM of the constant 1: what dbt accepts in a conversion metric."""
    if measure.agg in (Agg.COUNT, Agg.COUNT_DISTINCT):
        return True
    return measure.agg is Agg.SUM and measure.expr.strip() == "1"


def _derived_expr(
    name: str,
    expr: str,
    inputs: set[str],
    dialect: str,
    issues: IssueList,
    where: tuple[str | None, int | None],
) -> None:
    try:
        expressions.check(expr, dialect, inputs=inputs, what=f"derived metric '{name}': expr")
    except ExpressionError as exc:
        col = re.search(r"'([^']+)', which is not one of its input metrics", exc.message)
        hint = (_hint(col.group(1), inputs) if col else None) or exc.hint
        issues.error(exc.message, *where, hint)


def _cycles(model: Model, issues: IssueList) -> None:
    def deps(name: str) -> list[str]:
        m = model.metrics.get(name)
        if m is None:
            return []
        return [r.name for r in [x for x in (m.numerator, m.denominator) if x] + list(m.inputs)]

    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            loop = path[path.index(name) :] + [name]
            m = model.metrics[name]
            issues.error(
                f"metrics depend on each other in a cycle: {' → '.join(loop)}",
                m.file,
                m.line,
                "a derived metric cannot use itself, directly or through others",
            )
            return
        state[name] = 1
        for d in deps(name):
            visit(d, [*path, name])
        state[name] = 2

    for name in model.metrics:
        visit(name, [])


def saved_queries(model: Model, issues: IssueList, dialect: str) -> None:
    """Saved queries name existing metrics."""
    for sq in model.saved_queries.values():
        for name in sq.metrics:
            if name not in model.metrics:
                issues.error(
                    f"saved query '{sq.name}' uses unknown metric '{name}'",
                    sq.file,
                    sq.line,
                    _hint(name, model.metrics),
                )


def time_spine(model: Model, issues: IssueList, dialect: str) -> None:
    """Metrics that need a time spine have one."""
    if model.time_spine is not None:
        return
    needs = [
        m
        for m in model.metrics.values()
        if m.type is MetricType.CUMULATIVE
        or any(i.offset_window or i.offset_to_grain for i in m.inputs)
        or (m.measure and m.measure.join_to_timespine)
        or (
            m.conversion
            and (
                m.conversion.base_measure.join_to_timespine
                or m.conversion.conversion_measure.join_to_timespine
            )
        )
    ]
    if needs:
        issues.error(
            f"metrics {', '.join(sorted(m.name for m in needs)[:5])} need a time spine and there is none",
            needs[0].file,
            needs[0].line,
            "add a model with `time_spine: {standard_granularity_column: date_day}` in its YAML",
        )


RULES: tuple[Rule, ...] = (semantic_models, metrics, saved_queries, time_spine)


def check(model: Model, dialect: str | None = None) -> list[Issue]:
    """Run every structural rule; returns all issues found."""
    issues = IssueList()
    for rule in RULES:
        rule(model, issues, dialect or "duckdb")
    return issues.items
