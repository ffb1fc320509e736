"""The third round of foreign definitions (``cases/dev3_<project>.yml``, ``cases/blind3_<project>.yml``): the
files' shape and every answerable hand SQL (one non-null value per month of the project's range). Only ids are
reported, so the blind files stay unread."""

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
    "studyhall": "sh",
}
REASONS = ("no_data:", "unknown_value:", "contradictory_rules:")
SIX_MONTHS = [dt.date(2024, m, 1) for m in range(1, 7)]
FISCAL = [dt.date(2024, m, 1) for m in (10, 11, 12)] + [dt.date(2025, m, 1) for m in range(1, 10)]
YEAR_2025 = [dt.date(2025, m, 1) for m in range(1, 13)]
MONTHS = {
    "bazaar": SIX_MONTHS,
    "helpdesk": SIX_MONTHS,
    "lending": SIX_MONTHS,
    "lastmile": FISCAL,
    "harbor": YEAR_2025,
    "studyhall": YEAR_2025,
}


def items(split: str, name: str) -> list[dict[str, object]]:
    """The items of one round-3 file."""
    return list(yaml.safe_load((CASES / f"{split}_{name}.yml").read_text()))


def shape_problems(name: str, split: str) -> list[str]:
    """Ids (or the file) whose shape is off: project, id prefix, writing order, refusal reasons."""
    found = items(split, name)
    ids = [str(i["id"]) for i in found]
    problems = [] if ids == sorted(ids) and len(set(ids)) == len(ids) else [f"{split}_{name}.yml order"]
    for i in found:
        expect = i["expect"]
        assert isinstance(expect, dict)
        ok = (
            i["project"] == name
            and str(i["id"]).startswith(f"f3{PREFIX[name]}-")
            and isinstance(i["rules"], list)
        )
        if not expect["answerable"]:
            ok = ok and str(expect["reason"]).startswith(REASONS)
        if not ok:
            problems.append(str(i["id"]))
    return problems


def test_round3_counts() -> None:
    """30 items, 5 per project; 20 development (14 answerable, 6 refused) and 10 blind (7 and 3)."""
    for split, want in (("dev3", (14, 6)), ("blind3", (7, 3))):
        found = [i for name in PREFIX for i in items(split, name)]
        answerable = sum(1 for i in found if i["expect"]["answerable"])  # type: ignore[index]
        assert (answerable, len(found) - answerable) == want, split
    assert all(len(items("dev3", n)) + len(items("blind3", n)) == 5 for n in PREFIX)


@pytest.mark.parametrize("name", sorted(PREFIX))
def test_round3_files_are_well_formed(name: str) -> None:
    """Every item names its project, has an ``f3<prefix>-`` id in order and a prefixed refusal reason."""
    assert not shape_problems(name, "dev3") + shape_problems(name, "blind3")


@pytest.mark.parametrize("name", sorted(PREFIX))
def test_round3_sql_gives_every_month(name: str, request: pytest.FixtureRequest) -> None:
    """Every answerable round-3 hand SQL gives one non-null value per month of the project's range (ids only)."""
    project: Project = request.getfixturevalue(name)
    failing = [
        f
        for split in ("dev3", "blind3")
        for f in failing_months(project, f"{split}_{name}.yml", MONTHS[name])
    ]
    assert not failing
