"""Words a reading set aside that name something else in the catalog: calibration features (issue 14).

The answers below are the raw readings of the two confident wrong answers of the third foreign round
(``lend3-board-001``, ``rl3-ea-001``), in their ``ask --json`` shape.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from metricmind.project import Project
from metricmind.resolve import Resolver
from metricmind.resolve.calibration import CAPS, answer_features, features
from metricmind.resolve.droppedwords import dropped_features, metric_heads
from metricmind.resolve.misreads import Catalog

LENDING = {
    "collections": "Collections",
    "interest_income": "Interest Income",
    "interest_share_of_collections": "Interest Share of Collections",
    "funded_amount": "Funded Amount",
}
HEADS = Catalog(metrics=frozenset(LENDING), heads=metric_heads(LENDING))
DEMO = Path(__file__).resolve().parents[2] / "metricmind" / "demo" / "project"
DAY = dt.date(2025, 6, 18)
VODAFONE = Catalog(values=frozenset({("vodafone",), ("three",), ("prepaid",)}))


def span(q: str, words: str, target: str, how: str = "") -> dict[str, Any]:
    at = q.index(words)
    return {"text": words, "start": at, "end": at + len(words), "target": target, "how": how}


def answer(q: str, metrics: list[str], spans: dict[str, list[dict[str, Any]]], **rest: Any) -> dict[str, Any]:
    return {"answerable": True, "metrics": metrics, "filters": [], "spans": spans, "confidence": 0.9, **rest}


def test_the_head_words_of_a_metric_are_the_first_and_last_of_its_name_and_label() -> None:
    heads = metric_heads({"interest_share_of_collections": "Interest Share of Collections"})
    assert heads == {
        ("interest", "interest_share_of_collections"),
        ("collection", "interest_share_of_collections"),
    }


def test_a_described_word_heading_another_metric_is_a_feature() -> None:
    q = "how much cash came in from borrowers in h1 and how much of that was interest"
    described = {
        "metrics": [
            span(q, "cash", "collections", "description"),
            span(q, "interest", "collections", "description"),
        ]
    }
    got = answer_features(q, answer(q, ["collections"], described), HEADS)
    assert "described word heads another metric" in got
    both = answer(q, ["collections", "interest_income", "interest_share_of_collections"], described)
    assert "described word heads another metric" not in dropped_features(q, both, HEADS)  # answered too
    q = "how much interest came in"
    named = answer(q, ["interest_income"], {"metrics": [span(q, "interest", "interest_income", "name")]})
    assert "described word heads another metric" not in dropped_features(q, named, HEADS)  # its own name
    q = "how much cash came in"
    cash = answer(q, ["collections"], {"metrics": [span(q, "cash", "collections", "description")]})
    assert "described word heads another metric" not in dropped_features(q, cash, HEADS)  # no metric's head


def test_chat_that_names_a_value_is_a_feature() -> None:
    q = "ceo's on a call with the voda people - how many numbers did we lose to them in q4? thx"
    notes = ["read 'ceo's on a call with the voda people' as context", "read 'thx' as context"]
    spans = {
        "metrics": [span(q, "lose", "disconnections", "word")],
        "time_range": [span(q, "q4", "2025-10-01..")],
    }
    read = answer(q, ["disconnections"], spans, notes=notes)
    assert "chat names a value" in answer_features(q, read, VODAFONE)
    assert "chat names a value" not in dropped_features(q, read, Catalog(values=frozenset({("o2",)})))
    q = "board call in 10 - churned subscribers last month"  # a lead-in, unnamed, no value in it
    lead = answer(q, ["churned"], {"metrics": [span(q, "churned subscribers", "churned", "name")]})
    assert "chat names a value" not in dropped_features(q, lead, VODAFONE)
    q = "prepaid q - churned subscribers last month"  # a lead-in no span reads, a value said in it
    lead = answer(q, ["churned"], {"metrics": [span(q, "churned subscribers", "churned", "name")]})
    assert "chat names a value" in dropped_features(q, lead, VODAFONE)


def test_a_live_reading_that_drops_a_value_with_its_chat_carries_the_feature_uncapped() -> None:
    """Live: the lead-in set aside names the demo's ``Android`` (clipped) and no filter applies it; the feature
    is measured, not capped (``calibration.SAID_NOT_READ``'s note), so the answer keeps its confidence."""
    q = "on a call with the andro folks later - how many events did we get last month? thx"
    model = Project.load(DEMO, strict=False).model
    raw = Resolver(model, calibrate=False).resolve(q, as_of=DAY)
    assert raw.answerable and raw.confidence >= 0.8 and raw.metrics == ["events"] and not raw.filters
    assert "chat names a value" in features(raw, Resolver(model).catalog_words)
    assert "chat names a value" not in CAPS
