"""Silent-wrong classes found by definitions8, checked in wording of their own on projects that are not the
demo: two rules comparing the same two columns apart (lending), a denominator said of the numerator's own
rows ("the distinct shippers those parcels came from", lastmile), two catalog metrics the words name alike
and tell apart by a word the definition never says (helpdesk's median and average first response time),
and an entity the chosen metric never reaches (lastmile). Each answer runs on DuckDB against hand SQL, or
must not be a confident answer.
"""

from __future__ import annotations

from metricmind.define import Definition, analyze
from metricmind.define.extend import proposal_sql, warehouse_columns
from metricmind.define.proposal import Proposal
from metricmind.project import Project


def _propose(project: Project, text: str, *rules: str) -> Proposal:
    return analyze(
        Definition("silent8", text, rules), project.model, columns=warehouse_columns(project.warehouse)
    )


def test_two_rules_comparing_the_same_columns_apart_are_contradictory(lending: Project) -> None:
    p = _propose(
        lending,
        "Number of loan payments",
        "Only payments paid on or before their due date",
        "Only payments paid after their due date",
    )
    assert p.refused == "contradictory_rules", p.message


def test_two_rules_comparing_the_same_columns_that_overlap_are_not(lending: Project) -> None:
    p = _propose(
        lending,
        "Number of loan payments",
        "Only payments paid after their due date",
        "Only payments paid on or after their due date",
    )
    assert p.refused != "contradictory_rules"


def test_a_denominator_of_those_rows_keeps_the_numerators_filter(lastmile: Project) -> None:
    p = _propose(
        lastmile,
        "Shipping revenue per shipper",
        "Shipping revenue of same_day parcels divided by the distinct shippers those parcels came from",
    )
    assert p.refused is None and p.metric is not None, p.message
    sql = proposal_sql(lastmile.model, p, start="2024-10-01", end="2025-09-30")
    got = {str(r[0])[:7]: float(r[1] or 0) for r in lastmile.warehouse.run(sql).rows}
    hand = (
        "select date_trunc('month', booked_tstamp), sum(shipping_fee_eur) / count(distinct shipper_id) "
        "from core.parcels where service_level = 'same_day' and booked_tstamp >= '2024-10-01' group by 1 order by 1"
    )
    want = {str(r[0])[:7]: float(r[1] or 0) for r in lastmile.warehouse.run(hand).rows}
    assert len(want) >= 6 and all(abs(got.get(m, 0.0) - v) < 1e-6 for m, v in want.items()), (got, want)


def test_two_metrics_named_alike_and_told_apart_by_an_unsaid_word_are_a_guess(helpdesk: Project) -> None:
    p = _propose(helpdesk, "First response time of urgent tickets")
    assert p.metric is None or p.confidence < 0.6 or p.unread
    said = _propose(helpdesk, "Median first response time of urgent tickets")
    assert said.metric is not None and "first_response_time_p50" in str(said.metric)


def test_an_entity_the_metric_never_reaches_is_not_answered_confidently(lastmile: Project) -> None:
    p = _propose(lastmile, "Active shippers with a failed delivery attempt")
    assert p.metric is None or p.unread
