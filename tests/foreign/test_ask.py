"""``ask`` on catalogs that never saw the demo's vocabulary: plain questions in each company's own words.

The resolver knows only what the projects declare (metric names, labels, descriptions, a few synonyms,
dimension names, entity names, values observed in the warehouse). Each question has its full expected
reading; a few also run through the CLI and are checked against hand SQL.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from metricmind.interfaces.cli.app import app
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from tests.foreign.conftest import hand, same_rows

AS_OF = dt.date(2024, 7, 1)
MONTH = ("metric_time", "month")
Q2 = (dt.date(2024, 4, 1), dt.date(2024, 7, 1))
JUNE = (dt.date(2024, 6, 1), dt.date(2024, 7, 1))

# question, metrics, group_by, filters (field, op, values), time range, (order_by, limit)
Case = tuple[str, list[str], list[tuple[str, str | None]], list[tuple[str, str, tuple[str, ...]]], Any, Any]
BAZAAR: list[Case] = [
    ("GMV by month", ["gmv"], [MONTH], [], None, None),
    ("what was our take rate last quarter", ["take_rate"], [], [], Q2, None),
    ("average order value by buyer country", ["aov"], [("buyer__buyer_country", None)], [], None, None),
    (
        "how many orders did we get in March 2024",
        ["orders"],
        [],
        [],
        (dt.date(2024, 3, 1), dt.date(2024, 4, 1)),
        None,
    ),
    ("repeat buyers per month", ["repeat_buyers"], [MONTH], [], None, None),
    (
        "active sellers by seller country",
        ["active_sellers"],
        [("seller__seller_country", None)],
        [],
        None,
        None,
    ),
    ("gmv by seller category in Q2 2024", ["gmv"], [("seller__primary_category", None)], [], Q2, None),
    ("refund rate by month", ["refund_rate"], [MONTH], [], None, None),
    (
        "how much do we owe sellers at the end of each month",
        ["seller_payout_balance"],
        [MONTH],
        [],
        None,
        None,
    ),
    (
        "visit to order conversion by utm source",
        ["visit_to_order_conversion"],
        [("visit__utm_source", None)],
        [],
        None,
        None,
    ),
    (
        "average star rating by listing category",
        ["average_rating"],
        [("listing__listing_category", None)],
        [],
        None,
        None,
    ),
    (
        "new buyers by acquisition source last month",
        ["new_buyers"],
        [("buyer__acquisition_source", None)],
        [],
        JUNE,
        None,
    ),
    (
        "top 5 seller countries by gmv",
        ["gmv"],
        [("seller__seller_country", None)],
        [],
        None,
        ([("gmv", True)], 5),
    ),
    (
        "gmv excluding refunded orders",
        ["gmv"],
        [],
        [("order__order_status", "!=", ("refunded",))],
        None,
        None,
    ),
    ("orders excluding refunded", ["orders"], [], [("order__order_status", "!=", ("refunded",))], None, None),
    ("orders from the US", ["orders"], [], [("buyer__buyer_country", "=", ("US",))], None, None),
    ("gmv from verified sellers", ["gmv"], [], [("seller__is_verified", "=", ("true",))], None, None),
    (
        "take rate for vintage sellers",
        ["take_rate"],
        [],
        [("seller__primary_category", "=", ("vintage",))],
        None,
        None,
    ),
    ("sales volume last month", ["gmv"], [], [], JUNE, None),
    (  # a column of country codes answers to the countries' names
        "GMV in the US vs Germany",
        ["gmv"],
        [("buyer__buyer_country", None)],
        [("buyer__buyer_country", "in", ("US", "DE"))],
        None,
        None,
    ),
    ("gmv from German sellers", ["gmv"], [], [("seller__seller_country", "=", ("DE",))], None, None),
]
HELPDESK: list[Case] = [
    ("ticket volume by month", ["ticket_volume"], [MONTH], [], None, None),
    ("how many tickets did we get last month", ["ticket_volume"], [], [], JUNE, None),
    (
        "median first response time by priority",
        ["first_response_time_p50"],
        [("ticket__priority", None)],
        [],
        None,
        None,
    ),
    (
        "average first response time by channel in Q2 2024",
        ["first_response_time_avg"],
        [("ticket__channel", None)],
        [],
        Q2,
        None,
    ),
    ("resolution rate by support team", ["resolution_rate"], [("agent__support_team", None)], [], None, None),
    ("CSAT by month", ["csat"], [MONTH], [], None, None),
    ("csat for enterprise accounts", ["csat"], [], [("account__plan", "=", ("Enterprise",))], None, None),
    ("backlog at the end of each month", ["backlog"], [MONTH], [], None, None),
    (
        "open tickets at day end by team",
        ["backlog"],
        [("backlog_row__backlog_team", None)],
        [],
        None,
        None,
    ),
    (
        "sla breaches by priority last quarter",
        ["sla_breach_count"],
        [("ticket__priority", None)],
        [],
        Q2,
        None,
    ),
    ("tickets by plan", ["ticket_volume"], [("account__plan", None)], [], None, None),
    (
        "urgent tickets per week in June 2024",
        ["urgent_ticket_volume"],
        [("metric_time", "week")],
        [],
        JUNE,
        None,
    ),
    (
        "tickets from EMEA accounts by month",
        ["ticket_volume"],
        [MONTH],
        [("account__sales_region", "=", ("EMEA",))],
        None,
        None,
    ),
    (
        "average resolution time in hours by priority",
        ["avg_resolution_hours"],
        [("ticket__priority", None)],
        [],
        None,
        None,
    ),
    (
        "tickets excluding the email channel",
        ["ticket_volume"],
        [],
        [("ticket__channel", "!=", ("email",))],
        None,
        None,
    ),
    (
        "top 3 agents by solved tickets",
        ["solved_tickets"],
        [("agent", None)],
        [],
        None,
        ([("solved_tickets", True)], 3),
    ),
    (
        "ticket volume excluding deleted accounts by month",
        ["ticket_volume"],
        [MONTH],
        [("account__is_deleted", "=", ("false",))],
        None,
        None,
    ),
]


def _check(project: Project, case: Case) -> None:
    question, metrics, group_by, filters, time_range, ordering = case
    res = project.resolver().resolve(question, as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == metrics
    assert res.group_by == group_by
    assert [(f.field, f.op, f.values) for f in res.filters] == filters
    assert res.time_range == time_range
    order_by, limit = ordering or ([], None)
    assert (res.order_by, res.limit) == (order_by, limit)
    assert res.confidence >= 0.8, res.notes
    query = res.metric_query()
    assert query is not None and project.run(query).rows  # the reading runs on the warehouse


@pytest.mark.parametrize("case", BAZAAR, ids=[c[0] for c in BAZAAR])
def test_bazaar_questions(case: Case, bazaar: Project) -> None:
    _check(bazaar, case)


@pytest.mark.parametrize("case", HELPDESK, ids=[c[0] for c in HELPDESK])
def test_helpdesk_questions(case: Case, helpdesk: Project) -> None:
    _check(helpdesk, case)


def _ask(root: Path, question: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        app, ["ask", "-p", str(root), "--as-of", AS_OF.isoformat(), "--json", question]
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_cli_ask_reads_and_runs_as_hand_sql(bazaar_dir: Path, helpdesk_dir: Path, bazaar: Project) -> None:
    data = _ask(bazaar_dir, "gmv from sellers that are not verified by month")
    assert data["answerable"] and data["query"]["where"] == [
        "{{ Dimension('seller__is_verified') }} = 'false'"
    ]
    q = {k: v for k, v in data["query"].items() if v not in (None, [])}
    rows = sorted(tuple(r) for r in bazaar.run(MetricQuery.build(**q)).rows)
    want = hand(
        bazaar,
        "select date_trunc('month', i.placed_at), sum(i.quantity * i.unit_price) from main.fct_order_items i "
        "join main.dim_sellers s using (seller_id) where not s.is_verified group by 1 order by 1",
    )
    assert same_rows(rows, want)
    refused = _ask(helpdesk_dir, "tickets by favourite colour")
    assert not refused["answerable"] and refused["confidence"] < 0.5


def test_cli_follow_ups_use_the_projects_own_dimensions(bazaar_dir: Path) -> None:
    result = CliRunner().invoke(
        app, ["ask", "-p", str(bazaar_dir), "--as-of", "2024-07-01", "--run", "gmv last quarter"]
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "You could also ask" in result.stdout
    assert 'metricmind ask "GMV by order status last quarter"' in result.stdout  # its fewest-valued category


def test_a_threshold_per_entity_of_the_projects_own(bazaar: Project, helpdesk: Project) -> None:
    res = bazaar.resolver().resolve("sellers with gmv over 5000", as_of=AS_OF)
    assert res.answerable and res.confidence >= 0.8, res.notes
    assert res.metrics == ["gmv"] and res.group_by == [("seller", None)]
    query = res.metric_query()
    assert query is not None and query.where == ("{{ Metric('gmv', group_by=['seller']) }} > 5000",)
    want = hand(
        bazaar,
        "select seller_id, sum(quantity * unit_price) v from main.fct_order_items group by 1 having v > 5000 "
        "order by 1",
    )
    assert same_rows(sorted(tuple(r) for r in bazaar.run(query).rows), want)
    res = helpdesk.resolver().resolve("accounts with more than 40 tickets", as_of=AS_OF)
    assert res.answerable and res.group_by == [("account", None)]
    assert [(f.field, f.op, f.metric) for f in res.filters] == [("account", ">", "ticket_volume")]
