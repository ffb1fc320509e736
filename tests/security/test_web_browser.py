"""Issue 10's web attacks replayed in Debian Chromium against served servers (findings 5 and 6).

A page on another port of the same host (same site, so the ``SameSite=Lax`` cookie travels) tries to
approve a change with an approver's cookie, by a form and by ``fetch``; a DNS-rebinding name that resolves
to 127.0.0.1 tries to read the API. Both were possible before; the control at the end shows the approver's
own click still works.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from metricmind.interfaces.web.app import create_app
from metricmind.project import Project
from metricmind.testing.shop import copy_shop
from tests.conftest import in_ci
from tests.web.browser import CHROMIUM, running

pytestmark = pytest.mark.browser
REBIND = "rebind.test"  # resolved to 127.0.0.1 by Chromium's host rules: a DNS-rebinding name


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium that resolves ``rebind.test`` to 127.0.0.1, as a rebinding attacker's DNS would."""
    if not Path(CHROMIUM).exists():
        if in_ci():
            pytest.fail(f"Chromium missing at {CHROMIUM} (apt-get install chromium)")
        pytest.skip("Chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", f"--host-resolver-rules=MAP {REBIND} 127.0.0.1"]
        )
        try:
            yield b
        finally:
            b.close()


def attacker(target: str, change_id: int, version: int) -> Starlette:
    """The attacker's site: a form that posts itself to the review queue, and a credentialed fetch."""
    page = f"""<!doctype html><html><body>
<form id="f" method="post" action="{target}/review/{change_id}/approve">
  <input name="expected_version" value="{version}">
</form>
<script>
  fetch("{target}/api/definitions/{change_id}/approve", {{method: "POST", credentials: "include",
    mode: "no-cors", headers: {{"content-type": "text/plain"}}, body: "{{}}"}})
    .finally(() => document.getElementById("f").submit());
</script></body></html>"""

    async def home(request: Request) -> HTMLResponse:
        return HTMLResponse(page)

    return Starlette(routes=[Route("/", home)])


def test_a_same_site_page_cannot_approve_and_a_rebinding_name_cannot_read(
    browser: Any, tmp_path: Path
) -> None:
    project = Project.load(copy_shop(tmp_path / "shop"))
    catalog: Any = project.catalog  # type: ignore[attr-defined]
    editor, approver = catalog.add_user("ed", "editor"), catalog.add_user("ap", "approver")
    with running(create_app(project)) as base, httpx.Client(base_url=base) as api:
        form = {"name": "big_orders", "measure": "order_total", "definition": "Orders over 100."}
        made = api.post(
            "/api/definitions",
            json={"form": form, "submit": True},
            headers={"Authorization": f"Bearer {editor}"},
        )
        change = made.json()["change"]
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{base}/login?token={approver}&next=/review")
        page.wait_for_selector(f"#change-{change['id']} button.approve")

        with running(attacker(base, change["id"], change["version"])) as evil:
            assert evil.rsplit(":", 1)[0] == base.rsplit(":", 1)[0]  # same host, another port: same site
            page.goto(evil)
            page.wait_for_url(f"{base}/review/{change['id']}/approve")  # the form did post, cookie and all
            assert "csrf_rejected" in page.content()
        assert api.get(f"/api/definitions/{change['id']}").json()["change"]["state"] == "in_review"

        port = base.rsplit(":", 1)[1]
        rebound = page.goto(f"http://{REBIND}:{port}/api/metrics")
        assert rebound is not None and rebound.status == 421 and "untrusted_host" in page.content()

        page.goto(f"{base}/review")  # the approver's own click still works
        card = page.locator(f"#change-{change['id']}")
        card.locator("button.approve").click()
        card.locator(".done[data-state='approved']").wait_for()
        context.close()
    assert Project.load(project.root).model.metrics["big_orders"].name == "big_orders"
    project.close()
