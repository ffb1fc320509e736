"""Attribution models on hand-computed journeys (ties, repeated channels, unsorted input, single touches)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from metricmind.analyses import AnalysisInputError, analyze_data
from metricmind.analyses.journeys import Journeys
from metricmind.analyses.shapley import shapley_by_enumeration, shapley_closed_form
from tests.analyses.helpers import close, journey

ALL = ["first_touch", "last_touch", "linear", "position_based", "time_decay", "shapley", "markov"]

# J1: unsorted input, email repeated; J2: a tie (input order kept: social then ads); J3: single touch;
# J4: not converted.
CASE_A = {
    "journeys": [
        journey(
            "j1",
            [
                ("email", "2026-01-03T00:00:00Z"),
                ("ads", "2026-01-01T00:00:00Z"),
                ("email", "2026-01-02T00:00:00Z"),
            ],
            revenue=90,
            conversion_ts="2026-01-04T00:00:00Z",
        ),
        journey("j2", [("social", "2026-01-05T00:00:00Z"), ("ads", "2026-01-05T00:00:00Z")], revenue=10),
        journey("j3", [("email", "2026-01-07T00:00:00Z")], revenue=5),
        journey("j4", [("social", "2026-01-08T00:00:00Z")], converted=False),
    ]
}


def model(conversions: dict[str, float], revenue: dict[str, float]) -> dict[str, Any]:
    """A model entry of the output."""
    return {"conversions": conversions, "revenue": revenue}


def test_case_a_every_model_by_hand() -> None:
    out = analyze_data("attribution", CASE_A)
    assert out["channels"] == ["ads", "email", "social"]
    assert out["total_conversions"] == 3 and out["total_revenue"] == 105.0
    w = [2 ** (-3 / 7), 2 ** (-2 / 7), 2 ** (-1 / 7)]  # ads, email, email: 3, 2 and 1 days to conversion
    ads_share = w[0] / sum(w)
    expected = {
        "first_touch": model({"ads": 1, "email": 1, "social": 1}, {"ads": 90, "email": 5, "social": 10}),
        "last_touch": model({"ads": 1, "email": 2, "social": 0}, {"ads": 10, "email": 95, "social": 0}),
        "linear": model({"ads": 5 / 6, "email": 5 / 3, "social": 0.5}, {"ads": 35, "email": 65, "social": 5}),
        "position_based": model(
            {"ads": 0.9, "email": 1.6, "social": 0.5}, {"ads": 41, "email": 59, "social": 5}
        ),
        "time_decay": model(
            {"ads": ads_share + 0.5, "email": 1 - ads_share + 1, "social": 0.5},
            {"ads": 90 * ads_share + 5, "email": 90 * (1 - ads_share) + 5, "social": 5},
        ),
        "shapley": model({"ads": 1.0, "email": 1.5, "social": 0.5}, {"ads": 50, "email": 50, "social": 5}),
        # chain: start→ads .25, social .5, email .25; ads→email/conv ½; email→email ⅓, conv ⅔; social→ads/null ½
        # P(conv) = ¾; without ads ¼, without email ¼, without social ½ → effects ⅔, ⅔, ⅓ → shares .4 .4 .2
        "markov": {
            **model({"ads": 1.2, "email": 1.2, "social": 0.6}, {"ads": 42, "email": 42, "social": 21}),
            "p_conversion": 0.75,
            "removal_effects": {"ads": 2 / 3, "email": 2 / 3, "social": 1 / 3},
        },
    }
    close(out["models"], expected)


def test_case_b_time_decay_half_life_and_zones() -> None:
    # +02:00 puts the social touch at 08:00Z, before the 09:00Z ads touch although it reads later.
    doc = {
        "journeys": [
            journey(
                "x",
                [("ads", "2026-03-01T09:00:00Z"), ("social", "2026-03-01T10:00:00+02:00")],
                revenue=100,
                conversion_ts="2026-03-02T09:00:00Z",
            ),
            journey(
                "y",
                [("email", "2026-03-01T00:00:00Z"), ("ads", "2026-03-02T12:00:00Z")],
                revenue=40,
                conversion_ts="2026-03-03T00:00:00Z",
            ),
        ],
        "models": ["first_touch", "time_decay"],
        "time_decay_half_life_days": 1,
    }
    out = analyze_data("attribution", doc)
    assert set(out["models"]) == {"first_touch", "time_decay"}
    close(out["models"]["first_touch"]["revenue"], {"ads": 0.0, "email": 40.0, "social": 100.0})
    wx = [2 ** (-(25 / 24)), 2**-1.0]  # social 25 h, ads 24 h before conversion
    wy = [2**-2.0, 2**-0.5]  # email 2 days, ads half a day
    expected = {
        "ads": 100 * wx[1] / sum(wx) + 40 * wy[1] / sum(wy),
        "email": 40 * wy[0] / sum(wy),
        "social": 100 * wx[0] / sum(wx),
    }
    close(out["models"]["time_decay"]["revenue"], expected)
    # the command line's half-life wins over the file's
    again = analyze_data("attribution", doc, half_life_days=7)
    assert again["models"]["time_decay"]["revenue"]["email"] > out["models"]["time_decay"]["revenue"]["email"]


def test_case_c_single_touches_and_uncredited_channels() -> None:
    doc = {
        "journeys": [
            journey("1", [("a", "2026-01-01T00:00:00Z")], revenue=7),
            journey("2", [("b", "2026-01-01T00:00:00Z")], revenue=3),
            journey("3", [("c", "2026-01-01T00:00:00Z")], converted=False, revenue=0),
        ],
        "channels": ["a", "b", "c", "d"],
    }
    out = analyze_data("attribution", doc)
    assert out["channels"] == ["a", "b", "c", "d"]
    for name in ALL[:-1]:
        close(out["models"][name]["revenue"], {"a": 7.0, "b": 3.0, "c": 0.0, "d": 0.0}, path=name)
    for name in ALL:
        close(out["models"][name]["conversions"], {"a": 1.0, "b": 1.0, "c": 0.0, "d": 0.0}, path=name)
    # P(conv) = 2/3; removing a or b halves it; c and d never lead anywhere. Markov splits the total
    # revenue (10) with the conversion shares, not journey by journey.
    close(out["models"]["markov"]["revenue"], {"a": 5.0, "b": 5.0, "c": 0.0, "d": 0.0})
    close(out["models"]["markov"]["removal_effects"], {"a": 0.5, "b": 0.5, "c": 0.0, "d": 0.0})


def test_position_based_middle_share_with_five_touches() -> None:
    touches = [(ch, f"2026-01-0{i + 1}T00:00:00Z") for i, ch in enumerate(["a", "b", "c", "b", "d"])]
    out = analyze_data(
        "attribution", {"journeys": [journey("j", touches, revenue=1)], "models": ["position_based"]}
    )
    close(out["models"]["position_based"]["revenue"], {"a": 0.4, "b": 0.2 / 3 * 2, "c": 0.2 / 3, "d": 0.4})


def test_no_conversions_gives_zero_credit_everywhere() -> None:
    doc = {"journeys": [journey("j", [("a", "2026-01-01T00:00:00Z")], converted=False)]}
    out = analyze_data("attribution", doc)
    assert out["total_conversions"] == 0 and out["total_revenue"] == 0.0
    for name in ALL:
        assert out["models"][name]["revenue"] == {"a": 0.0}
    assert out["models"]["markov"]["p_conversion"] == 0.0


def random_journeys(seed: int, n_journeys: int, n_channels: int, max_len: int = 5) -> Journeys:
    """Random journeys (the generator is seeded)."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, max_len + 1, n_journeys)
    journey_of = np.repeat(np.arange(n_journeys), lengths)
    channel = rng.integers(0, n_channels, len(journey_of))
    ts = rng.integers(0, 10, len(journey_of)).astype(float) * 3600
    return Journeys.build(
        tuple(f"c{i:02d}" for i in range(n_channels)),
        journey_of,
        channel,
        ts,
        rng.random(n_journeys) < 0.6,
        rng.integers(0, 500, n_journeys).astype(float),
    )


@pytest.mark.parametrize(("seed", "channels"), [(1, 3), (2, 5), (3, 8), (4, 11)])
def test_shapley_closed_form_equals_subset_enumeration(seed: int, channels: int) -> None:
    j = random_journeys(seed, 60, channels)
    converted = j.subset(j.converted)
    ones = np.ones(converted.n_journeys)
    by_formula = shapley_closed_form(converted, [ones, converted.revenue])
    for values, closed in zip([ones, converted.revenue], by_formula, strict=True):
        enumerated = shapley_by_enumeration(converted, values)
        assert np.allclose(closed, enumerated, rtol=0, atol=1e-9), (closed, enumerated)
        assert math.isclose(closed.sum(), values.sum(), abs_tol=1e-9)  # efficiency


def test_ordered_shapley_positions_and_limit() -> None:
    out = analyze_data("attribution", {**CASE_A, "models": ["shapley", "shapley_ordered"]})
    ordered = out["models"]["shapley_ordered"]
    close(ordered["revenue"], out["models"]["shapley"]["revenue"])
    # j1 enters ads then email (45 each), j2 social then ads (5 each), j3 email alone (5)
    close(
        ordered["by_position"]["revenue"],
        {"ads": [45.0, 5.0], "email": [5.0, 45.0], "social": [5.0, 0.0]},
    )
    many = [journey(str(i), [(f"ch{i:02d}", "2026-01-01T00:00:00Z")], revenue=1) for i in range(16)]
    with pytest.raises(AnalysisInputError, match="limited to 15 channels"):
        analyze_data("attribution", {"journeys": many, "models": ["shapley_ordered"]})
    assert analyze_data("attribution", {"journeys": many, "models": ["shapley"]})["total_conversions"] == 16


def test_every_model_hands_out_exactly_the_totals() -> None:
    j = random_journeys(7, 500, 6)
    from metricmind.analyses.attribution import attribute

    out = attribute(j, [*ALL, "shapley_ordered"], markov_order=2)
    for name, entry in out["models"].items():
        assert math.isclose(sum(entry["conversions"].values()), out["total_conversions"], abs_tol=1e-6), name
        assert math.isclose(sum(entry["revenue"].values()), out["total_revenue"], abs_tol=1e-6), name


@pytest.mark.parametrize(("max_len", "grouped"), [(8, True), (40, True), (8, False)])
def test_touch_order_is_the_stable_sort(max_len: int, grouped: bool) -> None:
    from metricmind.analyses.journeys import touch_order

    rng = np.random.default_rng(max_len)
    for _ in range(100):
        lengths = rng.integers(1, max_len + 1, int(rng.integers(1, 30)))
        journey = np.repeat(np.arange(len(lengths)), lengths)
        if not grouped:
            journey = rng.permutation(journey)
        ts = rng.integers(0, 4, len(journey)).astype(float)  # many ties: input order must survive
        order = touch_order(journey, ts)
        got = np.arange(len(ts)) if order is None else order
        assert (got == np.lexsort((np.arange(len(ts)), ts, journey))).all()
