"""Lifecycle, MRR movements, NRR/GRR and cohorts on hand-computed panels."""

from __future__ import annotations

from typing import Any

from metricmind.analyses import analyze_data
from tests.analyses.helpers import close, subs

MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]


def life(
    active: int, new: int, retained: int, resurrected: int, churned: int, dormant: int
) -> dict[str, Any]:
    """A lifecycle row; the quick ratio follows the definition."""
    ratio = (new + resurrected) / churned if churned else None
    return {
        "active": active,
        "new": new,
        "retained": retained,
        "resurrected": resurrected,
        "churned": churned,
        "dormant": dormant,
        "quick_ratio": ratio,
    }


def test_lifecycle_every_state() -> None:
    # a: Jan Feb Apr; b: Feb Mar; c: Mar; nobody in May
    activity = [("a", "2026-01"), ("a", "2026-02"), ("a", "2026-04"), ("b", "2026-02"), ("b", "2026-03")]
    activity += [("c", "2026-03")]
    doc = {"months": MONTHS, "activity": [{"user_id": u, "month": m} for u, m in activity]}
    out = analyze_data("lifecycle", doc)
    close(
        out["per_month"],
        {
            "2026-01": life(1, 1, 0, 0, 0, 0),
            "2026-02": life(2, 1, 1, 0, 0, 0),
            "2026-03": life(2, 1, 1, 0, 1, 0),
            "2026-04": life(1, 0, 0, 1, 2, 0),
            "2026-05": life(0, 0, 0, 0, 1, 2),
        },
    )
    assert out["per_month"]["2026-01"]["quick_ratio"] is None
    assert out["per_month"]["2026-05"]["quick_ratio"] == 0.0


def test_lifecycle_timestamps_count_in_their_utc_month() -> None:
    doc = {
        "activity": [
            {"user_id": 1, "ts": "2026-02-01T00:30:00+01:00"},  # 2026-01-31 23:30 UTC
            {"user_id": 1, "ts": "2026-01-15T08:00:00Z"},  # a second event in January: still one user month
            {"user_id": 2, "ts": "2026-02-03"},  # a date is its own calendar month
            {"user_id": 1, "ts": "2026-03-31T23:30:00-01:00"},  # 2026-04-01 00:30 UTC
        ]
    }
    out = analyze_data("lifecycle", doc)
    assert list(out["per_month"]) == ["2026-01", "2026-02", "2026-03", "2026-04"]
    close(
        out["per_month"],
        {
            "2026-01": life(1, 1, 0, 0, 0, 0),
            "2026-02": life(1, 1, 0, 0, 1, 0),
            "2026-03": life(0, 0, 0, 0, 1, 1),
            "2026-04": life(1, 0, 0, 1, 0, 1),
        },
    )


def test_lifecycle_zero_churn() -> None:
    rows = [{"user_id": u, "month": m} for m in MONTHS[:3] for u in ("x", "y")] + [
        {"user_id": "z", "month": "2026-03"}
    ]
    out = analyze_data("lifecycle", {"months": MONTHS[:3], "activity": rows})
    close(
        out["per_month"],
        {
            "2026-01": life(2, 2, 0, 0, 0, 0),
            "2026-02": life(2, 0, 2, 0, 0, 0),
            "2026-03": life(3, 1, 2, 0, 0, 0),
        },
    )


def mrr(
    start: float, end: float, new: float, exp: float, con: float, churn: float, react: float
) -> dict[str, Any]:
    """An MRR-movements row; net new and quick ratio follow the definitions."""
    lost = con + churn
    return {
        "starting_mrr": start,
        "ending_mrr": end,
        "new": new,
        "expansion": exp,
        "contraction": con,
        "churned": churn,
        "reactivation": react,
        "net_new_mrr": end - start,
        "quick_ratio": (new + exp + react) / lost if lost else None,
    }


PANEL = [
    ("a", "2026-01", 100),
    ("a", "2026-02", 150),
    ("a", "2026-04", 50),
    ("b", "2026-02", 10),
    ("b", "2026-03", 5),
    ("c", "2026-01", 40),
    ("c", "2026-02", 0),  # MRR 0 is the same as a missing month
    ("c", "2026-03", 40),
]


def test_mrr_movements_every_kind() -> None:
    doc = subs(PANEL, MONTHS[:4], windows=[{"start_month": "2026-01", "end_month": "2026-02"}])
    out = analyze_data("mrr-movements", doc)
    close(
        out["per_month"],
        {
            "2026-01": mrr(0, 140, 140, 0, 0, 0, 0),  # the first month: all MRR is new
            "2026-02": mrr(140, 160, 10, 50, 0, 40, 0),
            "2026-03": mrr(160, 45, 0, 0, 5, 150, 40),  # c comes back: reactivation
            "2026-04": mrr(45, 50, 0, 0, 0, 45, 50),  # a comes back, b and c churn
        },
    )
    for row in out["per_month"].values():  # the identity
        moved = row["new"] + row["reactivation"] + row["expansion"] - row["contraction"] - row["churned"]
        assert abs(row["ending_mrr"] - row["starting_mrr"] - moved) < 1e-9
    # cohort at 2026-01: a (100) and c (40); at 2026-02 a has 150, c 0
    close(
        out["windows"],
        {
            "2026-01..2026-02": {
                "start_month": "2026-01",
                "end_month": "2026-02",
                "cohort_customers": 2,
                "starting_mrr": 140.0,
                "nrr": 150 / 140,
                "grr": 100 / 140,
            }
        },
    )


def test_mrr_zero_churn_nrr_above_one_and_empty_window() -> None:
    rows = [("x", "2026-01", 10), ("x", "2026-02", 12), ("x", "2026-03", 15), ("y", "2026-03", 7)]
    windows = [
        {"start_month": "2026-01", "end_month": "2026-03"},
        {"start_month": "2026-04", "end_month": "2026-04"},
    ]
    out = analyze_data("mrr-movements", subs(rows, MONTHS[:4], windows=windows))
    close(out["per_month"]["2026-02"], mrr(10, 12, 0, 2, 0, 0, 0))
    close(out["per_month"]["2026-03"], mrr(12, 22, 7, 3, 0, 0, 0))
    assert out["per_month"]["2026-03"]["quick_ratio"] is None
    assert (
        out["windows"]["2026-01..2026-03"]["nrr"] == 1.5 and out["windows"]["2026-01..2026-03"]["grr"] == 1.0
    )
    empty = out["windows"]["2026-04..2026-04"]
    assert empty["cohort_customers"] == 0 and empty["nrr"] is None and empty["grr"] is None


def test_mrr_months_default_to_the_data() -> None:
    out = analyze_data("mrr-movements", subs([("x", "2026-03", 5), ("x", "2026-01", 5)]))
    assert list(out["per_month"]) == ["2026-01", "2026-02", "2026-03"]
    assert out["per_month"]["2026-03"]["reactivation"] == 5.0
    assert out["windows"] == {}


def cell(k: int, active: int, size: int, value: float, base: float) -> dict[str, Any]:
    """A cohort cell."""
    return {
        "months_since_signup": k,
        "active_customers": active,
        "logo_retention": active / size,
        "mrr": value,
        "revenue_retention": value / base,
    }


def test_cohorts_triangle() -> None:
    out = analyze_data("cohorts", subs(PANEL, MONTHS[:4]))
    close(
        out["cohorts"],
        {
            "2026-01": {
                "cohort_size": 2,
                "starting_mrr": 140.0,
                "cells": [
                    cell(0, 2, 2, 140, 140),
                    cell(1, 1, 2, 150, 140),  # revenue retention above 1
                    cell(2, 1, 2, 40, 140),
                    cell(3, 1, 2, 50, 140),
                ],
            },
            "2026-02": {
                "cohort_size": 1,
                "starting_mrr": 10.0,
                "cells": [cell(0, 1, 1, 10, 10), cell(1, 1, 1, 5, 10), cell(2, 0, 1, 0, 10)],
            },
        },
    )


def test_cohorts_no_cells_past_the_last_month() -> None:
    rows = [(f"c{i}", m, 10 + i) for i, m in enumerate(MONTHS)]
    out = analyze_data("cohorts", subs(rows, MONTHS))
    assert list(out["cohorts"]) == MONTHS
    for i, month in enumerate(MONTHS):
        cells = out["cohorts"][month]["cells"]
        assert [c["months_since_signup"] for c in cells] == list(range(len(MONTHS) - i))
        assert [c["active_customers"] for c in cells] == [1] + [0] * (len(MONTHS) - i - 1)


def test_cohorts_repeat_customers_stay_in_their_first_cohort() -> None:
    rows = [("a", "2026-01", 10), ("a", "2026-03", 30), ("b", "2026-03", 5)]
    out = analyze_data("cohorts", subs(rows, MONTHS[:3]))
    assert list(out["cohorts"]) == ["2026-01", "2026-03"]
    close(out["cohorts"]["2026-01"]["cells"][2], cell(2, 1, 1, 30, 10))
    close(out["cohorts"]["2026-03"], {"cohort_size": 1, "starting_mrr": 5.0, "cells": [cell(0, 1, 1, 5, 5)]})
