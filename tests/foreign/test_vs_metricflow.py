"""The foreign projects answer what real MetricFlow answers, query for query, on the same warehouse file.

Run with ``-n 0`` (the ``xdist_group`` marker needs xdist loaded). MetricFlow parses each project as
its team wrote it (its own ``dbt_project.yml``; the runner writes the profile). Not compared, with why:

- a ratio whose parts reach a dimension along different entity paths (``aov`` by
  ``buyer__buyer_country``: orders one hop, items two): MetricFlow finds no common group-by item;
- a conversion metric grouped by a base-model dimension that differs between two base events of the
  same buyer on the same day (``visit__utm_source``): MetricFlow credits the conversion to one of them
  at random (``FIRST_VALUE`` over tied days); metricmind picks the first value, so totals agree but
  the split may not.
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
    pytest.mark.xdist_group("metricflow-test_vs_metricflow"),
]

MONTH = "metric_time__month"
BAZAAR: dict[str, dict[str, Any]] = {
    "gmv and take rate by month": {"metrics": ["gmv", "take_rate"], "group_by": [MONTH]},
    "cumulative gmv by month in H1": {
        "metrics": ["cumulative_gmv"],
        "group_by": [MONTH],
        "start": "2024-01-01",
        "end": "2024-07-01",
    },
    "conversion by month": {"metrics": ["visit_to_order_conversion"], "group_by": [MONTH]},
    "conversion by buyer source": {
        "metrics": ["visit_to_order_conversion"],
        "group_by": ["buyer__acquisition_source"],
    },
    "payout balance by month": {"metrics": ["seller_payout_balance"], "group_by": [MONTH]},
    "payout balance by seller country": {
        "metrics": ["seller_payout_balance"],
        "group_by": ["seller__seller_country"],
    },
    "gmv change vs prior month": {"metrics": ["gmv_mom_change"], "group_by": [MONTH]},
    "repeat buyers and orders by month": {"metrics": ["repeat_buyers", "orders"], "group_by": [MONTH]},
    "active sellers by seller country": {
        "metrics": ["active_sellers"],
        "group_by": ["seller__seller_country"],
    },
    "completed gmv in Q2": {"metrics": ["completed_gmv"], "start": "2024-04-01", "end": "2024-07-01"},
    "refund rate and aov by month": {"metrics": ["refund_rate", "aov"], "group_by": [MONTH]},
    "average rating by listing category": {
        "metrics": ["average_rating"],
        "group_by": ["listing__listing_category"],
    },
    "gmv by order status and buyer country": {
        "metrics": ["gmv"],
        "group_by": ["order__order_status", "order__buyer__buyer_country"],
    },
}
HELPDESK: dict[str, dict[str, Any]] = {
    "ticket volume by month": {"metrics": ["ticket_volume"], "group_by": [MONTH]},
    "first response p50 and mean by priority": {
        "metrics": ["first_response_time_p50", "first_response_time_avg"],
        "group_by": ["ticket__priority"],
    },
    "resolution rate by team": {"metrics": ["resolution_rate"], "group_by": ["agent__support_team"]},
    "csat by month": {"metrics": ["csat", "average_csat_rating"], "group_by": [MONTH]},
    "backlog by month": {"metrics": ["backlog"], "group_by": [MONTH]},
    "backlog by team at quarter end": {
        "metrics": ["backlog"],
        "group_by": ["metric_time__quarter", "backlog_row__backlog_team"],
    },
    "sla breaches for enterprise by priority in Q2": {
        "metrics": ["sla_breach_count"],
        "group_by": ["ticket__priority"],
        "where": ["{{ Dimension('account__plan') }} = 'Enterprise'"],
        "start": "2024-04-01",
        "end": "2024-07-01",
    },
    "csat responses of EMEA accounts two hops away (entity_path)": {
        "metrics": ["csat_responses"],
        "group_by": [MONTH],
        "where": ["{{ Dimension('account__sales_region', entity_path=['ticket']) }} = 'EMEA'"],
    },
    "urgent tickets by week in June": {
        "metrics": ["urgent_ticket_volume"],
        "group_by": ["metric_time__week"],
        "start": "2024-06-01",
        "end": "2024-07-01",
    },
    "ticket volume by account region and channel": {
        "metrics": ["ticket_volume", "avg_resolution_hours"],
        "group_by": ["account__sales_region", "ticket__channel"],
    },
}


@pytest.fixture(scope="module")
def mf_bazaar(bazaar_dir: Path) -> dict[str, MFResult]:
    require_metricflow()
    db = bazaar_dir / "target" / "bazaar.duckdb"
    results = run_metricflow(
        bazaar_dir,
        db,
        [MFQuery.from_query(n, MetricQuery.build(**q)) for n, q in BAZAAR.items()],
        schema="main",
    )
    return {r.id: r for r in results}


@pytest.fixture(scope="module")
def mf_helpdesk(helpdesk_dir: Path) -> dict[str, MFResult]:
    require_metricflow()
    db = helpdesk_dir / "target" / "helpdesk.duckdb"
    queries = [MFQuery.from_query(n, MetricQuery.build(**q)) for n, q in HELPDESK.items()]
    return {r.id: r for r in run_metricflow(helpdesk_dir, db, queries, schema="analytics")}


def _check(project: Project, query: dict[str, Any], mf: MFResult) -> None:
    assert mf.error is None, mf.error
    ours = project.run(MetricQuery.build(**query))
    assert ours.rows, "no rows: nothing compared"
    diffs = compare_results(ours.columns, ours.rows, mf.columns, mf.rows)
    assert not diffs, "\n".join([*diffs, "-- ours --", ours.sql, "-- MetricFlow --", mf.sql])


@pytest.mark.parametrize("name", list(BAZAAR))
def test_bazaar_same_rows_as_metricflow(name: str, bazaar: Project, mf_bazaar: dict[str, MFResult]) -> None:
    _check(bazaar, BAZAAR[name], mf_bazaar[name])


@pytest.mark.parametrize("name", list(HELPDESK))
def test_helpdesk_same_rows_as_metricflow(
    name: str, helpdesk: Project, mf_helpdesk: dict[str, MFResult]
) -> None:
    _check(helpdesk, HELPDESK[name], mf_helpdesk[name])
