"""Fingerprints: one short hash per query shape, with literal values masked.

Two statements that differ only in literal values (dates, ids, ``IN`` lists of any length), spacing,
case of keywords and identifiers, comments, or the final ``ORDER BY`` / ``LIMIT`` / ``OFFSET`` of their
result (presentation: a query and its top N compute the same thing) share a fingerprint. Literals that change what a query
means structurally are kept: a ``DATE_TRUNC`` unit, a date format, ``GROUP BY 1`` ordinals.

>>> a = fingerprint_text("SELECT * FROM t WHERE d > '2024-01-01' AND id IN (1, 2, 3)", "duckdb")[0]
>>> b = fingerprint_text("select *  from T where d > '2025-06-30' and id in (7)", "duckdb")[0]
>>> a == b
True
>>> import sqlglot
>>> top = fingerprint(sqlglot.parse("SELECT a, SUM(x) FROM t GROUP BY a ORDER BY 2 DESC LIMIT 5"), "duckdb")
>>> fingerprint(sqlglot.parse("SELECT a, SUM(x) FROM t GROUP BY a"), "duckdb")[0] == top[0]
True
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from sqlglot import exp
from sqlglot.errors import ErrorLevel

_STRUCTURAL_ARGS = {"unit", "format"}
_STRUCTURAL_FUNCS = {
    "date_part",
    "datepart",
    "date_trunc",
    "trunc",
    "strftime",
    "format_datetime",
    "date_format",
    "to_char",
    "format_date",
    "format_timestamp",
    "timestamp_trunc",
    "datetime_trunc",
}
_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_STRING = re.compile(r"'(?:[^']|'')*'")
_NUMBER = re.compile(r"(?<![\w.$])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.])")
_PARAM = re.compile(r"\$\d+|:\w+|\?")
_IN_LIST = re.compile(r"\bin\s*\(\s*\?(?:\s*,\s*\?)*\s*\)", re.I)
_SPACE = re.compile(r"\s+")


def digest(text: str) -> str:
    """16 hex digits of the SHA-1 of ``text``."""
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]


def mask(node: exp.Expr) -> exp.Expr:
    """A copy of ``node`` with value literals replaced by ``?`` and literal lists collapsed."""
    return node.copy().transform(_mask_node, copy=False)


def fingerprint(statements: Sequence[exp.Expr], dialect: str) -> tuple[str, str]:
    """The fingerprint and normalized text of parsed statements."""
    text = ";\n".join(
        _presented(mask(s)).sql(
            dialect=dialect,
            normalize=True,
            comments=False,
            pretty=False,
            unsupported_level=ErrorLevel.IGNORE,
        )
        for s in statements
    )
    return digest(text), text


def _presented(node: exp.Expr) -> exp.Expr:
    """``node`` (a fresh copy) without the final ORDER BY, LIMIT and OFFSET of its result."""
    if isinstance(node, exp.Query):
        for key in ("order", "limit", "offset"):
            node.set(key, None)
    return node


def fingerprint_text(sql: str, dialect: str = "") -> tuple[str, str]:
    """The fingerprint of raw text that could not be parsed: comments, literals and spacing normalized.

    ``dialect`` is accepted for symmetry with ``fingerprint``; the regular expressions do not need it.
    """
    del dialect
    text = _COMMENT.sub(" ", sql)
    text = _STRING.sub("?", text)
    text = _NUMBER.sub("?", text)
    text = _PARAM.sub("?", text)
    text = _SPACE.sub(" ", text).strip().rstrip(";").strip().lower()
    text = _IN_LIST.sub("in (?)", text)
    return digest(text), text


def _mask_node(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.In):
        values = node.expressions
        if values and all(_is_value(v) for v in values):
            node.set("expressions", [exp.Placeholder()])
        return node
    if isinstance(node, exp.Parameter):
        return exp.Placeholder()
    if not isinstance(node, exp.Literal) or _is_structural(node):
        return node
    return exp.Placeholder()


def _is_value(node: exp.Expr) -> bool:
    if isinstance(node, exp.Neg):
        node = node.this
    return isinstance(node, exp.Literal | exp.Placeholder | exp.Parameter | exp.Null | exp.Boolean)


def _is_structural(node: exp.Literal) -> bool:
    parent = node.parent
    if parent is None:
        return False
    if isinstance(parent, exp.Group | exp.Order) or isinstance(parent, exp.Ordered) and not node.is_string:
        return True
    if node.arg_key in _STRUCTURAL_ARGS:
        return True
    if isinstance(parent, exp.Anonymous) and str(parent.this).lower() in _STRUCTURAL_FUNCS:
        return node.is_string
    return False
