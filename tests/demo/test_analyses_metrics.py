"""The demo's analytics models and metrics equal the Python definitions of ``metricmind.analyses``.

The same built demo is read twice: through the catalog metrics (``Project.run``, SQL built by the
compiler over the dbt-style models) and through ``metricmind.analyses`` (project mode: journeys and panels
extracted from the canonical tables, computed in numpy). Tolerance 1e-9, relative.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from metricmind.analyses.extract import analyze_warehouse
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.warehouse.duckdb import DuckDBWarehouse

ATTRIBUTION = {
    "first_touch": "first_touch_attributed_new_mrr",
    "last_touch": "last_touch_attributed_new_mrr",
    "linear": "linear_attributed_new_mrr",
    "position_based": "position_based_attributed_new_mrr",
    "time_decay": "time_decay_attributed_new_mrr",
    "shapley": "shapley_attributed_new_mrr",
    "markov": "markov_attributed_new_mrr",
}


@pytest.fixture(scope="module")
def project(project_dir: Path) -> Project:
    return Project.load(project_dir)


@pytest.fixture(scope="module")
def python_attribution(wh: DuckDBWarehouse) -> dict[str, Any]:
    return analyze_warehouse("attribution", wh, "duckdb")


def by_key(rows: list[tuple[Any, ...]]) -> dict[Any, float]:
    return {row[0]: float(row[1]) for row in rows}


@pytest.mark.parametrize("model", list(ATTRIBUTION))
def test_attribution_metric_by_channel_equals_python(
    project: Project, python_attribution: dict[str, Any], model: str
) -> None:
    result = project.run(MetricQuery.build(ATTRIBUTION[model], ["touchpoint__channel"]))
    expected = python_attribution["models"][model]["revenue"]
    got = by_key(result.rows)
    assert set(got) == set(expected)
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert sum(got.values()) == pytest.approx(python_attribution["total_revenue"], rel=1e-9)


def test_attribution_model_table_equals_python(
    wh: DuckDBWarehouse, python_attribution: dict[str, Any]
) -> None:
    columns = ", ".join(f"sum({m}_new_mrr)" for m in ATTRIBUTION)
    rows = wh.run(f"select channel, {columns} from main.fct_touchpoint_attribution group by 1").rows
    for channel, *sums in rows:
        for model, value in zip(ATTRIBUTION, sums, strict=True):
            expected = python_attribution["models"][model]["revenue"][channel]
            assert float(value) == pytest.approx(expected, rel=1e-9, abs=1e-9), (channel, model)


def test_channel_models_slice_by_time_and_customer(
    project: Project, python_attribution: dict[str, Any]
) -> None:
    """Slices of Shapley and Markov are an apportionment: they add up to the global channel credit."""
    for model in ("shapley", "markov"):
        metric = ATTRIBUTION[model]
        rows = project.run(
            MetricQuery.build(metric, ["touchpoint__channel", "metric_time__quarter", "customer__segment"])
        ).rows
        assert len({r[1] for r in rows}) > 4 and {r[2] for r in rows} >= {"SMB", "Enterprise"}
        totals: dict[str, float] = {}
        for channel, _, _, value in rows:
            totals[channel] = totals.get(channel, 0.0) + float(value or 0)
        assert totals == pytest.approx(python_attribution["models"][model]["revenue"], rel=1e-9, abs=1e-9)


def month(value: Any) -> str:
    return f"{value.year:04d}-{value.month:02d}"


def test_lifecycle_metrics_by_month_equal_python(project: Project, wh: DuckDBWarehouse) -> None:
    expected = analyze_warehouse("lifecycle", wh, "duckdb")["per_month"]
    names = ["new_users", "retained_users", "resurrected_users", "churned_users", "dormant_users"]
    result = project.run(MetricQuery.build([*names, "user_quick_ratio"], ["metric_time__month"]))
    got = {month(row[0]): row[1:] for row in result.rows}
    assert set(got) == set(expected) and len(got) > 24
    for label, counts in expected.items():
        row = got[label]
        assert [int(x or 0) for x in row[:5]] == [
            counts[k] for k in ("new", "retained", "resurrected", "churned", "dormant")
        ], label
        if counts["quick_ratio"] is None:
            assert row[5] is None, label
        else:
            assert float(row[5]) == pytest.approx(counts["quick_ratio"], rel=1e-9), label
    assert (
        sum(c["resurrected"] for c in expected.values()) > 0
        and sum(c["dormant"] for c in expected.values()) > 0
    )


def test_mrr_quick_ratio_and_reactivation_by_month_equal_python(
    project: Project, wh: DuckDBWarehouse
) -> None:
    expected = analyze_warehouse("mrr-movements", wh, "duckdb")["per_month"]
    result = project.run(MetricQuery.build(["quick_ratio", "reactivation_mrr"], ["metric_time__month"]))
    got = {month(row[0]): row[1:] for row in result.rows}
    assert set(got) == set(expected)
    nulls = 0
    for label, movements in expected.items():
        ratio, reactivation = got[label]
        assert float(reactivation or 0) == pytest.approx(movements["reactivation"], rel=1e-9, abs=1e-9), label
        if movements["quick_ratio"] is None:
            nulls += 1
            assert ratio is None, label
        else:
            assert float(ratio) == pytest.approx(movements["quick_ratio"], rel=1e-9), label
    assert nulls >= 1 and sum(m["reactivation"] for m in expected.values()) > 0  # both cases are exercised


def test_cohort_retention_equals_python(project: Project, wh: DuckDBWarehouse) -> None:
    expected = analyze_warehouse("cohorts", wh, "duckdb")["cohorts"]
    result = project.run(
        MetricQuery.build(
            ["logo_retention", "revenue_retention", "cohort_customers", "cohort_active_customers"],
            ["metric_time__month", "cohort__months_since_signup"],
        )
    )
    got = {(month(row[0]), int(row[1])): row[2:] for row in result.rows}
    cells = {
        (c, cell["months_since_signup"]): (cohort, cell)
        for c, cohort in expected.items()
        for cell in cohort["cells"]
    }
    assert set(got) == set(cells)  # the same triangle
    for key, (cohort, cell) in cells.items():
        logo, revenue, size, active = got[key]
        assert int(size) == cohort["cohort_size"] and int(active) == cell["active_customers"], key
        assert float(logo) == pytest.approx(cell["logo_retention"], rel=1e-9), key
        assert float(revenue) == pytest.approx(cell["revenue_retention"], rel=1e-9), key
    # sliceable by customer dimensions too
    by_segment = project.run(
        MetricQuery.build(["logo_retention"], ["cohort__months_since_signup", "customer__segment"])
    )
    assert {row[1] for row in by_segment.rows} >= {"SMB", "Mid-Market", "Enterprise"}
