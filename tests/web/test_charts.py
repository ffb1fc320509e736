"""Chart data (``charts.chart_spec``): the chart that fits a result, its labels, series and units."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

from metricmind.interfaces.web import charts

TIME = {"name": "metric_time__quarter", "label": "Quarter", "kind": "time", "grain": "quarter"}
SEGMENT = {"name": "customer__segment", "label": "Customer › Segment", "kind": "dimension"}
MRR = {"name": "mrr", "label": "MRR", "kind": "metric", "unit": "currency", "currency": "USD"}
CHURN = {"name": "churn", "label": "Churn rate", "kind": "metric", "unit": "ratio", "currency": "USD"}


def _q(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def test_time_and_category_stack_an_additive_metric() -> None:
    rows: list[Any] = [
        (_q(2025, 4), "SMB", 10.0),
        (_q(2025, 1), "Enterprise", 5.0),
        (_q(2025, 1), "SMB", 8.0),
        (_q(2025, 4), "Enterprise", None),
    ]
    spec = charts.chart_spec([TIME, SEGMENT, MRR], rows)
    assert spec["type"] == "stacked" and "table" in spec["types"] and "number" not in spec["types"]
    assert spec["x"]["labels"] == ["Q1 2025", "Q2 2025"] and spec["x"]["label"] == "Quarter"
    by_name = {s["name"]: s["values"] for s in spec["series"]}
    assert by_name == {"SMB": [8.0, 10.0], "Enterprise": [5.0, None]}
    assert spec["series"][0]["unit"] == "currency" and spec["y"]["unit"] == "currency"
    # a ratio is not stacked by default: a line per category
    assert charts.chart_spec([TIME, SEGMENT, CHURN], rows)["type"] == "line"
    # the URL's choice wins when it fits, and is ignored when it does not
    assert charts.chart_spec([TIME, SEGMENT, MRR], rows, "area")["type"] == "area"
    assert charts.chart_spec([TIME, SEGMENT, MRR], rows, "number")["type"] == "stacked"


def test_category_bars_largest_first_and_big_numbers() -> None:
    rows = [("SMB", 3.0, 0.1), ("Enterprise", 9.0, 0.2), (None, 1.0, 0.3)]
    spec = charts.chart_spec([SEGMENT, MRR, CHURN], rows)
    assert spec["type"] == "bar"
    assert spec["x"]["labels"] == ["Enterprise", "SMB", "(none)"]
    assert [s["name"] for s in spec["series"]] == ["MRR", "Churn rate"]
    assert spec["series"][1]["values"] == [0.2, 0.1, 0.3] and spec["y"]["unit"] == "number"
    total = charts.chart_spec([MRR, CHURN], [(49330.29, 0.125)])
    assert total["type"] == "number"
    assert [n["text"] for n in total["numbers"]] == ["$49,330.29", "12.5%"]
    assert charts.chart_spec([TIME, MRR], [])["type"] == "table"
    assert charts.chart_spec([TIME, MRR], [(None, 0.0), (_q(2025, 7), 1.0)])["x"]["labels"] == [
        "Q3 2025",
        "(no date)",
    ]
    assert charts.chart_spec([TIME, SEGMENT], [(_q(2025, 1), "SMB")])["types"] == ["table"]
    # a metric without a value anywhere is left out of the chart (and of its axes)
    blank = charts.chart_spec([SEGMENT, CHURN, MRR], [("SMB", None, 3.0), ("Enterprise", None, 9.0)])
    assert [s["name"] for s in blank["series"]] == ["MRR"] and blank["y"]["unit"] == "currency"
    assert charts.chart_spec([SEGMENT, CHURN], [("SMB", None)])["type"] == "table"


def test_many_series_keep_the_largest() -> None:
    rows = [(_q(2025, 1), f"c{i:02d}", float(i)) for i in range(30)]
    spec = charts.chart_spec([TIME, SEGMENT, MRR], rows)
    assert len(spec["series"]) == charts.MAX_SERIES and spec["series_total"] == 30
    assert spec["series"][0]["name"] == "c29"


def test_sparkline() -> None:
    root = ET.fromstring(charts.sparkline([0, 3, 1, 0]))
    assert root.tag.endswith("svg") and root.get("class") == "sparkline"
    assert charts.sparkline([]) == ""
