"""The settings every part of the miner reads, and how a proposal's confidence grows with its usage."""

from __future__ import annotations

import math

from metricmind.knowledge.modelindex import ModelIndex
from metricmind.querylog import Analyzer


class MinerBase:
    """The miner's settings, and the confidence of a proposal (``Miner`` finds the proposals).

    Args:
        index: The model seen from the log.
        min_calls: Calls in the window before a pattern counts.
        window_days: Days of usage looked at.
        deprecate_after_days: Days unused before a metric is a deprecation candidate.
        trend_days: Length of each period compared for trends.
    """

    def __init__(
        self,
        index: ModelIndex,
        *,
        min_calls: int = 10,
        window_days: int = 30,
        deprecate_after_days: int = 90,
        trend_days: int = 7,
    ) -> None:
        self.index = index
        self.min_calls = min_calls
        self.window_days = window_days
        self.deprecate_after_days = deprecate_after_days
        self.trend_days = trend_days
        self.analyzer = Analyzer(index.default_schema)

    def _confidence(self, calls: int, users: int, base: float) -> float:
        boost = min(0.25, 0.08 * math.log2(max(calls, 1) / self.min_calls + 1))
        return min(0.95, base + boost + (0.1 if users >= 2 else 0.0))
