"""Date parts: ``metric_time__extract_month``, ``order__ordered_at__extract_dow`` and
``{{ TimeDimension('metric_time', date_part_name='month') }}``, as MetricFlow answers them.

A date part is a plain group-by key (``EXTRACT(part FROM day)``), not a period: March of every year is one
row. The parts are MetricFlow's: ``year``, ``quarter``, ``month``, ``day``, ``dow`` (ISO, Monday 1 …
Sunday 7) and ``doy``. Like MetricFlow, metricmind refuses ``week`` (week numbers differ between engines and
ISO years do not start on January 1st), a part finer than the dimension's own granularity (the day of a
monthly date), and date parts with cumulative metrics or metrics whose inputs use ``offset_to_grain``.

It also refuses, for now, a date part of ``metric_time`` with a metric offset by a window, filled with the
time spine (``join_to_timespine``) or over a snapshot measure: MetricFlow shifts or fills each row before
extracting the part, which the period-based steps here do not do yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from metricmind.errors import QueryError
from metricmind.spec.filters import ParsedWhere
from metricmind.spec.model import Grain, Model


class _Leaf(Protocol):
    """What the checks read of a leaf (``resolve.Leaf``, which this module may not import)."""

    @property
    def measure(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def offset_window(self) -> object: ...
    @property
    def offset_to_grain(self) -> Grain | None: ...
    @property
    def join_to_timespine(self) -> bool: ...


#: The date parts, each with the grain it needs the data at (at least).
PARTS: dict[str, Grain] = {
    "year": Grain.YEAR,
    "quarter": Grain.QUARTER,
    "month": Grain.MONTH,
    "day": Grain.DAY,
    "dow": Grain.DAY,
    "doy": Grain.DAY,
}


def grain_of(part: str) -> Grain:
    """The finest data grain ``part`` can be read from (``month`` → month, ``dow`` → day)."""
    return PARTS[part]


def check_part(part: str, what: str) -> None:
    """Refuse a part metricmind (and MetricFlow) does not extract; ``what`` names where it was asked."""
    if part in PARTS:
        return
    if part == "week":
        raise QueryError(
            f"{what}: extract_week is not supported: week numbers differ between engines (ISO weeks 1-53 "
            "whose year starts on a Monday, or 0-53 counting from January 1st), so MetricFlow has no week "
            "date part either",
            hint="Group by a week period instead (metric_time__week), or by extract_dow or extract_doy.",
        )
    raise QueryError(
        f"{what}: unknown date part {part!r}",
        hint=f"Use one of: {', '.join('extract_' + p for p in PARTS)}.",
    )


def check(
    model: Model,
    grouped: Sequence[tuple[str, bool]],
    wheres: Iterable[ParsedWhere],
    leaves: Iterable[_Leaf],
) -> None:
    """Refuse the metrics a date part cannot be read for (see the module docstring).

    ``grouped`` holds each date part group-by item's column and whether it is a part of ``metric_time``.
    """
    filtered = [r for w in wheres for r in w.refs.values() if r.date_part]
    if not grouped and not filtered:
        return
    on_time = any(t for _, t in grouped) or any(r.is_metric_time for r in filtered)
    first = grouped[0][0] if grouped else "a date part filter"
    for leaf in leaves:
        measure = model.measures.get(leaf.measure)
        if leaf.kind == "cumulative":
            raise QueryError(
                f"'{first}': a cumulative metric (of '{leaf.measure}') cannot be read by a date part: a "
                "running total has no value for 'every March' (MetricFlow refuses it too)",
                hint="Group the cumulative metric by a period (metric_time__month), or use a simple metric.",
            )
        if leaf.offset_to_grain:
            raise QueryError(
                f"'{first}': a metric offset to the start of a {leaf.offset_to_grain.value} cannot be read "
                "by a date part (MetricFlow refuses it too)",
                hint="Group it by a period (metric_time__month) instead.",
            )
        if not on_time and not (measure is not None and measure.non_additive is not None and grouped):
            continue
        why = None
        if leaf.offset_window:
            why = "is offset by a window"
        elif leaf.join_to_timespine:
            why = "is filled from the time spine (join_to_timespine)"
        elif measure is not None and measure.non_additive is not None:
            why = "is a snapshot measure (non_additive_dimension)"
        if why:
            raise QueryError(
                f"'{first}': '{leaf.measure}' {why}; date parts of such metrics are not supported yet "
                "(MetricFlow shifts, fills or picks each row's day before extracting the part)",
                hint="Group by a period (metric_time__month) instead of a date part.",
            )
