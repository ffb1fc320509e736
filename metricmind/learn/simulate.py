"""The simulator: the demo's query mix replayed against the policy, with rewards from MEASURED arms.

Workload: every query shape of the recorded table (``data/arms.json``, measured on a built demo by
``bench/learn_measure.py``: metric × group-by × grain, with plain, result-cache and rollup latency
samples, row counts, and whether each rollup's rows equal the plain rows) drawn with Zipf popularity.
Every answer is stored in the result cache (an LRU, keyed by SQL and data version); the warehouse is
reloaded every ``reload_every`` requests (a new data version: the cache starts empty). Arms
(factor ``optimization``):

* ``none``: the plain plan — a plain latency sample;
* ``result_cache``: a hit (a cache latency sample, optimization applied) when the shape's answer is
  cached on this data version, else the plain plan plus the store;
* ``rollup``: the rollup latency when a rollup answers the shape exactly (its rows were equal when
  measured), else the plain plan (the router falls back; nothing applied).

Drift halfway: the nightly job replaces the day rollups by month rollups (day and week shapes lose
theirs; the month rollup answers coarser shapes) and popularity is reshuffled. The cache state does not
depend on the arms, so every policy sees the same episodes and each arm's reward is known for every
episode (common random numbers): the oracle plays the best arm per context (highest expected reward),
the best fixed arm is the best single arm in hindsight, random picks uniformly.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from metricmind.learn.cache import ResultCache
from metricmind.learn.policy import Policy
from metricmind.learn.reward import Outcome, RewardConfig

ARMS = ("optimization=none", "optimization=result_cache", "optimization=rollup")
GRAINS = ("none", "day", "week", "month", "quarter", "year")
ORDER = {g: i for i, g in enumerate(GRAINS)}


def load_table() -> dict[str, Any]:
    """The recorded arms table shipped with the package."""
    text = resources.files("metricmind.learn").joinpath("data/arms.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


@dataclass(frozen=True)
class Shape:
    """One query shape and its measured samples."""

    key: str
    metric: str
    grain: str
    categorical: bool
    rows: int
    plain: np.ndarray
    hit: np.ndarray
    put: np.ndarray
    rollup: dict[str, np.ndarray]  # rollup grain → latency samples, only where exact


def shapes_of(table: dict[str, Any]) -> list[Shape]:
    """The shapes of a recorded table."""
    out = []
    for row in table["shapes"]:
        time_dims = [g for g in row["group_by"] if g.startswith("metric_time__")]
        out.append(
            Shape(
                key=f"{row['metric']}|{','.join(row['group_by'])}",
                metric=row["metric"],
                grain=time_dims[0].rsplit("__", 1)[1] if time_dims else "none",
                categorical=len(row["group_by"]) > len(time_dims),
                rows=int(row["rows"]),
                plain=np.asarray(row["plain_ms"], dtype=float),
                hit=np.asarray(row["cache_hit_ms"], dtype=float),
                put=np.asarray(row["cache_put_ms"], dtype=float),
                rollup={r["grain"]: np.asarray(r["ms"], dtype=float) for r in row["rollups"] if r["exact"]},
            )
        )
    return out


class Workload:
    """Context features and each arm's reward per episode, for one seed."""

    def __init__(
        self,
        shapes: list[Shape],
        episodes: int,
        seed: int,
        *,
        zipf: float = 1.1,
        reload_every: int = 150,
        cache_entries: int = 64,
        reward: RewardConfig | None = None,
    ) -> None:
        self.shapes = shapes
        self.episodes = episodes
        self.drift_at = episodes // 2
        self.reward = reward or RewardConfig()
        self.metrics = sorted({s.metric for s in shapes})
        rng = np.random.default_rng(seed)
        weights = 1.0 / np.arange(1, len(shapes) + 1) ** zipf
        weights /= weights.sum()
        phases = [rng.permutation(len(shapes)), rng.permutation(len(shapes))]
        cache = ResultCache(max_entries=cache_entries)
        seen: set[str] = set()
        self.contexts = np.zeros((episodes, self.dim()))
        self.rewards = np.zeros((episodes, len(ARMS)))
        self.expected = np.zeros((episodes, len(ARMS)))
        self.picks: list[int] = []
        for t in range(episodes):
            phase = 0 if t < self.drift_at else 1
            version = f"v{t // reload_every}"
            shape = shapes[int(phases[phase][rng.choice(len(shapes), p=weights)])]
            cached = cache.get(shape.key, version) is not None
            new = shape.key not in seen
            seen.add(shape.key)
            u = rng.random()  # one draw per episode, shared by every arm (common random numbers)
            self.contexts[t] = self.features(shape, cached)
            for a in range(len(ARMS)):
                samples = self.outcomes(shape, a, cached, phase, new)
                self.rewards[t, a] = self.reward.reward(samples[int(u * len(samples))])
                self.expected[t, a] = float(np.mean([self.reward.reward(o) for o in samples]))
            cache.put(shape.key, version, (), (), 0.0)

    def dim(self) -> int:
        """The number of context features."""
        return len(self.metrics) + len(GRAINS) + 3

    def features(self, shape: Shape, cached: bool) -> np.ndarray:
        """What the server knows before it decides: metric, grain, a categorical group-by, cached, rows."""
        x = np.zeros(self.dim())
        x[self.metrics.index(shape.metric)] = 1.0
        x[len(self.metrics) + ORDER[shape.grain]] = 1.0
        x[-3] = float(shape.categorical)
        x[-2] = float(cached)
        x[-1] = math.log10(shape.rows + 1) / 4
        return x

    def outcomes(self, shape: Shape, arm: int, cached: bool, phase: int, new: bool) -> list[Outcome]:
        """The possible outcomes of ``arm`` (one per measured sample)."""
        name = ARMS[arm]
        if name == "optimization=result_cache" and cached:
            return [Outcome(True, float(ms), shape.rows, True, new) for ms in shape.hit]
        if name == "optimization=result_cache":
            put = float(np.mean(shape.put))
            return [Outcome(True, float(ms) + put, shape.rows, False, new) for ms in shape.plain]
        if name == "optimization=rollup":
            grain = "day" if phase == 0 else "month"
            if grain in shape.rollup:
                return [Outcome(True, float(ms), shape.rows, True, new) for ms in shape.rollup[grain]]
        return [Outcome(True, float(ms), shape.rows, False, new) for ms in shape.plain]


def recovery(
    learned: np.ndarray, oracle: np.ndarray, start: int, share: float = 0.85, window: int = 100
) -> int | None:
    """Episodes after ``start`` until the learned moving-average reward reaches ``share`` of the oracle's."""
    for t in range(start + 1, len(learned) + 1):
        lo = max(start, t - window)
        if learned[lo:t].sum() >= share * oracle[lo:t].sum() and t - lo >= min(window, len(learned) - start):
            return t - start
    return None


def simulate(
    episodes: int = 2000,
    seed: int = 0,
    *,
    algorithm: str = "linucb",
    epsilon: float = 0.1,
    table: dict[str, Any] | None = None,
    reward: RewardConfig | None = None,
) -> dict[str, Any]:
    """Run the policy on the simulated workload; the figures ``metricmind learn simulate`` prints."""
    work = Workload(shapes_of(table or load_table()), episodes, seed, reward=reward)
    policy = Policy(list(ARMS), work.dim(), algorithm=algorithm, epsilon=epsilon, seed=seed)
    got = np.zeros(episodes)
    for t in range(episodes):
        arm = policy.choose(work.contexts[t])
        got[t] = work.rewards[t, ARMS.index(arm)]
        policy.observe(work.contexts[t], arm, got[t])
    oracle = work.rewards[np.arange(episodes), work.expected.argmax(axis=1)]
    fixed = work.rewards.sum(axis=0)
    random_arms = np.random.default_rng(seed + 1).integers(len(ARMS), size=episodes)
    random = work.rewards[np.arange(episodes), random_arms]
    regret = np.cumsum(oracle - got)
    step = max(1, episodes // 20)
    return {
        "episodes": episodes,
        "seed": seed,
        "algorithm": algorithm,
        "reward": round(float(got.sum()), 2),
        "oracle_reward": round(float(oracle.sum()), 2),
        "best_fixed_reward": round(float(fixed.max()), 2),
        "best_fixed_arm": ARMS[int(fixed.argmax())],
        "random_reward": round(float(random.sum()), 2),
        "share_of_oracle": round(float(got.sum() / oracle.sum()), 4),
        "regret_curve": [[t, round(float(regret[t - 1]), 2)] for t in range(step, episodes + 1, step)],
        "drift_at": work.drift_at,
        "recovery_episodes_after_drift": recovery(got, oracle, work.drift_at),
        "arms": policy.arm_stats(),
        "shapes": len(work.shapes),
    }
