"""metricmind and MetricFlow answer the same queries on the same demo warehouse with the same rows.

The demo is built once (1,000 customers, fixed end date) by ``build_demo``; MetricFlow reads the same
DuckDB file through its own dbt parse of the same project. Every metric type, joins up to two hops,
filters, grains, time ranges, ordering and the saved queries are covered. Time ranges: ours are
half-open ``[start, end)``, MetricFlow's inclusive, so MetricFlow gets ``end - 1 day``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from metricmind.demo.build import WAREHOUSE_FILE
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.testing.metricflow import MFQuery, MFResult, compare_results, run_metricflow
from tests.shared_demo import demo_copy

END_DATE = "2026-06-30"
SEGMENT = "{{ Dimension('customer__segment') }}"
DAY = "{{ TimeDimension('metric_time', 'day') }}"


@dataclass(frozen=True)
class Case:
    id: str
    metrics: tuple[str, ...]
    group_by: tuple[str, ...] = ()
    where: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None  # exclusive (ours)
    order_by: tuple[str, ...] = ()
    limit: int | None = None
    saved_query: str | None = None
    ordered: bool = False
    tags: tuple[str, ...] = field(default=())
    mf_where: tuple[str, ...] | None = None  # MetricFlow does not split one filter text at its ANDs


def C(id: str, metrics: str, group_by: str = "", **kw: object) -> Case:
    return Case(id, tuple(metrics.split(",")), tuple(g for g in group_by.split(",") if g), **kw)  # type: ignore[arg-type]


CASES = [
    # metric filters: a metric computed per entity, compared row by row
    C(
        "revenue_segment_frequent_payers",
        "invoice_revenue",
        "customer__segment",
        where=("{{ Metric('invoice_count', group_by=['customer']) }} > 20",),
    ),
    C(
        "events_month_big_customers",
        "events,active_users",
        "metric_time__month",
        where=("{{ Metric('invoice_revenue', group_by=['customer']) }} >= 20000",),
        start="2026-01-01",
        end="2026-07-01",
    ),
    # custom granularities of the time spine (fiscal years start on February 1st)
    C(
        "revenue_new_customers_fiscal_quarter",
        "invoice_revenue,new_customers",
        "metric_time__fiscal_quarter",
        start="2025-02-01",
        end="2026-02-01",
    ),
    C("aiv_fiscal_year_segment", "average_invoice_value", "metric_time__fiscal_year,customer__segment"),
    # simple, snapshots and grains
    C("mrr_month", "mrr", "metric_time__month"),
    C("mrr_active_quarter_segment", "mrr,active_customers", "metric_time__quarter,customer__segment"),
    C("mrr_year_region", "mrr", "metric_time__year,customer__region"),
    C("mrr_no_time", "mrr,active_customers", "customer__industry"),
    C("overdue_month", "overdue_amount", "metric_time__month"),
    C("overdue_week", "overdue_amount", "metric_time__week"),
    C("invoice_revenue_month_method", "invoice_revenue", "metric_time__month,invoice__payment_method"),
    C("billed_count_week", "billed_amount,invoice_count", "metric_time__week"),
    C("refunds_quarter", "refunds", "metric_time__quarter"),
    C("movements_month", "new_mrr,expansion_mrr,contraction_mrr,churned_mrr", "metric_time__month"),
    C(
        "new_churned_customers_channel",
        "new_customers,churned_customers",
        "metric_time__quarter,customer__acquisition_channel",
    ),
    C("signups_week", "signups", "metric_time__week"),
    C("trial_starts_month", "trial_starts", "metric_time__month"),
    C("events_month_platform", "events,active_users", "metric_time__month,event__platform"),
    C(
        "events_feature_day",
        "events",
        "metric_time__day,event__feature",
        start="2026-05-01",
        end="2026-06-01",
    ),
    C("api_events_quarter", "api_events", "metric_time__quarter"),
    C("touchpoints_channel", "touchpoints", "touchpoint__channel"),
    C(
        "attributed_new_mrr_channel",
        "first_touch_attributed_new_mrr,last_touch_attributed_new_mrr,linear_attributed_new_mrr",
        "touchpoint__channel",
    ),
    C("marketing_spend_month", "marketing_spend", "metric_time__month"),
    # joins
    C("events_user_role", "events", "user__role"),
    C("events_two_hops", "events", "user__customer__segment"),
    C("billed_plan_tier", "billed_amount", "subscription__plan_tier"),
    C("billed_two_hops", "billed_amount", "subscription__customer__region,metric_time__year"),
    C("mrr_country", "mrr", "customer__country"),
    C(
        "invoice_count_by_customer",
        "invoice_count",
        "customer",
        order_by=("-invoice_count",),
        limit=10,
        ordered=True,
    ),
    C(
        "billed_by_name",
        "billed_amount",
        "customer__name",
        order_by=("-billed_amount", "customer__name"),
        limit=10,
        ordered=True,
    ),
    C("billed_interval_status", "billed_amount", "subscription__billing_interval,invoice__status"),
    # ratios and derived
    C("arr_year", "arr", "metric_time__year"),
    C("arpa_month_region", "arpa", "metric_time__month,customer__region"),
    C("net_new_mrr_quarter", "net_new_mrr", "metric_time__quarter"),
    C("churn_rate_month", "customer_churn_rate", "metric_time__month"),
    C("retention_month", "net_revenue_retention,gross_revenue_retention", "metric_time__month"),
    C("average_invoice_value_segment", "average_invoice_value", "customer__segment"),
    C("cac_quarter", "cac", "metric_time__quarter"),
    C("net_revenue_month", "net_revenue", "metric_time__month"),
    C("mrr_growth_mom", "mrr_growth_mom", "metric_time__month"),
    C("mrr_growth_ytd", "mrr_growth_ytd", "metric_time__month"),
    # cumulative
    C("trailing_3m_month", "revenue_trailing_3_months", "metric_time__month"),
    C("ytd_month", "revenue_ytd", "metric_time__month"),
    C("lifetime_quarter", "lifetime_revenue", "metric_time__quarter"),
    C("active_users_7d_day", "active_users_7d", "metric_time__day", start="2026-03-01", end="2026-04-01"),
    C("active_users_7d_week", "active_users_7d", "metric_time__week", start="2026-01-05", end="2026-04-06"),
    # where filters on metric_time choose the output rows of cumulative and offset metrics
    C(
        "trailing_3m_month_since",
        "revenue_trailing_3_months",
        "metric_time__month",
        where=(f"{DAY} >= '2025-06-10'",),
    ),
    C(
        "ytd_quarter_segment_between",
        "revenue_ytd",
        "metric_time__quarter,customer__segment",
        where=(f"{DAY} BETWEEN '2025-02-15' AND '2025-11-20'",),
    ),
    C("lifetime_week_before", "lifetime_revenue", "metric_time__week", where=(f"{DAY} < '2024-09-01'",)),
    C(
        "active_users_7d_short_period",
        "active_users_7d",
        "metric_time__day",
        where=(f"{DAY} BETWEEN '2026-03-10' AND '2026-03-20'",),
    ),
    C(
        "mrr_growth_since_july_segment",
        "mrr_growth_mom,mrr_growth_ytd",
        "metric_time__month,customer__segment",
        where=("{{ TimeDimension('metric_time', 'month') }} >= '2025-07-01'",),
    ),
    C(
        "trailing_3m_since_enterprise",
        "revenue_trailing_3_months",
        "metric_time__month",
        where=(f"{DAY} >= '2025-06-10' AND {SEGMENT} = 'Enterprise'",),
        mf_where=(f"{DAY} >= '2025-06-10'", f"{SEGMENT} = 'Enterprise'"),
    ),
    # conversion
    C("trial_conversion_month", "trial_conversion_rate", "metric_time__month"),
    C("trial_conversion_segment", "trial_conversion_rate", "customer__segment"),
    # filters and ranges
    C("revenue_enterprise", "invoice_revenue", "metric_time__quarter", where=(f"{SEGMENT} = 'Enterprise'",)),
    C("mrr_emea", "mrr", "metric_time__quarter", where=("{{ Dimension('customer__region') }} = 'EMEA'",)),
    C(
        "events_mobile",
        "events",
        "metric_time__month",
        where=("{{ Dimension('event__platform') }} in ('ios', 'android')",),
    ),
    C(
        "billed_since_2025",
        "billed_amount",
        "customer__segment",
        where=("{{ TimeDimension('metric_time', 'month') }} >= '2025-01-01'",),
    ),
    C("revenue_range", "invoice_revenue,refunds", "metric_time__month", start="2025-01-01", end="2025-07-01"),
    C("mrr_range_widened", "mrr", "metric_time__quarter", start="2025-02-15", end="2025-08-20"),
    C(
        "multi_filter",
        "billed_amount",
        "invoice__payment_method",
        where=(f"{SEGMENT} != 'SMB'", "{{ Dimension('invoice__status') }} = 'paid'"),
    ),
    # saved queries
    *[
        Case(f"saved_{name}", (), saved_query=name)
        for name in (
            "mrr_overview",
            "mrr_movements_by_segment",
            "revenue_by_region",
            "marketing_efficiency",
            "enterprise_churn",
            "product_engagement",
        )
    ],
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Path]:
    target = tmp_path_factory.mktemp("demo_diff") / "saas_demo"
    demo_copy(tmp_path_factory, target, scale=1000, end_date=END_DATE, seed=7)
    return Project.load(target), target / WAREHOUSE_FILE


def _mf_query(case: Case) -> MFQuery:
    end = (dt.date.fromisoformat(case.end) - dt.timedelta(days=1)).isoformat() if case.end else None
    return MFQuery(
        case.id,
        case.metrics,
        case.group_by,
        case.mf_where if case.mf_where is not None else case.where,
        case.start,
        end,
        case.order_by,
        case.limit,
        case.saved_query,
    )


@pytest.fixture(scope="module")
def metricflow(demo: tuple[Project, Path], mf_env: Path) -> dict[str, MFResult]:
    project, warehouse = demo
    results = run_metricflow(project.root, warehouse, [_mf_query(c) for c in CASES])
    return {r.id: r for r in results}


def test_enough_queries() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_same_rows_as_metricflow(
    case: Case, demo: tuple[Project, Path], metricflow: dict[str, MFResult]
) -> None:
    project, _ = demo
    mf = metricflow[case.id]
    assert mf.error is None, f"MetricFlow failed: {mf.error}"
    if case.saved_query:
        query = project.saved_query(case.saved_query)
    else:
        query = MetricQuery.build(
            list(case.metrics),
            list(case.group_by),
            list(case.where),
            case.start,
            case.end,
            list(case.order_by),
            case.limit,
        )
    ours = project.run(query)
    assert mf.rows, "a comparison over no rows proves nothing"
    diffs = compare_results(ours.columns, ours.rows, mf.columns, mf.rows, ordered=case.ordered)
    assert not diffs, "\n".join(
        [
            f"{case.id}: {len(ours.rows)} rows (ours) vs {len(mf.rows)} (MetricFlow)",
            *diffs,
            "-- our SQL --",
            ours.sql,
            "-- MetricFlow SQL --",
            mf.sql,
        ]
    )
