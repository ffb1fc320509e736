"""The harbor sample (a hotel group's dbt project) loads, validates, builds with dbt and answers like hand SQL.

Every reference is SQL written by hand against the project's marts in schema ``marts`` (never produced by
metricmind): occupancy and RevPAR against the daily inventory snapshot (a ratio across two models), a
rooms-in-inventory snapshot at month end, ratios with filtered inputs, dimensions two hops away (room night
-> reservation, room night -> property), an ``expr`` dimension, a yes/no filter, revenue converted from three
currencies, the year-to-date cumulative, the prior-month offset and the quote-to-booking conversion.
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
from metricmind.testing.harbor import HARBOR, load_harbor_raw
from metricmind.testing.rawload import copy_project
from tests.foreign.conftest import hand, same_rows
from tests.foreign.samplesets import day_rows, failing_gold, failing_months

MONTH = "metric_time__month"
NIGHTS = "marts.fct_room_nights n"
NIGHT_HOTEL = f"{NIGHTS} join marts.dim_properties p using (property_code)"
INV_HOTEL = "marts.fct_room_inventory_daily i join marts.dim_properties p using (property_code)"
MONTHS = [dt.date(2025, m, 1) for m in range(1, 13)]
CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "room nights and room revenue by stay month",
        {"metrics": ["room_nights", "room_revenue"], "group_by": [MONTH], "order_by": [MONTH]},
        "select date_trunc('month', stay_date), count(*), sum(room_revenue_eur) from marts.fct_room_nights "
        "group by 1 order by 1",
    ),
    (
        "adr by hotel city (room night -> property)",
        {"metrics": ["adr"], "group_by": ["property__city"], "order_by": ["property__city"]},
        f"select p.city, sum(n.room_revenue_eur) / count(*) from {NIGHT_HOTEL} group by 1 order by 1",
    ),
    (
        "occupancy by hotel in Q3 2025 (a ratio against the inventory snapshot)",
        {
            "metrics": ["occupancy"],
            "group_by": ["property"],
            "start": "2025-07-01",
            "end": "2025-10-01",
            "order_by": ["property"],
        },
        "select s.property_code, s.n / a.a from (select property_code, count(*) n from marts.fct_room_nights "
        "where stay_date between '2025-07-01' and '2025-09-30' group by 1) s join (select property_code, "
        "sum(rooms_available) a from marts.fct_room_inventory_daily where inventory_date between '2025-07-01' "
        "and '2025-09-30' group by 1) a using (property_code) order by 1",
    ),
    (
        "revpar by brand and quarter",
        {
            "metrics": ["revpar"],
            "group_by": ["property__brand", "metric_time__quarter"],
            "order_by": ["property__brand", "metric_time__quarter"],
        },
        f"select r.brand, r.q, r.rev / a.a from (select p.brand, date_trunc('quarter', n.stay_date) q, "
        f"sum(n.room_revenue_eur) rev from {NIGHT_HOTEL} group by 1, 2) r join (select p.brand, "
        f"date_trunc('quarter', i.inventory_date) q, sum(i.rooms_available) a from {INV_HOTEL} group by 1, 2) a "
        "using (brand, q) order by 1, 2",
    ),
    (
        "rooms in inventory at each month end (a snapshot: Genoa's rooms from April)",
        {"metrics": ["rooms_in_inventory"], "group_by": [MONTH], "order_by": [MONTH]},
        "select date_trunc('month', inventory_date), sum(rooms_in_service) from marts.fct_room_inventory_daily "
        "where inventory_date = last_day(inventory_date) group by 1 order by 1",
    ),
    (
        "cancellation rate by booking channel (a filtered numerator; walk-ins never cancel: null, as MetricFlow)",
        {
            "metrics": ["cancellation_rate"],
            "group_by": ["reservation__booking_channel"],
            "order_by": ["reservation__booking_channel"],
        },
        "select booking_channel, nullif(count(*) filter (where reservation_status = 'cancelled'), 0) / count(*) "
        "from marts.fct_reservations group by 1 order by 1",
    ),
    (
        "average length of stay by arrival month (both ratio inputs filtered to stayed)",
        {"metrics": ["avg_length_of_stay"], "group_by": [MONTH], "order_by": [MONTH]},
        "select date_trunc('month', arrival_date), sum(nights) / count(*) from marts.fct_reservations "
        "where reservation_status = 'stayed' group by 1 order by 1",
    ),
    (
        "direct booking share by country of the hotel",
        {
            "metrics": ["direct_booking_share"],
            "group_by": ["property__country_code"],
            "order_by": ["property__country_code"],
        },
        "select p.country_code, avg(case when r.is_direct then 1.0 else 0 end) from marts.fct_reservations r "
        "join marts.dim_properties p using (property_code) group by 1 order by 1",
    ),
    (
        "average lead time by lead time band (an expr dimension)",
        {
            "metrics": ["avg_lead_time", "bookings"],
            "group_by": ["reservation__lead_time_band"],
            "order_by": ["reservation__lead_time_band"],
        },
        "select case when lead_time_days <= 7 then '0-7 days' when lead_time_days <= 30 then '8-30 days' "
        "when lead_time_days <= 90 then '31-90 days' else '91+ days' end b, avg(lead_time_days), count(*) "
        "from marts.fct_reservations group by 1 order by 1",
    ),
    (
        "weekend room nights by rate plan, members' bookings excluded (two hops, a yes/no filter)",
        {
            "metrics": ["room_nights"],
            "group_by": ["reservation__rate_plan"],
            "where": [
                "{{ Dimension('room_night__is_weekend_night') }} = true",
                "{{ Dimension('reservation__is_member_booking') }} = false",
            ],
            "order_by": ["reservation__rate_plan"],
        },
        "select r.rate_plan, count(*) from marts.fct_room_nights n join marts.fct_reservations r "
        "using (reservation_id) where n.is_weekend_night and not r.is_member_booking group by 1 order by 1",
    ),
    (
        "f&b and total revenue by currency (converted at the monthly rate)",
        {
            "metrics": ["fnb_revenue", "total_revenue"],
            "group_by": ["folio_line__local_currency"],
            "order_by": ["folio_line__local_currency"],
        },
        "select local_currency, sum(amount_eur) filter (where revenue_department = 'food_and_beverage'), "
        "sum(amount_eur) from marts.fct_folio_charges group by 1 order by 1",
    ),
    (
        "circle members who stayed, by tier, in December 2025 (count distinct)",
        {
            "metrics": ["members_stayed"],
            "group_by": ["guest__loyalty_tier"],
            "start": "2025-12-01",
            "end": "2026-01-01",
            "order_by": ["guest__loyalty_tier"],
        },
        "select g.loyalty_tier, count(distinct n.guest_id) from marts.fct_room_nights n join marts.dim_guests g "
        "using (guest_id) where g.is_loyalty_member and n.stay_date >= '2025-12-01' group by 1 order by 1",
    ),
    (
        "room revenue year to date, last days of December 2025",
        {
            "metrics": ["room_revenue_ytd"],
            "group_by": ["metric_time__day"],
            "start": "2025-12-27",
            "end": "2026-01-01",
            "order_by": ["metric_time__day"],
        },
        "select d, (select sum(room_revenue_eur) from marts.fct_room_nights where stay_date <= d) from "
        "(select cast(generate_series as date) d from generate_series(date '2025-12-27', date '2025-12-31', "
        "interval 1 day)) order by 1",
    ),
    (
        "pickup growth versus the prior month (an offset on the booking date)",
        {
            "metrics": ["bookings_made_mom_growth"],
            "group_by": [MONTH],
            "start": "2025-01-01",
            "end": "2026-01-01",
            "order_by": [MONTH],
        },
        "with b as (select date_trunc('month', booked_at) m, count(*) v from marts.fct_reservations group by 1) "
        "select b.m, (b.v - p.v) / p.v from b join b p on p.m = b.m - interval 1 month "
        "where b.m >= '2025-01-01' order by 1",
    ),
    (
        "spa revenue of the Harbor brand's hotels in Southern Europe, by hotel",
        {
            "metrics": ["spa_revenue"],
            "group_by": ["property__property_name"],
            "where": [
                "{{ Dimension('property__brand') }} = 'Harbor'",
                "{{ Dimension('property__region') }} = 'Southern Europe'",
            ],
            "order_by": ["property__property_name"],
        },
        "select p.property_name, sum(f.amount_eur) from marts.fct_folio_charges f join marts.dim_properties p "
        "using (property_code) where f.revenue_department = 'spa' and p.brand = 'Harbor' and "
        "p.region = 'Southern Europe' group by 1 order by 1",
    ),
]


@pytest.mark.parametrize(("name", "query", "sql"), CASES, ids=[c[0] for c in CASES])
def test_harbor_python_equals_hand_sql(name: str, query: dict[str, Any], sql: str, harbor: Project) -> None:
    ours = day_rows(harbor.run(MetricQuery.build(**query)).rows)
    want = day_rows(hand(harbor, sql))
    assert want and same_rows(ours, want), (ours, want)


def test_harbor_loads_and_validates_deep(harbor_dir: Path, harbor: Project) -> None:
    result = CliRunner().invoke(app, ["validate", "--deep", "-p", str(harbor_dir)])
    out = result.stdout + result.stderr
    assert result.exit_code == 0, out
    assert "0 error(s), 0 warning(s)" in out
    assert len(harbor.metrics()) == 30
    assert {str(m.type.value) for m in harbor.metrics()} == {
        "simple",
        "ratio",
        "derived",
        "cumulative",
        "conversion",
    }
    dims = {d.name for d in harbor.dimensions("room_nights")}
    assert {"reservation__booking_channel", "property__region", "guest__loyalty_tier"} <= dims


def test_harbor_every_metric_runs_by_month(harbor: Project) -> None:
    """Each of the 30 metrics answers for the twelve months of 2025."""
    short = []
    for metric in harbor.metrics():
        query = MetricQuery.build([metric.name], group_by=[MONTH], start="2025-01-01", end="2026-01-01")
        rows = day_rows(harbor.run(query).rows)
        if [r[0] for r in rows] != MONTHS or any(r[1] is None for r in rows):
            short.append(metric.name)
    assert not short, short


def test_harbor_conversion_equals_hand_sql(harbor: Project) -> None:
    """Quote to booking, by quote month of 2025: each booking counts once, for the guest's latest quote before
    it, when it falls within 7 whole days of that quote (the quote's day and the six after), over all quotes."""
    query = MetricQuery.build(
        ["quote_to_booking_rate"], group_by=[MONTH], start="2025-01-01", end="2026-01-01", order_by=[MONTH]
    )
    ours = harbor.run(query).rows
    want = hand(
        harbor,
        "with m as (select r.reservation_id, (select arg_max(q.quote_id, q.quoted_at) from marts.fct_rate_quotes q "
        "where q.guest_id = r.guest_id and cast(q.quoted_at as date) <= cast(r.booked_at as date) and "
        "cast(r.booked_at as date) < cast(q.quoted_at as date) + 7) as quote_id from marts.fct_reservations r), "
        "c as (select quote_id, count(*) n from m where quote_id is not null group by 1) "
        "select date_trunc('month', q.quoted_at), sum(coalesce(c.n, 0)) / count(*) from marts.fct_rate_quotes q "
        "left join c using (quote_id) where q.quoted_at >= '2025-01-01' and q.quoted_at < '2026-01-01' "
        "group by 1 order by 1",
    )
    assert len(want) == 12 and same_rows(day_rows(ours), day_rows(want)), (ours, want)
    assert all(0.2 < float(r[1]) < 0.5 for r in want), want


def test_harbor_builds_with_dbt(dbt: str, tmp_path: Path) -> None:
    """Real dbt (dbt-duckdb) builds every model and passes every data test on the raw tables as loaded."""
    root = copy_project(HARBOR, tmp_path / "harbor")
    load_harbor_raw(root / "target" / "harbor.duckdb")
    done = dbt_build(dbt, root)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "13 table models, 21 data tests, 11 view models" in done.stdout, done.stdout[-2000:]


@pytest.mark.parametrize("split", ["dev_harbor.yml", "blind_harbor.yml"])
def test_harbor_question_gold_still_runs(split: str, harbor: Project) -> None:
    """Every answerable question's gold names real metrics, dimensions and values and runs to an answer
    (``check_gold``); only failing ids are reported, so the blind split stays unread."""
    count = {"dev_harbor.yml": 40, "blind_harbor.yml": 20}[split]
    assert not failing_gold(harbor, "harbor", split, count)


@pytest.mark.parametrize(
    "split", ["dev_harbor.yml", "blind_harbor.yml", "dev2_harbor.yml", "blind2_harbor.yml"]
)
def test_harbor_definition_sql_gives_twelve_months(split: str, harbor: Project) -> None:
    """Every answerable definition's hand SQL gives one non-null value per month of 2025 (ids only)."""
    count = {"dev_harbor.yml": 16, "blind_harbor.yml": 8, "dev2_harbor.yml": 6, "blind2_harbor.yml": 3}[split]
    assert not failing_months(harbor, split, MONTHS, count)
