"""The demo's dev7/dev8 misses whose class a rule read from the catalog fixes (issue 14), in other words than
the dev sets', with the rows checked on the demo's warehouse where numbers are involved:

- a share of one event's doers who did another ("what percent of trialists ended up paying"): the catalog's
  conversion rate whose base event (trial starts: "trials") and conversion event (new customers: "paying") are
  said in that order, its words no value ("trialists" is no subscription status "trialing");
- what it cost to get one of a count ("what did it cost us to win one customer"): the one ratio of an amount
  over that count (CAC, spend over new customers), as "cost per customer won" would be;
- a count said by its own words ("new logos sourced by referrals") is never renamed, on a description's
  evidence, to an amount (the first-touch new MRR): the catalog's units differ (``describedunit``).
"""

from __future__ import annotations

import datetime as dt

import pytest

from metricmind.project import Project
from metricmind.resolve import Resolver

AS_OF = dt.date(2026, 6, 18)


def _rows(project: Project, resolver: Resolver, question: str) -> list[tuple[object, ...]]:
    res = resolver.resolve(question, as_of=AS_OF)
    assert res.answerable, res.reason
    query = res.metric_query()
    assert query is not None
    rows = [tuple(r) for r in project.run(query).rows]
    assert rows
    return rows


@pytest.mark.parametrize(
    "question",
    [
        "what proportion of trial users ended up paying in q1 2026",
        "percentage of trialists who became paying customers, q1 2026",
        "what % of free trials turned into new customers in q1 2026",
    ],
)
def test_share_of_one_event_doing_another_is_the_conversion_rate(
    resolve_demo: Project, resolver: Resolver, question: str
) -> None:
    res = resolver.resolve(question, as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == ["trial_conversion_rate"]
    assert res.filters == [] and res.group_by == []
    assert res.time_range == (dt.date(2026, 1, 1), dt.date(2026, 4, 1))
    said = _rows(resolve_demo, resolver, question)
    named = _rows(resolve_demo, resolver, "trial conversion rate in q1 2026")
    assert said == named and 0 < float(said[0][-1] or 0) <= 1


def test_conversion_share_keeps_its_breakdown(resolver: Resolver) -> None:
    res = resolver.resolve("percent of trialists ending up paying in 2025 by segment", as_of=AS_OF)
    assert res.metrics == ["trial_conversion_rate"]
    assert res.group_by == [("customer__segment", None)] and res.filters == []


def test_share_of_other_counts_is_left_alone(resolver: Resolver) -> None:
    churn = resolver.resolve("percent of customers who churned last month", as_of=AS_OF)
    assert churn.metrics == ["customer_churn_rate"]
    trialing = resolver.resolve("mrr from trialing subscriptions last month", as_of=AS_OF)
    assert [(f.field, f.values) for f in trialing.filters] == [("subscription__status", ("trialing",))]


@pytest.mark.parametrize(
    "question",
    [
        "what did it cost us to win one customer in q1 2026",
        "how much did we spend to land a single new customer in q1 2026",
    ],
)
def test_cost_to_win_one_is_the_ratio_over_the_count(
    resolve_demo: Project, resolver: Resolver, question: str
) -> None:
    res = resolver.resolve(question, as_of=AS_OF)
    assert res.answerable, res.reason
    assert res.metrics == ["cac"] and res.group_by == [] and res.filters == []
    assert res.time_range == (dt.date(2026, 1, 1), dt.date(2026, 4, 1))
    said = _rows(resolve_demo, resolver, question)
    assert said == _rows(resolve_demo, resolver, "cac in q1 2026") and float(said[0][-1] or 0) > 0


def test_cost_to_win_one_keeps_a_channel(resolver: Resolver) -> None:
    res = resolver.resolve(
        "what did it cost us to win one customer through paid social in q1 2026", as_of=AS_OF
    )
    assert res.metrics == ["cac"]
    assert [(f.field, f.values) for f in res.filters] == [("marketing_channel__name", ("paid_social",))]


def test_a_count_with_no_cost_of_one_is_left_alone(resolver: Resolver) -> None:
    won = resolver.resolve("how many customers did we win in q1 2026", as_of=AS_OF)
    assert won.metrics == ["new_customers"]
    spent = resolver.resolve("how much did we spend on ads in q1 2026", as_of=AS_OF)
    assert spent.metrics == ["marketing_spend"]


@pytest.mark.parametrize(
    "question",
    ["new logos sourced by referrals in q1 2026", "new paying customers sourced by referral in q1 2026"],
)
def test_a_count_said_is_not_renamed_to_an_amount(
    resolve_demo: Project, resolver: Resolver, question: str
) -> None:
    res = resolver.resolve(question, as_of=AS_OF)
    assert res.metrics == ["new_customers"]
    assert [(f.field, f.values) for f in res.filters] == [("customer__acquisition_channel", ("referral",))]
    said = float(_rows(resolve_demo, resolver, question)[0][-1] or 0)
    every = float(_rows(resolve_demo, resolver, "new customers in q1 2026")[0][-1] or 0)
    assert 0 < said < every and said == int(said)  # a count of some of the new customers, no MRR


def test_an_amount_said_keeps_its_attribution(resolver: Resolver) -> None:
    res = resolver.resolve("new mrr sourced by referrals in q1 2026", as_of=AS_OF)
    assert res.metrics == ["first_touch_attributed_new_mrr"]
