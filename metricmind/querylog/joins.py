"""Join edges: explicit joins (``ON`` and ``USING``), implicit ones (``WHERE a.x = b.y``) and semi/anti
joins written as ``col [NOT] IN (SELECT …)``; each edge is kept once per table pair and kind.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from metricmind.querylog.collected import Collected
from metricmind.querylog.facts import ColumnRef, Join
from metricmind.querylog.predicates import column_ref, conjuncts, join_pair


class Joins(Collected):
    """Collects the join edges of a scope."""

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
