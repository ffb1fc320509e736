"""``MetricQuery``: the request every interface builds and the compiler answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from metricmind.errors import QueryError
from metricmind.spec.names import NameError_, split


def _names(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else list(value)
    out: list[str] = []
    for item in items:
        # "a,b" is two names, but not inside Dimension('x', ...) calls.
        if "(" in item:
            out.append(item.strip())
        else:
            out.extend(part.strip() for part in item.split(",") if part.strip())
    return tuple(out)


MAX_LIMIT = 2**63 - 1  # a 64-bit LIMIT: larger ones fail in the warehouse


def _date(value: str | dt.date | None, what: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:  # a date, or an ISO timestamp whose date is taken; anything after it is refused, not dropped
        return dt.date.fromisoformat(text) if len(text) <= 10 else dt.datetime.fromisoformat(text).date()
    except ValueError as exc:
        raise QueryError(f"{what} {value!r} is not a date", hint="Write dates as YYYY-MM-DD.") from exc


@dataclass(frozen=True)
class OrderBy:
    """One ordering term: a metric or group-by name, ascending unless ``desc``."""

    name: str
    desc: bool = False

    @classmethod
    def parse(cls, text: str) -> OrderBy:
        """``-revenue``, ``revenue desc`` or ``revenue``."""
        t = text.strip()
        if t.startswith("-"):
            return cls(t[1:].strip(), True)
        words = t.split()
        if len(words) == 2 and words[1].lower() in ("asc", "desc"):
            return cls(words[0], words[1].lower() == "desc")
        return cls(t)

    def __str__(self) -> str:
        return f"-{self.name}" if self.desc else self.name


@dataclass(frozen=True)
class MetricQuery:
    """Metrics to compute, sliced by ``group_by``, filtered by ``where`` and a half-open time range.

    ``start`` is inclusive and ``end`` exclusive (``[start, end)``), on the metric's time dimension.
    When ``metric_time`` is grouped by a grain, the range is widened to whole periods of that grain.

    ``allow_overlap`` opts in to dimensions reached only through one-to-many or foreign↔foreign joins
    (refused by default): a row is then counted once in every group it belongs to, so the groups may
    add up to more than the total; the result says so and carries the true total.
    """

    metrics: tuple[str, ...]
    group_by: tuple[str, ...] = ()
    where: tuple[str, ...] = ()
    start: dt.date | None = None
    end: dt.date | None = None
    order_by: tuple[OrderBy, ...] = ()
    limit: int | None = None
    allow_overlap: bool = False
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def build(
        cls,
        metrics: str | Sequence[str],
        group_by: str | Sequence[str] | None = None,
        where: str | Sequence[str] | None = None,
        start: str | dt.date | None = None,
        end: str | dt.date | None = None,
        order_by: str | Sequence[str] | None = None,
        limit: int | None = None,
        allow_overlap: bool = False,
    ) -> MetricQuery:
        """Build a query from loose input: comma-separated strings or lists, ISO dates."""
        where_items = (where,) if isinstance(where, str) else tuple(where or ())
        query = cls(
            metrics=_names(metrics),
            group_by=_names(group_by),
            where=tuple(w for w in where_items if w and w.strip()),
            start=_date(start, "start"),
            end=_date(end, "end"),
            order_by=tuple(OrderBy.parse(o) for o in _names(order_by)),
            limit=limit,
            allow_overlap=bool(allow_overlap),
        )
        query.check()
        return query

    def check(self) -> None:
        """Raise ``QueryError`` for requests that make no sense regardless of the project."""
        if not self.metrics:
            raise QueryError("no metrics requested", hint="Pass at least one metric, e.g. --metrics revenue.")
        if self.start and self.end and self.start >= self.end:
            raise QueryError(
                f"the time range is empty: start {self.start} is not before end {self.end}",
                hint="The range is [start, end): end is the first day not included.",
            )
        if self.limit is not None and self.limit < 0:
            raise QueryError(f"limit {self.limit} is negative", hint="Use a positive number or no limit.")
        if self.limit is not None and self.limit > MAX_LIMIT:
            raise QueryError(
                f"limit {self.limit} is larger than any warehouse accepts (at most {MAX_LIMIT})",
                hint="Use a smaller number, or no limit.",
            )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (used by logs, the web UI and MCP); ``allow_overlap`` only when set."""
        out: dict[str, Any] = {
            "metrics": list(self.metrics),
            "group_by": list(self.group_by),
            "where": list(self.where),
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "order_by": [str(o) for o in self.order_by],
            "limit": self.limit,
        }
        if self.allow_overlap:
            out["allow_overlap"] = True
        return out

    def without(self, columns: Iterable[str]) -> MetricQuery:
        """This query without the group-by items whose output column is in ``columns``, unordered and
        unlimited: the true total beside a breakdown whose groups overlap.
        """
        drop = set(columns)

        def column(name: str) -> str:
            try:
                return split(name).column()
            except NameError_:
                return name

        return replace(
            self, group_by=tuple(g for g in self.group_by if column(g) not in drop), order_by=(), limit=None
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MetricQuery:
        """Inverse of ``to_dict``."""
        return cls.build(
            data.get("metrics") or [],
            data.get("group_by"),
            data.get("where"),
            data.get("start"),
            data.get("end"),
            data.get("order_by"),
            data.get("limit"),
            bool(data.get("allow_overlap")),
        )
