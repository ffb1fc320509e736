"""What a project hands back: dimension infos, executions, query results, JSON-safe values."""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from metricmind.errors import (
    MetricmindError,
)
from metricmind.spec.model import Dimension, Grain
from metricmind.spec.query import MetricQuery

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class DimensionInfo:
    """A group-by name available for some metrics."""

    name: str
    type: str  # categorical | time | entity
    description: str = ""
    grains: tuple[str, ...] = ()
    model: str = ""
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Execution:
    """What one run did: handed to every ``Project.listeners`` callback (the catalog records it)."""

    query: MetricQuery
    sql: str
    started_at: dt.datetime
    elapsed_ms: float
    rows: int
    error: str | None
    user: str | None
    source: str


@dataclass
class QueryResult:
    """Rows of a metric query, the SQL that produced them, and timings."""

    query: MetricQuery
    columns: list[str]
    rows: list[tuple[Any, ...]]
    sql: str
    elapsed_ms: float
    compile_ms: float
    types: list[str] = field(default_factory=list)
    #: group-by columns whose groups overlap (``allow_overlap`` queries through one-to-many joins)
    overlapping: tuple[str, ...] = ()
    #: the same query without those columns: the true total beside overlapping groups
    total: QueryResult | None = None
    #: what a reader must be warned of: a deprecated metric (naming its successor and sunset date)
    warnings: list[str] = field(default_factory=list)

    @property
    def note(self) -> str | None:
        """What a reader must know about these rows (overlapping groups), or None."""
        if not self.overlapping:
            return None
        names = ", ".join(self.overlapping)
        text = (
            f"Overlapping groups: a row is counted once in every {names} group it belongs to, so the "
            f"groups may add up to more than the total."
        )
        if self.total is None:
            return text
        if len(self.total.rows) == 1 and len(self.total.columns) == len(self.query.metrics):
            values = ", ".join(
                f"{c} = {json_value(v)}" for c, v in zip(self.total.columns, self.total.rows[0], strict=True)
            )
            return f"{text} True total: {values}."
        return f"{text} The true totals without {names} are given beside them (`total`)."

    def to_dict(self) -> dict[str, Any]:
        """``{"columns", "rows", "sql", "elapsed_ms"}`` with JSON-safe values; ``warnings`` when there are
        some (a deprecated metric); with overlapping groups also ``overlapping_groups``, ``note`` and
        ``total`` (``{"columns", "rows"}``).
        """
        out: dict[str, Any] = {
            "columns": list(self.columns),
            "rows": [[json_value(v) for v in row] for row in self.rows],
            "sql": self.sql,
            "elapsed_ms": round(self.elapsed_ms, 3),
        }
        if self.warnings:
            out["warnings"] = list(self.warnings)
        if self.overlapping:
            out["overlapping_groups"] = list(self.overlapping)
            out["note"] = self.note
            if self.total is not None:
                out["total"] = {
                    "columns": list(self.total.columns),
                    "rows": [[json_value(v) for v in row] for row in self.total.rows],
                }
        return out

    def records(self) -> list[dict[str, Any]]:
        """Rows as dictionaries."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def df(self) -> Any:
        """The rows as a pandas DataFrame (needs the ``frames`` extra)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise MetricmindError("pandas is not installed", hint="pip install 'metricmind[frames]'") from exc
        return pd.DataFrame.from_records(self.rows, columns=self.columns)

    def arrow(self) -> Any:
        """The rows as a pyarrow Table (needs the ``frames`` extra)."""
        try:
            import pyarrow as pa
        except ImportError as exc:  # pragma: no cover
            raise MetricmindError(
                "pyarrow is not installed", hint="pip install 'metricmind[frames]'"
            ) from exc
        return pa.Table.from_pylist(self.records()) if self.rows else pa.table({c: [] for c in self.columns})


def json_value(value: Any) -> Any:
    """A JSON-safe version of a database value (dates as ISO text, decimals as floats)."""
    if isinstance(value, dt.datetime):
        return (
            value.date().isoformat()
            if value.time() == dt.time() and value.tzinfo is None
            else value.isoformat()
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def dim_info(name: str, dim: Dimension, model: str) -> DimensionInfo:
    """The ``DimensionInfo`` of dimension ``dim`` offered as ``name`` (its grains when it is a time)."""
    grains: tuple[str, ...] = ()
    if dim.is_time and dim.grain is not None:
        floor = dim.grain
        grains = tuple(g.value for g in Grain if g.rank >= floor.rank)
    return DimensionInfo(name, dim.type, dim.description, grains, model, dim.meta)


__all__ = ["DimensionInfo", "Execution", "QueryResult", "dim_info", "json_value"]
