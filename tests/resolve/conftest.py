"""Fixtures: the demo project built once (small), its resolver."""

from __future__ import annotations

from pathlib import Path

import pytest

from metricmind.project import Project
from metricmind.resolve import Resolver

END_DATE = "2026-06-30"


@pytest.fixture(scope="session")
def resolve_demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo built once (scale 300, data through 2026-06-30)."""
    from tests.shared_demo import demo_copy

    return demo_copy(
        tmp_path_factory, tmp_path_factory.mktemp("resolve-demo") / "demo", scale=300, end_date=END_DATE
    )


@pytest.fixture(scope="session")
def resolve_demo(resolve_demo_dir: Path) -> Project:
    """The demo project, loaded."""
    return Project.load(resolve_demo_dir)


@pytest.fixture(scope="session")
def resolver(resolve_demo: Project) -> Resolver:
    """The resolver of the demo (no learned phrases)."""
    return Resolver(resolve_demo.model)


from tests.resolve.sampleprojects import sample_projects  # noqa: E402, F401  (the generated phrase tests' projects)
