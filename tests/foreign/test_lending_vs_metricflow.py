"""The lending sample answers what real MetricFlow answers, query for query, on the same warehouse file.

Run with ``-n 0`` (the ``xdist_group`` marker needs xdist loaded); it skips locally without the MetricFlow
environment and fails in CI. Covered: a ratio, a conversion, a derived metric with an offset window, an
all-time and a 30-day cumulative, semi-additive snapshots (and a filtered ratio of them) at month and
quarter ends, a camelCase column, an average, a count distinct, a yes/no filter and a two-hop dimension.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.testing.metricflow import MFQuery, MFResult, compare_results, run_metricflow
from tests.differential.conftest import require_metricflow

pytestmark = [
    pytest.mark.metricflow,
    pytest.mark.slow,
    pytest.mark.xdist_group("metricflow-test_lending_vs_metricflow"),
]

MONTH = "metric_time__month"
MF: dict[str, dict[str, Any]] = {
    "applications, approval rate and conversion by month": {
        "metrics": ["applications", "approval_rate", "application_to_loan_conversion"],
        "group_by": [MONTH],
    },
    "funded amount growth and cumulative funded by month": {
        "metrics": ["funded_amount_mom_growth", "cumulative_funded_amount"],
        "group_by": [MONTH],
    },
    "loan book and 30+ DPD rate by month": {
        "metrics": ["outstanding_principal", "delinquency_rate", "loans_on_book"],
        "group_by": [MONTH],
    },
    "loan book by risk grade at quarter end": {
        "metrics": ["outstanding_principal"],
        "group_by": ["metric_time__quarter", "loan__risk_grade"],
    },
    "collections trailing 30 days by month": {"metrics": ["collections_trailing_30d"], "group_by": [MONTH]},
    "average apr and funded borrowers by credit band": {
        "metrics": ["average_apr", "funded_borrowers"],
        "group_by": ["borrower__credit_band"],
    },
    "late payments and interest of autopay-off payments by method": {
        "metrics": ["late_payments", "interest_income"],
        "group_by": ["payment__payment_method"],
        "where": ["{{ Dimension('payment__is_autopay') }} = false"],
    },
    "collections by the borrower's home state (two hops)": {
        "metrics": ["collections"],
        "group_by": ["loan__borrower__home_state"],
    },
}


@pytest.fixture(scope="module")
def mf_lending(lending_dir: Path) -> dict[str, MFResult]:
    require_metricflow()
    db = lending_dir / "target" / "lending.duckdb"
    queries = [MFQuery.from_query(n, MetricQuery.build(**q)) for n, q in MF.items()]
    return {r.id: r for r in run_metricflow(lending_dir, db, queries, schema="prod")}


@pytest.mark.parametrize("name", list(MF))
def test_lending_same_rows_as_metricflow(
    name: str, lending: Project, mf_lending: dict[str, MFResult]
) -> None:
    mf = mf_lending[name]
    assert mf.error is None, mf.error
    ours = lending.run(MetricQuery.build(**MF[name]))
    assert ours.rows, "no rows: nothing compared"
    diffs = compare_results(ours.columns, ours.rows, mf.columns, mf.rows)
    assert not diffs, "\n".join([*diffs, "-- ours --", ours.sql, "-- MetricFlow --", mf.sql])
