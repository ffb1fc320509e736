"""Exploration never changes a number: answers of non-plain arms are checked against the plain plan.

:func:`same_answer` compares two answers as sets of rows (dates as ISO days, numbers to 1e-9
relative). :class:`ArmGuard` decides which answers of non-plain arms to verify (every one until an arm
has ``trusted_after`` checks, then a ``sample`` share), bans an arm the first time its answer differs,
and filters banned arms out of what the policy may choose. Its state is JSON-ready, to be checkpointed
beside the policy's.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def norm(value: Any) -> Any:
    """A value comparable across engines and plans (dates as ISO days, numbers as float)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, int, float)) and not isinstance(value, bool):
        return float(value)
    return value


def _equal(x: Any, y: Any) -> bool:
    if isinstance(x, float) and isinstance(y, float):
        if math.isnan(x) and math.isnan(y):
            return True
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)
    return bool(x == y)


def same_answer(left: Iterable[Sequence[Any]], right: Iterable[Sequence[Any]]) -> bool:
    """True when both answers hold the same rows, in any order."""
    a = sorted((tuple(norm(v) for v in r) for r in left), key=repr)
    b = sorted((tuple(norm(v) for v in r) for r in right), key=repr)
    if len(a) != len(b):
        return False
    for ra, rb in zip(a, b, strict=True):
        if len(ra) != len(rb) or not all(_equal(x, y) for x, y in zip(ra, rb, strict=True)):
            return False
    return True


class ArmGuard:
    """Verifies non-plain arms' answers against the plain plan and bans an arm that ever differs.

    Args:
        plain: The arm whose answers are the reference (never verified, never banned).
        sample: The share of answers verified once an arm is trusted.
        trusted_after: Verify every answer of an arm until it has passed this many checks.
        seed: The sampling generator's seed.
    """

    def __init__(self, plain: str, *, sample: float = 0.1, trusted_after: int = 20, seed: int = 0) -> None:
        self.plain = plain
        self.sample = sample
        self.trusted_after = trusted_after
        self.rng = random.Random(seed)
        self.checks: dict[str, int] = {}
        self.banned: dict[str, str] = {}

    def should_verify(self, arm: str) -> bool:
        """Whether to run the plain plan too and compare, for this answer of ``arm``."""
        if arm == self.plain:
            return False
        if self.checks.get(arm, 0) < self.trusted_after:
            return True
        return self.rng.random() < self.sample

    def check(
        self, arm: str, plain_rows: Iterable[Sequence[Any]], arm_rows: Iterable[Sequence[Any]], what: str = ""
    ) -> bool:
        """Compare an answer of ``arm`` with the plain answer; a difference bans the arm. True when equal."""
        if arm == self.plain:
            return True
        if same_answer(plain_rows, arm_rows):
            self.checks[arm] = self.checks.get(arm, 0) + 1
            return True
        self.banned[arm] = f"its answer differed from the plain plan's{f' for {what}' if what else ''}"
        return False

    def allowed(self, arms: Sequence[str]) -> list[str]:
        """``arms`` without the banned ones (the plain arm always stays)."""
        return [a for a in arms if a not in self.banned or a == self.plain]

    def report(self) -> list[dict[str, str]]:
        """The banned arms and why."""
        return [{"arm": arm, "reason": reason} for arm, reason in sorted(self.banned.items())]

    def state(self) -> dict[str, Any]:
        """JSON-ready state."""
        return {
            "plain": self.plain,
            "sample": self.sample,
            "trusted_after": self.trusted_after,
            "checks": dict(self.checks),
            "banned": dict(self.banned),
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any], seed: int = 0) -> ArmGuard:
        """A guard restored from :meth:`state`."""
        guard = cls(
            str(state["plain"]),
            sample=float(state["sample"]),
            trusted_after=int(state["trusted_after"]),
            seed=seed,
        )
        guard.checks = {str(k): int(v) for k, v in state["checks"].items()}
        guard.banned = {str(k): str(v) for k, v in state["banned"].items()}
        return guard
