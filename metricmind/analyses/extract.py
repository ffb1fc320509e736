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
from typing import Any

import numpy as np
import sqlglot
from sqlglot import exp

from metricmind.analyses.attribution import DEFAULT_HALF_LIFE_DAYS, MODELS, attribute, check_models
from metricmind.analyses.journeys import Journeys, touch_order
from metricmind.analyses.lifecycle import lifecycle_from_counts
from metricmind.analyses.monthly import MonthlyPanel
from metricmind.analyses.periods import AnalysisInputError, month_label, month_of_date
from metricmind.analyses.revenue import cohorts, mrr_movements, retention_windows
from metricmind.errors import WarehouseError, closest
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


def _epoch_of(column: exp.Expression) -> exp.Expression:
    """Seconds since the epoch as a double (a timestamp without a zone is read as UTC)."""
    return exp.cast(exp.TimeToUnix(this=exp.cast(column, "timestamp")), "double")


def _month_of(column: exp.Expression) -> exp.Expression:
    """The month index ``year * 12 + month - 1`` of a date or timestamp."""
    year = exp.Extract(this=exp.var("YEAR"), expression=column.copy())
    month = exp.Extract(this=exp.var("MONTH"), expression=column.copy())
    return exp.cast(year * 12 + month - 1, "bigint")


def journeys_sql(dialect: str) -> str:
    """One row per touch: journey_id, touchpoint_id, ts, channel, converted_ts, revenue (epoch seconds)."""
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
    revenue = exp.func("coalesce", exp.column("revenue", "c"), exp.Literal.number(0))
    query = (
        exp.select(
            exp.column("customer_id", "t").as_("journey_id"),
            exp.column("touchpoint_id", "t"),
            _epoch_of(touched_at).as_("ts"),
            exp.cast(exp.column("channel", "t"), "varchar").as_("channel"),
            _epoch_of(converted_at).as_("converted_ts"),
            exp.cast(revenue, "double").as_("revenue"),
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
        .order_by("journey_id", "ts", "touchpoint_id")
    )
    query.add_comments(["metricmind analyze: journeys from the canonical touchpoints"])
    return query.sql(dialect=dialect)


def monthly_sql(analysis: str, dialect: str) -> str:
    """Rows ``(entity, month_index, value)``: active user months (lifecycle) or customer MRR."""
    if analysis == "lifecycle":
        query = (
            exp.select(
                exp.column("user_id").as_("entity"),
                _month_of(exp.column("occurred_at")).as_("month_index"),
                exp.cast(exp.Literal.number(1), "double").as_("value"),
            )
            .from_(EVENTS)
            .distinct()
            .order_by("entity", "month_index")
        )
    else:
        query = (
            exp.select(
                exp.column("customer_id").as_("entity"),
                _month_of(exp.column("month_start")).as_("month_index"),
                exp.cast(exp.column("mrr"), "double").as_("value"),
            )
            .from_(CUSTOMER_MONTHS)
            .where(exp.column("mrr") > 0)
            .order_by("entity", "month_index")
        )
    return query.sql(dialect=dialect)


LIFECYCLE_COUNTS = """
WITH user_months AS (
  SELECT DISTINCT user_id AS entity, DATE_TRUNC('MONTH', occurred_at) AS month_start FROM events
), indexed AS (
  SELECT entity, CAST(EXTRACT(YEAR FROM month_start) * 12 + EXTRACT(MONTH FROM month_start) - 1 AS BIGINT) AS m
  FROM user_months
), windowed AS (
  SELECT entity, m FROM indexed WHERE m BETWEEN :first AND :last
), framed AS (
  SELECT m,
    LAG(m) OVER (PARTITION BY entity ORDER BY m) AS prev,
    LEAD(m) OVER (PARTITION BY entity ORDER BY m) AS nxt
  FROM windowed
)
SELECT m,
  SUM(CASE WHEN prev IS NULL THEN 1 ELSE 0 END) AS new_users,
  SUM(CASE WHEN prev = m - 1 THEN 1 ELSE 0 END) AS retained,
  SUM(CASE WHEN prev < m - 1 THEN 1 ELSE 0 END) AS resurrected,
  SUM(CASE WHEN nxt IS NULL OR nxt > m + 1 THEN 1 ELSE 0 END) AS gone_next_month
FROM framed
GROUP BY m
"""
"""Lifecycle counts per month computed in the warehouse (the same definitions as ``lifecycle.lifecycle``;
``tests/analyses/test_project_mode.py`` checks both give the same numbers on the demo)."""


def lifecycle_sql(dialect: str, first: int | None, last: int | None) -> str:
    """The per-month lifecycle counts over ``[first, last]`` (month indexes; None: the data's range)."""
    tree = sqlglot.parse_one(LIFECYCLE_COUNTS, read="duckdb")
    tree = tree.transform(
        lambda node: exp.to_table(EVENTS) if isinstance(node, exp.Table) and node.name == "events" else node
    )
    bounds = {
        "first": exp.Literal.number(first if first is not None else -(10**9)),
        "last": exp.Literal.number(last if last is not None else 10**9),
    }
    return exp.replace_placeholders(tree, **bounds).sql(dialect=dialect)


def read_lifecycle_counts(
    warehouse: Warehouse, dialect: str, start: dt.date | None, end: dt.date | None
) -> dict[str, Any]:
    """Lifecycle of the project's users, aggregated in the warehouse (only per-month counts travel)."""
    first = month_of_date(start) if start else None
    last = month_of_date(end - dt.timedelta(days=1)) if end else None
    months, new, retained, resurrected, gone = (
        _floats(c) for c in fetch_columns(warehouse, lifecycle_sql(dialect, first, last))
    )
    if not len(months):
        raise AnalysisInputError(
            "no months of data for lifecycle",
            hint="Check --start/--end and that the project's data is built.",
        )
    first = int(months.min()) if first is None else first
    last = int(months.max()) if last is None else last
    n = last - first + 1
    at = months.astype(np.int64) - first

    def spread(values: np.ndarray, offset: int = 0) -> np.ndarray:
        out = np.zeros(n + 1)
        out[at + offset] = values
        return out[:n]

    labels = [month_label(first + i) for i in range(n)]
    return lifecycle_from_counts(labels, spread(new), spread(retained), spread(resurrected), spread(gone, 1))


def fetch_columns(warehouse: Warehouse, sql: str) -> list[np.ndarray]:
    """The result of ``sql`` as one numpy array per column (through Arrow when pyarrow is installed)."""
    try:
        table = warehouse.arrow(sql)
    except ImportError:
        result = warehouse.run(sql)
        columns = list(zip(*result.rows, strict=True)) if result.rows else [() for _ in result.columns]
        return [np.array(column) for column in columns]
    return [table.column(i).to_numpy(zero_copy_only=False) for i in range(table.num_columns)]


def codes_of(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(distinct values, code of each value)``; linear when ``values`` is sorted (the SQL orders it)."""
    if len(values) > 1:
        try:
            is_sorted = bool(np.all(values[1:] >= values[:-1]))
        except TypeError:
            is_sorted = False
        if is_sorted:
            change = np.empty(len(values), dtype=np.bool_)
            change[0] = True
            change[1:] = values[1:] != values[:-1]
            return values[change], (np.cumsum(change) - 1).astype(np.int64)
    distinct, codes = np.unique(values, return_inverse=True)
    return distinct, codes.reshape(-1).astype(np.int64)


def _floats(column: np.ndarray) -> np.ndarray:
    """A float array, None → NaN (the fallback path gives object arrays)."""
    if column.dtype == object:
        return np.array([np.nan if v is None else float(v) for v in column], dtype=np.float64)
    return column.astype(np.float64)


def read_journeys(warehouse: Warehouse, dialect: str) -> Journeys:
    """The journeys of the project (see the module docstring for how they are derived)."""
    return read_journey_touches(warehouse, dialect)[0]


def read_journey_touches(warehouse: Warehouse, dialect: str) -> tuple[Journeys, np.ndarray]:
    """The journeys of the project, and the ``touchpoint_id`` of each of their touches (in touch order)."""
    ids, touch_ids, ts, channels, converted_ts, revenue = fetch_columns(warehouse, journeys_sql(dialect))
    if not len(ids):
        raise AnalysisInputError(
            f"{TOUCHPOINTS} has no touchpoints",
            hint="Build the data first (for the demo: `metricmind demo`).",
        )
    unique_ids, journey = codes_of(ids)
    names, channel = np.unique(channels.astype(str), return_inverse=True)
    channel = channel.reshape(-1).astype(np.int64)
    times = _floats(ts)
    order = touch_order(journey, times)
    if order is not None:  # the SQL orders the rows; this only guards against another collation of ids
        journey, channel, times, touch_ids = journey[order], channel[order], times[order], touch_ids[order]
        converted_ts, revenue = converted_ts[order], revenue[order]
    n = len(unique_ids)
    converted_at = np.full(n, np.nan)
    amounts = np.zeros(n)
    converted_at[journey] = _floats(converted_ts)
    amounts[journey] = _floats(revenue)
    converted = ~np.isnan(converted_at)
    journeys = Journeys.build(
        tuple(str(c) for c in names),
        journey,
        channel,
        times,
        converted,
        np.where(converted, amounts, 0.0),
        converted_at,
        tuple(str(k) for k in unique_ids.tolist()),
    )
    return journeys, touch_ids


def read_panel(
    analysis: str, warehouse: Warehouse, dialect: str, start: dt.date | None, end: dt.date | None
) -> MonthlyPanel:
    """The monthly panel of an analysis, restricted to the months of ``[start, end)``."""
    entities, month_column, values = fetch_columns(warehouse, monthly_sql(analysis, dialect))
    months = month_column.astype(np.int64)
    first = month_of_date(start) if start else (int(months.min()) if len(months) else None)
    last = month_of_date(end - dt.timedelta(days=1)) if end else (int(months.max()) if len(months) else None)
    if first is None or last is None or last < first:
        raise AnalysisInputError(
            f"no months of data for {analysis}",
            hint="Check --start/--end and that the project's data is built.",
        )
    keep = (months >= first) & (months <= last)
    _, entity = codes_of(entities)
    return MonthlyPanel.build(
        first, last - first + 1, entity[keep], months[keep] - first, _floats(values)[keep]
    )


def default_windows(panel: MonthlyPanel) -> list[tuple[int, int]]:
    """NRR / GRR windows shown in project mode: the whole range, and the last 12 months when they fit."""
    last = panel.n_months - 1
    windows = [(0, last)] if last > 0 else []
    if last >= 12 and (last - 12, last) not in windows:
        windows.append((last - 12, last))
    return windows


def _midnight(day: dt.date) -> float:
    """Epoch seconds of a day's midnight UTC."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp()


def _period(ts: float, by: str) -> str:
    day = dt.datetime.fromtimestamp(ts, dt.timezone.utc)
    if by == "month":
        return month_label(month_of_date(day))
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


NEEDS = {
    "attribution": (TOUCHPOINTS, SUBSCRIPTIONS, CUSTOMER_MONTHS),
    "lifecycle": (EVENTS,),
    "mrr-movements": (CUSTOMER_MONTHS,),
    "cohorts": (CUSTOMER_MONTHS,),
}
"""The canonical tables each analysis reads in project mode (the demo's names)."""


def _require(warehouse: Warehouse, analysis: str) -> None:
    """A project without the tables an analysis reads gets a clear error, not the database's."""
    missing = []
    for table in NEEDS[analysis]:
        try:
            warehouse.run(exp.select("1").from_(table).limit(0).sql())
        except WarehouseError:
            missing.append(table)
    if missing:
        raise AnalysisInputError(
            f"this project has no {', '.join(missing)}: the {analysis} analysis reads those canonical "
            "tables in project mode",
            hint=f"Give the data as a JSON file instead: metricmind analyze {analysis} --input FILE "
            "(the format is in docs/analyses.md).",
        )


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
    _require(warehouse, analysis)
    if analysis != "attribution":
        if by:
            raise AnalysisInputError("--by applies to attribution", hint="Drop --by.")
        if analysis == "lifecycle":
            return read_lifecycle_counts(warehouse, dialect, first, stop)
        panel = read_panel(analysis, warehouse, dialect, first, stop)
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
        keep &= ends >= _midnight(first)
    if stop:
        keep &= ends < _midnight(stop)
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
