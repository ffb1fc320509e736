"""Fixtures for differential tests against real MetricFlow.

MetricFlow runs in its own environment (``.venv-mf``). When it is missing, tests that need it are
skipped locally with instructions, and fail in CI (``CI=true``), where the environment is created on the
spot with :func:`ensure_mf_env` first: a differential suite that silently skips proves nothing.

Tests using these fixtures are marked ``metricflow`` and ``slow`` automatically, and grouped per test file
on one xdist worker (``--dist loadgroup``), so a file's module fixtures (one MetricFlow batch) run once
while different files run side by side; the shop warehouse is built by dbt once per run and copied.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from metricmind.testing.metricflow import (
    MF_CACHE_ENV,
    MF_PYTHON_ENV,
    MF_SETUP_HINT,
    REPO_ROOT,
    MetricFlowRunError,
    build_with_dbt,
    ensure_mf_env,
    mf_available,
    mf_python,
)
from tests.shared_demo import built_once

SHOP_DIR = REPO_ROOT / "metricmind" / "testing" / "projects" / "shop"
_MF_FIXTURES = {"mf_env", "shop_mf"}


def in_ci() -> bool:
    """Whether we run in CI, where a missing MetricFlow environment is an error."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require_metricflow() -> Path:
    """Return MetricFlow's Python; skip locally when it is missing, create it (or fail) in CI."""
    if mf_available():
        return mf_python()
    if not in_ci():
        pytest.skip(f"MetricFlow reference environment not found at {mf_python()}: {MF_SETUP_HINT}")
    if os.environ.get(MF_PYTHON_ENV):
        pytest.fail(f"{MF_PYTHON_ENV}={os.environ[MF_PYTHON_ENV]} cannot run MetricFlow: {MF_SETUP_HINT}")
    try:
        return ensure_mf_env(REPO_ROOT)
    except MetricFlowRunError as exc:
        pytest.fail(f"CI needs MetricFlow's environment and creating it failed: {exc}")


@pytest.hookimpl(tryfirst=True)  # before xdist's --dist loadgroup reads the group markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs MetricFlow as ``metricflow`` and ``slow``, in one xdist group per file.

    The group keeps a file on one worker, so its module fixtures (MetricFlow batches) run once; files are
    separate groups so ``-n auto`` spreads them instead of queueing them all behind one worker.
    """
    for item in items:
        if _MF_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.metricflow)
            item.add_marker(pytest.mark.slow)
            item.add_marker(pytest.mark.xdist_group(f"metricflow-{item.path.stem}"))


@pytest.fixture(scope="session", autouse=True)
def _hermetic_manifest_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Cache semantic manifests per test session unless ``$METRICMIND_MF_CACHE`` chooses a place.

    Set ``METRICMIND_MF_CACHE=~/.cache/metricmind/mf-manifests`` to skip ``dbt parse`` across sessions.
    """
    if os.environ.get(MF_CACHE_ENV):
        yield
        return
    os.environ[MF_CACHE_ENV] = str(tmp_path_factory.mktemp("mf_manifests"))
    try:
        yield
    finally:
        os.environ.pop(MF_CACHE_ENV, None)


@pytest.fixture(scope="session")
def mf_env() -> Path:
    """MetricFlow's Python interpreter (skips or fails as described in the module docstring)."""
    return require_metricflow()


@pytest.fixture(scope="session")
def shop_mf(tmp_path_factory: pytest.TempPathFactory, mf_env: Path) -> tuple[Path, Path]:
    """The shop sample project and a DuckDB file built from it by ``dbt seed`` + ``dbt run``, once.

    dbt builds it (in MetricFlow's environment, from a copy of the project) rather than DuckDB's
    ``read_csv`` plus the rendered model SQL, because the column types must be exactly what dbt users
    get: dbt loads seeds through agate, which types whole-number columns INTEGER where ``read_csv`` says
    BIGINT (and then SUM/AVG result types differ), and honours ``column_types`` in ``seeds.yml``.

    Returns:
        ``(project_dir, duckdb_path)``; the file is named ``shop.duckdb`` so MetricFlow's SQL reads
        ``"shop"."main"."orders"``. Open it read-only.
    """
    duckdb_path = tmp_path_factory.mktemp("shop_mf") / "shop.duckdb"
    # dbt builds it once per test run (shared by the xdist workers); each session reads its own copy
    built = built_once(
        tmp_path_factory, "shop-mf", duckdb_path.name, lambda path: build_with_dbt(SHOP_DIR, path)
    )
    for suffix in ("", ".wal"):  # a write-ahead log dbt left behind belongs to the file
        if built.with_name(built.name + suffix).exists():
            shutil.copyfile(
                built.with_name(built.name + suffix), duckdb_path.with_name(duckdb_path.name + suffix)
            )
    return SHOP_DIR, duckdb_path
