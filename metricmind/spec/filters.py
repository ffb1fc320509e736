"""Where filters: MetricFlow's Jinja syntax or plain comparisons, parsed with sqlglot and checked.

Untrusted text never reaches SQL as text. A filter is parsed into a sqlglot expression; only a small,
known set of node types and functions is allowed; every column must be a reference
(``{{ Dimension('customer__segment') }}`` or a bare ``customer__segment``) that the compiler later
resolves against the semantic model. ``1 = 1; DROP TABLE x`` is refused, not pasted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from metricmind.errors import FilterError
from metricmind.spec.expressions import PARSE_FAILURES
from metricmind.spec.names import NameError_, Ref, parse_call, split

_JINJA = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
PLACEHOLDER = "__mm_ref_"

_ALLOWED: tuple[type[exp.Expr], ...] = (
    exp.And,
    exp.Or,
    exp.Not,
    exp.Paren,
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
    exp.Literal,
    exp.Boolean,
    exp.Null,
    exp.Column,
    exp.Identifier,
    exp.Tuple,
    exp.Neg,
    exp.Add,
    exp.Sub,
    exp.Mul,
    exp.Div,
    exp.Mod,
    exp.Cast,
    exp.TryCast,
    exp.DataType,
    exp.DataTypeParam,
    exp.Case,
    exp.If,
    exp.Interval,
    exp.Var,
    exp.Array,
    exp.Lower,
    exp.Upper,
    exp.Trim,
    exp.Coalesce,
    exp.Abs,
    exp.Round,
    exp.Length,
    exp.Substring,
    exp.Concat,
    exp.DateTrunc,
    exp.TimestampTrunc,
    exp.Extract,
    exp.CurrentDate,
    exp.CurrentTimestamp,
    exp.DateAdd,
    exp.DateSub,
    exp.TsOrDsToDate,
    exp.StrToDate,
    exp.Date,
    exp.Year,
    exp.Month,
    exp.Day,
    exp.Quarter,
    exp.Week,
    exp.DayOfWeek,
    exp.Distinct,
    exp.Escape,
    exp.SimilarTo,
    exp.RegexpLike,
    exp.Least,
    exp.Greatest,
)


@dataclass(frozen=True)
class ParsedWhere:
    """A checked filter: a sqlglot condition whose columns are placeholders for ``refs``."""

    text: str
    condition: exp.Expr
    refs: dict[str, Ref]

    def __post_init__(self) -> None:
        # A filter that is one boolean dimension (``{{ Dimension('booking__is_instant') }}``) would be a
        # bare column: the compiler replaces references in place, which cannot replace the root node,
        # so the placeholder reached the SQL. In parentheses the column always has a parent.
        if isinstance(self.condition, exp.Column):
            object.__setattr__(self, "condition", exp.Paren(this=self.condition.copy()))


def parse_where(text: str, dialect: str = "duckdb") -> ParsedWhere:
    """Parse and check one filter; raises ``FilterError`` that says what is wrong and how to fix it."""
    if "{%" in text or "{#" in text:
        raise FilterError(
            f"filter {text!r} uses Jinja statements or comments",
            hint="Only {{ Dimension(...) }}, {{ TimeDimension(...) }}, {{ Entity(...) }} and "
            "{{ Metric(...) }} are allowed.",
        )
    refs: dict[str, Ref] = {}

    def replace(match: re.Match[str]) -> str:
        try:
            ref = parse_call(match.group(1))
        except (NameError_, ValueError) as exc:
            raise FilterError(
                f"filter {text!r}: {exc}",
                hint="Write {{ Dimension('entity__dimension') }} with the name in quotes.",
            ) from exc
        key = f"{PLACEHOLDER}{len(refs)}"
        refs[key] = ref
        return key

    sql = _JINJA.sub(replace, text)
    if "{{" in sql or "}}" in sql:
        raise FilterError(f"filter {text!r} has an unclosed '{{{{'", hint="Close every {{ with }}.")
    try:
        statements = sqlglot.parse(f"SELECT 1 WHERE {sql}", read=dialect)
    except PARSE_FAILURES as exc:  # text that is not a condition, however sqlglot says so
        raise FilterError(
            f"filter {text!r} is not a valid SQL condition: {_first_error(exc)}",
            hint="Check quotes and parentheses, e.g. {{ Dimension('customer__segment') }} = 'SMB'.",
        ) from exc
    select = statements[0] if len(statements) == 1 else None
    if not isinstance(select, exp.Select) or set(k for k, v in select.args.items() if v) - {
        "expressions",
        "where",
    }:
        raise FilterError(
            f"filter {text!r} is not a single condition",
            hint="A filter is one boolean expression; statements, ';' and clauses are not allowed.",
        )
    condition = select.args["where"].this
    for node in condition.walk():
        if node.error_messages():  # e.g. 'x = @': '@' alone parses as ABS() with no argument
            raise FilterError(
                f"filter {text!r} is not a valid SQL condition: {node.error_messages()[0]}",
                hint="Check the operators and their operands.",
            )
        if not isinstance(node, _ALLOWED):
            raise FilterError(
                f"filter {text!r}: {node.key.upper()} ({node.sql(dialect)[:40]!r}) is not allowed in filters",
                hint="Filters compare dimensions with values: =, <>, <, >, IN, BETWEEN, LIKE, IS NULL, "
                "AND, OR, NOT and simple functions.",
            )
        if isinstance(node, exp.Column):
            if node.table:
                raise FilterError(
                    f"filter {text!r}: '{node.sql(dialect)}' names a table",
                    hint="Refer to dimensions by entity path: {{ Dimension('customer__segment') }}.",
                )
            if not node.name.startswith(PLACEHOLDER):
                try:
                    ref = split(node.name)
                except NameError_ as exc:
                    raise FilterError(f"filter {text!r}: {exc}") from exc
                key = f"{PLACEHOLDER}{len(refs)}"
                refs[key] = ref
                node.set("this", exp.to_identifier(key))
    if not condition.find(exp.Column) and not isinstance(condition, exp.Boolean):
        raise FilterError(
            f"filter {text!r} does not refer to any dimension",
            hint="Name a dimension, e.g. {{ Dimension('customer__segment') }} = 'SMB'.",
        )
    return ParsedWhere(text, condition, refs)


def _first_error(exc: Exception) -> str:
    if isinstance(exc, sqlglot.errors.TokenError):
        return "a comment (/*) or a quoted string is not closed"
    if isinstance(exc, sqlglot.errors.ParseError) and exc.errors:
        err = exc.errors[0]
        return str(err.get("description") or exc)
    return str(exc).splitlines()[0]
