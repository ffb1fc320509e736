"""Markov removal effects against two independent computations.

1. A pure-Python chain (dictionaries of tuple states) solved by value iteration to convergence: a different
   method (fixed-point iteration, not a linear solve) and different code (no numpy state encoding).
2. ``ChannelAttribution`` (PyPI), a test-only dependency: it estimates removal effects by simulation, so it
   agrees to a simulation tolerance; its transition probabilities must agree exactly.
"""

from __future__ import annotations

import importlib
import os
from collections import defaultdict

import numpy as np
import pytest

from metricmind.analyses.attribution import attribute
from metricmind.analyses.journeys import Journeys
from metricmind.analyses.markov import markov_removal_effects, transition_matrix
from tests.analyses.test_attribution import random_journeys

State = tuple[str, ...]


def paths_of(j: Journeys) -> list[tuple[list[str], bool]]:
    """Each journey as (channel names in time order, converted)."""
    out: list[tuple[list[str], bool]] = [([], bool(c)) for c in j.converted]
    for journey_index, code in zip(j.journey.tolist(), j.channel.tolist(), strict=True):
        out[journey_index][0].append(j.channels[code])
    return out


def value_iteration(paths: list[tuple[list[str], bool]], order: int, removed: str | None) -> float:
    """P(conversion) from start by iterating x ← r + Q x until it stops moving."""
    counts: dict[State, dict[State, int]] = defaultdict(lambda: defaultdict(int))
    for channels, converted in paths:
        states: list[State] = [("<start>",)]
        for i in range(len(channels)):
            states.append(tuple(channels[max(0, i - order + 1) : i + 1]))
        states.append(("<conv>",) if converted else ("<null>",))
        for a, b in zip(states, states[1:], strict=False):
            counts[a][b] += 1
    x: dict[State, float] = defaultdict(float)
    for _ in range(100_000):
        delta = 0.0
        for state, targets in counts.items():
            total = sum(targets.values())
            value = 0.0
            for target, n in targets.items():
                if target == ("<conv>",):
                    value += n / total
                elif removed is None or removed not in target:
                    value += n / total * x[target]
            delta = max(delta, abs(value - x[state]))
            x[state] = value
        if delta < 1e-15:
            break
    return x[("<start>",)]


@pytest.mark.parametrize(("seed", "order"), [(11, 1), (12, 1), (13, 2), (14, 3)])
def test_removal_effects_match_value_iteration(seed: int, order: int) -> None:
    j = random_journeys(seed, 80, 4, max_len=4)
    p_full, effects = markov_removal_effects(j, order=order)
    paths = paths_of(j)
    expected_full = value_iteration(paths, order, None)
    assert abs(p_full - expected_full) < 1e-9
    for code, name in enumerate(j.channels):
        expected = 1 - value_iteration(paths, order, name) / expected_full
        assert abs(effects[code] - expected) < 1e-9, (name, effects[code], expected)


def test_p_conversion_of_an_order_one_chain_is_the_conversion_rate() -> None:
    j = random_journeys(21, 300, 5)
    p_full, _ = markov_removal_effects(j)
    assert abs(p_full - j.converted.mean()) < 1e-9


def test_bad_order_and_too_many_states_are_refused() -> None:
    from metricmind.analyses import AnalysisInputError

    j = random_journeys(22, 50, 3)
    with pytest.raises(AnalysisInputError, match="Markov order"):
        transition_matrix(j, order=0)
    big = random_journeys(23, 20_000, 12, max_len=6)
    with pytest.raises(AnalysisInputError, match="states"):
        transition_matrix(big, order=4)


def _channel_attribution():  # type: ignore[no-untyped-def]
    try:
        return importlib.import_module("ChannelAttribution")
    except ImportError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("ChannelAttribution is not installed (test-only dependency)")


def test_against_channelattribution() -> None:
    ca = _channel_attribution()
    import pandas as pd

    j = random_journeys(31, 400, 4, max_len=4)
    paths = paths_of(j)
    grouped: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for channels, converted in paths:
        grouped[">".join(channels)][0 if converted else 1] += 1
    frame = pd.DataFrame(
        [{"path": p, "conv": c, "null": n} for p, (c, n) in grouped.items()], columns=["path", "conv", "null"]
    )
    result = ca.markov_model(
        frame,
        "path",
        "conv",
        var_null="null",
        out_more=True,
        verbose=False,
        flg_pro=False,
        nsim_start=3e5,
        max_step=60,
        conv_par=0.01,
        seed=1,
    )
    _, effects = markov_removal_effects(j)
    theirs = dict(
        zip(
            result["removal_effects"]["channel_name"],
            result["removal_effects"]["removal_effect"],
            strict=True,
        )
    )
    for code, name in enumerate(j.channels):
        assert abs(effects[code] - theirs[name]) < 0.01, (name, effects[code], theirs[name])
    # their credits are total × effect / Σ effects, like ours
    ours = attribute(j, ["markov"])["models"]["markov"]["conversions"]
    credit = dict(zip(result["result"]["channel_name"], result["result"]["total_conversions"], strict=True))
    for name in j.channels:
        assert abs(ours[name] - credit[name]) < 0.02 * j.converted.sum()
    # transition probabilities agree exactly. They number channels their own way and drop self-loops, so
    # compare the sorted lists of probabilities, ours renormalised without self-loops.
    probabilities, _ = transition_matrix(j)
    mine = []
    for a in range(probabilities.shape[0] - 2):
        row = probabilities[a].copy()
        if a > 0:
            row[a] = 0.0
        mine += [p / row.sum() for p in row if p > 0]
    theirs_p = sorted(result["transition_matrix"]["transition_probability"])
    assert np.allclose(sorted(mine), theirs_p, rtol=0, atol=1e-9)


@pytest.mark.parametrize("order", [1, 2])
def test_sorted_and_table_state_mappings_agree(order: int, monkeypatch: pytest.MonkeyPatch) -> None:
    import metricmind.analyses.markov as markov

    j = random_journeys(41, 200, 5)
    by_table = markov_removal_effects(j, order=order)
    monkeypatch.setattr(markov, "DENSE_CODES", 0)  # force the np.unique path
    by_sort = markov_removal_effects(j, order=order)
    assert abs(by_table[0] - by_sort[0]) < 1e-12
    assert np.allclose(by_table[1], by_sort[1], rtol=0, atol=1e-12)
