"""The reading in words, dates spelled out, totals and trends (``metricmind.resolve.analyst``)."""

from __future__ import annotations

import datetime as dt

import pytest

from metricmind.resolve import Resolver
from metricmind.resolve.analyst import additive, period, spell_range, totals, trend

DAY = dt.date(2025, 6, 18)
D = dt.date


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        (D(2025, 5, 1), D(2025, 6, 1), "May 2025"),
        (D(2025, 1, 1), D(2025, 4, 1), "Q1 2025 (1 January to 31 March 2025)"),
        (D(2024, 7, 1), D(2025, 1, 1), "H2 2024 (1 July to 31 December 2024)"),
        (D(2024, 1, 1), D(2025, 1, 1), "2024"),
        (D(2025, 6, 1), D(2025, 6, 19), "1 to 18 June 2025"),
        (D(2025, 6, 18), D(2025, 6, 19), "18 June 2025"),
        (D(2024, 12, 1), D(2025, 3, 1), "1 December 2024 to 28 February 2025"),
        (D(2025, 2, 1), D(2025, 5, 1), "1 February to 30 April 2025"),  # three months, not a quarter
    ],
)
def test_dates_spelled_out(start: dt.date, end: dt.date, words: str) -> None:
    assert spell_range(start, end) == words


def test_periods_at_their_grain() -> None:
    assert period(D(2026, 1, 1), "month") == "January 2026"
    assert period(D(2026, 4, 1), "quarter") == "Q2 2026"
    assert period(D(2026, 1, 5), "day") == "5 January 2026"


def test_the_reading_in_words(resolver: Resolver) -> None:
    res = resolver.resolve("top 3 regions by new mrr last quarter excluding SMB vs a year ago", as_of=DAY)
    assert res.in_words == (
        "New MRR by customer region, excluding customer segment SMB, over Q1 2025 (1 January to 31 March 2025), "
        "compared with the same period last year, Q1 2024 (1 January to 31 March 2024), top 3, highest New MRR "
        "first."
    )
    assert resolver.resolve("active customers by region", as_of=DAY).assumptions == [
        "no period named: all recorded history",
        "Active customers is a snapshot: its value on the last day with data in the period, not a sum",
    ]
    assert resolver.resolve("new mrr attributed to email this year", as_of=DAY).assumptions == [
        "no attribution model named: last touch assumed (last_touch_attributed_new_mrr)"
    ]


def test_only_groups_that_add_up_get_a_total(resolver: Resolver) -> None:
    model = resolver.model
    assert (
        additive(model, "new_mrr") and additive(model, "invoice_revenue") and additive(model, "net_new_mrr")
    )
    for metric in ("customer_churn_rate", "arpa", "new_customers", "active_users", "mrr_growth_mom", "cac"):
        assert not additive(model, metric), metric  # rates, quotients, distinct counts, changes
    res = resolver.resolve("new mrr by segment last quarter", as_of=DAY)
    rows = [("SMB", 10.0), ("Enterprise", 32.5)]
    assert totals(res, model, ["customer__segment", "new_mrr"], rows) == {"new_mrr": 42.5}
    top = resolver.resolve("top 2 segments by new mrr last quarter", as_of=DAY)
    assert totals(top, model, ["customer__segment", "new_mrr"], rows) == {}  # a top N is not the whole
    over_time = resolver.resolve("mrr by month this year", as_of=DAY)
    assert (
        totals(over_time, model, ["metric_time__month", "mrr"], [(D(2025, 1, 1), 1), (D(2025, 2, 1), 2)])
        == {}
    )


def test_a_trend_says_its_change(resolver: Resolver) -> None:
    res = resolver.resolve("mrr by month this year", as_of=DAY)
    rows = [(D(2025, 3, 1), 120.0), (D(2025, 1, 1), 100.0), (D(2025, 2, 1), 110.0)]
    t = trend(res, ["metric_time__month", "mrr"], rows)["mrr"]
    assert t["first"] == (D(2025, 1, 1), 100.0) and t["last"] == (D(2025, 3, 1), 120.0)
    assert t["change"] == pytest.approx(0.2) and t["last_change"] == pytest.approx(10 / 110)
    assert trend(resolver.resolve("mrr by region", as_of=DAY), ["customer__region", "mrr"], rows) == {}
