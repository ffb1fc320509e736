"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from metricmind import config
from metricmind.project import Project
from metricmind.testing.postgres import PostgresServer, find_bindir
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


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server (Debian packages) on a loopback port; skipped only outside CI."""
    if find_bindir() is None:
        if in_ci():
            pytest.fail("PostgreSQL server binaries missing (apt-get install postgresql)")
        pytest.skip("PostgreSQL server binaries not installed")
    with PostgresServer() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database on the session's PostgreSQL server (``postgresql://`` URL)."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    postgres_server.psql("postgres", f"CREATE DATABASE {name}")
    yield f"postgresql://postgres@127.0.0.1:{postgres_server.port}/{name}"
    postgres_server.psql("postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def dbt() -> str:
    """Real dbt (``.venv-mf``'s, or ``$METRICMIND_DBT``); a skip outside CI when missing, a failure under CI."""
    from metricmind.testing.dbt import SETUP_HINT, dbt_for_tests

    found = dbt_for_tests()
    if found is None:
        if in_ci():
            pytest.fail(f"dbt is missing: {SETUP_HINT}")
        pytest.skip(f"dbt is not installed: {SETUP_HINT}")
    return found


@pytest.fixture(scope="session")
def demo_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project built once (scale 300, data through 2026-06-30)."""
    from tests.shared_demo import demo_copy

    return demo_copy(
        tmp_path_factory, tmp_path_factory.mktemp("demo") / "demo", scale=300, end_date="2026-06-30"
    )


@pytest.fixture
def clean_settings(
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
