"""The development cases (``bench/define.py`` DEV_FILES under tests/define/cases/): executed against their
hand SQL.

Nothing may be silently wrong; the share of equal answers may not fall below the measured floor; a
confident proposal (confidence >= 0.8) is right at least 90% of the time.
"""

from __future__ import annotations

import pytest

from metricmind.project import Project
from tests.benchload import load_bench

#: The third development file, floored on its own (the combined floors below are for ``TESTED_FILES``).
THIRD = "definitions3.yml"
#: The fourth development file (written code-blind by another engineer), floored on its own.
FOURTH = "definitions4.yml"


@pytest.fixture(scope="module")
def outcomes(demo: Project) -> list[object]:
    b = load_bench("define")
    return [b.run_case(demo, case) for f in b.TESTED_FILES for case in b.load_cases(f)]


@pytest.fixture(scope="module")
def outcomes3(demo: Project) -> list[object]:
    b = load_bench("define")
    return [b.run_case(demo, case) for case in b.load_cases(THIRD)]


@pytest.fixture(scope="module")
def outcomes4(demo: Project) -> list[object]:
    b = load_bench("define")
    return [b.run_case(demo, case) for case in b.load_cases(FOURTH)]


def test_no_development_case_is_silently_wrong(
    outcomes: list[object], outcomes3: list[object], outcomes4: list[object]
) -> None:
    wrong = [(o.id, o.detail) for o in [*outcomes, *outcomes3, *outcomes4] if o.outcome == "wrong"]  # type: ignore[attr-defined]
    assert wrong == []


def test_definitions4_floor(outcomes4: list[object]) -> None:
    # written code-blind by another engineer; scored untouched at 26.7% equal (32.0% of the answerable),
    # 6.7% wrong (2 cases), 4/5 unanswerable refused
    figures = load_bench("define").score(outcomes4)
    assert figures["cases"] == 30, figures
    assert figures["equal_pct"] >= 60.0, figures
    assert figures["wrong_pct"] == 0.0, figures
    assert figures["unanswerable_refused"] == "5/5", figures


#: The fifth and sixth development files (code-blind), floored on their own.
LATER = ("definitions5.yml", "definitions6.yml")


@pytest.fixture(scope="module")
def outcomes_later(demo: Project) -> dict[str, list[object]]:
    b = load_bench("define")
    return {f: [b.run_case(demo, case) for case in b.load_cases(f)] for f in LATER}


def test_definitions5_and_6_floors(outcomes_later: dict[str, list[object]]) -> None:
    # definitions6 was scored untouched at 43.3% equal (52.0% of the answerable), 1 silently wrong ("days
    # late = days between the due date and the payment date" read as status past_due), 5/5 refused;
    # measured after the round: 66.7% (80.0%), 0 wrong. definitions5: 70.0% (80.8%), 0 wrong.
    for name, found in outcomes_later.items():
        figures = load_bench("define").score(found)
        assert figures["cases"] == 30, (name, figures)
        assert figures["equal_pct"] >= 60.0, (name, figures)
        assert figures["wrong_pct"] == 0.0, (name, [(o.id, o.detail) for o in found if o.outcome == "wrong"])  # type: ignore[attr-defined]
    assert load_bench("define").score(outcomes_later["definitions6.yml"])["unanswerable_refused"] == "5/5"


def test_definitions3_floor(outcomes3: list[object]) -> None:
    # written code-blind by another session; measured 70% equal (84% of the answerable), 0 wrong
    figures = load_bench("define").score(outcomes3)
    assert figures["cases"] == 30, figures
    assert figures["equal_pct"] >= 60.0, figures
    assert figures["equal_of_answerable_pct"] >= 72.0, figures
    assert figures["wrong_pct"] == 0.0, figures
    # every unanswerable case refused (its writer's codes differ where the catalog knows more: "premium"
    # is a lower-case alias of Pro, so that case is a doubt rather than unknown_value)
    assert figures["unanswerable_refused"] == "5/5", figures


def test_equal_share_floor(outcomes: list[object]) -> None:
    # the analysis time (target: median < 200 ms) is a figure of bench/define.py, not a timed test
    figures = load_bench("define").score(outcomes)
    assert figures["equal_pct"] >= 80.0, figures
    assert figures["equal_of_answerable_pct"] >= 90.0, figures


def test_confident_proposals_are_right(outcomes: list[object]) -> None:
    confident = [o for o in outcomes if (o.confidence or 0.0) >= 0.8]  # type: ignore[attr-defined]
    assert len(confident) >= 10
    equal = sum(o.outcome == "equal" for o in confident)  # type: ignore[attr-defined]
    assert equal / len(confident) >= 0.9, [(o.id, o.detail) for o in confident if o.outcome != "equal"]  # type: ignore[attr-defined]


def test_every_refusal_case_is_refused_with_its_reason(outcomes: list[object], demo: Project) -> None:
    cases = {
        c["id"]: c for f in load_bench("define").TESTED_FILES for c in load_bench("define").load_cases(f)
    }
    for o in outcomes:
        case = cases[o.id]  # type: ignore[attr-defined]
        if not case["expect"]["answerable"]:
            code = case["expect"]["reason"].split(":", 1)[0]
            assert o.outcome == "refused" and o.detail.startswith(code), (o.id, o.detail)  # type: ignore[attr-defined]


def test_a_snapshot_model_is_proposed_and_runs_without_dbt(demo: Project) -> None:
    from metricmind.define import Definition, analyze
    from metricmind.define.extend import proposal_sql

    p = analyze(
        Definition(
            "seats_eom", "Total seats on paid subscriptions live at the end of the month", ("Exclude trials",)
        ),
        demo.model,
        columns=load_bench("define").warehouse_columns(demo),
    )
    assert p.refused is None and p.new_model is not None, p.message
    assert "{{ ref('fct_subscriptions_canonical') }}" in p.new_model.sql
    assert p.new_model.semantic_model["model"] == f"ref('{p.new_model.name}')"
    assert p.new_model.materialization == "table"
    rows = demo.warehouse.run(proposal_sql(demo.model, p, start="2024-01-01", end="2024-12-31")).rows
    hand = demo.warehouse.run(
        "select sum(seats) from fct_subscriptions_canonical where not is_trial "
        "and started_at <= date '2024-06-30' and (ended_at is null or ended_at > date '2024-06-30')"
    ).rows[0][0]
    june = {str(r[0])[:10]: r[1] for r in rows}["2024-06-01"]
    assert float(june) == float(hand)
    kinds = {c.kind for c in p.checks}
    assert {"not_null", "non_negative", "unique", "range"} <= kinds


@pytest.fixture(scope="module")
def outcomes7(demo: Project) -> list[object]:
    b = load_bench("define")
    return [b.run_case(demo, case) for case in b.load_cases("definitions7.yml")]


def test_definitions7_floor(outcomes7: list[object]) -> None:
    # written code-blind (aimed at silently-wrong readings); scored untouched at 20.0% equal (24.0% of the
    # answerable), 6.7% wrong (2: "at least 5 days" read as every active user, "never trials" on
    # `trial_starts`), 4/5 refused; after the round 23.3% (28.0%), 0 wrong, 5/5 refused; after session 8
    # (cents, tied negative values, a dimension's word family, a flag dropped with "not", an event that
    # arrived) 36.7% (44.0%), 0 wrong, 5/5 refused
    figures = load_bench("define").score(outcomes7)
    assert figures["cases"] == 30, figures
    assert figures["equal_pct"] >= 36.0, figures
    assert figures["wrong_pct"] == 0.0, [(o.id, o.detail) for o in outcomes7 if o.outcome == "wrong"]  # type: ignore[attr-defined]
    assert figures["unanswerable_refused"] == "5/5", figures
