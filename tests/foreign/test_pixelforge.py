"""The pixelforge sample (a mobile game studio's dbt project) loads, validates, builds with dbt and answers like
hand SQL.

Every reference is SQL written by hand against the project's marts in schema ``core`` (never produced by
metricmind): distinct active players across a join to the title, D7 retention as a ratio of two filtered
inputs, an ``expr`` measure (revenue without refunds), ARPDAU (a ratio whose numerator is a derived metric)
across two models, eCPM by an ``expr`` dimension one hop away, a VIP tier filter, the end-of-month gem balance
snapshot, the cumulative and the two offset metrics and the install-to-payer conversion.
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
from metricmind.testing.pixelforge import PIXELFORGE, load_pixelforge_raw
from metricmind.testing.rawload import copy_project
from tests.foreign.conftest import hand, same_rows
from tests.foreign.samplesets import day_rows, failing_gold, failing_months

MONTH = "metric_time__month"
MONTHS = [dt.date(2025, m, 1) for m in range(1, 13)]
GROSS = "case when not i.is_refunded then i.gross_revenue_usd else 0 end"
TIER = (
    "case when country_code in ('US', 'GB', 'DE', 'FR', 'JP', 'CA', 'AU') then 'tier_1' "
    "when country_code in ('BR', 'MX', 'TR') then 'tier_2' else 'tier_3' end"
)
CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "installs and paid installs by install month",
        {"metrics": ["installs", "paid_installs"], "group_by": [MONTH], "order_by": [MONTH]},
        "select date_trunc('month', install_date), count(*), count(*) filter (where not is_organic) "
        "from core.dim_players group by 1 order by 1",
    ),
    (
        "dau and sessions by game (session -> title)",
        {
            "metrics": ["dau", "sessions"],
            "group_by": ["title__title_name"],
            "order_by": ["title__title_name"],
        },
        "select t.title_name, count(distinct s.player_id), count(*) from core.fct_sessions s "
        "join core.dim_titles t using (title_code) group by 1 order by 1",
    ),
    (
        "average session length by platform in Q2 (session -> player)",
        {
            "metrics": ["avg_session_length"],
            "group_by": ["player__platform"],
            "start": "2025-04-01",
            "end": "2025-07-01",
            "order_by": ["player__platform"],
        },
        "select p.platform, avg(s.duration_minutes) from core.fct_sessions s join core.dim_players p "
        "using (player_id) where s.started_at >= '2025-04-01' and s.started_at < '2025-07-01' group by 1 order by 1",
    ),
    (
        "d7 retention by media source (both ratio inputs filtered)",
        {
            "metrics": ["d7_retention"],
            "group_by": ["player__acquisition_source"],
            "order_by": ["player__acquisition_source"],
        },
        "select acquisition_source, count(*) filter (where is_retained_d7) / count(*) filter (where is_d7_matured) "
        "from core.dim_players group by 1 order by 1",
    ),
    (
        "gross and net iap revenue and arppu by product type in Q3",
        {
            "metrics": ["iap_revenue", "iap_net_revenue", "arppu"],
            "group_by": ["purchase__product_type"],
            "start": "2025-07-01",
            "end": "2025-10-01",
            "order_by": ["purchase__product_type"],
        },
        f"select i.product_type, sum({GROSS}), sum(i.net_revenue_usd), sum({GROSS}) / "
        "count(distinct case when not i.is_refunded then i.player_id end) from core.fct_iap_purchases i "
        "where i.purchased_at >= '2025-07-01' and i.purchased_at < '2025-10-01' group by 1 order by 1",
    ),
    (
        "arpdau by month (iap plus ads over distinct active players, three models)",
        {"metrics": ["arpdau", "total_revenue"], "group_by": [MONTH], "order_by": [MONTH]},
        f"with i as (select date_trunc('month', i.purchased_at) m, sum({GROSS}) v from core.fct_iap_purchases i "
        "group by 1), a as (select date_trunc('month', served_at) m, sum(ad_revenue_usd) v "
        "from core.fct_ad_impressions group by 1), d as (select date_trunc('month', started_at) m, "
        "count(distinct player_id) v from core.fct_sessions group by 1) "
        "select d.m, (i.v + a.v) / d.v, i.v + a.v from d join i using (m) join a using (m) order by 1",
    ),
    (
        "ecpm and impressions by ad format and country tier (an expr dimension one hop away)",
        {
            "metrics": ["ecpm", "ad_impressions"],
            "group_by": ["impression__ad_format", "player__country_tier"],
            "order_by": ["impression__ad_format", "player__country_tier"],
        },
        f"select a.ad_format, {TIER} t, sum(a.ad_revenue_usd) * 1000 / count(*), count(*) "
        "from core.fct_ad_impressions a join core.dim_players p using (player_id) group by 1, 2 order by 1, 2",
    ),
    (
        "whales' iap revenue by country, ios only (a tier filter and a platform filter)",
        {
            "metrics": ["iap_revenue"],
            "group_by": ["player__country_code"],
            "where": [
                "{{ Dimension('player__spender_tier') }} = 'whale'",
                "{{ Dimension('player__platform') }} = 'ios'",
            ],
            "order_by": ["player__country_code"],
        },
        f"select p.country_code, sum({GROSS}) from core.fct_iap_purchases i join core.dim_players p "
        "using (player_id) where p.spender_tier = 'whale' and p.platform = 'ios' group by 1 order by 1",
    ),
    (
        "refund rate and refunds by store",
        {
            "metrics": ["refund_rate", "refunds"],
            "group_by": ["purchase__store"],
            "order_by": ["purchase__store"],
        },
        "select store, count(*) filter (where is_refunded) / count(*), count(*) filter (where is_refunded) "
        "from core.fct_iap_purchases group by 1 order by 1",
    ),
    (
        "gems in circulation at each month end by platform (a snapshot)",
        {
            "metrics": ["gem_balance"],
            "group_by": [MONTH, "economy_row__platform"],
            "order_by": [MONTH, "economy_row__platform"],
        },
        "select date_trunc('month', snapshot_date), platform, sum(gems_outstanding) from core.rpt_gem_economy_daily "
        "where snapshot_date = last_day(snapshot_date) group by 1, 2 order by 1, 2",
    ),
    (
        "season pass buyers by genre (a filtered count distinct, purchase -> title)",
        {"metrics": ["season_pass_buyers"], "group_by": ["title__genre"], "order_by": ["title__genre"]},
        "select t.genre, count(distinct i.player_id) from core.fct_iap_purchases i join core.dim_titles t "
        "using (title_code) where i.product_type = 'battle_pass' and not i.is_refunded group by 1 order by 1",
    ),
    (
        "iap revenue to date, last days of December 2025 (cumulative)",
        {
            "metrics": ["iap_revenue_to_date"],
            "group_by": ["metric_time__day"],
            "start": "2025-12-27",
            "end": "2026-01-01",
            "order_by": ["metric_time__day"],
        },
        f"select d, (select sum({GROSS}) from core.fct_iap_purchases i where cast(i.purchased_at as date) <= d) "
        "from (select cast(generate_series as date) d from generate_series(date '2025-12-27', "
        "date '2025-12-31', interval 1 day)) order by 1",
    ),
    (
        "install growth versus the prior month (an offset)",
        {
            "metrics": ["installs_mom_growth"],
            "group_by": [MONTH],
            "start": "2025-02-01",
            "end": "2026-01-01",
            "order_by": [MONTH],
        },
        "with b as (select date_trunc('month', install_date) m, count(*) v from core.dim_players group by 1) "
        "select b.m, (b.v - p.v) / p.v from b join b p on p.m = b.m - interval 1 month order by 1",
    ),
    (
        "iap revenue week over week, September weeks (an offset of one week)",
        {
            "metrics": ["iap_revenue_wow_growth"],
            "group_by": ["metric_time__week"],
            "start": "2025-09-01",
            "end": "2025-09-29",
            "order_by": ["metric_time__week"],
        },
        f"with w as (select date_trunc('week', i.purchased_at) k, sum({GROSS}) v from core.fct_iap_purchases i "
        "group by 1) select w.k, (w.v - p.v) / p.v from w join w p on p.k = w.k - interval 7 day "
        "where w.k >= '2025-09-01' and w.k < '2025-09-29' order by 1",
    ),
    (
        "level win rate of the first three levels (an integer dimension, a ratio with a filtered numerator)",
        {
            "metrics": ["level_win_rate", "levels_completed"],
            "group_by": ["attempt__level_number"],
            "where": ["{{ Dimension('attempt__level_number') }} <= 3"],
            "order_by": ["attempt__level_number"],
        },
        "select level_number, avg(case when is_completed then 1.0 else 0 end), count(*) filter (where is_completed) "
        "from core.fct_level_attempts where level_number <= 3 group by 1 order by 1",
    ),
    (
        "install-day (D0) sessions by platform, organic installs only (two yes/no filters, two models)",
        {
            "metrics": ["sessions"],
            "group_by": ["player__platform"],
            "where": [
                "{{ Dimension('session__is_install_day') }} = true",
                "{{ Dimension('player__is_organic') }} = true",
            ],
            "order_by": ["player__platform"],
        },
        "select p.platform, count(*) from core.fct_sessions s join core.dim_players p using (player_id) "
        "where s.days_since_install = 0 and p.is_organic group by 1 order by 1",
    ),
]


@pytest.mark.parametrize(("name", "query", "sql"), CASES, ids=[c[0] for c in CASES])
def test_pixelforge_python_equals_hand_sql(
    name: str, query: dict[str, Any], sql: str, pixelforge: Project
) -> None:
    ours = day_rows(pixelforge.run(MetricQuery.build(**query)).rows)
    want = day_rows(hand(pixelforge, sql))
    assert want and same_rows(ours, want), (ours, want)


def test_pixelforge_loads_and_validates_deep(pixelforge_dir: Path, pixelforge: Project) -> None:
    result = CliRunner().invoke(app, ["validate", "--deep", "-p", str(pixelforge_dir)])
    out = result.stdout + result.stderr
    assert result.exit_code == 0, out
    assert "0 error(s), 0 warning(s)" in out
    assert len(pixelforge.metrics()) == 37
    assert {str(m.type.value) for m in pixelforge.metrics()} == {
        "simple",
        "ratio",
        "derived",
        "cumulative",
        "conversion",
    }
    dims = {d.name for d in pixelforge.dimensions("iap_revenue")}
    assert {"player__spender_tier", "title__genre", "purchase__product_type"} <= dims


def test_pixelforge_every_metric_runs_by_month(pixelforge: Project) -> None:
    """Each of the 37 metrics answers for the twelve months of 2025; only the month-over-month install growth
    has no January (2025 is the first month with installs, so there is no prior month to compare with)."""
    short = []
    for metric in pixelforge.metrics():
        query = MetricQuery.build([metric.name], group_by=[MONTH], start="2025-01-01", end="2026-01-01")
        rows = day_rows(pixelforge.run(query).rows)
        values = [r[1] for r in rows]
        if [r[0] for r in rows] != MONTHS:
            short.append(metric.name)
        elif metric.name == "installs_mom_growth":
            if values[0] is not None or any(v is None for v in values[1:]):
                short.append(metric.name)
        elif any(v is None for v in values):
            short.append(metric.name)
    assert not short, short


def test_pixelforge_conversion_equals_hand_sql(pixelforge: Project) -> None:
    """Install to payer within 7 days, by install month: the distinct players with a receipt on their install
    day or the six days after, over all installs of the month."""
    query = MetricQuery.build(
        ["payer_conversion_d7"], group_by=[MONTH], start="2025-01-01", end="2026-01-01", order_by=[MONTH]
    )
    ours = pixelforge.run(query).rows
    want = hand(
        pixelforge,
        "select date_trunc('month', p.install_date), count(distinct i.player_id) / count(distinct p.player_id) "
        "from core.dim_players p left join core.fct_iap_purchases i on i.player_id = p.player_id and "
        "cast(i.purchased_at as date) >= p.install_date and cast(i.purchased_at as date) < p.install_date + 7 "
        "group by 1 order by 1",
    )
    assert len(want) == 12 and same_rows(day_rows(ours), day_rows(want)), (ours, want)
    assert all(0.03 < float(r[1]) < 0.3 for r in want), want


def test_pixelforge_builds_with_dbt(dbt: str, tmp_path: Path) -> None:
    """Real dbt (dbt-duckdb) builds every model and passes every data test on the raw tables as loaded."""
    root = copy_project(PIXELFORGE, tmp_path / "pixelforge")
    load_pixelforge_raw(root / "target" / "pixelforge.duckdb")
    done = dbt_build(dbt, root)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "11 table models, 17 data tests, 10 view models" in done.stdout, done.stdout[-2000:]


@pytest.mark.parametrize("split", ["dev_pixelforge.yml", "blind_pixelforge.yml"])
def test_pixelforge_question_gold_still_runs(split: str, pixelforge: Project) -> None:
    """Every answerable question's gold names real metrics, dimensions and values and runs to an answer
    (``check_gold``); only failing ids are reported, so the blind split stays unread."""
    count = {"dev_pixelforge.yml": 40, "blind_pixelforge.yml": 20}[split]
    assert not failing_gold(pixelforge, "pixelforge", split, count)


@pytest.mark.parametrize(
    "split", ["dev_pixelforge.yml", "blind_pixelforge.yml", "dev2_pixelforge.yml", "blind2_pixelforge.yml"]
)
def test_pixelforge_definition_sql_gives_twelve_months(split: str, pixelforge: Project) -> None:
    """Every answerable definition's hand SQL gives one non-null value per month of 2025 (ids only)."""
    count = {
        "dev_pixelforge.yml": 16,
        "blind_pixelforge.yml": 8,
        "dev2_pixelforge.yml": 6,
        "blind2_pixelforge.yml": 3,
    }[split]
    assert not failing_months(pixelforge, split, MONTHS, count)
