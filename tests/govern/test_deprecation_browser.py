"""The deprecation warning as a person sees it: the query, metric and ask pages in Debian Chromium."""

from __future__ import annotations

from pathlib import Path

from metricmind.interfaces.web.app import create_app
from metricmind.project import Project
from tests.web.browser import chromium, running

WARNING = "metric 'arpa' is deprecated; use 'mrr' instead (sunset 2027-01-31)."


def test_the_pages_show_the_deprecation_warning(demo: Path) -> None:
    with Project.load(demo) as project:
        project.catalog.add_user("ann", "approver")
        project.catalog.deprecate("metric", "arpa", "ann", "superseded", successor="mrr", sunset="2027-01-31")
        with running(create_app(project)) as base, chromium() as browser:
            page = browser.new_page()
            page.goto(f"{base}/query?metrics=arpa&grain=month")
            page.wait_for_selector("#result-table")
            shown = page.locator("#result .deprecation")
            assert shown.count() == 1 and shown.is_visible()
            assert shown.inner_text().strip() == WARNING
            page.goto(f"{base}/query?metrics=mrr&grain=month")
            page.wait_for_selector("#result-table")
            assert page.locator(".deprecation").count() == 0
            page.goto(f"{base}/metrics/arpa")
            assert page.locator("#deprecation").inner_text().strip() == WARNING
            page.goto(f"{base}/ask?q=arpa+by+month")
            assert page.locator("#resolution .deprecation").inner_text().strip() == WARNING
