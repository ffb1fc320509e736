"""The Ask box: resolution with highlighted words, the query-builder link runs it, feedback and learning."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from metricmind.interfaces.web.app import create_app
from metricmind.project import Project
from metricmind.resolve.feedback import FeedbackStore
from tests.web.browser import chromium, running, shoot

QUESTION = "MRR by region in Europe last quarter vs the same quarter last year"


def test_ask_page_and_api(client: TestClient) -> None:
    page = client.get("/ask", params={"q": QUESTION, "as_of": "2026-07-01"})
    assert page.status_code == 200
    assert '<mark class="part part-filters"' in page.text and ">Europe</mark>" in page.text
    data = client.get("/api/ask", params={"q": QUESTION, "as_of": "2026-07-01"}).json()
    assert data["answerable"] and data["metrics"] == ["mrr"]
    assert data["time_range"] == {"start": "2026-04-01", "end": "2026-07-01"}
    assert data["comparison"] == "same_period_last_year"
    # the answer as an analyst gives it: the reading in words, the dates spelled out, the figures, the change
    assert data["in_words"].startswith("MRR by customer region, only customer region EMEA, over Q2 2026")
    assert "Dates: Q2 2026 (1 April to 30 June 2026); compared with Q2 2025" in data["answer"]
    assert "EMEA" in data["answer"] and "$" in data["answer"] and "%" in data["answer"]
    assert 'id="ask-answer"' in page.text and 'id="ask-reading"' in page.text
    run = client.get(data["query_url"] + "&format=json").json()
    assert run["result"]["columns"] == ["customer__region", "mrr"]
    assert [r[0] for r in run["result"]["rows"]] == ["EMEA"]


def test_refusal_and_bad_date(client: TestClient) -> None:
    data = client.get("/ask", params={"q": "What is our NPS?", "format": "json"}).json()
    assert data["resolution"]["answerable"] is False and data["resolution"]["nearest"]
    bad = client.get("/api/ask", params={"q": "MRR", "as_of": "someday"})
    assert bad.status_code == 400 and bad.json()["error"]


def test_feedback_records_and_editors_teach(rw_project: Project) -> None:
    catalog: Any = rw_project.catalog  # type: ignore[attr-defined]
    editor = catalog.add_user("ed", "editor")
    viewer = catalog.add_user("vi", "viewer")
    client = TestClient(create_app(rw_project), base_url="http://localhost")
    question = {"q": "MRR by zorblat", "as_of": "2026-07-01"}
    assert client.get("/api/ask", params=question).json()["answerable"] is False
    ok = client.post("/ask/feedback", data={**question, "verdict": "correct"}, follow_redirects=False)
    assert ok.status_code == 303
    teach = {**question, "verdict": "incorrect", "phrase": "zorblat", "target": "customer__region"}
    denied = client.post("/ask/feedback", data=teach, headers={"Authorization": f"Bearer {viewer}"})
    assert denied.status_code == 403
    unknown = client.post(
        "/ask/feedback",
        data={**teach, "target": "customer__regoin"},
        headers={"Authorization": f"Bearer {editor}"},
    )
    assert unknown.status_code in (400, 404) and "customer__region" in unknown.text
    done = client.post(
        "/ask/feedback", data=teach, headers={"Authorization": f"Bearer {editor}"}, follow_redirects=False
    )
    assert done.status_code == 303 and "taught=" in done.headers["location"]
    # the editor's word applies to the editor at once, to nobody else before review
    mine = client.get("/api/ask", params=question, headers={"Authorization": f"Bearer {editor}"}).json()
    assert mine["answerable"] and mine["group_by"] == [{"name": "customer__region", "grain": None}]
    assert client.get("/api/ask", params=question).json()["answerable"] is False
    entries = FeedbackStore.of(rw_project.root).entries()
    assert [e["verdict"] for e in entries] == ["correct", "incorrect"] and entries[-1]["learned"]
    word_id = entries[-1]["learned"][0]["id"]
    own = client.post(f"/api/vocabulary/{word_id}/approve", headers={"Authorization": f"Bearer {editor}"})
    assert own.status_code == 403
    approver = catalog.add_user("ap", "approver")
    shared = client.post(
        f"/api/vocabulary/{word_id}/approve", headers={"Authorization": f"Bearer {approver}"}
    )
    assert shared.status_code == 200 and shared.json()["word"]["state"] == "approved"
    after = client.get("/api/ask", params=question).json()
    assert after["answerable"] and after["group_by"] == [{"name": "customer__region", "grain": None}]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def test_ask_in_the_browser(browser: Any, ro_project: Project) -> None:
    with running(create_app(ro_project)) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/ask")
        page.fill("#ask-input", "new customers by segment last quarter")
        page.fill("#ask-as-of", "2026-07-01")
        page.click("#ask-submit")
        page.wait_for_selector("#resolution[data-answerable='true']")
        assert "customer__segment" in page.inner_text("#ask-parts")
        shoot(page, "ask")
        with page.expect_navigation(
            url="**/query?**"
        ):  # the Ask page has tables too: wait for the query page
            page.click("#open-query")
        page.wait_for_selector("table")
        assert "new_customers" in page.content() and "<svg" in page.content()
        page.close()


def test_a_close_call_offers_the_readings_as_choices(client: TestClient) -> None:
    page = client.get("/ask", params={"q": "retention by segment last quarter", "as_of": "2026-07-01"})
    assert page.status_code == 200 and 'id="ask-clarify"' in page.text
    assert page.text.count('class="button ask-choice"') >= 2  # one per retention metric of the catalog
    assert "q=Net%20revenue%20retention%20by%20segment%20last%20quarter" in page.text
