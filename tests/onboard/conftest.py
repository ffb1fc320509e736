"""Fixtures of the onboarding tests: the marketplace sample (a dbt project with its own profiles.yml)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from metricmind.testing.marketplace import build_duckdb, copy_marketplace


@pytest.fixture(autouse=True)
def _clean_settings(clean_settings: None) -> None:
    """Every test here runs without the machine's dbt and metricmind settings (``clean_settings``)."""


@pytest.fixture(scope="session")
def marketplace_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The marketplace project with its DuckDB warehouse (target ``dev`` of its profile) built once."""
    root = copy_marketplace(tmp_path_factory.mktemp("mp") / "marketplace")
    build_duckdb(root / "target" / "marketplace.duckdb")
    return root


@pytest.fixture
def marketplace(marketplace_built: Path, tmp_path: Path) -> Path:
    """A fresh copy of the built marketplace project, free to edit (no metricmind.yml, no state)."""
    target = tmp_path / "marketplace"
    shutil.copytree(marketplace_built, target, ignore=shutil.ignore_patterns(".metricmind"))
    return target
