"""The usage facts the analyzer extracts from one SQL statement: plain, frozen, JSON-ready values.

Names of tables and columns are lower-cased and schema-qualified (``schema.table``), so facts from
different dialects and from our own compiled SQL meet on the same keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Value = str | int | float | bool | None


@dataclass(frozen=True, order=True)
class ColumnRef:
    """A column of a base table, resolved through aliases, CTEs and subqueries.

    Attributes:
        table: The table key (``schema.table``), or ``None`` when the column could not be tied to one
            table (an unqualified column in a multi-table query without a schema).
        name: The column name, lower-cased.
    """

    table: str | None
    name: str

    @property
    def key(self) -> str:
        """``schema.table.column`` (or just the column name when the table is unknown)."""
        return f"{self.table}.{self.name}" if self.table else self.name


@dataclass(frozen=True)
class Join:
    """A join between two base tables, oriented so that ``left < right``.

    Attributes:
        left: Table key of one side.
        right: Table key of the other side.
        kind: ``inner``, ``left``, ``right``, ``full``, ``cross``, ``semi``, ``anti`` or ``implicit``
            (a comma join whose condition sits in ``WHERE``). ``left``/``right`` follow the orientation.
        pairs: Equality pairs ``(left column, right column)`` of the condition.
        condition: The condition with base-table qualifiers, e.g.
            ``main.orders.customer_id = main.customers.customer_id``.
    """

    left: str
    right: str
    kind: str
    pairs: tuple[tuple[str, str], ...] = ()
    condition: str = ""


@dataclass(frozen=True)
class Filter:
    """A predicate ``column op literal`` from ``WHERE`` or a join condition.

    Attributes:
        column: The base column, or ``None`` when the left side is an expression over several columns.
        expr: The left side in base-table terms.
        op: ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``in``, ``not in``, ``between``, ``like``,
            ``not like``, ``is null``, ``is not null``.
        values: Literal values (Python values; dates as ISO text). ``?`` marks a bind parameter;
            a non-literal right side is kept as its SQL text.
        is_time: True when the values are dates or times, or the column is time-truncated.
    """

    column: ColumnRef | None
    expr: str
    op: str
    values: tuple[Value, ...] = ()
    is_time: bool = False


@dataclass(frozen=True)
class Aggregate:
    """An aggregate over a column expression: a candidate measure.

    Attributes:
        func: ``sum``, ``count``, ``count_distinct``, ``average``, ``min``, ``max``, ``median``,
            ``percentile`` or the lower-cased SQL name of any other aggregate function.
        expr: The argument in terms of base-table columns without qualifiers (``amount``,
            ``quantity * unit_price``, ``*`` for ``COUNT(*)``).
        table: The one base table all its columns come from, else ``None``.
        columns: The base columns it reads.
        condition: For ``SUM(CASE WHEN c THEN x END)`` / ``COUNT_IF`` / ``FILTER (WHERE c)``, the condition.
        filters: The condition's predicates as filters (when they are column-versus-literal).
    """

    func: str
    expr: str
    table: str | None
    columns: tuple[ColumnRef, ...] = ()
    condition: str | None = None
    filters: tuple[Filter, ...] = ()


@dataclass(frozen=True)
class Dimension:
    """Something the query groups by.

    Attributes:
        column: The base column, when the group-by is one column (possibly truncated to a grain).
        expr: The group-by expression in base-table terms.
        grain: ``day``/``week``/``month``/``quarter``/``year`` (or ``hour``…) when it buckets time.
    """

    column: ColumnRef | None
    expr: str
    grain: str | None = None


@dataclass(frozen=True)
class QueryFacts:
    """Everything learned from one statement. ``ok`` is False when it could not be parsed.

    Attributes:
        sql: The statement text as given.
        dialect: The dialect it was read in.
        ok: Whether it parsed.
        error: Why it did not parse (or why analysis stopped), else ``None``.
        fingerprint: 16 hex digits identifying the normalized statement with literals masked.
        normalized: The normalized text the fingerprint hashes.
        kind: ``select``, ``insert``, ``create``, ``update``, ``delete``, ``merge`` or ``other``.
        tables: Base tables read, sorted.
        writes: Tables written (``INSERT``, ``CREATE … AS``, ``UPDATE``…), sorted.
        joins: Join edges between base tables.
        aggregates: Aggregates outside window functions (candidate measures).
        dimensions: Group-by items (candidate dimensions).
        filters: Column-versus-literal predicates.
        grain: The finest time grain the query buckets by, else ``None``.
        windows: Names of window functions used.
        columns: Every base column referenced, sorted.
    """

    sql: str
    dialect: str
    ok: bool
    fingerprint: str
    normalized: str
    error: str | None = None
    kind: str = "other"
    tables: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    joins: tuple[Join, ...] = ()
    aggregates: tuple[Aggregate, ...] = ()
    dimensions: tuple[Dimension, ...] = ()
    filters: tuple[Filter, ...] = ()
    grain: str | None = None
    windows: tuple[str, ...] = ()
    columns: tuple[ColumnRef, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (``from_dict`` reads it back)."""
        return {
            "sql": self.sql,
            "dialect": self.dialect,
            "ok": self.ok,
            "fingerprint": self.fingerprint,
            "normalized": self.normalized,
            "error": self.error,
            "kind": self.kind,
            "tables": list(self.tables),
            "writes": list(self.writes),
            "joins": [
                {"left": j.left, "right": j.right, "kind": j.kind, "pairs": [list(p) for p in j.pairs]}
                | {"condition": j.condition}
                for j in self.joins
            ],
            "aggregates": [
                {
                    "func": a.func,
                    "expr": a.expr,
                    "table": a.table,
                    "columns": [_col(c) for c in a.columns],
                    "condition": a.condition,
                    "filters": [_filter(f) for f in a.filters],
                }
                for a in self.aggregates
            ],
            "dimensions": [
                {"column": _col(d.column), "expr": d.expr, "grain": d.grain} for d in self.dimensions
            ],
            "filters": [_filter(f) for f in self.filters],
            "grain": self.grain,
            "windows": list(self.windows),
            "columns": [_col(c) for c in self.columns],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QueryFacts:
        """The facts ``to_dict`` produced."""
        return cls(
            sql=data["sql"],
            dialect=data["dialect"],
            ok=data["ok"],
            fingerprint=data["fingerprint"],
            normalized=data["normalized"],
            error=data.get("error"),
            kind=data.get("kind", "other"),
            tables=tuple(data.get("tables", ())),
            writes=tuple(data.get("writes", ())),
            joins=tuple(
                Join(j["left"], j["right"], j["kind"], tuple(tuple(p) for p in j["pairs"]), j["condition"])  # type: ignore[misc]
                for j in data.get("joins", ())
            ),
            aggregates=tuple(
                Aggregate(
                    a["func"],
                    a["expr"],
                    a["table"],
                    tuple(c for c in map(_uncol, a["columns"]) if c is not None),
                    a.get("condition"),
                    tuple(_unfilter(f) for f in a.get("filters", ())),
                )
                for a in data.get("aggregates", ())
            ),
            dimensions=tuple(
                Dimension(_uncol(d["column"]), d["expr"], d["grain"]) for d in data.get("dimensions", ())
            ),
            filters=tuple(_unfilter(f) for f in data.get("filters", ())),
            grain=data.get("grain"),
            windows=tuple(data.get("windows", ())),
            columns=tuple(c for c in map(_uncol, data.get("columns", ())) if c is not None),
        )


def _col(ref: ColumnRef | None) -> list[str | None] | None:
    return None if ref is None else [ref.table, ref.name]


def _uncol(value: list[str | None] | None) -> ColumnRef | None:
    if value is None:
        return None
    table, name = value
    return ColumnRef(table, str(name))


def _filter(f: Filter) -> dict[str, Any]:
    return {
        "column": _col(f.column),
        "expr": f.expr,
        "op": f.op,
        "values": list(f.values),
        "is_time": f.is_time,
    }


def _unfilter(f: dict[str, Any]) -> Filter:
    return Filter(_uncol(f["column"]), f["expr"], f["op"], tuple(f["values"]), bool(f["is_time"]))
