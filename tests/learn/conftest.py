"""Fixtures for the memory wiring: a fresh copy of the built demo per test (the memory writes)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

AS_OF = "2026-06-30"


@pytest.fixture
def demo_copy(demo_built: Path, tmp_path: Path) -> Path:
    """A fresh copy of the demo (scale 300, data through 2026-06-30) without any state."""
    target = tmp_path / "demo"
    shutil.copytree(demo_built, target, ignore=shutil.ignore_patterns(".metricmind"))
    return target
