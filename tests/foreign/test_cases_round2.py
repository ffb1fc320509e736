"""The second round of foreign definitions (``cases/dev2_<project>.yml``, ``cases/blind2_<project>.yml``): the
files' shape, and the hand SQL of the two projects whose own test files do not check them (bazaar, helpdesk).
The other five projects' test files check their round-2 hand SQL beside round 1. Only ids are reported, so the
blind files stay unread."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from metricmind.project import Project
from tests.foreign.samplesets import failing_months

CASES = Path(__file__).parent / "cases"
PREFIX = {
    "bazaar": "bz",
    "helpdesk": "hd",
    "lending": "ln",
    "lastmile": "lm",
    "harbor": "hh",
    "pixelforge": "pf",
    "studyhall": "sh",
}
REASONS = ("no_data:", "unknown_value:", "contradictory_rules:")
SIX_MONTHS = [dt.date(2024, m, 1) for m in range(1, 7)]


def shape_problems(name: str, split: str) -> list[str]:
    """Ids (or the file) whose shape is off: counts, project, id prefix, writing order, refusal reasons."""
    items = yaml.safe_load((CASES / f"{split}_{name}.yml").read_text())
    want = {"dev2": (5, 1), "blind2": (2, 1)}[split]
    answerable = [i for i in items if i["expect"]["answerable"]]
    problems = (
        [] if (len(answerable), len(items) - len(answerable)) == want else [f"{split}_{name}.yml counts"]
    )
    ids = [i["id"] for i in items]
    if ids != sorted(ids) or len(set(ids)) != len(ids):
        problems.append(f"{split}_{name}.yml order")
    for i in items:
        ok = (
            i["project"] == name and i["id"].startswith(f"f2{PREFIX[name]}-") and isinstance(i["rules"], list)
        )
        if not i["expect"]["answerable"]:
            ok = ok and str(i["expect"]["reason"]).startswith(REASONS)
        if not ok:
            problems.append(i["id"])
    return problems


@pytest.mark.parametrize("name", sorted(PREFIX))
def test_round2_files_are_well_formed(name: str) -> None:
    """Each project has 6 development (5 answerable, 1 refused) and 3 blind (2 and 1) items, ids in order."""
    assert not shape_problems(name, "dev2") + shape_problems(name, "blind2")


@pytest.mark.parametrize("split", ["dev2_bazaar.yml", "blind2_bazaar.yml"])
def test_bazaar_round2_sql_gives_six_months(split: str, bazaar: Project) -> None:
    """Every answerable bazaar round-2 hand SQL gives one non-null value per month of 2024-01..06 (ids only)."""
    assert not failing_months(bazaar, split, SIX_MONTHS)


@pytest.mark.parametrize("split", ["dev2_helpdesk.yml", "blind2_helpdesk.yml"])
def test_helpdesk_round2_sql_gives_six_months(split: str, helpdesk: Project) -> None:
    """Every answerable helpdesk round-2 hand SQL gives one non-null value per month of 2024-01..06 (ids only)."""
    assert not failing_months(helpdesk, split, SIX_MONTHS)
