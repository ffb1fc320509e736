"""Dialect differences as data: one ``Dialect`` record per warehouse, no ``isinstance`` checks.

The compiler builds one sqlglot AST and renders it with sqlglot's generator for the target. Where
sqlglot's transpilation would change the meaning (percentiles, week starts, typed division), the
record below says which construct to build instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import sqlglot
from sqlglot import exp

from metricmind.errors import QueryError, closest
from metricmind.spec.model import Grain

E = TypeVar("E", bound=exp.Expr)
Q = TypeVar("Q", bound=exp.Query)


@dataclass(frozen=True)
class Dialect:
    """What the compiler needs to know about one SQL dialect."""

    name: str
    sqlglot: str
    #: exact continuous percentile: "quantile" (QUANTILE_CONT(x, p)), "within_group"
    #: (PERCENTILE_CONT(p) WITHIN GROUP (ORDER BY x)), "percentile" (PERCENTILE(x, p)) or None.
    percentile_cont: str | None = "within_group"
    #: exact discrete percentile, same vocabulary; "within_group_disc" etc.
    percentile_disc: str | None = "within_group"
    #: approximate percentile function name taking (x, p), or None.
    approx_percentile: str | None = "APPROX_PERCENTILE"
    #: the double-precision type name used for ratios.
    double: str = "DOUBLE"
    #: DATE_TRUNC('week') starts weeks on Monday (else an explicit WEEK(MONDAY) is needed).
    monday_weeks: bool = True
    #: supports ``IS NOT DISTINCT FROM`` in join conditions efficiently (hash joins).
    null_safe_join: bool = True
    #: can state ``NULLS FIRST``/``LAST`` in a window's ``ORDER BY`` (BigQuery cannot: its window keys are
    #: rendered with the dialect's own NULL order, see :func:`natural_window_nulls`).
    window_null_ordering: bool = True
    #: ``DATE_TRUNC('day', …)`` is rendered as a function that has no day unit (Spark's ``TRUNC`` gives
    #: NULL): truncate to the day with ``CAST(… AS DATE)`` instead.
    day_as_cast: bool = False
    #: ``/`` between decimals keeps at most 6 decimal places (Spark), or between integers drops the
    #: fraction (PostgreSQL, Trino: a growth rate of 1.63 came out as 1): a derived metric's divisions are
    #: computed in DOUBLE, as DuckDB computes them.
    double_division: bool = False
    #: ``EXTRACT`` units for date parts where the dialect spells them differently from
    #: :data:`DATE_PART_UNITS` (day of week is always ISO: Monday 1 … Sunday 7, as MetricFlow).
    date_part_units: tuple[tuple[str, str], ...] = ()
    #: sqlglot's generator does not quote reserved words used as names (PostgreSQL, Spark): an entity
    #: called ``order`` must be rendered ``"order"`` (see :func:`quote_reserved`).
    quote_reserved: bool = False
    #: ``EXTRACT`` knows the ISO day of the week (else it is computed from a Sunday-first DAYOFWEEK).
    iso_dow: bool = True
    #: ``EXTRACT`` returns a NUMERIC (PostgreSQL ≥ 14): cast date parts to an integer.
    extract_numeric: bool = False


#: ``EXTRACT`` units of the date parts metricmind groups and filters by.
DATE_PART_UNITS: dict[str, str] = {
    "year": "YEAR",
    "quarter": "QUARTER",
    "month": "MONTH",
    "day": "DAY",
    "dow": "ISODOW",
    "doy": "DOY",
}

_SPARK_PARTS = (("dow", "DAYOFWEEK_ISO"),)


DIALECTS: dict[str, Dialect] = {
    d.name: d
    for d in (
        Dialect(
            "duckdb",
            "duckdb",
            percentile_cont="quantile",
            percentile_disc="quantile",
            approx_percentile="APPROX_QUANTILE",
        ),
        Dialect(
            "postgres",
            "postgres",
            approx_percentile=None,
            double="DOUBLE PRECISION",
            null_safe_join=False,
            double_division=True,
            extract_numeric=True,
            quote_reserved=True,
        ),
        Dialect(
            "snowflake",
            "snowflake",
            approx_percentile="APPROX_PERCENTILE",
            double="DOUBLE",
            date_part_units=(("dow", "DAYOFWEEKISO"), ("doy", "DAYOFYEAR")),
        ),
        Dialect(
            "bigquery",
            "bigquery",
            percentile_cont=None,
            percentile_disc=None,
            approx_percentile=None,
            double="FLOAT64",
            monday_weeks=False,
            null_safe_join=False,
            window_null_ordering=False,
            iso_dow=False,
            date_part_units=(("doy", "DAYOFYEAR"),),
        ),
        Dialect(
            "databricks",
            "databricks",
            percentile_cont="percentile",
            percentile_disc="within_group",
            approx_percentile="PERCENTILE_APPROX",
            day_as_cast=True,
            double_division=True,
            date_part_units=_SPARK_PARTS,
            quote_reserved=True,
        ),
        Dialect(
            "spark",
            "spark",
            percentile_cont="percentile",
            percentile_disc="within_group",
            approx_percentile="PERCENTILE_APPROX",
            day_as_cast=True,
            double_division=True,
            date_part_units=_SPARK_PARTS,
            quote_reserved=True,
        ),
        Dialect(
            "trino",
            "trino",
            percentile_cont=None,
            percentile_disc=None,
            approx_percentile="APPROX_PERCENTILE",
            double_division=True,
            date_part_units=(("dow", "DOW"),),  # Trino's DOW is ISO (Monday 1)
        ),
    )
}


def get(name: str) -> Dialect:
    """The dialect called ``name``; unknown names get a did-you-mean error."""
    key = name.lower().strip()
    key = {"postgresql": "postgres", "pg": "postgres", "sparksql": "spark"}.get(key, key)
    try:
        return DIALECTS[key]
    except KeyError:
        near = closest(key, DIALECTS)
        raise QueryError(
            f"unknown dialect '{name}'",
            hint=f"Did you mean {near[0]!r}? " if near else "" + f"Supported: {', '.join(DIALECTS)}.",
        ) from None


def percentile(d: Dialect, value: exp.Expr, p: float, *, discrete: bool, approximate: bool) -> exp.Expr:
    """A percentile aggregate of ``value`` in dialect ``d``."""
    fraction = exp.Literal.number(p)
    if approximate:
        if d.approx_percentile is None:
            if d.name == "bigquery":
                quantiles = exp.Anonymous(
                    this="APPROX_QUANTILES", expressions=[value, exp.Literal.number(100)]
                )
                return exp.Bracket(
                    this=quantiles,
                    expressions=[
                        exp.Anonymous(this="OFFSET", expressions=[exp.Literal.number(round(p * 100))])
                    ],
                )
            approximate = False
        else:
            return exp.Anonymous(this=d.approx_percentile, expressions=[value, fraction])
    style = d.percentile_disc if discrete else d.percentile_cont
    if style is None:
        raise QueryError(
            f"{d.name} has no exact {'discrete' if discrete else 'continuous'} percentile aggregate",
            hint="Set agg_params: {use_approximate_percentile: true} on the measure for this warehouse.",
        )
    if style == "quantile":
        return exp.Anonymous(
            this="QUANTILE_DISC" if discrete else "QUANTILE_CONT", expressions=[value, fraction]
        )
    if style == "percentile" and not discrete:
        return exp.Anonymous(this="PERCENTILE", expressions=[value, fraction])
    func = exp.PercentileDisc(this=fraction) if discrete else exp.PercentileCont(this=fraction)
    return exp.WithinGroup(
        this=func, expression=exp.Order(expressions=[exp.Ordered(this=value, nulls_first=False)])
    )


def trunc(d: Dialect, grain: Grain, value: exp.Expr) -> exp.Expr:
    """Truncate a date or timestamp to ``grain`` (weeks start on Monday everywhere).

    Sub-day grains truncate a timestamp: ``DATE_TRUNC('HOUR', ts)``, Spark's ``DATE_TRUNC`` (its ``TRUNC``
    knows no hours), BigQuery's ``TIMESTAMP_TRUNC(ts, HOUR)``.
    """
    if grain.sub_day:
        return exp.TimestampTrunc(this=value, unit=exp.var(grain.value.upper()))
    if grain is Grain.WEEK and not d.monday_weeks:
        return exp.TimestampTrunc(this=value, unit=exp.var("WEEK(MONDAY)"))
    if grain is Grain.DAY and d.day_as_cast:
        return exp.cast(value, exp.DataType.build("DATE"), copy=False)
    return exp.DateTrunc(unit=exp.Literal.string(grain.value), this=value)  # type: ignore[no-untyped-call]


#: Words reserved in SQL (sqlglot's DuckDB list, a superset of PostgreSQL's and Spark's reserved words).
RESERVED: frozenset[str] = frozenset(
    w.lower() for w in sqlglot.Dialect.get_or_raise("duckdb").generator_class.RESERVED_KEYWORDS
)


def quote_reserved(d: Dialect, tree: E) -> E:
    """``tree`` (modified in place) with every unquoted lower-case name that is a reserved word quoted,
    where ``d`` needs it: ``SELECT order`` fails on PostgreSQL, ``SELECT "order"`` does not.
    """
    if d.quote_reserved:
        for ident in tree.find_all(exp.Identifier):
            name = ident.this
            if not ident.quoted and isinstance(name, str) and name == name.lower() and name in RESERVED:
                ident.set("quoted", True)
    return tree


def extract(d: Dialect, part: str, value: exp.Expr) -> exp.Expr:
    """``EXTRACT(part FROM value)`` as an integer; ``dow`` is the ISO day of the week (Monday 1).

    BigQuery has no ISO day of the week: ``MOD(EXTRACT(DAYOFWEEK) + 5, 7) + 1`` turns its Sunday-first
    numbering into it.
    """
    if part == "dow" and not d.iso_dow:
        sunday_first = exp.Extract(this=exp.var("DAYOFWEEK"), expression=value)
        shifted = exp.Mod(
            this=exp.Add(this=sunday_first, expression=exp.Literal.number(5)),
            expression=exp.Literal.number(7),
        )
        return exp.Add(this=shifted, expression=exp.Literal.number(1))
    unit = dict(d.date_part_units).get(part) or DATE_PART_UNITS[part]
    out: exp.Expr = exp.Extract(this=exp.var(unit), expression=value)
    if d.extract_numeric:
        out = exp.cast(out, exp.DataType.build("INT"), copy=False)
    return out


def day(d: Dialect, value: exp.Expr) -> exp.Expr:
    """The day of a date or timestamp, as a date-like value comparable with the time spine."""
    return trunc(d, Grain.DAY, value)


def interval(count: int, unit: str) -> exp.Interval:
    """``INTERVAL 'count' unit``."""
    return exp.Interval(this=exp.Literal.string(str(count)), unit=exp.var(unit.upper()))


def to_double(d: Dialect, value: exp.Expr) -> exp.Expr:
    """``CAST(value AS DOUBLE)`` in the dialect's spelling."""
    return exp.cast(value, _type(d.double, d.sqlglot).copy(), copy=False)


def double_division(d: Dialect, tree: E) -> E:
    """``tree`` (modified in place) with every division's dividend cast to DOUBLE where ``d`` needs it."""
    if d.double_division:
        for node in list(tree.find_all(exp.Div)):
            node.set("this", to_double(d, node.this))
    return tree


def cast(value: exp.Expr, type_name: str) -> exp.Expr:
    """``CAST(value AS type_name)`` with a fresh type node."""
    return exp.cast(value, exp.DataType.build(type_name), copy=False)


@lru_cache(maxsize=64)
def _type(name: str, dialect: str) -> exp.DataType:
    return exp.DataType.build(name, dialect=dialect)


def _bare(tree: E) -> E:
    """``tree`` without the parser's position metadata, which every later copy would deep-copy."""
    for node in tree.walk():
        node._meta = None
    return tree


@lru_cache(maxsize=1024)
def _parsed_table(name: str, dialect: str) -> exp.Table:
    return _bare(exp.to_table(name, dialect=dialect))


def table(name: str, dialect: str, alias: str | None = None) -> exp.Expr:
    """A (possibly schema-qualified) table reference, parsed once per process."""
    node = _parsed_table(name, dialect).copy()
    return exp.alias_(node, alias, table=True, copy=False) if alias else node


def joined(target: exp.Expr, on: exp.Expr, kind: str = "left") -> exp.Join:
    """A ``JOIN`` node built directly (sqlglot's ``Select.join`` would parse the join type)."""
    if kind == "inner":
        return exp.Join(this=target, on=on, kind="INNER")
    return exp.Join(this=target, on=on, side=kind.upper())


def cte(name: str, alias: str | None = None) -> exp.Expr:
    """A reference to a CTE of the plan (no parsing)."""
    node = exp.table_(name)
    return exp.alias_(node, alias, table=True, copy=False) if alias else node


def with_cte(query: Q, name: str, select: exp.Expr) -> Q:
    """``query`` with ``WITH name AS (select)`` appended, in place (``Query.with_`` would parse ``name``)."""
    node = exp.CTE(this=select, alias=exp.TableAlias(this=exp.to_identifier(name)))
    existing = query.args.get("with_")
    if existing is None:
        query.set("with_", exp.With(expressions=[node]))
    else:
        existing.append("expressions", node)
    return query


def natural_window_nulls(tree: exp.Expr, dialect: str) -> exp.Expr:
    """``tree`` (modified in place) with every window ``ORDER BY`` key left to the dialect's own NULL order.

    For dialects that cannot state ``NULLS FIRST``/``LAST`` inside a window (except for the functions
    sqlglot knows can, which keep it). The compiler's other window keys are
    days of a spine (never NULL) or group keys numbered by ``DENSE_RANK`` (any consistent order numbers
    the groups), so the order of NULLs does not change a result; sqlglot would otherwise drop the clause
    with a warning.
    """
    target = sqlglot.Dialect.get_or_raise(dialect)
    ordering = target.NULL_ORDERING
    keeps = target.generator_class.WINDOW_FUNCS_WITH_NULL_ORDERING  # these can state it (ROWS or no frame)
    for window in tree.find_all(exp.Window):
        this = (
            window.this.this if isinstance(window.this, exp.IgnoreNulls | exp.RespectNulls) else window.this
        )
        spec = window.args.get("spec")
        if isinstance(this, keeps) and (not spec or spec.text("kind").upper() == "ROWS"):
            continue
        if spec is None and not isinstance(this, exp.AggFunc):
            continue  # e.g. LEAD(day) OVER (… ORDER BY day NULLS LAST) is stated as is
        order = window.args.get("order")
        for key in order.expressions if order else ():
            if isinstance(key, exp.Ordered):
                desc = bool(key.args.get("desc"))
                first = (ordering == "nulls_are_small") != desc if ordering != "nulls_are_last" else False
                key.set("nulls_first", first)
    return tree


@lru_cache(maxsize=4096)
def _parsed(sql: str, dialect: str) -> exp.Expr:
    return _bare(sqlglot.parse_one(sql, read=dialect))


def parse(sql: str, dialect: str) -> exp.Expr:
    """A fresh copy of ``sql`` parsed in ``dialect`` (parsing happens once per process)."""
    return _parsed(sql, dialect).copy()
