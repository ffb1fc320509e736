"""The decision's action space: factors and their options, arm names, the query's arms and the one rule
for which of them apply to a request, and the factored model's blocks per arm.

An *arm* is one combination of the factors' options, named ``factor=option`` pairs joined by ``|``
(``skill=none|join_path=canonical|optimization=result_cache``). :mod:`metricmind.learn.policy` decides
among the arms a caller allows; the learned path (:class:`metricmind.project.learning.Learner`) and the
simulator (:mod:`metricmind.learn.simulate`) allow them by :func:`offered_arms`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from metricmind.errors import MetricmindError

#: The factors of the issue and their options (the first option of each is the plain choice).
FACTORS: dict[str, tuple[str, ...]] = {
    "skill": ("none", "best_match", "fastest", "most_recent"),
    "join_path": ("canonical", "shortest", "fastest", "direct"),
    "optimization": ("none", "result_cache", "rollup"),
    "materialization": ("view", "table", "incremental", "ephemeral"),
}
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


def offered_arms(
    plans: Iterable[tuple[str, str]],
    *,
    cached: bool,
    rollup: bool,
    hinted: Iterable[tuple[str, str]] = (),
) -> list[str]:
    """The arms that apply to one request — the one rule the learned path
    (:meth:`metricmind.project.learning.Learner.offered`) and the simulator
    (:meth:`metricmind.learn.simulate.Workload.allowed_arms`) share.

    Args:
        plans: The request's plans as ``(skill option, join path)`` pairs, the plain plan
            ``("none", "canonical")`` first.
        cached: The answer is in the result cache on the current data version. Only then are the cache's
            arms offered: every plan's answer is stored whatever the arm, so on a miss a cache arm is its
            plan exactly, and offering it would split one option's evidence in two (its block would learn
            the reward every answer earns, leaving a fresh rollup nothing to beat it with).
        rollup: A current rollup answers the query exactly.
        hinted: The plans with a hinted variant (Spark, Databricks).
    """
    hints = set(hinted)
    out: list[str] = []
    for skill, join_path in plans:
        out.append(query_arm(skill, join_path))
        if cached:
            out.append(query_arm(skill, join_path, "result_cache"))
        if (skill, join_path) in hints:
            out.append(query_arm(skill, join_path, "hints"))
    if rollup:
        out.append(query_arm(optimization="rollup"))
    return list(dict.fromkeys(out))


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


def arm_blocks(arms: Sequence[str]) -> tuple[list[str], list[list[int]]]:
    """The factored model's blocks and each arm's: ``base`` (every arm) and one block per factor option
    an arm uses that is not the factor's plain option; an arm name without factors is its own block.
    """
    names = ["base"]
    per_arm = []
    for a in arms:
        parts = a.split("|")
        action = arm_action(a) if all("=" in p for p in parts) else {"arm": a}
        ids = [0]
        for factor, option in action.items():
            if factor in FACTORS and option == FACTORS[factor][0]:
                continue
            name = f"{factor}={option}"
            if name not in names:
                names.append(name)
            ids.append(names.index(name))
        per_arm.append(ids)
    return names, per_arm
