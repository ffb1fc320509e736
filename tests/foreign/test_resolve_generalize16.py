"""A class of miss of ``ask`` on the demo's dev7 (issue 14), tried on a foreign project in words of our own and run
on its warehouse: what it cost to get one of a count ("what did it cost us to drive one km") is the catalog's
one ratio of an amount (``unit: EUR``) over that count, as "fuel cost per km" is (``costofone``).
"""

from __future__ import annotations

import datetime as dt

from metricmind.project import Project

LASTMILE_AS_OF = dt.date(2025, 10, 1)


def _rows(project: Project, question: str) -> list[tuple[object, ...]]:
    res = project.resolver().resolve(question, as_of=LASTMILE_AS_OF)
    assert res.answerable, res.reason
    query = res.metric_query()
    assert query is not None
    rows = [tuple(r) for r in project.run(query).rows]
    assert rows, "the reading returns no rows on the warehouse"
    return rows


def test_cost_to_drive_one_km_is_the_cost_per_km(lastmile: Project) -> None:
    res = lastmile.resolver().resolve("what did it cost us to drive one km last month", as_of=LASTMILE_AS_OF)
    assert res.metrics == ["fuel_cost_per_km"] and res.group_by == [] and res.filters == []
    said = _rows(lastmile, "what did it cost us to drive one km last month")
    assert said == _rows(lastmile, "fuel cost per km last month") and float(said[0][-1] or 0) > 0
    driven = lastmile.resolver().resolve("km driven last month", as_of=LASTMILE_AS_OF)
    assert driven.metrics == ["km_driven"]  # no cost said: the count
