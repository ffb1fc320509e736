"""A definition's trailing clauses read both ways (``define/clauses.py``), and a conversion clause of the
definition that is no filter (``implied.converts``): the silent wrongs of the metamorphic bench's ``fold``."""

from __future__ import annotations

from pathlib import Path

import pytest

from metricmind.define import Definition, Proposal, analyze
from metricmind.define.clauses import UNREAD_CLAUSE, conjuncts, promoted, signature
from metricmind.define.confidence import CONFIDENT, DOUBT, is_doubt
from metricmind.project import Project
from metricmind.spec.model import Model

DEMO = Path(__file__).resolve().parents[2] / "metricmind" / "demo" / "project"


@pytest.fixture(scope="module")
def model() -> Model:
    return Project.load(DEMO, strict=False).model


def _filters(p: Proposal) -> list[str]:
    return [r.predicate for r in p.rules if r.predicate]


def test_promoted_splits_semicolons_dashes_and_sentences_not_commas_or_brackets() -> None:
    d = Definition("x", "MRR at month end; annual plans as monthly - EMEA only. Trials out.", ("Rule",))
    assert promoted(d) == Definition(
        "x", "MRR at month end", ("Annual plans as monthly", "EMEA only", "Trials out", "Rule")
    )
    assert promoted(Definition("x", "MRR at month end, excluding trials")) is None
    assert promoted(Definition("x", "Month-end MRR (trials out; see finance)")) is None
    assert promoted(Definition("x", "MRR incl. EMEA customers, e.g. Acme")) is None


def test_conjuncts_ignore_order_and_outer_brackets() -> None:
    a = "({{ Dimension('a') }} = 'x') and (({{ Dimension('b') }} is null or {{ Dimension('b') }} != 'E'))"
    b = "({{ Dimension('b') }} is null or {{ Dimension('b') }} != 'E') and {{ Dimension('a') }} = 'x'"
    assert sorted(conjuncts(a)) == sorted(conjuncts(b))
    assert conjuncts("(a) or (b)") == ["(a) or (b)"]


def test_a_folded_conversion_is_no_filter(model: Model) -> None:
    for text in (
        "Recurring revenue on the books as of the last day of each month - annual plans counted at their "
        "monthly equivalent",
        "Recurring revenue on the books as of the last day of each month, annual plans counted at their "
        "monthly equivalent",
    ):
        p = analyze(Definition("x", text, ("Leave out trials",)), model)
        assert p.metric is not None, p.message
        assert not any("billing_interval" in f for f in _filters(p)), text


def test_monthly_equivalent_of_a_value_still_filters_it(model: Model) -> None:
    p = analyze(
        Definition("x", "Monthly equivalent of annual contracts that are live at the end of the month"), model
    )
    assert any("billing_interval') }} = 'annual'" in f for f in _filters(p))


def test_a_clause_read_otherwise_as_a_rule_gives_the_rule_reading_below_confident(model: Model) -> None:
    text = "Average web events per active web user; only events on the web platform"
    p = analyze(
        Definition("x", text, ("events divided by distinct users who had a web event that month",)), model
    )
    assert p.metric is not None and p.definition.text == text
    numerator = p.metric["type_params"]["numerator"]
    assert "event__platform') }} = 'web'" in numerator.get(
        "filter", ""
    )  # before: the numerator had no filter
    assert p.confidence < CONFIDENT
    assert any("read as rules" in d for d in p.doubts)


def test_a_clause_the_rule_reader_cannot_read_leaves_an_unread_doubt(model: Model) -> None:
    text = (
        "Number of distinct EMEA customers holding at least one paid subscription at month end; "
        "trials don't count as paying"
    )
    p = analyze(Definition("x", text), model)
    assert p.confidence <= UNREAD_CLAUSE < DOUBT
    assert any(is_doubt(r) for r in p.unread)


def test_a_clause_both_readers_agree_on_is_left_alone(model: Model) -> None:
    text = "Distinct paying customers in EMEA at the end of each month. EMEA only"
    p = analyze(Definition("x", text, ("Exclude trial subscriptions",)), model)
    q = analyze(
        Definition(
            "x",
            "Distinct paying customers in EMEA at the end of each month",
            ("Exclude trial subscriptions",),
        ),
        model,
    )
    assert signature(p) == signature(q)
    assert not any("read as rules" in d for d in p.doubts)
