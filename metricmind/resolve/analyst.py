"""The reading of a question in words, the way an analyst states what they computed before the figures.

``reading_in_words`` says which metrics, broken down by what, for whom, over which dates (spelled out:
"Q1 2025, 1 January to 31 March 2025"), compared with what, ranked how. ``assumptions`` lists what the
reading assumed that the question did not say (no period named, a snapshot metric, a default attribution
model, words left out). ``totals`` and ``trend`` compute, from rows already fetched, the total of additive
metrics over the groups shown and the change across a trend. Pure functions: no I/O.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Sequence
from typing import Any

from metricmind.resolve.resolution import Filter, Resolution
from metricmind.spec.model import Model
from metricmind.spec.names import METRIC_TIME

MONTHS = ("January February March April May June July August September October November December").split()
ADDITIVE_AGGS = frozenset({"sum", "count", "sum_boolean"})
"""Aggregations whose values over separate groups add up to the value over all of them."""


def day(d: dt.date) -> str:
    """``18 June 2025``."""
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def spell_range(start: dt.date, end: dt.date) -> str:
    """A half-open range in words: ``May 2025``, ``Q1 2025 (1 January to 31 March 2025)``, ``2024``,
    ``1 to 18 June 2025``, ``18 June 2025``.

    >>> spell_range(dt.date(2025, 1, 1), dt.date(2025, 4, 1))
    'Q1 2025 (1 January to 31 March 2025)'
    >>> spell_range(dt.date(2025, 6, 1), dt.date(2025, 6, 19))
    '1 to 18 June 2025'
    """
    last = end - dt.timedelta(days=1)
    if last <= start:
        return day(start)
    whole_months = start.day == 1 and end.day == 1
    months = (end.year - start.year) * 12 + end.month - start.month
    if whole_months and months == 12 and start.month == 1:
        return str(start.year)
    if whole_months and months == 1:
        return f"{MONTHS[start.month - 1]} {start.year}"
    if whole_months and months == 3 and start.month % 3 == 1:
        q = (start.month - 1) // 3 + 1
        return f"Q{q} {start.year} ({_span(start, last)})"
    if whole_months and months == 6 and start.month in (1, 7):
        return f"H{1 if start.month == 1 else 2} {start.year} ({_span(start, last)})"
    return _span(start, last)


def _span(first: dt.date, last: dt.date) -> str:
    if first.year == last.year and first.month == last.month:
        return f"{first.day} to {day(last)}"
    if first.year == last.year:
        return f"{first.day} {MONTHS[first.month - 1]} to {day(last)}"
    return f"{day(first)} to {day(last)}"


def _label(model: Model, name: str) -> str:
    m = model.metrics.get(name)
    return (m.label if m is not None and m.label else name).replace("_", " ")


def _dimension(name: str) -> str:
    if name.startswith(METRIC_TIME):
        return name.split("__", 1)[1] if "__" in name else "time"
    entity, _, dim = name.partition("__")
    return (
        f"{entity.replace('_', ' ')} {dim.replace('_', ' ')}" if dim != "name" else entity.replace("_", " ")
    )


def _filter(f: Filter, model: Model) -> str:
    if f.metric is not None:
        words = {">": "above", ">=": "at least", "<": "below", "<=": "at most", "=": "equal to"}
        return f"{f.field}s with {_label(model, f.metric)} {words.get(f.op, f.op)} {f.values[0]}"
    field = _dimension(f.field)
    values = " or ".join(f.values)
    if f.op in ("!=", "not in"):
        return f"excluding {field} {values}"
    return f"only {field} {values}"


def reading_in_words(res: Resolution, model: Model) -> str:
    """One sentence: what will be computed ("MRR by customer region, only customer segment Enterprise,
    over Q1 2025 (1 January to 31 March 2025), compared with the same period last year (Q1 2024 …)").
    """
    if not res.answerable or not res.metrics:
        return ""
    labels = [_label(model, m) for m in res.metrics]
    text = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    groups = []
    for name, grain in res.group_by:
        groups.append(grain if name == METRIC_TIME and grain else _dimension(name))
    if groups:
        text += " by " + " and ".join(groups)
    parts = [_filter(f, model) for f in res.filters]
    if res.time_range is not None:
        parts.append("over " + spell_range(*res.time_range))
    else:
        parts.append("over all recorded history")
    comp = res.comparison_dates()
    if res.comparison and comp is not None:
        kind = (
            "the same period last year" if res.comparison == "same_period_last_year" else "the period before"
        )
        parts.append(f"compared with {kind}, {spell_range(*comp)}")
    if res.order_by:
        name, desc = res.order_by[0]
        order = f"{'highest' if desc else 'lowest'} {_label(model, name)} first"
        parts.append(f"top {res.limit}, {order}" if res.limit else order)
    elif res.limit:
        parts.append(f"first {res.limit} rows")
    return text + ", " + ", ".join(parts) + "."


def is_snapshot(model: Model, metric: str) -> bool:
    """Whether a metric is (built on) a semi-additive measure: a balance taken at a point in time."""
    return any(
        model.measures[m].non_additive is not None for m in model.measures_of(metric) if m in model.measures
    )


def additive(model: Model, metric: str) -> bool:
    """Whether a metric's values over separate groups add up (sums and counts, not rates or distinct counts)."""
    m = model.metrics.get(metric)
    if m is None or m.type.value in ("ratio", "conversion", "cumulative"):
        return False
    if str(m.meta.get("unit") or "") in ("ratio", "percent"):
        return False
    if m.type.value == "derived" and (
        any(i.offset_window or i.offset_to_grain for i in m.inputs) or "/" in (m.expr or "")
    ):
        return False  # a change between periods or a quotient does not add up over groups
    measures = model.measures_of(metric)
    return bool(measures) and all(
        x in model.measures and model.measures[x].agg.value in ADDITIVE_AGGS for x in measures
    )


def assumptions(res: Resolution, model: Model) -> list[str]:
    """What the reading assumed that the question did not say."""
    out: list[str] = []
    if res.answerable and res.time_range is None:
        out.append("no period named: all recorded history")
    snapshots = [_label(model, m) for m in res.metrics if m in model.metrics and is_snapshot(model, m)]
    if snapshots and not res.uses_time:
        out.append(
            f"{', '.join(snapshots)} is a snapshot: its value on the last day with data in the period, not a sum"
        )
    out += [n for n in res.notes if not n.startswith("ignored")]
    ignored = [n.split("'")[1] for n in res.notes if n.startswith("ignored") and n.count("'") >= 2]
    if ignored:
        out.append("left out as not affecting the answer: " + ", ".join(f"'{w}'" for w in ignored))
    return out


def _number(value: Any) -> float | None:
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def totals(
    res: Resolution, model: Model, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> dict[str, float]:
    """The total of each additive metric over the rows shown (none for a snapshot over time, a rate or a
    distinct count, whose groups do not add up; none when the rows are a top N, which is not the whole).
    """
    if not rows or len(rows) < 2 or res.limit is not None:
        return {}
    out: dict[str, float] = {}
    for m in res.metrics:
        if m not in columns or not additive(model, m) or (is_snapshot(model, m) and res.uses_time):
            continue
        i = list(columns).index(m)
        values = [_number(r[i]) for r in rows]
        out[m] = sum(v for v in values if v is not None)
    return out


def trend(
    res: Resolution, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> dict[str, dict[str, Any]]:
    """For a trend (grouped by time only): per metric, the first and last periods' values, the change
    across them, and the last period against the one before.
    """
    time_cols = [c for c in columns if c.startswith(METRIC_TIME)]
    others = [n for n, _ in res.group_by if n != METRIC_TIME]
    if len(time_cols) != 1 or others or len(rows) < 2:
        return {}
    t = list(columns).index(time_cols[0])
    ordered = sorted(rows, key=lambda r: str(r[t]))
    out: dict[str, dict[str, Any]] = {}
    for m in res.metrics:
        if m not in columns:
            continue
        i = list(columns).index(m)
        series: list[tuple[Any, float]] = []
        for r in ordered:
            v = _number(r[i])
            if v is not None:
                series.append((r[t], v))
        if len(series) < 2:
            continue
        (t0, v0), (t_prev, v_prev), (t1, v1) = series[0], series[-2], series[-1]
        out[m] = {
            "first": (t0, v0),
            "last": (t1, v1),
            "previous": (t_prev, v_prev),
            "change": (v1 - v0) / abs(v0) if v0 else None,
            "last_change": (v1 - v_prev) / abs(v_prev) if v_prev else None,
        }
    return out


def period(value: Any, grain: str | None) -> str:
    """A period start in words at its grain: ``January 2026``, ``Q1 2026``, ``2026``, ``5 January 2026``."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        return str(value)
    if grain == "month":
        return f"{MONTHS[value.month - 1]} {value.year}"
    if grain == "quarter":
        return f"Q{(value.month - 1) // 3 + 1} {value.year}"
    if grain == "year":
        return str(value.year)
    if grain == "week":
        return f"the week of {day(value)}"
    return day(value)
