"""The lastmile sample answers what real MetricFlow answers, query for query, on the same warehouse file.

Run with ``-n 0`` (the ``xdist_group`` marker needs xdist loaded); it skips locally without the MetricFlow
environment and fails in CI. Covered: a ratio with a filtered numerator, a ratio across two models, a ratio
with a filtered denominator, a conversion from booking to delivery on one model, a week-on-week offset,
a month-to-date cumulative, a snapshot without Sunday rows (and its composite key) at month and quarter ends,
an average of a flag with a metric filter, a count distinct, dimensions two hops away over string keys, and a
model's own entities named through its primary entity (``route__hub`` for routes), with the names both refuse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from metricmind.errors import JoinError
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.testing.metricflow import MFQuery, MFResult, compare_results, run_metricflow
from tests.differential.conftest import require_metricflow

pytestmark = [
    pytest.mark.metricflow,
    pytest.mark.slow,
    pytest.mark.xdist_group("metricflow-test_lastmile_vs_metricflow"),
]

MONTH = "metric_time__month"
MF: dict[str, dict[str, Any]] = {
    "parcel volume, delivered parcels and on-time rate by month": {
        "metrics": ["parcel_volume", "delivered_parcels", "on_time_rate"],
        "group_by": [MONTH],
    },
    "revenue per parcel and active shippers by segment": {
        "metrics": ["revenue_per_parcel", "active_shippers"],
        "group_by": ["parcel__shipper_segment"],
    },
    "D+1 delivery rate (conversion) and first attempt success rate by month": {
        "metrics": ["d1_delivery_rate", "first_attempt_success_rate"],
        "group_by": [MONTH],
    },
    "parcel volume week on week, September 2025": {
        "metrics": ["parcel_volume_wow"],
        "group_by": ["metric_time__week"],
        "start": "2025-09-01",
        "end": "2025-09-29",
    },
    "revenue month to date by day, August 2025": {
        "metrics": ["revenue_mtd"],
        "group_by": ["metric_time__day"],
        "start": "2025-08-01",
        "end": "2025-09-01",
    },
    "parcels on hand by month and by region at quarter end": {
        "metrics": ["parcels_on_hand"],
        "group_by": ["metric_time__quarter", "hub__region"],
    },
    "parcels on hand by month": {"metrics": ["parcels_on_hand"], "group_by": [MONTH]},
    "stops per hour (two models) and fuel cost per diesel km by month": {
        "metrics": ["stops_per_hour", "fuel_cost_per_km"],
        "group_by": [MONTH],
    },
    "fuel cost per diesel km and routes by hub": {
        "metrics": ["fuel_cost_per_km", "routes_run"],
        "group_by": ["hub"],
    },
    "failed attempts of two hubs, filtered on the entity": {
        "metrics": ["failed_attempts"],
        "group_by": ["route__hub"],
        "where": ["{{ Entity('route__hub') }} in ('RTM', 'AMSW')"],
    },
    "failed attempts by the route's hub country and courier contract": {
        "metrics": ["failed_attempts"],
        "group_by": ["route__hub__country_code", "route__courier__contract_type"],
    },
    # a model's own entity named through its primary entity (routes' own `hub` as `route__hub`)
    "routes by their own hub and courier, named through the route": {
        "metrics": ["routes_run"],
        "group_by": ["route__hub", "route__courier"],
    },
    "stops per hour (two models) by the route's hub and month": {
        "metrics": ["stops_per_hour"],
        "group_by": ["route__hub", MONTH],
    },
    "routes and km of two hubs, filtered on the route's own hub": {
        "metrics": ["routes_run", "km_driven"],
        "group_by": ["route__hub"],
        "where": ["{{ Entity('route__hub') }} in ('RTM', 'AMSW')"],
    },
    "failed attempts by the attempt's own route": {
        "metrics": ["failed_attempts"],
        "group_by": ["attempt__route"],
    },
    "parcels on hand by the stock date itself, by month": {
        "metrics": ["parcels_on_hand"],
        "group_by": ["hub_day__ds__month"],
    },
    "parcels on hand by stock day and hub": {
        "metrics": ["parcels_on_hand"],
        "group_by": ["hub_day__ds__day", "hub"],
    },
    "parcels on hand by the stock row's own hub, through its composite key": {
        "metrics": ["parcels_on_hand"],
        "group_by": ["hub_day__hub"],
    },
}

# Names both engines refuse: an entity through itself, a path that goes on from the model's own entity.
REFUSED: dict[str, dict[str, Any]] = {
    "routes by route__route": {"metrics": ["routes_run"], "group_by": ["route__route"]},
    "routes by route__hub__region": {"metrics": ["routes_run"], "group_by": ["route__hub__region"]},
    "routes by route__courier__contract_type": {
        "metrics": ["routes_run"],
        "group_by": ["route__courier__contract_type"],
    },
    "failed attempts by attempt__route__hub": {
        "metrics": ["failed_attempts"],
        "group_by": ["attempt__route__hub"],
    },
}


@pytest.fixture(scope="module")
def mf_lastmile(lastmile_dir: Path) -> dict[str, MFResult]:
    require_metricflow()
    db = lastmile_dir / "target" / "lastmile.duckdb"
    queries = [MFQuery.from_query(n, MetricQuery.build(**q)) for n, q in (MF | REFUSED).items()]
    return {r.id: r for r in run_metricflow(lastmile_dir, db, queries, schema="core")}


@pytest.mark.parametrize("name", list(MF))
def test_lastmile_same_rows_as_metricflow(
    name: str, lastmile: Project, mf_lastmile: dict[str, MFResult]
) -> None:
    mf = mf_lastmile[name]
    assert mf.error is None, mf.error
    ours = lastmile.run(MetricQuery.build(**MF[name]))
    assert ours.rows, "no rows: nothing compared"
    diffs = compare_results(ours.columns, ours.rows, mf.columns, mf.rows)
    assert not diffs, "\n".join([*diffs, "-- ours --", ours.sql, "-- MetricFlow --", mf.sql])


@pytest.mark.parametrize("name", list(REFUSED))
def test_lastmile_refuses_what_metricflow_refuses(
    name: str, lastmile: Project, mf_lastmile: dict[str, MFResult]
) -> None:
    assert mf_lastmile[name].error is not None, "MetricFlow answered"
    with pytest.raises(JoinError):
        lastmile.compile(MetricQuery.build(**REFUSED[name]))
