"""Paraphrase probes: 30 fresh questions per foreign project (``questions/probes.yml``), each with its full
expected reading, written in new words for intents each catalog supports (and a few it must refuse).

They check that what the resolver reads from a project (names, labels, descriptions, synonyms, values from
the warehouse, the entity graph) carries to wordings nobody tuned on. The figures are floors below the
measured scores (``docs/foreign.md``), so a regression fails; calibration is held as issue 14 asks:
refusals under 0.5, answers at 0.8 or more right at least 90% of the time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from metricmind.project import Project
from tests.resolve import blindset

PROBES = Path(__file__).parent / "questions" / "probes.yml"
FLOOR = {"bazaar": 0.86, "helpdesk": 0.86, "lending": 0.93}
"""Exact-match floors per project, one question below the measured figures (docs/foreign.md: 90.0, 90.0, 96.7%)."""
CALIBRATED = {"bazaar": 0.9, "helpdesk": 0.9, "lending": 0.9}
"""Floors of the right share among answers at confidence 0.8 or more (issue 14 asks 0.9)."""


def _items(name: str) -> list[dict[str, object]]:
    items = [i for i in blindset.load(PROBES) if i.get("project") == name]
    assert len(items) == 30
    return items


@pytest.mark.parametrize("name", ["bazaar", "helpdesk", "lending"])
def test_probes(name: str, request: pytest.FixtureRequest) -> None:
    project: Project = request.getfixturevalue(name)
    s = blindset.score_items(project.resolver(), _items(name), scored_only=False, as_of="2024-07-03")
    misses = [f"{i} {q!r}" for i, q, _, _ in s.misses]
    assert s.accuracy() >= FLOOR[name], misses
    assert s.refusals_low[0] == s.refusals_low[1], "a refusal carried confidence >= 0.5"
    right, total = s.confident
    assert total and right / total >= CALIBRATED[name], (right, total, misses)
