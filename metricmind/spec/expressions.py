"""SQL expressions in the YAML and in drafts, checked against an allow-list before they reach SQL.

Every expression a person writes — a measure's, dimension's or entity's ``expr``, a derived metric's
``expr`` — is parsed with sqlglot and accepted only when **every node** of its tree is one of a short list
of known-harmless kinds: references to known inputs (bare column names; for a derived metric only its
input metrics), literals, arithmetic, comparisons, boolean logic, ``CASE``/``IF``, casts, and the scalar
functions listed in :data:`SCALAR_FUNCTIONS`. Anything else — a subquery, a table function such as
``read_text('/etc/passwd')`` or ``glob()``, ``COLUMNS(...)``, ``*``, a qualified name, a window or
aggregate function, a parameter, an unknown function — is refused with the node that failed. This is an
allow-list: a construct sqlglot learns tomorrow is refused until it is listed here.

>>> check("amount / 100.0", "duckdb", what="measure 'revenue'").sql()
'amount / 100.0'
>>> check("revenue - costs", "duckdb", inputs={"revenue", "costs"}).sql()
'revenue - costs'
"""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache

import sqlglot
from sqlglot import exp

from metricmind.errors import ExpressionError

#: Operators, literals and structure: the grammar of a scalar expression.
STRUCTURE: tuple[type[exp.Expr], ...] = (
    exp.Paren,
    exp.And,
    exp.Or,
    exp.Not,
    exp.Xor,
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.NullSafeEQ,
    exp.NullSafeNEQ,
    exp.Is,
    exp.In,
    exp.Between,
    exp.Like,
    exp.ILike,
    exp.Escape,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.IntDiv,
    exp.Mod,
    exp.Neg,
    exp.DPipe,
    exp.Literal,
    exp.Boolean,
    exp.Null,
    exp.Tuple,
    exp.Column,
    exp.Case,
    exp.If,
    exp.Cast,
    exp.TryCast,
    exp.DataType,
    exp.DataTypeParam,
    exp.Interval,
)

#: Scalar functions an expression may call (row-level, no I/O, no state). Documented in docs/security.md.
SCALAR_FUNCTIONS: tuple[type[exp.Expr], ...] = (
    # numbers
    exp.Abs,
    exp.Round,
    exp.Ceil,
    exp.Floor,
    exp.Trunc,
    exp.Sqrt,
    exp.Pow,
    exp.Ln,
    exp.Log,
    exp.Exp,
    exp.Sign,
    exp.SafeDivide,
    exp.Greatest,
    exp.Least,
    # nulls
    exp.Coalesce,
    exp.Nullif,
    # text
    exp.Lower,
    exp.Upper,
    exp.Initcap,
    exp.Trim,
    exp.Length,
    exp.Substring,
    exp.Left,
    exp.Right,
    exp.Concat,
    exp.ConcatWs,
    exp.Replace,
    exp.Reverse,
    exp.StrPosition,
    exp.SplitPart,
    exp.RegexpLike,
    exp.RegexpReplace,
    exp.RegexpExtract,
    exp.SimilarTo,
    # dates and times
    exp.CurrentDate,
    exp.CurrentTimestamp,
    exp.Date,
    exp.DateTrunc,
    exp.TimestampTrunc,
    exp.DatetimeTrunc,
    exp.Extract,
    exp.DateAdd,
    exp.DateSub,
    exp.DateDiff,
    exp.TsOrDsAdd,
    exp.TsOrDsDiff,
    exp.TsOrDsToDate,
    exp.DateStrToDate,
    exp.DateFromParts,
    exp.StrToDate,
    exp.StrToTime,
    exp.TimeStrToTime,
    exp.TimeToStr,
    exp.TimeToUnix,
    exp.UnixToTime,
    exp.LastDay,
    exp.Year,
    exp.Quarter,
    exp.Month,
    exp.Week,
    exp.WeekOfYear,
    exp.Day,
    exp.DayOfMonth,
    exp.DayOfWeek,
    exp.DayOfYear,
)

ALLOWED: tuple[type[exp.Expr], ...] = STRUCTURE + SCALAR_FUNCTIONS

#: A bare keyword (``day`` in ``date_trunc('day', x)``, ``INTERVAL 1 MONTH``) is allowed only as a unit.
_UNIT_PARENTS: tuple[type[exp.Expr], ...] = (
    exp.Interval,
    exp.Extract,
    exp.DateTrunc,
    exp.TimestampTrunc,
    exp.DatetimeTrunc,
    exp.DateAdd,
    exp.DateSub,
    exp.DateDiff,
    exp.TsOrDsAdd,
    exp.TsOrDsDiff,
    exp.DataType,
    exp.DataTypeParam,
)

#: What sqlglot's parser raises on text that is not SQL: its own errors (``ParseError``; ``TokenError`` for
#: an unterminated ``/*`` or quote) and, on fragments such as ``->`` or ``*{:}``, plain ``TypeError`` or
#: ``AttributeError``. Every checker of untrusted text catches exactly these (expressions and filters).
PARSE_FAILURES: tuple[type[Exception], ...] = (
    sqlglot.errors.SqlglotError,
    TypeError,
    ValueError,
    IndexError,
    AttributeError,
    RecursionError,
)

_HINT = (
    "An expression may use column names, literals, arithmetic, comparisons, AND/OR/NOT, CASE, CAST and "
    "the scalar functions listed in docs/security.md; subqueries, table functions, COLUMNS(), *, "
    "aggregates, window functions and qualified names are not allowed."
)


def check(
    sql: str,
    dialect: str,
    *,
    inputs: Collection[str] | None = None,
    what: str = "expression",
) -> exp.Expr:
    """Parse ``sql`` as one scalar expression and check it against the allow-list.

    Args:
        sql: The expression text.
        dialect: The sqlglot dialect to read it in.
        inputs: The names it may refer to (a derived metric's inputs); ``None`` allows any bare,
            unqualified column name (a semantic model's columns, which the warehouse knows).
        what: What the expression belongs to, for messages (``"measure 'revenue'"``).

    Returns:
        A fresh copy of the checked tree (callers may modify it).

    Raises:
        ExpressionError: The text does not parse, is not one expression, or contains a node outside the
            allow-list, or names something that is not an input.
    """
    key = frozenset(inputs) if inputs is not None else None
    return _checked(sql, dialect, key, what).copy()


@lru_cache(maxsize=4096)
def _checked(sql: str, dialect: str, inputs: frozenset[str] | None, what: str) -> exp.Expr:
    tree = _parse_one(sql, dialect, what)
    for node in tree.walk():
        _check_node(node, sql, dialect, inputs, what)
    return tree


def _parse_one(sql: str, dialect: str, what: str) -> exp.Expr:
    if not sql.strip():
        raise ExpressionError(f"{what}: the expression is empty", hint="Write a column name or expression.")
    try:
        statements = sqlglot.parse(f"SELECT {sql}", read=dialect)
    except PARSE_FAILURES as exc:
        raise ExpressionError(
            f"{what}: {sql!r} is not a valid SQL expression ({_first_error(exc)})",
            hint="Check quotes and parentheses.",
        ) from exc
    select = statements[0] if len(statements) == 1 else None
    if (
        not isinstance(select, exp.Select)
        or {k for k, v in select.args.items() if v} != {"expressions"}
        or len(select.expressions) != 1
    ):
        raise ExpressionError(
            f"{what}: {sql!r} is not a single expression",
            hint="Write one expression; statements, ';', aliases and clauses are not allowed.",
        )
    tree: exp.Expr = select.expressions[0]
    if isinstance(tree, exp.Alias):
        raise ExpressionError(f"{what}: {sql!r} has an alias (AS …)", hint="Remove the alias.")
    tree.pop()
    return tree


def _check_node(node: exp.Expr, sql: str, dialect: str, inputs: frozenset[str] | None, what: str) -> None:
    missing = node.error_messages()
    if missing:  # e.g. '@' alone parses as ABS() with no argument
        raise ExpressionError(
            f"{what}: {sql!r} is not a valid SQL expression ({missing[0]})",
            hint="Check the operators and their operands.",
        )
    if isinstance(node, exp.Identifier):
        if isinstance(node.parent, exp.Column):
            return
    elif isinstance(node, exp.Var):
        if isinstance(node.parent, _UNIT_PARENTS):
            return
    elif isinstance(node, ALLOWED):
        if isinstance(node, exp.Column):
            _check_column(node, sql, dialect, inputs, what)
        return
    shown = node.sql(dialect)[:60]
    kind = node.name if isinstance(node, exp.Anonymous) else node.key.upper()
    raise ExpressionError(
        f"{what}: {kind} ({shown!r}) is not allowed in an expression",
        hint=_HINT,
    )


def _check_column(node: exp.Column, sql: str, dialect: str, inputs: frozenset[str] | None, what: str) -> None:
    if node.table or node.args.get("db") or node.args.get("catalog"):
        raise ExpressionError(
            f"{what}: {node.sql(dialect)!r} is a qualified name",
            hint="Refer to columns (or input metrics) by their bare name.",
        )
    if not isinstance(node.this, exp.Identifier):
        raise ExpressionError(f"{what}: {node.sql(dialect)!r} is not a column name", hint=_HINT)
    if inputs is not None and node.name not in inputs:
        names = ", ".join(sorted(inputs)) or "none"
        raise ExpressionError(
            f"{what} uses {node.name!r}, which is not one of its input metrics ({names})",
            hint="A derived metric's expr may use only the metrics listed under type_params.metrics "
            "(or their aliases).",
        )


def _first_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if errors:
        return str(errors[0].get("description") or exc)
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


__all__ = ["ALLOWED", "PARSE_FAILURES", "SCALAR_FUNCTIONS", "STRUCTURE", "check"]
