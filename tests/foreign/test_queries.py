"""Both foreign projects answer through Python and the CLI exactly what hand-written SQL says.

Every query is a metric, group-by and time range; the reference is SQL written by hand against the
marts (never produced by metricmind), run on the same warehouse file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from metricmind.interfaces.cli.app import app
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from tests.foreign.conftest import hand, same_rows

M = "date_trunc('month', {})"
BAZAAR_CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "gmv by month",
        {"metrics": ["gmv"], "group_by": ["metric_time__month"], "order_by": ["metric_time__month"]},
        "select date_trunc('month', placed_at) as m, sum(quantity * unit_price) from main.fct_order_items "
        "group by 1 order by 1",
    ),
    (
        "take rate by month",
        {"metrics": ["take_rate"], "group_by": ["metric_time__month"], "order_by": ["metric_time__month"]},
        "select date_trunc('month', placed_at), sum(platform_fee) / sum(quantity * unit_price) "
        "from main.fct_order_items group by 1 order by 1",
    ),
    (
        "aov by buyer country (orders one hop, items two hops away)",
        {"metrics": ["aov"], "group_by": ["buyer__buyer_country"], "order_by": ["buyer__buyer_country"]},
        "with g as (select b.buyer_country c, sum(i.quantity * i.unit_price) v from main.fct_order_items i "
        "join main.fct_orders o using (order_id) join main.dim_buyers b on b.buyer_id = o.buyer_id group by 1), "
        "n as (select b.buyer_country c, count(*) v from main.fct_orders o join main.dim_buyers b "
        "on b.buyer_id = o.buyer_id group by 1) select g.c, g.v / n.v from g join n using (c) order by 1",
    ),
    (
        "completed gmv in Q2 (a metric filter through a join)",
        {"metrics": ["completed_gmv"], "start": "2024-04-01", "end": "2024-07-01"},
        "select sum(i.quantity * i.unit_price) from main.fct_order_items i join main.fct_orders o "
        "using (order_id) where o.order_status = 'completed' and i.placed_at >= '2024-04-01' "
        "and i.placed_at < '2024-07-01'",
    ),
    (
        "repeat and purchasing buyers by month",
        {
            "metrics": ["repeat_buyers", "purchasing_buyers"],
            "group_by": ["metric_time__month"],
            "order_by": ["metric_time__month"],
        },
        "select date_trunc('month', placed_at), count(distinct case when buyer_order_number > 1 "
        "then buyer_id end), count(distinct buyer_id) from main.fct_orders group by 1 order by 1",
    ),
    (
        "active sellers by seller country",
        {
            "metrics": ["active_sellers"],
            "group_by": ["seller__seller_country"],
            "order_by": ["seller__seller_country"],
        },
        "select s.seller_country, count(distinct i.seller_id) from main.fct_order_items i "
        "join main.dim_sellers s using (seller_id) group by 1 order by 1",
    ),
    (
        "seller payout balance at month end (non-additive)",
        {
            "metrics": ["seller_payout_balance"],
            "group_by": ["metric_time__month"],
            "order_by": ["metric_time__month"],
        },
        "select date_trunc('month', as_of_date), sum(payout_balance) from main.fct_seller_balances_daily "
        "where as_of_date in (select max(as_of_date) from main.fct_seller_balances_daily "
        "group by date_trunc('month', as_of_date)) group by 1 order by 1",
    ),
    (
        "gmv change vs prior month (offset window)",
        {
            "metrics": ["gmv_mom_change"],
            "group_by": ["metric_time__month"],
            "start": "2024-02-01",
            "end": "2024-07-01",
            "order_by": ["metric_time__month"],
        },
        "with g as (select date_trunc('month', placed_at) m, sum(quantity * unit_price) v "
        "from main.fct_order_items group by 1) select g.m, g.v - p.v from g join g p "
        "on p.m = g.m - interval 1 month order by 1",
    ),
    (
        "refund rate and average rating by listing category, top 3 by rating",
        {
            "metrics": ["average_rating"],
            "group_by": ["listing__listing_category"],
            "order_by": ["-average_rating"],
            "limit": 3,
        },
        "select l.listing_category, avg(r.stars) from main.fct_reviews r join main.dim_listings l "
        "using (listing_id) group by 1 order by 2 desc limit 3",
    ),
    (
        "refunded orders where the buyer came from social",
        {
            "metrics": ["refund_rate"],
            "where": ["{{ Dimension('buyer__acquisition_source') }} = 'social'"],
        },
        "select count(*) filter (where o.order_status = 'refunded') / count(*) from main.fct_orders o "
        "join main.dim_buyers b using (buyer_id) where b.acquisition_source = 'social'",
    ),
]

HELPDESK_CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "ticket volume by month (deleted tickets excluded by the mart)",
        {
            "metrics": ["ticket_volume"],
            "group_by": ["metric_time__month"],
            "order_by": ["metric_time__month"],
        },
        'select date_trunc(\'month\', "createdTs"), count(*) from raw.tickets where not "isDeleted" '
        "group by 1 order by 1",
    ),
    (
        "first response time p50 and average by priority",
        {
            "metrics": ["first_response_time_p50", "first_response_time_avg"],
            "group_by": ["ticket__priority"],
            "order_by": ["ticket__priority"],
        },
        "select ticket_priority, quantile_cont(first_reply_mins, 0.5), avg(first_reply_mins) "
        "from analytics.fct_tickets group by 1 order by 1",
    ),
    (
        "resolution rate by support team",
        {
            "metrics": ["resolution_rate"],
            "group_by": ["agent__support_team"],
            "order_by": ["agent__support_team"],
        },
        "select a.support_team, sum(case when t.is_solved then 1 else 0 end) / count(*) "
        "from analytics.fct_tickets t join analytics.dim_agents a on a.agent_id = t.assignee_id "
        "group by 1 order by 1",
    ),
    (
        "csat by month",
        {"metrics": ["csat"], "group_by": ["metric_time__month"], "order_by": ["metric_time__month"]},
        "select date_trunc('month', responded_ts), sum(case when rating >= 4 then 1 else 0 end) / count(*) "
        "from analytics.fct_csat_responses group by 1 order by 1",
    ),
    (
        "backlog at the end of each month",
        {"metrics": ["backlog"], "group_by": ["metric_time__month"], "order_by": ["metric_time__month"]},
        "select date_trunc('month', as_of_date), sum(open_tickets) from analytics.fct_backlog_daily "
        "where as_of_date in (select max(as_of_date) from analytics.fct_backlog_daily "
        "group by date_trunc('month', as_of_date)) group by 1 order by 1",
    ),
    (
        "SLA breaches by priority in Q2 for enterprise accounts",
        {
            "metrics": ["sla_breach_count"],
            "group_by": ["ticket__priority"],
            "where": ["{{ Dimension('account__plan') }} = 'Enterprise'"],
            "start": "2024-04-01",
            "end": "2024-07-01",
            "order_by": ["ticket__priority"],
        },
        "select t.ticket_priority, sum(t.breached_first_reply_sla) from analytics.fct_tickets t "
        "join analytics.dim_accounts a using (account_id) where a.plan_name = 'Enterprise' "
        "and t.created_ts >= '2024-04-01' and t.created_ts < '2024-07-01' group by 1 order by 1",
    ),
    (
        "csat responses of EMEA accounts, two hops away, named as MetricFlow does (entity_path)",
        {
            "metrics": ["csat_responses"],
            "where": ["{{ Dimension('account__sales_region', entity_path=['ticket']) }} = 'EMEA'"],
        },
        "select count(*) from analytics.fct_csat_responses r join analytics.fct_tickets t using (ticket_id) "
        "join analytics.dim_accounts a using (account_id) where a.sales_region = 'EMEA'",
    ),
    (
        # as in MetricFlow, the range widens to whole weeks: the week of 27 May counts in full
        "urgent tickets by week in June",
        {
            "metrics": ["urgent_ticket_volume"],
            "group_by": ["metric_time__week"],
            "start": "2024-06-01",
            "end": "2024-07-01",
            "order_by": ["metric_time__week"],
        },
        "select date_trunc('week', created_ts), count(*) from analytics.fct_tickets "
        "where ticket_priority = 'urgent' and created_ts >= '2024-05-27' and created_ts < '2024-07-01' "
        "group by 1 order by 1",
    ),
]


def _rows(project: Project, query: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in project.run(MetricQuery.build(**query)).rows]


@pytest.mark.parametrize(("name", "query", "sql"), BAZAAR_CASES, ids=[c[0] for c in BAZAAR_CASES])
def test_bazaar_python_equals_hand_sql(name: str, query: dict[str, Any], sql: str, bazaar: Project) -> None:
    ours, want = _rows(bazaar, query), hand(bazaar, sql)
    assert want and same_rows(ours, want), (ours, want)


@pytest.mark.parametrize(("name", "query", "sql"), HELPDESK_CASES, ids=[c[0] for c in HELPDESK_CASES])
def test_helpdesk_python_equals_hand_sql(
    name: str, query: dict[str, Any], sql: str, helpdesk: Project
) -> None:
    ours, want = _rows(helpdesk, query), hand(helpdesk, sql)
    assert want and same_rows(ours, want), (ours, want)


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout + result.stderr


@pytest.mark.parametrize("which", ["bazaar", "helpdesk"])
def test_validate_deep_is_clean(which: str, request: pytest.FixtureRequest) -> None:
    root: Path = request.getfixturevalue(f"{which}_dir")
    code, out = _cli("validate", "--deep", "-p", str(root))
    assert code == 0, out
    assert "0 error(s), 0 warning(s)" in out


def test_cli_query_json_equals_hand_sql(bazaar_dir: Path, bazaar: Project) -> None:
    # orders reach a seller only through their items (one-to-many): refused, with the reason
    code, out = _cli("query", "-p", str(bazaar_dir), "-m", "gmv,orders", "-g", "seller__primary_category")
    assert code == 2 and "would count a row in several groups" in out
    code, out = _cli(
        "query", "-p", str(bazaar_dir), "-m", "gmv,units_sold", "-g", "seller__primary_category",
        "-o", "seller__primary_category", "-f", "json",
    )  # fmt: skip
    assert code == 0, out
    data = json.loads(out)
    assert data["columns"] == ["seller__primary_category", "gmv", "units_sold"]
    want = hand(
        bazaar,
        "select s.primary_category, sum(i.quantity * i.unit_price), sum(i.quantity) "
        "from main.fct_order_items i join main.dim_sellers s using (seller_id) group by 1 order by 1",
    )
    assert [tuple(r) for r in data["rows"]] == [(c, float(v), int(n)) for c, v, n in want]


def test_cli_helpdesk_csv(helpdesk_dir: Path, helpdesk: Project) -> None:
    code, out = _cli(
        "query", "-p", str(helpdesk_dir), "-m", "ticket_volume", "-g", "account__sales_region",
        "-o", "-ticket_volume", "-f", "csv",
    )  # fmt: skip
    assert code == 0, out
    lines = out.strip().splitlines()
    assert lines[0] == "account__sales_region,ticket_volume"
    want = hand(
        helpdesk,
        "select a.sales_region, count(*) from analytics.fct_tickets t join analytics.dim_accounts a "
        "using (account_id) group by 1 order by 2 desc",
    )
    assert lines[1:] == [f"{r},{n}" for r, n in want]
