"""What the server knows about a query when it decides how to answer it: the query policy's context
features and the query's hint pattern — one definition for the learned path
(:class:`metricmind.project.learning.Learner`) and the simulator (:mod:`metricmind.learn.simulate`), so
the simulated decision reads exactly what a server can know.

* :class:`Request` and :func:`features`: whether the answer is cached, whether a rollup routes, the
  grain (one-hot: none + the five grains), a categorical group-by, a filter, a time range, the
  pattern's last plain latency (:class:`PlainLatency`), whether a skill's plan exists, whether a
  shorter join path does, whether the pattern was never asked before, whether a hinted plan exists;
* :func:`hint_pattern`: the query's shape for the per-pattern effect of the hint option — its metrics,
  group-bys and filters with their literals masked (not its time range, order or limit: a broadcast
  pays for the joins, which those do not change) — readable, with a stable hash;
* :func:`query_policy`: the policy both decide with (the per-pattern effect on the hint option included).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from metricmind.learn.patterns import HINT_OPTIONS
from metricmind.learn.policy import Policy
from metricmind.learn.rollup import GRAINS, TIME

#: The features, in order.
FEATURES: tuple[str, ...] = (
    "cached",
    "routed",
    "grain=none",
    *(f"grain={g}" for g in GRAINS),
    "categorical",
    "filtered",
    "time_range",
    "plain_ms",
    "skill",
    "shorter",
    "new",
    "hinted",
)
DIM = len(FEATURES)
#: The checkpoint the learned path keeps its query policy in (the monitor reads it).
CHECKPOINT = "query_policy"
#: The patterns whose last plain latency is remembered (the least recently measured forgotten).
MAX_LATENCIES = 50_000
_LITERAL = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


@dataclass(frozen=True)
class Request:
    """What the server knows before it decides (nothing measured on this request yet)."""

    group_by: tuple[str, ...]
    cached: bool = False
    routed: bool = False
    filtered: bool = False
    time_range: bool = False
    plain_ms: float | None = None
    skill: bool = False
    shorter: bool = False
    new: bool = False
    hinted: bool = False


def features(request: Request) -> np.ndarray:
    """The context vector of :data:`FEATURES` (the plain latency as ``log1p(ms) / 10``, 0 when unknown)."""
    grain = next((g.removeprefix(TIME) for g in request.group_by if g.startswith(TIME)), None)
    grains = [1.0 if grain is None else 0.0] + [1.0 if grain == g else 0.0 for g in GRAINS]
    ms = request.plain_ms
    return np.array(
        [
            float(request.cached),
            float(request.routed),
            *grains,
            float(any(not g.startswith(TIME) for g in request.group_by)),
            float(request.filtered),
            float(request.time_range),
            math.log1p(ms) / 10 if ms is not None else 0.0,
            float(request.skill),
            float(request.shorter),
            float(request.new),
            float(request.hinted),
        ]
    )


def hint_pattern(metrics: Sequence[str], group_by: Sequence[str], where: Sequence[str] = ()) -> str:
    """The query's shape for the hint's per-pattern effect: ``metrics by group-bys | filters`` (sorted,
    filter literals masked as ``?``, shortened past 100 characters) and a stable hash of the whole.
    """
    shape = {
        "metrics": sorted(metrics),
        "group_by": sorted(group_by),
        "where": sorted(_LITERAL.sub("?", w) for w in where),
    }
    digest = hashlib.sha1(json.dumps(shape, sort_keys=True).encode()).hexdigest()[:8]
    label = ",".join(shape["metrics"])
    if shape["group_by"]:
        label += " by " + ",".join(shape["group_by"])
    if shape["where"]:
        label += " | " + " and ".join(shape["where"])
    if len(label) > 100:
        label = label[:99] + "…"
    return f"{label} #{digest}"


class PlainLatency:
    """Each pattern's latest plain-plan latency (ms), at most ``cap`` patterns (least recent forgotten)."""

    def __init__(self, cap: int = MAX_LATENCIES) -> None:
        self.cap = cap
        self._ms: OrderedDict[str, float] = OrderedDict()

    def get(self, pattern: str) -> float | None:
        """The latest plain latency of ``pattern`` (None: never measured, or forgotten)."""
        return self._ms.get(pattern)

    def record(self, pattern: str, ms: float) -> None:
        """Remember ``ms`` as the latest plain latency of ``pattern``."""
        self._ms.pop(pattern, None)
        self._ms[pattern] = float(ms)
        if len(self._ms) > self.cap:
            self._ms.popitem(last=False)

    def __len__(self) -> int:
        return len(self._ms)


def query_policy(
    arms: Sequence[str],
    *,
    epsilon: float = 0.1,
    epsilon_schedule: str = "per_context",
    algorithm: str = "linucb",
    seed: int = 0,
    **options: Any,
) -> Policy:
    """A fresh query policy over ``arms`` and :data:`FEATURES`, with the per-pattern effect of the hint
    option (:data:`~metricmind.learn.patterns.HINT_OPTIONS`) — what the learned path and the simulator
    both decide with. ``options`` override :class:`Policy`'s others (the benchmarks' variants, e.g.
    ``pattern_ridge``, or ``pattern_options=()`` for none).
    """
    settings: dict[str, Any] = {"pattern_options": HINT_OPTIONS, **options}
    return Policy(
        arms,
        DIM,
        algorithm=algorithm,
        epsilon=epsilon,
        epsilon_schedule=epsilon_schedule,
        seed=seed,
        **settings,
    )
