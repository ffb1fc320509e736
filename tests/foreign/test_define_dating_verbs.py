"""Dating verbs and flag labels on projects that are not the demo: "counted when they were booked" names the
date its verb names (``booked_at``), never the measure's own date in silence; "when it was resolved", a
verb no time dimension has, is unread; a yes/no dimension's label ("Circle member" for
``is_loyalty_member``) names its "yes". Each answer runs on DuckDB against hand SQL, or must stay unread.
"""

from __future__ import annotations

from metricmind.define import Definition, analyze
from metricmind.define.extend import proposal_sql, warehouse_columns
from metricmind.define.proposal import Proposal
from metricmind.project import Project


def _propose(project: Project, text: str, *rules: str) -> Proposal:
    return analyze(
        Definition("dating_probe", text, rules), project.model, columns=warehouse_columns(project.warehouse)
    )


def _assert_equal(project: Project, proposal: Proposal, hand: str, start: str, end: str) -> None:
    assert proposal.refused is None and proposal.metric is not None, proposal.message
    assert not proposal.unread, [r.text for r in proposal.unread]
    sql = proposal_sql(project.model, proposal, start=start, end=end)
    got = {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}
    want = {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(hand).rows}
    assert len(want) >= 6
    for month, value in want.items():
        assert abs(got.get(month, 0.0) - value) < 0.01, (month, got.get(month), value)


def _dated_by_or_unread(p: Proposal, time: str) -> bool:
    if p.refused is not None or p.metric is None or p.unread:
        return True
    return time in (p.preview_sql or "")


def test_a_verb_the_pronoun_did_is_never_dropped_for_the_measures_own_date(harbor: Project) -> None:
    p = _propose(harbor, "Reservations, counted when they were booked")
    assert _dated_by_or_unread(p, "booked_at")
    assert not (
        p.unread == [] and "arrival_date" in (p.preview_sql or "") and "booked_at" not in p.preview_sql
    )


def test_a_dating_verb_no_time_dimension_names_is_unread_not_restricting_nothing(helpdesk: Project) -> None:
    p = _propose(helpdesk, "Number of tickets", "Count each ticket when it was resolved")
    assert p.unread, "dated by created_ts in silence"
    assert all(r.status != "noop" for r in p.rules if "resolved" in r.text)


def test_a_dating_verb_a_time_dimension_names_dates_the_metric(lastmile: Project) -> None:
    p = _propose(lastmile, "Number of parcels", "Count each parcel when it was delivered")
    hand = (
        "select date_trunc('month', delivered_tstamp), count(*) from core.parcels "
        "where delivered_tstamp is not null and delivered_tstamp >= '2024-10-01' group by 1 order by 1"
    )
    _assert_equal(lastmile, p, hand, "2024-10-01", "2025-09-30")


def test_a_flag_is_named_by_its_label(harbor: Project) -> None:
    p = _propose(harbor, "Room nights stayed by Circle members")
    hand = (
        "select date_trunc('month', n.stay_date), count(*) from marts.fct_room_nights n "
        "join marts.dim_guests g using (guest_id) where g.is_loyalty_member group by 1 order by 1"
    )
    _assert_equal(harbor, p, hand, "2024-01-01", "2025-12-31")


def test_a_share_of_rows_said_by_their_dating_verb_and_a_flag_label(harbor: Project) -> None:
    p = _propose(harbor, "Percentage of room nights stayed by Circle members", "as a percentage")
    hand = (
        "select date_trunc('month', n.stay_date), 100.0 * count(*) filter (where g.is_loyalty_member) / count(*) "
        "from marts.fct_room_nights n join marts.dim_guests g using (guest_id) group by 1 order by 1"
    )
    assert p.refused is None and p.metric is not None, p.message
    sql = proposal_sql(harbor.model, p, start="2024-01-01", end="2025-12-31")
    got = {str(r[0])[:7]: float(r[1] or 0) for r in harbor.warehouse.run(sql).rows}
    want = {str(r[0])[:7]: float(r[1] or 0) for r in harbor.warehouse.run(hand).rows}
    assert want and all(abs(got.get(m, 0.0) - v) < 1e-6 for m, v in want.items())
