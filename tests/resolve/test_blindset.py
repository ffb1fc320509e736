"""The blind-set scorer compares readings the way the set's README says (sets, refusals, placeholders)."""

from __future__ import annotations

from pathlib import Path

import pytest

from metricmind.resolve import Resolver
from tests.resolve import blindset


def test_expected_and_actual_compare_as_sets() -> None:
    item = {
        "q": "x",
        "expect": {
            "answerable": True,
            "metrics": ["b", "a"],
            "group_by": ["customer__segment"],
            "filters": [{"dimension": "customer__region", "op": "in", "values": ["EMEA"]}],
        },
    }
    want = blindset.expected(item)
    got = blindset.actual(
        {
            "answerable": True,
            "metrics": ["a", "b"],
            "group_by": [{"name": "customer__segment", "grain": None}],
            "time_range": None,
            "filters": [{"field": "customer__region", "op": "=", "value": "EMEA"}],
            "order_by": [],
            "limit": None,
            "comparison": None,
        }
    )
    assert all(blindset._same(c, want.get(c), got.get(c)) for c in blindset.COMPONENTS)
    assert blindset._same("metrics", frozenset({"ANY_ATTRIBUTION"}), frozenset({"linear_attributed_new_mrr"}))
    assert not blindset._same("metrics", frozenset({"ANY_ATTRIBUTION"}), frozenset({"new_mrr"}))


def test_both_splits_load_and_score(resolver: Resolver) -> None:
    dev = blindset.score(resolver, blindset.DEV)
    blind = blindset.score(resolver, blindset.BLIND)
    assert dev.total >= 250 and blind.total >= 120
    assert "MISS" not in blind.report(show_misses=False)  # the blind split never shows its misses


# Floors a little under what the resolver reaches (dev 95.2%, blind 86.5%, dev2 95.8%, blind2 85.0%;
# answers with confidence >= 0.8 right 96.8% / 94.0% / 95.9% / 91.7%; 2026-12-05, third round): a regression
# fails. Raise them as the resolver improves. dev2/blind2 are the second code-blind author's sets.
DEV_FLOOR, BLIND_FLOOR, CONFIDENT_FLOOR = 0.94, 0.84, 0.92
DEV2_FLOOR, BLIND2_FLOOR, CONFIDENT2_FLOOR = 0.93, 0.83, 0.90


# The third code-blind author's tuning set (dev3.yml, 120 questions; blind3.yml is scored by the lead only).
DEV3_FLOOR, CONFIDENT3_FLOOR = 0.86, 0.92
"""dev3's floors, a little under what the resolver reaches after tuning on it (87.5% exact, answers with
confidence >= 0.8 right 96.4%; untouched, before any change made on it: 75.0% and 85.5%)."""


def test_dev3_stays_above_its_floor(resolver: Resolver) -> None:
    s = blindset.score(resolver, blindset.DEV3)
    assert s.total >= 100
    assert s.accuracy() >= DEV3_FLOOR, s.report(show_misses=False)
    right, total = s.confident
    assert total and right / total >= CONFIDENT3_FLOOR, s.report(show_misses=False)
    low, refused = s.refusals_low
    assert low == refused  # every refusal carries a confidence below 0.5


# One test per split (not a loop in one test), so xdist spreads the whole-set scorings over its workers.
@pytest.mark.parametrize("path", blindset.present(blindset.SCORED_ONLY), ids=lambda p: p.stem)
def test_a_blind_split_never_shows_its_misses(resolver: Resolver, path: Path) -> None:
    s = blindset.score(resolver, path)
    assert s.scored_only
    assert "MISS" not in s.report(show_misses=True)  # asked to, it still does not


FLOORS = (
    (blindset.DEV, DEV_FLOOR, CONFIDENT_FLOOR),
    (blindset.BLIND, BLIND_FLOOR, CONFIDENT_FLOOR),
    (blindset.DEV2, DEV2_FLOOR, CONFIDENT2_FLOOR),
    (blindset.BLIND2, BLIND2_FLOOR, CONFIDENT2_FLOOR),
)


@pytest.mark.parametrize(
    ("path", "floor", "confident_floor"), FLOORS, ids=[split[0].stem for split in FLOORS]
)
def test_blind_sets_stay_above_their_floors(
    resolver: Resolver, path: Path, floor: float, confident_floor: float
) -> None:
    s = blindset.score(resolver, path)
    assert s.accuracy() >= floor, (path.name, s.report(show_misses=False))
    right, total = s.confident
    assert total and right / total >= confident_floor, (path.name, s.report(show_misses=False))
    low, refused = s.refusals_low
    assert low == refused  # every refusal carries a confidence below 0.5


DEV5_FLOOR, CONFIDENT5_FLOOR = 0.95, 0.95
"""dev5's floors (the fifth code-blind author's tuning set), a little under what the resolver reaches after
tuning on it (96.7% exact, answers with confidence >= 0.8 right 98.8%; untouched, before any change made for
it: 82.5% and 91.5%)."""


def test_dev5_stays_above_its_floor(resolver: Resolver) -> None:
    s = blindset.score(resolver, blindset.DEV5)
    assert s.total >= 100
    assert s.accuracy() >= DEV5_FLOOR, s.report(show_misses=False)
    right, total = s.confident
    assert total and right / total >= CONFIDENT5_FLOOR, s.report(show_misses=False)
    low, refused = s.refusals_low
    assert low == refused  # every refusal carries a confidence below 0.5


DEV6_FLOOR, CONFIDENT6_FLOOR = 0.95, 0.95
"""dev6's floors (the sixth code-blind author's tuning set, hwq6), a little under what the resolver reaches after
its causes were fixed (second round: 95.8% exact, answers with confidence >= 0.8 right 98.7%; first round 87.5%;
untouched, before any change made for it: 81.7% and 94.4%)."""


def test_dev6_stays_above_its_floor(resolver: Resolver) -> None:
    s = blindset.score(resolver, blindset.DEV6)
    assert s.total >= 100
    assert s.accuracy() >= DEV6_FLOOR, s.report(show_misses=False)
    right, total = s.confident
    assert total and right / total >= CONFIDENT6_FLOOR, s.report(show_misses=False)
    low, refused = s.refusals_low
    assert low == refused  # every refusal carries a confidence below 0.5
