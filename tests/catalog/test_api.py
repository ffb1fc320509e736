"""The catalog behind the REST API: tokens and roles, the review flow, HTTP statuses of conflicts and
illegal steps, certification, the audit log and usage (in-process TestClient over the shop project).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from metricmind.interfaces.web.app import create_app
from metricmind.project import Project
from metricmind.testing.shop import copy_shop
from tests.catalog.conftest import BIG


@pytest.fixture
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A client over a shop copy, and a token per role."""
    monkeypatch.delenv("METRICMIND_STORE_URL", raising=False)
    project = Project.load(copy_shop(tmp_path / "shop"))
    tokens = {r: project.catalog.add_user(r, r) for r in ("viewer", "editor", "approver", "admin")}
    yield TestClient(create_app(project), base_url="http://localhost"), tokens
    project.close()


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_review_flow_over_http(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    assert client.get("/api/me", headers=auth(tokens["editor"])).json()["user"] == {
        "name": "editor",
        "role": "editor",
    }
    denied = client.post("/api/definitions", json={"definition": BIG}, headers=auth(tokens["viewer"]))
    assert denied.status_code == 403 and denied.json()["error"] == "forbidden"
    created = client.post(
        "/api/definitions", json={"definition": BIG, "submit": True}, headers=auth(tokens["editor"])
    )
    assert created.status_code == 201, created.text
    change: dict[str, Any] = created.json()["change"]
    assert change["state"] == "in_review" and change["version"] == 2
    listed = client.get("/api/definitions", params={"state": "in_review"}).json()["changes"]
    assert [c["id"] for c in listed] == [change["id"]]
    url = f"/api/definitions/{change['id']}"
    stale = client.post(f"{url}/approve", json={"expected_version": 1}, headers=auth(tokens["approver"]))
    assert stale.status_code == 409 and stale.json()["error"] == "conflict"
    approved = client.post(f"{url}/approve", json={"expected_version": 2}, headers=auth(tokens["approver"]))
    assert approved.status_code == 200 and approved.json()["change"]["state"] == "approved"
    again = client.post(f"{url}/approve", headers=auth(tokens["admin"]))
    assert again.status_code == 400 and again.json()["error"] == "workflow"
    page = client.get("/api/metrics/big_revenue").json()
    assert page["metric"]["status"] == "published" and page["history"][0]["author"] == "approver"
    cert = client.post("/api/metrics/big_revenue/certify", headers=auth(tokens["approver"]))
    assert cert.status_code == 200 and cert.json()["result"]["status"] == "certified"
    depr = client.post("/api/datasets/nope/deprecate", json={"reason": "x"}, headers=auth(tokens["approver"]))
    assert depr.status_code == 404
    events = client.get("/api/audit", params={"subject": "big_revenue"}).json()["events"]
    assert [e["action"] for e in events] == ["certify", "publish", "approve", "submit", "create"]
    assert client.get(url).json()["change"]["published_version"] == 1


def test_own_change_and_usage_over_http(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    created = client.post("/api/definitions", json={"definition": BIG}, headers=auth(tokens["admin"]))
    change = created.json()["change"]
    client.post(f"/api/definitions/{change['id']}/submit", headers=auth(tokens["admin"]))
    own = client.post(f"/api/definitions/{change['id']}/approve", headers=auth(tokens["admin"]))
    assert own.status_code == 403 and "four-eyes" in own.json()["hint"]
    ran = client.post("/api/query/run", json={"metrics": ["revenue"]}, headers=auth(tokens["viewer"]))
    assert ran.status_code == 200
    client.post("/api/query/run", json={"metrics": ["revenue", "orders"]})
    top = client.get("/api/usage").json()["top"]
    assert top[0]["metric"] == "revenue" and top[0]["month"] == 2
    usage = client.get("/api/usage/revenue").json()
    assert usage["month"] == 2 and usage["daily"][-1] == 2
    rows = {m["name"]: m for c in client.get("/api/metrics").json()["categories"] for m in c["metrics"]}
    assert rows["revenue"]["usage_month"] == 2 and rows["revenue"]["status"] == "certified"
