"""Fixtures: the demo built once (scale 300, data through 2026-06-30)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def analyses_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project built once for the project-mode tests."""
    from tests.shared_demo import demo_copy

    target = tmp_path_factory.mktemp("analyses-demo") / "demo"
    return demo_copy(tmp_path_factory, target, scale=300, end_date="2026-06-30", threads=1)
