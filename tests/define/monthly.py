"""A proposal's rows and hand SQL's rows by month of 2024, compared: the check the Define tests share."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from metricmind.define import Definition, analyze
from metricmind.define.extend import proposal_sql, warehouse_columns
from metricmind.define.proposal import Proposal
from metricmind.project import Project

SPINE = """
    with months as (
      select cast(m as date) as month
      from generate_series(date '2024-01-01', date '2024-12-01', interval 1 month) t(m)
    )
"""
"""The months of 2024, for hand SQL to join to (a month without rows still has one)."""


@pytest.fixture(scope="module")
def demo(define_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """A file's own copy of the demo build (imported by the files that use it): its state folder (the
    warehouse's values, stores) is that file's alone.
    """
    target = tmp_path_factory.mktemp("demo") / "demo"
    shutil.copytree(define_demo, target, ignore=shutil.ignore_patterns(".metricmind"))
    with Project.load(target) as project:
        yield project


def propose(project: Project, name: str, text: str, *rules: str) -> Proposal:
    """``analyze`` with the warehouse's columns, asserting that a metric is proposed."""
    p = analyze(Definition(name, text, rules), project.model, columns=warehouse_columns(project.warehouse))
    assert p.refused is None and p.metric is not None, p.message
    return p


def proposal_months(project: Project, proposal: Proposal) -> dict[str, float]:
    """The proposal's metric by month of 2024 (``YYYY-MM`` → value, a null as 0)."""
    sql = proposal_sql(project.model, proposal, start="2024-01-01", end="2024-12-31")
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


def hand_months(project: Project, sql: str) -> dict[str, float]:
    """Hand SQL (after ``SPINE``, columns month and value) by month."""
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(SPINE + sql).rows}


def assert_same_months(
    got: dict[str, float], want: dict[str, float], *, absolute: float = 0.01, relative: float = 0.0
) -> None:
    """Every wanted month within ``absolute``, or ``relative`` of its size when that is larger."""
    for month, value in want.items():
        bound = max(absolute, relative * max(1.0, abs(value)))
        assert abs(got.get(month, 0.0) - value) < bound, (month, got.get(month), value)


def assert_same_as_hand(
    project: Project, proposal: Proposal, hand: str, *, absolute: float = 0.01, relative: float = 0.0
) -> None:
    """The proposal's twelve months equal the hand SQL's."""
    want = hand_months(project, hand)
    assert len(want) == 12
    assert_same_months(proposal_months(project, proposal), want, absolute=absolute, relative=relative)
