"""Business words read from the catalog's own texts (wording of our own; demo and other projects).

- a verb of winning that the named metric says is no evidence another metric must explain ("what's it
  costing us to win each new customer": CAC, not new customers);
- a grain said of what something is worth ("worth per month") is the metric's own rate when its words say
  so (ARPA is MRR per account, and MRR is monthly), not a breakdown;
- a listed word sharing a head noun names the one metric of the partner's unit whose words hold both ("won
  and lost customers": new and churned customers);
- a month a verb ends, closes or begins ("did we end may with") is that month;
- a relative clause restating the described metric's definition costs less than unexplained words.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from metricmind.project import Project
from metricmind.resolve import Resolver

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "metricmind" / "demo" / "project"
BAZAAR = ROOT / "metricmind" / "testing" / "projects" / "bazaar"
DAY = dt.date(2025, 6, 18)


@pytest.fixture(scope="module")
def demo() -> Resolver:
    return Resolver(Project.load(DEMO, strict=False).model)


def _range(res: object) -> tuple[str, str] | None:
    rng = res.time_range  # type: ignore[attr-defined]
    return None if rng is None else (rng[0].isoformat(), rng[1].isoformat())


@pytest.mark.parametrize(
    "question",
    ["what does it cost us to win a new customer", "what did we spend to win each new customer last year"],
)
def test_a_verb_the_named_metric_says_leaves_the_cost_to_explain(demo: Resolver, question: str) -> None:
    res = demo.resolve(question, as_of=DAY)
    assert res.answerable and res.metrics == ["cac"]


def test_the_verb_alone_still_counts_the_wins(demo: Resolver) -> None:
    res = demo.resolve("how many new customers did we win last month", as_of=DAY)
    assert res.metrics == ["new_customers"] and res.confidence == 1.0


def test_a_grain_said_of_worth_is_the_metrics_rate(demo: Resolver) -> None:
    res = demo.resolve("what does the average customer pay us per month", as_of=DAY)
    assert res.answerable and res.metrics == ["arpa"] and res.group_by == []
    # a metric named before the grain is still broken down by it
    by_month = demo.resolve("new mrr per month", as_of=DAY)
    assert by_month.group_by == [("metric_time", "month")]
    # a rate whose words say nothing of months keeps the breakdown
    cac = demo.resolve("what's the cost of acquiring a customer each month", as_of=DAY)
    assert cac.metrics == ["cac"] and cac.group_by == [("metric_time", "month")]


@pytest.mark.parametrize(
    ("question", "metrics"),
    [
        ("won and lost customers by quarter", {"new_customers", "churned_customers"}),
        ("gained and lost users by month", {"new_users", "churned_users"}),
    ],
)
def test_a_listed_word_sharing_a_noun_is_the_metric_whose_words_hold_both(
    demo: Resolver, question: str, metrics: set[str]
) -> None:
    res = demo.resolve(question, as_of=DAY)
    assert res.answerable and set(res.metrics) == metrics


@pytest.mark.parametrize(
    ("question", "span"),
    [
        ("how many paying customers did we end april with", ("2025-04-01", "2025-05-01")),
        ("what arr did we close march at", ("2025-03-01", "2025-04-01")),
    ],
)
def test_a_month_ended_or_closed_is_that_month(demo: Resolver, question: str, span: tuple[str, str]) -> None:
    res = demo.resolve(question, as_of=DAY)
    assert res.answerable and _range(res) == span


def test_a_month_ended_on_another_project() -> None:
    bazaar = Resolver(Project.load(BAZAAR, strict=False).model)
    res = bazaar.resolve("how much gmv did we close april with", as_of=DAY)
    assert res.metrics == ["gmv"] and _range(res) == ("2025-04-01", "2025-05-01")


def test_a_relative_clause_restating_the_definition_is_answered_below_confident(demo: Resolver) -> None:
    res = demo.resolve("share of trials that turned into paying deals last quarter", as_of=DAY)
    assert res.answerable and res.metrics == ["trial_conversion_rate"]
    assert 0.5 <= res.confidence < 0.8
    # words no description explains stay unexplained, whatever clause they are in
    odd = demo.resolve("customers who flew to the moon", as_of=DAY)
    assert not odd.answerable or odd.confidence <= 0.5


@pytest.mark.parametrize(
    ("question", "metric"),
    [
        ("new-logo mrr by region", "new_mrr"),
        ("churned-customer mrr last quarter", "churned_mrr"),
    ],
)
def test_a_count_of_a_kind_before_an_amount_is_that_kinds_amount(
    demo: Resolver, question: str, metric: str
) -> None:
    res = demo.resolve(question, as_of=DAY)
    assert res.answerable and res.metrics == [metric] and res.confidence >= 0.8
    # two counts keep the kind the first word names, unsure
    trials = demo.resolve("trial signups last month", as_of=DAY)
    assert trials.metrics == ["trial_starts"] and trials.confidence < 0.8


def test_an_amount_from_a_kind_its_family_describes_is_that_member(demo: Resolver) -> None:
    # "first-time" is in New MRR's description; the attributed new MRR metrics refine New MRR
    res = demo.resolve("mrr from first-time customers by segment", as_of=DAY)
    assert res.answerable and res.metrics == ["new_mrr"]
    assert res.group_by == [("customer__segment", None)]


@pytest.mark.parametrize(
    "question",
    ["upgrades by customers on the Starter plan last quarter", "downgrades by existing customers in emea"],
)
def test_by_after_something_done_says_who_did_it(demo: Resolver, question: str) -> None:
    res = demo.resolve(question, as_of=DAY)
    assert res.answerable and not any(n == "customer__name" for n, _ in res.group_by)
    assert res.filters  # the customers described are a filter, not a breakdown


def test_by_a_bare_entity_still_groups(demo: Resolver) -> None:
    for q in ("refunds by customers", "upgrades by customer"):
        res = demo.resolve(q, as_of=DAY)
        assert res.group_by == [("customer__name", None)], q


@pytest.mark.parametrize(
    ("question", "metrics"),
    [
        # a verb of winning or losing listed with a shared noun says new or churned
        ("signed and churned customers last 6 months", {"new_customers", "churned_customers"}),
        # a loose one-word reading listed before a phrase is that phrase's head noun's kind
        ("churned and new mrr by month", {"churned_mrr", "new_mrr"}),
        ("churn and expansion mrr last quarter", {"churned_mrr", "expansion_mrr"}),
    ],
)
def test_lists_sharing_a_head_noun(demo: Resolver, question: str, metrics: set[str]) -> None:
    res = demo.resolve(question, as_of=DAY)
    assert res.answerable and set(res.metrics) == metrics
    # a whole phrase listed keeps its own metric
    rate = demo.resolve("churn rate and new mrr", as_of=DAY)
    assert set(rate.metrics) == {"customer_churn_rate", "new_mrr"}


def test_moving_down_is_the_metric_whose_names_begin_so(demo: Resolver) -> None:
    res = demo.resolve("what did we lose from people moving down to smaller plans last quarter", as_of=DAY)
    assert res.answerable and res.metrics == ["contraction_mrr"] and res.confidence < 0.8
    # without a verb of moving, "down" is a particle
    plain = demo.resolve("mrr down by plan last quarter", as_of=DAY)
    assert "contraction_mrr" not in plain.metrics
