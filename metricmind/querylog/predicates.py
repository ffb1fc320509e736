"""Predicates of expanded expressions: filters (column op literal) and join pairs (column = column).

Every function here takes expressions already expanded by ``Resolver.expand``, so a column's qualifier
is its base table key.
"""

from __future__ import annotations

import re

from sqlglot import exp

from metricmind.querylog import grain
from metricmind.querylog.facts import ColumnRef, Filter, Value
from metricmind.querylog.resolve import sql_text, strip_qualifiers

_COMPARISONS: dict[type[exp.Expr], str] = {
    exp.EQ: "=",
    exp.NEQ: "!=",
    exp.GT: ">",
    exp.GTE: ">=",
    exp.LT: "<",
    exp.LTE: "<=",
    exp.NullSafeEQ: "=",
}
_FLIP = {"=": "=", "!=": "!=", ">": "<", ">=": "<=", "<": ">", "<=": ">="}
_NEGATE = {"like": "not like", "in": "not in", "is null": "is not null", "=": "!=", "between": "not between"}
_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?")
_TIME_NODES = (
    exp.CurrentDate,
    exp.CurrentTimestamp,
    exp.CurrentDatetime,
    exp.Interval,
    exp.DateAdd,
    exp.DateSub,
    exp.TsOrDsAdd,
)
_TIME_TYPES = {
    exp.DataType.Type.DATE,
    exp.DataType.Type.DATETIME,
    exp.DataType.Type.TIMESTAMP,
    exp.DataType.Type.TIMESTAMPTZ,
    exp.DataType.Type.TIMESTAMPLTZ,
}


def conjuncts(node: exp.Expr | None) -> list[exp.Expr]:
    """The ``AND``-ed parts of a condition (parentheses removed)."""
    if node is None:
        return []
    node = node.unnest()
    if isinstance(node, exp.And):
        return [part for child in (node.this, node.expression) for part in conjuncts(child)]
    return [node]


def column_ref(node: exp.Expr) -> ColumnRef | None:
    """The base column of an expanded column node (through casts and parentheses), else ``None``."""
    while isinstance(node, exp.Cast | exp.Paren | exp.TryCast):
        node = node.this
    if not isinstance(node, exp.Column) or isinstance(node.this, exp.Star):
        return None
    parts = [p.name for p in (node.args.get("db"), node.args.get("table")) if p is not None]
    return ColumnRef(".".join(parts).lower() or None, node.name.lower())


def join_pair(pred: exp.Expr) -> tuple[ColumnRef, ColumnRef] | None:
    """``(a, b)`` for ``a = b`` between columns of two different known tables."""
    if not isinstance(pred, exp.EQ):
        return None
    left, right = column_ref(pred.this), column_ref(pred.expression)
    if left is None or right is None or left.table is None or right.table is None:
        return None
    if left.table == right.table:
        return None
    return left, right


def filter_of(pred: exp.Expr, dialect: str) -> Filter | None:
    """The filter a predicate states, or ``None`` when it is not column-versus-literal."""
    negated = isinstance(pred, exp.Not)
    node = pred.this if negated else pred
    node = node.unnest() if isinstance(node, exp.Paren) else node
    op: str | None = None
    target: exp.Expr | None = None
    values: list[exp.Expr] = []
    if isinstance(node, exp.Like | exp.ILike):
        op, target, values = "like", node.this, [node.expression]
    elif isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
        op, target = "is null", node.this
    elif isinstance(node, exp.In):
        if node.args.get("query") is not None or node.args.get("unnest") is not None:
            return None
        op, target, values = "in", node.this, list(node.expressions)
    elif isinstance(node, exp.Between):
        op, target, values = "between", node.this, [node.args["low"], node.args["high"]]
    elif type(node) in _COMPARISONS:
        op = _COMPARISONS[type(node)]
        left, right = node.this, node.expression
        if _has_columns(left) and not _has_columns(right):
            target, values = left, [right]
        elif _has_columns(right) and not _has_columns(left):
            target, values, op = right, [left], _FLIP[op]
    if op is None or target is None or not _has_columns(target) or any(_has_columns(v) for v in values):
        return None
    if target.find(exp.AggFunc) is not None or target.find(exp.Query) is not None:
        return None
    if negated:
        op = _NEGATE.get(op, f"not {op}")
    parsed = [literal(v, dialect) for v in values]
    bucket = grain.detect(target)
    column = column_ref(target) or (column_ref(bucket.arg) if bucket else None)
    is_time = bucket is not None or any(t for _, t in parsed)
    expr = sql_text(strip_qualifiers(target), dialect)
    return Filter(column, expr, op, tuple(v for v, _ in parsed), is_time)


def literal(node: exp.Expr, dialect: str) -> tuple[Value, bool]:
    """A literal's Python value and whether it is a date/time; other expressions as SQL text."""
    node = node.unnest() if isinstance(node, exp.Paren) else node
    if isinstance(node, exp.Literal):
        if node.is_string:
            text = str(node.this)
            return text, bool(_DATE.match(text))
        return _number(str(node.this)), False
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        value = _number(str(node.this.this))
        return (-value if not isinstance(value, str) else f"-{value}"), False
    if isinstance(node, exp.Boolean):
        return bool(node.this), False
    if isinstance(node, exp.Null):
        return None, False
    if isinstance(node, exp.Placeholder | exp.Parameter):
        return "?", False
    if isinstance(node, exp.Cast | exp.TryCast) and isinstance(node.this, exp.Literal):
        inner, is_time = literal(node.this, dialect)
        return inner, is_time or node.to.this in _TIME_TYPES
    if isinstance(node, exp.Date | exp.TsOrDsToDate | exp.StrToDate) and isinstance(node.this, exp.Literal):
        return str(node.this.this), True
    return sql_text(node, dialect), node.find(*_TIME_NODES) is not None


def _number(text: str) -> int | float | str:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def _has_columns(node: exp.Expr) -> bool:
    return any(not isinstance(c.this, exp.Star) for c in node.find_all(exp.Column))
