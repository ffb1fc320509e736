"""One demo build per session (1,000 accounts, fixed end date), opened read-only for the tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from metricmind.demo.build import BuildReport, build_demo
from metricmind.warehouse.duckdb import DuckDBWarehouse

SCALE = 1_000
END_DATE = "2025-06-30"
SEED = 42


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> BuildReport:
    return build_demo(
        tmp_path_factory.mktemp("demo") / "saas_demo", scale=SCALE, end_date=END_DATE, seed=SEED
    )


@pytest.fixture(scope="session")
def wh(demo: BuildReport) -> Iterator[DuckDBWarehouse]:
    with DuckDBWarehouse(demo.warehouse) as warehouse:
        yield warehouse


@pytest.fixture(scope="session")
def project_dir(demo: BuildReport) -> Path:
    return demo.target_dir
