"""Rules whose column predicates cannot hold together ("Only invoices paid on or before their due date" and
"Only invoices paid after their due date": ``paid_at <= due_at`` and ``paid_at > due_at``).

A rule comparing two columns, or a column with a number, is read into a predicate on the source's table
(``Read.column_sql``, built by sqlglot, never from the rule's text). Such predicates go into a new measure's
expression, so two that exclude each other would make a metric of nothing but zeros: a contradiction the
person must resolve, never a metric. Each predicate is parsed back with sqlglot; a comparison of two columns
allows some of the three orders (less, equal, greater) of the pair, a comparison with a number an interval of
the column; two rules whose allowed orders or intervals share nothing clash. Anything else (a function, an
``or``) is not judged.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlglot
from sqlglot import exp

#: The orders of (left, right) each operator allows: -1 less, 0 equal, 1 greater.
_ORDERS: dict[type[exp.Expression], frozenset[int]] = {
    exp.LT: frozenset({-1}),
    exp.LTE: frozenset({-1, 0}),
    exp.EQ: frozenset({0}),
    exp.GTE: frozenset({0, 1}),
    exp.GT: frozenset({1}),
    exp.NEQ: frozenset({-1, 1}),
}
_ALL = frozenset({-1, 0, 1})


def _atoms(sql: str) -> list[tuple[str, str | float, frozenset[int]]] | None:
    """The predicate as (column, column or number, allowed orders) conjuncts; None when it is not only
    comparisons of columns and numbers joined by ``and``.
    """
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError:
        return None
    out: list[tuple[str, str | float, frozenset[int]]] = []
    for part in tree.flatten() if isinstance(tree, exp.And) else [tree]:
        atom = _atom(part) if isinstance(part, exp.Expression) else None
        if atom is None:
            return None
        out.append(atom)
    return out


def _atom(node: exp.Expression) -> tuple[str, str | float, frozenset[int]] | None:
    negated = False
    while isinstance(node, exp.Not | exp.Paren):
        negated ^= isinstance(node, exp.Not)
        node = node.this
    orders = _ORDERS.get(type(node))
    if orders is None:
        return None
    left, right = _side(node.this), _side(node.expression)
    if left is None or right is None:
        return None
    if negated:
        orders = _ALL - orders
    if isinstance(left, float) and isinstance(right, str):
        left, right, orders = right, left, frozenset(-o for o in orders)
    if not isinstance(left, str):
        return None
    if isinstance(right, str) and right < left:  # one order of each pair of columns
        left, right, orders = right, left, frozenset(-o for o in orders)
    return left, right, orders


def _side(node: exp.Expression) -> str | float | None:
    if isinstance(node, exp.Column):
        return node.name.lower()
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Column):  # a timestamp compared as a date
        return node.sql(dialect="duckdb").lower()
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and node.this.is_number:
        return -float(node.this.this)
    if isinstance(node, exp.Literal) and node.is_number:
        return float(node.this)
    return None


def _numbers_meet(bounds: list[tuple[float, frozenset[int]]]) -> bool:
    """Some number satisfies every (constant, allowed orders of the column against it)."""
    points = sorted({b for b, _ in bounds})
    probes = [points[0] - 1, points[-1] + 1, *points]
    probes += [(a + b) / 2 for a, b in zip(points, points[1:], strict=False)]
    for x in probes:
        if all(((x > b) - (x < b)) in orders for b, orders in bounds):
            return True
    return False


def column_clash(predicates: Iterable[tuple[str, str]]) -> str | None:
    """Why (rule text, column predicate) pairs cannot all hold, or None."""
    pairs: dict[tuple[str, str], tuple[frozenset[int], str]] = {}
    numbers: dict[str, list[tuple[float, frozenset[int], str]]] = {}
    for text, sql in predicates:
        for left, right, orders in _atoms(sql) or ():
            if isinstance(right, str):
                prev = pairs.get((left, right))
                if prev is not None and not prev[0] & orders:
                    return f"rules {prev[1]!r} and {text!r} cannot both hold ({left} against {right})"
                pairs[(left, right)] = ((prev[0] & orders) if prev else orders, text)
                continue
            said = numbers.setdefault(left, [])
            said.append((right, orders, text))
            if not _numbers_meet([(b, o) for b, o, _ in said]):
                first = next(t for _, _, t in said if t != text) if len({t for *_, t in said}) > 1 else text
                return f"rules {first!r} and {text!r} leave no value of {left}"
    return None
