"""Where filters on ``metric_time``: which parts filter a metric's input rows, which its output rows.

A query's ``where`` is split into its top-level ``AND`` parts (conjuncts):

* *time* parts name only ``metric_time`` (at any grain): for zero-filled, offset and cumulative
  metrics they choose the output periods, as in MetricFlow (the time spine is filtered day by day,
  then truncated to the requested grain);
* *input* parts name no ``metric_time``: they always filter the rows read;
* *mixed* parts name both in one conjunct (``metric_time >= x OR segment = 'SMB'``).

A time part also yields conservative bounds on the day (``>=``, ``>``, ``<``, ``<=``, ``=``,
``BETWEEN`` against a date literal), so inputs can still be pruned, widened by each metric's window.

>>> from metricmind.spec.filters import parse_where
>>> s = split_wheres(
...     [parse_where("{{ TimeDimension('metric_time', 'day') }} >= '2024-06-10' AND segment = 'SMB'")]
... )
>>> len(s.time), len(s.inputs), len(s.mixed)
(1, 1, 0)
>>> day_bounds(s.time)
(datetime.date(2024, 6, 10), None)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlglot import exp

from metricmind.compiler.dialects import Dialect, extract, trunc
from metricmind.compiler.periods import ceil, floor, shift
from metricmind.compiler.resolve import custom_column
from metricmind.spec.filters import PLACEHOLDER, ParsedWhere
from metricmind.spec.model import Grain, Model
from metricmind.spec.names import Ref


@dataclass(frozen=True)
class WhereSplit:
    """A query's filters split into conjuncts by whether they name ``metric_time``."""

    time: tuple[ParsedWhere, ...] = ()
    inputs: tuple[ParsedWhere, ...] = ()
    mixed: tuple[ParsedWhere, ...] = ()

    @property
    def untimed(self) -> tuple[ParsedWhere, ...]:
        """What filters the rows read when the time conjuncts filter the output instead."""
        return self.inputs + self.mixed


def _conjuncts(parsed: ParsedWhere) -> list[ParsedWhere]:
    """The top-level ``AND`` parts of a filter, each with only the references it uses."""
    parts: list[exp.Expr] = []
    todo = [parsed.condition]
    while todo:
        node = todo.pop()
        while isinstance(node, exp.Paren):
            node = node.this
        if isinstance(node, exp.And):
            todo.extend((node.expression, node.this))
        else:
            parts.append(node)
    if len(parts) == 1:
        return [parsed]
    out = []
    for part in parts:
        names = {c.name for c in part.find_all(exp.Column) if c.name.startswith(PLACEHOLDER)}
        out.append(ParsedWhere(parsed.text, part, {k: v for k, v in parsed.refs.items() if k in names}))
    return out


def _kind(parsed: ParsedWhere) -> str:
    times = [r.is_metric_time for r in parsed.refs.values()]
    if not times or not any(times):
        return "inputs"
    return "time" if all(times) else "mixed"


def split_wheres(wheres: Iterable[ParsedWhere]) -> WhereSplit:
    """Split filters into time, input and mixed conjuncts (see the module docstring)."""
    groups: dict[str, list[ParsedWhere]] = {"time": [], "inputs": [], "mixed": []}
    for parsed in wheres:
        for part in _conjuncts(parsed):
            groups[_kind(part)].append(part)
    return WhereSplit(tuple(groups["time"]), tuple(groups["inputs"]), tuple(groups["mixed"]))


def spine_lookup(model: Model, column: str, day: exp.Expr) -> exp.Expr:
    """The time spine's ``column`` on ``day`` (a custom granularity's period of that day)."""
    spine = model.time_spine
    assert spine is not None  # custom_column checked it
    lookup = (
        exp.select(exp.column(column, table="spine"))
        .from_(exp.to_table(spine.relation).as_("spine"))
        .where(exp.EQ(this=exp.column(spine.column, table="spine"), expression=day))
    )
    return exp.Subquery(this=lookup)


def _time_value(model: Model, dialect: Dialect, ref: Ref, day: exp.Expr) -> exp.Expr:
    if ref.custom:
        return spine_lookup(model, custom_column(model, ref), day.copy())
    if ref.date_part:
        return extract(dialect, ref.date_part, day.copy())
    return trunc(dialect, ref.grain or Grain.DAY, day.copy())


def on_day(model: Model, dialect: Dialect, parts: Sequence[ParsedWhere], day: exp.Expr) -> exp.Expr | None:
    """The time conjuncts ``parts`` evaluated on a day (``metric_time__g`` = ``day`` truncated to g)."""
    conds = []
    for parsed in parts:
        cond = parsed.condition.copy()
        for col in list(cond.find_all(exp.Column)):
            ref = parsed.refs.get(col.name)
            if ref is not None:
                col.replace(_time_value(model, dialect, ref, day))
        conds.append(exp.paren(cond, copy=False) if isinstance(cond, exp.Or) else cond)
    return exp.and_(*conds, copy=False) if conds else None


def on_columns(parsed: ParsedWhere, columns: dict[str, str], table: str | None = None) -> exp.Expr | None:
    """``parsed`` over output columns (``ref`` → column name), or None when one of its names is not there."""
    cond = parsed.condition.copy()
    for col in list(cond.find_all(exp.Column)):
        ref = parsed.refs.get(col.name)
        if ref is None:
            continue
        if ref.kind == "metric" or ref.date_part:
            return None
        name = ref.column(Grain.DAY if ref.is_metric_time else None)
        if name not in columns:
            return None
        col.replace(exp.column(columns[name], table=table))
    return cond


# -- conservative day bounds -----------------------------------------------------------------------

_FLIP = {exp.GT: exp.LT, exp.GTE: exp.LTE, exp.LT: exp.GT, exp.LTE: exp.GTE, exp.EQ: exp.EQ}


def _literal_day(node: exp.Expr) -> dt.date | None:
    while isinstance(node, (exp.Cast, exp.Paren)):
        node = node.this
    if isinstance(node, exp.Literal) and node.is_string:
        try:
            return dt.date.fromisoformat(node.this.strip()[:10])
        except ValueError:
            return None
    return None


def _grain_of(parsed: ParsedWhere, node: exp.Expr) -> Grain | None:
    """The grain of a bare ``metric_time`` reference, or None when ``node`` is something else."""
    if not isinstance(node, exp.Column):
        return None
    ref = parsed.refs.get(node.name)
    if ref is None or not ref.is_metric_time or ref.custom or ref.date_part:
        return None
    return ref.grain or Grain.DAY


def _day_grain(grain: Grain) -> tuple[Grain, bool]:
    """Bounds are whole days: a sub-day grain bounds by the day its timestamp lies in (``< '… 10:00'``
    keeps that day's earlier hours, so its end is the next day). Returns the grain and whether it was
    sub-day.
    """
    return (Grain.DAY, True) if grain.sub_day else (grain, False)


def _bounds_of(parsed: ParsedWhere, node: exp.Expr) -> tuple[dt.date | None, dt.date | None]:
    """Half-open ``[lo, hi)`` day bounds implied by one comparison (None where it implies none)."""
    if isinstance(node, exp.Between):
        grain = _grain_of(parsed, node.this)
        low, high = _literal_day(node.args["low"]), _literal_day(node.args["high"])
        if grain is None:
            return None, None
        grain, _ = _day_grain(grain)
        return (
            floor(low, grain) if low else None,
            shift(floor(high, grain), 1, grain.value) if high else None,
        )
    op = type(node)
    if op not in _FLIP:
        return None, None
    left, right = node.this, node.expression
    if _grain_of(parsed, left) is None:
        left, right, op = right, left, _FLIP[op]
    grain = _grain_of(parsed, left)
    value = _literal_day(right)
    if grain is None or value is None:
        return None, None
    grain, sub_day = _day_grain(grain)
    start = floor(value, grain)
    after = shift(start, 1, grain.value)
    if op is exp.GTE or op is exp.GT:
        return start, None
    if op is exp.LT:
        return None, after if sub_day else ceil(value, grain)
    if op is exp.LTE:
        return None, after
    return start, after  # EQ


def day_bounds(parts: Sequence[ParsedWhere]) -> tuple[dt.date | None, dt.date | None]:
    """``[start, end)`` on the day that every row passing the time conjuncts ``parts`` lies in."""
    start: dt.date | None = None
    end: dt.date | None = None
    for parsed in parts:
        node = parsed.condition
        while isinstance(node, exp.Paren):
            node = node.this
        lo, hi = _bounds_of(parsed, node)
        if lo is not None:
            start = lo if start is None else max(start, lo)
        if hi is not None:
            end = hi if end is None else min(end, hi)
    return start, end


__all__ = ["WhereSplit", "day_bounds", "on_columns", "on_day", "spine_lookup", "split_wheres"]
