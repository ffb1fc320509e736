"""A sum of two parts ("F&B revenue plus spa revenue"): each part is built alone and the two are added
(``define/sums.py``), a month without rows of one part counting it as 0; checked against hand SQL on harbor
(the kind was found on pixelforge's "IAP revenue plus ad revenue"). A rule whose subject is one part's
words ("IAP is gross …") belongs to that part only.
"""

from __future__ import annotations

from metricmind.define import Definition
from metricmind.define.extend import proposal_sql
from metricmind.define.sums import subject_side, total
from metricmind.project import Project


def _hand(project: Project, departments: str) -> dict[str, float]:
    sql = (
        "select date_trunc('month', charge_date), sum(amount_eur) from marts.fct_folio_charges "
        f"where revenue_department in ({departments}) group by 1 order by 1"
    )
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


def test_a_sum_of_two_metrics_runs_against_hand_sql(harbor: Project) -> None:
    for text in ("F&B revenue plus spa revenue", "Spa revenue plus F&B revenue"):
        p = harbor.analyze_definition(Definition("fnb_and_spa", text, ()))
        assert p.refused is None and p.metric is not None, (text, p.message)
        assert p.metric["type"] == "derived" and " + " in p.metric["type_params"]["expr"]
        sql = proposal_sql(harbor.model, p, start="2025-01-01", end="2025-12-31")
        got = {str(r[0])[:7]: float(r[1] or 0) for r in harbor.warehouse.run(sql).rows}
        want = _hand(harbor, "'food_and_beverage', 'spa'")
        assert len(want) >= 6 and all(abs(got.get(m, 0.0) - v) < 1e-6 for m, v in want.items()), (got, want)


def test_a_sum_of_one_thing_with_itself_is_not_answered_as_double(harbor: Project) -> None:
    p = harbor.analyze_definition(Definition("twice", "Spa revenue plus spa revenue", ()))
    assert p.metric is None or p.confidence <= 0.5 or any(r.status == "unread" for r in p.rules)


def test_the_parts_and_the_rule_subjects() -> None:
    assert total("Total income: room revenue plus F&B revenue") == ("room revenue", "F&B revenue")
    assert total("Room revenue and F&B revenue") is None
    left, right = "IAP revenue", "ad revenue"
    assert subject_side("IAP is gross in USD without refunded purchases", left, right) == 0
    assert subject_side("ad revenue is the mediation revenue in USD", left, right) == 1
    assert subject_side("revenue is in USD", left, right) is None  # both parts: said of both
    assert subject_side("exclude refunded purchases", left, right) is None
