"""The gold-guided rewordings of ``perturb_kinds`` keep their item's meaning: each family rewrites only what the
gold pins down, and never says a threshold's operator another way than the gold's (no catalog needed).
"""

from __future__ import annotations

from metricmind.resolve.resolution import Span
from tests.resolve import perturb_kinds


def test_number_words() -> None:
    assert perturb_kinds.words_of(5000) == "five thousand"
    assert perturb_kinds.words_of(110) == "one hundred ten"
    assert perturb_kinds.words_of(150_000) == "one hundred fifty thousand"
    assert perturb_kinds.words_of(42) == "forty-two"


def test_a_strict_threshold_is_never_said_as_at_least() -> None:
    want = {
        "filters": [{"metric_filter": {"metric": "mrr", "group_by": ["customer"], "op": ">", "value": 5000}}]
    }
    made = dict(perturb_kinds.thresholds("customers paying more than 5k mrr", want))
    assert made["threshold:comma"] == "customers paying over 5,000 mrr"
    assert made["threshold:symbol"] == "customers paying > 5000 mrr"
    assert made["threshold:words"] == "customers paying in excess of five thousand mrr"
    assert not any(k.endswith(("plus", "atleast", "ormore", "noless")) for k in made)
    at_least = {"filters": [{"metric_filter": {**want["filters"][0]["metric_filter"], "op": ">="}}]}
    made = dict(perturb_kinds.thresholds("customers paying at least 5k mrr", at_least))
    assert made["threshold:plus"] == "customers paying 5k+ mrr"
    assert not any(k.endswith(("comma", "symbol", "words")) for k in made)


def test_a_previous_period_comparison_said_other_ways() -> None:
    want = {"metrics": ["gmv"], "comparison": "previous_period", "time_range": ["2024-06-01", "2024-07-01"]}
    spans = {"metrics": [Span("gmv", 0, 3, "gmv")]}
    made = list(perturb_kinds.growths("gmv jun vs may", want, spans))
    assert ("growth:previous", "gmv jun compared with the previous month") in made
    assert ("growth:abbrev", "gmv jun mom") in made
    assert ("growth:fromto", "how did gmv change from may to jun") in made
    assert ("growth:connector", "gmv jun against may") in made


def test_order_and_limit_are_said_only_in_neutral_words() -> None:
    made = dict(perturb_kinds.sorts("arr by plan, highest first", {"order_by": ["-arr"]}))
    assert made and all("best" not in text and "worst" not in text for text in made.values())
    assert not list(perturb_kinds.sorts("top 5 plans by arr", {"order_by": ["-arr"], "limit": 5}))
    limited = [t for _, t in perturb_kinds.limits("top 5 sellers by gmv", {"order_by": ["-gmv"], "limit": 5})]
    assert "top five sellers by gmv" in limited and "5 biggest sellers by gmv" in limited


def test_a_metric_list_is_reversed_only_when_each_item_names_its_metric() -> None:
    want = {"metrics": ["new_mrr", "churned_mrr"]}
    spans = {"metrics": [Span("new", 0, 3, "new_mrr"), Span("churned mrr", 8, 19, "churned_mrr")]}
    whole = {("metric:churned_mrr", "churned mrr")}
    made = dict(perturb_kinds.joins("new and churned mrr", want, spans, lambda t, s: (t, s) in whole))
    assert made["multi:aswell"] == "new as well as churned mrr" and "multi:swap" not in made
