"""Reading a question on a foreign project and running the reading: shared by the first-contact resolver tests."""

from __future__ import annotations

import datetime as dt

from metricmind.project import Project
from metricmind.resolve.resolution import Resolution


def read(project: Project, question: str, as_of: dt.date) -> Resolution:
    """The project's reading of ``question`` on ``as_of``, which must be an answer."""
    res = project.resolver().resolve(question, as_of=as_of)
    assert res.answerable, res.reason
    return res


def rows(project: Project, res: Resolution, *, comparison: bool = False) -> list[tuple[object, ...]]:
    """The rows the reading's query returns on the project's warehouse (never none)."""
    query = res.metric_query(comparison=comparison)
    assert query is not None
    got = [tuple(r) for r in project.run(query).rows]
    assert got, "the reading returns no rows on the warehouse"
    return got
