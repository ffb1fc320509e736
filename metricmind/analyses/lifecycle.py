"""Growth accounting of active users per UTC calendar month.

For month m (the window's months are the whole history):

- ``new``: active in m and never before (in the first month every active user is new);
- ``retained``: active in m and in m - 1;
- ``resurrected``: active in m, not in m - 1, but in some month before;
- ``churned``: active in m - 1 and not in m (a positive count; 0 in the first month);
- ``dormant``: seen before m - 1's end, active in neither m - 1 nor m;
- ``active`` = new + retained + resurrected; ``quick_ratio`` = (new + resurrected) / churned, None when
  churned is 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from metricmind.analyses.journeys import FloatArray
from metricmind.analyses.monthly import MonthlyPanel


def lifecycle(panel: MonthlyPanel) -> dict[str, Any]:
    """The monthly lifecycle counts of ``panel`` (its values are ignored: an entry means active).

    Returns:
        ``{"per_month": {"YYYY-MM": {"active", "new", "retained", "resurrected", "churned", "dormant",
        "quick_ratio"}}}``.
    """
    first = ~panel.has_previous
    retained = panel.has_previous & (panel.previous_month == panel.month - 1)
    resurrected = panel.has_previous & ~retained
    return lifecycle_from_counts(
        panel.labels,
        panel.per_month(first),
        panel.per_month(retained),
        panel.per_month(resurrected),
        panel.per_month(~panel.next_is_following_month, panel.month + 1),
    )


def lifecycle_from_counts(
    labels: Sequence[str],
    new_count: FloatArray,
    retained_count: FloatArray,
    resurrected_count: FloatArray,
    churned: FloatArray,
) -> dict[str, Any]:
    """The lifecycle output from per-month counts (dormant and the quick ratio follow from them).

    Args:
        labels: ``YYYY-MM`` of each month of the window.
        new_count: Users active for the first time, per month.
        retained_count: Users active in the month and the one before.
        resurrected_count: Users active again after a gap.
        churned: Users active the month before and not in the month.
    """
    seen_before = np.concatenate([[0.0], np.cumsum(new_count)[:-1]])
    dormant = seen_before - retained_count - resurrected_count - churned
    out: dict[str, dict[str, Any]] = {}
    for i, label in enumerate(labels):
        churn = int(churned[i])
        out[label] = {
            "active": int(new_count[i] + retained_count[i] + resurrected_count[i]),
            "new": int(new_count[i]),
            "retained": int(retained_count[i]),
            "resurrected": int(resurrected_count[i]),
            "churned": churn,
            "dormant": int(dormant[i]),
            "quick_ratio": float((new_count[i] + resurrected_count[i]) / churn) if churn else None,
        }
    return {"per_month": out}
