"""Aggregates (candidate measures) and group-by items (candidate dimensions) of a scope.

An aggregate is read with its argument expanded through CTEs and subqueries to base columns, its
condition (``FILTER (WHERE …)``, ``COUNT_IF``, ``CASE WHEN c THEN x END``) and its table; group-by items
are resolved through ordinals, aliases, ``GROUP BY ALL`` and ``ROLLUP``/``CUBE``/``GROUPING SETS``, with
their time grain when they bucket a time column.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from metricmind.querylog import grain
from metricmind.querylog.collected import Collected, ref_key
from metricmind.querylog.facts import Aggregate, ColumnRef, Dimension
from metricmind.querylog.predicates import column_ref, conjuncts, filter_of
from metricmind.querylog.resolve import base_columns, sql_text, strip_qualifiers

_AGG_NAMES: dict[type[exp.Expr], str] = {
    exp.Sum: "sum",
    exp.Avg: "average",
    exp.Count: "count",
    exp.CountIf: "count",
    exp.Min: "min",
    exp.Max: "max",
    exp.Median: "median",
    exp.PercentileCont: "percentile",
    exp.PercentileDisc: "percentile",
    exp.Quantile: "percentile",
    exp.ApproxQuantile: "percentile",
    exp.ApproxDistinct: "count_distinct",
}


class Aggregates(Collected):
    """Collects the aggregates, windows and group-by items of a scope."""

    def _aggregates(self, scope: Scope, select: exp.Select) -> None:
        parts = [*select.expressions, *(select.args.get(k) for k in ("having", "order", "qualify"))]
        for part in parts:
            if part is None:
                continue
            for node in part.walk(
                prune=lambda n: isinstance(n, exp.Query | exp.Window | exp.Filter | exp.WithinGroup)
            ):
                if isinstance(node, exp.Window):
                    self.windows.add(_func_name(node.this))
                elif isinstance(node, exp.Filter) and isinstance(node.this, exp.AggFunc):
                    where = (
                        node.expression.this if isinstance(node.expression, exp.Where) else node.expression
                    )
                    self._aggregate(scope, node.this, where)
                elif isinstance(node, exp.WithinGroup):
                    self._aggregate(scope, node, None)
                elif isinstance(node, exp.AggFunc):
                    self._aggregate(scope, node, None)

    def _aggregate(self, scope: Scope, node: exp.Expr, condition: exp.Expr | None) -> None:
        func, arg = _agg_parts(node)
        if arg is None:
            expanded: exp.Expr = exp.Star()
        else:
            expanded = self.r.expand(scope, arg)
        if expanded.find(exp.AggFunc) is not None:
            return  # re-aggregating an aggregated CTE column: the inner aggregate is the measure
        if isinstance(node, exp.CountIf):
            condition, expanded = node.this, exp.Star()
        cond_expanded = self.r.expand(scope, condition) if condition is not None else None
        if cond_expanded is None:
            cond_expanded, expanded = _case_condition(expanded)
        columns = [ColumnRef(t, c) for t, c in base_columns(expanded)]
        if cond_expanded is not None:
            columns += [ColumnRef(t, c) for t, c in base_columns(cond_expanded)]
        tables = {c.table for c in columns}
        table = next(iter(tables)) if len(tables) == 1 else None
        if not columns:
            sources = list(scope.selected_sources.values())
            only = sources[0][1] if len(sources) == 1 else None
            bases = self.r.base_tables(only) if only is not None else set()
            table = next(iter(bases)) if len(bases) == 1 else None
        expr = "*" if isinstance(expanded, exp.Star) else sql_text(strip_qualifiers(expanded), self.dialect)
        cond_text = (
            sql_text(strip_qualifiers(cond_expanded), self.dialect) if cond_expanded is not None else None
        )
        filters = tuple(
            f for f in (filter_of(p, self.dialect) for p in conjuncts(cond_expanded)) if f is not None
        )
        key = (func, expr, table, cond_text)
        self.aggregates.setdefault(
            key, Aggregate(func, expr, table, tuple(sorted(set(columns), key=ref_key)), cond_text, filters)
        )

    def _group_by(self, scope: Scope, select: exp.Select) -> None:
        group = select.args.get("group")
        if group is None:
            return
        items = _group_items([*group.expressions, *(n for k in _GROUPINGS for n in group.args.get(k) or ())])
        projections = select.expressions
        if group.args.get("all"):
            # GROUP BY ALL (DuckDB, Databricks, Snowflake): every projection without an aggregate
            unwrapped = (p.this if isinstance(p, exp.Alias) else p for p in projections)
            items = [
                *items,
                *(p for p in unwrapped if not isinstance(p, exp.Star) and p.find(exp.AggFunc) is None),
            ]
        aliases = {p.alias.lower(): p.this for p in projections if isinstance(p, exp.Alias)}
        for item in items:
            target: exp.Expr = item
            if isinstance(item, exp.Literal) and not item.is_string and str(item.this).isdigit():
                index = int(str(item.this)) - 1
                if not 0 <= index < len(projections):
                    continue
                target = projections[index]
                target = target.this if isinstance(target, exp.Alias) else target
            elif isinstance(item, exp.Column) and not item.table and item.name.lower() in aliases:
                candidate = aliases[item.name.lower()]
                if not (isinstance(candidate, exp.Column) and candidate.name.lower() == item.name.lower()):
                    target = candidate
            expanded = self.r.expand(scope, target)
            bucket = grain.detect(expanded)
            column = column_ref(bucket.arg) if bucket else column_ref(expanded)
            if expanded.find(exp.AggFunc) is not None:
                column = None
            text = sql_text(strip_qualifiers(expanded), self.dialect)
            self.dimensions.setdefault((text, None), (Dimension(column, text, None), bucket))


_GROUPINGS = ("rollup", "cube", "grouping_sets")


def _group_items(nodes: list[exp.Expr]) -> list[exp.Expr]:
    """Group-by items with ``ROLLUP``/``CUBE``/``GROUPING SETS`` and tuples flattened."""
    out: list[exp.Expr] = []
    for node in nodes:
        if isinstance(node, exp.Rollup | exp.Cube | exp.GroupingSets | exp.Tuple):
            out.extend(_group_items(list(node.expressions)))
        else:
            out.append(node)
    return out


def _func_name(node: exp.Expr) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower()
    if type(node) in _AGG_NAMES:
        return _AGG_NAMES[type(node)]
    return node.sql_name().lower() if isinstance(node, exp.Func) else node.key.lower()


def _agg_parts(node: exp.Expr) -> tuple[str, exp.Expr | None]:
    """The aggregate's name and argument (``None`` for ``COUNT(*)``)."""
    if isinstance(node, exp.WithinGroup):
        order = node.expression
        first = order.expressions[0] if isinstance(order, exp.Order) and order.expressions else None
        return _func_name(node.this), first.this if isinstance(first, exp.Ordered) else first
    func = _func_name(node)
    arg = node.this
    if isinstance(arg, exp.Distinct):
        values = arg.expressions
        func = "count_distinct" if func == "count" else f"{func}_distinct"
        arg = values[0] if len(values) == 1 else exp.Tuple(expressions=values)
    if isinstance(arg, exp.Star) or (isinstance(arg, exp.Literal) and func == "count"):
        return func, None
    return func, arg


def _case_condition(expanded: exp.Expr) -> tuple[exp.Expr | None, exp.Expr]:
    """``CASE WHEN c THEN x END`` (or ``ELSE 0``/``NULL``) and ``IF(c, x, 0)`` → ``(c, x)``."""
    node = expanded.unnest() if isinstance(expanded, exp.Paren) else expanded
    if isinstance(node, exp.Case) and len(node.args.get("ifs") or ()) == 1 and node.this is None:
        default = node.args.get("default")
        if default is None or _is_zero_or_null(default):
            branch = node.args["ifs"][0]
            return branch.this, branch.args["true"]
    if isinstance(node, exp.If) and _is_zero_or_null(node.args.get("false")):
        return node.this, node.args["true"]
    return None, expanded


def _is_zero_or_null(node: exp.Expr | None) -> bool:
    if node is None or isinstance(node, exp.Null):
        return True
    return isinstance(node, exp.Literal) and not node.is_string and str(node.this) in ("0", "0.0")
