"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from metricmind.project import Project
from metricmind.testing.shop import copy_shop


def in_ci() -> bool:
    """True under CI, where a missing part is a failure rather than a skip."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def shop_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shop sample project with its DuckDB warehouse built."""
    return copy_shop(tmp_path_factory.mktemp("shop") / "shop")


@pytest.fixture(scope="session")
def shop(shop_dir: Path) -> Project:
    """The shop project, loaded (read-only warehouse)."""
    return Project.load(shop_dir)
