"""A rule that keeps rows restricts nothing (``define/kept.py``): "refunded payments still count" was read as
``is_refunded = true`` (studyhall sh-def-011), "whether or not refunded" as ``is_refunded = false``. Each shape
(still counts, included, regardless, whether or not, not excluded, even if, either way, both of every value)
is read as acknowledged, with a reason naming what it keeps, and the metric's rows equal the unfiltered hand
SQL; a negation of the keeping still drops, and a source that leaves out what the rule keeps leaves it unread.
Checked on studyhall (a yes/no flag) and lastmile (a categorical value).
"""

from __future__ import annotations

import pytest

from metricmind.define import Definition, Proposal
from metricmind.define.extend import proposal_sql
from metricmind.project import Project

STUDYHALL_RULES = [
    "refunded payments still count",
    "refunds included",
    "refunded payments are included",
    "count refunded payments regardless",
    "include payments whether or not refunded",
    "refunded or not",
    "don't exclude refunded payments",
    "do not leave out refunded payments",
    "refunded payments are not excluded",
    "even if refunded",
    "both refunded and non-refunded payments",
]
LASTMILE_RULES = [
    "economy parcels still count",
    "economy parcels included",
    "economy parcels count regardless",
    "don't leave out economy parcels",
    "with or without economy service",
    "even economy parcels",
]


def _rows(project: Project, sql: str) -> dict[str, float]:
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


def _same(project: Project, p: Proposal, start: str, end: str, hand: str) -> None:
    assert p.refused is None and p.metric is not None, p.message
    got = _rows(project, proposal_sql(project.model, p, start=start, end=end))
    want = _rows(project, hand)
    assert len(want) >= 6 and all(abs(got.get(m, 0.0) - v) < 1e-6 for m, v in want.items()), (got, want)


@pytest.mark.parametrize("rule", STUDYHALL_RULES)
def test_a_rule_keeping_a_flag_restricts_nothing(studyhall: Project, rule: str) -> None:
    p = studyhall.analyze_definition(Definition("bookings_kept", "Gross bookings in US dollars", (rule,)))
    reading = next(r for r in p.rules if r.text == rule)
    assert reading.status == "noop" and reading.predicate is None, reading
    assert "is_refunded" in reading.reason and "restricts nothing" in reading.reason, reading
    hand = (
        "select date_trunc('month', paid_at), sum(amount_usd) from analytics.fct_payments "
        "where paid_at >= '2025-01-01' and paid_at < '2026-01-01' group by 1 order by 1"
    )
    _same(studyhall, p, "2025-01-01", "2025-12-31", hand)


@pytest.mark.parametrize("rule", LASTMILE_RULES)
def test_a_rule_keeping_a_value_restricts_nothing(lastmile: Project, rule: str) -> None:
    p = lastmile.analyze_definition(Definition("fees_kept", "Shipping revenue", (rule,)))
    reading = next(r for r in p.rules if r.text == rule)
    assert reading.status == "noop" and reading.predicate is None, reading
    assert "service_level = economy" in reading.reason, reading
    hand = (
        "select date_trunc('month', booked_tstamp), sum(shipping_fee_eur) from core.parcels "
        "where booked_tstamp >= '2024-10-01' group by 1 order by 1"
    )
    _same(lastmile, p, "2024-10-01", "2025-09-30", hand)


@pytest.mark.parametrize("rule", ["refunded payments not included", "refunded payments are not counted"])
def test_a_negated_keeping_still_drops(studyhall: Project, rule: str) -> None:
    p = studyhall.analyze_definition(Definition("bookings_dropped", "Gross bookings in US dollars", (rule,)))
    hand = (
        "select date_trunc('month', paid_at), sum(amount_usd) from analytics.fct_payments "
        "where not is_refunded and paid_at >= '2025-01-01' and paid_at < '2026-01-01' group by 1 order by 1"
    )
    _same(studyhall, p, "2025-01-01", "2025-12-31", hand)


def test_keeping_what_the_source_leaves_out_is_unread(bazaar: Project) -> None:
    p = bazaar.analyze_definition(
        Definition("completed_kept", "Completed GMV", ("refunded orders still count",))
    )
    reading = next(r for r in p.rules if r.text == "refunded orders still count")
    assert reading.status == "unread" and "leaves out" in reading.reason, reading
    assert p.unread


@pytest.mark.parametrize("rule", ["only refunded payments", "refunds still count but EUR payments do not"])
def test_a_restriction_beside_a_keeping_is_never_dropped(studyhall: Project, rule: str) -> None:
    p = studyhall.analyze_definition(Definition("bookings_mixed", "Gross bookings in US dollars", (rule,)))
    reading = next(r for r in p.rules if r.text == rule)
    assert reading.status != "noop", reading


_LAST_DAY = "(select max(d.{t}) from {tab} d where date_trunc('month', d.{t}) = date_trunc('month', s.{t}))"


@pytest.mark.parametrize(
    "text",
    [
        "Parcels still sitting in our hubs past their promised delivery date, at month end",
        "Overdue parcels at the hubs at month end",
    ],
)
def test_a_month_end_state_reads_the_snapshot_measure(lastmile: Project, text: str) -> None:
    """The closest metric (`delivered_parcels`, `parcel_volume`) adds up rows as they happen: the snapshot
    measure the words name (`parcels_overdue`, last count of the month) answers, never the flow."""
    p = lastmile.analyze_definition(Definition("overdue_month_end", text, ("do not add up days",)))
    assert p.metric is not None and p.metric["type_params"] == {"measure": "parcels_overdue"}, p.message
    last = _LAST_DAY.format(t="ds", tab="core.hub_stock_daily")
    hand = (
        "select date_trunc('month', s.ds), sum(s.parcels_overdue) from core.hub_stock_daily s "
        f"where s.ds = {last} and s.ds >= '2024-10-01' group by 1 order by 1"
    )
    _same(lastmile, p, "2024-10-01", "2025-09-30", hand)


def test_a_month_end_state_on_another_project(studyhall: Project) -> None:
    p = studyhall.analyze_definition(Definition("seats_month_end", "Company seats purchased at month end"))
    last = _LAST_DAY.format(t="snapshot_date", tab="analytics.fct_seat_snapshots")
    hand = (
        "select date_trunc('month', s.snapshot_date), sum(s.seats_purchased) from analytics.fct_seat_snapshots s "
        f"where s.snapshot_date = {last} and s.snapshot_date >= '2025-01-01' group by 1 order by 1"
    )
    _same(studyhall, p, "2025-01-01", "2025-12-31", hand)


def test_the_snapshot_the_words_name_over_another_of_its_table(lastmile: Project) -> None:
    """`parcels_on_hand` is a snapshot too, but the words say overdue: `parcels_overdue` of the same table."""
    d = Definition(
        "brabant_overdue", "Overdue parcels sitting in Brabant hubs at month end", ("only Brabant hubs",)
    )
    p = lastmile.analyze_definition(d)
    assert p.metric is not None and p.metric["type_params"] == {"measure": "parcels_overdue"}, p.message
    last = _LAST_DAY.format(t="ds", tab="core.hub_stock_daily")
    hand = (
        "select date_trunc('month', s.ds), sum(s.parcels_overdue) from core.hub_stock_daily s "
        f"join core.hubs h on h.hub_code = s.hub_code where h.region = 'Brabant' and s.ds = {last} "
        "and s.ds >= '2024-10-01' group by 1 order by 1"
    )
    _same(lastmile, p, "2024-10-01", "2025-09-30", hand)
