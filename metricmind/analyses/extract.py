"""Project mode: read the analyses' inputs from the canonical tables through the project's warehouse.

The SQL is built with sqlglot and rendered for the project's dialect; rows become the same ``Journeys`` and
``MonthlyPanel`` a JSON file produces, so file mode and project mode share every computation.

- Journeys (``fct_marketing_touchpoints_canonical``): one journey per customer. A customer converted when it
  has a first paid subscription (``fct_subscriptions_canonical``, ``change_type = 'new'``, earliest
  ``started_at``): its journey is its touches strictly before that date, its conversion timestamp is that date
  (midnight UTC) and its revenue is its new MRR (``mart_customer_lifecycle_canonical``, ``is_new_customer``).
  Customers that never converted contribute all their touches, unconverted. Warehouse timestamps without a
  zone are taken as UTC. ``--start/--end`` keep the journeys that end (conversion, else last touch) in
  ``[start, end)``.
- Lifecycle (``fct_user_events_canonical``): a user is active in a month when it has an event in it.
- MRR movements and cohorts (``mart_customer_lifecycle_canonical``): each customer's MRR per month.
- Monthly windows: the months from ``--start`` to the month before ``--end`` (default: the data's first to
  last month) are the whole history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
from sqlglot import exp

from metricmind.analyses.attribution import DEFAULT_HALF_LIFE_DAYS, MODELS, attribute, check_models
from metricmind.analyses.journeys import Journeys
from metricmind.analyses.lifecycle import lifecycle
from metricmind.analyses.monthly import MonthlyPanel
from metricmind.analyses.periods import AnalysisInputError, month_label, month_of_date
from metricmind.analyses.revenue import cohorts, mrr_movements, retention_windows
from metricmind.errors import closest
from metricmind.warehouse.base import Warehouse

TOUCHPOINTS = "fct_marketing_touchpoints_canonical"
SUBSCRIPTIONS = "fct_subscriptions_canonical"
CUSTOMER_MONTHS = "mart_customer_lifecycle_canonical"
EVENTS = "fct_user_events_canonical"
PERIODS = ("month", "quarter")
ANALYSES = ("attribution", "lifecycle", "mrr-movements", "cohorts")


def _date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise AnalysisInputError(f"{option} {text!r} is not a date", hint="Write it as YYYY-MM-DD.") from None


def journeys_sql(dialect: str) -> str:
    """One row per touch of every journey: journey_id, touchpoint_id, touched_at, channel, converted_at, revenue."""
    first_paid = (
        exp.select("customer_id", exp.Min(this=exp.column("started_at")).as_("converted_at"))
        .from_(SUBSCRIPTIONS)
        .where(exp.column("change_type").eq(exp.Literal.string("new")))
        .group_by("customer_id")
    )
    new_mrr = (
        exp.select("customer_id", exp.Sum(this=exp.column("new_mrr")).as_("revenue"))
        .from_(CUSTOMER_MONTHS)
        .where(exp.column("is_new_customer"))
        .group_by("customer_id")
    )
    converted_at = exp.column("converted_at", "f")
    touched_at = exp.column("touched_at", "t")
    query = (
        exp.select(
            exp.column("customer_id", "t").as_("journey_id"),
            exp.column("touchpoint_id", "t"),
            touched_at,
            exp.column("channel", "t"),
            converted_at,
            exp.func("coalesce", exp.column("revenue", "c"), exp.Literal.number(0)).as_("revenue"),
        )
        .with_("first_paid", first_paid)
        .with_("new_mrr", new_mrr)
        .from_(exp.to_table(TOUCHPOINTS).as_("t"))
        .join("first_paid AS f", on="f.customer_id = t.customer_id", join_type="left")
        .join("new_mrr AS c", on="c.customer_id = t.customer_id", join_type="left")
        .where(
            exp.or_(
                converted_at.is_(exp.null()),
                exp.LT(this=touched_at.copy(), expression=exp.cast(converted_at.copy(), "timestamp")),
            )
        )
        .order_by("journey_id", "touched_at", "touchpoint_id")
    )
    query.add_comments(["metricmind analyze: journeys from the canonical touchpoints"])
    return query.sql(dialect=dialect)


def monthly_sql(analysis: str, dialect: str) -> str:
    """Rows ``(entity, month_start, value)``: active users (lifecycle) or customer MRR (revenue analyses)."""
    if analysis == "lifecycle":
        month = exp.func("DATE_TRUNC", exp.Literal.string("month"), exp.column("occurred_at"))
        query = (
            exp.select(exp.column("user_id").as_("entity"), month.as_("month_start"), exp.Literal.number(1))
            .from_(EVENTS)
            .group_by(exp.column("user_id"), month.copy())
        )
    else:
        query = (
            exp.select(exp.column("customer_id").as_("entity"), "month_start", "mrr")
            .from_(CUSTOMER_MONTHS)
            .where(exp.column("mrr") > 0)
        )
    return query.sql(dialect=dialect)


def _epoch(values: Sequence[Any]) -> np.ndarray:
    """Seconds since the epoch (UTC) of dates / datetimes (naive ones taken as UTC); None → NaN."""
    out = np.full(len(values), np.nan)
    for i, v in enumerate(values):
        if v is None:
            continue
        if isinstance(v, dt.datetime):
            out[i] = (v if v.tzinfo else v.replace(tzinfo=dt.timezone.utc)).timestamp()
        else:
            out[i] = dt.datetime(v.year, v.month, v.day, tzinfo=dt.timezone.utc).timestamp()
    return out


def read_journeys(warehouse: Warehouse, dialect: str) -> Journeys:
    """The journeys of the project (see the module docstring for how they are derived)."""
    rows = warehouse.run(journeys_sql(dialect)).rows
    if not rows:
        raise AnalysisInputError(
            f"{TOUCHPOINTS} has no touchpoints",
            hint="Build the data first (for the demo: `metricmind demo`).",
        )
    ids: dict[Any, int] = {}
    journey = np.array([ids.setdefault(r[0], len(ids)) for r in rows], dtype=np.int64)
    names = tuple(sorted({str(r[3]) for r in rows}))
    code = {name: i for i, name in enumerate(names)}
    n = len(ids)
    converted_at = np.full(n, np.nan)
    revenue = np.zeros(n)
    conv = _epoch([r[4] for r in rows])
    converted_at[journey] = conv
    revenue[journey] = [float(r[5]) if isinstance(r[5], Decimal) else r[5] for r in rows]
    converted = ~np.isnan(converted_at)
    return Journeys.build(
        names,
        journey,
        np.array([code[str(r[3])] for r in rows], dtype=np.int64),
        _epoch([r[2] for r in rows]),
        converted,
        np.where(converted, revenue, 0.0),
        converted_at,
        tuple(str(k) for k in ids),
    )


def read_panel(
    analysis: str, warehouse: Warehouse, dialect: str, start: dt.date | None, end: dt.date | None
) -> MonthlyPanel:
    """The monthly panel of an analysis, restricted to the months of ``[start, end)``."""
    rows = warehouse.run(monthly_sql(analysis, dialect)).rows
    months = np.array([month_of_date(r[1]) for r in rows], dtype=np.int64)
    first = month_of_date(start) if start else (int(months.min()) if len(months) else None)
    last = month_of_date(end - dt.timedelta(days=1)) if end else (int(months.max()) if len(months) else None)
    if first is None or last is None or last < first:
        raise AnalysisInputError(
            f"no months of data for {analysis}",
            hint="Check --start/--end and that the project's data is built.",
        )
    keep = (months >= first) & (months <= last)
    ids: dict[Any, int] = {}
    entity = np.array([ids.setdefault(r[0], len(ids)) for r in rows], dtype=np.int64)
    value = np.array([float(r[2]) for r in rows])
    return MonthlyPanel.build(first, last - first + 1, entity[keep], months[keep] - first, value[keep])


def default_windows(panel: MonthlyPanel) -> list[tuple[int, int]]:
    """NRR / GRR windows shown in project mode: the whole range, and the last 12 months when they fit."""
    last = panel.n_months - 1
    windows = [(0, last)] if last > 0 else []
    if last >= 12 and (last - 12, last) not in windows:
        windows.append((last - 12, last))
    return windows


def _period(ts: float, by: str) -> str:
    day = dt.datetime.fromtimestamp(ts, dt.timezone.utc)
    if by == "month":
        return month_label(month_of_date(day))
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def analyze_warehouse(
    analysis: str,
    warehouse: Warehouse,
    dialect: str,
    *,
    start: str | None = None,
    end: str | None = None,
    models: list[str] | None = None,
    half_life_days: float | None = None,
    markov_order: int | None = None,
    by: str | None = None,
) -> dict[str, Any]:
    """Run an analysis on a project's canonical tables (same output as file mode).

    Args:
        analysis: ``attribution``, ``lifecycle``, ``mrr-movements`` or ``cohorts``.
        warehouse: The project's warehouse.
        dialect: The SQL dialect of the warehouse.
        start: First day included (``YYYY-MM-DD``).
        end: First day not included.
        models: Attribution models (default: the seven).
        half_life_days: Time-decay half-life.
        markov_order: Markov order.
        by: Attribution only: also split by ``month`` or ``quarter`` of the journey's end, under ``"by"``.

    Raises:
        AnalysisInputError: Bad options, or no data.
        WarehouseError: A canonical table is missing or the query failed.
    """
    if analysis not in ANALYSES:
        near = closest(analysis, ANALYSES)
        raise AnalysisInputError(
            f"unknown analysis {analysis!r}",
            hint=(f"Did you mean {near[0]!r}? " if near else "") + f"Use one of {', '.join(ANALYSES)}.",
        )
    first, stop = _date(start, "--start"), _date(end, "--end")
    if first and stop and stop <= first:
        raise AnalysisInputError(
            f"--end {end} is not after --start {start}", hint="The range is [start, end)."
        )
    if analysis != "attribution":
        if by:
            raise AnalysisInputError("--by applies to attribution", hint="Drop --by.")
        panel = read_panel(analysis, warehouse, dialect, first, stop)
        if analysis == "lifecycle":
            return lifecycle(panel)
        if analysis == "cohorts":
            return cohorts(panel)
        out = mrr_movements(panel)
        out["windows"] = retention_windows(panel, default_windows(panel))
        return out
    if by is not None and by not in PERIODS:
        raise AnalysisInputError(f"--by {by!r} is not a period", hint="Use --by month or --by quarter.")
    names = check_models(models or list(MODELS), "--models")
    half_life = DEFAULT_HALF_LIFE_DAYS if half_life_days is None else half_life_days
    order = 1 if markov_order is None else markov_order
    journeys = read_journeys(warehouse, dialect)
    ends = np.where(journeys.converted, journeys.conversion_ts, np.nan)
    last_touch = journeys.ts[journeys.starts + journeys.lengths - 1]
    ends = np.where(np.isnan(ends), last_touch, ends)
    keep = np.ones(journeys.n_journeys, dtype=np.bool_)
    if first:
        keep &= ends >= _epoch([first])[0]
    if stop:
        keep &= ends < _epoch([stop])[0]
    if not keep.any():
        raise AnalysisInputError("no journeys end in the period", hint="Widen --start/--end.")
    selected = journeys.subset(keep) if not keep.all() else journeys
    result = attribute(selected, names, half_life_days=half_life, markov_order=order)
    if by:
        labels = np.array([_period(t, by) for t in ends[keep]])
        result["by"] = {
            label: attribute(
                selected.subset(labels == label), names, half_life_days=half_life, markov_order=order
            )
            for label in sorted(set(labels.tolist()))
        }
    return result
