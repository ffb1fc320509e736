"""Ties in reward are broken by the measured cost: of two optimizations the default reward pays the same
(a result-cache hit and a rollup's answer: +3 optimized, under a second), the faster is played; a reward
difference larger than the tie is never overridden by cost.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from metricmind.learn.policy import QUERY_ARMS, Policy, query_arm

PLAIN = query_arm()
CACHE = query_arm(optimization="result_cache")
ROLLUP = query_arm(optimization="rollup")


def train(policy: Policy, rewards: dict[str, float], ms: dict[str, float] | None, n: int = 300) -> None:
    """Every arm of ``rewards`` played in turn on contexts ``[cached, other]`` (noise on the reward)."""
    rng = np.random.default_rng(3)
    arms = list(rewards)
    for t in range(n):
        arm = arms[t % len(arms)]
        x = np.array([1.0, rng.random()])
        cost = None if ms is None else math.log1p(ms[arm] * (1 + 0.2 * rng.random()))
        policy.observe(x, arm, rewards[arm] + rng.normal(0, 0.3), cost)
    policy.train()


def picks(policy: Policy, allowed: list[str], n: int = 200) -> dict[str, int]:
    rng = np.random.default_rng(5)
    out = dict.fromkeys(allowed, 0)
    for _ in range(n):
        out[policy.choose(np.array([1.0, rng.random()]), allowed)] += 1
    return out


@pytest.mark.parametrize("model", ["factored", "disjoint"])
def test_equal_rewards_play_the_faster_arm(model: str) -> None:
    policy = Policy(list(QUERY_ARMS), 2, epsilon=0.0, model=model)
    train(policy, {PLAIN: 17.0, CACHE: 20.0, ROLLUP: 20.0}, {PLAIN: 30.0, CACHE: 0.5, ROLLUP: 6.0})
    assert picks(policy, [PLAIN, CACHE, ROLLUP]) == {PLAIN: 0, CACHE: 200, ROLLUP: 0}
    # the other way round: the rollup measured faster is the one played
    other = Policy(list(QUERY_ARMS), 2, epsilon=0.0, model=model)
    train(other, {PLAIN: 17.0, CACHE: 20.0, ROLLUP: 20.0}, {PLAIN: 30.0, CACHE: 9.0, ROLLUP: 0.8})
    assert picks(other, [PLAIN, CACHE, ROLLUP])[ROLLUP] == 200


def test_cost_never_overrides_a_reward_difference_beyond_the_tie() -> None:
    policy = Policy(list(QUERY_ARMS), 2, epsilon=0.0)
    train(policy, {PLAIN: 17.0, CACHE: 20.0, ROLLUP: 21.0}, {PLAIN: 30.0, CACHE: 0.5, ROLLUP: 6.0})
    assert picks(policy, [PLAIN, CACHE, ROLLUP])[ROLLUP] == 200


def test_without_costs_or_with_tie_zero_the_reward_alone_decides() -> None:
    """No cost observed (or ``tie=0``): the choice is the UCB's, as before the tie-break existed."""
    for tie, ms in ((0.2, None), (0.0, {PLAIN: 30.0, CACHE: 0.5, ROLLUP: 6.0})):
        policy = Policy(list(QUERY_ARMS), 2, epsilon=0.0, tie=tie)
        train(policy, {PLAIN: 17.0, CACHE: 20.0, ROLLUP: 20.0}, ms)
        x = np.array([1.0, 0.5])
        scores = policy.scores(x, [PLAIN, CACHE, ROLLUP])
        assert policy.choose(x, [PLAIN, CACHE, ROLLUP]) == max(scores, key=lambda a: scores[a])


def test_the_cost_model_survives_a_checkpoint() -> None:
    policy = Policy(list(QUERY_ARMS), 2, epsilon=0.0)
    train(policy, {PLAIN: 17.0, CACHE: 20.0, ROLLUP: 20.0}, {PLAIN: 30.0, CACHE: 0.5, ROLLUP: 6.0})
    restored = Policy.from_state(policy.state())
    assert restored.costs == policy.costs > 0
    assert restored.tie == policy.tie
    np.testing.assert_allclose(restored.cost_theta, policy.cost_theta)
    assert picks(restored, [PLAIN, CACHE, ROLLUP])[CACHE] == 200
    # a checkpoint from before costs existed restores with none: ties left to the reward
    old = {k: v for k, v in policy.state().items() if k not in ("bc", "costs", "tie")}
    assert Policy.from_state(old).costs == 0
