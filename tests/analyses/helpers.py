"""Builders for analysis inputs in the JSON file format, and a tolerance-aware comparison."""

from __future__ import annotations

import math
from typing import Any

TOL = 1e-9


def journey(
    journey_id: str,
    touches: list[tuple[str, str]],
    converted: bool = True,
    revenue: float = 0.0,
    conversion_ts: str | None = None,
) -> dict[str, Any]:
    """One journey of the attribution file format."""
    row: dict[str, Any] = {
        "journey_id": journey_id,
        "touchpoints": [{"channel": c, "ts": ts} for c, ts in touches],
        "converted": converted,
        "revenue": revenue,
    }
    if conversion_ts is not None:
        row["conversion_ts"] = conversion_ts
    return row


def subs(rows: list[tuple[str, str, float]], months: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    """A subscriptions input (``customer_id, month, mrr`` rows)."""
    doc: dict[str, Any] = {"subscriptions": [{"customer_id": c, "month": m, "mrr": v} for c, m, v in rows]}
    if months is not None:
        doc["months"] = months
    doc.update(extra)
    return doc


def close(actual: Any, expected: Any, tol: float = TOL, path: str = "") -> None:
    """Assert two JSON-like values are equal, numbers within ``tol`` (keys must match exactly)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: {actual!r} is not a dict"
        assert set(actual) == set(expected), f"{path}: keys {sorted(actual)} != {sorted(expected)}"
        for key in expected:
            close(actual[key], expected[key], tol, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), (
            f"{path}: {actual!r} != {expected!r}"
        )
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            close(a, e, tol, f"{path}[{i}]")
    elif isinstance(expected, float) or (isinstance(expected, int) and not isinstance(expected, bool)):
        assert isinstance(actual, int | float) and not isinstance(actual, bool), f"{path}: {actual!r}"
        assert math.isclose(actual, expected, rel_tol=0, abs_tol=tol), f"{path}: {actual!r} != {expected!r}"
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"
