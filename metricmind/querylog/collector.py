"""Walking the statements of one text scope by scope, and turning what was collected into ``QueryFacts``.

A statement's kind (select, insert, update …) and written table are read first; every scope of its
query (and the reads of an ``UPDATE``/``DELETE``/``MERGE``) then adds its tables, columns, joins,
aggregates, group-by items and filters.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.optimizer.scope import Scope, traverse_scope

from metricmind.querylog import grain
from metricmind.querylog.aggregates import Aggregates
from metricmind.querylog.collected import ref_key
from metricmind.querylog.facts import Dimension, QueryFacts
from metricmind.querylog.joins import Joins
from metricmind.querylog.predicates import column_ref, conjuncts, join_pair
from metricmind.querylog.resolve import sql_text

_KINDS: dict[type[exp.Expr], str] = {
    exp.Insert: "insert",
    exp.Create: "create",
    exp.Update: "update",
    exp.Delete: "delete",
    exp.Merge: "merge",
}


class Collector(Joins, Aggregates):
    """Accumulates facts over the scopes of every statement of one text."""

    # -- statements ------------------------------------------------------------------------------
    def statement(self, statement: exp.Expr) -> None:
        """Add one statement: its kind, the table it writes, and every scope it reads."""
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
        """Add one scope: its tables, columns, joins, aggregates, group-by items and filters."""
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

    # -- result ----------------------------------------------------------------------------------
    def facts(self, sql: str, fp: str, normalized: str) -> QueryFacts:
        """What was collected, as the ``QueryFacts`` of ``sql`` (grains labelled, kinds ordered)."""
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
            columns=tuple(sorted(self.columns, key=ref_key)),
        )


def _alias_names(select: exp.Select) -> set[str]:
    """Output aliases that are not simply the name of the column they select."""
    out: set[str] = set()
    for p in select.expressions:
        if isinstance(p, exp.Alias) and not (isinstance(p.this, exp.Column) and p.this.name == p.alias):
            out.add(p.alias.lower())
    return out
