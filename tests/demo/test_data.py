"""Sanity checks on the built demo data: it must look and behave like a real B2B SaaS company."""

from __future__ import annotations

import pytest

from metricmind.warehouse.duckdb import DuckDBWarehouse

#: DEMO_CATALOG.md dimension values, and where the canonical layer keeps them.
CATALOG_VALUES = {
    ("dim_customers_canonical", "segment"): {"SMB", "Mid-Market", "Enterprise"},
    ("dim_customers_canonical", "region"): {"NA", "EMEA", "APAC", "LATAM"},
    ("dim_customers_canonical", "industry"): {
        "Fintech",
        "Healthcare",
        "Retail",
        "Education",
        "Software",
        "Manufacturing",
    },
    ("dim_customers_canonical", "acquisition_channel"): {
        "paid_search",
        "organic_search",
        "paid_social",
        "email",
        "referral",
        "partner",
        "events",
        "direct",
    },
    ("fct_marketing_touchpoints_canonical", "channel"): {
        "paid_search",
        "organic_search",
        "paid_social",
        "email",
        "referral",
        "partner",
        "events",
        "direct",
    },
    ("fct_subscriptions_canonical", "plan_tier"): {"Starter", "Growth", "Pro", "Enterprise"},
    ("fct_subscriptions_canonical", "billing_interval"): {"monthly", "annual"},
    ("fct_subscriptions_canonical", "cancel_reason"): {
        "price",
        "missing_feature",
        "switched_competitor",
        "business_closed",
        "other",
    },
    ("fct_invoices_canonical", "payment_method"): {"card", "bank_transfer", "wire"},
    ("fct_user_events_canonical", "platform"): {"web", "ios", "android"},
    ("fct_user_events_canonical", "feature"): {
        "dashboards",
        "reports_export",
        "integrations",
        "api",
        "alerts",
    },
}

NOT_NULL = {
    "dim_customers_canonical": [
        "customer_id",
        "customer_name",
        "segment",
        "region",
        "country",
        "industry",
        "acquisition_channel",
        "signup_date",
        "current_mrr",
        "lifecycle_stage",
    ],
    "fct_subscriptions_canonical": [
        "subscription_id",
        "customer_id",
        "plan_tier",
        "billing_interval",
        "mrr",
        "started_at",
        "status",
        "change_type",
    ],
    "fct_invoices_canonical": [
        "invoice_id",
        "subscription_id",
        "customer_id",
        "issued_at",
        "due_at",
        "amount",
        "payment_method",
        "status",
        "is_paid",
        "is_refunded",
    ],
    "fct_invoice_balances_daily": [
        "invoice_balance_id",
        "invoice_id",
        "customer_id",
        "balance_date",
        "overdue_amount",
    ],
    "fct_user_events_canonical": ["event_id", "user_id", "customer_id", "occurred_at", "feature", "platform"],
    "fct_marketing_touchpoints_canonical": [
        "touchpoint_id",
        "customer_id",
        "touched_at",
        "channel",
        "campaign",
        "allocated_spend",
        "first_touch_new_mrr",
        "linear_new_mrr",
    ],
    "mart_customer_lifecycle_canonical": [
        "customer_month_id",
        "customer_id",
        "subscription_id",
        "month_start",
        "mrr",
        "previous_mrr",
        "new_mrr",
        "expansion_mrr",
        "contraction_mrr",
        "churned_mrr",
        "is_active",
    ],
    "fct_ad_spend": ["ad_spend_id", "spend_date", "channel", "campaign", "spend"],
    "fct_trials": ["trial_id", "customer_id", "trial_started_at", "outcome"],
}


def one(wh: DuckDBWarehouse, sql: str) -> object:
    return wh.run(sql).scalar()


@pytest.mark.parametrize(("table", "column"), sorted(CATALOG_VALUES))
def test_every_catalog_value_is_present(wh: DuckDBWarehouse, table: str, column: str) -> None:
    found = {
        r[0] for r in wh.run(f"select distinct {column} from main.{table} where {column} is not null").rows
    }
    assert found == CATALOG_VALUES[(table, column)]


@pytest.mark.parametrize("table", sorted(NOT_NULL))
def test_columns_metrics_read_are_not_null(wh: DuckDBWarehouse, table: str) -> None:
    checks = ", ".join(f"count(*) filter (where {c} is null)" for c in NOT_NULL[table])
    nulls = dict(zip(NOT_NULL[table], wh.run(f"select {checks} from main.{table}").rows[0], strict=True))
    assert all(v == 0 for v in nulls.values()), nulls


def test_conditional_columns(wh: DuckDBWarehouse) -> None:
    assert (
        one(wh, "select count(*) from main.fct_invoices_canonical where is_paid <> (paid_at is not null)")
        == 0
    )
    assert one(wh, "select count(*) from main.fct_invoices_canonical where paid_at < issued_at") == 0
    assert (
        one(wh, "select count(*) from main.fct_invoices_canonical where is_refunded and refunded_at is null")
        == 0
    )
    assert (
        one(
            wh,
            "select count(*) from main.fct_marketing_touchpoints_canonical "
            "where is_converting_touch and (converted_at is null or touched_at >= converted_at)",
        )
        == 0
    )
    assert (
        one(
            wh,
            "select count(*) from main.fct_subscriptions_canonical "
            "where status = 'canceled' and (cancel_reason is null or ended_at is null)",
        )
        == 0
    )
    assert one(wh, "select count(*) from main.fct_subscriptions_canonical where is_trial and mrr <> 0") == 0
    assert one(
        wh, "select max(greatest(issued_at, coalesce(paid_at, issued_at))) from main.fct_invoices_canonical"
    ) <= one(wh, "select max(date_day) from main.time_spine_daily")


def test_mrr_is_positive_and_grows(wh: DuckDBWarehouse) -> None:
    rows = dict(
        wh.run("select month_start, sum(mrr) from main.mart_customer_lifecycle_canonical group by 1").rows
    )
    by_year = [rows[m] for m in sorted(rows) if m.month == 6]
    assert len(by_year) == 4 and all(v > 0 for v in by_year)
    assert by_year == sorted(by_year)
    assert by_year[-1] > 3 * by_year[1]


def test_movements_reconcile_with_mrr(wh: DuckDBWarehouse) -> None:
    off = wh.run("""
        select month_start, sum(mrr) - sum(previous_mrr) - sum(new_mrr + expansion_mrr - contraction_mrr - churned_mrr)
        from main.mart_customer_lifecycle_canonical group by 1 having abs(sum(mrr) - sum(previous_mrr)
            - sum(new_mrr + expansion_mrr - contraction_mrr - churned_mrr)) > 0.001
    """).rows
    assert off == []
    moves = wh.run("select sum(signed_amount) from main.fct_mrr_movements").scalar()
    latest = wh.run(
        "select sum(mrr) from main.mart_customer_lifecycle_canonical "
        "where month_start = (select max(month_start) from main.mart_customer_lifecycle_canonical)"
    ).scalar()
    assert moves == latest


def test_every_movement_kind_happens(wh: DuckDBWarehouse) -> None:
    kinds = dict(wh.run("select movement_type, count(*) from main.fct_mrr_movements group by 1").rows)
    assert set(kinds) == {"new", "reactivation", "expansion", "contraction", "churn"}
    assert kinds["new"] > kinds["expansion"] > kinds["contraction"] and kinds["reactivation"] > 0
    changes = dict(
        wh.run("select change_type, count(*) from main.fct_subscriptions_canonical group by 1").rows
    )
    assert set(changes) == {"trial", "new", "upgrade", "downgrade", "reactivation"}


def test_attribution_credits_all_first_time_new_mrr(wh: DuckDBWarehouse) -> None:
    first_time = wh.run(
        "select sum(new_mrr - reactivation_mrr) from main.mart_customer_lifecycle_canonical"
    ).scalar()
    first, last, linear = wh.run(
        "select sum(first_touch_new_mrr), sum(last_touch_new_mrr), sum(linear_new_mrr) "
        "from main.fct_marketing_touchpoints_canonical"
    ).rows[0]
    assert first == last == first_time
    assert linear == pytest.approx(float(first_time), rel=1e-12)  # unrounded shares add up exactly
    journeys = wh.run(
        "select avg(journey_touches) from main.fct_marketing_touchpoints_canonical where journey_position = 1"
    ).scalar()
    assert 2 < journeys < 6


def test_funnel_rates_are_plausible(wh: DuckDBWarehouse) -> None:
    converted, trials = wh.run(
        "select count(*) filter (where is_converted), count(*) from main.fct_trials"
    ).rows[0]
    assert 0.2 < converted / trials < 0.5
    paying = one(wh, "select count(*) from main.dim_customers_canonical where first_paid_date is not null")
    assert 0.3 * 1000 < paying < 0.5 * 1000
    churn = wh.run("""
        select sum(is_churned_customer::int) / sum(was_active_at_start::int)
        from main.mart_customer_lifecycle_canonical where month_start >= date '2024-01-01'
    """).scalar()
    assert 0.005 < churn < 0.04  # monthly logo churn


def test_billing_has_late_payments_write_offs_and_refunds(wh: DuckDBWarehouse) -> None:
    statuses = dict(wh.run("select status, count(*) from main.fct_invoices_canonical group by 1").rows)
    assert {"paid", "refunded", "partially_refunded", "uncollectible"} <= set(statuses)
    late = one(wh, "select avg(is_paid_late::int) from main.fct_invoices_canonical where is_paid")
    assert 0.02 < late < 0.2
    assert one(wh, "select count(distinct balance_date) from main.fct_invoice_balances_daily") > 300


def test_growth_and_seasonality(wh: DuckDBWarehouse) -> None:
    signups = dict(
        wh.run("select year(signup_date), count(*) from main.dim_customers_canonical group by 1").rows
    )
    assert signups[2022] < signups[2023] < signups[2024]
    weekday, weekend = wh.run("""
        select count(*) filter (where isodow(event_date) <= 5) / 5, count(*) filter (where isodow(event_date) > 5) / 2
        from main.fct_user_events_canonical
    """).rows[0]
    assert weekend < 0.5 * weekday
    spend = dict(wh.run("select year(spend_date), sum(spend) from main.fct_ad_spend group by 1").rows)
    assert spend[2022] < spend[2023] < spend[2024]


def test_usage_fades_before_churn(wh: DuckDBWarehouse) -> None:
    before, earlier = wh.run("""
        with churned as (
            select customer_id, ended_at from main.fct_subscriptions_canonical
            where status = 'canceled' and ended_at >= date '2023-01-01'
        )
        select
            count(*) filter (where e.event_date >= c.ended_at - 42 and e.event_date < c.ended_at),
            count(*) filter (where e.event_date >= c.ended_at - 182 and e.event_date < c.ended_at - 140)
        from churned as c join main.fct_user_events_canonical as e on e.customer_id = c.customer_id
    """).rows[0]
    assert before < 0.75 * earlier


def test_snapshot_month_is_the_as_of_date(wh: DuckDBWarehouse) -> None:
    last = wh.run(
        "select max(month_start), max(snapshot_date) from main.mart_customer_lifecycle_canonical"
    ).rows[0]
    assert str(last[0]) == "2025-06-01" and str(last[1]) == "2025-06-30"
