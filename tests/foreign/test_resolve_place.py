"""A place or group said after "in" that no value of the catalog is ("mrr in bavaria", typed lowercase) is
asked back, never dropped for an unfiltered total; a unit or a frame after "in" ("in total", "in dollars") is
not a place (``leftoverkinds.qualifying_unknown``).
"""

from __future__ import annotations

import datetime as dt

import pytest

from metricmind.project import Project

AS_OF = dt.date(2026, 1, 7)


@pytest.mark.parametrize(
    ("fixture", "question", "word"),
    [
        ("covewell", "gross written premium in atlantis last year", "atlantis"),
        ("covewell", "claims paid in narnia in 2025", "narnia"),
        ("lastmile", "parcels delivered in narnia last month", "narnia"),
        ("lastmile", "how many parcels did we deliver in gotham", "gotham"),
    ],
)
def test_unknown_place_after_in_is_asked_back(
    fixture: str, question: str, word: str, request: pytest.FixtureRequest
) -> None:
    project: Project = request.getfixturevalue(fixture)
    res = project.resolver().resolve(question, as_of=AS_OF)
    assert not res.answerable, res
    assert word in (res.reason or "")
    assert res.confidence < 0.5


@pytest.mark.parametrize(
    ("fixture", "question", "metric"),
    [
        ("covewell", "gross written premium in total last year", "gross_written_premium"),
        ("covewell", "claims paid in dollars in 2025", "paid_losses"),
        ("lastmile", "parcels delivered in total last month", "delivered_parcels"),
    ],
)
def test_a_unit_or_frame_after_in_is_no_place(
    fixture: str, question: str, metric: str, request: pytest.FixtureRequest
) -> None:
    project: Project = request.getfixturevalue(fixture)
    res = project.resolver().resolve(question, as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == [metric]
    assert res.filters == []


def test_a_known_place_after_in_still_filters(covewell: Project) -> None:
    res = covewell.resolver().resolve("claims paid in texas in 2025", as_of=AS_OF)
    assert res.answerable, res.reason
    assert [(f.field, f.values) for f in res.filters] == [("policy_term__state", ("TX",))]
