"""The decision policy: a contextual bandit over a factored action space, in numpy.

One decision per request, its reward observed after the request ran (:mod:`metricmind.learn.reward`).
An *arm* is one combination of the factors' options, e.g. ``optimization=result_cache`` or
``skill=best_match|join_path=canonical|optimization=none``; the caller passes the arms allowed for the
request (only result-equivalent join paths, only rollups that answer the query exactly) and the policy
picks among them.

The reward model is linear in the context vector (plus a bias). ``model="factored"`` (the default)
shares evidence across arms: an arm's coefficients are the sum of a *base* block every arm shares and
one block per factor option it uses that is not the factor's plain option (``optimization=result_cache``,
``skill=best_match``, …; for arm names without factors, one block per arm) — a hierarchical prior, each
block ``N(0, I/ridge)`` (the option blocks ``N(0, I/option_ridge)``), fitted as one ridge regression. What the cache is worth in a context is then
learned from every arm that uses the cache, and what a context is worth from every arm.
``model="disjoint"`` is one ridge regression per arm (the model before; old checkpoints restore as it).
Two learners over either model:

* ``linucb``: the arm with the highest upper confidence bound ``θ·x + α·sqrt(xᵀΣx)``;
* ``thompson``: the arm with the highest draw from the posterior ``N(θ̂, α²Σ)`` (``Σ`` the arm's
  posterior covariance; the factored model draws all blocks jointly).

ε-exploration: an ε share of decisions (0.1 by default) picks uniformly at random among the allowed arms
**not yet shown, with confidence, to be worse** than the best estimated one — the arms whose difference
from it could still be positive, ``θ_a·x − θ_best·x + z·sd(a − best) ≥ 0`` (``z`` = ``confidence``,
2 by default); ``confidence=None`` explores among every allowed arm. Forgetting widens the bounds again, so
an arm dominated long ago is explored again when the evidence has faded. The models train every
``batch`` experiences (32 by default) from the buffered ones, and old evidence decays by ``decay`` per
experience (so the policy follows a drifting workload). The whole state is a JSON-ready dict
(:meth:`Policy.state`), which :class:`metricmind.learn.memory.Memory` stores as a checkpoint.

``pattern_options`` (the query policy: ``optimization=hints``) give those options one more coefficient
per query pattern, fitted jointly with the blocks and capped (:mod:`metricmind.learn.patterns`): the
caller names the pattern in :meth:`Policy.choose` and :meth:`Policy.observe`. The action space (arm
names, the query's arms, :func:`offered_arms`) is :mod:`metricmind.learn.arms`, re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from metricmind.errors import MetricmindError
from metricmind.learn.arms import FACTORS as FACTORS
from metricmind.learn.arms import QUERY_ARMS as QUERY_ARMS
from metricmind.learn.arms import SKILL_OPTIONS as SKILL_OPTIONS
from metricmind.learn.arms import ActionSpace as ActionSpace
from metricmind.learn.arms import arm_action as arm_action
from metricmind.learn.arms import arm_blocks as arm_blocks
from metricmind.learn.arms import arm_key as arm_key
from metricmind.learn.arms import offered_arms as offered_arms
from metricmind.learn.arms import query_arm as query_arm
from metricmind.learn.patterns import (
    MAX_PATTERNS,
    PATTERN_RIDGE,
    Effects,
    Posterior,
    effect_key,
    extended,
    pattern_option,
)
from metricmind.learn.policystate import policy_state, restore_policy

ALGORITHMS = ("linucb", "thompson")
#: How the share of exploring decisions evolves (:meth:`Policy.epsilon_for`).
EPSILON_SCHEDULES = ("constant", "per_context")
#: The contexts whose decisions the per-context schedule counts (the least recent are forgotten).
MAX_VISITS = 50_000
MODELS = ("factored", "disjoint")


class Policy:
    """A contextual bandit over ``arms`` with ``dim`` context features.

    Args:
        arms: The arm names (see :meth:`ActionSpace.arms`).
        dim: The number of context features (the policy adds the bias itself).
        algorithm: ``linucb`` or ``thompson``.
        epsilon: The share of exploring decisions (random among the allowed arms not shown worse).
        alpha: LinUCB's exploration weight (or the Thompson posterior's scale).
        batch: Train every this many experiences.
        decay: How much one experience's evidence weighs after each later one (1 = never forget).
        ridge: The prior precision of each model block (the disjoint model's, the base block's).
        option_ridge: The prior precision of the factored model's option blocks (None: ``ridge``). 0.1 is a
            prior standard deviation of about 3 reward points per coefficient: an option never tried
            may be worth about what the default reward's steps are (+3 an optimization, +5 a fast
            answer), so it is tried rather than ruled out by a prior that says it is worth nothing.
        seed: The random generator's seed.
        model: ``factored`` (shared blocks per factor option) or ``disjoint`` (one model per arm).
        confidence: ``z`` of the bounds that tell an arm is worse (exploration skips it); None: explore
            among every allowed arm.
        interactions: The context features (indices) the factored model's option blocks read, besides
            the bias (default every feature; the base block always reads every feature).
        tie: Reward points within which two arms' estimated rewards are a tie: of the arms whose
            estimate is within ``tie`` of the chosen arm's, the one with the lowest estimated cost is
            played (the cost each :meth:`observe` was given, e.g. its latency). The reward stays what
            ranks the arms; the cost only orders the arms the reward cannot tell apart (0: no tie-break).
            0.2: a fifth of the default reward's smallest step (1 point); on the scale-100,000 replay
            the estimates of a cache hit and a rollup differed by a median 0.03 points.
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
        decay: float = 0.999,
        ridge: float = 1.0,
        option_ridge: float | None = 0.1,
        seed: int = 0,
        model: str = "factored",
        confidence: float | None = 2.0,
        interactions: Sequence[int] | None = None,
        epsilon_schedule: str = "per_context",
        epsilon_visits: int = 10,
        tie: float = 0.2,
        pattern_options: Sequence[str] = (),
        pattern_ridge: float = PATTERN_RIDGE,
        max_patterns: int = MAX_PATTERNS,
    ) -> None:
        if algorithm not in ALGORITHMS:
            raise MetricmindError(
                f"Unknown bandit algorithm {algorithm!r}", hint=f"Use {' or '.join(ALGORITHMS)}."
            )
        if model not in MODELS:
            raise MetricmindError(f"Unknown policy model {model!r}", hint=f"Use {' or '.join(MODELS)}.")
        if not arms:
            raise MetricmindError("A policy needs at least one arm", hint="Pass ActionSpace(...).arms().")
        self.arms = list(arms)
        self.index = {a: i for i, a in enumerate(self.arms)}
        self.dim = dim + 1
        self.algorithm = algorithm
        self.model = model
        if epsilon_schedule not in EPSILON_SCHEDULES:
            raise MetricmindError(
                f"Unknown exploration schedule {epsilon_schedule!r}",
                hint=f"Use {' or '.join(EPSILON_SCHEDULES)}.",
            )
        self.epsilon = epsilon
        self.epsilon_schedule = epsilon_schedule
        self.epsilon_visits = max(1, int(epsilon_visits))
        self.tie = float(tie)
        #: How often each context (rounded to one decimal) was decided (the per-context schedule).
        self.visits: dict[str, int] = {}
        self.confidence = confidence
        self.alpha = alpha
        self.batch = batch
        self.decay = decay
        self.ridge = ridge
        self.option_ridge = ridge if option_ridge is None else option_ridge
        self.rng = np.random.default_rng(seed)
        k, d = len(self.arms), self.dim
        self.blocks, self.arm_blocks = arm_blocks(self.arms) if model == "factored" else ([], [])
        self.interactions = sorted({int(i) for i in interactions}) if interactions is not None else None
        #: The factored model's lift: each arm's coefficients = lift[arm] @ the blocks' weights.
        self.lift = self._lift()
        size = self.lift.shape[1]
        #: The sufficient statistics: per arm (disjoint, k×d×d and k×d) or over the blocks (factored).
        self.A = self._prior() if model == "factored" else np.tile(np.eye(d) * ridge, (k, 1, 1))
        self.b = np.zeros(size) if model == "factored" else np.zeros((k, d))
        #: The same statistics for the cost (what ties are broken by), and whether any cost was observed.
        self.bc = np.zeros_like(self.b)
        self.costs = 0
        self.cost_theta = np.zeros((k, d))
        #: Each arm's coefficients and posterior covariance, what decisions read.
        self.theta = np.zeros((k, d))
        self.A_inv = np.zeros((k, d, d))
        self._chol: np.ndarray | None = None
        self._w = np.zeros(size)
        self._cov = np.eye(size)
        #: Per-pattern effects of ``pattern_options`` (factored model only; :mod:`metricmind.learn.patterns`).
        self.effects = (
            Effects(size, pattern_options, ridge=pattern_ridge, cap=max_patterns)
            if pattern_options and model == "factored"
            else None
        )
        self.arm_option = [
            pattern_option(arm_action(a), self.effects.options)
            if self.effects is not None and all("=" in p for p in a.split("|"))
            else None
            for a in self.arms
        ]
        self._post: Posterior | None = None
        self._refresh()
        self.pulls = np.zeros(k, dtype=np.int64)
        self.reward_sum = np.zeros(k)
        self.experiences = 0
        self.trainings = 0
        self._buffer: list[tuple[np.ndarray, int, float, float | None, str | None]] = []

    def _lift(self) -> np.ndarray:
        d = self.dim
        inner = list(range(d)) if self.interactions is None else [*self.interactions, d - 1]
        if any(not 0 <= i < d for i in inner):
            raise MetricmindError(
                f"Interaction feature index out of range 0..{d - 2}", hint="Give context feature indices."
            )
        sizes = [d] + [len(inner)] * (len(self.blocks) - 1)
        offsets = np.cumsum([0, *sizes])
        lift = np.zeros((len(self.arms), int(offsets[-1]), d))
        for a, ids in enumerate(self.arm_blocks):
            for blk in ids:
                cols = range(d) if blk == 0 else inner
                for j, c in enumerate(cols):
                    lift[a, offsets[blk] + j, c] = 1.0
        return lift

    def _prior(self) -> np.ndarray:
        """The factored model's prior precision: ``ridge`` on the base block, ``option_ridge`` on the others."""
        size = self.lift.shape[1]
        return np.diag([self.ridge] * self.dim + [self.option_ridge] * (size - self.dim))

    def _x(self, context: Sequence[float] | np.ndarray) -> np.ndarray:
        x = np.asarray(context, dtype=float).ravel()
        if x.shape[0] != self.dim - 1:
            raise MetricmindError(
                f"The context has {x.shape[0]} features, the policy expects {self.dim - 1}",
                hint="Build contexts with the same feature function the policy was made for.",
            )
        return np.append(x, 1.0)

    def _ext(
        self, x: np.ndarray, ids: list[int], pattern: str | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """With per-pattern effects in play for ``pattern`` among ``ids``: the arms' features over the
        shared blocks and those effects, the joint mean (reward, cost) and covariance; else None.
        """
        if self.effects is None or self._post is None or pattern is None:
            return None
        keys = [effect_key(o, pattern) if (o := self.arm_option[i]) else None for i in ids]
        if not any(keys):
            return None
        return extended(self.effects, self._post, self.lift[ids] @ x, keys)

    def _bounds(
        self, x: np.ndarray, ids: list[int], pattern: str | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        ext = self._ext(x, ids, pattern)
        if ext is not None:
            phi, w, _, cov = ext
            mean, var = phi @ w, np.einsum("mp,pq,mq->m", phi, cov, phi)
        else:
            mean = self.theta[ids] @ x
            var = np.einsum("i,kij,j->k", x, self.A_inv[ids], x)
        return mean, np.sqrt(np.maximum(var, 0.0))

    def scores(
        self,
        context: Sequence[float] | np.ndarray,
        allowed: Sequence[str] | None = None,
        pattern: str | None = None,
    ) -> dict[str, float]:
        """Each allowed arm's score for ``context`` (UCB, or a posterior draw); ``pattern`` names the
        query's pattern for the per-pattern effects (:mod:`metricmind.learn.patterns`).
        """
        x = self._x(context)
        ids = self._allowed(allowed)
        mean, width = self._bounds(x, ids, pattern)
        ext = self._ext(x, ids, pattern) if self.algorithm == "thompson" else None
        if self.algorithm == "linucb":
            values = mean + self.alpha * width
        elif ext is not None:  # one joint draw of the shared blocks and the effects in play
            phi, w, _, cov = ext
            try:
                chol = np.linalg.cholesky(cov + np.eye(len(w)) * 1e-12)
            except np.linalg.LinAlgError:
                values = mean + self.alpha * width * self.rng.standard_normal(len(ids))
            else:
                values = phi @ (w + self.alpha * chol @ self.rng.standard_normal(len(w)))
        elif self._chol is not None:  # factored: one joint draw of every block
            w = self._w + self.alpha * self._chol @ self.rng.standard_normal(self._w.shape[0])
            values = self.lift[ids] @ x @ w
        else:
            values = mean + self.alpha * width * self.rng.standard_normal(len(ids))
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

    def plausible(
        self,
        context: Sequence[float] | np.ndarray,
        allowed: Sequence[str] | None = None,
        pattern: str | None = None,
    ) -> list[str]:
        """The allowed arms not shown, with confidence, to be worse than the best estimated one (what ε
        explores): the best arm and every arm ``a`` whose difference from it could still be positive,
        ``θ_a·x − θ_best·x + z·sd(a − best) ≥ 0`` — the uncertainty of the difference, so what both
        arms share (the factored model's base block) cancels.
        """
        ids = self._allowed(allowed)
        if self.confidence is None or len(ids) == 1:
            return [self.arms[i] for i in ids]
        x = self._x(context)
        mean, width = self._bounds(x, ids, pattern)
        best = int(np.argmax(mean))
        ext = self._ext(x, ids, pattern)
        if self.model == "factored":
            diff, cov = (ext[0].copy(), ext[3]) if ext is not None else (self.lift[ids] @ x, self._cov)
            diff -= diff[best]
            var = np.einsum("mp,pq,mq->m", diff, cov, diff)
        else:  # independent models: the variances add
            var = width**2 + width[best] ** 2
        upper = mean - mean[best] + self.confidence * np.sqrt(np.maximum(var, 0.0))
        return [self.arms[i] for k, i in enumerate(ids) if k == best or upper[k] >= 0]

    def epsilon_for(self, context: Sequence[float] | np.ndarray, key: str | None = None) -> float:
        """The share of exploring decisions for ``context`` now: ``epsilon`` (``constant``), or
        ``epsilon · min(1, sqrt(epsilon_visits / n))`` before the context's ``n+1``-th decision
        (``per_context``: ``epsilon`` for its first ``epsilon_visits`` decisions, then decaying as the
        context is decided more often: a quarter of it after 16 times as many). The context is ``key``
        when given (the learned path and the simulator pass the query's pattern), else the features
        rounded to one decimal.
        """
        if self.epsilon_schedule == "constant":
            return self.epsilon
        n = self.visits.get(key or self._visit_key(context), 0)
        return self.epsilon * min(1.0, float(np.sqrt(self.epsilon_visits / max(n, 1))))

    @staticmethod
    def _visit_key(context: Sequence[float] | np.ndarray) -> str:
        return np.round(np.asarray(context, dtype=float).ravel(), 1).tobytes().hex()

    def choose(
        self,
        context: Sequence[float] | np.ndarray,
        allowed: Sequence[str] | None = None,
        key: str | None = None,
        pattern: str | None = None,
    ) -> str:
        """The arm to play for ``context`` among ``allowed`` (every arm when None); ``key`` names the
        context for the per-context exploration schedule (:meth:`epsilon_for`), ``pattern`` the query's
        pattern for the per-pattern effects.
        """
        epsilon = self.epsilon_for(context, key)
        if self.epsilon_schedule != "constant":
            key = key or self._visit_key(context)
            self.visits[key] = self.visits.pop(key, 0) + 1  # most recent last
            if len(self.visits) > MAX_VISITS:
                del self.visits[next(iter(self.visits))]
        if self.rng.random() < epsilon:
            pool = self.plausible(context, allowed, pattern)
            return pool[int(self.rng.integers(len(pool)))]
        scores = self.scores(context, allowed, pattern)
        best = max(scores.values())
        top = [a for a, s in scores.items() if s >= best - 1e-12]
        pick = top[int(self.rng.integers(len(top)))]
        return self.tie_break(context, list(scores), pick, pattern)

    def tie_break(
        self,
        context: Sequence[float] | np.ndarray,
        allowed: Sequence[str],
        pick: str,
        pattern: str | None = None,
    ) -> str:
        """Among ``allowed``, the arm of lowest estimated cost whose estimated reward is within
        :attr:`tie` of ``pick``'s (``pick`` itself when no cost was ever observed, or none is cheaper).

        The default reward pays a result-cache hit and a rollup's answer the same (an optimization,
        under a second), so the reward alone leaves the choice between them to chance; the measured
        cost (latency) decides it, never against a reward difference larger than the tie.
        """
        if self.tie <= 0 or not self.costs or len(allowed) < 2:
            return pick
        x = self._x(context)
        ids = self._allowed(allowed)
        ext = self._ext(x, ids, pattern)
        if ext is not None:
            mean, cost = ext[0] @ ext[1], ext[0] @ ext[2]
        else:
            mean, cost = self.theta[ids] @ x, self.cost_theta[ids] @ x
        mine = ids.index(self.index[pick])
        tied = [k for k in range(len(ids)) if abs(mean[k] - mean[mine]) <= self.tie]
        cheapest = min(tied, key=lambda k: (cost[k], k != mine))
        return self.arms[ids[cheapest]]

    def observe(
        self,
        context: Sequence[float] | np.ndarray,
        arm: str,
        reward: float,
        cost: float | None = None,
        pattern: str | None = None,
    ) -> bool:
        """Record the reward ``arm`` earned for ``context`` (and its ``cost``, e.g. ``log1p`` of its
        latency in ms: what ties between equally rewarded arms are broken by; and the query's
        ``pattern``, for the per-pattern effects); True when this experience triggered training.
        """
        i = self._allowed([arm])[0]
        self._buffer.append(
            (self._x(context), i, float(reward), None if cost is None else float(cost), pattern)
        )
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
        forget = self.decay ** len(self._buffer)
        prior = self._prior() if self.model == "factored" else np.eye(self.dim) * self.ridge
        self.A = prior + forget * (self.A - prior)
        self.b = forget * self.b
        self.bc = forget * self.bc
        if self.effects is not None:
            self.effects.decay(forget)
        for x, i, r, c, pattern in self._buffer:
            if self.model == "factored":
                phi = self.lift[i] @ x
                self.A += np.outer(phi, phi)
                self.b += r * phi
                if c is not None:
                    self.bc += c * phi
                option = self.arm_option[i] if self.effects is not None else None
                if option and pattern is not None and self.effects is not None:
                    forgotten = self.effects.add(effect_key(option, pattern), phi, r, c)
                    if forgotten is not None:  # the least recently used effect, marginalized out
                        self.A -= forgotten[0]
                        self.b -= forgotten[1]
                        self.bc -= forgotten[2]
            else:
                self.A[i] += np.outer(x, x)
                self.b[i] += r * x
                if c is not None:
                    self.bc[i] += c * x
            self.costs += c is not None
        self._buffer.clear()
        self._refresh()
        self.trainings += 1

    def _refresh(self) -> None:
        """Each arm's coefficients and covariance from the statistics."""
        if self.model == "disjoint":
            self.A_inv = np.asarray(np.linalg.inv(self.A), dtype=float)
            self.theta = np.einsum("kij,kj->ki", self.A_inv, self.b)
            self.cost_theta = np.einsum("kij,kj->ki", self.A_inv, self.bc)
            return
        if self.effects is not None:  # the shared blocks' marginal posterior, the effects integrated out
            self._post = self.effects.posterior(self.A, self.b, self.bc)
            cov, self._w, wc = self._post.cov, self._post.w, self._post.wc
        else:
            cov = np.asarray(np.linalg.inv(self.A), dtype=float)
            cov = (cov + cov.T) / 2
            self._w, wc = cov @ self.b, cov @ self.bc
        self._cov = cov
        self.theta = np.einsum("kpd,p->kd", self.lift, self._w)
        self.cost_theta = np.einsum("kpd,p->kd", self.lift, wc)
        self.A_inv = np.einsum("kpd,pq,kqe->kde", self.lift, cov, self.lift, optimize=True)
        try:
            self._chol = np.linalg.cholesky(cov) if self.algorithm == "thompson" else None
        except np.linalg.LinAlgError:  # numerically not positive definite: per-arm draws
            self._chol = None

    def pattern_effect(self, option: str, pattern: str) -> dict[str, float] | None:
        """What the policy knows of ``option``'s own effect on ``pattern`` beyond the shared model: the
        reward points it adds (posterior mean), their standard deviation and the (decayed) runs it was
        learned from; the prior (0, ``1/sqrt(ridge)``, 0 runs) for a pattern not learned; None without
        per-pattern effects for ``option``.
        """
        if self.effects is None or option not in self.effects.options:
            return None
        key = effect_key(option, pattern)
        post, row = self._post, self.effects.rows.get(key)
        if post is None or row is None or key not in post.var:
            return {"reward": 0.0, "sd": round(float(self.effects.ridge**-0.5), 3), "runs": 0.0}
        return {
            "reward": round(post.u[key], 3),
            "sd": round(float(np.sqrt(post.var[key])), 3),
            "runs": round(row.n, 2),
        }

    def pattern_report(self, limit: int = 5) -> dict[str, Any] | None:
        """The per-pattern effects: how many, the cap, the largest (None without them)."""
        return self.effects.report(self._post, limit) if self.effects is not None else None

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
        """The whole policy as JSON-ready data (the buffer is trained first; :mod:`metricmind.learn.policystate`)."""
        return policy_state(self)

    @classmethod
    def from_state(cls, state: Mapping[str, Any], seed: int = 0) -> Policy:
        """A policy restored from :meth:`state` (a checkpoint written before ``model`` existed restores
        as the disjoint model it was, exploring among every allowed arm as it did).
        """
        return restore_policy(cls, state, seed)
