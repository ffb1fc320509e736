"""Date parts: ``metric_time__extract_month``, ``order__ordered_at__extract_dow`` and
``{{ TimeDimension('metric_time', date_part_name='month') }}``, as MetricFlow answers them.

A date part is a plain group-by key (``EXTRACT(part FROM day)``), not a period: March of every year is one
row. The parts are MetricFlow's: ``year``, ``quarter``, ``month``, ``day``, ``dow`` (ISO, Monday 1 …
Sunday 7) and ``doy``. Like MetricFlow, metricmind refuses ``week`` (week numbers differ between engines and
ISO years do not start on January 1st), a part finer than the dimension's own granularity (the day of a
monthly date), and date parts with cumulative metrics or metrics whose inputs use ``offset_to_grain``.

A part of ``metric_time`` with a metric offset by a window takes the part of each spine day, whose value is
its shifted day's (sums, counts, minima and maxima; MetricFlow does the same day by day); a filled metric
(``join_to_timespine``) grouped by one part alone has a row for every part of the spine's days; a snapshot
by one part alone is read on the last (or first) snapshot day of each part ("every March": the last March).
Still refused: offsets of other aggregations, a filled metric by a part beside a period or another part
(MetricFlow joins the spine on one key only and repeats rows), a snapshot by a part beside a period or
another part (MetricFlow reads it on the last day of the first-named key only), snapshots by parts of other time
dimensions, and filters on a part of ``metric_time`` with any of these metrics.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NoReturn, Protocol

from metricmind.errors import QueryError
from metricmind.spec.filters import ParsedWhere
from metricmind.spec.model import Agg, Grain, Model


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
    periods: Sequence[Grain] = (),
) -> None:
    """Refuse the metrics a date part cannot be read for (see the module docstring).

    ``grouped`` holds each date part group-by item's column and whether it is a part of ``metric_time``;
    ``periods`` the grains ``metric_time`` is grouped by too (``metric_time__month``).
    """
    filtered = [r for w in wheres for r in w.refs.values() if r.date_part]
    if not grouped and not filtered:
        return
    time_parts = [c for c, t in grouped if t]
    on_time_filter = any(r.is_metric_time for r in filtered)
    first = grouped[0][0] if grouped else "a date part filter"
    for leaf in leaves:
        measure = model.measures.get(leaf.measure)
        snapshot = measure is not None and measure.non_additive is not None
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
        special = leaf.offset_window or leaf.join_to_timespine or snapshot
        if not special:
            continue
        what = (
            "is offset by a window"
            if leaf.offset_window
            else "is filled from the time spine (join_to_timespine)"
            if leaf.join_to_timespine
            else "is a snapshot measure (non_additive_dimension)"
        )
        if on_time_filter:
            _refuse(
                f"'{first}': '{leaf.measure}' {what}; filters on a date part of metric_time are not "
                "supported for such metrics yet"
            )
        if snapshot and any(not t for _, t in grouped):
            _refuse(
                f"'{first}': '{leaf.measure}' {what}; date parts of other time dimensions are not "
                "supported for snapshot metrics yet"
            )
        if not time_parts:
            continue
        if leaf.offset_window and (snapshot or measure is None or measure.agg not in ADDS_UP):
            agg = "a snapshot" if snapshot else (measure.agg.value if measure else "?")
            _refuse(
                f"'{first}': '{leaf.measure}' ({agg}) {what}; by a date part each day takes its shifted "
                "day's value and the days are added up, which only sums, counts, minima and maxima allow"
            )
        window = leaf.offset_window
        if window and periods and min(g.rank for g in periods) <= Grain(getattr(window, "unit", "day")).rank:
            _refuse(
                f"'{first}': '{leaf.measure}' {what}; by a date part beside a period no coarser than the "
                "offset it is refused: MetricFlow then shifts whole periods and joins them on the period "
                "alone, repeating each period's rows under every part",
            )
        if snapshot and not leaf.offset_window and (periods or len(time_parts) > 1):
            _refuse(
                f"'{first}': '{leaf.measure}' {what}; it can be read by one date part of metric_time "
                "alone, not beside a period or another part (MetricFlow reads the snapshot on the last day "
                "of whichever key is named first, so its answer depends on the order of the group-by)",
            )
        if leaf.join_to_timespine and not leaf.offset_window and (periods or len(time_parts) > 1):
            _refuse(
                f"'{first}': '{leaf.measure}' {what}; it can be grouped by one date part of metric_time "
                "alone, not beside a period or another part (MetricFlow joins the spine on only one of "
                "the keys there and repeats rows)",
            )


#: Aggregations whose daily values add up to any set of days (offsets by a date part go day by day).
ADDS_UP = frozenset({Agg.SUM, Agg.COUNT, Agg.SUM_BOOLEAN, Agg.MIN, Agg.MAX})


def _refuse(message: str) -> NoReturn:
    raise QueryError(message, hint="Group by a period (metric_time__month) instead of a date part.")
