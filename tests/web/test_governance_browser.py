"""Browser: an editor defines a draft, an approver approves it, it is published and audited; a viewer
cannot edit. Real catalog store (SQLite in the project copy), real uvicorn, Debian Chromium.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from metricmind.interfaces.web.app import create_app
from metricmind.project import Project
from tests.web.browser import chromium, running, shoot


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def test_define_approve_publish_audit(browser: Any, rw_project: Project) -> None:
    catalog: Any = rw_project.catalog  # type: ignore[attr-defined]
    tokens = {role: catalog.add_user(f"{role}_user", role) for role in ("viewer", "editor", "approver")}
    with running(create_app(rw_project)) as base:
        editor = browser.new_context(viewport={"width": 1280, "height": 900})
        page = editor.new_page()
        page.goto(f"{base}/login?token={tokens['editor']}&next=/define/advanced")
        page.wait_for_selector("#define-form")
        assert page.locator(".user[data-role='editor']").count() == 1
        page.fill("#f-name", "enterprise_paid_revenue")
        page.fill("#f-label", "Enterprise paid revenue")
        page.fill("#f-category", "Billing")
        page.fill("#f-owner", "finance")
        page.fill("#f-definition", "Paid invoice amount from enterprise customers.")
        # Suggested sources arrive 300 ms after the last keystroke and push the form down: let them land
        # before clicking below them (a click during the shift misses its checkbox).
        page.wait_for_timeout(400)
        page.wait_for_load_state("networkidle")
        page.wait_for_selector("#suggested, #suggestions p:has-text('No matching sources')")
        page.select_option("#f-measure", "paid_amount")
        page.fill("#f-filter", "{{ Dimension('customer__segment') }} = 'Enterprise'")
        page.check("input[name='dimensions'][value='customer__region']")
        page.fill("#f-rules", "Counted on the paid date.\nEnterprise segment only.")
        page.click("#preview")
        page.wait_for_selector("#preview-table tbody tr")
        page.click("#submit-review")
        page.wait_for_selector("#saved[data-state='in_review']")
        shoot(page, "define_submitted")
        editor.close()

        approver = browser.new_context(viewport={"width": 1280, "height": 900})
        page = approver.new_page()
        page.goto(f"{base}/login?token={tokens['approver']}&next=/review")
        card = page.locator("section.change[data-name='enterprise_paid_revenue']")
        card.wait_for()
        assert "enterprise_paid_revenue" in card.locator("pre.diff").inner_text()
        shoot(page, "review")
        card.locator("button.approve").click()
        card.locator(".done[data-state='approved']").wait_for()
        page.goto(f"{base}/metrics/enterprise_paid_revenue")
        page.wait_for_selector("#metric-title")
        assert "Enterprise paid revenue" in page.inner_text("#metric-title")
        page.goto(f"{base}/?q=enterprise paid")
        page.wait_for_selector("#search-results .result:has-text('enterprise_paid_revenue')")
        page.goto(f"{base}/audit")
        page.wait_for_selector("#audit-table tbody tr:has-text('enterprise_paid_revenue')")
        shoot(page, "audit")
        approver.close()

        viewer = browser.new_context()
        page = viewer.new_page()
        page.goto(f"{base}/login?token={tokens['viewer']}&next=/define")
        page.wait_for_selector("#readonly-note")
        assert page.locator("#save-draft, #submit-review").count() == 0
        post = """async (headers) => {
            const r = await fetch('/api/definitions', {method: 'POST',
                headers: {'content-type': 'application/json', ...headers},
                body: JSON.stringify({form: {name: 'x_metric', measure: 'paid_amount'}})});
            return [r.status, (await r.json()).error]; }"""
        assert page.evaluate(post, {}) == [403, "csrf_rejected"]  # the cookie alone is not enough
        token = page.get_attribute("meta[name='csrf-token']", "content")
        assert page.evaluate(post, {"X-CSRF-Token": token}) == [403, "forbidden"]  # a viewer may not write
        page.goto(f"{base}/review?state=approved")
        page.wait_for_selector("section.change")
        assert page.locator("button.approve").count() == 0
        viewer.close()
    assert (rw_project.root / "models").exists()
    published = Project.load(rw_project.root)
    assert "enterprise_paid_revenue" in published.model.metrics
