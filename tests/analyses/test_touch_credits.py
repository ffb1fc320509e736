"""Per-touch Shapley and Markov credits add up to the channel-level models, and are apportioned as documented."""

from __future__ import annotations

import numpy as np
import pytest

from metricmind.analyses.attribution import attribute
from metricmind.analyses.journeys import Journeys
from metricmind.analyses.touch_credits import touch_credits
from tests.analyses.test_attribution import random_journeys


def by_channel(j: Journeys, per_touch: np.ndarray) -> dict[str, float]:
    sums = np.bincount(j.channel, weights=per_touch, minlength=len(j.channels))
    return {c: float(x) for c, x in zip(j.channels, sums, strict=True)}


@pytest.mark.parametrize(("seed", "channels"), [(1, 3), (2, 5), (3, 8)])
def test_touch_credits_sum_to_the_channel_models(seed: int, channels: int) -> None:
    j = random_journeys(seed, 400, channels)
    expected = attribute(j, ["shapley", "markov"])["models"]
    credits = touch_credits(j)
    for model in ("shapley", "markov"):
        for kind in ("conversions", "revenue"):
            assert by_channel(j, credits[model][kind]) == pytest.approx(expected[model][kind], rel=1e-9)
            # only touches of converted journeys earn credit
            assert not credits[model][kind][~j.converted[j.journey]].any()


def test_shapley_and_markov_per_touch_by_hand() -> None:
    # j0: a, b, a (revenue 90, converted); j1: b (revenue 10, converted); j2: a (not converted)
    j = Journeys.build(
        ("a", "b"),
        np.array([0, 0, 0, 1, 2]),
        np.array([0, 1, 0, 1, 0]),
        np.array([0.0, 1.0, 2.0, 0.0, 0.0]),
        np.array([True, True, False]),
        np.array([90.0, 10.0, 0.0]),
    )
    credits = touch_credits(j)
    # Shapley: j0's 90 is split over its 2 distinct channels (45 each), a's 45 over its 2 touches
    assert credits["shapley"]["revenue"].tolist() == pytest.approx([22.5, 45.0, 22.5, 10.0, 0.0])
    assert credits["shapley"]["conversions"].tolist() == pytest.approx([0.25, 0.5, 0.25, 1.0, 0.0])
    markov = attribute(j, ["markov"])["models"]["markov"]["revenue"]
    # Markov: a's credit over its touches in j0 (weights 45, 45); b's over j0 (90) and j1 (10)
    revenue = credits["markov"]["revenue"].tolist()
    assert revenue[0] == pytest.approx(markov["a"] / 2) and revenue[2] == pytest.approx(markov["a"] / 2)
    assert revenue[1] == pytest.approx(markov["b"] * 0.9) and revenue[3] == pytest.approx(markov["b"] * 0.1)
    assert revenue[4] == 0.0


def test_markov_channel_with_only_zero_revenue_journeys_is_spread_by_touches() -> None:
    # j0: a, a, b (revenue 0, converted); j1: b (revenue 50, converted)
    j = Journeys.build(
        ("a", "b"),
        np.array([0, 0, 0, 1]),
        np.array([0, 0, 1, 1]),
        np.array([0.0, 1.0, 2.0, 0.0]),
        np.array([True, True]),
        np.array([0.0, 50.0]),
    )
    expected = attribute(j, ["markov"])["models"]["markov"]["revenue"]
    revenue = touch_credits(j)["markov"]["revenue"]
    assert expected["a"] > 0
    assert revenue[0] == pytest.approx(expected["a"] / 2) and revenue[1] == pytest.approx(expected["a"] / 2)
    assert by_channel(j, revenue) == pytest.approx(expected, rel=1e-9)
