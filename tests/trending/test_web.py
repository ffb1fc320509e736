"""Trending metrics in the Metric Explorer: the catalog's badge, filter and strip, the metric page's
figures, their JSON, and pages that render without them when the memory store is missing or corrupt."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from metricmind import Project
from metricmind.interfaces.web.app import create_app
from tests.trending.conftest import NIGHTS, copy_demo
from tests.web.browser import chromium, running, shoot

TRENDING = {"invoice_revenue", "signups"}


@pytest.fixture(scope="module")
def project(trended: Path) -> Iterator[Project]:
    with Project.load(trended) as loaded:
        yield loaded


@pytest.fixture(scope="module")
def client(project: Project) -> TestClient:
    return TestClient(create_app(project), base_url="http://localhost")


def badges(html: str) -> set[str]:
    """The metrics with a Trending badge on a page."""
    return set(re.findall(r'class="badge badge-trending" data-trending="([a-z_]+)"', html))


def rows(catalog: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["name"]: m for c in catalog["categories"] for m in c["metrics"]}


def test_the_catalog_marks_trending_metrics_and_shows_the_strip(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert badges(page.text) == TRENDING
    strip = page.text[page.text.index('id="trending-strip"') :]
    strip = strip[: strip.index("</section>")]
    assert "Trending this week" in strip
    assert strip.index('data-trending="invoice_revenue"') < strip.index('data-trending="signups"')
    assert "4 vs 1" in strip and "3 · new" in strip
    assert 'id="trending-filter" href="/?trending=1"' in page.text


def test_the_trending_filter(client: TestClient) -> None:
    page = client.get("/", params={"trending": "1"})
    assert page.status_code == 200
    assert set(re.findall(r'class="metric-link" href="/metrics/([a-z_]+)"', page.text)) == TRENDING
    revenue_only = client.get("/", params={"trending": "1", "category": "Revenue"})
    assert "No metrics match: none is trending in Revenue" in revenue_only.text


def test_the_catalogs_json_carries_the_same_data(client: TestClient) -> None:
    catalog = client.get("/", params={"format": "json"}).json()
    by_name = rows(catalog)
    assert by_name["invoice_revenue"]["trending"]["uses"] == 4
    assert by_name["invoice_revenue"]["trending"]["uses_before"] == 1
    assert by_name["signups"]["trending"]["new"] is True
    assert by_name["mrr"]["trending"] is None and by_name["arr"]["trending"] is None
    assert [t["name"] for t in catalog["trending"]] == ["invoice_revenue", "signups"]
    assert catalog["trending"][0]["label"] and catalog["trending"][0]["since"] == NIGHTS[0]
    filtered = client.get("/", params={"format": "json", "trending": "1"}).json()
    assert set(rows(filtered)) == TRENDING and filtered["filters"]["trending"] is True
    api = client.get("/api/metrics", params={"trending": "true"}).json()
    assert set(rows(api)) == TRENDING
    found = client.get("/search", params={"q": "invoice revenue", "format": "json"}).json()
    assert next(r for r in found["results"] if r["name"] == "invoice_revenue")["trending"]["uses"] == 4


def test_the_metric_page_shows_the_figures(client: TestClient) -> None:
    page = client.get("/metrics/invoice_revenue")
    assert page.status_code == 200
    assert badges(page.text) == {"invoice_revenue"}
    assert "used 4 times this week, 1 the week before (4.0×); trending since 2026-06-29" in page.text
    data = client.get("/metrics/invoice_revenue", params={"format": "json"}).json()
    assert data["metric"]["trending"]["summary"] == "used 4 times this week, 1 the week before"
    assert client.get("/api/metrics/signups").json()["metric"]["trending"]["new"] is True
    plain = client.get("/metrics/mrr")
    assert plain.status_code == 200 and not badges(plain.text) and "trending-note" not in plain.text
    assert client.get("/metrics/mrr", params={"format": "json"}).json()["metric"]["trending"] is None


@pytest.mark.parametrize("store", ["missing", "corrupt", "learning off"])
def test_pages_render_without_the_badge(
    store: str, trended: Path, tmp_path: Path, trend_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if store == "learning off":  # the store and its nightly list are there, learning is not
        root = tmp_path / "off"
        shutil.copytree(trended, root)
        with Project.load(root) as project:
            assert project.trending_metrics()  # the copy has the nightly's list
        monkeypatch.setenv("METRICMIND_LEARN_ENABLED", "off")
    else:
        root = copy_demo(trended, tmp_path / store.replace(" ", "_"))
    if store == "corrupt":
        (root / ".metricmind").mkdir()
        (root / ".metricmind" / "store.db").write_bytes(b"garbage, not a database " * 200)
    with Project.load(root) as project:
        client = TestClient(create_app(project), base_url="http://localhost")
        for path in ("/", "/?trending=1", "/metrics/invoice_revenue", "/search?q=revenue"):
            page = client.get(path)
            assert page.status_code == 200, (path, page.text[:300])
            assert not badges(page.text) and "trending-strip" not in page.text
        catalog = client.get("/", params={"format": "json"}).json()
        assert catalog["trending"] == [] and all(m["trending"] is None for m in rows(catalog).values())


@pytest.mark.browser
def test_the_catalog_in_chromium(project: Project) -> None:
    with chromium() as browser, running(create_app(project)) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url + "/")
        strip = page.locator("#trending-strip")
        assert strip.is_visible()
        assert strip.locator("a[data-trending]").all_inner_texts()[:2] == [
            project.model.metrics["invoice_revenue"].label,
            project.model.metrics["signups"].label,
        ]
        badge = page.locator('.badge-trending[data-trending="invoice_revenue"]')
        assert badge.is_visible()
        assert badge.get_attribute("title") == "Trending: used 4 times this week, 1 the week before"
        assert page.locator(".badge-trending").count() == 2
        page.click("#trending-filter")
        page.wait_for_url("**/?trending=1")
        shoot(page, "catalog_trending")
        links = page.locator("a.metric-link").all_inner_texts()
        assert sorted(links) == sorted(project.model.metrics[n].label for n in TRENDING)
        page.click('a.metric-link[href="/metrics/invoice_revenue"]')
        assert "used 4 times this week, 1 the week before" in page.locator("#trending-note").inner_text()
