"""Categorical values left out in every way people say it, generated from every project's catalog and
warehouse values (``flagphrases.exclusion_cases``): "excluding X", "other than X", "except X", "leaving out X",
"for everyone but X", "minus X", "ex-X", "w/o X", "apart from X", ", bar X", "not counting X" and SQL's
"where col != 'X'", on up to two values of every categorical dimension a metric reaches whose value, said
plainly ("<metric> for X"), is read as that value; and each such value named loosely (a country code by its
name, in the plural, hyphenated, in title case, with its entity's noun: ``flagphrases.loose_forms``), kept and
left out.

A reading the catalog leaves open is listed in ``KNOWN`` with why; every other case must read as its metric and
the one exclusion. The rows are checked on two projects: the value's rows and the rest add up to the whole.
"""

from __future__ import annotations

import pytest

from metricmind.project import Project
from metricmind.resolve import Resolver
from metricmind.spec.model import Agg
from tests.resolve.flagphrases import AS_OF, Case, exclusion_cases, passed
from tests.resolve.sampleprojects import PROJECTS, SampleProjects

KNOWN: frozenset[tuple[str, str, str]] = frozenset(
    {
        # SQL's "where col != 'value'" whose value is also a metric's name ("returned_to_sender",
        # "cancelled": the cancellations): the metric is read beside the one asked
        ("lastmile", "sql-not-equal", "parcel__parcel_status"),
        ("harbor", "sql-not-equal", "reservation__reservation_status"),
        # "open tickets" is what the backlog metric counts (its measure's own words): read as that metric
        ("helpdesk", "with-noun/for", "ticket__ticket_status"),
    }
)
"""(project, template, dimension) read otherwise today, each for the reason given beside it."""


@pytest.mark.parametrize("name", [p for p in PROJECTS if p != "demo"])
def test_every_value_left_out_in_every_template(sample_projects: SampleProjects, name: str) -> None:
    resolver, values = sample_projects.reader(name)
    cases = exclusion_cases(name, resolver, values)
    assert cases, "no categorical value to leave out"
    misses = []
    for case in cases:
        ok, got = passed(resolver, case)
        if not ok and (name, case.template, case.want.field) not in KNOWN:
            misses.append(f"{case.template} {case.question!r}: want {case.want} got {got}")
    assert not misses, "\n".join(misses)


def _total(project: Project, resolver: Resolver, question: str) -> float:
    res = resolver.resolve(question, as_of=AS_OF)
    query = res.metric_query()
    assert res.answerable and query is not None, res.reason
    rows = [tuple(r) for r in project.run(query).rows]
    assert len(rows) == 1, rows
    return float(rows[0][-1] or 0)


@pytest.mark.parametrize("name", ["helpdesk", "studyhall"])
def test_the_value_and_the_rest_add_up_to_the_whole(sample_projects: SampleProjects, name: str) -> None:
    """On the warehouse: "<metric> for X" and "<metric> excluding X" partition the metric's rows, for every
    dimension of the metric's own rows whose metric is a plain count or sum (and no value is missing).
    """
    project = sample_projects[name]
    resolver, values = sample_projects.reader(name)
    model = resolver.model
    checked = 0
    seen: set[str] = set()
    cases: list[Case] = [c for c in exclusion_cases(name, resolver, values) if c.template == "excluding"]
    for case in cases:
        dim = case.want.field
        metric = model.metrics[case.metric]
        measure = model.measures.get(metric.measure.name) if metric.measure else None
        if measure is None or measure.agg not in (Agg.SUM, Agg.COUNT) or dim in seen:
            continue
        if model.semantic_models[measure.semantic_model].primary != dim.split("__")[0]:
            continue
        seen.add(dim)
        value = case.want.values[0].replace("_", " ").lower()
        kept = _total(project, resolver, f"{case.said} for {value}")
        rest = _total(project, resolver, case.question)
        whole = _total(project, resolver, case.said)
        assert kept > 0 and rest > 0, (dim, kept, rest, whole)
        if kept + rest != pytest.approx(whole):  # (rows of no value at all are on neither side)
            assert kept + rest < whole, (dim, kept, rest, whole)
            continue
        checked += 1
    assert checked >= 1
