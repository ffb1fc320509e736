"""Monthly rows of a Define proposal against a hand-written SQL, shared by the foreign Define tests."""

from __future__ import annotations

from metricmind.define import Proposal
from metricmind.define.extend import proposal_sql
from metricmind.project import Project


def monthly(project: Project, p: Proposal, start: str, end: str) -> dict[str, float]:
    """The proposal's metric by month from ``start`` to ``end``, on the project's warehouse."""
    assert p.metric is not None, p.message
    sql = proposal_sql(project.define_model(), p, start=start, end=end)
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


def hand(project: Project, sql: str, start: str, end: str) -> dict[str, float]:
    """The hand SQL's months from ``start`` to ``end`` (the window the proposal is run on)."""
    rows = project.warehouse.run(sql).rows
    return {m: float(r[1] or 0) for r in rows if start[:7] <= (m := str(r[0])[:7]) <= end[:7]}


def same(got: dict[str, float], want: dict[str, float]) -> bool:
    """Equal on every month the hand SQL has, and zero on any other month the proposal has."""
    return all(abs(got.get(m, 0.0) - v) < 1e-6 for m, v in want.items()) and all(
        abs(v) < 1e-9 for m, v in got.items() if m not in want
    )
