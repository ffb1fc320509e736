"""The learned query path's settings, arms and shapes: whether learning is on, the reward weights, how
query episodes were served, and the pattern a query is remembered by.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from metricmind.errors import MetricmindError
from metricmind.learn.context import CHECKPOINT as CHECKPOINT
from metricmind.learn.context import DIM as CONTEXT_DIM
from metricmind.learn.memory import Memory
from metricmind.learn.policy import QUERY_ARMS, query_arm
from metricmind.learn.reward import RewardConfig
from metricmind.spec.query import MetricQuery

if TYPE_CHECKING:
    from metricmind.project.core import Project

PLAIN = query_arm()
CACHE = query_arm(optimization="result_cache")
ROLLUP = query_arm(optimization="rollup")
ARMS = list(QUERY_ARMS)
#: The hint arms, added to :data:`ARMS` only for dialects with optimizer hints
#: (:func:`metricmind.learn.hints.supported`).
HINT_ARMS = [query_arm(optimization="hints"), query_arm(join_path="shortest", optimization="hints")]
GUARD = "query_guard"
#: Context features (:data:`metricmind.learn.context.FEATURES`, the simulator's too): cached, rollup
#: routes, grain one-hot (none + 5 grains), categorical group-by, filtered, time range, log of the
#: pattern's plain latency, a skill's plan exists, a shorter join path, the pattern never asked before
#: (the reward's "new pattern": whatever arm answers it earns that), a hinted plan exists.
DIM = CONTEXT_DIM
#: Skill plans are re-read from the memory every this many requests (the nightly learner makes skills).
SKILLS_EVERY = 256


def enabled(project: Project) -> bool:
    """Whether ``learn.enabled`` is on (``true``, ``1``, ``yes``, ``on``)."""
    value = project.setting("learn.enabled")
    return str(value).strip().lower() in ("1", "true", "yes", "on") if value is not None else False


def reward_config(project: Project) -> RewardConfig:
    """The ``learn.reward`` weights (a mapping in ``metricmind.yml``, or JSON in the environment).

    Raises:
        MetricmindError: an unknown key or a value that is not a number (names the key and the fix).
    """
    value = project.setting("learn.reward")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise MetricmindError(
                f"learn.reward {value!r} is not a mapping",
                hint='Write it as a mapping in metricmind.yml (learn: {reward: {success: 10}}) or JSON: {"success": 10}.',
            ) from exc
    if value is not None and not isinstance(value, Mapping):
        raise MetricmindError(
            f"learn.reward is {value!r}, not a mapping of weights",
            hint=f"Use keys among: {', '.join(RewardConfig.keys())}.",
        )
    return RewardConfig.from_mapping(value)


def hit_rates(memory: Memory, limit: int = 1000) -> dict[str, Any]:
    """How the latest ``limit`` query episodes were served: counts and cache/rollup hit rates."""
    served: Counter[str] = Counter()
    for episode in memory.episodes(limit):
        action = episode["action"] or {}
        if "served" in action:
            served[str(action["served"])] += 1
    total = sum(served.values())
    return {
        "query_episodes": total,
        "served": dict(served),
        "cache_hit_rate": round(served["cache"] / total, 4) if total else None,
        "rollup_hit_rate": round(served["rollup"] / total, 4) if total else None,
    }


def pattern_of(query: MetricQuery) -> str:
    """A query's shape, the key of its episodes and skills (order and limit included)."""
    data = query.to_dict()
    data["group_by"] = sorted(data["group_by"])
    data["where"] = sorted(data["where"])
    return "query:" + json.dumps(data, sort_keys=True)


def asked(query: MetricQuery) -> str:
    """A query exactly as asked (group-by order included), as text."""
    return json.dumps(query.to_dict(), sort_keys=True, default=str)
