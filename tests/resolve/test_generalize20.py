"""Classes of ``ask``'s misses on the demo's weakest dev splits and the foreign dev2 splits (issue 14) that a rule
read from the catalog fixes, tried on the demo in words of our own, with rows run on its warehouse where numbers
are involved (the foreign side is ``tests/foreign/test_resolve_generalize20.py``):

- a British spelling of a catalog word ("annualised", "cheque") is the same word, read as the catalog writes it
  at no cost in confidence (``regional``), never an unknown word dropped or a typo paid for.
"""

from __future__ import annotations

import datetime as dt

import pytest

from metricmind.project import Project
from metricmind.resolve import Resolver
from metricmind.resolve.regional import american

AS_OF = dt.date(2026, 6, 18)


def _rows(project: Project, resolver: Resolver, question: str) -> list[tuple[object, ...]]:
    res = resolver.resolve(question, as_of=AS_OF)
    assert res.answerable, res.reason
    query = res.metric_query()
    assert query is not None
    rows = [tuple(r) for r in project.run(query).rows]
    assert rows
    return rows


def test_british_spelling_of_a_metric_synonym_reads_as_it(resolve_demo: Project, resolver: Resolver) -> None:
    said = "annualised recurring revenue by region at the end of may 2026"
    res = resolver.resolve(said, as_of=AS_OF)
    assert res.answerable and res.metrics == ["arr"], res.reason
    assert res.group_by == [("customer__region", None)] and res.filters == []
    assert res.confidence >= 0.8 and not any("annualised" in n for n in res.notes)
    american_rows = _rows(resolve_demo, resolver, said.replace("annualised", "annualized"))
    assert _rows(resolve_demo, resolver, said) == american_rows and len(american_rows) > 1


@pytest.mark.parametrize(
    ("british", "known", "want"),
    [
        ("cheques", {"checks"}, "checks"),
        ("utilisation", {"utilization"}, "utilization"),
        ("colour", {"color"}, "color"),
        ("centre", {"center"}, "center"),
        ("programme", {"program"}, "program"),
        ("cancelled", {"canceled"}, "canceled"),
        ("catalogue", {"catalog"}, "catalog"),
        ("hour", {"hor"}, None),  # a short word keeps its spelling
        ("four", {"for"}, None),
        ("colour", set(), None),  # no catalog word of the American spelling: nothing read
    ],
)
def test_american_spelling_only_of_a_catalog_word(british: str, known: set[str], want: str | None) -> None:
    assert american(british, known.__contains__) == want
