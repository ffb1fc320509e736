"""Readings of session 11, one class each, in wording of their own, run on DuckDB against hand SQL:

- an absence of another entity's rows after a population said beyond its noun ("Paying customers at month
  end who were not invoiced in the month", "Active users who never used alerts") is an anti-join: a new
  model of one row per entity and month of the population, with ``not exists`` on the absent rows of the
  month (or up to its last day for "never"); an unqualified population ("Customers with no invoice") stays
  unread.
"""

from __future__ import annotations

from metricmind.define import Definition, analyze
from metricmind.define.antijoin import absence, read_absence
from metricmind.define.entityavg import per_entity_average
from metricmind.define.extend import warehouse_columns
from metricmind.define.wordrule import read_word_rule
from metricmind.project import Project
from tests.define.monthly import assert_same_as_hand, demo, propose

__all__ = ["demo"]

_PAYERS = """, live as (
      select distinct m.month, s.customer_id
      from months m
      join fct_subscriptions_canonical s
        on not s.is_trial
       and s.started_at <= last_day(m.month)
       and (s.ended_at is null or s.ended_at > last_day(m.month))
    )"""


def test_an_absence_splits_the_population_from_the_absent_rows(demo: Project) -> None:
    m = demo.model
    said = absence(m, Definition("x", "Paying customers at month end who were not invoiced in the month"))
    assert said is not None and (said.population, said.entity, said.rows.name) == (
        "Paying customers at month end",
        "customer",
        "invoices",
    )
    said = absence(m, Definition("x", "Active users who never used alerts"))
    assert said is not None and (said.entity, said.rows.name) == ("user", "events")  # alerts: a feature
    for text in ("Customers with no invoice in the month", "Number of customers that had no product events"):
        assert absence(m, Definition("x", text)) is None, text  # which customers is for a person to say
    assert absence(m, Definition("x", "Invoices not paid")) is None  # a state of the rows counted


def test_paying_customers_not_invoiced_in_the_month(demo: Project) -> None:
    p = propose(
        demo,
        "uninvoiced_payers",
        "Paying customers at month end who were not invoiced in the month",
        "Invoices count by their issue date",
    )
    assert p.new_model is not None and "ref('fct_invoices_canonical')" in p.new_model.sql
    assert not p.unread, p.rules
    assert p.confidence <= 0.7
    hand = (
        _PAYERS
        + """
    select m.month, count(l.customer_id) from months m
    left join live l on l.month = m.month
      and not exists (select 1 from fct_invoices_canonical i
                      where i.customer_id = l.customer_id and date_trunc('month', i.issued_at) = m.month)
    group by 1 order by 1"""
    )
    assert_same_as_hand(demo, p, hand)


def test_users_who_never_used_a_feature_up_to_the_month_end(demo: Project) -> None:
    p = propose(demo, "never_alerted_users", "Active users who never used alerts")
    hand = """
    , active as (
      select distinct date_trunc('month', event_date) as month, user_id from fct_user_events_canonical
    )
    select m.month, count(a.user_id) from months m
    left join active a on a.month = m.month
      and not exists (select 1 from fct_user_events_canonical e
                      where e.user_id = a.user_id and e.feature = 'alerts'
                        and e.event_date <= last_day(m.month))
    group by 1 order by 1"""
    assert_same_as_hand(demo, p, hand)


def test_paying_accounts_with_no_api_event_in_the_month(demo: Project) -> None:
    p = propose(
        demo,
        "api_silent_accounts",
        "Paying accounts at month end without any api event during the month",
        "Paying means a paid subscription live on the month's last day",
    )
    hand = (
        _PAYERS
        + """
    select m.month, count(l.customer_id) from months m
    left join live l on l.month = m.month
      and not exists (select 1 from fct_user_events_canonical e
                      where e.customer_id = l.customer_id and e.feature = 'api'
                        and date_trunc('month', e.event_date) = m.month)
    group by 1 order by 1"""
    )
    assert_same_as_hand(demo, p, hand)


def test_an_average_per_entity_says_the_thing_and_the_entity(demo: Project) -> None:
    m = demo.model
    said = per_entity_average(m, "Mean number of active days per active user in the month")
    assert said is not None and (said.what, said.per, said.entity, said.days) == (
        "active days",
        "active user",
        "user",
        True,
    )
    said = per_entity_average(m, "Avg seats per Enterprise account")
    assert said is not None and (said.what, said.entity, said.days) == ("seats", "customer", False)
    assert per_entity_average(m, "Average customers per segment") is None  # no entity's value averaged
    assert per_entity_average(m, "Average invoice amount") is None  # no "per": the rows' own average


def test_average_active_days_per_active_user(demo: Project) -> None:
    p = propose(
        demo,
        "days_per_user",
        "Mean number of active days per active user in the month",
        "Only users with at least one event in the month count in the average",
    )
    assert not p.unread, p.rules
    hand = """
    , ud as (
      select date_trunc('month', event_date) as month, user_id, count(distinct event_date) as days
      from fct_user_events_canonical group by 1, 2
    )
    select m.month, avg(u.days) from months m join ud u on u.month = m.month group by 1 order by 1"""
    assert_same_as_hand(demo, p, hand)


def test_average_seats_per_account_adds_the_seats_up_per_account_first(demo: Project) -> None:
    p = propose(
        demo,
        "seats_per_smb_account",
        "Average seats per SMB account",
        "Paid subscriptions live at month end",
        "Sum the seats of each account first",
    )
    assert [r.status for r in p.rules if r.text.startswith("Sum")] == ["covered"], p.rules
    assert not p.unread, p.rules
    hand = (
        _PAYERS.replace("select distinct m.month, s.customer_id", "select m.month, s.customer_id, s.seats")
        + """
    , per_account as (
      select l.month, l.customer_id, sum(l.seats) as seats from live l
      join dim_customers_canonical c on c.customer_id = l.customer_id and c.segment = 'SMB'
      group by 1, 2
    )
    select m.month, avg(a.seats) from months m join per_account a on a.month = m.month
    group by 1 order by 1"""
    )
    assert_same_as_hand(demo, p, hand)


def test_a_word_a_rule_defines_by_thresholds_per_entity(demo: Project) -> None:
    p = propose(
        demo,
        "heavy_users",
        "Heavy users",
        "A heavy user is one who logged more than 20 events in the month on at least 2 platforms (ios, android)",
        "Count each person once",
    )
    assert not p.unread, p.rules
    hand = """
    , um as (
      select date_trunc('month', event_date) as month, user_id from fct_user_events_canonical
      group by 1, 2
      having count(*) > 20 and count(distinct case when platform in ('ios', 'android') then platform end) >= 2
    )
    select m.month, count(u.user_id) from months m left join um u on u.month = m.month group by 1 order by 1"""
    assert_same_as_hand(demo, p, hand)


def test_a_defined_word_with_a_word_left_over_is_not_built(demo: Project) -> None:
    for rule in (
        "A heavy user is one with 20+ events in the month who is on the Enterprise plan",  # "Enterprise"
        "A heavy user is one with 20+ events",  # no month said
        "A heavy user is one with 20+ events in the month on at least 2 platforms (smartwatch)",  # no such value
    ):
        d = Definition("heavy_users", "Heavy users", (rule,))
        assert read_word_rule(d, demo.model, "duckdb", 4) is None, rule
    d = Definition(
        "heavy_users",
        "Heavy users in the Enterprise segment",
        ("A heavy user is one with 20+ events in the month",),
    )
    assert read_word_rule(d, demo.model, "duckdb", 4) is None  # the definition says more than the word


_WITHIN = """
    , cohort as (
      select c.customer_id, date_trunc('month', c.signup_date) as month,
             exists (select 1 from fct_user_events_canonical e
                     where e.customer_id = c.customer_id {extra}
                       and e.event_date between c.signup_date and c.signup_date + {days}) as hit
      from dim_customers_canonical c
    )
    select m.month, {value} from months m left join cohort c on c.month = m.month group by 1 order by 1"""


def test_a_percentage_of_a_cohort_with_rows_of_another_table_within_n_days(demo: Project) -> None:
    p = propose(
        demo,
        "alerts_within_a_week",
        "Percentage of sign-ups that used alerts within 7 days of signing up",
        "Cohort by sign-up month",
    )
    assert not p.unread, p.rules
    value = "100.0 * count(*) filter (where c.hit) / nullif(count(c.customer_id), 0)"
    assert_same_as_hand(demo, p, _WITHIN.format(extra="and e.feature = 'alerts'", days=7, value=value))


def test_a_count_of_a_cohort_with_rows_within_n_days(demo: Project) -> None:
    p = propose(
        demo,
        "quick_starters",
        "Sign-ups who had a product event within two days",
        "Cohort by sign-up month",
        "Within two days means on the sign-up date or up to two days after it",
    )
    assert not p.unread, p.rules
    assert_same_as_hand(demo, p, _WITHIN.format(extra="", days=2, value="count(*) filter (where c.hit)"))


def test_a_window_of_another_date_is_not_read_as_the_population_s(demo: Project) -> None:
    p = analyze(
        Definition("x", "Percentage of sign-ups that used alerts within 14 days of their first subscription"),
        demo.model,
        columns=warehouse_columns(demo.warehouse),
    )
    assert p.new_model is None or not p.new_model.name.endswith("_window"), p.new_model


def test_an_average_count_of_rows_per_entity(demo: Project) -> None:
    p = propose(demo, "invoices_per_customer", "Average invoices issued per customer in the month")
    assert not p.unread, p.rules
    hand = """
    , per_customer as (
      select date_trunc('month', issued_at) as month, customer_id, count(*) as n
      from fct_invoices_canonical group by 1, 2
    )
    select m.month, avg(c.n) from months m join per_customer c on c.month = m.month group by 1 order by 1"""
    assert_same_as_hand(demo, p, hand)


def test_an_absence_of_two_periods_is_not_read(demo: Project) -> None:
    d = Definition("x", "Active users who never used alerts, counted each month")
    assert read_absence(d, demo.model, lambda _: propose(demo, "x", "Active users"), "duckdb", 4) is None
