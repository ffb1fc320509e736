"""The demo's query classes, run on several engines and compared row by row (``bench/engines.py``, tests).

Each ``EngineQuery`` is one ``MetricQuery`` of a class the compiler handles differently (simple, ratio,
derived with offsets, cumulative windows and grain-to-date, conversion, snapshots, multi-hop joins,
metric filters, zero-filled spines). The same query is compiled once per dialect and its rows compared
with :func:`same_rows`: numbers to 1e-9 relative, timestamps at midnight as dates, rows in sorted order.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from metricmind.spec.query import MetricQuery

#: Metrics the demo lacks, added to a copy for the zero-filled spine class (MetricFlow syntax).
EXTRA_METRICS = """metrics:
  - name: refunds_filled
    label: Refunds, every day
    description: Refunded amount with days without refunds as 0 (a zero-filled time spine).
    type: simple
    type_params:
      measure:
        name: refunded_amount
        fill_nulls_with: 0
        join_to_timespine: true
    filter: "{{ Dimension('invoice__is_refunded') }} = true"
  - name: api_events_filled
    label: API events, every day
    description: API events with days without any as 0.
    type: simple
    type_params:
      measure:
        name: events
        fill_nulls_with: 0
        join_to_timespine: true
    filter: "{{ Dimension('event__feature') }} = 'api'"
"""


@dataclass(frozen=True)
class EngineQuery:
    """One query of the parity suite: its class, a short name and ``MetricQuery.build`` arguments."""

    kind: str
    name: str
    args: dict[str, Any] = field(default_factory=dict)
    #: part of the CI subset (``tests/warehouse/test_spark.py``)
    ci: bool = False

    def query(self) -> MetricQuery:
        """The ``MetricQuery``."""
        return MetricQuery.build(**self.args)


def _q(kind: str, name: str, *, ci: bool = False, **args: Any) -> EngineQuery:
    return EngineQuery(kind, name, args, ci)


QUERIES: tuple[EngineQuery, ...] = (
    _q("simple", "events by month", ci=True, metrics="events", group_by="metric_time__month"),
    _q("simple", "invoice revenue by day", metrics="invoice_revenue", group_by="metric_time__day"),
    _q("simple", "signups by week", ci=True, metrics="signups", group_by="metric_time__week"),
    _q("simple", "events by feature and quarter", metrics="events", group_by="event__feature,metric_time__quarter"),
    _q("simple", "billed amount, no grouping", metrics="billed_amount,invoice_count"),
    _q("ratio", "average invoice value by month", ci=True, metrics="average_invoice_value", group_by="metric_time__month"),
    _q("ratio", "cac by quarter", metrics="cac", group_by="metric_time__quarter"),
    _q("ratio", "arpa by segment and month", ci=True, metrics="arpa", group_by="metric_time__month,customer__segment"),
    _q("ratio", "churn rate by month", metrics="customer_churn_rate", group_by="metric_time__month"),
    _q("derived", "net revenue by month", metrics="net_revenue", group_by="metric_time__month"),
    _q("derived", "net new mrr by month", ci=True, metrics="net_new_mrr", group_by="metric_time__month"),
    _q("derived offset", "mrr growth month over month", ci=True, metrics="mrr_growth_mom", group_by="metric_time__month"),
    _q("derived offset", "mrr growth year to date", ci=True, metrics="mrr_growth_ytd", group_by="metric_time__month"),
    _q("derived", "net revenue retention by quarter", metrics="net_revenue_retention", group_by="metric_time__quarter"),
    _q("cumulative", "trailing 3 months revenue", ci=True, metrics="revenue_trailing_3_months", group_by="metric_time__month"),
    _q("cumulative", "active users 7d by day", ci=True, metrics="active_users_7d", group_by="metric_time__day",
       start="2026-03-01", end="2026-06-30"),
    _q("grain to date", "revenue year to date by month", ci=True, metrics="revenue_ytd", group_by="metric_time__month"),
    _q("cumulative", "lifetime revenue by quarter", metrics="lifetime_revenue", group_by="metric_time__quarter"),
    _q("conversion", "trial conversion by month", ci=True, metrics="trial_conversion_rate", group_by="metric_time__month"),
    _q("conversion", "trial conversion by segment", metrics="trial_conversion_rate", group_by="customer__segment"),
    _q("snapshot", "mrr by month", ci=True, metrics="mrr,active_customers", group_by="metric_time__month"),
    _q("snapshot", "mrr by quarter and region", metrics="mrr", group_by="metric_time__quarter,customer__region"),
    _q("snapshot", "arr by year", metrics="arr", group_by="metric_time__year"),
    _q("multi-hop", "events by the user's customer region", ci=True, metrics="events", group_by="user__customer__region"),
    _q("multi-hop", "invoice revenue by the subscription's customer segment", metrics="invoice_revenue",
       group_by="subscription__customer__segment,metric_time__quarter"),
    _q("join", "events by customer segment", metrics="events,active_users", group_by="customer__segment"),
    _q("metric filter", "revenue of customers with over 20 invoices", ci=True, metrics="invoice_revenue",
       group_by="customer__segment", where="{{ Metric('invoice_count', group_by=['customer']) }} > 20"),
    _q("metric filter", "events of users with many events", metrics="events", group_by="metric_time__month",
       where="{{ Metric('events', group_by=['user']) }} >= 10"),
    _q("filter", "enterprise api events", metrics="events", group_by="metric_time__month",
       where=["{{ Dimension('customer__segment') }} = 'Enterprise'", "{{ Dimension('event__feature') }} = 'api'"]),
    _q("filter", "mrr in a date range", metrics="mrr", group_by="metric_time__month", start="2025-01-01", end="2025-12-31"),
    _q("zero-filled spine", "refunds every day", ci=True, metrics="refunds_filled", group_by="metric_time__day",
       start="2026-01-01", end="2026-03-31"),
    _q("zero-filled spine", "api events every day by platform", metrics="api_events_filled",
       group_by="metric_time__day,event__platform", start="2026-06-01", end="2026-06-30"),
    _q("order and limit", "top months by revenue", metrics="invoice_revenue", group_by="metric_time__month",
       order_by="-invoice_revenue", limit=5),
)  # fmt: skip


def add_extra_metrics(project_dir: Path) -> None:
    """Write ``EXTRA_METRICS`` into the demo project at ``project_dir`` (idempotent)."""
    target = project_dir / "models" / "semantic" / "engines_extra.yml"
    target.write_text(EXTRA_METRICS)


def _norm(value: Any) -> Any:
    # PostgreSQL truncates dates to TIMESTAMPTZ (midnight UTC in the UTC session), DuckDB to DATE.
    if (
        isinstance(value, dt.datetime)
        and value.time() == dt.time()
        and value.utcoffset() in (None, dt.timedelta(0))
    ):
        return value.date()
    if isinstance(value, decimal.Decimal | int | float) and not isinstance(value, bool):
        return float(value)
    return value


def _key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple((v is None, str(type(v).__name__), v if v is not None else 0) for v in row)


def normalized(rows: list[tuple[Any, ...]], *, ordered: bool = False) -> list[tuple[Any, ...]]:
    """Rows with comparable values (floats for numbers, dates for midnight timestamps), sorted unless ``ordered``."""
    out = [tuple(_norm(v) for v in row) for row in rows]
    return out if ordered else sorted(out, key=_key)


def same_rows(
    a: list[tuple[Any, ...]], b: list[tuple[Any, ...]], *, ordered: bool = False, rel: float = 1e-9
) -> str | None:
    """``None`` when ``a`` and ``b`` hold the same rows, else a description of the first difference."""
    left, right = normalized(a, ordered=ordered), normalized(b, ordered=ordered)
    if len(left) != len(right):
        return f"{len(left)} rows against {len(right)}"
    for i, (ra, rb) in enumerate(zip(left, right, strict=True)):
        if len(ra) != len(rb):
            return f"row {i}: {len(ra)} columns against {len(rb)}"
        for x, y in zip(ra, rb, strict=True):
            if isinstance(x, float) and isinstance(y, float):
                if not math.isclose(x, y, rel_tol=rel, abs_tol=1e-9):
                    return f"row {i}: {ra} against {rb}"
            elif x != y:
                return f"row {i}: {ra} against {rb}"
    return None
