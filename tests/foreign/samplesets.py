"""Checks every sample project's question and definition splits share: the gold still runs, the hand SQL
still gives one non-null value per month. Only failing ids are returned, so a blind split stays unread."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from metricmind.project import Project
from tests.foreign.conftest import hand
from tests.foreign.questions.check_gold import check

SETS = Path(__file__).parent


def day(value: Any) -> Any:
    """A period start as a date (DuckDB gives a month of a DATE column as a date, of a TIMESTAMP as a datetime)."""
    return value.date() if isinstance(value, dt.datetime) else value


def day_rows(rows: Any) -> list[tuple[Any, ...]]:
    """Rows with every timestamp read as its date."""
    return [tuple(day(v) for v in r) for r in rows]


def failing_gold(project: Project, name: str, split: str, count: int) -> list[str]:
    """Ids of ``questions/<split>`` whose answerable gold no longer names real metrics, dimensions and values
    or no longer runs to an answer (``check_gold``); the split must hold ``count`` items of project ``name``."""
    items = yaml.safe_load((SETS / "questions" / split).read_text())
    assert len(items) == count, (split, len(items))
    assert all(i["project"] == name for i in items)
    return [i["id"] for i in items if i["expect"].get("answerable", True) and check(project, i) is not None]


def failing_months(
    project: Project, split: str, months: list[dt.date], count: int | None = None
) -> list[str]:
    """Ids of ``cases/<split>`` whose answerable hand SQL does not give one non-null value per month."""
    items = yaml.safe_load((SETS / "cases" / split).read_text())
    assert count is None or len(items) == count, (split, len(items))
    failing = []
    for item in items:
        if item["expect"]["answerable"]:
            rows = hand(project, item["expect"]["sql"])
            if [day(r[0]) for r in rows] != months or any(r[1] is None for r in rows):
                failing.append(item["id"])
    return failing
