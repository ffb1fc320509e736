"""Readings of session 9, one class each, in wording of their own: entities active on at least N days of
the month (a count threshold per entity, built as a new model of one row per entity and month). Each
proposal is run on DuckDB against hand SQL, or must stay unread (refused, or an unread item).
"""

from __future__ import annotations

from metricmind.define import Definition, analyze
from metricmind.define.entitydays import days_threshold, rows_threshold
from metricmind.define.extend import warehouse_columns
from metricmind.project import Project
from tests.define.monthly import assert_same_as_hand, propose


def _days_hand(having: str, where: str = "true", join: str = "") -> str:
    return f"""select m.month, count(p.user_id) from months m
    left join (
      select date_trunc('month', e.occurred_at) as month, e.user_id
      from fct_user_events_canonical e {join}
      where {where}
      group by 1, 2
      having count(distinct cast(e.occurred_at as date)) {having}
    ) p on p.month = m.month
    group by 1 order by 1"""


def test_a_days_threshold_is_read_only_as_days_on_which_in_the_month() -> None:
    assert days_threshold("Users active on at least 5 different days in the month") == (">=", 5)
    assert days_threshold("Accounts with events on 3 or more days each month") == (">=", 3)
    assert days_threshold("Users seen on more than 7 distinct calendar days during the month") == (">", 7)
    assert days_threshold("Users active on 4+ days that month") == (">=", 4)
    assert days_threshold("Users active on at least 5 days") is None  # no period said
    assert days_threshold("Users active on at least 5 days in the quarter") is None
    assert days_threshold("Invoices on at least 30 days past due in the month") is None  # a duration
    assert days_threshold("Users active for at least 5 days in the month") is None  # a run of days?
    assert days_threshold("Users active on fewer than 3 days in the month") is None  # 0 days left out


def test_users_active_on_n_or_more_distinct_days(demo: Project) -> None:
    p = propose(demo, "habitual_users", "Users who used the product on 10 or more distinct days in the month")
    assert p.new_model is not None and "count(distinct day)" in p.new_model.sql
    assert not [r for r in p.rules if r.status == "unread"], p.rules
    assert_same_as_hand(demo, p, _days_hand(">= 10"))


def test_the_rules_on_the_rows_are_applied_before_the_days_are_counted(demo: Project) -> None:
    p = propose(
        demo,
        "web_dashboard_regulars",
        "Users who used dashboards on more than 3 days each month",
        "Only the web platform",
    )
    assert not [r for r in p.rules if r.status == "unread"], p.rules
    assert p.new_model is not None and p.new_model.name.startswith("web_dashboard_regulars")
    assert_same_as_hand(demo, p, _days_hand("> 3", "e.platform = 'web' and e.feature = 'dashboards'"))


def test_a_condition_on_the_counted_entity_stays_the_metric_filter(demo: Project) -> None:
    p = propose(demo, "admin_regulars", "Admin users active on at least 2 different days in the month")
    assert p.metric is not None and "user__role" in str(p.metric.get("filter"))
    join = "join dim_users u on u.user_id = e.user_id and u.role = 'admin'"
    assert_same_as_hand(demo, p, _days_hand(">= 2", join=join))


def test_a_condition_on_another_entity_the_rows_carry_is_read_on_the_rows(demo: Project) -> None:
    # "Enterprise users": the event's customer's segment, joined by the event's own customer_id
    p = propose(demo, "ent_regulars", "Enterprise users active on at least 5 days in the month")
    assert p.new_model is not None and "dim_customers_canonical" in p.new_model.refs
    join = "join dim_customers_canonical c on c.customer_id = e.customer_id and c.segment = 'Enterprise'"
    assert_same_as_hand(demo, p, _days_hand(">= 5", join=join))


def _unread_or_refused(project: Project, text: str, *rules: str) -> None:
    p = analyze(Definition("x", text, rules), project.model, columns=warehouse_columns(project.warehouse))
    assert p.refused or any(r.status == "unread" for r in p.rules), (p.metric, p.rules)


def test_unsafe_neighbours_stay_unread(demo: Project) -> None:
    _unread_or_refused(demo, "Users active on fewer than 3 days in the month")  # users with 0 days
    _unread_or_refused(demo, "Users active on at least 5 days in the quarter")
    _unread_or_refused(demo, "Users active for at least 5 days in the month")
    # a monthly mart (one row per user and month) has no days to count
    _unread_or_refused(demo, "Number of active users on 10 or more distinct days in the month")


def _live_hand(where: str = "true") -> str:
    return f"""select m.month, count(s.subscription_id) from months m
    left join fct_subscriptions_canonical s
      on s.started_at <= last_day(m.month) and (s.ended_at is null or s.ended_at > last_day(m.month))
      and {where}
    group by 1 order by 1"""


def test_a_compound_names_its_last_noun_as_the_entity_counted(demo: Project) -> None:
    # "trial subscriptions": subscriptions counted, "trial" says which (not the trials table)
    p = propose(demo, "live_trial_subs", "Trial subscriptions live on the last day of each month")
    assert "subscription__is_trial" in str(p.metric and p.metric.get("filter"))
    assert_same_as_hand(demo, p, _live_hand("s.is_trial"))
    p = propose(demo, "live_subs", "Customer subscriptions live at each month end")
    assert_same_as_hand(demo, p, _live_hand())


def test_a_flow_never_answers_a_point_in_time(demo: Project) -> None:
    # the trials table has no end date: counting trials started would answer another question
    p = analyze(
        Definition("x", "Trials live on the last day of each month", ()),
        demo.model,
        columns=warehouse_columns(demo.warehouse),
    )
    assert p.refused == "unsupported" and "point in time" in (p.message or ""), (p.metric, p.message)
    _unread_or_refused(demo, "Paid invoices as of each month end")


def _accounts_hand(feature: str, column: str, value: str) -> str:
    return f"""select m.month, count(distinct e.customer_id) from months m
    left join (
      select e.customer_id, e.occurred_at from fct_user_events_canonical e
      join dim_customers_canonical c on c.customer_id = e.customer_id and c.{column} = '{value}'
      where e.feature = '{feature}'
    ) e on date_trunc('month', e.occurred_at) = m.month
    group by 1 order by 1"""


def test_a_count_lead_before_a_value_still_counts_the_entity(demo: Project) -> None:
    # "Number of <value> accounts that …": the accounts are counted, never the events they had
    p = propose(demo, "ent_alert_accounts", "Number of Enterprise accounts that used alerts in the month")
    assert_same_as_hand(demo, p, _accounts_hand("alerts", "segment", "Enterprise"))
    # the same class where the alerts are not read (customers counted from their own table): flagged
    text = "The number of SMB customers that used alerts in the month"
    p = analyze(Definition("x", text, ()), demo.model, columns=warehouse_columns(demo.warehouse))
    if not p.refused and not any(r.status == "unread" for r in p.rules):
        assert_same_as_hand(demo, p, _accounts_hand("alerts", "segment", "SMB"))


def _invoices_hand(having: str, where: str = "true") -> str:
    return f"""select m.month, count(p.customer_id) from months m
    left join (
      select date_trunc('month', i.issued_at) as month, i.customer_id
      from fct_invoices_canonical i
      where {where}
      group by 1, 2
      having count(*) {having}
    ) p on p.month = m.month
    group by 1 order by 1"""


def test_entities_with_at_least_n_rows_in_the_month(demo: Project) -> None:
    p = propose(demo, "multi_invoice_customers", "Customers with at least 3 invoices issued in the month")
    assert p.new_model is not None and "count(*)" in p.new_model.sql
    assert not [r for r in p.rules if r.status == "unread"], p.rules
    assert_same_as_hand(demo, p, _invoices_hand(">= 3"))
    p = propose(
        demo,
        "card_repeat_customers",
        "Customers with more than 1 invoice issued in the month",
        "Only card payments",
    )
    assert_same_as_hand(demo, p, _invoices_hand("> 1", "i.payment_method = 'card'"))


def test_a_rows_threshold_never_replaces_a_column_summed_or_a_missing_zero() -> None:
    assert days_threshold("Customers with at least 3 invoices in the month") is None
    assert rows_threshold("Customers with at least 3 invoices in the month") == (">=", 3, "invoices")
    assert rows_threshold("Customers with fewer than 3 invoices in the month") is None  # 0 invoices left out
    assert rows_threshold("Customers with at least 3 invoices") is None  # no month said


def test_rows_threshold_neighbours_stay_unread(demo: Project) -> None:
    _unread_or_refused(demo, "Customers with fewer than 3 invoices issued in the month")
    _unread_or_refused(demo, "Customers with at least 3 invoices")
    # subscriptions live over a period: started in the month, or live in it? unread until the date is said
    _unread_or_refused(demo, "Customers with at least 2 subscriptions in the month")
    # another date of the rows said ("paid"): never counted by the issue date
    _unread_or_refused(demo, "Customers with at least 3 invoices paid in the month")


def test_rows_that_live_over_a_period_are_counted_by_the_date_said(demo: Project) -> None:
    p = propose(demo, "multi_sub_starters", "Customers with at least 2 subscriptions started in the month")
    assert_same_as_hand(
        demo,
        p,
        """select m.month, count(p.customer_id) from months m
        left join (
          select date_trunc('month', s.started_at) as month, s.customer_id
          from fct_subscriptions_canonical s group by 1, 2 having count(*) >= 2
        ) p on p.month = m.month
        group by 1 order by 1""",
    )
