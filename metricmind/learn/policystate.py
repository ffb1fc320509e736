"""A policy's whole state as JSON-ready data, and a policy restored from it (what
:class:`metricmind.learn.memory.Memory` keeps as a checkpoint). Checkpoints written by older versions
restore as what they were: before ``model`` existed as the disjoint model exploring among every allowed
arm, before the schedule at a constant share, before costs with ties unbroken until costs arrive.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from metricmind.learn.patterns import Effects

if TYPE_CHECKING:
    from metricmind.learn.policy import Policy


def policy_state(policy: Policy) -> dict[str, Any]:
    """The whole policy as JSON-ready data (the buffer is trained first)."""
    policy.train()
    return {
        "arms": policy.arms,
        "dim": policy.dim - 1,
        "algorithm": policy.algorithm,
        "model": policy.model,
        "epsilon": policy.epsilon,
        "epsilon_schedule": policy.epsilon_schedule,
        "epsilon_visits": policy.epsilon_visits,
        "visits": policy.visits,
        "confidence": policy.confidence,
        "interactions": policy.interactions,
        "alpha": policy.alpha,
        "batch": policy.batch,
        "decay": policy.decay,
        "ridge": policy.ridge,
        "option_ridge": policy.option_ridge,
        "A": policy.A.tolist(),
        "b": policy.b.tolist(),
        "bc": policy.bc.tolist(),
        "costs": policy.costs,
        "tie": policy.tie,
        "pulls": policy.pulls.tolist(),
        "reward_sum": policy.reward_sum.tolist(),
        "experiences": policy.experiences,
        "trainings": policy.trainings,
        "effects": policy.effects.state() if policy.effects is not None else None,
    }


def restore_policy(cls: type[Policy], state: Mapping[str, Any], seed: int = 0) -> Policy:
    """A policy restored from :meth:`state` (a checkpoint written before ``model`` existed restores
    as the disjoint model it was, exploring among every allowed arm as it did).
    """
    model = str(state.get("model", "disjoint"))
    confidence = state.get("confidence") if "model" in state else None
    policy = cls(
        state["arms"],
        int(state["dim"]),
        algorithm=str(state["algorithm"]),
        epsilon=float(state["epsilon"]),
        alpha=float(state["alpha"]),
        batch=int(state["batch"]),
        decay=float(state["decay"]),
        ridge=float(state["ridge"]),
        option_ridge=float(state.get("option_ridge", state["ridge"])),
        seed=seed,
        model=model,
        confidence=None if confidence is None else float(confidence),
        interactions=state.get("interactions"),
        # a checkpoint from before the schedule existed explored at a constant share
        epsilon_schedule=str(state.get("epsilon_schedule", "constant")),
        epsilon_visits=int(state.get("epsilon_visits", 10)),
        tie=float(state.get("tie", 0.2)),
        pattern_options=(state.get("effects") or {}).get("options") or (),
    )
    if state.get("effects") and policy.effects is not None:
        policy.effects = Effects.from_state(policy.lift.shape[1], state["effects"])
    policy.visits = {str(k): int(v) for k, v in (state.get("visits") or {}).items()}
    policy.A = np.asarray(state["A"], dtype=float)
    policy.b = np.asarray(state["b"], dtype=float)
    if "bc" in state:  # a checkpoint from before costs has none: ties stay unbroken until some arrive
        policy.bc = np.asarray(state["bc"], dtype=float)
        policy.costs = int(state.get("costs", 0))
    policy._refresh()
    policy.pulls = np.asarray(state["pulls"], dtype=np.int64)
    policy.reward_sum = np.asarray(state["reward_sum"], dtype=float)
    policy.experiences = int(state["experiences"])
    policy.trainings = int(state["trainings"])
    return policy
