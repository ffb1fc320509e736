"""Fixtures for the MCP server: the demo built once, a fresh copy per test that writes, in-memory clients."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from metricmind.project import Project

END_DATE = "2026-06-30"


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project built once (scale 300, data through 2026-06-30)."""
    from tests.shared_demo import demo_copy

    return demo_copy(
        tmp_path_factory, tmp_path_factory.mktemp("mcp-demo") / "demo", scale=300, end_date=END_DATE
    )


@pytest.fixture(scope="session")
def demo(demo_dir: Path) -> Project:
    """The demo, loaded once for the read-only tools."""
    return Project.load(demo_dir)


@pytest.fixture
def demo_copy(demo_dir: Path, tmp_path: Path) -> Path:
    """A fresh copy of the demo for tests that write (feedback, learned synonyms)."""
    target = tmp_path / "demo"
    shutil.copytree(demo_dir, target, ignore=shutil.ignore_patterns(".metricmind", "metricmind"))
    return target
