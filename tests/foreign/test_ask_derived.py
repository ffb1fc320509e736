"""What ``ask`` reads from a foreign project's own catalog instead of the demo's words (issue 14, seventh round):
each case failed before its mechanism (a demo word list, or a rule keyed by the demo's names) was replaced by
one derived from the loaded project.
"""

from __future__ import annotations

import datetime as dt

from metricmind.project import Project
from metricmind.resolve.entities import project_entities

AS_OF = dt.date(2024, 7, 3)
Q1 = (dt.date(2024, 1, 1), dt.date(2024, 4, 1))
Q2 = (dt.date(2024, 4, 1), dt.date(2024, 7, 1))


def _filters(res: object) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(f.field, f.op, f.values) for f in res.filters]  # type: ignore[attr-defined]


def test_an_identifier_said_in_another_order_is_that_metric(lending: Project) -> None:
    # "funded" alone is a word of five metrics; with "loans" (or "borrowers") beside it, every word of one
    # identifier is said, so it is that metric, not a reading to ask back about
    r = lending.resolver()
    for question, metric in (
        ("funded loans in q2", "loans_funded"),
        ("how many loans were funded in q2", "loans_funded"),
        ("how many borrowers got funded in q2", "funded_borrowers"),
    ):
        res = r.resolve(question, as_of=AS_OF)
        assert res.answerable, (question, res.reason)
        assert res.metrics == [metric]
        assert res.confidence >= 0.8
        assert res.time_range == Q2
    res = r.resolve("funded in q2", as_of=AS_OF)
    assert not res.answerable and res.confidence < 0.5  # one word of five metrics: still asked back


def test_a_dimension_before_mix_or_breakdown_is_grouped_by(lending: Project) -> None:
    r = lending.resolver()
    res = r.resolve("product mix of funded loans last qtr", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == ["loans_funded"]
    assert res.group_by == [("loan__loan_product", None)]
    res = r.resolve("state breakdown of new borrowers", as_of=AS_OF)
    assert res.group_by == [("borrower__home_state", None)]


def test_the_party_is_the_root_of_the_entity_graph(lending: Project, bazaar: Project) -> None:
    # a lender calls its customers borrowers, no name of the generic list: the entity graph says who the
    # party is (loans and applications are a borrower's; a borrower is no one's)
    assert project_entities(lending.model, {}).party == "borrower"
    assert project_entities(bazaar.model, {}).party == "buyer"  # by its name, as before
    res = lending.resolver().resolve("how many customers signed up in q1", as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == ["new_borrowers"]


def test_people_are_the_party_in_a_catalog_without_users(lending: Project) -> None:
    res = lending.resolver().resolve(
        "How many people signed up in the first quarter who passed KYC?", as_of=AS_OF
    )
    assert res.answerable, res.reason
    assert res.metrics == ["new_borrowers"]
    assert _filters(res) == [("borrower__is_kyc_verified", "=", ("true",))]
    assert res.time_range == Q1
