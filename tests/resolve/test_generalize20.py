"""Classes of ``ask``'s misses on the demo's weakest dev splits and the foreign dev2 splits (issue 14) that a rule
read from the catalog fixes, tried on the demo in words of our own, with rows run on its warehouse where numbers
are involved (the foreign side is ``tests/foreign/test_resolve_generalize20.py``):

- a British spelling of a catalog word ("annualised", "cheque") is the same word, read as the catalog writes it
  at no cost in confidence (``regional``), never an unknown word dropped or a typo paid for;
- metrics listed after "for" ("asked for invoices and MRR by month") are all asked: the first, an entity's noun,
  is no entity qualifying the next, and a phrase holding the first's words never swallows it;
- an entity noun said as an owner ("our clients' invoices") says whose the rows are, never a second metric;
- words in brackets right after a metric said by its own name spell it out ("cac (spend over new customers)"):
  never evidence for renaming it to another metric whose description holds them too;
- a remark in brackets closing the question ("excluding enterprise (different pricing)") says why, not what: the
  request alone is read when it reads better, never a filter made of the remark's words ("pricing" → price);
- a period said before the asker ("in may 2026, my manager is asking how many signups we had") is the request's
  period: the request read without that lead-in never drops it (it did, at confidence 1.0).
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


@pytest.mark.parametrize(
    "question",
    [
        "for invoices and mrr by month in q1 2026",
        "the cfo asked for invoices and mrr by month in q1 2026",
    ],
)
def test_metrics_listed_after_for_are_all_asked(
    resolve_demo: Project, resolver: Resolver, question: str
) -> None:
    res = resolver.resolve(question, as_of=AS_OF)
    assert res.answerable and res.metrics == ["invoice_count", "mrr"], res.reason
    assert res.group_by == [("metric_time", "month")] and res.filters == []
    rows = _rows(resolve_demo, resolver, question)
    assert rows == _rows(resolve_demo, resolver, "invoices and mrr by month in q1 2026") and len(rows) == 3


def test_an_entity_before_for_still_qualifies_a_metric_before_it(resolver: Resolver) -> None:
    res = resolver.resolve("refunds for customers and mrr by month", as_of=AS_OF)
    assert res.metrics == ["refunds", "mrr"]  # "customers" qualifies refunds; no count of customers


@pytest.mark.parametrize("owner", ["our clients'", "the customers'", "our accounts'"])
def test_an_owner_said_with_an_apostrophe_is_no_metric(
    resolve_demo: Project, resolver: Resolver, owner: str
) -> None:
    said = f"{owner} invoices in may 2026"
    res = resolver.resolve(said, as_of=AS_OF)
    assert res.answerable and res.metrics == ["invoice_count"], res.reason
    assert res.filters == [] and res.group_by == [] and res.confidence >= 0.8
    rows = _rows(resolve_demo, resolver, said)
    assert rows == _rows(resolve_demo, resolver, "invoices in may 2026") and float(rows[0][-1] or 0) > 0


@pytest.mark.parametrize(
    ("said", "plain", "metric"),
    [
        ("cac (spend over new customers) by channel in 2025", "cac by channel in 2025", "cac"),
        (
            "arpa (mrr per paying customer) by region at the end of may 2026",
            "arpa by region at the end of may 2026",
            "arpa",
        ),
    ],
)
def test_brackets_after_a_named_metric_spell_it_out(
    resolve_demo: Project, resolver: Resolver, said: str, plain: str, metric: str
) -> None:
    res = resolver.resolve(said, as_of=AS_OF)
    assert res.answerable and res.metrics == [metric], res.reason
    assert res.filters == [] and res.confidence >= 0.8
    assert _rows(resolve_demo, resolver, said) == _rows(resolve_demo, resolver, plain)


def test_a_closing_remark_in_brackets_is_no_filter(resolve_demo: Project, resolver: Resolver) -> None:
    said = "mrr by plan excluding enterprise at the end of may 2026 (different pricing)"
    res = resolver.resolve(said, as_of=AS_OF)
    assert res.answerable and res.metrics == ["mrr"], res.reason
    assert [(f.field, f.op, f.values) for f in res.filters] == [("customer__segment", "!=", ("Enterprise",))]
    assert res.group_by == [("subscription__plan_tier", None)] and res.confidence >= 0.8
    plain = "mrr by plan excluding enterprise at the end of may 2026"
    assert _rows(resolve_demo, resolver, said) == _rows(resolve_demo, resolver, plain)
    kept = resolver.resolve("mrr by region at the end of may 2026 (emea only)", as_of=AS_OF)
    assert [(f.field, f.values) for f in kept.filters] == [("customer__region", ("EMEA",))]  # a filter said


@pytest.mark.parametrize(
    ("said", "plain", "metric"),
    [
        ("in may 2026, my manager is asking how many signups we had", "signups in may 2026", "signups"),
        ("last month, our cfo is asking how much we refunded", "refunds in may 2026", "refunds"),
    ],
)
def test_a_period_before_the_asker_is_kept(
    resolve_demo: Project, resolver: Resolver, said: str, plain: str, metric: str
) -> None:
    res = resolver.resolve(said, as_of=AS_OF)
    assert res.answerable and res.metrics == [metric], res.reason
    assert res.time_range == (dt.date(2026, 5, 1), dt.date(2026, 6, 1))
    assert _rows(resolve_demo, resolver, said) == _rows(resolve_demo, resolver, plain)
