"""Every compiler case of ``tests/compiler/test_execute.py``, also answered by MetricFlow on the same file.

The shop warehouse is built by dbt (``shop_mf``) so both engines read exactly dbt's column types. Cases
MetricFlow cannot express are listed in ``BEYOND_METRICFLOW`` with the reason; for those the
hand-written SQL of ``test_execute.py`` is the reference.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.testing.metricflow import MFQuery, MFResult, compare_results, run_metricflow
from tests.compiler.test_execute import CASES

BEYOND_METRICFLOW = {
    "three hops from order items": "MetricFlow allows at most two join hops (MAX_JOIN_HOPS = 2)",
    "short name over a longer path": "MetricFlow needs the full entity path (order__customer__segment)",
    "one-to-many, overlapping groups asked for": "MetricFlow refuses one-to-many joins (fan-out join "
    "support is pending); metricmind too unless the query sets allow_overlap",
    "one-to-many filter only, asked for": "MetricFlow refuses one-to-many joins (fan-out join support is "
    "pending); metricmind too unless the query sets allow_overlap",
    "query where, plain names and IN": "MetricFlow pastes filter text verbatim: bare dimension names only "
    "work when that column happens to be selected",
    "metric filter per region, grouped through a multi-hop join (the lookup is not rewritten into it)": (
        "MetricFlow computes a metric filter only per an entity of the measure's own model or one hop away "
        "(group_by=['region'] is two hops from orders)"
    ),
    "two metric filters, one of them twice, with a dimension of a two-hop join in an OR": (
        "MetricFlow cannot parse metric filters combined with OR in one where filter"
    ),
}


SUPPORTED = [(n, q) for n, q, _ in CASES if n not in BEYOND_METRICFLOW]


@pytest.fixture(scope="module")
def shop_pair(shop_mf: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Path]:
    project_dir, db = shop_mf
    copy = tmp_path_factory.mktemp("shop_diff") / "shop"
    shutil.copytree(project_dir, copy, ignore=shutil.ignore_patterns("target"))
    (copy / "target").mkdir()
    shutil.copy(db, copy / "target" / "shop.duckdb")
    return Project.load(copy), db


@pytest.fixture(scope="module")
def mf_results(shop_pair: tuple[Project, Path]) -> dict[str, MFResult]:
    project, db = shop_pair
    return {
        r.id: r
        for r in run_metricflow(
            project.root, db, [MFQuery.from_query(n, MetricQuery.build(**q)) for n, q in SUPPORTED]
        )
    }


def test_most_cases_are_differential() -> None:
    assert len(SUPPORTED) >= 40


@pytest.mark.parametrize(("name", "query"), SUPPORTED, ids=[n for n, _ in SUPPORTED])
def test_same_rows_as_metricflow(
    name: str, query: dict[str, Any], shop_pair: tuple[Project, Path], mf_results: dict[str, MFResult]
) -> None:
    project, _ = shop_pair
    mf = mf_results[name]
    assert mf.error is None, mf.error
    ours = project.run(MetricQuery.build(**query))
    ordered = bool(query.get("order_by"))
    diffs = compare_results(ours.columns, ours.rows, mf.columns, mf.rows, ordered=ordered)
    assert not diffs, "\n".join([*diffs, "-- ours --", ours.sql, "-- MetricFlow --", mf.sql])
