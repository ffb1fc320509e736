"""A demo built once for the definition agent's tests (scale 1000, data through 2025-06-18: the cases')."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from metricmind.project import Project
from tests.shared_demo import demo_copy


@pytest.fixture(scope="session")
def define_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project the evaluation cases were written against."""
    target = tmp_path_factory.mktemp("define") / "demo"
    return demo_copy(tmp_path_factory, target, scale=1000, end_date="2025-06-18")


@pytest.fixture(scope="session")
def demo(define_demo: Path) -> Iterator[Project]:
    """The demo, opened read-only."""
    with Project.load(define_demo) as project:
        yield project
