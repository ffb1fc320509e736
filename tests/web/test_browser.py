"""Browser tests: Debian Chromium driven by Playwright against a real uvicorn server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from metricmind.interfaces.web.app import create_app
from metricmind.project import Project
from tests.web.browser import chromium, running, shoot

CHART = "echarts.getInstanceByDom(document.querySelector('#chart .mm-canvas')).getOption()"
SERIES_COUNT = f"() => {CHART}.series.length"
BAR_COUNT = f"() => {CHART}.series[0].data.length"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def base_url(ro_project: Project) -> Iterator[str]:
    with running(create_app(ro_project)) as url:
        yield url


def test_browse_search_open_and_query(browser: Any, base_url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    external: list[str] = []
    page.on(
        "request",
        lambda r: external.append(r.url) if not r.url.startswith((base_url, "data:")) else None,
    )
    page.goto(base_url + "/")
    page.wait_for_selector("section.category[data-category='Revenue']")
    assert page.locator("section.category").count() >= 5
    shoot(page, "catalog")

    page.fill("#search", "montly recuring revenue")
    page.wait_for_selector("#search-results .result")
    assert "mrr" in page.locator("#search-results .result").first.inner_text()
    shoot(page, "search")

    page.locator("#search-results .result").first.click()
    page.wait_for_selector("#metric-title")
    assert (
        "MRR" in page.inner_text("#metric-title") or "recurring" in page.inner_text("#metric-title").lower()
    )
    assert page.locator("#sql-tabs .tab").count() == 7
    page.click("#sql-tabs .tab[data-dialect='snowflake']")
    assert page.locator("#sql-snowflake").is_visible()
    shoot(page, "metric")

    page.click("#query-link")
    page.wait_for_selector("#chart[data-rendered='line'] svg")
    assert page.locator("#result-table tbody tr").count() > 12
    page.check("input[name='group_by'][value='customer__segment']")
    page.select_option("#grain", "quarter")
    page.fill("input[name='start']", "2025-01-01")
    page.fill("input[name='end']", "2026-01-01")
    page.click("#run")
    page.wait_for_url("**grain=quarter**")
    page.wait_for_selector("#chart[data-rendered='stacked'] svg")  # by quarter and segment: stacked bars
    assert page.evaluate(SERIES_COUNT) == 3
    assert page.locator("#result-table tbody tr").count() == 12
    shoot(page, "query")
    shared = page.get_attribute("#share", "href")
    assert shared and "group_by=customer__segment" in shared and "start=2025-01-01" in shared

    with page.expect_download() as download:
        page.click("#csv")
    assert download.value.suggested_filename.endswith(".csv")

    page.goto(base_url + "/query?metrics=invoice_revenue&group_by=customer__region")
    page.wait_for_selector("#chart[data-rendered='bar'] svg")
    assert page.evaluate(BAR_COUNT) == 4
    page.goto(base_url + "/datasets")
    page.wait_for_selector("#datasets-table")
    shoot(page, "datasets")
    assert not external, external
    page.close()


def test_define_suggests_sources_and_previews(browser: Any, base_url: str, ro_project: Project) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base_url + "/define/advanced")
    page.wait_for_selector("#define-form")
    assert page.locator("#save-draft, #preview").count() == 0  # anonymous: a preview runs SQL, editors only
    page.close()
    catalog: Any = ro_project.catalog  # type: ignore[attr-defined]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base_url}/login?token={catalog.add_user('define_editor', 'editor')}&next=/define/advanced")
    page.wait_for_selector("#define-form")
    page.fill("#f-name", "enterprise_refunds")
    page.fill("#f-definition", "Refund amount for enterprise customers")
    page.wait_for_selector("#suggested tbody tr:first-child:has-text('refunded_amount')")
    page.locator("#suggested .use-source").first.click()
    assert "refund" in page.input_value("#f-measure")
    page.fill("#f-filter", "{{ Dimension('customer__segment') }} = 'Enterprise'")
    page.fill("#f-category", "Billing")
    page.click("#preview")
    page.wait_for_selector("#preview-table tbody tr")
    assert page.locator("#preview-table tbody tr").count() >= 1
    page.wait_for_selector("#preview-chart[data-rendered='line'] svg")
    axis = page.locator("#preview-chart svg text").evaluate_all("ts => ts.map(t => t.textContent)")
    assert "Month" in axis and "None" not in axis  # issue 11 §3: the x axis was labelled "None"
    shoot(page, "define")
    page.select_option("#f-measure", "")
    page.click("#preview")
    page.wait_for_selector("#define-out .alert.error")
    page.close()
