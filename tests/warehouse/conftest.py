"""A Spark Connect server with the demo's tables, started once per test session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from metricmind.testing.engines import add_extra_metrics
from metricmind.testing.spark import SparkConnectServer, load_duckdb, missing
from tests.conftest import in_ci


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that needs Spark in one xdist group: one worker, so one Spark server starts."""
    for item in items:
        # without xdist (-p no:xdist) the marker is unknown and there is one process anyway
        if item.config.pluginmanager.hasplugin("xdist") and "spark_demo" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("spark"))


@dataclass(frozen=True)
class SparkDemo:
    """The running server's URL and a copy of the demo (with the parity suite's extra metrics)."""

    url: str
    project_dir: Path
    tables: tuple[str, ...]


@pytest.fixture(scope="session")
def spark_demo(demo_built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkDemo]:
    """A local Spark Connect server (``local[2]``, Java from Debian) holding the demo's canonical tables.

    Skipped only outside CI when Java or pyspark is missing; under ``CI=true`` that is a failure.
    """
    reason = missing()
    if reason:
        if in_ci():
            pytest.fail(f"Spark cannot start: {reason}")
        pytest.skip(f"Spark cannot start: {reason}")
    root = tmp_path_factory.mktemp("spark")
    project_dir = root / "demo"
    shutil.copytree(demo_built, project_dir, ignore=shutil.ignore_patterns(".metricmind"))
    add_extra_metrics(project_dir)
    with SparkConnectServer() as server:
        tables = load_duckdb(project_dir / "target" / "warehouse.duckdb", server.url, root / "parquet")
        yield SparkDemo(server.url, project_dir, tuple(tables))
