"""The third round of code-blind questions on the nine sample projects (``dev3_*.yml``, ``blind3_*.yml``):
every answerable gold still names real metrics, dimensions and values and runs to an answer (``check_gold``).
Only failing ids are reported, so a blind split stays unread."""

from __future__ import annotations

import pytest

from tests.foreign.samplesets import failing_gold

PROJECTS = (
    "bazaar",
    "helpdesk",
    "lending",
    "lastmile",
    "harbor",
    "pixelforge",
    "studyhall",
    "covewell",
    "ridgeline",
)
COUNTS = {"dev3": 8, "blind3": 4}


@pytest.mark.parametrize("split", sorted(COUNTS))
@pytest.mark.parametrize("name", PROJECTS)
def test_round3_question_gold_still_runs(name: str, split: str, request: pytest.FixtureRequest) -> None:
    """12 questions per project, 8 to tune on and 4 scored only, each gold still answerable as written."""
    project = request.getfixturevalue(name)
    assert not failing_gold(project, name, f"{split}_{name}.yml", COUNTS[split])
