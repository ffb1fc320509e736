"""Server-side SVG charts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from metricmind.interfaces.web import charts


def test_line_chart_is_valid_svg() -> None:
    svg = charts.line_chart(["2026-01", "2026-02", "2026-03"], {"mrr": [1, 2.5, None], "a<b": [3, 2, 1]})
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg") and root.get("data-kind") == "line"
    assert svg.count('class="series"') == 2 and "a&lt;b" in svg


def test_bar_chart_and_negative_values() -> None:
    svg = charts.bar_chart(["SMB", "Enterprise"], {"net_new_mrr": [-5, 10]})
    ET.fromstring(svg)
    assert svg.count('class="bar"') == 2


def test_sparkline_and_empty() -> None:
    ET.fromstring(charts.sparkline([0, 3, 1, 0]))
    assert "No numeric values" in charts.line_chart([], {})
    assert charts.fmt_number(1_234_567) == "1.2M"
