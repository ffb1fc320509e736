"""The mossbank sample (an outpatient clinic network's dbt project) loads, validates, builds with dbt and answers like
hand SQL.

Every reference is SQL written by hand against the project's marts in schema ``reporting`` (never produced by
metricmind): active patients at quarter ends (a month-end stock) through the patient's age band, attendances, DNAs
and the DNA rate over appointments due, the DNA rate by the clinic's region, clinician utilisation (booked over
rota minutes, two models) by service line, revenue per visit by the patient's payer type, the claim denial rate
by payer (pending claims left out), cash by payment method, the average wait of urgent new appointments, NPS by
clinic (a derived metric), the telehealth share by clinician role, new patients without walk-ins, the year-to-date
and all-time cumulatives and the referral to first visit conversion within 28 days.
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
from metricmind.testing.mossbank import MOSSBANK, load_mossbank_raw
from metricmind.testing.rawload import copy_project
from tests.foreign.conftest import hand, same_rows
from tests.foreign.samplesets import day_rows, failing_gold, failing_months

MONTH = "metric_time__month"
MONTHS = [dt.date(y, m, 1) for y in (2024, 2025) for m in range(1, 13)]
ALL = {"start": "2024-01-01", "end": "2026-01-01"}
Y2025 = {"start": "2025-01-01", "end": "2026-01-01"}
CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "active patients by age band at each quarter end of 2025 (a month-end stock, a hop to the patient)",
        {
            "metrics": ["active_patients"],
            "group_by": ["metric_time__quarter", "patient__age_band"],
            **Y2025,
            "order_by": ["metric_time__quarter", "patient__age_band"],
        },
        "select date_trunc('quarter', s.snapshot_dt), p.age_band, count(*) from reporting.f_active_patient_monthly s "
        "join reporting.d_patient p using (patient_key) "
        "where s.snapshot_dt in ('2025-03-31', '2025-06-30', '2025-09-30', '2025-12-31') group by 1, 2 order by 1, 2",
    ),
    (
        "attended appointments, DNAs and the DNA rate by month of 2025 (due = all but early cancellations)",
        {
            "metrics": ["appointments_attended", "dna_count", "dna_rate"],
            "group_by": [MONTH],
            **Y2025,
            "order_by": [MONTH],
        },  # fmt: skip
        "select date_trunc('month', appt_dt), count(*) filter (where appt_status = 'attended'), "
        "count(*) filter (where appt_status = 'dna'), count(*) filter (where appt_status = 'dna') "
        "/ count(*) filter (where appt_status <> 'early_cancellation') from reporting.f_appointment "
        "where appt_dt >= '2025-01-01' group by 1 order by 1",
    ),
    (
        "DNA rate by the clinic's region in 2024 (appointment -> clinic)",
        {
            "metrics": ["dna_rate"],
            "group_by": ["clinic__region"],
            "start": "2024-01-01",
            "end": "2025-01-01",
            "order_by": ["clinic__region"],
        },  # fmt: skip
        "select c.region, count(*) filter (where a.is_dna) / count(*) filter (where a.is_due) "
        "from reporting.f_appointment a join reporting.d_clinic c using (clinic_key) "
        "where a.appt_dt < '2025-01-01' group by 1 order by 1",
    ),
    (
        "clinician utilisation by service line in 2025 (booked minutes over rota minutes, two models)",
        {
            "metrics": ["clinician_utilisation"],
            "group_by": ["clinic__service_line"],
            **Y2025,
            "order_by": ["clinic__service_line"],
        },  # fmt: skip
        "with b as (select c.service_line, sum(a.slot_mins_used) v from reporting.f_appointment a "
        "join reporting.d_clinic c using (clinic_key) where a.appt_dt >= '2025-01-01' group by 1), "
        "s as (select c.service_line, sum(s.available_mins) v from reporting.f_clinician_session s "
        "join reporting.d_clinic c using (clinic_key) where s.session_dt >= '2025-01-01' group by 1) "
        "select service_line, b.v / s.v from b join s using (service_line) order by 1",
    ),
    (
        "revenue and revenue per visit by the patient's payer type in Q3 2025",
        {
            "metrics": ["revenue", "revenue_per_visit"],
            "group_by": ["patient__payer_type"],
            "start": "2025-07-01",
            "end": "2025-10-01",
            "order_by": ["patient__payer_type"],
        },  # fmt: skip
        "with r as (select p.payer_type, sum(t.net_fee_gbp) v from reporting.f_treatment_line t "
        "join reporting.d_patient p using (patient_key) where t.service_dt >= '2025-07-01' "
        "and t.service_dt < '2025-10-01' group by 1), v as (select p.payer_type, count(*) n "
        "from reporting.f_appointment a join reporting.d_patient p using (patient_key) where a.is_attended "
        "and a.appt_dt >= '2025-07-01' and a.appt_dt < '2025-10-01' group by 1) "
        "select payer_type, r.v, r.v / v.n from r join v using (payer_type) order by 1",
    ),
    (
        "claims denied and the denial rate by payer in 2024 (pending claims out of the denominator)",
        {
            "metrics": ["claims_denied", "claim_denial_rate"],
            "group_by": ["claim__claim_payer"],
            "start": "2024-01-01",
            "end": "2025-01-01",
            "order_by": ["claim__claim_payer"],
        },  # fmt: skip
        "select payer_name, count(*) filter (where is_denied), count(*) filter (where is_denied) "
        "/ count(*) filter (where claim_status <> 'pending') from reporting.f_claim "
        "where submitted_dt < '2025-01-01' group by 1 order by 1",
    ),
    (
        "cash collected by payment method in H2 2025",
        {
            "metrics": ["cash_collected"],
            "group_by": ["receipt__payment_method"],
            "start": "2025-07-01",
            "end": "2026-01-01",
            "order_by": ["receipt__payment_method"],
        },  # fmt: skip
        "select payment_method, sum(receipt_amt_gbp) from reporting.f_cash_receipt "
        "where receipt_dt >= '2025-07-01' group by 1 order by 1",
    ),
    (
        "average wait of urgent new appointments by service line in 2025 (a yes/no flag)",
        {
            "metrics": ["avg_wait_days"],
            "group_by": ["clinic__service_line"],
            "where": ["{{ Dimension('appointment__is_urgent') }} = true"],
            **Y2025,
            "order_by": ["clinic__service_line"],
        },  # fmt: skip
        "select c.service_line, avg(a.wait_days) from reporting.f_appointment a "
        "join reporting.d_clinic c using (clinic_key) where a.is_urgent and a.appt_dt >= '2025-01-01' "
        "group by 1 order by 1",
    ),
    (
        "NPS by clinic in 2025 (promoters minus detractors over responses, a derived metric)",
        {
            "metrics": ["nps"],
            "group_by": ["clinic__clinic_name"],
            **Y2025,
            "order_by": ["clinic__clinic_name"],
        },
        "select c.clinic_name, (count(*) filter (where s.recommend_score >= 9) - count(*) filter "
        "(where s.recommend_score <= 6)) * 100.0 / count(*) from reporting.f_survey_response s "
        "join reporting.d_clinic c using (clinic_key) where s.response_dt >= '2025-01-01' group by 1 order by 1",
    ),
    (
        "telehealth share of attended appointments by clinician role in 2025 (appointment -> clinician; a role "
        "with no telehealth at all has no filtered numerator, so no share, as MetricFlow answers)",
        {
            "metrics": ["telehealth_share"],
            "group_by": ["clinician__clinician_role"],
            **Y2025,
            "order_by": ["clinician__clinician_role"],
        },  # fmt: skip
        "select k.clinician_role, nullif(count(*) filter (where a.is_telehealth), 0) / count(*) "
        "from reporting.f_appointment a join reporting.d_clinician k using (clinician_key) "
        "where a.is_attended and a.appt_dt >= '2025-01-01' group by 1 order by 1",
    ),
    (
        "new patients by registration channel, walk-ins excluded, by quarter of 2025 (a != filter)",
        {
            "metrics": ["new_patients"],
            "group_by": ["metric_time__quarter", "patient__registration_channel"],
            "where": ["{{ Dimension('patient__registration_channel') }} != 'walk_in'"],
            **Y2025,
            "order_by": ["metric_time__quarter", "patient__registration_channel"],
        },  # fmt: skip
        "select date_trunc('quarter', registered_dt), registration_channel, count(*) from reporting.d_patient "
        "where registration_channel <> 'walk_in' and registered_dt >= '2025-01-01' and registered_dt < '2026-01-01' "
        "group by 1, 2 order by 1, 2",
    ),
    (
        "revenue year to date at each month of 2025 (cumulative, grain to date)",
        {"metrics": ["revenue_ytd"], "group_by": [MONTH], **Y2025, "order_by": [MONTH]},
        "with r as (select date_trunc('month', service_dt) m, sum(net_fee_gbp) v from reporting.f_treatment_line "
        "group by 1) select m, sum(v) over (order by m) from r where m >= '2025-01-01' order by 1",
    ),
    (
        "registered patients to date at each month of 2024 (all-time cumulative, migrated history included)",
        {
            "metrics": ["registered_patients_to_date"],
            "group_by": [MONTH],
            "start": "2024-01-01",
            "end": "2025-01-01",
            "order_by": [MONTH],
        },  # fmt: skip
        "select m, (select count(*) from reporting.d_patient where registered_dt <= last_day(m)) "
        "from (select cast(unnest(generate_series(date '2024-01-01', date '2024-12-01', interval 1 month)) as date) m) "
        "order by 1",
    ),
    (
        "write-offs by type in 2025",
        {
            "metrics": ["write_offs"],
            "group_by": ["write_off__write_off_type"],
            **Y2025,
            "order_by": ["write_off__write_off_type"],
        },  # fmt: skip
        "select write_off_type, sum(write_off_amt_gbp) from reporting.f_write_off where posted_dt >= '2025-01-01' "
        "group by 1 order by 1",
    ),
]


@pytest.mark.parametrize(("name", "query", "sql"), CASES, ids=[c[0] for c in CASES])
def test_mossbank_python_equals_hand_sql(
    name: str, query: dict[str, Any], sql: str, mossbank: Project
) -> None:
    ours = day_rows(mossbank.run(MetricQuery.build(**query)).rows)
    want = day_rows(hand(mossbank, sql))
    assert want and same_rows(ours, want), (ours, want)


def test_mossbank_loads_and_validates_deep(mossbank_dir: Path, mossbank: Project) -> None:
    result = CliRunner().invoke(app, ["validate", "--deep", "-p", str(mossbank_dir)])
    out = result.stdout + result.stderr
    assert result.exit_code == 0, out
    assert "0 error(s), 0 warning(s)" in out
    assert len(mossbank.metrics()) == 30
    assert {str(m.type.value) for m in mossbank.metrics()} == {
        "simple",
        "ratio",
        "derived",
        "cumulative",
        "conversion",
    }
    dims = {d.name for d in mossbank.dimensions("clinician_utilisation")}
    assert {"clinic__service_line", "clinician__clinician_role"} <= dims


def test_mossbank_every_metric_runs_by_month(mossbank: Project) -> None:
    """Each of the 30 metrics answers for each of the 24 months of 2024-2025, never null."""
    short = []
    for metric in mossbank.metrics():
        query = MetricQuery.build([metric.name], group_by=[MONTH], **ALL)
        rows = day_rows(mossbank.run(query).rows)
        if [r[0] for r in rows] != MONTHS or any(r[1] is None for r in rows):
            short.append(metric.name)
    assert not short, short


def test_mossbank_conversion_equals_hand_sql(mossbank: Project) -> None:
    """Referral to first attended visit within 28 days, by referral month: referrals first seen after the referral
    day and before its 28th day after (the window's end is exclusive, as real MetricFlow answers on this project),
    over all referrals of the month."""
    query = MetricQuery.build(["referral_conversion_rate"], group_by=[MONTH], **ALL, order_by=[MONTH])
    ours = mossbank.run(query).rows
    want = hand(
        mossbank,
        "select date_trunc('month', r.referral_dt), count(f.referral_key) / count(*) from reporting.f_referral r "
        "left join reporting.f_first_attendance f on f.referral_key = r.referral_key "
        "and f.first_attended_dt > r.referral_dt and f.first_attended_dt < r.referral_dt + 28 group by 1 order by 1",
    )
    assert len(want) == 24 and same_rows(day_rows(ours), day_rows(want)), (ours, want)
    assert all(0.4 < float(r[1]) < 0.95 for r in want), want


def test_mossbank_builds_with_dbt(dbt: str, tmp_path: Path) -> None:
    """Real dbt (dbt-duckdb) builds every model and passes every data test on the raw tables as loaded."""
    root = copy_project(MOSSBANK, tmp_path / "mossbank")
    load_mossbank_raw(root / "target" / "mossbank.duckdb")
    done = dbt_build(dbt, root)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "15 table models, 33 data tests, 12 view models" in done.stdout, done.stdout[-2000:]


@pytest.mark.parametrize("split", ["dev_mossbank.yml", "blind_mossbank.yml"])
def test_mossbank_question_gold_still_runs(split: str, mossbank: Project) -> None:
    """Every answerable question's gold names real metrics, dimensions and values and runs to an answer
    (``check_gold``); only failing ids are reported, so the blind split stays unread."""
    count = {"dev_mossbank.yml": 40, "blind_mossbank.yml": 20}[split]
    assert not failing_gold(mossbank, "mossbank", split, count)


@pytest.mark.parametrize("split", ["dev_mossbank.yml", "blind_mossbank.yml"])
def test_mossbank_definition_sql_gives_twenty_four_months(split: str, mossbank: Project) -> None:
    """Every answerable definition's hand SQL gives one non-null value per month of 2024-2025 (ids only)."""
    count = {"dev_mossbank.yml": 12, "blind_mossbank.yml": 6}[split]
    assert not failing_months(mossbank, split, MONTHS, count)
