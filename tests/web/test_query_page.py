"""The query page in Debian Chromium: field tree, grain round trip, sorting, formats, chart types, value pickers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from metricmind.interfaces.web import charts
from metricmind.interfaces.web.app import create_app
from metricmind.project import Project
from tests.web.browser import chromium, running, shoot

QUARTERS = "/query?metrics=mrr&group_by=metric_time__quarter&group_by=customer__segment&start=2025-01-01&end=2026-01-01"
SERIES = "() => echarts.getInstanceByDom(document.querySelector('#chart .mm-canvas')).getOption().series"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def base_url(ro_project: Project) -> Iterator[str]:
    with running(create_app(ro_project)) as url:
        yield url.replace("127.0.0.1", "localhost")  # a trusted host name


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    page.close()
    assert not errors, errors


def _params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def _column(page: Any, index: int) -> list[str]:
    return [
        t.strip() for t in page.locator(f"#result-table tbody tr td:nth-child({index})").all_inner_texts()
    ]


def test_grain_round_trip(page: Any, base_url: str) -> None:
    page.goto(base_url + "/query?metrics=mrr&group_by=metric_time__quarter&start=2025-01-01&end=2026-01-01")
    assert page.input_value("#grain") == "quarter"
    assert page.locator("#result-table thead th").first.inner_text().strip() == "Quarter"
    assert _column(page, 1) == ["Q1 2025", "Q2 2025", "Q3 2025", "Q4 2025"]
    page.click("#run")
    page.wait_for_url("**grain=quarter**")
    assert page.input_value("#grain") == "quarter"
    assert _column(page, 1) == ["Q1 2025", "Q2 2025", "Q3 2025", "Q4 2025"]
    params = _params(page.url)
    assert params["grain"] == ["quarter"] and "limit" not in params and "order_by" not in params
    page.select_option("#grain", "month")
    page.click("#run")
    page.wait_for_url("**grain=month**")
    assert _column(page, 1)[:3] == ["Jan 2025", "Feb 2025", "Mar 2025"]
    page.goto(
        base_url + "/query?metrics=invoice_revenue&group_by=metric_time__week&start=2025-01-01&end=2025-03-01"
    )
    assert page.input_value("#grain") == "week"
    assert re.fullmatch(r"20\d\d-W\d\d", _column(page, 1)[0])
    # a group-by the tree does not list (a time dimension of its own) is kept by Run
    page.goto(base_url + "/query?metrics=signups&grain=year&group_by=customer__signup_date__quarter")
    assert page.locator("#dims-box input[value='customer__signup_date__quarter']").is_checked()
    page.click("#run")
    page.wait_for_url("**group_by=customer__signup_date__quarter**")
    assert re.fullmatch(r"Q\d 20\d\d", _column(page, 2)[0])


def test_labels_in_the_tree_and_search(page: Any, base_url: str) -> None:
    page.goto(base_url + "/query?metrics=mrr")
    channel = page.locator("#dims-box li.field label[title^='customer__acquisition_channel']")
    assert channel.inner_text().strip() == "Acquisition channel"
    group = page.locator("#dims-box details.group:has(label[title^='customer__acquisition_channel'])")
    assert group.locator("summary").inner_text().startswith("Customer")
    metric = page.locator("#metric-tree label[title^='mrr ']")
    assert metric.inner_text().strip() == "MRR"
    assert page.locator("#metric-tree details[data-group='Revenue']").count() == 1
    page.fill("#field-search", "acquisition")
    assert channel.is_visible()
    assert not page.locator("#dims-box label[title^='customer__segment']").is_visible()
    assert not page.locator("#metric-tree details[data-group='Revenue']").is_visible()
    page.fill("#field-search", "churn rate")
    churn = page.locator("#metric-tree label[title^='customer_churn_rate']")
    assert churn.is_visible() and churn.inner_text().strip() == "Customer churn rate"
    assert not metric.is_visible()
    # picking a metric in the tree reloads the dimensions every picked metric shares
    assert page.locator("#dims-box input[value='customer_month__is_active']").count() == 1
    churn.locator("input").check()
    page.wait_for_function(
        "() => !document.querySelector(\"#dims-box input[value='customer_month__is_active']\")"
    )
    page.fill("#field-search", "")
    page.locator("#dims-box input[value='customer__segment']").check()
    page.click("#run")
    page.wait_for_url("**group_by=customer__segment**")
    assert _params(page.url)["metrics"] == ["customer_churn_rate", "mrr"]
    headers = page.locator("#result-table thead th").all_inner_texts()
    assert [h.strip() for h in headers] == ["Customer › Segment", "Customer churn rate", "MRR"]
    shoot(page, "query_tree")


def test_sort_by_header_click(page: Any, base_url: str) -> None:
    page.goto(base_url + QUARTERS)
    assert _column(page, 1) == [q for q in ("Q1 2025", "Q2 2025", "Q3 2025", "Q4 2025") for _ in range(3)]
    assert _column(page, 2)[:3] == ["Enterprise", "Mid-Market", "SMB"]
    values = page.locator("#result-table tbody td:nth-child(3)").evaluate_all(
        "cells => cells.map(c => parseFloat(c.dataset.v))"
    )
    page.click("#result-table th[data-col='mrr']")
    assert "sort=mrr" in page.url
    ascending = page.locator("#result-table tbody td:nth-child(3)").evaluate_all(
        "cells => cells.map(c => parseFloat(c.dataset.v))"
    )
    assert ascending == sorted(values)
    assert page.get_attribute("#result-table th[data-col='mrr']", "aria-sort") == "ascending"
    page.click("#result-table th[data-col='mrr']")
    assert "sort=-mrr" in page.url
    descending = page.locator("#result-table tbody td:nth-child(3)").evaluate_all(
        "cells => cells.map(c => parseFloat(c.dataset.v))"
    )
    assert descending == sorted(values, reverse=True)
    assert "sort=-mrr" in (page.get_attribute("#share", "href") or "")
    page.reload()  # the sort is in the URL: the server sorts the same way
    assert page.get_attribute("#result-table th[data-col='mrr']", "aria-sort") == "descending"
    reloaded = page.locator("#result-table tbody td:nth-child(3)").evaluate_all(
        "cells => cells.map(c => parseFloat(c.dataset.v))"
    )
    assert reloaded == descending
    page.click("#result-table th[data-col='customer__segment']")
    assert _column(page, 2)[:4] == ["Enterprise"] * 4
    page.focus("#result-table th[data-col='customer__segment']")
    page.keyboard.press("Enter")  # the keyboard sorts too
    assert _column(page, 2)[:4] == ["SMB"] * 4 and "sort=-customer__segment" in page.url


def test_sorting_more_rows_than_shown_asks_the_server(page: Any, base_url: str) -> None:
    page.goto(base_url + "/query?metrics=invoice_revenue&group_by=customer__name&grain=month")
    count = page.inner_text("#row-count")
    total = int(re.search(r"([\d,]+) rows", count).group(1).replace(",", ""))  # type: ignore[union-attr]
    assert total > 1000 and "showing the first 1,000" in count
    assert page.locator("#result-table tbody tr").count() == 1000
    page.click("#result-table th[data-col='invoice_revenue']")
    # the server's sorted page, loaded whole (not the first page's rows while the next one streams in)
    page.wait_for_url(re.compile(r"[?&]sort=invoice_revenue"), wait_until="load")
    page.wait_for_function("document.querySelectorAll('#result-table tbody tr').length === 1000")
    shown = page.locator("#result-table tbody td:nth-child(3)").evaluate_all(
        "cells => cells.map(c => parseFloat(c.dataset.v))"
    )
    rows = page.context.request.get(
        base_url + "/api/query?metrics=invoice_revenue&group_by=customer__name&grain=month"
    )
    every = sorted(r[2] for r in rows.json()["rows"] if r[2] is not None)
    assert shown == every[:1000]


def test_number_formats_in_table_axis_and_tooltip(page: Any, base_url: str) -> None:
    page.goto(base_url + QUARTERS + "&chart=line")
    page.wait_for_selector("#chart[data-rendered='line'] svg")
    cells = _column(page, 3)
    assert all(re.fullmatch(r"\$\d{1,3}(,\d{3})*(\.\d\d)?", c) for c in cells), cells
    axis = page.locator("#chart svg text").evaluate_all("ts => ts.map(t => t.textContent)")
    assert any(re.fullmatch(r"\$\d+(\.\d)?K", t) for t in axis), axis
    assert {"Q1 2025", "Q4 2025", "Quarter"} <= set(axis)
    box = page.locator("#chart .mm-canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    tooltip = page.wait_for_selector("#chart div:has-text('Mid-Market')")
    assert re.search(r"\$\d{1,3}(,\d{3})*\.\d\d", tooltip.inner_text())
    raw = page.context.request.get(base_url + (page.get_attribute("#csv", "href") or "")).text()
    assert "$" not in raw and re.search(r",\d+\.\d+\n", raw)
    page.goto(
        base_url
        + "/query?metrics=customer_churn_rate&metrics=mrr_growth_mom&grain=month&start=2025-06-01&end=2025-09-01"
    )
    assert all(c.endswith("%") for c in _column(page, 2) + _column(page, 3) if c)
    page.goto(base_url + "/query?metrics=invoice_count&metrics=mrr")
    numbers = page.locator("#numbers .big-number .value").all_inner_texts()
    assert re.fullmatch(r"\d{1,3}(,\d{3})*", numbers[0]) and numbers[1].startswith("$")


def test_chart_type_switch(page: Any, base_url: str) -> None:
    page.goto(base_url + QUARTERS)
    page.wait_for_selector("#chart[data-rendered='stacked'] svg")  # time + one category, additive: stacked
    expected = {
        "line": ("line", False, False),
        "bar": ("bar", False, False),
        "stacked": ("bar", True, False),
        "area": ("line", True, True),
    }
    for kind, (series_type, stacked, area) in expected.items():
        page.click(f"#chart-types button[data-chart='{kind}']")
        page.wait_for_selector(f"#chart[data-rendered='{kind}'] svg")
        series = page.evaluate(SERIES)
        assert len(series) == 3
        assert {s["type"] for s in series} == {series_type}
        assert all(bool(s.get("stack")) == stacked for s in series)
        assert all(bool(s.get("areaStyle")) == area for s in series)
        assert _params(page.url)["chart"] == [kind]
        shape = "path" if series_type == "line" else "path, rect"
        assert page.locator(f"#chart svg {shape}").count() > 3
    page.click("#chart-types button[data-chart='table']")
    assert page.locator("#chart").is_hidden() and page.locator("#result-table").is_visible()
    page.reload()
    assert page.locator("#chart").is_hidden()
    assert "on" in (page.get_attribute("#chart-types button[data-chart='table']", "class") or "")
    assert page.evaluate("() => typeof window.echarts") == "undefined"  # a table needs no chart library
    page.click("#chart-types button[data-chart='bar']")
    page.wait_for_selector("#chart[data-rendered='bar'] svg")  # fetched on demand
    assert len(page.evaluate(SERIES)) == 3
    page.goto(base_url + "/query?metrics=mrr&grain=month&start=2025-01-01&end=2026-01-01")
    page.wait_for_selector("#chart[data-rendered='line'] svg")
    page.goto(base_url + "/query?metrics=invoice_revenue&group_by=customer__region")
    page.wait_for_selector("#chart[data-rendered='bar'] svg")
    assert page.evaluate(SERIES)[0]["data"] == sorted(page.evaluate(SERIES)[0]["data"], reverse=True)
    page.goto(base_url + "/query?metrics=mrr")
    assert page.locator("#numbers .big-number").count() == 1 and page.locator("#chart").is_hidden()
    page.click("#chart-types button[data-chart='table']")
    assert page.locator("#numbers").is_hidden()


def test_value_picker_builds_a_filter_that_runs(page: Any, base_url: str) -> None:
    page.goto(base_url + "/query?metrics=invoice_revenue&group_by=customer__segment")
    row = page.locator(".filter-row").first
    assert "Customer" in row.locator(".f-field optgroup").first.get_attribute("label")
    row.locator(".f-field").select_option("customer__segment")
    row.locator(".f-text").focus()
    page.wait_for_function("() => document.querySelectorAll('#vals-0 option').length === 3")
    options = page.locator("#vals-0 option").evaluate_all("os => os.map(o => o.value)")
    assert options == ["Enterprise", "Mid-Market", "SMB"]
    row.locator(".f-op").select_option("in")
    row.locator(".f-text").fill("Enterprise")
    row.locator(".f-text").press("Enter")
    row.locator(".f-text").fill("SMB")
    row.locator(".f-text").press("Enter")
    assert row.locator(".chip").all_inner_texts() == ["Enterprise×", "SMB×"]
    shoot(page, "query_filter")
    page.click("#run")
    page.wait_for_url("**f_op=in**")
    assert _params(page.url)["f_value"] == ["Enterprise,SMB"]
    assert sorted(_column(page, 1)) == ["Enterprise", "SMB"]
    # the chips come back from the URL; "not in" keeps the rest
    row = page.locator(".filter-row").first
    assert row.locator(".chip").count() == 2
    row.locator(".f-op").select_option("not in")
    page.click("#run")
    page.wait_for_url("**f_op=not+in**")
    assert _column(page, 1) == ["Mid-Market"]
    # = with a value that does not exist: no rows, no error
    row = page.locator(".filter-row").first
    row.locator(".f-op").select_option("=")
    row.locator(".f-text").fill("O'Brien & Co")
    page.click("#run")
    page.wait_for_url("**f_op=%3D**")
    assert page.locator("#result-table tbody tr").count() == 0
    assert page.locator(".alert.error").count() == 0
    # ⊕ beside a dimension in the tree starts a filter on it, with its values listed
    page.hover("#dims-box li.field:has(input[value='customer__region'])")
    page.click("#dims-box .filter-by[data-field='customer__region']")
    row = page.locator(".filter-row").last
    assert row.locator(".f-field").input_value() == "customer__region"
    page.wait_for_function(
        "() => [...document.querySelectorAll('.filter-row')].pop().querySelectorAll('datalist option').length === 4"
    )


ADD_BOX = """([id, spec, src]) => {
    const box = document.createElement('div');
    box.className = 'mm-chart'; box.id = id; box.dataset.echarts = src;
    const data = document.createElement('script');
    data.type = 'application/json'; data.className = 'chart-spec'; data.textContent = JSON.stringify(spec);
    const canvas = document.createElement('div');
    canvas.className = 'mm-canvas'; canvas.style.height = '240px';
    box.append(data, canvas); document.querySelector('main').append(box);
    MMChart.drawAll(box);
}"""


def test_the_chart_component_draws_a_page_s_own_option(page: Any, base_url: str) -> None:
    """What analysis pages reuse: ``charts.echarts_spec`` (any ECharts option) in a ``chart_box``, units applied."""
    bars = {
        "xAxis": {"type": "category", "data": ["M0", "M1", "M2"]},
        "yAxis": {"type": "value"},
        "series": [{"type": "bar", "data": [1.0, 0.62, 0.41]}],
    }
    heatmap = {
        "xAxis": {"type": "category", "data": ["M0", "M1"]},
        "yAxis": {"type": "category", "data": ["Jan", "Feb"]},
        "visualMap": {"min": 0, "max": 1, "show": False},
        "series": [{"type": "heatmap", "data": [[0, 0, 1.0], [1, 0, 0.6], [0, 1, 1.0], [1, 1, 0.7]]}],
    }
    page.goto(base_url + "/query?metrics=mrr")  # loads chart.js; ECharts comes on demand
    src = page.get_attribute("#chart", "data-echarts")
    page.evaluate(ADD_BOX, ["bars", charts.echarts_spec(bars, unit="ratio"), src])
    page.wait_for_selector("#bars[data-rendered='custom'] svg")
    labels = page.locator("#bars svg text").evaluate_all("ts => ts.map(t => t.textContent)")
    assert "M1" in labels and "100%" in labels and "40%" in labels, labels
    page.evaluate(ADD_BOX, ["cohorts", charts.echarts_spec(heatmap, unit="ratio"), src])
    page.wait_for_selector("#cohorts[data-rendered='custom'] svg")
    assert (
        page.evaluate(
            "() => echarts.getInstanceByDom(document.querySelector('#cohorts .mm-canvas')).getOption().series[0].type"
        )
        == "heatmap"
    )
    assert page.locator("#cohorts svg path").count() >= 4
