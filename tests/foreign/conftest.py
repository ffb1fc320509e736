"""Fixtures of the foreign-project tests: the bazaar (marketplace), helpdesk, lending, lastmile (parcel
delivery), harbor (hotel group), pixelforge (mobile games), studyhall (online learning), covewell (personal-lines
insurance), ridgeline (regional telecom) and mossbank (outpatient clinics) samples, built once.

None has a ``metricmind.yml``: the warehouse comes from each project's own ``profiles.yml``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from metricmind.project import Project
from metricmind.testing.bazaar import copy_bazaar
from metricmind.testing.covewell import copy_covewell
from metricmind.testing.harbor import copy_harbor
from metricmind.testing.helpdesk import copy_helpdesk
from metricmind.testing.lastmile import copy_lastmile
from metricmind.testing.lending import copy_lending
from metricmind.testing.mossbank import copy_mossbank
from metricmind.testing.pixelforge import copy_pixelforge
from metricmind.testing.ridgeline import copy_ridgeline
from metricmind.testing.studyhall import copy_studyhall
from tests.shared_demo import shared_copy


@pytest.fixture(autouse=True)
def _clean_settings(clean_settings: None) -> None:
    """Every test here runs without the machine's dbt and metricmind settings (``clean_settings``)."""


@pytest.fixture(scope="session")
def bazaar_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bazaar project with its warehouse built (shared: read it, never write it)."""
    return shared_copy(tmp_path_factory, "bazaar", copy_bazaar, tmp_path_factory.mktemp("bazaar") / "bazaar")


@pytest.fixture(scope="session")
def helpdesk_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The helpdesk project with its warehouse built (shared: read it, never write it)."""
    return shared_copy(
        tmp_path_factory, "helpdesk", copy_helpdesk, tmp_path_factory.mktemp("helpdesk") / "helpdesk"
    )


@pytest.fixture(scope="session")
def lending_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The lending (consumer loans) project with its warehouse built (shared: read it, never write it)."""
    return shared_copy(
        tmp_path_factory, "lending", copy_lending, tmp_path_factory.mktemp("lending") / "lending"
    )


@pytest.fixture(scope="session")
def lending(lending_dir: Path) -> Iterator[Project]:
    """The lending project, loaded once."""
    with Project.load(lending_dir) as project:
        yield project


@pytest.fixture(scope="session")
def lastmile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The lastmile (parcel delivery) project with its warehouse built (shared: read it, never write it)."""
    return shared_copy(
        tmp_path_factory, "lastmile", copy_lastmile, tmp_path_factory.mktemp("lastmile") / "lastmile"
    )


@pytest.fixture(scope="session")
def lastmile(lastmile_dir: Path) -> Iterator[Project]:
    """The lastmile project, loaded once."""
    with Project.load(lastmile_dir) as project:
        yield project


@pytest.fixture(scope="session")
def harbor_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The harbor (hotel group) project with its warehouse built (shared: read it, never write it)."""
    return shared_copy(tmp_path_factory, "harbor", copy_harbor, tmp_path_factory.mktemp("harbor") / "harbor")


@pytest.fixture(scope="session")
def harbor(harbor_dir: Path) -> Iterator[Project]:
    """The harbor project, loaded once."""
    with Project.load(harbor_dir) as project:
        yield project


@pytest.fixture(scope="session")
def pixelforge_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pixelforge (mobile game studio) project with its warehouse built (shared: read it, never write it)."""
    return shared_copy(
        tmp_path_factory, "pixelforge", copy_pixelforge, tmp_path_factory.mktemp("pixelforge") / "pixelforge"
    )


@pytest.fixture(scope="session")
def pixelforge(pixelforge_dir: Path) -> Iterator[Project]:
    """The pixelforge project, loaded once."""
    with Project.load(pixelforge_dir) as project:
        yield project


@pytest.fixture(scope="session")
def studyhall_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The studyhall (online learning) project with its warehouse built (shared: read it, never write it)."""
    return shared_copy(
        tmp_path_factory, "studyhall", copy_studyhall, tmp_path_factory.mktemp("studyhall") / "studyhall"
    )


@pytest.fixture(scope="session")
def studyhall(studyhall_dir: Path) -> Iterator[Project]:
    """The studyhall project, loaded once."""
    with Project.load(studyhall_dir) as project:
        yield project


@pytest.fixture(scope="session")
def covewell_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The covewell (personal-lines insurer) project with its warehouse built (shared: read it, never write it)."""
    return shared_copy(
        tmp_path_factory, "covewell", copy_covewell, tmp_path_factory.mktemp("covewell") / "covewell"
    )


@pytest.fixture(scope="session")
def covewell(covewell_dir: Path) -> Iterator[Project]:
    """The covewell project, loaded once."""
    with Project.load(covewell_dir) as project:
        yield project


@pytest.fixture(scope="session")
def ridgeline_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ridgeline (regional telecom) project with its warehouse built (shared: read it, never write it)."""
    return shared_copy(
        tmp_path_factory, "ridgeline", copy_ridgeline, tmp_path_factory.mktemp("ridgeline") / "ridgeline"
    )


@pytest.fixture(scope="session")
def ridgeline(ridgeline_dir: Path) -> Iterator[Project]:
    """The ridgeline project, loaded once."""
    with Project.load(ridgeline_dir) as project:
        yield project


@pytest.fixture(scope="session")
def mossbank_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mossbank (outpatient clinics) project with its warehouse built (shared: read it, never write it)."""
    return shared_copy(
        tmp_path_factory, "mossbank", copy_mossbank, tmp_path_factory.mktemp("mossbank") / "mossbank"
    )


@pytest.fixture(scope="session")
def mossbank(mossbank_dir: Path) -> Iterator[Project]:
    """The mossbank project, loaded once."""
    with Project.load(mossbank_dir) as project:
        yield project


@pytest.fixture(scope="session")
def bazaar(bazaar_dir: Path) -> Iterator[Project]:
    """The bazaar project, loaded once."""
    with Project.load(bazaar_dir) as project:
        yield project


@pytest.fixture(scope="session")
def helpdesk(helpdesk_dir: Path) -> Iterator[Project]:
    """The helpdesk project, loaded once."""
    with Project.load(helpdesk_dir) as project:
        yield project


def fresh_copy(src: Path, dst: Path) -> Path:
    """A writable copy of a built project (no metricmind state)."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".metricmind"))
    return dst


def hand(project: Project, sql: str) -> list[tuple[Any, ...]]:
    """Rows of hand-written SQL on the project's warehouse."""
    return [tuple(r) for r in project.warehouse.run(sql).rows]


def close(a: Any, b: Any) -> bool:
    """Two cells are the same answer (numbers within 1e-9 relative)."""
    if a is None or b is None:
        return a is b
    if isinstance(a, (int, float, Decimal)) or isinstance(b, (int, float, Decimal)):
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)), abs(float(b)))
    return bool(a == b)


def same_rows(ours: list[tuple[Any, ...]], want: list[tuple[Any, ...]]) -> bool:
    """Same rows in the same order, cell by cell (see :func:`close`)."""
    return len(ours) == len(want) and all(
        len(r) == len(w) and all(close(x, y) for x, y in zip(r, w, strict=True))
        for r, w in zip(ours, want, strict=True)
    )
