"""States at month end of rows open between two dates, on projects that are not the demo: tickets open
from creation until solved (helpdesk), parcels open from booking until delivery and overdue past their
promised date (lastmile). The state is judged by the rows' own dates as of each month's last day, never by
today's status column; a date said without saying whether it closes a row, or a filter keeping rows closed
today, stays unread. Each proposal runs on DuckDB against hand SQL, month by month.
"""

from __future__ import annotations

from metricmind.define import Definition, analyze
from metricmind.define.extend import proposal_sql, warehouse_columns
from metricmind.define.proposal import Proposal
from metricmind.project import Project

HELPDESK_MONTHS = ("2024-01-01", "2024-07-01")  # the helpdesk's tickets run January to June 2024
LASTMILE_MONTHS = ("2024-10-01", "2025-10-01")  # the lastmile's parcels run October 2024 to September 2025


def _propose(project: Project, text: str, *rules: str) -> Proposal:
    return analyze(
        Definition("state_probe", text, rules), project.model, columns=warehouse_columns(project.warehouse)
    )


def _months(project: Project, proposal: Proposal, span: tuple[str, str]) -> dict[str, float]:
    sql = proposal_sql(project.model, proposal, start=span[0], end=span[1])
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


def _hand(project: Project, span: tuple[str, str], table: str, on: str) -> dict[str, float]:
    sql = f"""
        with months as (
          select cast(range as date) as month
          from range(date '{span[0]}', date '{span[1]}', interval 1 month)
        )
        select m.month, count(t.month_key) as value
        from months m
        left join (select 1 as month_key, * from {table}) t on {on}
        group by 1 order by 1
    """
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


def _assert_equal(project: Project, proposal: Proposal, span: tuple[str, str], table: str, on: str) -> None:
    assert proposal.refused is None and proposal.metric is not None, proposal.message
    assert not proposal.unread, [r.text for r in proposal.unread]
    want = _hand(project, span, table, on)
    got = _months(project, proposal, span)
    assert len(want) >= 6 and any(want.values())
    for month, value in want.items():
        assert abs(got.get(month, 0.0) - value) < 0.01, (month, got.get(month), value)


TICKET_OPEN = "t.created_ts <= last_day(m.month) and (t.solved_ts is null or t.solved_ts > last_day(m.month))"
PARCEL_OPEN = (
    "t.booked_tstamp <= last_day(m.month) "
    "and (t.delivered_tstamp is null or t.delivered_tstamp > last_day(m.month))"
)


def test_rows_open_at_month_end_from_their_opening_until_their_closing_date(helpdesk: Project) -> None:
    p = _propose(helpdesk, "Number of tickets still open at each month end")
    _assert_equal(helpdesk, p, HELPDESK_MONTHS, "analytics.fct_tickets", TICKET_OPEN)


def test_another_date_not_reached_by_then_also_closes_a_row(helpdesk: Project) -> None:
    p = _propose(
        helpdesk,
        "Tickets open at each month end that had no first reply by then",
        "Judge it by the tickets' dates as of the month's last day, not today's status",
    )
    assert p.new_model is not None and "first_reply_ts" in p.new_model.sql
    assert any(r.status == "covered" for r in p.rules)
    on = f"{TICKET_OPEN} and (t.first_reply_ts is null or t.first_reply_ts > last_day(m.month))"
    _assert_equal(helpdesk, p, HELPDESK_MONTHS, "analytics.fct_tickets", on)


def test_overdue_at_month_end_is_past_the_due_date_and_still_open(lastmile: Project) -> None:
    p = _propose(
        lastmile,
        "Number of parcels overdue at each month end",
        "Overdue means booked by then, past the promised date and not delivered by then",
    )
    assert p.new_model is not None and "promised_dt <" in p.new_model.sql
    on = f"{PARCEL_OPEN} and t.promised_dt < last_day(m.month)"
    _assert_equal(lastmile, p, LASTMILE_MONTHS, "core.parcels", on)


def test_not_yet_closed_is_judged_by_the_date_never_by_todays_status(lastmile: Project) -> None:
    p = _propose(lastmile, "Parcels not yet delivered at each month end")
    assert "parcel_status" not in str(p.metric)  # today's status would drop the parcels delivered since
    _assert_equal(lastmile, p, LASTMILE_MONTHS, "core.parcels", PARCEL_OPEN)


def _not_answered(p: Proposal) -> bool:
    return p.refused is not None or p.metric is None or bool(p.unread)


def test_overdue_without_a_due_date_is_not_answered(helpdesk: Project) -> None:
    assert _not_answered(_propose(helpdesk, "Tickets overdue at each month end"))


def test_a_closing_date_said_without_saying_it_closes_stays_unread(helpdesk: Project) -> None:
    p = _propose(helpdesk, "Tickets open at each month end", "Tickets with a first reply stay in")
    assert _not_answered(p)


def test_a_filter_keeping_rows_closed_today_stays_unread(lastmile: Project) -> None:
    p = _propose(lastmile, "Parcels not yet delivered at each month end", "Only delivered parcels")
    assert _not_answered(p)
