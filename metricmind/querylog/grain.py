"""Time grain detection: which time bucket an expression groups by, across dialects.

Recognised shapes (after sqlglot has normalised each dialect's spelling)::

    DATE_TRUNC('month', x)  TIMESTAMP_TRUNC(x, MONTH)  DATETIME_TRUNC  TRUNC(x, 'MM')  LAST_DAY(x)
    STRFTIME(x, '%Y-%m')  TO_CHAR(x, 'YYYY-MM')  DATE_FORMAT(x, 'yyyy-MM')  FORMAT_DATETIME  FORMAT_DATE
    CAST(x AS DATE)  DATE(x)  YEAR(x)  EXTRACT(year FROM x) * 100 + EXTRACT(month FROM x)
    SUBSTR(CAST(x AS VARCHAR), 1, 7)  LEFT(x, 4)

>>> import sqlglot
>>> detect(sqlglot.parse_one("date_trunc('month', ordered_at)")).grain
'month'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.errors import ErrorLevel

GRAINS = ("second", "minute", "hour", "day", "week", "month", "quarter", "year")
"""Bucket grains, finest first."""

_UNITS = {
    "second": "second",
    "seconds": "second",
    "ss": "second",
    "minute": "minute",
    "minutes": "minute",
    "mi": "minute",
    "hour": "hour",
    "hours": "hour",
    "hh": "hour",
    "hh24": "hour",
    "day": "day",
    "days": "day",
    "dd": "day",
    "d": "day",
    "ddd": "day",
    "date": "day",
    "week": "week",
    "weeks": "week",
    "isoweek": "week",
    "ww": "week",
    "iw": "week",
    "w": "week",
    "month": "month",
    "months": "month",
    "mm": "month",
    "mon": "month",
    "q": "quarter",
    "qq": "quarter",
    "quarter": "quarter",
    "quarters": "quarter",
    "year": "year",
    "years": "year",
    "yyyy": "year",
    "yy": "year",
    "y": "year",
    "isoyear": "year",
    "dow": "dow",
    "dayofweek": "dow",
    "isodow": "dow",
    "doy": "doy",
    "dayofyear": "doy",
}
_TRUNC = (exp.DateTrunc, exp.TimestampTrunc, exp.DatetimeTrunc, exp.TimeTrunc)
_FORMAT = (exp.TimeToStr, exp.ToChar)
_FORMAT_FUNCS = {"strftime", "format_datetime", "date_format", "to_char", "format_date", "format_timestamp"}
_TRUNC_FUNCS = {"date_trunc", "trunc", "timestamp_trunc", "datetime_trunc", "datetrunc"}
_PART_FUNCS = {"date_part", "datepart", "extract"}
_PART_NODES: dict[type[exp.Expr], str] = {
    exp.Year: "year",
    exp.Quarter: "quarter",
    exp.Month: "month",
    exp.Week: "week",
    exp.Day: "day",
    exp.DayOfMonth: "day",
    exp.DayOfWeek: "dow",
    exp.DayOfYear: "doy",
}
_SUBSTR_GRAIN = {4: "year", 7: "month", 10: "day", 13: "hour", 16: "minute", 19: "second"}
_CYCLIC = {
    "month": "month_of_year",
    "quarter": "quarter_of_year",
    "week": "week_of_year",
    "day": "day_of_month",
}
# Format tokens, longest first within each style.
_STRFTIME = (
    ("%S", "second"),
    ("%M", "minute"),
    ("%H", "hour"),
    ("%I", "hour"),
    ("%d", "day"),
    ("%j", "day"),
    ("%e", "day"),
    ("%F", "day"),
    ("%W", "week"),
    ("%U", "week"),
    ("%V", "week"),
    ("%m", "month"),
    ("%b", "month"),
    ("%B", "month"),
    ("%Y", "year"),
    ("%y", "year"),
    ("%G", "year"),
)
_JAVA: tuple[tuple[str, str], ...] = (
    ("ss", "second"),
    ("mm", "minute"),
    ("HH", "hour"),
    ("dd", "day"),
    ("ww", "week"),
    ("MM", "month"),
)
_JAVA += (("Q", "quarter"), ("yy", "year"))
_ORACLE: tuple[tuple[str, str], ...] = (
    ("SS", "second"),
    ("MI", "minute"),
    ("HH", "hour"),
    ("DD", "day"),
    ("IW", "week"),
    ("WW", "week"),
)
_ORACLE += (("MON", "month"), ("MM", "month"), ("Q", "quarter"), ("YY", "year"))


@dataclass(frozen=True)
class Bucket:
    """A time bucketing: the grain and the expression being bucketed (usually a column).

    ``part`` is True for a date-part extraction (``EXTRACT(month …)``): alone it is cyclic
    (month of year), combined with the year it is a real bucket.
    """

    grain: str
    arg: exp.Expr
    part: bool = False


def finest(grains: list[str]) -> str | None:
    """The finest of several bucket grains (cyclic ones ignored)."""
    ranked = [g for g in grains if g in GRAINS]
    return min(ranked, key=GRAINS.index) if ranked else None


def unit_grain(text: str) -> str | None:
    """The grain a unit word names: ``'MM'`` → ``month``, ``WEEK(MONDAY)`` → ``week``."""
    word = re.sub(r"\(.*\)$", "", text.strip().strip("'\"").lower()).strip()
    return _UNITS.get(word)


def format_grain(fmt: str) -> str | None:
    """The finest component a date format prints: ``'%Y-%m'`` → ``month``, ``'YYYY-MM-DD'`` → ``day``."""
    if "%" in fmt:
        table: tuple[tuple[str, str], ...] = _STRFTIME
        text = fmt
    elif "yy" in fmt or "dd" in fmt:
        table, text = _JAVA, fmt
    else:
        table, text = _ORACLE, fmt.upper()
    found = [grain for token, grain in table if token in text]
    return finest(found)


def detect(node: exp.Expr) -> Bucket | None:
    """The time bucket ``node`` computes, or ``None`` when it does not bucket time."""
    if isinstance(node, exp.Paren | exp.Alias):
        return detect(node.this)
    if isinstance(node, _TRUNC):
        grain = unit_grain(_text(node.args.get("unit")))
        return Bucket(grain, node.this) if grain else None
    if isinstance(node, _FORMAT):
        grain = format_grain(_text(node.args.get("format")))
        return Bucket(grain, _strip(node.this)) if grain else None
    if isinstance(node, exp.LastDay):
        return Bucket("month", node.this)
    if isinstance(node, exp.Date | exp.TsOrDsToDate) or (
        isinstance(node, exp.Cast) and node.to.this in (exp.DataType.Type.DATE,)
    ):
        inner = detect(node.this)
        return inner if inner and not inner.part else Bucket("day", _strip(node.this))
    if isinstance(node, exp.Extract):
        grain = unit_grain(_text(node.this))
        return Bucket(grain, node.expression, part=True) if grain else None
    for cls, grain in _PART_NODES.items():
        if type(node) is cls:
            return Bucket(grain, _strip(node.this), part=True)
    if isinstance(node, exp.Substring | exp.Left):
        return _substring(node)
    if isinstance(node, exp.Anonymous):
        return _anonymous(node)
    if isinstance(node, exp.Binary | exp.DPipe | exp.Concat):
        return _combined(node)
    return None


def label(bucket: Bucket, siblings: list[Bucket]) -> str:
    """The grain to report for ``bucket`` given the other buckets of the same column in the query.

    A date part is a real bucket only together with the year (``year`` + ``month`` → ``month``);
    alone, ``month`` is cyclic and reported as ``month_of_year``.
    """
    if not bucket.part or bucket.grain == "year":
        return bucket.grain
    if any(s.part and s.grain == "year" for s in siblings):
        return bucket.grain
    return _CYCLIC.get(bucket.grain, bucket.grain)


def _text(node: exp.Expr | str | None) -> str:
    if node is None:
        return ""
    if isinstance(node, str):
        return node
    if isinstance(node, exp.Literal | exp.Var | exp.Identifier):
        return str(node.this)
    return node.sql(unsupported_level=ErrorLevel.IGNORE)


def _strip(node: exp.Expr) -> exp.Expr:
    """The time argument without the casts and conversions wrapped around it."""
    while isinstance(
        node, exp.Cast | exp.TsOrDsToDate | exp.TimeStrToTime | exp.StrToTime | exp.Paren | exp.Date
    ):
        node = node.this
    return node


def _substring(node: exp.Expr) -> Bucket | None:
    if isinstance(node, exp.Left):
        length = node.expression
        start: exp.Expr | None = None
    else:
        length = node.args.get("length")
        start = node.args.get("start")
    if start is not None and not (isinstance(start, exp.Literal) and str(start.this) == "1"):
        return None
    if not isinstance(length, exp.Literal) or length.is_string:
        return None
    grain = _SUBSTR_GRAIN.get(int(float(str(length.this))))
    return Bucket(grain, _strip(node.this)) if grain else None


def _anonymous(node: exp.Anonymous) -> Bucket | None:
    name = str(node.this).lower()
    args = list(node.expressions)
    strings = [
        a for a in args if isinstance(a, exp.Literal | exp.Var) and (a.is_string or isinstance(a, exp.Var))
    ]
    others = [a for a in args if a not in strings]
    if not strings or not others:
        return None
    target = _strip(others[0])
    if name in _FORMAT_FUNCS:
        grain = format_grain(_text(strings[0]))
        return Bucket(grain, target) if grain else None
    if name in _TRUNC_FUNCS or name in _PART_FUNCS:
        grain = unit_grain(_text(strings[0]))
        return Bucket(grain, target, part=name in _PART_FUNCS) if grain else None
    return None


def _combined(node: exp.Expr) -> Bucket | None:
    """``year(x) * 100 + month(x)`` or ``year || '-' || month``: the finest part when it includes the year."""
    parts: list[Bucket] = []
    for child in node.walk():
        if child is node or not isinstance(child, exp.Expr):
            continue
        found = detect(child) if not isinstance(child, exp.Binary | exp.DPipe | exp.Concat) else None
        if found is not None:
            parts.append(found)
    if not parts or not any(p.grain == "year" for p in parts):
        return None
    grain = finest([p.grain for p in parts])
    return Bucket(grain, parts[0].arg) if grain else None
