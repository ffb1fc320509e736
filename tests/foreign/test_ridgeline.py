"""The ridgeline sample (a regional telecom operator's dbt project) loads, validates, builds with dbt and answers like
hand SQL.

Every reference is SQL written by hand against the project's marts in schema ``mart`` (never produced by
metricmind): the month-end active base read at each quarter's last month end (a stock), gross adds, disconnections
and net adds, churn over the opening base, ARPU over the closing base, ports in and out with the MNP balance,
top-ups through the line to its region, collections and overdue bills, usage with a roaming flag, outage minutes
two models away at the site, first-contact resolution, devices sold by store type, the year-to-date cumulative
and the web order to activation conversion.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from metricmind.interfaces.cli.app import app
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.testing.dbt import dbt_build
from metricmind.testing.rawload import copy_project
from metricmind.testing.ridgeline import RIDGELINE, load_ridgeline_raw
from tests.foreign.conftest import hand, same_rows
from tests.foreign.samplesets import day_rows, failing_gold, failing_months

MONTH = "metric_time__month"
MONTHS = [dt.date(y, m, 1) for y in (2024, 2025) for m in range(1, 13)]
ALL = {"start": "2024-01-01", "end": "2026-01-01"}
CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "active subscribers by segment at each quarter end of 2025 (a month-end stock, a hop to the line)",
        {
            "metrics": ["active_subscribers"],
            "group_by": ["metric_time__quarter", "subscriber__segment"],
            "start": "2025-01-01",
            "end": "2026-01-01",
            "order_by": ["metric_time__quarter", "subscriber__segment"],
        },
        "select date_trunc('quarter', b.snapshot_dt), s.segment, count(*) filter (where b.is_active_eom) "
        "from mart.fact_subscriber_base_monthly b join mart.dim_subscribers s using (subscriber_id) "
        "where b.snapshot_dt in ('2025-03-31', '2025-06-30', '2025-09-30', '2025-12-31') "
        "group by 1, 2 order by 1, 2",
    ),
    (
        "gross adds, disconnections and net adds by month (two models, a derived metric)",
        {
            "metrics": ["gross_adds", "disconnections", "net_adds"],
            "group_by": [MONTH],
            **ALL,
            "order_by": [MONTH],
        },
        "with g as (select date_trunc('month', activation_dt) m, count(*) v from mart.dim_subscribers group by 1), "
        "d as (select month_start m, count(*) filter (where is_churned) v from mart.fact_subscriber_base_monthly "
        "group by 1) select g.m, g.v, d.v, g.v - d.v from g join d using (m) order by 1",
    ),
    (
        "churn rate by segment in 2025 (disconnections over the opening base, summed over months)",
        {
            "metrics": ["churn_rate"],
            "group_by": ["subscriber__segment"],
            "start": "2025-01-01",
            "end": "2026-01-01",
            "order_by": ["subscriber__segment"],
        },
        "select s.segment, count(*) filter (where b.is_churned) / count(*) filter (where b.is_opening_base) "
        "from mart.fact_subscriber_base_monthly b join mart.dim_subscribers s using (subscriber_id) "
        "where b.month_start >= '2025-01-01' group by 1 order by 1",
    ),
    (
        "ARPU of postpaid lines by month of 2025 (service revenue over the closing base)",
        {
            "metrics": ["arpu"],
            "group_by": [MONTH],
            "where": ["{{ Dimension('subscriber__segment') }} = 'postpaid'"],
            "start": "2025-01-01",
            "end": "2026-01-01",
            "order_by": [MONTH],
        },
        "select b.month_start, sum(b.service_revenue_eur) / count(*) filter (where b.is_active_eom) "
        "from mart.fact_subscriber_base_monthly b join mart.dim_subscribers s using (subscriber_id) "
        "where s.segment = 'postpaid' and b.month_start >= '2025-01-01' group by 1 order by 1",
    ),
    (
        "ports in, ports out and the MNP balance by other operator in 2024",
        {
            "metrics": ["ports_in", "ports_out", "net_port_balance"],
            "group_by": ["port_request__other_operator"],
            "start": "2024-01-01",
            "end": "2025-01-01",
            "order_by": ["port_request__other_operator"],
        },
        "select other_operator, count(*) filter (where port_direction = 'port_in'), "
        "count(*) filter (where port_direction = 'port_out'), count(*) filter (where port_direction = 'port_in') "
        "- count(*) filter (where port_direction = 'port_out') from mart.fact_port_requests "
        "where ported_dt >= '2024-01-01' and ported_dt < '2025-01-01' group by 1 order by 1",
    ),
    (
        "top-up revenue by region and top-up channel in Q3 2025 (recharge -> line)",
        {
            "metrics": ["recharge_revenue"],
            "group_by": ["subscriber__region", "recharge__recharge_channel"],
            "start": "2025-07-01",
            "end": "2025-10-01",
            "order_by": ["subscriber__region", "recharge__recharge_channel"],
        },
        "select s.region, r.recharge_channel, sum(r.amount_eur) from mart.fact_recharges r "
        "join mart.dim_subscribers s using (subscriber_id) where r.recharge_dt >= '2025-07-01' "
        "and r.recharge_dt < '2025-10-01' group by 1, 2 order by 1, 2",
    ),
    (
        "billed amount, collection rate and overdue bills of lines without direct debit, by month of 2025",
        {
            "metrics": ["invoiced_amount", "collection_rate", "overdue_invoices"],
            "group_by": [MONTH],
            "where": ["{{ Dimension('subscriber__has_autopay') }} = false"],
            "start": "2025-01-01",
            "end": "2026-01-01",
            "order_by": [MONTH],
        },
        "select date_trunc('month', i.invoice_dt), sum(i.gross_amount_eur), "
        "sum(i.paid_amount_eur) / sum(i.gross_amount_eur), count(*) filter (where i.is_overdue) "
        "from mart.fact_invoices i join mart.dim_subscribers s using (subscriber_id) "
        "where not s.has_autopay and i.invoice_dt >= '2025-01-01' group by 1 order by 1",
    ),
    (
        "data usage and roaming revenue of lines that roamed, by handset brand in summer 2025 (a yes/no flag)",
        {
            "metrics": ["data_usage_gb", "roaming_revenue"],
            "group_by": ["subscriber__handset_brand"],
            "where": ["{{ Dimension('usage_line_month__is_roaming') }} = true"],
            "start": "2025-07-01",
            "end": "2025-09-01",
            "order_by": ["subscriber__handset_brand"],
        },
        "select s.handset_brand, sum(u.data_gb), sum(u.roaming_charges_eur) from mart.fact_usage_monthly u "
        "join mart.dim_subscribers s using (subscriber_id) where u.is_roaming "
        "and u.usage_month in ('2025-07-01', '2025-08-01') group by 1 order by 1",
    ),
    (
        "outage minutes and incidents by site region, unplanned only, in October 2024 (incident -> site)",
        {
            "metrics": ["outage_minutes", "network_incidents"],
            "group_by": ["site__site_region"],
            "where": ["{{ Dimension('incident__is_planned') }} = false"],
            "start": "2024-10-01",
            "end": "2024-11-01",
            "order_by": ["site__site_region"],
        },
        "select t.site_region, sum(i.outage_minutes), count(*) from mart.fact_network_incidents i "
        "join mart.dim_sites t using (site_id) where not i.is_planned and i.opened_dt >= '2024-10-01' "
        "and i.opened_dt < '2024-11-01' group by 1 order by 1",
    ),
    (
        "first contact resolution and contacts by channel, billing contacts only, 2025",
        {
            "metrics": ["fcr_rate", "care_contacts"],
            "group_by": ["care_contact__contact_channel"],
            "where": ["{{ Dimension('care_contact__contact_reason') }} = 'billing'"],
            "start": "2025-01-01",
            "end": "2026-01-01",
            "order_by": ["care_contact__contact_channel"],
        },
        "select contact_channel, count(*) filter (where is_first_contact_resolved) / count(*), count(*) "
        "from mart.fact_care_contacts where contact_reason = 'billing' and contact_dt >= '2025-01-01' "
        "group by 1 order by 1",
    ),
    (
        "devices sold by store type and brand on instalments in 2025 (sale -> store)",
        {
            "metrics": ["device_sales"],
            "group_by": ["store__store_type", "device_sale__device_brand"],
            "where": ["{{ Dimension('device_sale__is_instalment') }} = true"],
            "start": "2025-01-01",
            "end": "2026-01-01",
            "order_by": ["store__store_type", "device_sale__device_brand"],
        },
        "select s.store_type, d.device_brand, count(*) from mart.fact_device_sales d join mart.dim_stores s "
        "using (store_id) where d.is_instalment and d.sold_dt >= '2025-01-01' group by 1, 2 order by 1, 2",
    ),
    (
        "gross adds by acquisition channel, fibre and business excluded, in H2 2025 (a not-in filter)",
        {
            "metrics": ["gross_adds"],
            "group_by": ["subscriber__acquisition_channel"],
            "where": ["{{ Dimension('subscriber__segment') }} not in ('fibre', 'business')"],
            "start": "2025-07-01",
            "end": "2026-01-01",
            "order_by": ["subscriber__acquisition_channel"],
        },
        "select acquisition_channel, count(*) from mart.dim_subscribers where segment not in ('fibre', 'business') "
        "and activation_dt >= '2025-07-01' and activation_dt < '2026-01-01' group by 1 order by 1",
    ),
    (
        "service revenue year to date at each month of 2025 (cumulative, grain to date)",
        {
            "metrics": ["service_revenue_ytd"],
            "group_by": [MONTH],
            "start": "2025-01-01",
            "end": "2026-01-01",
            "order_by": [MONTH],
        },  # fmt: skip
        "with r as (select month_start m, sum(service_revenue_eur) v from mart.fact_subscriber_base_monthly "
        "group by 1) select m, sum(v) over (order by m) from r where m >= '2025-01-01' order by 1",
    ),
]


@pytest.mark.parametrize(("name", "query", "sql"), CASES, ids=[c[0] for c in CASES])
def test_ridgeline_python_equals_hand_sql(
    name: str, query: dict[str, Any], sql: str, ridgeline: Project
) -> None:
    ours = day_rows(ridgeline.run(MetricQuery.build(**query)).rows)
    want = day_rows(hand(ridgeline, sql))
    assert want and same_rows(ours, want), (ours, want)


def test_ridgeline_loads_and_validates_deep(ridgeline_dir: Path, ridgeline: Project) -> None:
    result = CliRunner().invoke(app, ["validate", "--deep", "-p", str(ridgeline_dir)])
    out = result.stdout + result.stderr
    assert result.exit_code == 0, out
    assert "0 error(s), 0 warning(s)" in out
    assert len(ridgeline.metrics()) == 26
    assert {str(m.type.value) for m in ridgeline.metrics()} == {
        "simple",
        "ratio",
        "derived",
        "cumulative",
        "conversion",
    }
    dims = {d.name for d in ridgeline.dimensions("recharge_revenue")}
    assert {"recharge__recharge_channel", "subscriber__region", "subscriber__store__store_type"} <= dims


def test_ridgeline_every_metric_runs_by_month(ridgeline: Project) -> None:
    """Each of the 26 metrics answers for each of the 24 months of 2024-2025, never null."""
    short = []
    for metric in ridgeline.metrics():
        query = MetricQuery.build([metric.name], group_by=[MONTH], **ALL)
        rows = day_rows(ridgeline.run(query).rows)
        if [r[0] for r in rows] != MONTHS or any(r[1] is None for r in rows):
            short.append(metric.name)
    assert not short, short


def test_ridgeline_conversion_equals_hand_sql(ridgeline: Project) -> None:
    """Web order to activation within 14 days, by order month: distinct orders whose line was activated on the
    order's day or the 14 days after, over all orders of the month."""
    query = MetricQuery.build(["web_order_conversion_rate"], group_by=[MONTH], **ALL, order_by=[MONTH])
    ours = ridgeline.run(query).rows
    want = hand(
        ridgeline,
        "select date_trunc('month', o.order_dt), count(distinct s.web_order_id) / count(distinct o.web_order_id) "
        "from mart.fact_web_orders o left join mart.dim_subscribers s on s.web_order_id = o.web_order_id "
        "and s.activation_dt >= o.order_dt and s.activation_dt <= o.order_dt + 14 group by 1 order by 1",
    )
    assert len(want) == 24 and same_rows(day_rows(ours), day_rows(want)), (ours, want)
    assert all(0.3 < float(r[1]) < 0.8 for r in want), want


def test_ridgeline_builds_with_dbt(dbt: str, tmp_path: Path) -> None:
    """Real dbt (dbt-duckdb) builds every model and passes every data test on the raw tables as loaded."""
    root = copy_project(RIDGELINE, tmp_path / "ridgeline")
    load_ridgeline_raw(root / "target" / "ridgeline.duckdb")
    done = dbt_build(dbt, root)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "16 table models, 32 data tests, 12 view models" in done.stdout, done.stdout[-2000:]


@pytest.mark.parametrize("split", ["dev_ridgeline.yml", "blind_ridgeline.yml"])
def test_ridgeline_question_gold_still_runs(split: str, ridgeline: Project) -> None:
    """Every answerable question's gold names real metrics, dimensions and values and runs to an answer
    (``check_gold``); only failing ids are reported, so the blind split stays unread."""
    count = {"dev_ridgeline.yml": 40, "blind_ridgeline.yml": 20}[split]
    assert not failing_gold(ridgeline, "ridgeline", split, count)


@pytest.mark.parametrize("split", ["dev_ridgeline.yml", "blind_ridgeline.yml"])
def test_ridgeline_definition_sql_gives_twenty_four_months(split: str, ridgeline: Project) -> None:
    """Every answerable definition's hand SQL gives one non-null value per month of 2024-2025 (ids only)."""
    count = {"dev_ridgeline.yml": 12, "blind_ridgeline.yml": 6}[split]
    assert not failing_months(ridgeline, split, MONTHS, count)
