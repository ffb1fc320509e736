"""A fresh copy of a small demo per test (built once per run): the governance tests change its files and warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest

from metricmind.warehouse.duckdb import DuckDBWarehouse
from tests.shared_demo import demo_copy


@pytest.fixture
def demo(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo (scale 300, data through 2026-06-30) in a folder of its own."""
    return demo_copy(tmp_path_factory, tmp_path / "demo", scale=300, end_date="2026-06-30")


def write_sql(demo: Path, *statements: str) -> None:
    """Change the demo's warehouse (a writable connection, closed before the project opens it)."""
    wh = DuckDBWarehouse(demo / "target" / "warehouse.duckdb", read_only=False)
    try:
        for sql in statements:
            wh.execute(sql)
    finally:
        wh.close()
