"""Pre-aggregated rollups: which to build for a query shape, and whether one answers a query *exactly*.

A rollup is a metric's answer by some dimensions at one ``metric_time`` grain, kept as a table. A query
is routed to it only when the rollup gives the very rows the plain plan gives (the additivity rules):

* sums and counts (``sum``, ``count``, ``sum_boolean``; ``min``/``max`` re-aggregate with themselves)
  of a *simple* metric without a non-additive dimension or a filled time spine re-aggregate to a
  coarser grain (day → week, month, quarter, year; month → quarter, year; quarter → year) and to fewer
  dimensions; filters apply only to the rollup's own dimension columns; a time range (widened as the
  plain plan widens it) only when its bounds are whole periods of the rollup's grain — any range on a
  day rollup, first days of months on a month rollup — filtering the rollup's periods;
* everything else (count distinct, averages, ratios, derived, cumulative, conversion metrics,
  snapshots) only at its exact shape: the same group-by, filters and time range.

No ``limit`` (ties would make the kept rows arbitrary) and one metric per query. Routing returns the
SQL over the rollup table (DuckDB or PostgreSQL); :class:`metricmind.learn.safety.ArmGuard` still verifies a sample
of the answers against the plain plan. Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlglot import exp

from metricmind.compiler.periods import floor
from metricmind.compiler.timefilter import on_columns
from metricmind.errors import MetricmindError
from metricmind.spec.filters import parse_where
from metricmind.spec.model import Agg, Grain, MetricType, Model
from metricmind.spec.query import MetricQuery

TIME = "metric_time__"
GRAINS = [g.value for g in Grain if not g.sub_day]  # rollups are by the day or coarser
#: From which rollup grain each query grain can be re-aggregated (weeks do not nest in months).
COARSER: dict[str, tuple[str, ...]] = {
    "day": ("day", "week", "month", "quarter", "year"),
    "week": ("week",),
    "month": ("month", "quarter", "year"),
    "quarter": ("quarter", "year"),
    "year": ("year",),
}
REAGG = {Agg.SUM: "SUM", Agg.COUNT: "SUM", Agg.SUM_BOOLEAN: "SUM", Agg.MIN: "MIN", Agg.MAX: "MAX"}


def reaggregation(model: Model, metric: str) -> str | None:
    """The SQL aggregate that re-aggregates ``metric``'s partial answers exactly, or None (exact shape only)."""
    m = model.metrics.get(metric)
    if m is None or m.type is not MetricType.SIMPLE or m.measure is None:
        return None
    measure = model.measures.get(m.measure.name)
    if measure is None or measure.non_additive is not None:
        return None
    if m.measure.join_to_timespine or m.measure.fill_nulls_with is not None:
        return None
    return REAGG.get(measure.agg)


def _grain(name: str) -> str | None:
    return name.removeprefix(TIME) if name.startswith(TIME) and name.removeprefix(TIME) in GRAINS else None


@dataclass(frozen=True)
class RollupSpec:
    """What one rollup holds.

    Attributes:
        metric: The metric.
        group_by: The rollup's group-by names (``metric_time__<grain>`` first when it has time).
        where: Filters baked into the rollup (the query must carry each of them).
        start: The time range baked in (exact-shape rollups only), ISO days.
        end: The range's exclusive end.
        reagg: ``SUM``/``MIN``/``MAX`` when the rollup re-aggregates, None for an exact-shape rollup.
    """

    metric: str
    group_by: tuple[str, ...]
    where: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None
    reagg: str | None = None

    @property
    def grain(self) -> str | None:
        """The rollup's ``metric_time`` grain, if it has time."""
        return next((g for g in map(_grain, self.group_by) if g), None)

    @property
    def dims(self) -> tuple[str, ...]:
        """Its group-by names other than ``metric_time``."""
        return tuple(g for g in self.group_by if _grain(g) is None)

    @property
    def key(self) -> str:
        """A stable identity of the shape."""
        return json.dumps(asdict(self), sort_keys=True)

    @property
    def name(self) -> str:
        """The table name."""
        return "r_" + hashlib.sha256(self.key.encode()).hexdigest()[:16]

    def source(self) -> MetricQuery:
        """The plain query whose answer is the rollup's table."""
        return MetricQuery.build(
            [self.metric], list(self.group_by) or None, list(self.where), self.start, self.end
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RollupSpec:
        """Inverse of :meth:`to_dict`."""
        return cls(
            str(data["metric"]),
            tuple(data.get("group_by") or ()),
            tuple(data.get("where") or ()),
            data.get("start"),
            data.get("end"),
            data.get("reagg"),
        )


def spec_for(model: Model, query: MetricQuery, dialect: str = "duckdb") -> RollupSpec | None:
    """The rollup that would answer ``query`` (and coarser, similar ones), or None (not a rollup shape).

    An additive metric gets the finest grain it has (day, or its own coarser grain) by the query's other
    group-by names and the dimensions its filters name; anything else gets its exact shape.
    """
    if len(query.metrics) != 1 or query.limit is not None or query.allow_overlap:
        return None
    metric = query.metrics[0]
    if metric not in model.metrics:
        return None
    reagg = reaggregation(model, metric)
    times = [g for g in query.group_by if g.startswith(TIME)]
    if reagg is None or any(_grain(t) is None for t in times) or len(times) > 1:
        start = query.start.isoformat() if query.start else None
        end = query.end.isoformat() if query.end else None
        return RollupSpec(metric, tuple(query.group_by), tuple(sorted(query.where)), start, end, None)
    dims = {g for g in query.group_by if not g.startswith(TIME)}
    baked: list[str] = []
    for where in query.where:
        names = _filter_dims(where, dialect)
        if names is None:
            baked.append(where)
        else:
            dims |= names
    finest = model.min_grain(metric) or Grain.DAY
    return RollupSpec(metric, (f"{TIME}{finest.value}", *sorted(dims)), tuple(sorted(baked)), reagg=reagg)


def _filter_dims(where: str, dialect: str) -> set[str] | None:
    """The dimension names a filter uses, or None when it names anything else (metric time, a metric,
    a date part, or a bare column).
    """
    try:
        parsed = parse_where(where, dialect)
    except MetricmindError:
        return None
    names: set[str] = set()
    for col in parsed.condition.find_all(exp.Column):
        ref = parsed.refs.get(col.name)
        if ref is None or ref.kind == "metric" or ref.date_part or ref.is_metric_time:
            return None
        names.add(ref.column(None))
    return names or None


@dataclass(frozen=True)
class Rollup:
    """A built rollup: its shape, table, column types, and what it was built from."""

    spec: RollupSpec
    table: str
    types: dict[str, str]
    source_sha: str
    data_version: str
    rows: int
    built_at: str
    build_ms: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        out = asdict(self)
        out["spec"] = self.spec.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rollup:
        """Inverse of :meth:`to_dict`."""
        return cls(
            RollupSpec.from_dict(data["spec"]),
            str(data["table"]),
            {str(k): str(v) for k, v in data["types"].items()},
            str(data["source_sha"]),
            str(data["data_version"]),
            int(data["rows"]),
            str(data["built_at"]),
            float(data.get("build_ms") or 0.0),
            dict(data.get("extra") or {}),
        )


def sha(sql: str) -> str:
    """The fingerprint of a source query's SQL (a changed definition gives another one)."""
    return hashlib.sha256(sql.encode()).hexdigest()


def _q(name: str, target: str = "duckdb") -> str:
    if target == "spark":
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


_quote = _q


def table_ref(rollup: Rollup, target: str = "duckdb") -> str:
    """The rollup's table as a query names it: ``"schema"."table"`` in a server warehouse."""
    schema = rollup.extra.get("schema")
    return f"{_q(str(schema), target)}.{_q(rollup.table, target)}" if schema else _q(rollup.table, target)


def route(
    rollup: Rollup,
    query: MetricQuery,
    widened: tuple[dt.date | None, dt.date | None] | None = None,
    dialect: str = "duckdb",
    target: str = "duckdb",
) -> str | None:
    """The SQL over ``rollup``'s table that answers ``query`` exactly, or None.

    Args:
        rollup: The built rollup.
        query: The request.
        widened: The query's ``[start, end)`` as the plain plan widens it (whole periods of its grain).
        dialect: The dialect of the query's filters.
        target: The dialect of the SQL returned (where the rollup is: ``duckdb``, ``postgres`` or
            ``spark``).
    """
    spec = rollup.spec

    def _q(name: str) -> str:
        return _quote(name, target)

    if query.metrics != (spec.metric,) or query.limit is not None or query.allow_overlap:
        return None
    if not set(spec.where) <= set(query.where):
        return None
    metric = spec.metric
    order = _order(query, target)
    if order is None:
        return None
    if spec.reagg is None:
        same = (
            set(query.group_by) == set(spec.group_by)
            and set(query.where) == set(spec.where)
            and (query.start.isoformat() if query.start else None) == spec.start
            and (query.end.isoformat() if query.end else None) == spec.end
        )
        if not same or len(set(query.group_by)) != len(query.group_by):
            return None
        cols = ", ".join(_q(c) for c in (*query.group_by, metric))
        return f"SELECT {cols} FROM {table_ref(rollup, target)} ORDER BY {order}"
    if spec.start or spec.end:
        return None
    times = [g for g in query.group_by if g.startswith(TIME)]
    others = [g for g in query.group_by if not g.startswith(TIME)]
    if len(times) > 1 or not set(others) <= set(spec.dims) or len(set(others)) != len(others):
        return None
    rollup_grain = spec.grain
    keys: list[str] = []
    for g in query.group_by:
        grain = _grain(g)
        if g in others:
            keys.append(_q(g))
        elif grain is None or rollup_grain is None or grain not in COARSER[rollup_grain]:
            return None
        elif grain == rollup_grain:
            keys.append(f"{_q(TIME + grain)}")
        else:
            kind = rollup.types.get(TIME + rollup_grain, "TIMESTAMP")
            keys.append(f"CAST(DATE_TRUNC('{grain}', {_q(TIME + rollup_grain)}) AS {kind}) AS {_q(g)}")
    conds: list[str] = []
    columns = {d: d for d in spec.dims}
    for where in query.where:
        if where in spec.where:
            continue
        if _filter_dims(where, dialect) is None:
            return None
        cond = on_columns(parse_where(where, dialect), columns)
        if cond is None:
            return None
        conds.append(f"({cond.sql(dialect=target)})")
    start, end = widened if widened is not None else (query.start, query.end)
    if start is not None or end is not None:
        if not aligned(start, end, rollup_grain):
            return None
        column = _q(TIME + str(rollup_grain))
        if start is not None:
            conds.append(f"{column} >= CAST('{start.isoformat()}' AS DATE)")
        if end is not None:
            conds.append(f"{column} < CAST('{end.isoformat()}' AS DATE)")
    kind = rollup.types.get(metric, "DOUBLE")
    value = f"CAST({spec.reagg}({_q(metric)}) AS {kind}) AS {_q(metric)}"
    sql = f"SELECT {', '.join([*keys, value])} FROM {table_ref(rollup, target)}"
    if conds:
        sql += " WHERE " + " AND ".join(conds)
    if keys:
        sql += f" GROUP BY {', '.join(str(i + 1) for i in range(len(keys)))} ORDER BY {order}"
    return sql


def aligned(start: dt.date | None, end: dt.date | None, grain: str | None) -> bool:
    """Whether ``[start, end)`` is whole periods of a rollup's ``grain``: then a period's row is inside the
    range exactly when all of its source rows are (any range for a day rollup; first days of months
    for a month rollup).
    """
    if grain is None:
        return False
    return all(d is None or floor(d, Grain(grain)) == d for d in (start, end))


def _order(query: MetricQuery, target: str = "duckdb") -> str | None:
    """The ORDER BY of the plain plan: the query's order, else the group-by columns in order."""
    if query.order_by:
        names = [*query.group_by, *query.metrics]
        if any(o.name not in names for o in query.order_by):
            return None
        return ", ".join(f"{_q(o.name, target)}{' DESC' if o.desc else ''}" for o in query.order_by)
    return ", ".join(str(i + 1) for i in range(len(query.group_by))) or "1"


def usable(rollup: Rollup, data_version: str | None, source_sha: str | None) -> bool:
    """Whether ``rollup`` is current: built on this data version from the same definition (a view reads
    the live data: only its definition matters).
    """
    if rollup.extra.get("kind") == "view":
        return source_sha is not None and rollup.source_sha == source_sha
    return bool(data_version) and rollup.data_version == data_version and rollup.source_sha == source_sha


def subsumes(big: RollupSpec, small: RollupSpec) -> bool:
    """Whether ``big`` answers everything ``small`` answers (same re-aggregating rollup, more dimensions)."""
    return (
        big.reagg is not None
        and small.reagg is not None
        and (big.metric, big.grain, big.where, big.start, big.end)
        == (small.metric, small.grain, small.where, small.start, small.end)
        and set(small.dims) <= set(big.dims)
    )


def choose(
    shapes: Sequence[tuple[RollupSpec, int, float]], *, min_uses: int = 2, limit: int = 20
) -> list[RollupSpec]:
    """The rollups worth building: by the time they would save (uses × plain ms), counting for each
    rollup the shapes it subsumes; a shape already answered by a chosen rollup is not built again.

    Args:
        shapes: ``(spec, uses, mean plain ms)`` of each shape seen.
        min_uses: A rollup answering fewer uses than this is not built (nor kept).
        limit: Rollups kept at most.
    """
    worth: dict[RollupSpec, tuple[int, float]] = {}
    for big, _, _ in shapes:
        covered = [(n, ms) for small, n, ms in shapes if small == big or subsumes(big, small)]
        worth[big] = (sum(n for n, _ in covered), sum(n * max(ms, 0.01) for n, ms in covered))
    ranked = sorted(worth, key=lambda s: (-worth[s][1], -worth[s][0], s.key))
    chosen: list[RollupSpec] = []
    for spec in ranked:
        if worth[spec][0] < min_uses or any(spec == c or subsumes(c, spec) for c in chosen):
            continue
        chosen.append(spec)
        if len(chosen) >= limit:
            break
    return chosen
