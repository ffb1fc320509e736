"""The rest of a question misread around a metric read right is a calibration feature (``resolve/misreads.py``).

Built answers in the ``ask --json`` shape (none is a development-set question), and real readings of the demo
that carry a feature.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from metricmind.project import Project
from metricmind.resolve import Resolver
from metricmind.resolve.calibration import CAPS, answer_features, features
from metricmind.resolve.misreads import MISREAD, Catalog, misread_features, value_phrases
from metricmind.resolve.text import stems

DEMO = Path(__file__).resolve().parents[2] / "metricmind" / "demo" / "project"
DAY = dt.date(2025, 6, 18)
FAMILY = "misread around the metric"


@cache
def demo() -> Resolver:
    """The demo's resolver without the calibration step (the raw reading)."""
    return Resolver(Project.load(DEMO, strict=False).model, calibrate=False)


def answer(**parts: Any) -> dict[str, Any]:
    """An answerable ``ask --json`` answer with only ``parts`` set."""
    base: dict[str, Any] = {
        "answerable": True,
        "metrics": ["m"],
        "group_by": [],
        "time_range": None,
        "filters": [],
        "comparison": None,
        "spans": {},
        "confidence": 1.0,
    }
    return {**base, **parts}


def span(q: str, words: str, target: str, how: str = "") -> dict[str, Any]:
    at = q.index(words)
    return {"text": words, "start": at, "end": at + len(words), "target": target, "how": how}


@pytest.mark.parametrize(
    ("q", "metric", "read", "feature"),
    [
        ("outage mins by region", "network_incidents", "outage", True),  # "mins": no part reads it
        ("outage mins by region", "outage_minutes", "outage mins", False),  # read with the metric
        ("outage mins by region", "outage_minutes", "outage", False),  # the metric answered names it
        ("paid invoice $ ytd", "invoice_count", "invoice", True),  # a count is no money
        ("paid invoice $ ytd", "invoice_revenue", "invoice", False),
        ("trial conv % by plan", "trial_conversion_rate", "trial conv", False),  # a percent: a rate
    ],
)
def test_a_unit_shorthand_no_part_explains_is_a_feature(
    q: str, metric: str, read: str, feature: bool
) -> None:
    got = misread_features(q, answer(metrics=[metric], spans={"metrics": [span(q, read, metric, "synonym")]}))
    assert ("unit shorthand unexplained" in got) is feature
    assert (FAMILY in got) is feature


def test_a_unit_read_only_by_a_guess_is_unexplained() -> None:
    q = "data gb per subscriber"
    guessed = answer(
        metrics=["data_usage"], spans={"metrics": [span(q, "data gb", "data_usage", "description")]}
    )
    assert "unit shorthand unexplained" in misread_features(q, guessed)


def test_a_yes_no_asked_both_ways_answered_one_way_is_a_feature() -> None:
    q = "overdue bills last month, direct debit customers vs not"
    one_side = answer(filters=[{"field": "subscriber__has_autopay", "op": "=", "value": "true"}])
    assert {"either way asked", "either way asked, one side read", FAMILY} <= misread_features(q, one_side)
    split = answer(group_by=[{"name": "subscriber__has_autopay", "grain": None}])
    got = misread_features(q, split)
    assert "either way asked" in got and "either way asked, one side read" not in got


def test_a_period_phrase_partly_read_is_a_feature_the_end_of_a_period_is_not() -> None:
    q = "events per mo since jan 2024"
    partly = answer(spans={"time_range": [span(q, "jan 2024", "2024-01-01..2024-02-01")]})
    assert {"period partly read", FAMILY} <= misread_features(q, partly)
    whole = answer(spans={"time_range": [span(q, "since jan 2024", "2024-01-01..2025-06-19")]})
    assert "period partly read" not in misread_features(q, whole)
    q = "arr at the end of q1"
    snapshot = answer(spans={"time_range": [span(q, "q1", "2025-01-01..2025-04-01")]})
    assert "period partly read" not in misread_features(q, snapshot)


def test_a_catalog_value_absorbed_by_a_metrics_description_is_a_feature_unless_applied() -> None:
    q = "cac for the paid channels ytd"
    values = Catalog(values=frozenset({("paid",), ("organic",)}))
    metric = {"metrics": [span(q, "cac", "cac", "name"), span(q, "paid", "cac", "description")]}
    absorbed = answer(metrics=["cac"], spans=metric)
    assert "value absorbed by a metric's description" in misread_features(q, absorbed, values)
    applied = answer(
        metrics=["cac"], spans=metric, filters=[{"field": "c__kind", "op": "=", "value": "paid"}]
    )
    assert "value absorbed by a metric's description" not in misread_features(q, applied, values)
    assert "value absorbed by a metric's description" not in misread_features(q, absorbed)  # no catalog


def test_a_state_word_answered_with_a_rate_it_does_not_ask_is_a_feature() -> None:
    q = "lapsed policies by state last quarter"
    assert "state read as a rate" in misread_features(q, answer(metrics=["lapse_rate"]))
    assert "state read as a rate" not in misread_features(q, answer(metrics=["lapsed_policies"]))
    q = "lapse rate by state"
    assert "state read as a rate" not in misread_features(q, answer(metrics=["lapse_rate"]))


def test_growth_read_without_its_comparison_or_a_comparison_read_as_growth_is_a_feature() -> None:
    q = "gmv change last month"
    assert "growth word unread" in misread_features(q, answer(metrics=["gmv"]))
    assert "growth word unread" not in misread_features(q, answer(metrics=["gmv_mom_change"]))
    q = "growth plan mrr last month vs the month before"
    plan = span(q, "growth plan", "subscription__plan_tier=Growth")
    grown = answer(metrics=["mrr_growth_mom"], spans={"filters": [plan]})
    assert "comparison read as growth" in misread_features(q, grown)
    q = "gmv change vs the prior month"
    compared = answer(metrics=["gmv"], comparison="previous_period")
    catalog = Catalog(metrics=frozenset({"gmv", "gmv_mom_change", "gmv_per_order"}))
    assert "growth metric passed over" in misread_features(q, compared, catalog)
    assert "growth metric passed over" not in misread_features(q, compared)  # no catalog
    none_of_its_own = Catalog(metrics=frozenset({"gmv", "orders_mom_change"}))
    assert "growth metric passed over" not in misread_features(q, compared, none_of_its_own)
    q = "signups vs last month"
    assert "comparison asked, none read" in misread_features(q, answer(metrics=["signups"]))
    compared = answer(metrics=["signups"], comparison="previous_period")
    assert "comparison asked, none read" not in misread_features(q, compared)


def test_the_value_phrases_are_the_catalogs_values_not_their_aliases() -> None:
    values = value_phrases(demo().lex)
    assert tuple(stems("paid search")) in values and ("emea",) in values


@pytest.mark.parametrize(
    ("q", "feature"),
    [
        ("new customers from paid search vs not last month", "either way asked, one side read"),
        ("new customers q1 so far", "period partly read"),
    ],
)
def test_real_readings_carry_the_feature_and_the_cap(q: str, feature: str) -> None:
    res = demo().resolve(q, as_of=DAY)
    got = features(res, demo().catalog_words)
    assert feature in got and FAMILY in got
    assert FAMILY in CAPS and feature in MISREAD
    assert answer_features(q, res.to_dict(), demo().catalog_words) == got


def test_the_calibrated_resolver_caps_a_reading_misread_around_its_metric() -> None:
    model = Project.load(DEMO, strict=False).model
    q = "new customers from paid search vs not last month"
    raw, capped = (
        Resolver(model, calibrate=False).resolve(q, as_of=DAY),
        Resolver(model).resolve(q, as_of=DAY),
    )
    assert raw.confidence >= 0.8 > capped.confidence >= 0.5
    assert capped.metrics == raw.metrics and capped.filters == raw.filters
