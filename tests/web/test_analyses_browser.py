"""The analysis pages in Debian Chromium: charts drawn, options round-trip through the URL, CSV downloads."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from metricmind.interfaces.web.app import create_app
from metricmind.project import Project
from tests.web.browser import chromium, running, shoot


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def base_url(ro_project: Project) -> Iterator[str]:
    with running(create_app(ro_project)) as url:
        yield url


def option(page: Any, box: str) -> Any:
    return page.evaluate(
        f"() => echarts.getInstanceByDom(document.querySelector('#{box} .mm-canvas')).getOption()"
    )


def query(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def download_csv(page: Any, selector: str) -> tuple[str, list[list[str]]]:
    with page.expect_download() as download:
        page.click(selector)
    text = Path(download.value.path()).read_text()
    return download.value.suggested_filename, list(csv.reader(io.StringIO(text)))


def new_page(browser: Any, base_url: str, external: list[str]) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on(
        "request",
        lambda r: external.append(r.url) if not r.url.startswith((base_url, "data:")) else None,
    )
    return page


def test_attribution_page(browser: Any, base_url: str) -> None:
    external: list[str] = []
    page = new_page(browser, base_url, external)
    page.goto(base_url + "/analyses/attribution?start=2026-01-01&end=2026-04-01")
    page.wait_for_selector("#chart-attribution[data-rendered='custom'] svg")
    drawn = option(page, "chart-attribution")
    assert len(drawn["series"]) == 7 and all(s["type"] == "bar" for s in drawn["series"])
    channels = drawn["xAxis"][0]["data"]
    assert len(channels) >= 3
    assert "Under first touch" in page.inner_text("#reading")
    shoot(page, "analyses-attribution")
    # the measure toggle keeps the dates
    page.click("#measure-toggle a[data-measure='conversions']")
    page.wait_for_selector("#chart-attribution[data-rendered='custom'] svg")
    assert query(page) == {"start": ["2026-01-01"], "end": ["2026-04-01"], "measure": ["conversions"]}
    assert "conversions over" in page.inner_text("#reading")
    # pick two models and a half-life in the form: the URL carries them, the form shows them back
    for box in page.locator("fieldset.models input[type=checkbox]").all():
        if box.get_attribute("value") not in ("linear", "markov"):
            box.uncheck()
    page.fill("input[name='half_life']", "3")
    page.click("#apply")
    page.wait_for_url("**models=**")
    page.wait_for_selector("#chart-attribution[data-rendered='custom'] svg")
    params = query(page)
    assert params["models"] == ["linear", "markov"] and params["half_life"] == ["3"]
    assert params["measure"] == ["conversions"] and params["start"] == ["2026-01-01"]
    assert [s["name"] for s in option(page, "chart-attribution")["series"]] == ["linear", "Markov"]
    page.reload()
    page.wait_for_selector("#chart-attribution[data-rendered='custom'] svg")
    assert page.input_value("input[name='start']") == "2026-01-01"
    assert page.input_value("input[name='half_life']") == "3"
    assert page.is_checked("fieldset.models input[value='markov']")
    assert not page.is_checked("fieldset.models input[value='shapley']")
    name, rows = download_csv(page, ".analysis-table a.csv >> nth=0")
    assert name == "attribution-0.csv"
    assert rows[0] == ["channel", "linear", "markov"]
    assert [r[0] for r in rows[1:-1]] == channels and rows[-1][0] == "(total)"
    assert not external, external
    page.close()


def test_mrr_lifecycle_and_cohort_pages(browser: Any, base_url: str) -> None:
    external: list[str] = []
    page = new_page(browser, base_url, external)
    page.goto(base_url + "/analyses/mrr-movements")
    page.fill("input[name='start']", "2025-01-01")
    page.fill("input[name='end']", "2026-01-01")
    page.click("#apply")
    page.wait_for_url("**start=2025-01-01**")
    page.wait_for_selector("#chart-mrr-movements[data-rendered='custom'] svg")
    drawn = option(page, "chart-mrr-movements")
    assert drawn["xAxis"][0]["data"][0] == "2025-01" and len(drawn["xAxis"][0]["data"]) == 12
    assert {s["name"] for s in drawn["series"]} >= {"New", "Expansion", "Churned", "Net new MRR"}
    assert "NRR" in page.inner_text("#retention")
    shoot(page, "analyses-mrr-movements")
    name, rows = download_csv(page, ".analysis-table a.csv >> nth=0")
    assert name == "mrr-movements-0.csv" and rows[0][:2] == ["month", "starting_mrr"] and len(rows) == 13

    page.click("nav.analyses-tabs a:has-text('Lifecycle')")
    page.wait_for_selector("#chart-lifecycle[data-rendered='custom'] svg")
    drawn = option(page, "chart-lifecycle")
    line = next(s for s in drawn["series"] if s["type"] == "line")
    assert line["name"] == "Quick ratio" and line["yAxisIndex"] == 1
    churned = next(s for s in drawn["series"] if s["name"] == "Churned")
    assert all(v <= 0 for v in churned["data"])

    page.goto(base_url + "/analyses/cohorts?start=2025-01-01&end=2026-01-01")
    for box in ("chart-logo", "chart-revenue"):
        page.wait_for_selector(f"#{box}[data-rendered='custom'] svg")
        assert option(page, box)["series"][0]["type"] == "heatmap"
    shoot(page, "analyses-cohorts")
    name, rows = download_csv(page, ".analysis-table a.csv >> nth=1")
    assert name == "cohorts-1.csv" and rows[0][:4] == ["cohort", "size", "starting_mrr", "m0"]
    assert rows[1][3] == "1.0"  # revenue retention of month 0
    assert not external, external
    page.close()


def test_the_ask_box_answers_the_flagship_question(browser: Any, base_url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base_url + "/ask?as_of=2026-06-30")
    page.fill("#ask-input", "Show me the attribution of new MRR by channel for Q1 using all models")
    page.click("#ask-submit")
    page.wait_for_selector("#chart-ask-analysis[data-rendered='custom'] svg")
    assert len(option(page, "chart-ask-analysis")["series"]) == 7
    assert "Under last touch" in page.inner_text("#ask-reading")
    page.click("#open-analysis")
    page.wait_for_selector("#chart-attribution[data-rendered='custom'] svg")
    assert query(page) == {"start": ["2026-01-01"], "end": ["2026-04-01"]}
    page.close()
