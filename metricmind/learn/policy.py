"""The decision policy: a contextual bandit over a factored action space, in numpy.

One decision per request, its reward observed after the request ran (:mod:`metricmind.learn.reward`).
An *arm* is one combination of the factors' options, e.g. ``optimization=result_cache`` or
``skill=best_match|join_path=canonical|optimization=none``; the caller passes the arms allowed for the
request (only result-equivalent join paths, only rollups that answer the query exactly) and the policy
picks among them.

Two learners, both disjoint linear models (one ridge regression per arm over the context vector,
plus a bias):

* ``linucb``: the arm with the highest upper confidence bound ``θ·x + α·sqrt(xᵀA⁻¹x)``;
* ``thompson``: the arm with the highest draw from the posterior ``θ ~ N(θ̂, v²A⁻¹)``.

Either way an ε share of decisions (0.1 by default) picks an allowed arm uniformly at random. The
models train every ``batch`` experiences (32 by default) from the buffered ones, and old evidence
decays by ``decay`` per experience (forgetting, so the policy follows a drifting workload). The whole
state is a JSON-ready dict (:meth:`Policy.state`), which :class:`metricmind.learn.memory.Memory` stores
as a checkpoint.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from metricmind.errors import MetricmindError

#: The factors of the issue and their options (the first option of each is the plain choice).
FACTORS: dict[str, tuple[str, ...]] = {
    "skill": ("none", "best_match", "fastest", "most_recent"),
    "join_path": ("canonical", "shortest", "fastest", "direct"),
    "optimization": ("none", "result_cache", "rollup"),
    "materialization": ("view", "table", "incremental", "ephemeral"),
}
ALGORITHMS = ("linucb", "thompson")
#: The skill options that reuse a skill's plan (``none`` compiles afresh).
SKILL_OPTIONS = ("best_match", "fastest", "most_recent")


def arm_key(action: Mapping[str, str]) -> str:
    """The arm's name: ``factor=option`` pairs joined by ``|``, in the order given."""
    return "|".join(f"{k}={v}" for k, v in action.items())


def arm_action(key: str) -> dict[str, str]:
    """The factors and options of an arm's name."""
    return dict(part.split("=", 1) for part in key.split("|") if part)


def query_arm(skill: str = "none", join_path: str = "canonical", optimization: str = "none") -> str:
    """The name of one arm of a query's decision (skill × join path × optimization)."""
    return arm_key({"skill": skill, "join_path": join_path, "optimization": optimization})


#: A query's arms: the optimizations with the plain plan, the shortest join path with or without the
#: result cache, and each skill option's plan (read along either path) with or without it. A rollup
#: answers from its own table, so it goes with neither a skill nor another join path.
QUERY_ARMS: tuple[str, ...] = (
    query_arm(),
    query_arm(optimization="result_cache"),
    query_arm(optimization="rollup"),
    query_arm(join_path="shortest"),
    query_arm(join_path="shortest", optimization="result_cache"),
    *(
        query_arm(s, j, o)
        for s in SKILL_OPTIONS
        for j in ("canonical", "shortest")
        for o in ("none", "result_cache")
    ),
)


@dataclass(frozen=True)
class ActionSpace:
    """The factors a policy decides over (a subset of :data:`FACTORS`, or custom ones)."""

    factors: Mapping[str, Sequence[str]]

    @classmethod
    def of(cls, *names: str) -> ActionSpace:
        """The space of the named factors of :data:`FACTORS`.

        Raises:
            MetricmindError: an unknown factor.
        """
        unknown = [n for n in names if n not in FACTORS]
        if unknown:
            raise MetricmindError(
                f"Unknown decision factor(s) {', '.join(unknown)}", hint=f"Use: {', '.join(FACTORS)}."
            )
        return cls({n: FACTORS[n] for n in names})

    def arms(self) -> list[str]:
        """Every combination of options, as arm names."""
        names = list(self.factors)
        return [
            arm_key(dict(zip(names, combo, strict=True)))
            for combo in itertools.product(*self.factors.values())
        ]


class Policy:
    """A contextual bandit over ``arms`` with ``dim`` context features.

    Args:
        arms: The arm names (see :meth:`ActionSpace.arms`).
        dim: The number of context features (the policy adds the bias itself).
        algorithm: ``linucb`` or ``thompson``.
        epsilon: The share of random decisions among the allowed arms.
        alpha: LinUCB's exploration weight (or the Thompson posterior's scale).
        batch: Train every this many experiences.
        decay: How much one experience's evidence weighs after each later one (1 = never forget).
        ridge: The prior precision of each arm's model.
        seed: The random generator's seed.
    """

    def __init__(
        self,
        arms: Sequence[str],
        dim: int,
        *,
        algorithm: str = "linucb",
        epsilon: float = 0.1,
        alpha: float = 1.0,
        batch: int = 32,
        decay: float = 0.995,
        ridge: float = 1.0,
        seed: int = 0,
    ) -> None:
        if algorithm not in ALGORITHMS:
            raise MetricmindError(
                f"Unknown bandit algorithm {algorithm!r}", hint=f"Use {' or '.join(ALGORITHMS)}."
            )
        if not arms:
            raise MetricmindError("A policy needs at least one arm", hint="Pass ActionSpace(...).arms().")
        self.arms = list(arms)
        self.index = {a: i for i, a in enumerate(self.arms)}
        self.dim = dim + 1
        self.algorithm = algorithm
        self.epsilon = epsilon
        self.alpha = alpha
        self.batch = batch
        self.decay = decay
        self.ridge = ridge
        self.rng = np.random.default_rng(seed)
        k, d = len(self.arms), self.dim
        self.A = np.tile(np.eye(d) * ridge, (k, 1, 1))
        self.b = np.zeros((k, d))
        self.A_inv = np.tile(np.eye(d) / ridge, (k, 1, 1))
        self.theta = np.zeros((k, d))
        self.pulls = np.zeros(k, dtype=np.int64)
        self.reward_sum = np.zeros(k)
        self.experiences = 0
        self.trainings = 0
        self._buffer: list[tuple[np.ndarray, int, float]] = []

    def _x(self, context: Sequence[float] | np.ndarray) -> np.ndarray:
        x = np.asarray(context, dtype=float).ravel()
        if x.shape[0] != self.dim - 1:
            raise MetricmindError(
                f"The context has {x.shape[0]} features, the policy expects {self.dim - 1}",
                hint="Build contexts with the same feature function the policy was made for.",
            )
        return np.append(x, 1.0)

    def scores(
        self, context: Sequence[float] | np.ndarray, allowed: Sequence[str] | None = None
    ) -> dict[str, float]:
        """Each allowed arm's score for ``context`` (UCB, or a posterior draw)."""
        x = self._x(context)
        ids = self._allowed(allowed)
        mean = self.theta[ids] @ x
        if self.algorithm == "linucb":
            width = np.sqrt(np.einsum("i,kij,j->k", x, self.A_inv[ids], x))
            values = mean + self.alpha * width
        else:
            var = np.einsum("i,kij,j->k", x, self.A_inv[ids], x)
            values = mean + self.alpha * np.sqrt(var) * self.rng.standard_normal(len(ids))
        return {self.arms[i]: float(v) for i, v in zip(ids, values, strict=True)}

    def _allowed(self, allowed: Sequence[str] | None) -> list[int]:
        if allowed is None:
            return list(range(len(self.arms)))
        unknown = [a for a in allowed if a not in self.index]
        if unknown or not allowed:
            raise MetricmindError(
                f"Arm(s) {', '.join(unknown) or '(none)'} are not arms of this policy",
                hint=f"Allowed arms come from: {', '.join(self.arms[:6])}{' …' if len(self.arms) > 6 else ''}.",
            )
        return [self.index[a] for a in allowed]

    def choose(self, context: Sequence[float] | np.ndarray, allowed: Sequence[str] | None = None) -> str:
        """The arm to play for ``context`` among ``allowed`` (every arm when None)."""
        ids = self._allowed(allowed)
        if self.rng.random() < self.epsilon:
            return self.arms[ids[int(self.rng.integers(len(ids)))]]
        scores = self.scores(context, allowed)
        best = max(scores.values())
        top = [a for a, s in scores.items() if s >= best - 1e-12]
        return top[int(self.rng.integers(len(top)))]

    def observe(self, context: Sequence[float] | np.ndarray, arm: str, reward: float) -> bool:
        """Record the reward ``arm`` earned for ``context``; True when this experience triggered training."""
        i = self._allowed([arm])[0]
        self._buffer.append((self._x(context), i, float(reward)))
        self.pulls[i] += 1
        self.reward_sum[i] += reward
        self.experiences += 1
        if len(self._buffer) >= self.batch:
            self.train()
            return True
        return False

    def train(self) -> None:
        """Fold the buffered experiences into the models (old evidence decays) and refresh them."""
        if not self._buffer:
            return
        d = self.dim
        forget = self.decay ** len(self._buffer)
        prior = np.eye(d) * self.ridge
        self.A = prior + forget * (self.A - prior)
        self.b = forget * self.b
        for x, i, r in self._buffer:
            self.A[i] += np.outer(x, x)
            self.b[i] += r * x
        self._buffer.clear()
        self.A_inv = np.asarray(np.linalg.inv(self.A), dtype=float)
        self.theta = np.einsum("kij,kj->ki", self.A_inv, self.b)
        self.trainings += 1

    def arm_stats(self) -> list[dict[str, Any]]:
        """Each arm's pulls and mean reward, most pulled first."""
        out = [
            {
                "arm": a,
                "pulls": int(self.pulls[i]),
                "mean_reward": round(float(self.reward_sum[i] / self.pulls[i]), 4) if self.pulls[i] else None,
            }
            for i, a in enumerate(self.arms)
        ]
        return sorted(out, key=lambda s: (-s["pulls"], s["arm"]))

    def state(self) -> dict[str, Any]:
        """The whole policy as JSON-ready data (the buffer is trained first)."""
        self.train()
        return {
            "arms": self.arms,
            "dim": self.dim - 1,
            "algorithm": self.algorithm,
            "epsilon": self.epsilon,
            "alpha": self.alpha,
            "batch": self.batch,
            "decay": self.decay,
            "ridge": self.ridge,
            "A": self.A.tolist(),
            "b": self.b.tolist(),
            "pulls": self.pulls.tolist(),
            "reward_sum": self.reward_sum.tolist(),
            "experiences": self.experiences,
            "trainings": self.trainings,
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any], seed: int = 0) -> Policy:
        """A policy restored from :meth:`state`."""
        policy = cls(
            state["arms"],
            int(state["dim"]),
            algorithm=str(state["algorithm"]),
            epsilon=float(state["epsilon"]),
            alpha=float(state["alpha"]),
            batch=int(state["batch"]),
            decay=float(state["decay"]),
            ridge=float(state["ridge"]),
            seed=seed,
        )
        policy.A = np.asarray(state["A"], dtype=float)
        policy.b = np.asarray(state["b"], dtype=float)
        policy.A_inv = np.asarray(np.linalg.inv(policy.A), dtype=float)
        policy.theta = np.einsum("kij,kj->ki", policy.A_inv, policy.b)
        policy.pulls = np.asarray(state["pulls"], dtype=np.int64)
        policy.reward_sum = np.asarray(state["reward_sum"], dtype=float)
        policy.experiences = int(state["experiences"])
        policy.trainings = int(state["trainings"])
        return policy
