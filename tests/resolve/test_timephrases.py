"""Time phrases of the demo catalog → half-open ranges; weeks start on Monday."""

from __future__ import annotations

import datetime as dt

import pytest

from metricmind.resolve.text import tokenize
from metricmind.resolve.timephrases import comparison_range, find_time

AS_OF = dt.date(2026, 6, 30)  # a Tuesday, the last day of Q2


def ranges(text: str, as_of: dt.date = AS_OF) -> list[tuple[str, str, str]]:
    return [
        (h.kind, h.start.isoformat() if h.start else "", h.end.isoformat() if h.end else "")
        for h in find_time(tokenize(text), as_of)
    ]


@pytest.mark.parametrize(
    ("phrase", "start", "end"),
    [
        ("today", "2026-06-30", "2026-07-01"),
        ("right now", "2026-06-30", "2026-07-01"),
        ("yesterday", "2026-06-29", "2026-06-30"),
        ("last week", "2026-06-22", "2026-06-29"),
        ("previous week", "2026-06-22", "2026-06-29"),
        ("last month", "2026-05-01", "2026-06-01"),
        ("last full month", "2026-05-01", "2026-06-01"),
        ("last quarter", "2026-01-01", "2026-04-01"),
        ("last year", "2025-01-01", "2026-01-01"),
        ("this quarter", "2026-04-01", "2026-07-01"),
        ("QTD", "2026-04-01", "2026-07-01"),
        ("this year", "2026-01-01", "2026-07-01"),
        ("YTD", "2026-01-01", "2026-07-01"),
        ("year to date", "2026-01-01", "2026-07-01"),
        ("last 7 days", "2026-06-23", "2026-06-30"),
        ("the last thirty days", "2026-05-31", "2026-06-30"),
        ("past 2 weeks", "2026-06-15", "2026-06-29"),
        ("last 3 months", "2026-03-01", "2026-06-01"),
        ("past 12 months", "2025-06-01", "2026-06-01"),
        ("last 2 quarters", "2025-10-01", "2026-04-01"),
        ("since March", "2026-03-01", "2026-07-01"),
        ("since the start of 2024", "2024-01-01", "2026-07-01"),
        ("since the beginning of the quarter", "2026-04-01", "2026-07-01"),
        ("Q4 2024", "2024-10-01", "2025-01-01"),
        ("Q4'24", "2024-10-01", "2025-01-01"),
        ("the fourth quarter of 2025", "2025-10-01", "2026-01-01"),
        ("March 2025", "2025-03-01", "2025-04-01"),
        ("first half of 2024", "2024-01-01", "2024-07-01"),
        ("H2 2025", "2025-07-01", "2026-01-01"),
        ("in 2024", "2024-01-01", "2025-01-01"),
        ("FY2025", "2025-01-01", "2026-01-01"),
        ("between 2024-01-01 and 2024-03-31", "2024-01-01", "2024-04-01"),
        ("from January to March 2025", "2025-01-01", "2025-04-01"),
        ("on 2026-02-14", "2026-02-14", "2026-02-15"),
        ("March 5th 2025", "2025-03-05", "2025-03-06"),
    ],
)
def test_catalog_phrases(phrase: str, start: str, end: str) -> None:
    assert ranges(phrase) == [("range", start, end)]


def test_weeks_start_on_monday_and_quarters_depend_on_as_of() -> None:
    sunday = dt.date(2026, 6, 28)
    assert ranges("last week", sunday) == [("range", "2026-06-15", "2026-06-22")]
    assert ranges("last quarter", dt.date(2026, 7, 1)) == [("range", "2026-04-01", "2026-07-01")]
    assert ranges("since March", dt.date(2026, 2, 10)) == [("range", "2025-03-01", "2026-02-11")]
    assert ranges("Q3", AS_OF) == [("range", "2025-07-01", "2025-10-01")]  # the latest Q3 that has begun


def test_comparisons_and_future() -> None:
    assert ranges("this quarter vs last quarter") == [
        ("range", "2026-04-01", "2026-07-01"),
        ("comparison", "2026-01-01", "2026-04-01"),
    ]
    assert [k for k, _, _ in ranges("revenue year over year")] == ["comparison"]
    assert [k for k, _, _ in ranges("compared to the same quarter last year")] == ["comparison"]
    assert [k for k, _, _ in ranges("forecast for next quarter")] == ["future", "future"]
    assert ranges("may I see revenue") == []  # "may" is a verb here


def test_comparison_ranges() -> None:
    q2 = (dt.date(2026, 4, 1), dt.date(2026, 7, 1))
    assert comparison_range(*q2, "previous_period", "quarter") == (dt.date(2026, 1, 1), dt.date(2026, 4, 1))
    assert comparison_range(*q2, "same_period_last_year") == (dt.date(2025, 4, 1), dt.date(2025, 7, 1))
    to_date = (dt.date(2026, 4, 1), dt.date(2026, 5, 16))
    assert comparison_range(*to_date, "previous_period", "quarter") == (
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 16),
    )
    days = (dt.date(2026, 5, 31), dt.date(2026, 6, 30))
    assert comparison_range(*days, "previous_period", "day") == (dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    leap = (dt.date(2024, 2, 29), dt.date(2024, 3, 1))
    assert comparison_range(*leap, "same_period_last_year") == (dt.date(2023, 2, 28), dt.date(2023, 3, 1))
