"""Fixtures of the onboarding tests: the marketplace sample (a dbt project with its own profiles.yml)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from metricmind import config
from metricmind.testing.marketplace import build_duckdb, copy_marketplace


@pytest.fixture(autouse=True)
def _clean_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """No setting from the machine running the tests (a ``~/.dbt``, ``DBT_PROFILES_DIR``, ``METRICMIND_*``),
    and the CLI's global options (process-wide) never leak from one test into the next.
    """
    for name in ("DBT_PROFILES_DIR", "DBT_TARGET"):
        monkeypatch.delenv(name, raising=False)
    for setting in config.SETTINGS:
        monkeypatch.delenv(setting.env, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    config.set_overrides({})
    yield
    config.set_overrides({})


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
