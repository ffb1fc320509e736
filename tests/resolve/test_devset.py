"""The development set: accuracy per component, and every answer compiles and runs on the demo."""

from __future__ import annotations

import datetime as dt

from metricmind.project import Project
from metricmind.resolve import Resolver
from metricmind.spec.query import MetricQuery
from tests.resolve.devset import COMPONENTS, load, score


def test_devset_is_large_and_varied() -> None:
    _, items = load()
    assert len(items) >= 80
    assert len({i["q"].lower() for i in items}) == len(items), "duplicate questions"
    refusals = [i for i in items if i.get("answerable") is False]
    assert len(refusals) >= 8
    kinds = {k for i in items for k in i if i.get(k)}
    assert {"group_by", "filters", "order_by", "limit", "comparison", "time_range"} <= kinds


def test_accuracy(resolver: Resolver) -> None:
    result = score(resolver)
    print("\n" + result.report())
    assert result.accuracy() == 1.0, result.report()  # issue 14: no regression on the 167
    for c in COMPONENTS:
        assert result.accuracy(c) >= 0.97, result.report()


def test_every_answer_compiles_and_the_first_ones_run(resolver: Resolver, resolve_demo: Project) -> None:
    as_of, items = load()
    ran = 0
    for item in items:
        res = resolver.resolve(item["q"], as_of=as_of)
        if not res.answerable:
            continue
        query = res.metric_query()
        assert isinstance(query, MetricQuery)
        assert query.to_dict() == res.to_dict()["query"]
        sql = resolve_demo.compile(query)
        assert sql.strip(), item["q"]
        comparison = res.metric_query(comparison=True)
        if comparison is not None:
            resolve_demo.compile(comparison)
        if ran < 12:
            result = resolve_demo.run(query)
            assert result.columns[-len(query.metrics) :] == list(query.metrics)
            ran += 1
    assert ran == 12


def test_answers_are_deterministic(resolver: Resolver) -> None:
    day = dt.date(2026, 6, 30)
    question = "top 5 countries by MRR in EMEA last quarter vs the same quarter last year"
    first = resolver.resolve(question, as_of=day).to_dict()
    assert all(resolver.resolve(question, as_of=day).to_dict() == first for _ in range(3))
