"""The factored policy: evidence shared across arms through their factor options, exploration spent on the
arms not yet shown worse, and checkpoints of either model.
"""

from __future__ import annotations

import numpy as np
import pytest

from metricmind.errors import MetricmindError
from metricmind.learn.policy import QUERY_ARMS, Policy, arm_blocks, query_arm

PLAIN = query_arm()
CACHE = query_arm(optimization="result_cache")
SKILL = query_arm("best_match")
SKILL_CACHE = query_arm("best_match", optimization="result_cache")


def play(policy: Policy, arms: list[str], n: int = 320, seed: int = 4) -> None:
    """Contexts ``[cached, other]``: the cache is worth +3 when cached, nothing else differs."""
    rng = np.random.default_rng(seed)
    for t in range(n):
        x = np.array([float(t % 2), rng.random()])
        arm = arms[t % len(arms)]
        gain = 3.0 if x[0] and "result_cache" in arm else 0.0
        policy.observe(x, arm, 17.0 + gain + rng.normal(0, 0.5))


def test_blocks_are_the_non_plain_options_or_the_arm_itself() -> None:
    names, per_arm = arm_blocks([PLAIN, CACHE, SKILL_CACHE, "x"])
    assert names == ["base", "optimization=result_cache", "skill=best_match", "arm=x"]
    assert per_arm == [[0], [0, 1], [0, 2, 1], [0, 3]]


@pytest.mark.parametrize("algorithm", ["linucb", "thompson"])
def test_an_option_learned_on_one_arm_carries_to_an_arm_never_played(algorithm: str) -> None:
    """Played: plain, the cache, a skill's plan. Never played: the skill's plan with the cache."""
    factored = Policy(list(QUERY_ARMS), 2, algorithm=algorithm, epsilon=0.0, seed=1)
    disjoint = Policy(list(QUERY_ARMS), 2, algorithm=algorithm, epsilon=0.0, seed=1, model="disjoint")
    for policy in (factored, disjoint):
        play(policy, [PLAIN, CACHE, SKILL])
    cached, fresh = [1.0, 0.5], [0.0, 0.5]
    i, j = factored.index[SKILL_CACHE], factored.index[PLAIN]
    x = np.array([*cached, 1.0])
    assert factored.theta[i] @ x == pytest.approx(factored.theta[j] @ x + 3.0, abs=0.6)
    assert factored.theta[i] @ np.array([*fresh, 1.0]) < factored.theta[i] @ x - 2.0  # only when cached
    assert disjoint.theta[i] @ x == 0.0  # a disjoint model knows nothing of an arm it never played
    allowed = [PLAIN, SKILL, SKILL_CACHE]
    assert Policy.from_state(factored.state() | {"alpha": 0.0}).choose(cached, allowed) == SKILL_CACHE


def test_exploration_skips_arms_shown_worse_with_confidence() -> None:
    policy = Policy([PLAIN, CACHE], 2, epsilon=1.0, seed=2)  # every decision explores
    assert policy.plausible([1.0, 0.5]) == [PLAIN, CACHE]  # nothing known yet: every arm
    play(policy, [PLAIN, CACHE])
    assert policy.plausible([1.0, 0.5]) == [CACHE]  # cached: plain is worse, with confidence
    assert set(policy.plausible([0.0, 0.5])) == {PLAIN, CACHE}  # not cached: the same reward
    picks = {policy.choose([1.0, 0.5]) for _ in range(50)}
    assert picks == {CACHE}
    uniform = Policy.from_state(policy.state() | {"confidence": None}, seed=3)
    assert uniform.plausible([1.0, 0.5]) == [PLAIN, CACHE]
    assert {uniform.choose([1.0, 0.5]) for _ in range(50)} == {PLAIN, CACHE}


def test_interactions_limit_what_the_options_read() -> None:
    policy = Policy([PLAIN, CACHE], 3, interactions=[0])
    assert policy.A.shape == (4 + 2, 4 + 2)  # base: 3 features + bias; the cache: feature 0 + bias
    play_x = np.array([1.0, 0.2, 0.3])
    policy.observe(play_x, CACHE, 20.0)
    policy.train()
    restored = Policy.from_state(policy.state())
    assert restored.interactions == [0]
    assert restored.scores(play_x) == pytest.approx(policy.scores(play_x))
    with pytest.raises(MetricmindError, match="Interaction feature index out of range"):
        Policy([PLAIN], 2, interactions=[5])
    with pytest.raises(MetricmindError, match="Unknown policy model"):
        Policy([PLAIN], 2, model="deep")


def test_a_checkpoint_without_a_model_restores_the_disjoint_policy_it_was() -> None:
    old = Policy(["a", "b"], 2, model="disjoint", confidence=None, seed=1)
    for t in range(40):
        old.observe([1.0, t % 2], "a" if t % 3 else "b", float(t % 5))
    state = old.state()
    for key in ("model", "confidence", "interactions"):  # written before these existed
        state.pop(key)
    restored = Policy.from_state(state)
    assert restored.model == "disjoint" and restored.confidence is None
    assert np.allclose(restored.theta, old.theta)
    assert restored.scores([1.0, 1.0]) == pytest.approx(old.scores([1.0, 1.0]))
