"""Every catalog approval passes the governance validator: a change that adds an error is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from metricmind.interfaces.web.app import create_app
from metricmind.project import Project
from metricmind.project.governing import GovernanceError

DATASETS = Path("models") / "canonical_datasets.yml"


def test_an_approval_that_adds_a_governance_error_is_refused(demo: Path) -> None:
    before = (demo / DATASETS).read_text()
    with Project.load(demo) as project:
        catalog = project.catalog
        catalog.add_user("ed", "editor")
        catalog.add_user("ann", "approver")
        # the ad spend dataset, without its owner and SLA
        bad = {
            "name": "fct_ad_spend",
            "model": "ref('fct_ad_spend')",
            "description": "Daily ad spend per paid campaign.",
            "grain": "one row per day and campaign",
            "primary_key": ["spend_date", "campaign"],
        }
        change = catalog.create_draft("ed", bad, kind="dataset")
        change = catalog.submit(change["id"], "ed")
        with pytest.raises(GovernanceError) as err:
            catalog.approve(change["id"], "ann", expected_version=change["version"])
        found = err.value.to_dict()
        assert found["error"] == "governance"
        codes = sorted(f["code"] for f in found["findings"])  # type: ignore[union-attr]
        assert codes == ["missing_owner", "missing_sla"]
        assert "missing_owner" in err.value.message and err.value.hint
        # nothing written, nothing approved
        assert (demo / DATASETS).read_text() == before
        assert catalog.change(change["id"])["state"] == "in_review"
        assert catalog.dataset("fct_ad_spend")["owner"] == "growth-marketing"
        # the same dataset with its owner and SLA passes
        good = {**bad, "owner": "growth-marketing", "sla": {"freshness_hours": 24, "refreshed": "daily"}}
        fixed = catalog.create_draft("ed", good, kind="dataset")
        fixed = catalog.submit(fixed["id"], "ed")
        assert catalog.approve(fixed["id"], "ann", expected_version=fixed["version"])["state"] == "approved"
    assert "refreshed: daily" in (demo / DATASETS).read_text()


def test_errors_the_project_already_has_do_not_block(demo: Path) -> None:
    path = demo / DATASETS
    path.write_text(path.read_text().replace("    owner: finance\n", "", 1))
    with Project.load(demo) as project:
        catalog = project.catalog
        assert [f.code for f in project.govern().errors] == ["missing_owner"]
        catalog.add_user("ed", "editor")
        catalog.add_user("ann", "approver")
        metric = {
            "name": "big_spend",
            "type": "simple",
            "label": "Spend",
            "description": "Ad spend.",
            "type_params": {"measure": "marketing_spend"},
            "config": {"meta": {"owner": "growth-marketing", "category": "Marketing"}},
        }
        change = catalog.submit(catalog.create_draft("ed", metric)["id"], "ed")
        assert catalog.approve(change["id"], "ann", expected_version=change["version"])["state"] == "approved"


def test_the_web_approval_answers_with_the_findings(demo: Path) -> None:
    before = (demo / DATASETS).read_text()
    with Project.load(demo) as project:
        catalog = project.catalog
        catalog.add_user("ed", "editor")
        token = catalog.add_user("ann", "approver")
        bad = {
            "name": "fct_ad_spend",
            "model": "ref('fct_ad_spend')",
            "primary_key": ["spend_date", "campaign"],
        }
        change = catalog.submit(catalog.create_draft("ed", bad, kind="dataset")["id"], "ed")
        client = TestClient(create_app(project), base_url="http://localhost")
        r = client.post(
            f"/api/definitions/{change['id']}/approve", headers={"Authorization": f"Bearer {token}"}
        )
        assert r.status_code == 400, r.text
        body = r.json()
        assert body["error"] == "governance"
        assert {f["code"] for f in body["findings"]} == {"missing_owner", "missing_sla"}
        assert all(f["dataset"] == "fct_ad_spend" and f["file"] for f in body["findings"])
    assert (demo / DATASETS).read_text() == before
