"""``POST /api/define/analyze``: the web layer calls the core and returns its proposal; bad input is a clear answer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from metricmind.interfaces.web.app import create_app
from metricmind.project import Project
from tests.define import monthly

demo = monthly.demo  # this file's own copy of the demo (a fixture)


@pytest.fixture(scope="module")
def client(demo: Project) -> Iterator[TestClient]:
    with TestClient(create_app(demo), base_url="http://localhost") as c:
        yield c


def test_define_returns_the_proposal_with_yaml_and_sql(client: TestClient) -> None:
    body = {
        "name": "emea_paying",
        "definition": "Distinct paying customers in EMEA at the end of each month",
        "rules": ["EMEA only", "Exclude trial subscriptions"],
    }
    data = client.post("/api/define/analyze", json=body).json()
    p = data["proposal"]
    assert p["refused"] is None and p["metric"]["type_params"] == {"measure": "active_customers"}
    assert "customer__region" in p["metric"]["filter"] and "metric_time__month" in p["preview_sql"]
    assert "name: emea_paying" in data["yaml"]


def test_define_refusals_and_limits(client: TestClient) -> None:
    taken = client.post("/api/define/analyze", json={"name": "mrr", "definition": "Recurring revenue"}).json()
    assert taken["proposal"]["refused"] == "name_exists" and taken["yaml"] is None
    assert (
        client.post("/api/define/analyze", json={"name": "x", "definition": "y" * 20_000}).status_code == 422
    )


def test_the_define_form_shows_a_time_dimension_the_proposal_adds(client: TestClient) -> None:
    # the proposal declares `written_off_at` on invoices (a date column no dimension declares); the form
    # listed new models, measures and metrics, never the new dimension a person must review
    params = {
        "name": "written_off_amount",
        "definition": "Invoice amount",
        "rule": ["Dated by the write-off date"],
    }
    shown = client.get("/define/proposal", params={**params, "format": "json"}).json()["proposal"]
    assert [d["dimension"]["name"] for d in shown["new_dimensions"]] == ["written_off_at"]
    html = client.get("/define/proposal", params=params).text
    part = html.split('id="new-parts"', 1)[1].split("</ul>", 1)[0]
    assert 'class="new-dimension"' in part and "written_off_at" in part and "invoices" in part
