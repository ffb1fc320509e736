"""The second round of code-blind questions on the seven sample projects (``dev2_*.yml``, ``blind2_*.yml``):
every answerable gold still names real metrics, dimensions and values and runs to an answer (``check_gold``).
Only failing ids are reported, so a blind split stays unread."""

from __future__ import annotations

import pytest

from tests.foreign.samplesets import failing_gold

PROJECTS = ("bazaar", "helpdesk", "lending", "lastmile", "harbor", "pixelforge", "studyhall")
COUNTS = {"dev2": 16, "blind2": 8}


@pytest.mark.parametrize("split", sorted(COUNTS))
@pytest.mark.parametrize("name", PROJECTS)
def test_round2_question_gold_still_runs(name: str, split: str, request: pytest.FixtureRequest) -> None:
    """24 questions per project, 16 to tune on and 8 scored only, each gold still answerable as written."""
    project = request.getfixturevalue(name)
    assert not failing_gold(project, name, f"{split}_{name}.yml", COUNTS[split])
