"""Helpers shared by ``test_resolve_generalize14.py`` and ``test_resolve_generalize14b.py``."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from metricmind.project import Project

STUDYHALL_AS_OF = dt.date(2026, 1, 6)
PIXELFORGE_AS_OF = dt.date(2026, 1, 8)
LASTMILE_AS_OF = dt.date(2025, 10, 1)
BAZAAR_AS_OF = dt.date(2024, 6, 20)


def _rows(project: Project, res: object) -> list[tuple[object, ...]]:
    assert res.answerable, res.reason  # type: ignore[attr-defined]
    query = res.metric_query()  # type: ignore[attr-defined]
    assert query is not None
    rows = [tuple(r) for r in project.run(query).rows]
    assert rows, "the reading returns no rows on the warehouse"
    return rows


def _same_as(project: Project, question: str, plain: str, as_of: dt.date) -> None:
    """``question`` reads as ``plain`` does (the metric said by its name) and returns its rows."""
    resolver = project.resolver()
    res, want = resolver.resolve(question, as_of=as_of), resolver.resolve(plain, as_of=as_of)
    assert res.answerable, res.reason
    assert (res.metrics, res.group_by, res.filters, res.time_range) == (
        want.metrics,
        want.group_by,
        want.filters,
        want.time_range,
    ), res.notes
    assert _rows(project, res) == _rows(project, want)


def _threshold_counts(project: Project, question: str, as_of: dt.date, metric: str, per: str) -> None:
    """``question`` counts the ``per`` whose ``metric`` passes a threshold: some, fewer than with none."""
    res = project.resolver().resolve(question, as_of=as_of)
    assert res.answerable, res.reason
    thresholds = [f for f in res.filters if f.metric is not None]
    assert [(f.metric, f.field, f.op) for f in thresholds] == [(metric, per, ">")], res.filters
    assert len(res.metrics) == 1
    some = float(_rows(project, res)[0][0])
    query = res.metric_query()
    assert query is not None
    everyone = float(project.run(replace(query, where=())).rows[0][0])
    assert 0 < some < everyone, (some, everyone)
