"""``analyze(sql, dialect)``: one statement's text → ``QueryFacts``. Never raises.

>>> facts = analyze(
...     "SELECT date_trunc('month', o.ordered_at) AS m, SUM(o.amount) FROM main.orders AS o "
...     "JOIN customers c ON c.customer_id = o.customer_id WHERE c.segment = 'SMB' GROUP BY 1",
...     "duckdb", default_schema="main")
>>> facts.tables, facts.grain, [(a.func, a.expr) for a in facts.aggregates]
(('main.customers', 'main.orders'), 'month', [('sum', 'amount')])
"""

from __future__ import annotations

import logging
import re

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.scope import Scope, traverse_scope

from metricmind.querylog import grain
from metricmind.querylog.facts import Aggregate, ColumnRef, Dimension, Filter, Join, QueryFacts
from metricmind.querylog.fingerprint import fingerprint, fingerprint_text
from metricmind.querylog.predicates import column_ref, conjuncts, filter_of, join_pair
from metricmind.querylog.resolve import Resolver, base_columns, sql_text, strip_qualifiers

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
_KINDS: dict[type[exp.Expr], str] = {
    exp.Insert: "insert",
    exp.Create: "create",
    exp.Update: "update",
    exp.Delete: "delete",
    exp.Merge: "merge",
}


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class _QuietCommandFallback(logging.Filter):
    """Drop sqlglot's warning for statements it keeps as raw commands: we count them instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "falling back to parsing as a 'Command'" not in record.getMessage()


logging.getLogger("sqlglot").addFilter(_QuietCommandFallback())


MAX_CHARS = 100_000
"""Longest statement text analyzed; a longer one is kept with ``ok=False`` (not parsed at all)."""
MAX_NODES = 10_000
"""Most syntax nodes analyzed in one text: scope analysis grows faster than linearly with huge ``OR``
chains (2,000 terms: 0.7 s, 9,000: 15 s), so a larger tree is kept with ``ok=False``."""


def analyze(
    sql: str,
    dialect: str = "duckdb",
    *,
    default_schema: str | None = None,
    max_chars: int = MAX_CHARS,
    max_nodes: int = MAX_NODES,
) -> QueryFacts:
    """The usage facts of ``sql`` read in ``dialect``; unparseable text gives ``ok=False``, never an error.

    Args:
        sql: One or more statements.
        dialect: sqlglot dialect name (duckdb, postgres, snowflake, bigquery, databricks, spark, trino…).
        default_schema: Schema of unqualified tables (``main`` for DuckDB, ``public`` for PostgreSQL).
        max_chars: Longer texts are not parsed (``ok=False``, "too long to analyze").
        max_nodes: Texts whose syntax trees have more nodes are not analyzed (``ok=False``, "too complex").
    """
    if len(sql) > max_chars:  # fingerprinted on its head: masking megabytes of text costs seconds too
        fp, normalized = fingerprint_text(sql[:max_chars], dialect)
        error = f"too long to analyze: {len(sql):,} characters (at most {max_chars:,})"
        return QueryFacts(sql, dialect, False, fp, normalized, error)
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except Exception as exc:
        return _unparsed(sql, dialect, f"{type(exc).__name__}: {_short(exc)}")
    if not statements:
        return _unparsed(sql, dialect, "no statement")
    if _too_big(statements, max_nodes):
        return _unparsed(sql, dialect, f"too complex to analyze: more than {max_nodes:,} syntax nodes")
    if all(isinstance(s, exp.Command) for s in statements):
        return _unparsed(sql, dialect, "unsupported statement: " + _short(sql_text(statements[0], dialect)))
    try:
        fp, normalized = fingerprint(statements, dialect)
    except Exception:
        fp, normalized = fingerprint_text(sql, dialect)
    try:
        collector = _Collector(Resolver(default_schema), dialect)
        for statement in statements:
            collector.statement(statement)
        return collector.facts(sql, fp, normalized)
    except Exception as exc:
        return QueryFacts(sql, dialect, False, fp, normalized, f"analysis failed: {type(exc).__name__}")


def _too_big(statements: list[exp.Expr], limit: int) -> bool:
    """True when the statements have more than ``limit`` nodes together (stops counting there)."""
    count = 0
    for statement in statements:
        for _ in statement.walk():
            count += 1
            if count > limit:
                return True
    return False


def _unparsed(sql: str, dialect: str, error: str) -> QueryFacts:
    fp, normalized = fingerprint_text(sql, dialect)
    return QueryFacts(sql, dialect, False, fp, normalized, error)


def _short(value: object, width: int = 200) -> str:
    text = " ".join(_ANSI.sub("", str(value)).split())
    return text if len(text) <= width else text[: width - 1] + "…"


class _Collector:
    """Accumulates facts over the scopes of every statement of one text."""

    def __init__(self, resolver: Resolver, dialect: str) -> None:
        self.r = resolver
        self.dialect = dialect
        self.kinds: list[str] = []
        self.tables: set[str] = set()
        self.writes: set[str] = set()
        self.joins: dict[tuple[str, str, str, tuple[tuple[str, str], ...]], Join] = {}
        self.aggregates: dict[tuple[str, str, str | None, str | None], Aggregate] = {}
        self.dimensions: dict[tuple[str, str | None], tuple[Dimension, grain.Bucket | None]] = {}
        self.filters: dict[tuple[str, str, tuple[object, ...]], Filter] = {}
        self.windows: set[str] = set()
        self.columns: set[ColumnRef] = set()

    # -- statements ------------------------------------------------------------------------------
    def statement(self, statement: exp.Expr) -> None:
        kind = next((k for cls, k in _KINDS.items() if isinstance(statement, cls)), None)
        if kind is None:
            kind = "select" if isinstance(statement, exp.Query) else "other"
        self.kinds.append(kind)
        target = statement.this if kind != "select" else None
        if isinstance(target, exp.Schema):
            target = target.this
        if isinstance(target, exp.Table) and (key := self.r.table_key(target)):
            self.writes.add(key)
        query = statement if isinstance(statement, exp.Query) else statement.args.get("expression")
        if kind in ("update", "delete", "merge"):
            self._dml_reads(statement, target)
        if isinstance(query, exp.Query):
            for scope in traverse_scope(query):
                self.scope(scope)

    def _dml_reads(self, statement: exp.Expr, target: exp.Expr | None) -> None:
        for table in statement.find_all(exp.Table):
            if table is not target and (key := self.r.table_key(table)):
                self.tables.add(key)
        for query in statement.find_all(exp.Select):
            if query.parent_select is None:
                for scope in traverse_scope(query):
                    self.scope(scope)

    # -- one scope -------------------------------------------------------------------------------
    def scope(self, scope: Scope) -> None:
        for source in scope.sources.values():
            if isinstance(source, exp.Table) and (key := self.r.table_key(source)):
                self.tables.add(key)
        select = scope.expression
        aliases = _alias_names(select) if isinstance(select, exp.Select) else set()
        for col in scope.columns:
            if not col.table and col.name.lower() in aliases:
                continue
            ref = column_ref(self.r.column(scope, col))
            if ref is not None and ref.table is not None:
                self.columns.add(ref)
        if not isinstance(select, exp.Select):
            return
        self._joins(scope, select)
        self._aggregates(scope, select)
        self._group_by(scope, select)
        where = select.args.get("where")
        if where is not None:
            for pred in conjuncts(where.this):
                self._in_subquery(scope, pred)
            for pred in conjuncts(self.r.expand(scope, where.this)):
                pair = join_pair(pred)
                if pair is not None:
                    self._add_join(pair[0], pair[1], "implicit", replace=False)
                else:
                    self._add_filter(pred)

    def _in_subquery(self, scope: Scope, pred: exp.Expr) -> None:
        """``col [NOT] IN (SELECT other FROM …)``: a semi (anti) join edge between the two tables."""
        negated = isinstance(pred, exp.Not)
        node = pred.this if negated else pred
        if not isinstance(node, exp.In) or not isinstance(node.this, exp.Column):
            return
        query = node.args.get("query")
        inner_select = query.this if isinstance(query, exp.Subquery) else query
        if not isinstance(inner_select, exp.Select) or len(inner_select.expressions) != 1:
            return
        sub = next((s for s in scope.subquery_scopes if s.expression is inner_select), None)
        if sub is None:
            return
        outer = column_ref(self.r.column(scope, node.this))
        projected = self.r.output(sub, inner_select.expressions[0].alias_or_name.lower())
        inner = column_ref(projected) if projected is not None else None
        if outer is None or inner is None or not outer.table or not inner.table or outer.table == inner.table:
            return
        self._add_join(outer, inner, "anti" if negated else "semi", replace=False)

    def _joins(self, scope: Scope, select: exp.Select) -> None:
        from_ = select.args.get("from_") or select.args.get("from")
        prior: list[exp.Table | Scope] = []
        if isinstance(from_, exp.From):
            first = scope.sources.get(from_.this.alias_or_name)
            if first is not None:
                prior.append(first)
        for join in select.args.get("joins") or ():
            source = scope.sources.get(join.this.alias_or_name)
            kind = _join_kind(join)
            joined = self.r.base_tables(source) if source is not None else set()
            pairs: list[tuple[ColumnRef, ColumnRef]] = []
            on = join.args.get("on")
            if on is not None:
                for pred in conjuncts(self.r.expand(scope, on)):
                    pair = join_pair(pred)
                    if pair is not None:
                        pairs.append(pair)
                    else:
                        self._add_filter(pred)
            for ident in join.args.get("using") or ():
                pair = self._using_pair(scope, prior, join.this.alias_or_name, ident.name.lower())
                if pair is not None:
                    pairs.append(pair)
            for a, b in pairs:
                outer, inner = (b, a) if a.table in joined and b.table not in joined else (a, b)
                self._add_join(outer, inner, kind)
            if not pairs and kind == "cross" and isinstance(source, exp.Table) and prior:
                left = prior[0]
                if isinstance(left, exp.Table):
                    a_key, b_key = self.r.table_key(left), self.r.table_key(source)
                    if a_key and b_key and a_key != b_key:
                        lo, hi = sorted((a_key, b_key))
                        self.joins.setdefault((lo, hi, "cross", ()), Join(lo, hi, "cross"))
            if source is not None:
                prior.append(source)

    def _using_pair(
        self, scope: Scope, prior: list[exp.Table | Scope], alias: str, name: str
    ) -> tuple[ColumnRef, ColumnRef] | None:
        right = column_ref(self.r.column(scope, exp.column(name, table=alias)))
        for source in prior:
            if isinstance(source, exp.Table):
                key = self.r.table_key(source)
                left = ColumnRef(key, name) if key else None
            else:
                out = self.r.output(source, name) if self.r.provides(source, name) else None
                left = column_ref(out) if out is not None else None
            if (
                left is not None
                and right is not None
                and left.table
                and right.table
                and left.table != right.table
            ):
                return left, right
        return None

    def _add_join(self, outer: ColumnRef, inner: ColumnRef, kind: str, *, replace: bool = True) -> None:
        left, right = outer.table, inner.table
        if left is None or right is None:
            return
        if left > right:
            outer, inner, left, right = inner, outer, right, left
            kind = {"left": "right", "right": "left"}.get(kind, kind)
        if not replace and any(k[0] == left and k[1] == right for k in self.joins):
            return
        existing = next((k for k in self.joins if k[0] == left and k[1] == right and k[2] == kind), None)
        pair = (outer.key, inner.key)
        pairs = tuple(sorted({*(existing[3] if existing else ()), pair}))
        if existing:
            del self.joins[existing]
        condition = " AND ".join(f"{a} = {b}" for a, b in pairs)
        self.joins[(left, right, kind, pairs)] = Join(left, right, kind, pairs, condition)

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
            key, Aggregate(func, expr, table, tuple(sorted(set(columns), key=_ref_key)), cond_text, filters)
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

    def _add_filter(self, pred: exp.Expr) -> None:
        found = filter_of(pred, self.dialect)
        if found is not None:
            self.filters.setdefault((found.expr, found.op, found.values), found)

    # -- result ----------------------------------------------------------------------------------
    def facts(self, sql: str, fp: str, normalized: str) -> QueryFacts:
        dims: list[Dimension] = []
        buckets = [b for _, b in self.dimensions.values() if b is not None]
        for dim, bucket in self.dimensions.values():
            if bucket is None:
                dims.append(dim)
                continue
            arg = sql_text(bucket.arg, self.dialect)
            label = grain.label(bucket, [b for b in buckets if sql_text(b.arg, self.dialect) == arg])
            dims.append(Dimension(dim.column, dim.expr, label))
        kinds = [k for k in self.kinds if k != "other"] or self.kinds
        return QueryFacts(
            sql=sql,
            dialect=self.dialect,
            ok=True,
            fingerprint=fp,
            normalized=normalized,
            kind=kinds[0] if kinds else "other",
            tables=tuple(sorted(self.tables - (self.writes if "select" not in self.kinds else set()))),
            writes=tuple(sorted(self.writes)),
            joins=tuple(self.joins.values()),
            aggregates=tuple(self.aggregates.values()),
            dimensions=tuple(dims),
            filters=tuple(self.filters.values()),
            grain=grain.finest([d.grain for d in dims if d.grain]),
            windows=tuple(sorted(self.windows)),
            columns=tuple(sorted(self.columns, key=_ref_key)),
        )


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


def _alias_names(select: exp.Select) -> set[str]:
    """Output aliases that are not simply the name of the column they select."""
    out: set[str] = set()
    for p in select.expressions:
        if isinstance(p, exp.Alias) and not (isinstance(p.this, exp.Column) and p.this.name == p.alias):
            out.add(p.alias.lower())
    return out


def _ref_key(ref: ColumnRef) -> tuple[str, str]:
    return (ref.table or "", ref.name)


def _join_kind(join: exp.Join) -> str:
    side = (join.side or "").lower()
    kind = (join.kind or "").lower()
    if kind in ("semi", "anti"):
        return kind
    if side in ("left", "right", "full"):
        return side
    if kind == "cross":
        return "cross"
    if join.args.get("on") is None and not join.args.get("using"):
        return "comma" if not kind else "cross"
    return "inner"


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
