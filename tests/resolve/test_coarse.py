"""A period shorter than the data's grain ("MRR right now" on a monthly snapshot) answers the latest value."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from metricmind.compiler.periods import floor
from metricmind.project import Project
from metricmind.resolve.coarse import COMPARED_CAP
from metricmind.spec.model import Grain

DAY = dt.date(2026, 6, 17)  # a Wednesday inside the built demo's data (through 2026-06-30)


@pytest.fixture(scope="module")
def project(demo_built: Path) -> Project:
    return Project.load(demo_built)


def _run(project: Project, question: str, *, comparison: bool = False) -> list[tuple[object, ...]]:
    res = project.resolver().resolve(question, as_of=DAY)
    query = res.metric_query(comparison=comparison)
    assert query is not None, res.reason
    return project.run(query).rows


@pytest.mark.parametrize(
    ("day", "grain", "start"),
    [
        (dt.date(2025, 6, 18), Grain.WEEK, dt.date(2025, 6, 16)),
        (dt.date(2025, 6, 18), Grain.MONTH, dt.date(2025, 6, 1)),
        (dt.date(2025, 6, 18), Grain.QUARTER, dt.date(2025, 4, 1)),
        (dt.date(2025, 6, 18), Grain.YEAR, dt.date(2025, 1, 1)),
    ],
)
def test_the_period_start_it_widens_to(day: dt.date, grain: Grain, start: dt.date) -> None:
    assert floor(day, grain) == start


@pytest.mark.parametrize("question", ["mrr rn", "what's our MRR right now", "active customers today"])
def test_a_day_of_a_monthly_snapshot_is_the_month_so_far(project: Project, question: str) -> None:
    res = project.resolver().resolve(question, as_of=DAY)
    assert res.answerable and res.time_range == (dt.date(2026, 6, 1), dt.date(2026, 6, 18))
    assert any("kept by month" in n for n in res.notes)
    rows = _run(project, question)
    assert rows and all(v is not None for v in rows[0])
    month = project.resolver().resolve(
        question.replace("right now", "").replace("rn", "").replace("today", "") + " this month", as_of=DAY
    )
    assert _run(project, month.question) == rows  # the same figure as "this month" (so far)


def test_a_week_of_a_monthly_snapshot_and_a_day_of_a_daily_metric(project: Project) -> None:
    week = project.resolver().resolve("active custs this wk", as_of=DAY)
    assert week.time_range == (dt.date(2026, 6, 1), dt.date(2026, 6, 18))
    daily = project.resolver().resolve("refunds today", as_of=DAY)  # invoices have days: left as said
    assert daily.time_range == (DAY, DAY + dt.timedelta(days=1))
    assert not any("kept by" in n for n in daily.notes)
    whole = project.resolver().resolve("mrr last month", as_of=DAY)  # holds a month start: left alone
    assert whole.time_range == (dt.date(2026, 5, 1), dt.date(2026, 6, 1))


def test_a_comparison_below_the_grain_compares_months_so_far_and_is_unsure(project: Project) -> None:
    res = project.resolver().resolve("mrr today vs yesterday", as_of=DAY)
    assert res.answerable and res.confidence <= COMPARED_CAP
    assert res.time_range == (dt.date(2026, 6, 1), dt.date(2026, 6, 18))
    assert res.comparison_dates() == (dt.date(2026, 5, 1), dt.date(2026, 5, 18))
    assert _run(project, res.question) and _run(project, res.question, comparison=True)
