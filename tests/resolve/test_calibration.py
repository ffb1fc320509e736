"""The calibration step caps a reading's confidence by its features (issue 14, ``resolve/calibration.py``).

Built answers and built questions over several projects (the demo, the bazaar, lending and harbor samples,
read from their YAML, no warehouse): none is a development-set question.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from metricmind.project import Project
from metricmind.resolve import Resolver
from metricmind.resolve.calibration import (
    CAPS,
    FLOOR,
    answer_features,
    calibrate,
    calibrated,
    features,
    fit,
)
from metricmind.resolve.resolution import REFUSAL_CONFIDENCE, Filter, Resolution, Span
from metricmind.resolve.resolver import UNSURE
from metricmind.resolve.weakcues import value_cue

PROJECTS = Path(__file__).resolve().parents[2] / "metricmind" / "testing" / "projects"
DEMO = Path(__file__).resolve().parents[2] / "metricmind" / "demo" / "project"


@cache
def resolvers(name: str) -> tuple[Resolver, Resolver]:
    """The project's resolver without and with the calibration step."""
    model = Project.load(DEMO if name == "demo" else PROJECTS / name, strict=False).model
    return Resolver(model, calibrate=False), Resolver(model)


def answer(**parts: Any) -> dict[str, Any]:
    """An answerable ``ask --json`` answer with only ``parts`` set."""
    base: dict[str, Any] = {
        "answerable": True,
        "metrics": ["m"],
        "group_by": [],
        "time_range": None,
        "filters": [],
        "order_by": [],
        "limit": None,
        "comparison": None,
        "spans": {},
        "confidence": 1.0,
        "as_of": "2025-06-18",
    }
    return {**base, **parts}


def span(q: str, words: str, target: str, how: str = "") -> dict[str, Any]:
    at = q.index(words)
    return {"text": words, "start": at, "end": at + len(words), "target": target, "how": how}


def test_an_exclusion_with_nothing_left_out_is_a_feature_an_applied_one_is_not() -> None:
    q = "gmv without the refurbished listings"
    bare = answer(spans={"metrics": [span(q, "gmv", "gmv", "name")]})
    assert "exclusion said, none applied" in answer_features(q, bare)
    kept = answer(
        spans={"metrics": [span(q, "gmv", "gmv", "name")], "filters": [span(q, "refurbished", "x!=r")]},
        filters=[{"field": "listing__condition", "op": "!=", "value": "refurbished"}],
    )
    assert "exclusion said, none applied" not in answer_features(q, kept)


def test_a_sql_inequality_with_no_negative_filter_is_an_unapplied_exclusion() -> None:
    q = "gross_iap group by store where platform <> 'web' -- q3"
    read_as_equal = answer(
        spans={"metrics": [span(q, "gross_iap", "gross_iap", "name")], "filters": [span(q, "web", "x=web")]},
        filters=[{"field": "player__platform", "op": "=", "value": "web"}],
    )
    assert "exclusion said, none applied" in answer_features(q, read_as_equal)
    assert "exclusion said, none applied" in answer_features(q.replace("<>", "!="), read_as_equal)
    applied = answer(
        spans={"metrics": [span(q, "gross_iap", "gross_iap", "name")], "filters": [span(q, "web", "x!=web")]},
        filters=[{"field": "player__platform", "op": "!=", "value": "web"}],
    )
    assert "exclusion said, none applied" not in answer_features(q, applied)


def test_a_filter_value_read_as_another_word_is_a_feature_a_metric_word_is_not() -> None:
    q = "parcels at the gent hub last week"
    base = {
        "metrics": [span(q, "parcels", "parcels", "name")],
        "filters": [span(q, "gent", "hub__city=Ghent")],
    }
    aliased = answer(
        spans=base,
        filters=[{"field": "hub__city", "op": "=", "value": "Ghent"}],
        notes=["read 'gent' as ghent"],
    )
    assert "value reinterpreted" in answer_features(q, aliased)
    metric_word = answer(
        spans=base,
        filters=[{"field": "hub__city", "op": "=", "value": "Gent"}],
        notes=["read 'parcels' as parcel"],
    )
    assert "value reinterpreted" not in answer_features(q, metric_word)


def test_a_period_word_nothing_read_is_a_feature_a_rate_unit_or_a_grain_is_not() -> None:
    q = "room nights at the end of spring quarter"
    assert "period word unread" in answer_features(
        q, answer(spans={"metrics": [span(q, "room nights", "rn")]})
    )
    q = "guests paying more than 2k/mo"
    assert "period word unread" not in answer_features(q, answer(spans={"metrics": [span(q, "guests", "g")]}))
    q = "bookings quarter by quarter"
    grouped = answer(group_by=[{"name": "metric_time", "grain": "quarter"}])
    assert "period word unread" not in answer_features(q, grouped)


def test_a_breakdown_word_before_words_nothing_read_is_a_feature() -> None:
    q = "collections per loan officer"
    got = answer_features(q, answer(spans={"metrics": [span(q, "collections", "collections", "name")]}))
    assert "breakdown asked, none read" in got
    grouped = answer(
        group_by=[{"name": "loan__officer", "grain": None}],
        spans={"group_by": [span(q, "loan officer", "loan__officer")]},
    )
    assert "breakdown asked, none read" not in answer_features(q, grouped)


def test_a_breakdown_by_an_entitys_key_is_a_feature_by_its_name_or_a_grain_is_not() -> None:
    q = "gem balance per title by month"
    keyed = answer(
        group_by=[{"name": "title", "grain": None}, {"name": "metric_time__month", "grain": "month"}],
        spans={"group_by": [span(q, "title", "title"), span(q, "month", "metric_time__month")]},
    )
    assert "grouped by an entity key" in answer_features(q, keyed)
    named = answer(
        group_by=[{"name": "title__title_name", "grain": None}],
        spans={"group_by": [span(q, "title", "title__title_name")]},
    )
    assert "grouped by an entity key" not in answer_features(q, named)


def test_a_refusal_has_no_features_and_keeps_its_confidence() -> None:
    res = Resolution("mrr without the startups", dt.date(2025, 6, 18))
    res.refuse("no")
    assert features(res) == frozenset()
    assert calibrate(res, {"exclusion said, none applied": FLOOR}).confidence == REFUSAL_CONFIDENCE


def test_calibrate_takes_the_lowest_cap_and_never_refuses() -> None:
    q = "mrr without the startups except partners"
    res = Resolution(q, dt.date(2025, 6, 18), metrics=["mrr"], confidence=0.95)
    res.span("metrics", Span("mrr", 0, 3, "mrr", "name"))
    calibrate(res, {"exclusion said, none applied": 0.6, "metrics:name": 0.7})
    assert res.answerable and res.confidence == 0.6
    assert calibrated(0.5, {"metrics:name"}, {"metrics:name": 0.7}) == 0.5  # a cap never raises
    assert min(CAPS.values()) >= FLOOR > UNSURE  # an answer stays an answer


def test_fit_caps_only_features_with_enough_wrong_readings() -> None:
    readings = [(frozenset({"plain"}), True)] * 90 + [(frozenset({"plain"}), False)] * 5
    readings += [(frozenset({"risky"}), False)] * 4 + [(frozenset({"risky"}), True)] * 2
    readings += [(frozenset({"rare"}), False)] * 2  # too few to decide anything
    caps = fit(readings)
    assert set(caps) == {"risky"}
    assert FLOOR <= caps["risky"] < 0.75


def test_a_filter_the_answer_applies_with_no_words_for_it_is_a_feature() -> None:
    res = Resolution("mrr last month", dt.date(2025, 6, 18), metrics=["mrr"])
    res.span("metrics", Span("mrr", 0, 3, "mrr", "name"))
    res.filters.append(Filter("customer__segment", "=", ("SMB",)))
    assert "filter not said" in features(res)


@pytest.mark.parametrize(
    ("project", "question", "day", "feature"),
    [
        ("demo", "mrr without the startups", "2025-06-18", "exclusion said, none applied"),
        ("bazaar", "gmv excluding weekends last month", "2024-07-01", "exclusion said, none applied"),
        ("lending", "funded amount without the risky ones", "2024-07-01", "exclusion said, none applied"),
        ("harbor", "room revenue without the long stays", "2026-01-07", "exclusion said, none applied"),
        ("demo", "active customers at the end of spring quarter", "2025-06-18", "period word unread"),
        ("bazaar", "orders at the end of spring quarter", "2024-07-01", "period word unread"),
        ("lending", "applications at the end of spring quarter", "2024-07-01", "period word unread"),
        ("harbor", "room nights at the end of spring quarter", "2026-01-07", "period word unread"),
    ],
)
def test_real_readings_carry_the_feature_and_are_capped_by_it(
    project: str, question: str, day: str, feature: str
) -> None:
    raw_resolver, resolver = resolvers(project)
    raw = raw_resolver.resolve(question, as_of=dt.date.fromisoformat(day))
    got = resolver.resolve(question, as_of=dt.date.fromisoformat(day))
    assert raw.answerable and got.answerable
    assert feature in features(raw)
    assert got.confidence == calibrated(raw.confidence, features(raw), CAPS) >= UNSURE
    capped = calibrate(raw_resolver.resolve(question, as_of=dt.date.fromisoformat(day)), {feature: 0.6})
    assert capped.confidence == min(raw.confidence, 0.6)


@pytest.mark.parametrize(
    ("project", "question", "day"),
    [
        ("demo", "active customers at the end of spring quarter", "2025-06-18"),
        ("lending", "applications at the end of spring quarter", "2024-07-01"),
        ("harbor", "room nights at the end of spring quarter", "2026-01-07"),
    ],
)
def test_a_period_word_nothing_read_lowers_the_resolvers_confidence(
    project: str, question: str, day: str
) -> None:
    """The fitted caps (2026-12-07) cap a period word nothing read: readings of unseen questions carrying it
    were right 1 time in 5."""
    raw_resolver, resolver = resolvers(project)
    raw = raw_resolver.resolve(question, as_of=dt.date.fromisoformat(day))
    got = resolver.resolve(question, as_of=dt.date.fromisoformat(day))
    assert got.confidence == min(raw.confidence, CAPS["period word unread"]) < raw.confidence


@pytest.mark.parametrize(
    ("project", "question", "day"),
    [
        ("demo", "mrr for everyone except the partner channel in q1", "2025-06-18"),
        ("demo", "events leaving out the mobile app this month", "2025-06-18"),
        ("bazaar", "gmv last month", "2024-07-01"),
    ],
)
def test_a_reading_without_capped_features_keeps_its_confidence(
    project: str, question: str, day: str
) -> None:
    raw_resolver, resolver = resolvers(project)
    raw = raw_resolver.resolve(question, as_of=dt.date.fromisoformat(day))
    got = resolver.resolve(question, as_of=dt.date.fromisoformat(day))
    assert not features(raw) & set(CAPS)
    assert got.confidence == raw.confidence


@pytest.mark.parametrize(
    ("project", "question", "day", "feature"),
    [
        ("covewell", "earned premium by line last year", "2026-01-07", "cue:label head"),
        ("covewell", "gwp, return premium and net written last quarter", "2026-01-07", "cue:elided head"),
        ("demo", "book of business at the end of may", "2025-06-18", "cue:gloss"),
        ("demo", "new mrr from the webinar channel last quarter", "2025-06-18", "cue:value matched loosely"),
        ("demo", "new mrr from dutch customers last quarter", "2025-06-18", "cue:by meaning"),
        ("bazaar", "gmv from verified sellers last month", "2024-07-01", "cue:flag from its name"),
        ("helpdesk", "median minutes to first reply last month", "2024-07-01", "cue:described"),
        ("helpdesk", "average minutes to first reply last month", "2024-07-01", "cue:duration asked"),
    ],
)
def test_a_reading_resting_on_a_weak_catalog_cue_carries_it(
    project: str, question: str, day: str, feature: str
) -> None:
    """Each weak cue (``weakcues``: a label's head noun, an elided head noun, an idiom, a value matched loosely, a
    flag read from its name, a description, a duration) is a feature of the reading that rests on it."""
    raw_resolver, _ = resolvers(project)
    raw = raw_resolver.resolve(question, as_of=dt.date.fromisoformat(day))
    assert raw.answerable
    assert feature in features(raw)


def test_a_part_resting_on_one_weak_cue_alone_is_a_feature_a_second_cue_lifts_it() -> None:
    q = "gmv from the webinar crowd"
    loose = answer(
        spans={
            "metrics": [span(q, "gmv", "gmv", "name")],
            "filters": [span(q, "webinar", "x__channel=events")],
        },
        filters=[{"field": "x__channel", "op": "=", "value": "events"}],
    )
    got = answer_features(q, loose)
    assert {"cue:value matched loosely", "one weak cue"} <= got
    q = "licenses bought by each company"
    agreed = answer(
        spans={
            "metrics": [
                span(q, "licenses", "seats_purchased", "synonym"),
                span(q, "bought", "seats_purchased", "description"),
            ]
        }
    )
    got = answer_features(q, agreed)
    assert "cue:described" in got and "one weak cue" not in got


@pytest.mark.parametrize(
    ("said", "target", "cue"),
    [
        ("germany", "c__country=DE", None),  # the place the code stands for
        ("california", "b__home_state=CA", None),
        ("german", "c__country=Germany", None),
        ("dolphins", "p__spender_tier=dolphin", None),  # one stem
        ("enterprise", "c__segment=Enterprise", None),
        ("dutch", "s__country=NL", None),  # its adjective
        ("middle east", "c__region=EMEA", "value matched loosely"),
        ("antwerp", "hub__hub_name=Antwerpen Noord", "value matched loosely"),
        ("verified", "seller__is_verified=true", "flag from its name"),
        ("two cheapest", "s__tier in Starter, Growth", None),  # a list: read by a rule of its own
    ],
)
def test_a_filters_words_against_its_value(said: str, target: str, cue: str | None) -> None:
    assert value_cue(said, target) == cue


def test_a_filter_resting_on_one_loose_cue_carries_the_structural_feature() -> None:
    """The structural feature (``one loose cue``, measured, not capped): "webinar" is no value of the channel,
    read as ``events`` loosely and by nothing else; named by the value itself, the feature is gone."""
    raw_resolver, _ = resolvers("demo")
    q, day = "new mrr from the webinar channel last quarter", dt.date(2025, 6, 18)
    raw = raw_resolver.resolve(q, as_of=day)
    assert "one loose cue" in features(raw)
    assert "one loose cue" not in CAPS
    named = raw_resolver.resolve("new mrr from the events channel last quarter", as_of=day)
    assert "one loose cue" not in features(named)
