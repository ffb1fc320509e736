"""The reward of one executed request: the issue's default function, configurable by key.

Default (docs/learn.md)::

    success +10 / failure -5
    elapsed < 1 s +5, < 5 s +2, > 60 s -3                (successes only)
    rows 1–10,000 +2, 0 rows -1, > 1,000,000 rows -2     (successes only)
    an optimization applied (cache hit, rollup) +3
    a pattern not seen before +5
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from metricmind.errors import MetricmindError


@dataclass(frozen=True)
class Outcome:
    """What happened when a request ran."""

    success: bool
    elapsed_ms: float
    rows: int
    optimized: bool = False
    new_pattern: bool = False


@dataclass(frozen=True)
class RewardConfig:
    """The weights of the reward function; each field is a key a reward configuration may set."""

    success: float = 10.0
    failure: float = -5.0
    under_1s: float = 5.0
    under_5s: float = 2.0
    over_60s: float = -3.0
    rows_1_to_10k: float = 2.0
    rows_zero: float = -1.0
    rows_over_1m: float = -2.0
    optimization_applied: float = 3.0
    new_pattern: float = 5.0

    @classmethod
    def keys(cls) -> list[str]:
        """The names a configuration may set."""
        return [f.name for f in fields(cls)]

    @classmethod
    def from_mapping(cls, values: Mapping[str, object] | None, where: str = "learn.reward") -> RewardConfig:
        """The default weights overridden by ``values``.

        Raises:
            MetricmindError: a key that is not a weight, or a value that is not a number.
        """
        if not values:
            return cls()
        known = cls.keys()
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise MetricmindError(
                f"Unknown reward key(s) {', '.join(repr(k) for k in unknown)} in {where}",
                hint=f"Use only: {', '.join(known)}.",
            )
        weights: dict[str, float] = {}
        for key, value in values.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise MetricmindError(
                    f"Reward key {key!r} in {where} is {value!r}, not a number", hint="Write e.g. 10 or -2.5."
                )
            weights[key] = float(value)
        return replace(cls(), **weights)

    def reward(self, outcome: Outcome) -> float:
        """The reward of ``outcome``."""
        if not outcome.success:
            total = self.failure
        else:
            total = self.success
            seconds = outcome.elapsed_ms / 1000
            if seconds < 1:
                total += self.under_1s
            elif seconds < 5:
                total += self.under_5s
            elif seconds > 60:
                total += self.over_60s
            if outcome.rows == 0:
                total += self.rows_zero
            elif outcome.rows <= 10_000:
                total += self.rows_1_to_10k
            elif outcome.rows > 1_000_000:
                total += self.rows_over_1m
            if outcome.optimized:
                total += self.optimization_applied
        if outcome.new_pattern:
            total += self.new_pattern
        return total
