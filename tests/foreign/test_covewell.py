"""The covewell sample (a personal-lines insurer's dbt project) loads, validates, builds with dbt and answers like
hand SQL.

Every reference is SQL written by hand against the project's marts in schema ``reporting`` (never produced by
metricmind): new business and renewals as two filters of one count, written premium through the policy term,
loss ratio and claim frequency across the claims and the earned-premium models, the month-end in-force snapshot
read at the quarter's last month end, retention as a ratio with a filtered numerator, severity with a filtered
denominator, payments two hops from the policy, written premium three hops away at the agency, the year-to-date
cumulative, the year-over-year offset and the quote-to-bind conversion.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from metricmind.interfaces.cli.app import app
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.testing.covewell import COVEWELL, load_covewell_raw
from metricmind.testing.dbt import dbt_build
from metricmind.testing.rawload import copy_project
from tests.foreign.conftest import hand, same_rows
from tests.foreign.samplesets import day_rows, failing_gold, failing_months

MONTH = "metric_time__month"
MONTHS = [dt.date(y, m, 1) for y in (2024, 2025) for m in range(1, 13)]
GWP = "case when x.transaction_type <> 'cancellation' then x.written_premium else 0 end"
CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "new policies and renewals by written month (two filters of one count)",
        {
            "metrics": ["new_policies", "renewals"],
            "group_by": [MONTH],
            "start": "2024-01-01",
            "end": "2026-01-01",
            "order_by": [MONTH],
        },  # fmt: skip
        "select date_trunc('month', written_date), count(*) filter (where not is_renewal), "
        "count(*) filter (where is_renewal) from reporting.fct_policy_terms "
        "where written_date >= '2024-01-01' and written_date < '2026-01-01' group by 1 order by 1",
    ),
    (
        "gross written, return premium and net of cancellations by line in 2025 (transaction -> term)",
        {
            "metrics": ["gross_written_premium", "return_premium", "written_premium_net_of_cancellations"],
            "group_by": ["policy_term__line_of_business"],
            "start": "2025-01-01",
            "end": "2026-01-01",
            "order_by": ["policy_term__line_of_business"],
        },
        f"select t.line_of_business, sum({GWP}), sum(x.return_premium), sum({GWP}) - sum(x.return_premium) "
        "from reporting.fct_premium_transactions x join reporting.fct_policy_terms t using (policy_term_id) "
        "where x.booked_date >= '2025-01-01' and x.booked_date < '2026-01-01' group by 1 order by 1",
    ),
    (
        "earned premium, incurred losses and loss ratio by month (a derived metric over two models)",
        {
            "metrics": ["earned_premium", "incurred_losses", "loss_ratio"],
            "group_by": [MONTH],
            "start": "2024-01-01",
            "end": "2026-01-01",
            "order_by": [MONTH],
        },  # fmt: skip
        "with e as (select earned_month m, sum(earned_premium) v from reporting.fct_earned_premium_monthly group by 1), "
        "c as (select date_trunc('month', reported_date) m, sum(incurred_amount) v from reporting.fct_claims "
        "group by 1) select e.m, e.v, c.v, c.v / e.v from e join c using (m) "
        "where e.m >= '2024-01-01' order by 1",
    ),
    (
        "policies and premium in force by channel at each quarter end of 2025 (a month-end snapshot)",
        {
            "metrics": ["policies_in_force", "premium_in_force"],
            "group_by": ["metric_time__quarter", "policy_term__sales_channel"],
            "start": "2025-01-01",
            "end": "2026-01-01",
            "order_by": ["metric_time__quarter", "policy_term__sales_channel"],
        },
        "select date_trunc('quarter', s.snapshot_date), t.sales_channel, count(*), sum(s.premium_in_force) "
        "from reporting.fct_policy_snapshot_monthly s join reporting.fct_policy_terms t using (policy_term_id) "
        "where s.snapshot_date in ('2025-03-31', '2025-06-30', '2025-09-30', '2025-12-31') "
        "group by 1, 2 order by 1, 2",
    ),
    (
        "retention rate and expiring policies by channel (a ratio with a filtered numerator, a hop to the term)",
        {
            "metrics": ["retention_rate", "expiring_policies"],
            "group_by": ["policy_term__sales_channel"],
            "order_by": ["policy_term__sales_channel"],
        },
        "select t.sales_channel, count(*) filter (where r.is_renewed) / count(*), count(*) "
        "from reporting.fct_renewal_offers r join reporting.fct_policy_terms t using (policy_term_id) "
        "group by 1 order by 1",
    ),
    (
        "claim frequency per 100 policy-years by line in 2025 (claims and exposure, both through the term)",
        {
            "metrics": ["claim_frequency", "claims_reported"],
            "group_by": ["policy_term__line_of_business"],
            "start": "2025-01-01",
            "end": "2026-01-01",
            "order_by": ["policy_term__line_of_business"],
        },
        "with c as (select t.line_of_business l, count(*) n from reporting.fct_claims c "
        "join reporting.fct_policy_terms t using (policy_term_id) where c.reported_date >= '2025-01-01' "
        "and c.reported_date < '2026-01-01' group by 1), e as (select t.line_of_business l, "
        "sum(e.earned_policy_years) y from reporting.fct_earned_premium_monthly e join reporting.fct_policy_terms t "
        "using (policy_term_id) where e.earned_month >= '2025-01-01' group by 1) "
        "select l, c.n * 100 / e.y, c.n from c join e using (l) order by 1",
    ),
    (
        "average severity by peril, motor only (denied claims out of the count only)",
        {
            "metrics": ["avg_claim_severity"],
            "group_by": ["claim__peril"],
            "where": ["{{ Dimension('policy_term__line_of_business') }} = 'motor'"],
            "order_by": ["claim__peril"],
        },
        "select c.peril, sum(c.incurred_amount) / count(*) filter (where c.claim_status <> 'denied') "
        "from reporting.fct_claims c join reporting.fct_policy_terms t using (policy_term_id) "
        "where t.line_of_business = 'motor' group by 1 order by 1",
    ),
    (
        "paid losses by payment type and line in H1 2025 (payment -> claim -> term)",
        {
            "metrics": ["paid_losses"],
            "group_by": ["claim_payment__payment_type", "policy_term__line_of_business"],
            "start": "2025-01-01",
            "end": "2025-07-01",
            "order_by": ["claim_payment__payment_type", "policy_term__line_of_business"],
        },
        "select p.payment_type, t.line_of_business, sum(p.payment_amount) from reporting.fct_claim_payments p "
        "join reporting.fct_claims c using (claim_id) join reporting.fct_policy_terms t using (policy_term_id) "
        "where p.paid_date >= '2025-01-01' and p.paid_date < '2025-07-01' group by 1, 2 order by 1, 2",
    ),
    (
        "gross written premium by agency tier in 2024 (transaction -> term -> agent -> agency)",
        {
            "metrics": ["gross_written_premium"],
            "group_by": ["agency__agency_tier"],
            "start": "2024-01-01",
            "end": "2025-01-01",
            "order_by": ["agency__agency_tier"],
        },
        f"select g.agency_tier, sum({GWP}) from reporting.fct_premium_transactions x "
        "join reporting.fct_policy_terms t using (policy_term_id) left join reporting.dim_agents a "
        "on a.agent_code = t.agent_code left join reporting.dim_agencies g on g.agency_id = a.agency_id "
        "where x.booked_date >= '2024-01-01' and x.booked_date < '2025-01-01' group by 1 order by 1 nulls last",
    ),
    (
        "catastrophe claims and their incurred losses by event (a yes/no filter and its code)",
        {
            "metrics": ["cat_claims", "incurred_losses"],
            "group_by": ["claim__catastrophe_code"],
            "where": ["{{ Dimension('claim__is_catastrophe') }} = true"],
            "order_by": ["claim__catastrophe_code"],
        },
        "select catastrophe_code, count(*), sum(incurred_amount) from reporting.fct_claims "
        "where catastrophe_code is not null group by 1 order by 1",
    ),
    (
        "telematics motor policies in force at the end of 2025 by age band (two filters, a hop to the customer)",
        {
            "metrics": ["policies_in_force"],
            "group_by": ["customer__age_band"],
            "where": [
                "{{ Dimension('policy_term__has_telematics') }} = true",
                "{{ Dimension('policy_term__line_of_business') }} = 'motor'",
            ],
            "start": "2025-12-01",
            "end": "2026-01-01",
            "order_by": ["customer__age_band"],
        },
        "select c.age_band, count(*) from reporting.fct_policy_snapshot_monthly s "
        "join reporting.fct_policy_terms t using (policy_term_id) join reporting.dim_customers c using (customer_id) "
        "where s.snapshot_date = '2025-12-31' and t.has_telematics and t.line_of_business = 'motor' "
        "group by 1 order by 1",
    ),
    (
        "new policies of multi-line customers by region in 2025 (a customer flag, an expr-free region)",
        {
            "metrics": ["new_policies"],
            "group_by": ["policy_term__region"],
            "where": ["{{ Dimension('customer__is_multi_line') }} = true"],
            "start": "2025-01-01",
            "end": "2026-01-01",
            "order_by": ["policy_term__region"],
        },
        "select t.region, count(*) from reporting.fct_policy_terms t join reporting.dim_customers c using (customer_id) "
        "where c.is_multi_line and not t.is_renewal and t.written_date >= '2025-01-01' "
        "and t.written_date < '2026-01-01' group by 1 order by 1",
    ),
    (
        "earned premium year to date at each month of 2025 (cumulative, grain to date)",
        {
            "metrics": ["earned_premium_ytd"],
            "group_by": [MONTH],
            "start": "2025-01-01",
            "end": "2026-01-01",
            "order_by": [MONTH],
        },  # fmt: skip
        "with e as (select earned_month m, sum(earned_premium) v from reporting.fct_earned_premium_monthly group by 1) "
        "select m, sum(v) over (order by m) from e where m >= '2025-01-01' order by 1",
    ),
    (
        "gross written premium growth versus the same month a year earlier, 2025 (an offset of one year)",
        {
            "metrics": ["gwp_yoy_growth"],
            "group_by": [MONTH],
            "start": "2025-01-01",
            "end": "2026-01-01",
            "order_by": [MONTH],
        },  # fmt: skip
        f"with w as (select date_trunc('month', x.booked_date) m, sum({GWP}) v from reporting.fct_premium_transactions x "
        "group by 1) select w.m, (w.v - p.v) / p.v from w join w p on p.m = w.m - interval 1 year "
        "where w.m >= '2025-01-01' order by 1",
    ),
    (
        "quotes by channel for the top agents' agency, agent channel only (quote -> agent -> agency name)",
        {
            "metrics": ["quotes"],
            "group_by": ["agency__agency_name"],
            "where": ["{{ Dimension('quote__sales_channel') }} = 'agent'"],
            "start": "2025-01-01",
            "end": "2026-01-01",
            "order_by": ["agency__agency_name"],
        },
        "select g.agency_name, count(*) from reporting.fct_quotes q join reporting.dim_agents a using (agent_code) "
        "join reporting.dim_agencies g using (agency_id) where q.sales_channel = 'agent' "
        "and q.quote_date >= '2025-01-01' and q.quote_date < '2026-01-01' group by 1 order by 1",
    ),
]


@pytest.mark.parametrize(("name", "query", "sql"), CASES, ids=[c[0] for c in CASES])
def test_covewell_python_equals_hand_sql(
    name: str, query: dict[str, Any], sql: str, covewell: Project
) -> None:
    ours = day_rows(covewell.run(MetricQuery.build(**query)).rows)
    want = day_rows(hand(covewell, sql))
    assert want and same_rows(ours, want), (ours, want)


def test_covewell_loads_and_validates_deep(covewell_dir: Path, covewell: Project) -> None:
    result = CliRunner().invoke(app, ["validate", "--deep", "-p", str(covewell_dir)])
    out = result.stdout + result.stderr
    assert result.exit_code == 0, out
    assert "0 error(s), 0 warning(s)" in out
    assert len(covewell.metrics()) == 26
    assert {str(m.type.value) for m in covewell.metrics()} == {
        "simple",
        "ratio",
        "derived",
        "cumulative",
        "conversion",
    }
    dims = {d.name for d in covewell.dimensions("gross_written_premium")}
    assert {"policy_term__line_of_business", "policy_term__agent__agency__agency_name"} <= dims


def test_covewell_every_metric_runs_by_month(covewell: Project) -> None:
    """Each of the 26 metrics answers for the 24 months of 2024-2025, except the two event-driven counts: CAT
    claims come only in the months of the four catastrophe events (8 months) and denied claims skip 4 months."""
    sparse = {"cat_claims": 8, "denied_claims": 20}
    short = []
    for metric in covewell.metrics():
        query = MetricQuery.build([metric.name], group_by=[MONTH], start="2024-01-01", end="2026-01-01")
        rows = day_rows(covewell.run(query).rows)
        months = [r[0] for r in rows]
        if metric.name in sparse:
            if len(months) != sparse[metric.name] or not set(months) <= set(MONTHS):
                short.append(metric.name)
        elif months != MONTHS or any(r[1] is None for r in rows):
            short.append(metric.name)
    assert not short, short


def test_covewell_conversion_equals_hand_sql(covewell: Project) -> None:
    """Quote to bind within 30 days, by quote month: the distinct quotes bound into a new policy written on the
    quote's day or the 30 days after, over all quotes of the month."""
    query = MetricQuery.build(
        ["quote_to_bind_rate"], group_by=[MONTH], start="2024-01-01", end="2026-01-01", order_by=[MONTH]
    )
    ours = covewell.run(query).rows
    want = hand(
        covewell,
        "select date_trunc('month', q.quote_date), count(distinct t.quote_id) / count(distinct q.quote_id) "
        "from reporting.fct_quotes q left join reporting.fct_policy_terms t on t.quote_id = q.quote_id "
        "and t.written_date >= q.quote_date and t.written_date <= q.quote_date + 30 "
        "where q.quote_date >= '2024-01-01' group by 1 order by 1",
    )
    assert len(want) == 24 and same_rows(day_rows(ours), day_rows(want)), (ours, want)
    assert all(0.05 < float(r[1]) < 0.4 for r in want), want


def test_covewell_builds_with_dbt(dbt: str, tmp_path: Path) -> None:
    """Real dbt (dbt-duckdb) builds every model and passes every data test on the raw tables as loaded."""
    root = copy_project(COVEWELL, tmp_path / "covewell")
    load_covewell_raw(root / "target" / "covewell.duckdb")
    done = dbt_build(dbt, root)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "14 table models, 29 data tests, 8 view models" in done.stdout, done.stdout[-2000:]


@pytest.mark.parametrize("split", ["dev_covewell.yml", "blind_covewell.yml"])
def test_covewell_question_gold_still_runs(split: str, covewell: Project) -> None:
    """Every answerable question's gold names real metrics, dimensions and values and runs to an answer
    (``check_gold``); only failing ids are reported, so the blind split stays unread."""
    count = {"dev_covewell.yml": 40, "blind_covewell.yml": 20}[split]
    assert not failing_gold(covewell, "covewell", split, count)


@pytest.mark.parametrize("split", ["dev_covewell.yml", "blind_covewell.yml"])
def test_covewell_definition_sql_gives_twenty_four_months(split: str, covewell: Project) -> None:
    """Every answerable definition's hand SQL gives one non-null value per month of 2024-2025 (ids only)."""
    count = {"dev_covewell.yml": 12, "blind_covewell.yml": 6}[split]
    assert not failing_months(covewell, split, MONTHS, count)
