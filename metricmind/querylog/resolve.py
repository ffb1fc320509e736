"""Column resolution: tie every column of a scope to the base-table columns behind it.

A column may name a table alias, a CTE, a derived table or a ``UNION``; the resolver follows the
projection it names down to base tables and returns the expression in base terms, where each column
carries the table key (``schema.table``) as its qualifier. Nothing is guessed when two base tables
could own an unqualified column: the column stays unresolved (``table`` is ``None``).
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.errors import ErrorLevel
from sqlglot.optimizer.scope import Scope

Source = exp.Table | Scope


class Resolver:
    """Resolves columns of one statement's scopes; results are memoised per (scope, column)."""

    def __init__(self, default_schema: str | None = None) -> None:
        self.default_schema = default_schema.lower() if default_schema else None
        self._memo: dict[tuple[int, str], exp.Expr | None] = {}
        self._active: set[tuple[int, str]] = set()

    # -- tables ----------------------------------------------------------------------------------
    def table_key(self, table: exp.Table) -> str | None:
        """``schema.table`` in lower case, or ``None`` for table functions and ``VALUES``."""
        if not isinstance(table.this, exp.Identifier):
            return None
        name = table.name.lower()
        schema = (table.db or "").lower() or self.default_schema
        return f"{schema}.{name}" if schema else name

    def base_tables(self, source: Source, _seen: set[int] | None = None) -> set[str]:
        """Every base table a source reads (itself, or everything under a CTE/derived table)."""
        if isinstance(source, exp.Table):
            key = self.table_key(source)
            return {key} if key else set()
        seen = _seen if _seen is not None else set()
        if id(source) in seen:
            return set()
        seen.add(id(source))
        out: set[str] = set()
        selected = [s for _, s in source.selected_sources.values()]
        for child in (*selected, *source.set_operation_scopes):
            out |= self.base_tables(child, seen)
        return out

    # -- columns ---------------------------------------------------------------------------------
    def expand(self, scope: Scope, node: exp.Expr) -> exp.Expr:
        """A copy of ``node`` where every column is replaced by its base-table expression."""
        copy = node.copy()
        replacements: list[tuple[exp.Column, exp.Expr]] = []
        for col in _own_columns(copy):
            replacements.append((col, self.column(scope, col)))
        for col, base in replacements:
            if col is copy:
                return base
            needs_paren = isinstance(base, exp.Binary | exp.Connector | exp.Unary) and isinstance(
                col.parent, exp.Binary | exp.Connector | exp.Unary
            )
            col.replace(exp.Paren(this=base) if needs_paren else base)
        return copy

    def column(self, scope: Scope, col: exp.Column) -> exp.Expr:
        """The base expression of one column (a qualified column, or an expression from a CTE)."""
        name = col.name.lower()
        qualifier = col.table.lower()
        source = self._source(scope, qualifier, name)
        resolved: exp.Expr | None = None
        if isinstance(source, exp.Table):
            key = self.table_key(source)
            resolved = _qualified(name, key) if key else None
        elif isinstance(source, Scope):
            resolved = self.output(source, name)
        if resolved is None:
            return _qualified(name, None)
        return resolved.copy()

    def output(self, scope: Scope, name: str) -> exp.Expr | None:
        """The base expression behind output column ``name`` of a CTE, derived table or union."""
        key = (id(scope), name)
        if key in self._memo:
            return self._memo[key]
        if key in self._active:  # a recursive CTE refers to itself
            return None
        self._active.add(key)
        try:
            result = self._output(scope, name)
        finally:
            self._active.discard(key)
        self._memo[key] = result
        return result

    def provides(self, source: Source, name: str) -> int:
        """Whether a CTE or derived table outputs ``name``: 2 by name, 1 maybe (through ``*``), 0 no."""
        if isinstance(source, exp.Table):
            return 0
        query = source.expression
        if isinstance(query, exp.UDTF):  # UNNEST(...) AS t(x), LATERAL VIEW, table functions
            alias = query.args.get("alias")
            names = [c.name.lower() for c in alias.columns] if isinstance(alias, exp.TableAlias) else []
            return 2 if name in names else (1 if not names else 0)
        if isinstance(query, exp.SetOperation):
            branches = source.set_operation_scopes
            return self.provides(branches[0], name) if branches else 0
        if not isinstance(query, exp.Select):
            return 0
        found = 0
        for projection in query.expressions:
            if isinstance(projection, exp.Star) or (
                isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
            ):
                found = 1
            elif projection.alias_or_name.lower() == name:
                return 2
        return found

    # -- internals -------------------------------------------------------------------------------
    def _output(self, scope: Scope, name: str) -> exp.Expr | None:
        query = scope.expression
        if isinstance(query, exp.SetOperation):
            branches = scope.set_operation_scopes
            return self.output(branches[0], name) if branches else None
        if not isinstance(query, exp.Select):
            return None
        for projection in query.expressions:
            if not isinstance(projection, exp.Star) and projection.alias_or_name.lower() == name:
                inner = projection.this if isinstance(projection, exp.Alias) else projection
                if isinstance(inner, exp.Column) and isinstance(inner.this, exp.Star):
                    continue
                return self.expand(scope, inner)
        for projection in query.expressions:
            if isinstance(projection, exp.Star):
                sources = list(scope.selected_sources.values())
                for _, source in sources:
                    if isinstance(source, exp.Table) and len(sources) == 1:
                        key = self.table_key(source)
                        return _qualified(name, key) if key else None
                    if isinstance(source, Scope) and self.provides(source, name):
                        return self.output(source, name)
            elif isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star):
                found = scope.sources.get(projection.table) or _find(scope.sources, projection.table.lower())
                if isinstance(found, exp.Table):
                    key = self.table_key(found)
                    return _qualified(name, key) if key else None
                if isinstance(found, Scope):
                    return self.output(found, name)
        return None

    def _source(self, scope: Scope, qualifier: str, name: str) -> Source | None:
        current: Scope | None = scope
        while current is not None:
            found = self._source_in(current, qualifier, name)
            if found is not None:
                return found
            current = current.parent if current.can_be_correlated or qualifier else None
        return None

    def _source_in(self, scope: Scope, qualifier: str, name: str) -> Source | None:
        if qualifier:
            return _find(scope.sources, qualifier) or _find_by_table_name(scope.sources, qualifier)
        selected = [source for _, source in scope.selected_sources.values()]
        if len(selected) == 1:
            return selected[0]
        ranked = [(self.provides(s, name), s) for s in selected if isinstance(s, Scope)]
        for level in (2, 1):
            matching = [s for rank, s in ranked if rank == level]
            if len(matching) == 1:
                return matching[0]
        tables = [s for s in selected if isinstance(s, exp.Table)]
        if not any(rank for rank, _ in ranked) and len(tables) == 1:
            return tables[0]  # the derived tables cannot hold it, so the one base table does
        return None


def sql_text(node: exp.Expr, dialect: str) -> str:
    """``node`` rendered in ``dialect``, silently (no warnings for constructs the dialect lacks)."""
    return node.sql(dialect=dialect, unsupported_level=ErrorLevel.IGNORE)


def strip_qualifiers(node: exp.Expr) -> exp.Expr:
    """A copy of ``node`` without table qualifiers on its columns (for measure and dimension text)."""
    copy = node.copy()
    for col in copy.find_all(exp.Column):
        col.set("table", None)
        col.set("db", None)
        col.set("catalog", None)
    return copy


def base_columns(node: exp.Expr) -> list[tuple[str | None, str]]:
    """``(table key, column)`` of every column in an expanded expression."""
    return [
        (_table_of(c), c.name.lower()) for c in node.find_all(exp.Column) if not isinstance(c.this, exp.Star)
    ]


def _table_of(col: exp.Column) -> str | None:
    parts = [p for p in (col.args.get("db"), col.args.get("table")) if p is not None]
    text = ".".join(p.name for p in parts)
    return text or None


def _qualified(name: str, table_key: str | None) -> exp.Column:
    if table_key is None:
        return exp.column(name)
    schema, _, table = table_key.rpartition(".")
    return exp.column(name, table=table, db=schema or None)


def _find(sources: dict[str, Source], alias: str) -> Source | None:
    for key, value in sources.items():
        if key.lower() == alias:
            return value
    return None


def _find_by_table_name(sources: dict[str, Source], name: str) -> Source | None:
    """``orders.amount`` where ``orders`` was aliased, or ``main.orders.amount``."""
    for value in sources.values():
        if isinstance(value, exp.Table) and value.name.lower() == name.split(".")[-1]:
            return value
    return None


def _own_columns(node: exp.Expr) -> list[exp.Column]:
    """Columns of ``node`` itself, not of subqueries nested inside it (they belong to other scopes)."""
    out: list[exp.Column] = []
    for child in node.walk(prune=lambda n: n is not node and isinstance(n, exp.Query)):
        if isinstance(child, exp.Column) and not isinstance(child.this, exp.Star):
            out.append(child)
    return out
