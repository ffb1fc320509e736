"""A correction through the web Ask page's feedback (API and Chromium): the editor's at once, others' after review."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from fastapi.testclient import TestClient

from metricmind.interfaces.web.app import create_app
from metricmind.project import Project
from tests.learn.conftest import AS_OF
from tests.web.browser import chromium, running

QUESTION, PARAPHRASE = "what's the board number", "the board number please"
FIX = {"metrics": ["arr"]}


def test_web_correction_through_the_api(demo_copy: Path) -> None:
    with Project.load(demo_copy) as project:
        editor = project.catalog.add_user("ed", "editor")
        viewer = project.catalog.add_user("vi", "viewer")
        project.catalog.add_user("ap", "approver")
        client = TestClient(create_app(project), base_url="http://localhost")
        ed, vi = {"Authorization": f"Bearer {editor}"}, {"Authorization": f"Bearer {viewer}"}
        asked = {"q": QUESTION, "as_of": AS_OF}
        assert client.get("/api/ask", params=asked, headers=ed).json()["answerable"] is False
        form = {**asked, "verdict": "incorrect", "expected": json.dumps(FIX)}
        assert (
            client.post("/ask/feedback", data=form, headers=vi).status_code == 403
        )  # a viewer's is not kept
        bad = client.post("/ask/feedback", data={**form, "expected": "{not json"}, headers=ed)
        assert bad.status_code == 400 and "expected is not JSON" in bad.text
        done = client.post("/ask/feedback", data=form, headers=ed, follow_redirects=False)
        assert done.status_code == 303 and "noted=" in done.headers["location"]
        mine = client.get("/api/ask", params={"q": PARAPHRASE, "as_of": AS_OF}, headers=ed).json()
        assert mine["metrics"] == ["arr"] and mine["memory"]["source"] == "reflexion"
        assert client.get("/api/ask", params={"q": PARAPHRASE, "as_of": AS_OF}).json()["answerable"] is False
        note = int(done.headers["location"].split("noted=")[1].split("&")[0])
        project.review_note(note, "ap")
        everyone = client.get("/api/ask", params={"q": PARAPHRASE, "as_of": AS_OF}).json()
        assert everyone["metrics"] == ["arr"] and everyone["memory"]["reviewed"] is True


def test_web_correction_in_chromium(demo_copy: Path) -> None:
    with Project.load(demo_copy) as project:
        token = project.catalog.add_user("ed", "editor")
        with chromium() as browser, running(create_app(project)) as base:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{base}/login?token={token}&next=/ask")
            page.wait_for_selector(".user[data-role='editor']")
            page.goto(f"{base}/ask?q={quote(QUESTION)}&as_of={AS_OF}")
            page.wait_for_selector("#ask-refusal")
            page.click("#feedback-expected summary")
            page.fill("#feedback-expected-query", json.dumps(FIX))
            page.click("#feedback-remember")
            page.wait_for_selector("#ask-thanks")
            assert "reflexion note #" in page.inner_text("#ask-thanks")
            page.goto(f"{base}/ask?q={quote(PARAPHRASE)}&as_of={AS_OF}")
            page.wait_for_selector("#resolution[data-answerable='true']")
            assert "Answered from memory: reflexion note" in page.inner_text("#resolution")
            assert "arr" in page.inner_text("#ask-parts")
