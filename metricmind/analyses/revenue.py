"""MRR movements month over month, NRR / GRR windows, and cohort retention triangles.

Per customer, month m against m - 1 (MRR 0 and a missing month are the same; before the first month
nothing is known, so all MRR of the first month is new):

- ``new``: MRR > 0 in m, 0 in m - 1, and never MRR before (the MRR of m);
- ``reactivation``: MRR > 0 in m, 0 in m - 1, but MRR in an earlier month (the MRR of m);
- ``expansion`` / ``contraction``: MRR > 0 in both, up / down (the difference, positive);
- ``churned``: MRR > 0 in m - 1, 0 in m (the MRR of m - 1, positive);
- ``starting_mrr`` (Σ MRR of m - 1), ``ending_mrr`` (Σ MRR of m), ``net_new_mrr`` = ending - starting
  = new + reactivation + expansion - contraction - churned;
- ``quick_ratio`` = (new + reactivation + expansion) / (contraction + churned), None when that is 0.

NRR / GRR over a window (start month s, end month e): the cohort is the customers with MRR at s;
NRR = Σ MRR_e / Σ MRR_s and GRR = Σ min(MRR_e, MRR_s) / Σ MRR_s over the cohort (None for an empty cohort).

Cohorts: a customer's cohort is its first month with MRR; for each month since then up to the last month
of data: active customers, logo retention (active / cohort size), MRR and revenue retention
(MRR / the cohort's MRR in its first month, may exceed 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from metricmind.analyses.monthly import MonthlyPanel
from metricmind.analyses.periods import month_label


def mrr_movements(panel: MonthlyPanel) -> dict[str, Any]:
    """The monthly MRR movements of ``panel`` (values are MRR).

    Returns:
        ``{"per_month": {"YYYY-MM": {"starting_mrr", "ending_mrr", "new", "expansion", "contraction",
        "churned", "reactivation", "net_new_mrr", "quick_ratio"}}}``.
    """
    value, previous = panel.value, panel.previous_value
    gap = previous == 0
    new = panel.per_month(np.where(gap & ~panel.has_previous, value, 0.0))
    reactivation = panel.per_month(np.where(gap & panel.has_previous, value, 0.0))
    expansion = panel.per_month(np.where(~gap & (value > previous), value - previous, 0.0))
    contraction = panel.per_month(np.where(~gap & (value < previous), previous - value, 0.0))
    churned = panel.per_month(np.where(panel.next_is_following_month, 0.0, value), panel.month + 1)
    ending = panel.per_month(value)
    starting = np.concatenate([[0.0], ending[:-1]])
    out: dict[str, dict[str, Any]] = {}
    for i, label in enumerate(panel.labels):
        gained = new[i] + reactivation[i] + expansion[i]
        lost = contraction[i] + churned[i]
        out[label] = {
            "starting_mrr": float(starting[i]),
            "ending_mrr": float(ending[i]),
            "new": float(new[i]),
            "expansion": float(expansion[i]),
            "contraction": float(contraction[i]),
            "churned": float(churned[i]),
            "reactivation": float(reactivation[i]),
            "net_new_mrr": float(ending[i] - starting[i]),
            "quick_ratio": float(gained / lost) if lost > 0 else None,
        }
    return {"per_month": out}


def retention_windows(panel: MonthlyPanel, windows: Sequence[tuple[int, int]]) -> dict[str, Any]:
    """NRR and GRR for each ``(start, end)`` pair of month offsets in the window.

    Returns:
        ``{"START..END": {"start_month", "end_month", "cohort_customers", "starting_mrr", "nrr", "grr"}}``.
    """
    n = panel.n_months
    keys = panel.entity * n + panel.month  # sorted: entity then month
    out: dict[str, Any] = {}
    for start, end in windows:
        at_start = panel.month == start
        start_mrr = panel.value[at_start]
        wanted = panel.entity[at_start] * n + end
        found = np.searchsorted(keys, wanted)
        found = np.minimum(found, max(len(keys) - 1, 0))
        hit = (keys[found] == wanted) if len(keys) else np.zeros(0, dtype=np.bool_)
        end_mrr = np.where(hit, panel.value[found] if len(keys) else 0.0, 0.0)
        total = float(start_mrr.sum())
        label_s, label_e = month_label(panel.first_month + start), month_label(panel.first_month + end)
        out[f"{label_s}..{label_e}"] = {
            "start_month": label_s,
            "end_month": label_e,
            "cohort_customers": int(at_start.sum()),
            "starting_mrr": total,
            "nrr": float(end_mrr.sum() / total) if total > 0 else None,
            "grr": float(np.minimum(end_mrr, start_mrr).sum() / total) if total > 0 else None,
        }
    return out


def cohorts(panel: MonthlyPanel) -> dict[str, Any]:
    """Cohort retention triangles of ``panel`` (values are MRR).

    Returns:
        ``{"cohorts": {"YYYY-MM": {"cohort_size", "starting_mrr", "cells": [{"months_since_signup",
        "active_customers", "logo_retention", "mrr", "revenue_retention"}]}}}``, one cohort per month in
        which some customer first had MRR, cells up to the last month of data.
    """
    n = panel.n_months
    first = ~panel.has_previous
    cohort_of_entity = panel.month[first]
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(panel.entity)))
    cohort = np.repeat(cohort_of_entity, counts)
    cell = cohort * n + (panel.month - cohort)
    active = np.bincount(cell, minlength=n * n).reshape(n, n)
    mrr = np.bincount(cell, weights=panel.value, minlength=n * n).reshape(n, n)
    out: dict[str, Any] = {}
    for c in range(n):
        size = int(active[c, 0])
        if size == 0:
            continue
        base = float(mrr[c, 0])
        out[month_label(panel.first_month + c)] = {
            "cohort_size": size,
            "starting_mrr": base,
            "cells": [
                {
                    "months_since_signup": k,
                    "active_customers": int(active[c, k]),
                    "logo_retention": float(active[c, k] / size),
                    "mrr": float(mrr[c, k]),
                    "revenue_retention": float(mrr[c, k] / base) if base > 0 else None,
                }
                for k in range(n - c)
            ],
        }
    return {"cohorts": out}
