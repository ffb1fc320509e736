"""MetricFlow's own test manifests (from the ``metricflow`` package in ``.venv-mf``, never copied here) as
foreign projects: metricmind loads every one or refuses with a located reason, and a fixed slice of
metrics runs through both engines on the synthesized warehouse with the same rows
(``metricmind/testing/mfmanifests.py``; ``bench/mf_manifests.py`` runs every metric). Run with ``-n 0``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from metricmind.project import Project
from metricmind.testing.mffuzz import Outcome, counts, describe
from metricmind.testing.mfmanifest_runs import load_report, run_differential
from metricmind.testing.mfmanifests import ManifestProject, build_manifest, manifest_names, manifests_root

# metrics of each manifest run through both engines: every metric type and aggregation, filters
# (a boolean dimension alone), joins, multi-hop joins, type II dimensions, offsets and windows
SLICE = {
    "simple_manifest": (
        "bookings",
        "instant_bookings",  # sum_boolean: all-NULL days count 0
        "instant_booking_value",  # a measure filter that is one boolean dimension
        "median_booking_value",
        "booking_value_p99",
        "bookings_per_booker",  # ratio
        "booking_fees",  # derived
        "bookings_growth_2_weeks",  # derived with an offset
        "trailing_2_months_revenue",  # cumulative window
        "revenue_all_time",
        "visit_buy_conversion_rate_7days",  # conversion
        "total_account_balance_first_day",  # semi-additive
        "largest_listing",
        "bookings_since_start_of_month",  # an all-time cumulative at the start of the month
        "archived_users",  # an hourly time dimension: also by metric_time__hour
        "subdaily_join_to_time_spine_metric",  # over the hourly spine
        "subdaily_offset_window_metric",  # 1 hour: by the hour, and hour by hour by day and month
        "subdaily_offset_grain_to_date_metric",
        "subdaily_cumulative_window_metric",  # 3 hours over the hourly spine
        "subdaily_cumulative_grain_to_date_metric",  # hour to date
    ),
    "scd_manifest": ("bookings", "family_bookings", "potentially_lux_bookings"),
    "multi_hop_join_manifest": ("txn_count", "paraguayan_customers"),
}

# one-sided refusals that are documented differences, by a phrase of the refusing side's message
OURS_ONLY = ("not a whole number of",)
MF_ONLY = (
    # a window or grain-to-date cumulative without metric_time: metricmind gives the last day's value
    "does not accumulate over all-time",
)


@pytest.fixture(scope="module")
def manifests(mf_env: Path) -> Path:
    root = manifests_root(mf_env)
    if root is None:
        pytest.fail(f"MetricFlow's environment ({mf_env}) has no metricflow_semantics test manifests")
    return root


@pytest.fixture(scope="module")
def built(manifests: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, ManifestProject]:
    """Every manifest made a project (no warehouse: loading and validating need none)."""
    parent = tmp_path_factory.mktemp("mf_manifests")
    return {
        name: build_manifest(name, parent, root=manifests, data=False) for name in manifest_names(manifests)
    }


@pytest.fixture(scope="module")
def seeded(manifests: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, ManifestProject]:
    """The manifests of the slice with their synthesized warehouses."""
    parent = tmp_path_factory.mktemp("mf_manifests_data")
    return {name: build_manifest(name, parent, root=manifests) for name in SLICE}


def test_every_manifest_loads_or_refuses_with_a_location(built: dict[str, ManifestProject]) -> None:
    assert {"simple_manifest", "scd_manifest", "multi_hop_join_manifest"} <= set(built)
    crashed, unlocated = [], []
    for name, mp in built.items():
        report = load_report(mp)
        if report.crash:
            crashed.append(f"{name}: {report.crash}")
        unlocated += [f"{name}: {i}" for i in report.errors if not (i.file and i.line)]
    assert not crashed, "\n".join(crashed)
    assert not unlocated, "\n".join(unlocated)


def test_the_simple_manifest_loads_all_but_what_metricmind_does_not_support(
    built: dict[str, ManifestProject],
) -> None:
    report = load_report(built["simple_manifest"])
    assert report.metrics >= 100
    with Project.load(built["simple_manifest"].root) as project:
        left_out = {u.name for u in project.unavailable}
    assert left_out == {
        # (offsets in a custom granularity load: refused at query time)
        # (join_to_timespine on a conversion's or a cumulative's measure: loads)
        # a conversion between a daily and a monthly measure
        "visit_buy_conversion_rate_with_monthly_conversion",
    }, [str(i) for i in report.errors]


@pytest.fixture(scope="module")
def outcomes(seeded: dict[str, ManifestProject]) -> list[tuple[str, Outcome]]:
    return [(name, o) for name, metrics in SLICE.items() for o in run_differential(seeded[name], metrics)]


def test_no_different_numbers(outcomes: list[tuple[str, Outcome]]) -> None:
    found = counts([o for _, o in outcomes])
    assert found["equal"] >= len(outcomes) * 2 // 3, found
    different = [(n, o) for n, o in outcomes if o.category == "different"]
    assert not different, "\n".join(
        f"[{n} {o.id}] {describe(o.query)}\n  " + "\n  ".join(o.diffs[:3]) for n, o in different
    )


def test_one_sided_refusals_are_known(outcomes: list[tuple[str, Outcome]]) -> None:
    unknown = [
        (n, o)
        for n, o in outcomes
        if (o.category == "only_ours_refused" and not any(p in (o.ours_error or "") for p in OURS_ONLY))
        or (o.category == "only_mf_refused" and not any(p in (o.mf_error or "") for p in MF_ONLY))
    ]
    assert not unknown, "\n".join(
        f"[{n} {o.id}] {describe(o.query)}: {(o.ours_error or o.mf_error or '')[:400]}" for n, o in unknown
    )
