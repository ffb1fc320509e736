"""Measure kinds of the fourth definition set, probed in new wording and executed against hand SQL.

Each probe is a paraphrase written for this file (not a case of ``cases/``): the proposal's metric runs
by month for 2024 on the demo (new measures, models and helper metrics compiled without dbt) and must
equal the hand SQL, or carry a doubt (confidence < 0.8) and never be confidently wrong.
"""

from __future__ import annotations

import datetime as dt
import time
from functools import cache
from typing import Any

import pytest

from metricmind.define import Definition, Proposal, analyze
from metricmind.define.columns import TableValues, table_values
from metricmind.define.extend import proposal_sql, warehouse_columns
from metricmind.project import Project

MONTHS = (
    "with months as (select cast(unnest(generate_series(date '2024-01-01', date '2024-12-01', "
    "interval 1 month)) as date) as month)"
)


@cache
def _context(root: str) -> tuple[dict[str, dict[str, str]], TableValues]:
    with Project.load(root) as project:
        columns = warehouse_columns(project.warehouse)
        return columns, table_values(project.warehouse, project.model, columns)


def propose(demo: Project, name: str, text: str, *rules: str) -> Proposal:
    """``analyze`` with the warehouse's columns and values (as the CLI, the web and the bench do)."""
    columns, values = _context(str(demo.root))
    started = time.perf_counter()
    p = analyze(
        Definition(name, text, rules), demo.model, dialect=demo.dialect, columns=columns, values=values
    )
    assert (time.perf_counter() - started) < 2.0  # < 200 ms unloaded; generous on a shared machine
    return p


def rows(demo: Project, sql: str) -> dict[dt.date, float]:
    out: dict[dt.date, float] = {}
    for month, value in demo.warehouse.run(sql).rows:
        day = month.date() if isinstance(month, dt.datetime) else month
        out[day] = float(value) if value is not None else 0.0
    return out


def equal_to_hand(demo: Project, p: Proposal, hand: str) -> bool:
    """The proposal's 2024 months equal the hand SQL's (within a cent or a millionth)."""
    assert p.refused is None and p.metric is not None, p.message
    got = rows(demo, proposal_sql(demo.model, p, start="2024-01-01", end="2024-12-31"))
    want = rows(demo, hand)
    assert len(want) == 12
    return all(
        abs(got.get(m, 0.0) - w) <= 0.01 or abs(got.get(m, 0.0) - w) <= 1e-6 * abs(w) for m, w in want.items()
    )


def kind_of(p: Proposal) -> dict[str, Any]:
    assert p.metric is not None
    return p.metric


# --- a ratio per distinct entity ---------------------------------------------------------------------

EVENTS_PER_ACCOUNT = f"""{MONTHS}
select m.month, count(e.event_id) / count(distinct e.customer_id) as value
from months m join fct_user_events_canonical e on date_trunc('month', e.event_date) = m.month
group by m.month order by m.month"""


@pytest.mark.parametrize(
    "text",
    [
        "Product events per active account, monthly",
        "Events divided by distinct customers who had an event, each month",
        "Average usage per account: every event divided by the count of distinct customers with any event",
    ],
)
def test_a_ratio_per_entity_counts_the_entity_among_the_numerators_rows(demo: Project, text: str) -> None:
    p = propose(demo, "events_per_account", text)
    den = kind_of(p)["type_params"]["denominator"]["name"]
    assert den != "active_customers"  # the month-end snapshot of live subscriptions is another count
    added = [m.measure for m in p.new_measures]
    assert any(m["agg"] == "count_distinct" and m["expr"] == "customer_id" for m in added)
    assert equal_to_hand(demo, p, EVENTS_PER_ACCOUNT)
    assert p.confidence < 0.8 or "distinct" in text  # "active" alone could mean a live subscription


def test_a_per_entity_ratio_keeps_an_existing_count_of_the_same_rows(demo: Project) -> None:
    p = propose(demo, "events_per_user", "Events per active user each month")
    assert kind_of(p)["type_params"]["denominator"]["name"] == "active_users"
    assert not p.new_measures


def test_mrr_per_active_customer_stays_on_the_snapshot(demo: Project) -> None:
    """A snapshot numerator (MRR) is divided by the snapshot of active customers, as ARPA is."""
    p = propose(demo, "mrr_per_customer", "MRR per active customer at month end")
    if p.metric is not None and p.metric["type"] == "ratio":
        assert p.metric["type_params"]["denominator"]["name"] == "active_customers"


# --- a difference of two measures, each on its own date ----------------------------------------------

NET_CASH = f"""{MONTHS}
, collected as (select date_trunc('month', paid_at) as month, sum(amount) as amount
  from fct_invoices_canonical where paid_at is not null group by 1)
, refunded as (select date_trunc('month', refunded_at) as month, sum(refunded_amount) as amount
  from fct_invoices_canonical where refunded_at is not null group by 1)
select m.month, coalesce(c.amount, 0) - coalesce(r.amount, 0) as value
from months m left join collected c on c.month = m.month left join refunded r on r.month = m.month
order by m.month"""


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        ("Cash collected minus refunds, monthly", ()),
        (
            "Payments received in the month less money refunded in the month",
            ("Payments by payment date", "Refunds by refund date"),
        ),
        (
            "Cash in, net: invoice amounts paid in the month (by paid date) minus refunds paid back in the "
            "month (by refund date)",
            (),
        ),
    ],
)
def test_a_difference_dates_each_part_by_its_own_date(
    demo: Project, text: str, rules: tuple[str, ...]
) -> None:
    p = propose(demo, "net_cash", text, *rules)
    metric = kind_of(p)
    assert metric["type"] == "derived" and " - " in metric["type_params"]["expr"]
    assert not p.unread or p.confidence < 0.8
    assert equal_to_hand(demo, p, NET_CASH)


def test_a_difference_of_one_thing_with_itself_is_not_proposed(demo: Project) -> None:
    p = propose(demo, "nothing", "Refunds minus refunds")
    assert p.metric is None or p.metric["type"] != "derived" or p.confidence < 0.8


# --- a share of a total, in percent or as a fraction as worded ---------------------------------------

REGION_SHARE = f"""{MONTHS}
select m.month, {{scale}} * sum(case when c.region = 'EMEA' then s.mrr else 0 end) / sum(s.mrr) as value
from months m
join fct_subscriptions_canonical s on s.started_at <= last_day(m.month)
  and (s.ended_at is null or s.ended_at > last_day(m.month)) and not s.is_trial
join dim_customers_canonical c on c.customer_id = s.customer_id
group by m.month order by m.month"""


@pytest.mark.parametrize(
    ("text", "scale"),
    [
        ("EMEA's share of total MRR at month end, 0-100", "100.0"),
        ("EMEA's share of all MRR at the end of each month, in percent", "100.0"),
        ("EMEA's share of the whole MRR at month end, as a fraction from 0 to 1", "1.0"),
        ("EMEA's share of total MRR at month end", "1.0"),
    ],
)
def test_a_share_of_a_total_is_the_part_over_the_whole_scaled_as_worded(
    demo: Project, text: str, scale: str
) -> None:
    p = propose(demo, "emea_share", text, "No trials")
    assert equal_to_hand(demo, p, REGION_SHARE.replace("{scale}", scale))


def test_as_a_percentage_of_alone_keeps_the_fraction(demo: Project) -> None:
    """'X as a percentage of Y' names the ratio; only '0-100' or 'in per cent' scale it by 100."""
    p = propose(demo, "refund_share", "Refunds as a percentage of collections")
    assert p.metric is None or p.metric["type"] == "ratio"


# --- a time dimension named without "by" -------------------------------------------------------------


@pytest.mark.parametrize("rule", ["Month of conversion", "Counted in the month the customer converted"])
def test_a_rule_naming_the_month_of_an_event_dates_the_metric(demo: Project, rule: str) -> None:
    p = propose(
        demo, "organic_new_mrr", "First-touch new MRR from organic search", "Organic search only", rule
    )
    reading = next(r for r in p.rules if r.text == rule)
    assert reading.status == "time" and "converted_at" in reading.reason
    hand = f"""{MONTHS}
    select m.month, coalesce(sum(t.first_touch_new_mrr), 0) as value from months m
    left join fct_marketing_touchpoints_canonical t on date_trunc('month', t.converted_at) = m.month
      and t.channel = 'organic_search' group by m.month order by m.month"""
    assert equal_to_hand(demo, p, hand)


def test_an_average_over_another_grain_is_a_doubt(demo: Project) -> None:
    """'one journey per customer, not per touch' averages de-duplicated rows: never confidently the
    average over every touch."""
    p = propose(
        demo,
        "touches_per_journey",
        "Average journey touches per converted customer (one journey per customer, not per touch)",
        "Month of conversion",
    )
    assert p.metric is None or p.confidence < 0.8


# --- an average of daily values over calendar days ---------------------------------------------------

AVERAGE_DAILY_USERS = f"""{MONTHS}
, days as (select cast(unnest(generate_series(date '2024-01-01', date '2024-12-31', interval 1 day)) as date)
  as day)
, daily as (select d.day, count(distinct e.user_id) as n from days d
  left join fct_user_events_canonical e on e.event_date = d.day group by d.day)
select m.month, avg(n) as value from months m join daily on date_trunc('month', daily.day) = m.month
group by m.month order by m.month"""


@pytest.mark.parametrize(
    "text",
    [
        "Average daily active users in the month, over every calendar day",
        "Mean daily distinct users of the product, each month, across all calendar days",
    ],
)
def test_an_average_of_daily_values_counts_each_day_then_averages(demo: Project, text: str) -> None:
    p = propose(demo, "avg_daily_users", text)
    assert p.new_model is not None and p.new_model.semantic_model["measures"][0]["agg"] == "average"
    assert equal_to_hand(demo, p, AVERAGE_DAILY_USERS)


def test_a_daily_average_with_rules_is_not_built_on_the_monthly_count(demo: Project) -> None:
    """A filter would have to apply inside the daily model: not built, never the monthly distinct count."""
    p = propose(demo, "avg_daily_mobile", "Average daily active users in the month", "Only mobile")
    assert p.metric is None or p.new_model is None or p.confidence < 0.8
    if p.metric is not None and p.refused is None:
        assert p.metric.get("type_params", {}).get("measure") != "active_users" or p.confidence < 0.8


# --- a conversion rate over a status column ----------------------------------------------------------

MID_MARKET_CONVERSION = f"""{MONTHS}
select m.month, count(*) filter (where s.status = 'trial_converted') / count(*) as value
from months m
join fct_subscriptions_canonical s on date_trunc('month', s.started_at) = m.month and s.is_trial
join dim_customers_canonical c on c.customer_id = s.customer_id and c.segment = 'Mid-Market'
group by m.month order by m.month"""


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (
            "Trials that converted divided by trials started, by trial start month",
            "Converted means the status is trial_converted",
        ),
        (
            "Conversion of trials: trials that converted divided by all trials started in the month",
            "A trial converted once its status is trial_converted",
        ),
    ],
)
def test_a_rule_saying_which_rows_converted_filters_the_numerator_only(
    demo: Project, text: str, rule: str
) -> None:
    """Not the catalog's `trial_conversion_rate` (paid within 30 days): the status the rule names."""
    p = propose(demo, "mm_conversion", text, "Only Mid-Market", rule)
    metric = kind_of(p)
    assert metric["type"] == "ratio"
    assert "trial_converted" in metric["type_params"]["numerator"]["filter"]
    assert "trial_converted" not in str(metric["type_params"]["denominator"].get("filter"))
    reading = next(r for r in p.rules if r.text == rule)
    assert reading.status == "filter" and reading.predicate
    assert equal_to_hand(demo, p, MID_MARKET_CONVERSION)


def test_a_rule_naming_no_value_the_numerator_reaches_is_not_applied(demo: Project) -> None:
    p = propose(
        demo,
        "bad_conversion",
        "Trials that converted divided by trials started",
        "Converted means the status is platinum",
    )
    assert p.metric is None or p.unread or p.confidence < 0.8


# --- distinct entities over a threshold of a column summed per entity ---------------------------------


def _seat_threshold(op: str, region: str | None) -> str:
    join = (
        f"join dim_customers_canonical c on c.customer_id = p.customer_id and c.region = '{region}'"
        if region
        else ""
    )
    return f"""{MONTHS}
, per as (select m.month, s.customer_id, sum(s.seats) as seats from months m
  join fct_subscriptions_canonical s on s.started_at <= last_day(m.month)
   and (s.ended_at is null or s.ended_at > last_day(m.month)) and not s.is_trial group by 1, 2)
select m.month, count(p.customer_id) as value from months m
left join {"(per p " + join + ")" if join else "per p"} on p.month = m.month and p.seats {op} group by m.month order by m.month"""


@pytest.mark.parametrize(
    ("text", "rules", "op", "region"),
    [
        ("Customers holding more than 50 seats in total at month end", ("Exclude trials",), "> 50", None),
        (
            "Accounts with at least 20 seats in total across their live subscriptions at the end of each month",
            ("No trials", "EMEA only"),
            ">= 20",
            "EMEA",
        ),
    ],
)
def test_entities_over_a_threshold_sum_the_column_per_entity_first(
    demo: Project, text: str, rules: tuple[str, ...], op: str, region: str | None
) -> None:
    p = propose(demo, "big_accounts", text, *rules)
    assert p.new_model is not None and p.new_model.name == "subscriptions_customer_month_end"
    assert "sum(seats)" in p.new_model.sql and "is_trial = false" in p.new_model.sql
    assert equal_to_hand(demo, p, _seat_threshold(op, region))
