"""The lastmile sample (a parcel-delivery company's dbt project) loads, validates and answers like hand SQL.

Every reference is SQL written by hand against the project's marts in schema ``core`` (never produced by
metricmind): string keys, a composite key, a snapshot without Sunday counts, a ratio across two models, a
filtered ratio input, a conversion with filtered measures, a month-to-date cumulative and a week-on-week
offset.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from metricmind.interfaces.cli.app import app
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from tests.foreign.conftest import hand, same_rows
from tests.foreign.samplesets import day_rows, failing_gold, failing_months

MONTH = "metric_time__month"
LAST_COUNT = "ds in (select max(ds) from core.hub_stock_daily group by date_trunc('month', ds))"
ATTEMPT_HUB = "core.delivery_attempts a join core.routes r using (route_id) join core.hubs h using (hub_code)"
CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "parcel volume and shipping revenue by booking month (fiscal year Oct-Sep)",
        {"metrics": ["parcel_volume", "shipping_revenue"], "group_by": [MONTH], "order_by": [MONTH]},
        "select date_trunc('month', booked_tstamp), count(*), sum(shipping_fee_eur) from core.parcels "
        "group by 1 order by 1",
    ),
    (
        "revenue per parcel by shipper segment (denormalized dimension)",
        {
            "metrics": ["revenue_per_parcel"],
            "group_by": ["parcel__shipper_segment"],
            "order_by": ["parcel__shipper_segment"],
        },
        "select shipper_segment, sum(shipping_fee_eur) / count(*) from core.parcels group by 1 order by 1",
    ),
    (
        "delivered parcels and on-time rate by delivery month (a second time column, a filtered numerator)",
        {"metrics": ["delivered_parcels", "on_time_rate"], "group_by": [MONTH], "order_by": [MONTH]},
        "select date_trunc('month', delivered_tstamp), count(*), avg(case when is_on_time then 1.0 else 0 end) "
        "from core.parcels where parcel_status = 'delivered' group by 1 order by 1",
    ),
    (
        "failed attempts by region of the route's hub (two hops, string keys)",
        {"metrics": ["failed_attempts"], "group_by": ["hub__region"], "order_by": ["hub__region"]},
        f"select h.region, count(*) from {ATTEMPT_HUB} where not a.was_successful group by 1 order by 1",
    ),
    (
        "first attempt success rate by vehicle type in Q4 2024",
        {
            "metrics": ["first_attempt_success_rate"],
            "group_by": ["route__vehicle_type"],
            "start": "2024-10-01",
            "end": "2025-01-01",
            "order_by": ["route__vehicle_type"],
        },
        "select r.vehicle_type, avg(case when a.was_successful then 1.0 else 0 end) from core.delivery_attempts a "
        "join core.routes r using (route_id) where a.attempt_number = 1 and a.attempt_tstamp < '2025-01-01' "
        "group by 1 order by 1",
    ),
    (
        "stops per hour by hub (a ratio of two models)",
        {"metrics": ["stops_per_hour"], "group_by": ["hub"], "order_by": ["hub"]},
        "select s.hub_code, s.n / h.hrs from (select r.hub_code, count(*) n from core.delivery_attempts a "
        "join core.routes r using (route_id) group by 1) s join (select hub_code, sum(shift_hours) hrs "
        "from core.routes group by 1) h using (hub_code) order by 1",
    ),
    (
        "parcels on hand at each month's last count (August's is Saturday the 30th)",
        {"metrics": ["parcels_on_hand"], "group_by": [MONTH], "order_by": [MONTH]},
        "select date_trunc('month', ds), sum(parcels_on_hand) from core.hub_stock_daily "
        f"where {LAST_COUNT} group by 1 order by 1",
    ),
    (
        "parcels on hand by country at the end of August 2025",
        {
            "metrics": ["parcels_on_hand"],
            "group_by": ["hub__country_code"],
            "start": "2025-08-01",
            "end": "2025-09-01",
            "order_by": ["hub__country_code"],
        },
        "select h.country_code, sum(s.parcels_on_hand) from core.hub_stock_daily s join core.hubs h "
        "using (hub_code) where s.ds = '2025-08-30' group by 1 order by 1",
    ),
    (
        "fuel cost per diesel km by quarter (a filtered denominator)",
        {
            "metrics": ["fuel_cost_per_km"],
            "group_by": ["metric_time__quarter"],
            "order_by": ["metric_time__quarter"],
        },
        "select date_trunc('quarter', route_dt), sum(fuel_cost_eur) / sum(km_driven) filter "
        "(where vehicle_type = 'diesel_van') from core.routes group by 1 order by 1",
    ),
    (
        "shipping revenue month to date, last days of September 2025",
        {
            "metrics": ["revenue_mtd"],
            "group_by": ["metric_time__day"],
            "start": "2025-09-26",
            "end": "2025-10-01",
            "order_by": ["metric_time__day"],
        },
        "select d, (select sum(shipping_fee_eur) from core.parcels where booked_tstamp >= '2025-09-01' "
        "and cast(booked_tstamp as date) <= d) from (select cast(generate_series as date) d from "
        "generate_series(date '2025-09-26', date '2025-09-30', interval 1 day)) order by 1",
    ),
    (
        "parcel volume week on week (offset window), weeks of September 2025",
        {
            "metrics": ["parcel_volume_wow"],
            "group_by": ["metric_time__week"],
            "start": "2025-09-01",
            "end": "2025-09-29",
            "order_by": ["metric_time__week"],
        },
        "with w as (select date_trunc('week', booked_tstamp) w, count(*) v from core.parcels group by 1) "
        "select w.w, (w.v - p.v) / p.v from w join w p on p.w = w.w - interval 7 day "
        "where w.w >= '2025-09-01' and w.w < '2025-09-29' order by 1",
    ),
    (
        "delivered parcels of NL key accounts, same day excluded, late ones only",
        {
            "metrics": ["delivered_parcels"],
            "where": [
                "{{ Dimension('parcel__shipper_segment') }} = 'key_account'",
                "{{ Dimension('parcel__destination_country') }} = 'NL'",
                "{{ Dimension('parcel__service_level') }} != 'same_day'",
                "{{ Dimension('parcel__is_on_time') }} = false",
            ],
        },
        "select count(*) from core.parcels where parcel_status = 'delivered' and shipper_segment = 'key_account' "
        "and destination_country = 'NL' and service_level <> 'same_day' and not is_on_time",
    ),
    (
        "active shippers in fashion by month (count distinct)",
        {
            "metrics": ["active_shippers"],
            "group_by": [MONTH],
            "where": ["{{ Dimension('parcel__shipper_vertical') }} = 'fashion'"],
            "order_by": [MONTH],
        },
        "select date_trunc('month', booked_tstamp), count(distinct shipper_id) from core.parcels "
        "where shipper_vertical = 'fashion' group by 1 order by 1",
    ),
    (
        "routes and km by courier contract type (route -> courier)",
        {
            "metrics": ["routes_run", "km_driven"],
            "group_by": ["courier__contract_type"],
            "order_by": ["courier__contract_type"],
        },
        "select c.contract_type, count(*), sum(r.km_driven) from core.routes r join core.couriers c "
        "using (courier_id) group by 1 order by 1",
    ),
]


@pytest.mark.parametrize(("name", "query", "sql"), CASES, ids=[c[0] for c in CASES])
def test_lastmile_python_equals_hand_sql(
    name: str, query: dict[str, Any], sql: str, lastmile: Project
) -> None:
    ours = day_rows(lastmile.run(MetricQuery.build(**query)).rows)
    want = day_rows(hand(lastmile, sql))
    assert want and same_rows(ours, want), (ours, want)


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout + result.stderr


def test_lastmile_loads_and_validates_deep(lastmile_dir: Path, lastmile: Project) -> None:
    code, out = _cli("validate", "--deep", "-p", str(lastmile_dir))
    assert code == 0, out
    assert "0 error(s), 0 warning(s)" in out
    assert len(lastmile.metrics()) == 20
    assert {str(m.type.value) for m in lastmile.metrics()} == {
        "simple",
        "ratio",
        "derived",
        "cumulative",
        "conversion",
    }
    dims = {d.name for d in lastmile.dimensions("failed_attempts")}
    assert {"route__hub__region", "route__courier__contract_type", "parcel__shipper_segment"} <= dims


def test_lastmile_every_metric_runs_by_month(lastmile: Project) -> None:
    """Each of the 20 metrics answers for the twelve months of the fiscal year (October 2024 to September 2025)."""
    short = []
    for metric in lastmile.metrics():
        query = MetricQuery.build([metric.name], group_by=[MONTH], start="2024-10-01", end="2025-10-01")
        rows = day_rows(lastmile.run(query).rows)
        if [r[0] for r in rows] != MONTHS or any(r[1] is None for r in rows):
            short.append(metric.name)
    assert not short, short


def test_lastmile_conversion_equals_hand_sql(lastmile: Project) -> None:
    """D+1: parcels delivered on the booking day or the next (a 2-day window in whole days, as MetricFlow
    counts it), over parcels booked, by booking month."""
    ours = lastmile.run(MetricQuery.build(["d1_delivery_rate"], group_by=[MONTH], order_by=[MONTH])).rows
    want = hand(
        lastmile,
        "select date_trunc('month', booked_tstamp), avg(case when cast(delivered_tstamp as date) <= "
        "cast(booked_tstamp as date) + 1 then 1.0 else 0.0 end) from core.parcels group by 1 order by 1",
    )
    assert len(want) == 12 and same_rows(day_rows(ours), day_rows(want)), (ours, want)
    assert all(0.5 < float(r[1]) < 0.9 for r in want), want


def test_lastmile_cli_json(lastmile_dir: Path, lastmile: Project) -> None:
    code, out = _cli(
        "query", "-p", str(lastmile_dir), "-m", "routes_run,fuel_cost",
        "-g", "route__vehicle_type", "-o", "-routes_run", "-f", "json",
    )  # fmt: skip
    assert code == 0, out
    data = json.loads(out)
    want = hand(
        lastmile,
        "select vehicle_type, count(*), sum(fuel_cost_eur) from core.routes group by 1 order by 2 desc",
    )
    assert same_rows([tuple(r) for r in data["rows"]], [tuple(r) for r in want]), (data["rows"], want)


MONTHS = [dt.date(2024 + (9 + i) // 12, (9 + i) % 12 + 1, 1) for i in range(12)]


@pytest.mark.parametrize("split", ["dev_lastmile.yml", "blind_lastmile.yml"])
def test_lastmile_question_gold_still_runs(split: str, lastmile: Project) -> None:
    """Every answerable question's gold still names real metrics, dimensions and values and runs to an answer
    (``check_gold``); only failing ids are reported, so the blind split stays unread."""
    count = {"dev_lastmile.yml": 40, "blind_lastmile.yml": 20}[split]
    assert not failing_gold(lastmile, "lastmile", split, count)


@pytest.mark.parametrize(
    "split", ["dev_lastmile.yml", "blind_lastmile.yml", "dev2_lastmile.yml", "blind2_lastmile.yml"]
)
def test_lastmile_definition_sql_gives_twelve_months(split: str, lastmile: Project) -> None:
    """Every answerable definition's hand SQL gives one non-null value per month of 2024-10..2025-09 (ids only)."""
    count = {
        "dev_lastmile.yml": 16,
        "blind_lastmile.yml": 8,
        "dev2_lastmile.yml": 6,
        "blind2_lastmile.yml": 3,
    }[split]
    assert not failing_months(lastmile, split, MONTHS, count)
