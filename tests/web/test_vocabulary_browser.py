"""Browser: an editor teaches a word from the Ask box (signed in by cookie, CSRF token in the form), it
answers their questions at once and nobody else's; another approver approves it from the review queue
(htmx button) and it answers everyone. Real catalog store, real uvicorn, Debian Chromium.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from metricmind.interfaces.web.app import create_app
from metricmind.project import Project
from tests.web.browser import chromium, running

QUESTION = "dosh by region"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def answerable(page: Any, base: str) -> str:
    page.goto(f"{base}/ask?q={QUESTION}&as_of=2026-07-01")
    page.wait_for_selector("#resolution")
    return str(page.get_attribute("#resolution", "data-answerable"))


def test_teach_in_the_ask_box_and_approve_in_the_review_queue(browser: Any, rw_project: Project) -> None:
    catalog: Any = rw_project.catalog  # type: ignore[attr-defined]
    editor_token = catalog.add_user("ed", "editor")
    approver_token = catalog.add_user("ap", "approver")
    with running(create_app(rw_project)) as base:
        editor = browser.new_context()
        page = editor.new_page()
        page.goto(f"{base}/login?token={editor_token}&next=/ask")
        assert answerable(page, base) == "false"
        page.fill("#feedback-phrase", "dosh")
        page.fill("#feedback-target", "mrr")
        page.click("#feedback-incorrect")
        page.wait_for_selector("#ask-thanks:has-text('applies to your questions now')")
        assert answerable(page, base) == "true"  # the editor's own word, at once
        editor.close()

        approver = browser.new_context()
        page = approver.new_page()
        page.goto(f"{base}/login?token={approver_token}&next=/ask")
        assert answerable(page, base) == "false"  # nobody else's before review
        page.goto(f"{base}/review")
        card = page.locator("section.word[data-phrase='dosh']")
        card.wait_for()
        card.locator("button.approve").click()
        card.locator(".done[data-state='approved']").wait_for()
        assert answerable(page, base) == "true"
        approver.close()

        anonymous = browser.new_context()
        assert answerable(anonymous.new_page(), base) == "true"  # everyone's now
        anonymous.close()
