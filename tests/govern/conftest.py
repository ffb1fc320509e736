"""A freshly built small demo per test (0.5 s): the governance tests change its files and warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest

from metricmind.demo.build import build_demo
from metricmind.warehouse.duckdb import DuckDBWarehouse


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """The demo (scale 300, data through 2026-06-30) in a folder of its own."""
    target = tmp_path / "demo"
    build_demo(target, scale=300, end_date="2026-06-30")
    return target


def write_sql(demo: Path, *statements: str) -> None:
    """Change the demo's warehouse (a writable connection, closed before the project opens it)."""
    wh = DuckDBWarehouse(demo / "target" / "warehouse.duckdb", read_only=False)
    try:
        for sql in statements:
            wh.execute(sql)
    finally:
        wh.close()
