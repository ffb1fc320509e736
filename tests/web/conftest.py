"""Fixtures: the demo built once (scale 300), a copy per test that writes, an app and a TestClient."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from metricmind.interfaces.web.app import create_app
from metricmind.project import Project


@pytest.fixture(scope="session")
def web_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project built once (scale 300, data through 2026-06-30)."""
    from tests.shared_demo import demo_copy

    return demo_copy(
        tmp_path_factory, tmp_path_factory.mktemp("webdemo") / "demo", scale=300, end_date="2026-06-30"
    )


@pytest.fixture(scope="session")
def ro_project(web_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """A read-mostly copy of the demo, loaded (shared by tests that do not write definitions)."""
    target = tmp_path_factory.mktemp("webro") / "demo"
    shutil.copytree(web_demo, target, ignore=shutil.ignore_patterns(".metricmind"))
    project = Project.load(target)
    yield project
    project.close()


@pytest.fixture(scope="session")
def client(ro_project: Project) -> TestClient:
    """A TestClient over the shared project."""
    return TestClient(create_app(ro_project), base_url="http://localhost")


@pytest.fixture
def rw_project(web_demo: Path, tmp_path: Path) -> Iterator[Project]:
    """A fresh copy of the demo for tests that write YAML or the catalog."""
    target = tmp_path / "demo"
    shutil.copytree(web_demo, target, ignore=shutil.ignore_patterns(".metricmind"))
    project = Project.load(target)
    yield project
    project.close()
