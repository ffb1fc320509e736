"""The studyhall sample (an online learning platform's dbt project) loads, validates, builds with dbt and answers
like hand SQL.

Every reference is SQL written by hand against the project's marts in schema ``analytics`` (never produced by
metricmind): distinct active learners across a join to the course, a completion rate whose numerator is a filtered
input, completions dated by their own (non-default) time dimension, refunds dated by the refund while bookings are
dated by the charge (net revenue), ARPPU by an ``expr`` region one hop away, the seat snapshot at month end two
hops from the account, the cumulative and offset metrics, a derived metric over derived metrics of two models,
and the sign-up to first payment conversion within 14 days. Metrics dated by a time dimension that can be
empty (completions, refunds) are asked over 2025: rows with no date fall outside every range.
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
from metricmind.testing.studyhall import STUDYHALL, load_studyhall_raw
from tests.foreign.conftest import hand, same_rows
from tests.foreign.samplesets import day_rows, failing_gold, failing_months

MONTH = "metric_time__month"
MONTHS = [dt.date(2025, m, 1) for m in range(1, 13)]
REGION = (
    "case when l.country_code in ('US', 'CA', 'MX', 'BR') then 'AMER' "
    "when l.country_code = 'IN' then 'APAC' else 'EMEA' end"
)
CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "new learners and b2b sign-ups by month (a yes/no flag)",
        {
            "metrics": ["new_learners"],
            "group_by": [MONTH, "learner__is_b2b"],
            "order_by": [MONTH, "learner__is_b2b"],
        },
        "select date_trunc('month', signed_up_at), is_b2b, count(*) from analytics.dim_learners group by 1, 2 "
        "order by 1, 2",
    ),
    (
        "active learners and watch minutes by course category (lesson view -> course)",
        {
            "metrics": ["active_learners", "watch_minutes"],
            "group_by": ["course__category"],
            "order_by": ["course__category"],
        },
        "select c.category, count(distinct v.learner_id), sum(v.watch_minutes) from analytics.fct_lesson_views v "
        "join analytics.dim_courses c using (course_code) group by 1 order by 1",
    ),
    (
        "completion rate by category, enrollments of H1 (a ratio with a filtered numerator)",
        {
            "metrics": ["completion_rate", "enrollments"],
            "group_by": ["course__category"],
            "start": "2025-01-01",
            "end": "2025-07-01",
            "order_by": ["course__category"],
        },
        "select c.category, count(*) filter (where e.is_completed) / count(*), count(*) "
        "from analytics.fct_enrollments e join analytics.dim_courses c using (course_code) "
        "where e.enrolled_date >= '2025-01-01' and e.enrolled_date < '2025-07-01' group by 1 order by 1",
    ),
    (
        "completions and days to complete by completion month (a non-default agg_time_dimension)",
        {
            "metrics": ["course_completions", "avg_days_to_complete"],
            "group_by": [MONTH],
            "start": "2025-01-01",
            "end": "2026-01-01",
            "order_by": [MONTH],
        },
        "select date_trunc('month', completed_date), count(*), avg(days_to_complete) "
        "from analytics.fct_enrollments where is_completed group by 1 order by 1",
    ),
    (
        "quiz pass rate and average score by course level (quiz attempt -> course)",
        {
            "metrics": ["quiz_pass_rate", "avg_quiz_score"],
            "group_by": ["course__difficulty"],
            "order_by": ["course__difficulty"],
        },
        "select c.difficulty, count(*) filter (where q.is_passed) / count(*), avg(q.score_pct) "
        "from analytics.fct_quiz_attempts q join analytics.dim_courses c using (course_code) group by 1 order by 1",
    ),
    (
        "gross bookings, refunds (by refund date) and net revenue by month",
        {
            "metrics": ["gross_revenue", "refunds", "net_revenue"],
            "group_by": [MONTH],
            "start": "2025-01-01",
            "end": "2026-01-01",
            "order_by": [MONTH],
        },
        "with g as (select date_trunc('month', paid_at) m, sum(amount_usd) v from analytics.fct_payments group by 1), "
        "r as (select date_trunc('month', refunded_at) m, sum(refund_amount_usd) v from analytics.fct_payments "
        "where refunded_at is not null group by 1) select g.m, g.v, r.v, g.v - r.v from g join r using (m) order by 1",
    ),
    (
        "arppu and paying learners by region in Q2 (an expr dimension one hop away)",
        {
            "metrics": ["arppu", "paying_learners"],
            "group_by": ["learner__region"],
            "start": "2025-04-01",
            "end": "2025-07-01",
            "order_by": ["learner__region"],
        },
        f"select {REGION} r, sum(p.amount_usd) / count(distinct p.learner_id), count(distinct p.learner_id) "
        "from analytics.fct_payments p join analytics.dim_learners l using (learner_id) "
        "where p.paid_at >= '2025-04-01' and p.paid_at < '2025-07-01' group by 1 order by 1",
    ),
    (
        "subscription revenue of plus and pro learners by the learner's plan (a filtered metric, a value filter)",
        {
            "metrics": ["subscription_revenue"],
            "group_by": ["learner__plan"],
            "where": ["{{ Dimension('learner__plan') }} in ('plus', 'pro')"],
            "order_by": ["learner__plan"],
        },
        "select l.plan, sum(p.amount_usd) from analytics.fct_payments p join analytics.dim_learners l "
        "using (learner_id) where p.payment_type = 'subscription' and l.plan in ('plus', 'pro') "
        "group by 1 order by 1",
    ),
    (
        "seats assigned and purchased at each quarter end by contract tier (a snapshot, account attribute)",
        {
            "metrics": ["seats_assigned", "seats_purchased"],
            "group_by": ["metric_time__quarter", "company_account__contract_tier"],
            "order_by": ["metric_time__quarter", "company_account__contract_tier"],
        },
        "select date_trunc('quarter', s.snapshot_date), a.contract_tier, sum(s.seats_assigned), "
        "sum(s.seats_purchased) from analytics.fct_seat_snapshots s join analytics.dim_company_accounts a "
        "using (company_account_id) where s.snapshot_date = last_day(s.snapshot_date) "
        "and month(s.snapshot_date) in (3, 6, 9, 12) group by 1, 2 order by 1, 2",
    ),
    (
        "bookings to date, last days of December 2025 (cumulative)",
        {
            "metrics": ["revenue_to_date"],
            "group_by": ["metric_time__day"],
            "start": "2025-12-28",
            "end": "2026-01-01",
            "order_by": ["metric_time__day"],
        },
        "select d, (select sum(amount_usd) from analytics.fct_payments where cast(paid_at as date) <= d) "
        "from (select cast(generate_series as date) d from generate_series(date '2025-12-28', "
        "date '2025-12-31', interval 1 day)) order by 1",
    ),
    (
        "enrollments versus the prior month (an offset)",
        {
            "metrics": ["enrollments_mom_growth"],
            "group_by": [MONTH],
            "start": "2025-02-01",
            "end": "2026-01-01",
            "order_by": [MONTH],
        },
        "with b as (select date_trunc('month', enrolled_date) m, count(*) v from analytics.fct_enrollments "
        "group by 1) select b.m, (b.v - p.v) / p.v from b join b p on p.m = b.m - interval 1 month order by 1",
    ),
    (
        "average watch minutes per learner, web vs mobile (an expr dimension, a ratio of a distinct count)",
        {
            "metrics": ["avg_watch_minutes_per_learner"],
            "group_by": ["lesson_view__platform"],
            "order_by": ["lesson_view__platform"],
        },
        "select case when device = 'web' then 'web' else 'mobile' end k, sum(watch_minutes) / "
        "count(distinct learner_id) from analytics.fct_lesson_views group by 1 order by 1",
    ),
    (
        "instructor payouts and enrollments by instructor (enrollment -> course -> instructor, two hops)",
        {
            "metrics": ["instructor_payouts", "enrollments"],
            "group_by": ["instructor__instructor_name"],
            "order_by": ["instructor__instructor_name"],
        },
        "with p as (select instructor_id, sum(payout_usd) v from analytics.fct_instructor_payouts group by 1), "
        "e as (select c.instructor_id, count(*) v from analytics.fct_enrollments e join analytics.dim_courses c "
        "using (course_code) group by 1) select i.instructor_name, p.v, e.v from analytics.dim_instructors i "
        "join p using (instructor_id) join e using (instructor_id) order by 1",
    ),
    (
        "watch hours of b2b learners by company (lesson view -> learner -> company account)",
        {
            "metrics": ["watch_hours"],
            "group_by": ["company_account__company_name"],
            "where": ["{{ Dimension('learner__is_b2b') }} = true"],
            "order_by": ["company_account__company_name"],
        },
        "select a.company_name, sum(v.watch_minutes) / 60 from analytics.fct_lesson_views v "
        "join analytics.dim_learners l using (learner_id) join analytics.dim_company_accounts a "
        "on a.company_account_id = l.company_account_id where l.is_b2b group by 1 order by 1",
    ),
    (
        "contribution after payouts by month (a derived metric over a derived metric and a second model)",
        {
            "metrics": ["contribution"],
            "group_by": [MONTH],
            "start": "2025-01-01",
            "end": "2026-01-01",
            "order_by": [MONTH],
        },
        "with g as (select date_trunc('month', paid_at) m, sum(amount_usd) v from analytics.fct_payments group by 1), "
        "r as (select date_trunc('month', refunded_at) m, sum(refund_amount_usd) v from analytics.fct_payments "
        "where refunded_at is not null group by 1), o as (select date_trunc('month', paid_on) m, sum(payout_usd) v "
        "from analytics.fct_instructor_payouts group by 1) select g.m, g.v - r.v - o.v from g join r using (m) "
        "join o using (m) order by 1",
    ),
    (
        "course sales excluding India by payment method in H2 (an exclusion on a learner attribute)",
        {
            "metrics": ["course_sales"],
            "group_by": ["payment__payment_method"],
            "where": ["{{ Dimension('learner__country') }} != 'IN'"],
            "start": "2025-07-01",
            "end": "2026-01-01",
            "order_by": ["payment__payment_method"],
        },
        "select p.payment_method, sum(p.amount_usd) from analytics.fct_payments p join analytics.dim_learners l "
        "using (learner_id) where p.payment_type = 'course_purchase' and l.country_code != 'IN' "
        "and p.paid_at >= '2025-07-01' and p.paid_at < '2026-01-01' group by 1 order by 1",
    ),
]


@pytest.mark.parametrize(("name", "query", "sql"), CASES, ids=[c[0] for c in CASES])
def test_studyhall_python_equals_hand_sql(
    name: str, query: dict[str, Any], sql: str, studyhall: Project
) -> None:
    ours = day_rows(studyhall.run(MetricQuery.build(**query)).rows)
    want = day_rows(hand(studyhall, sql))
    assert want and same_rows(ours, want), (ours, want)


def test_studyhall_loads_and_validates_deep(studyhall_dir: Path, studyhall: Project) -> None:
    result = CliRunner().invoke(app, ["validate", "--deep", "-p", str(studyhall_dir)])
    out = result.stdout + result.stderr
    assert result.exit_code == 0, out
    assert "0 error(s), 0 warning(s)" in out
    assert len(studyhall.metrics()) == 34
    assert {str(m.type.value) for m in studyhall.metrics()} == {
        "simple",
        "ratio",
        "derived",
        "cumulative",
        "conversion",
    }
    dims = {d.name for d in studyhall.dimensions("watch_minutes")}
    assert {"learner__region", "course__category", "lesson_view__platform"} <= dims


def test_studyhall_every_metric_runs_by_month(studyhall: Project) -> None:
    """Each of the 34 metrics answers for the twelve months of 2025; only the month-over-month enrollment growth
    has no January (2025 is the first month with enrollments, so there is no prior month to compare with)."""
    short = []
    for metric in studyhall.metrics():
        query = MetricQuery.build([metric.name], group_by=[MONTH], start="2025-01-01", end="2026-01-01")
        rows = day_rows(studyhall.run(query).rows)
        values = [r[1] for r in rows]
        if [r[0] for r in rows] != MONTHS:
            short.append(metric.name)
        elif metric.name == "enrollments_mom_growth":
            if values[0] is not None or any(v is None for v in values[1:]):
                short.append(metric.name)
        elif any(v is None for v in values):
            short.append(metric.name)
    assert not short, short


def test_studyhall_conversion_equals_hand_sql(studyhall: Project) -> None:
    """Free to paid within 14 days, by sign-up month: the distinct learners with a charge on their sign-up day or
    the thirteen days after, over all learners who signed up that month."""
    query = MetricQuery.build(
        ["free_to_paid_conversion"], group_by=[MONTH], start="2025-01-01", end="2026-01-01", order_by=[MONTH]
    )
    ours = studyhall.run(query).rows
    want = hand(
        studyhall,
        "select date_trunc('month', l.signup_date), count(distinct p.learner_id) / count(distinct l.learner_id) "
        "from analytics.dim_learners l left join analytics.fct_payments p on p.learner_id = l.learner_id and "
        "cast(p.paid_at as date) >= l.signup_date and cast(p.paid_at as date) < l.signup_date + 14 "
        "group by 1 order by 1",
    )
    assert len(want) == 12 and same_rows(day_rows(ours), day_rows(want)), (ours, want)
    assert all(0.1 < float(r[1]) < 0.6 for r in want), want


def test_studyhall_builds_with_dbt(dbt: str, tmp_path: Path) -> None:
    """Real dbt (dbt-duckdb) builds every model and passes every data test on the raw tables as loaded."""
    root = copy_project(STUDYHALL, tmp_path / "studyhall")
    load_studyhall_raw(root / "target" / "studyhall.duckdb")
    done = dbt_build(dbt, root)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "11 table models, 23 data tests, 12 view models" in done.stdout, done.stdout[-2000:]


@pytest.mark.parametrize("split", ["dev_studyhall.yml", "blind_studyhall.yml"])
def test_studyhall_question_gold_still_runs(split: str, studyhall: Project) -> None:
    """Every answerable question's gold names real metrics, dimensions and values and runs to an answer
    (``check_gold``); only failing ids are reported, so the blind split stays unread."""
    count = {"dev_studyhall.yml": 40, "blind_studyhall.yml": 20}[split]
    assert not failing_gold(studyhall, "studyhall", split, count)


@pytest.mark.parametrize(
    "split", ["dev_studyhall.yml", "blind_studyhall.yml", "dev2_studyhall.yml", "blind2_studyhall.yml"]
)
def test_studyhall_definition_sql_gives_twelve_months(split: str, studyhall: Project) -> None:
    """Every answerable definition's hand SQL gives one non-null value per month of 2025 (ids only)."""
    count = {
        "dev_studyhall.yml": 16,
        "blind_studyhall.yml": 8,
        "dev2_studyhall.yml": 6,
        "blind2_studyhall.yml": 3,
    }[split]
    assert not failing_months(studyhall, split, MONTHS, count)
