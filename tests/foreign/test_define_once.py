"""A rule saying each counted thing counts once ("A shipper counts once a month however many same_day
parcels it books") restates a distinct count, on projects that are not the demo (lastmile, helpdesk); on a
count of rows, naming another thing than the one counted, or naming a value no filter reads, it stays
unread. A rule left unread never hides a value the definition itself names. Each answer runs on DuckDB
against hand SQL, or must stay unread.
"""

from __future__ import annotations

from metricmind.define import Definition, analyze
from metricmind.define.extend import proposal_sql, warehouse_columns
from metricmind.define.proposal import Proposal
from metricmind.project import Project

SHIPPERS = "Number of shippers that booked same_day parcels in the month"


def _propose(project: Project, text: str, *rules: str) -> Proposal:
    return analyze(
        Definition("once_probe", text, rules), project.model, columns=warehouse_columns(project.warehouse)
    )


def test_counts_once_however_many_restates_a_distinct_count(lastmile: Project) -> None:
    p = _propose(lastmile, SHIPPERS, "A shipper counts once a month however many same_day parcels it books")
    assert p.refused is None and p.metric is not None, p.message
    assert [r.status for r in p.rules if r.text.startswith("A shipper")] == ["covered"]
    sql = proposal_sql(lastmile.model, p, start="2024-10-01", end="2025-09-30")
    got = {str(r[0])[:7]: float(r[1] or 0) for r in lastmile.warehouse.run(sql).rows}
    hand = (
        "select date_trunc('month', booked_tstamp), count(distinct shipper_id) from core.parcels "
        "where service_level = 'same_day' and booked_tstamp >= '2024-10-01' group by 1 order by 1"
    )
    want = {str(r[0])[:7]: float(r[1] or 0) for r in lastmile.warehouse.run(hand).rows}
    assert len(want) >= 6 and all(abs(got.get(m, 0.0) - v) < 0.01 for m, v in want.items()), (got, want)


def test_counts_once_on_a_count_of_rows_stays_unread(helpdesk: Project) -> None:
    p = _propose(helpdesk, "Number of tickets", "An account counts once a month however many tickets it has")
    assert p.refused is not None or p.unread


def test_counts_once_of_another_thing_than_the_one_counted_stays_unread(lastmile: Project) -> None:
    p = _propose(lastmile, SHIPPERS, "A courier counts once a month however many same_day parcels it has")
    assert p.refused is not None or p.unread


def test_counts_once_naming_a_value_no_filter_reads_stays_unread(helpdesk: Project) -> None:
    text = "Number of accounts that raised email tickets in the month"
    p = _propose(helpdesk, text, "An account counts once a month however many email tickets it has")
    assert p.refused is not None or p.unread or "email" in str(p.metric)


def test_an_unread_rule_never_hides_a_value_the_definition_names(lastmile: Project) -> None:
    p = _propose(lastmile, SHIPPERS, "A shipper with same_day parcels counts whatever zorblax it has")
    assert p.refused is not None or p.unread
    if p.metric is not None:
        assert "service_level" in str(p.metric)
