"""The lending sample (a consumer-lending fintech's dbt project) loads, validates and answers like hand SQL.

Every reference is SQL written by hand against the project's marts in schema ``prod`` (never produced by
metricmind). ``test_lending_vs_metricflow.py`` runs the same warehouse file through real MetricFlow.
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
MONTH_END = (
    "snapshot_date in (select max(snapshot_date) from prod.fct_loan_tape_daily "
    "group by date_trunc('month', snapshot_date))"
)
CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "applications and approval rate by month",
        {"metrics": ["applications", "approval_rate"], "group_by": [MONTH], "order_by": [MONTH]},
        "select date_trunc('month', applied_at), count(*), "
        "count(*) filter (where decision = 'approved') / count(*) from prod.fct_applications "
        "group by 1 order by 1",
    ),
    (
        "funded amount and average loan size by product",
        {
            "metrics": ["funded_amount", "average_loan_size"],
            "group_by": ["loan__loan_product"],
            "order_by": ["loan__loan_product"],
        },
        "select loan_product, sum(principal_amount), sum(principal_amount) / count(*) from prod.fct_loans "
        "group by 1 order by 1",
    ),
    (
        "average APR by the borrower's credit band (one hop)",
        {
            "metrics": ["average_apr"],
            "group_by": ["borrower__credit_band"],
            "order_by": ["borrower__credit_band"],
        },
        "select b.credit_band, avg(l.apr) from prod.fct_loans l join prod.dim_borrowers b using (borrower_id) "
        "group by 1 order by 1",
    ),
    (
        "funded borrowers (count distinct) by month in Q2",
        {
            "metrics": ["funded_borrowers"],
            "group_by": [MONTH],
            "start": "2024-04-01",
            "end": "2024-07-01",
            "order_by": [MONTH],
        },
        "select date_trunc('month', funded_date), count(distinct borrower_id) from prod.fct_loans "
        "where funded_date >= '2024-04-01' and funded_date < '2024-07-01' group by 1 order by 1",
    ),
    (
        "collections (cents to dollars) and interest share by month",
        {
            "metrics": ["collections", "interest_share_of_collections"],
            "group_by": [MONTH],
            "order_by": [MONTH],
        },
        "select date_trunc('month', paid_at), sum(amount_cents / 100.0), "
        "sum(interest_cents / 100.0) / sum(amount_cents / 100.0) from prod.fct_payments group by 1 order by 1",
    ),
    (
        "late payments by risk grade (a camelCase column, two hops from the payment's loan)",
        {"metrics": ["late_payments"], "group_by": ["loan__risk_grade"], "order_by": ["loan__risk_grade"]},
        'select l."riskGrade", count(*) from prod.fct_payments p join prod.fct_loans l using (loan_id) '
        "where p.is_late group by 1 order by 1",
    ),
    (
        "outstanding principal and loans on book at each month end (semi-additive)",
        {"metrics": ["outstanding_principal", "loans_on_book"], "group_by": [MONTH], "order_by": [MONTH]},
        "select date_trunc('month', snapshot_date), sum(outstanding_principal), count(*) "
        f"from prod.fct_loan_tape_daily where {MONTH_END} group by 1 order by 1",
    ),
    (
        "30+ DPD rate at each month end (no loan 30+ days late before April: no rate, as in MetricFlow)",
        {"metrics": ["delinquency_rate"], "group_by": [MONTH], "order_by": [MONTH]},
        "select date_trunc('month', snapshot_date), sum(outstanding_principal) filter "
        "(where days_past_due >= 30) / sum(outstanding_principal) "
        f"from prod.fct_loan_tape_daily where {MONTH_END} group by 1 order by 1",
    ),
    (
        "loan book by product at the end of June (snapshot through a join)",
        {
            "metrics": ["outstanding_principal"],
            "group_by": ["loan__loan_product"],
            "start": "2024-06-01",
            "end": "2024-07-01",
            "order_by": ["-outstanding_principal"],
        },
        "select l.loan_product, sum(t.outstanding_principal) from prod.fct_loan_tape_daily t "
        "join prod.fct_loans l using (loan_id) where t.snapshot_date = '2024-06-30' group by 1 order by 2 desc",
    ),
    (
        "funded amount growth vs the prior month (offset window)",
        {
            "metrics": ["funded_amount_mom_growth"],
            "group_by": [MONTH],
            "start": "2024-02-01",
            "end": "2024-07-01",
            "order_by": [MONTH],
        },
        "with m as (select date_trunc('month', funded_date) m, sum(principal_amount) v from prod.fct_loans "
        "group by 1) select m.m, (m.v - p.v) / p.v from m join m p on p.m = m.m - interval 1 month "
        "order by 1",
    ),
    (
        # as in MetricFlow (period_agg first): a month's value is the running total on its first day that
        # has one (the first loan was funded on 2 January)
        "funded amount to date, by month in H1 (cumulative)",
        {
            "metrics": ["cumulative_funded_amount"],
            "group_by": [MONTH],
            "start": "2024-01-01",
            "end": "2024-07-01",
            "order_by": [MONTH],
        },
        "select m, (select sum(principal_amount) from prod.fct_loans where funded_date <= "
        "greatest(m, (select min(funded_date) from prod.fct_loans))) "
        "from (select cast(generate_series as date) m from generate_series(date '2024-01-01', "
        "date '2024-06-01', interval 1 month)) order by 1",
    ),
    (
        "funded amount of unverified borrowers in CA or TX, first loans only",
        {
            "metrics": ["funded_amount", "loans_funded"],
            "where": [
                "{{ Dimension('borrower__home_state') }} in ('CA', 'TX')",
                "{{ Dimension('borrower__is_kyc_verified') }} = false",
                "{{ Dimension('loan__is_first_loan') }} = true",
            ],
        },
        "select sum(l.principal_amount), count(*) from prod.fct_loans l join prod.dim_borrowers b "
        "using (borrower_id) where b.state_code in ('CA', 'TX') and not b.is_kyc_verified and l.is_first_loan",
    ),
    (
        "charged-off loans by funding month",
        {"metrics": ["charged_off_loans"], "group_by": [MONTH], "order_by": [MONTH]},
        "select date_trunc('month', funded_date), count(*) from prod.fct_loans "
        "where loan_status = 'charged_off' group by 1 order by 1",
    ),
]


@pytest.mark.parametrize(("name", "query", "sql"), CASES, ids=[c[0] for c in CASES])
def test_lending_python_equals_hand_sql(name: str, query: dict[str, Any], sql: str, lending: Project) -> None:
    ours = day_rows(lending.run(MetricQuery.build(**query)).rows)
    want = day_rows(hand(lending, sql))
    assert want and same_rows(ours, want), (ours, want)


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout + result.stderr


def test_lending_loads_and_validates_deep(lending_dir: Path, lending: Project) -> None:
    code, out = _cli("validate", "--deep", "-p", str(lending_dir))
    assert code == 0, out
    assert "0 error(s), 0 warning(s)" in out
    assert len(lending.metrics()) == 23
    assert {str(m.type.value) for m in lending.metrics()} == {
        "simple",
        "ratio",
        "derived",
        "cumulative",
        "conversion",
    }
    # the camelCase column, a dimension two hops from a payment (payment -> loan -> borrower)
    dims = {d.name for d in lending.dimensions("late_payments")}
    assert {"loan__risk_grade", "loan__borrower__credit_band", "payment__is_late"} <= dims


def test_lending_cli_json_and_compile(lending_dir: Path, lending: Project) -> None:
    code, out = _cli(
        "query", "-p", str(lending_dir), "-m", "applications,approved_applications",
        "-g", "application__application_channel", "-o", "-applications", "-f", "json",
    )  # fmt: skip
    assert code == 0, out
    data = json.loads(out)
    want = hand(
        lending,
        "select application_channel, count(*), count(*) filter (where decision = 'approved') "
        "from prod.fct_applications group by 1 order by 2 desc",
    )
    assert [tuple(r) for r in data["rows"]] == [tuple(r) for r in want]
    sql = lending.compile(MetricQuery.build(["outstanding_principal"], group_by=[MONTH]), "duckdb")
    assert "fct_loan_tape_daily" in str(sql)


def test_lending_conversion_is_a_share(lending: Project) -> None:
    rows = lending.run(MetricQuery.build(["application_to_loan_conversion"], group_by=[MONTH])).rows
    assert len(rows) == 6
    assert all(0.2 < float(r[1]) < 0.8 for r in rows), rows


@pytest.mark.parametrize("split", ["dev_lending.yml", "blind_lending.yml"])
def test_lending_question_gold_still_runs(split: str, lending: Project) -> None:
    """Every answerable question's gold still names real metrics, dimensions and values and runs to an answer
    (``check_gold``); only failing ids are reported, so the blind split stays unread."""
    count = {"dev_lending.yml": 40, "blind_lending.yml": 20}[split]
    assert not failing_gold(lending, "lending", split, count)


@pytest.mark.parametrize(
    "split", ["dev_lending.yml", "blind_lending.yml", "dev2_lending.yml", "blind2_lending.yml"]
)
def test_lending_definition_sql_gives_six_months(split: str, lending: Project) -> None:
    """Every answerable definition's hand SQL gives one non-null value per month of 2024-01..06 (ids only)."""
    assert not failing_months(lending, split, [dt.date(2024, m, 1) for m in range(1, 7)])
