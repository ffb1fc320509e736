"""The plain-English Define page (``/define``): the proposal, Accept / Modify / Manual, the live preview run
on the warehouse, Save as draft, and bad input (nothing written). In-process, over the demo (DuckDB)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from metricmind.interfaces.web.app import create_app
from metricmind.interfaces.web.core import COOKIE
from metricmind.project import Project
from metricmind.spec.query import MetricQuery

MRR_EXAMPLE = {
    "name": "subscription_value",
    "definition": "Total value of active subscriptions per month",
    "rule": [
        "Exclude trial subscriptions",
        "Only count active and past_due status",
        "Convert annual contracts to monthly equivalent",
    ],
}
FILTERED = {
    "name": "emea_smb_mrr",
    "definition": "Monthly recurring revenue",
    "rule": ["EMEA only", "Only the SMB segment"],
}
JSON = {"accept": "application/json"}


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}", **JSON}


@pytest.fixture
def rw(rw_project: Project) -> tuple[TestClient, dict[str, str]]:
    catalog: Any = rw_project.catalog  # type: ignore[attr-defined]
    tokens = {role: catalog.add_user(f"define_{role}", role) for role in ("viewer", "editor")}
    return TestClient(create_app(rw_project), base_url="http://localhost"), tokens


def yaml_files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text()
        for p in sorted(root.rglob("*.yml"))
        if ".metricmind" not in p.parts
    }


def test_page_shows_the_proposal_section_by_section(client: TestClient) -> None:
    page = client.get("/define")
    assert page.status_code == 200 and 'id="define-agent"' in page.text and "/static/define.js" in page.text
    blank = client.get("/define", params={"format": "json"}).json()
    assert (
        blank["example"]["metric"] == "churned_customers" and "proposal" not in blank and blank["dimensions"]
    )
    data = client.get("/define", params={**MRR_EXAMPLE, "format": "json"}).json()
    proposal = data["proposal"]
    assert data["refused"] is None and data["reuse"] == "mrr"  # every rule is already mrr's: reuse it?
    assert proposal["similar"][0]["name"] == "mrr" and 0 < proposal["similar"][0]["confidence"] <= 1
    assert proposal["measure"]["name"] == "mrr" and proposal["measure"]["reason"]
    assert proposal["time_dimension"]["name"] == "month_start"
    assert [r["status"] for r in proposal["rules"]] == ["covered", "covered", "covered"]
    assert data["unread_rules"] == []
    assert proposal["excluded_dimensions"] and all(d["reason"] for d in proposal["excluded_dimensions"])
    html = client.get("/define/proposal", params=MRR_EXAMPLE).text
    assert html.count('class="rule choice"') == 3 and 'value="modify"' in html and 'value="manual"' in html
    assert "Sign in as an editor" in html  # anonymous: the proposal and its SQL, no preview run
    assert "SUM(" in html and 'id="dims-excluded"' in html


def test_live_preview_is_the_certified_mrr(client: TestClient, ro_project: Project) -> None:
    catalog: Any = ro_project.catalog  # type: ignore[attr-defined]
    token = catalog.add_user("define_live_editor", "editor")
    live = client.post("/define/live", data=MRR_EXAMPLE, headers=bearer(token))
    assert live.status_code == 200, live.text
    body = live.json()
    assert body["metric"]["type_params"] == {"measure": "mrr"} and "GROUP BY" in body["sql"]
    mrr = ro_project.run(MetricQuery.build("mrr", ["metric_time__month"], order_by=["metric_time__month"]))
    assert [[str(m)[:10], v] for m, v in body["rows"]] == [[str(m)[:10], float(v)] for m, v in mrr.rows]
    assert body["row_count"] == len(mrr.rows) >= 24
    html = client.post("/define/live", data=MRR_EXAMPLE, headers={"authorization": f"Bearer {token}"}).text
    assert 'id="live-table"' in html and html.count("<tr>") >= 13 and 'data-kind="line"' in html
    assert 'id="package"' in html and "subscription_value_not_null" in html  # the dbt tests it will carry
    package = client.post("/define/live", data=MRR_EXAMPLE, headers=bearer(token)).json()["package"]
    assert (
        "models/metrics/subscription_value.yml" in [f["path"] for f in package["files"]] and package["checks"]
    )


def test_modify_and_manual_go_through_the_allow_lists(client: TestClient, ro_project: Project) -> None:
    catalog: Any = ro_project.catalog  # type: ignore[attr-defined]
    h = bearer(catalog.add_user("define_choice_editor", "editor"))
    accepted = client.post("/define/live", data=FILTERED, headers=h).json()
    assert "'EMEA'" in accepted["metric"]["filter"] and "'SMB'" in accepted["metric"]["filter"]
    enterprise = "{{ Dimension('customer__segment') }} = 'Enterprise'"
    modified = client.post(
        "/define/live", data={**FILTERED, "rule_choice_1": "modify", "rule_modify_1": enterprise}, headers=h
    ).json()
    assert "'Enterprise'" in modified["metric"]["filter"] and "'SMB'" not in modified["metric"]["filter"]
    smb = ro_project.run(
        MetricQuery.build("mrr", ["metric_time__month"], [enterprise.replace("Enterprise", "SMB")])
    )
    assert sum(r[1] or 0 for r in accepted["rows"]) < sum(
        r[1] or 0 for r in smb.rows
    )  # EMEA is a part of SMB
    derived = client.post(
        "/define/live", data={**FILTERED, "measure_choice": "manual", "measure_manual": "mrr * 12"}, headers=h
    ).json()
    assert derived["metric"]["type"] == "derived" and derived["metric"]["type_params"]["expr"] == "mrr * 12"
    assert [r[1] for r in derived["rows"]] == [
        pytest.approx(r[1] * 12) if r[1] is not None else None for r in accepted["rows"]
    ]
    other = client.post(
        "/define/live",
        data={**FILTERED, "measure_choice": "modify", "measure_modify": "paid_amount"},
        headers=h,
    ).json()
    assert other["metric"]["type_params"] == {"measure": "paid_amount"}
    refusals = [
        ({"rule_choice_1": "manual", "rule_manual_1": "1=1; drop table customers"}, 400, "invalid_filter"),
        (
            {"rule_choice_1": "manual", "rule_manual_1": "{{ Dimension('customer__regoin') }} = 'x'"},
            404,
            "unknown_name",
        ),
        ({"rule_choice_1": "manual", "rule_manual_1": ""}, 400, "invalid_query"),
        (
            {"measure_choice": "manual", "measure_manual": "(select max(mrr) from mart_mrr)"},
            400,
            "invalid_expression",
        ),
        (
            {"measure_choice": "manual", "measure_manual": "read_text('/etc/passwd')"},
            400,
            "invalid_expression",
        ),
        ({"measure_choice": "modify", "measure_modify": "paid_amountt"}, 404, "unknown_name"),
        ({"measure_choice": "drop"}, 400, "invalid_query"),
    ]
    for extra, status, code in refusals:
        r = client.post("/define/live", data={**FILTERED, **extra}, headers=h)
        assert (r.status_code, r.json()["error"]) == (status, code), (extra, r.text)
        assert r.json()["message"] and r.json()["hint"]


def test_save_a_draft_and_see_it_in_the_queue(
    rw: tuple[TestClient, dict[str, str]], rw_project: Project
) -> None:
    client, tokens = rw
    before = yaml_files(rw_project.root)
    saved = client.post("/define/draft", data=MRR_EXAMPLE, headers=bearer(tokens["editor"]))
    assert saved.status_code == 201, saved.text
    change = saved.json()["change"]
    assert (
        change["state"] == "draft"
        and change["name"] == "subscription_value"
        and change["author"] == "define_editor"
    )
    assert change["definition"]["config"]["meta"]["business_rules"] == MRR_EXAMPLE["rule"]
    queue = client.get("/review", params={"state": "draft", "format": "json"}).json()
    assert "subscription_value" in [c["name"] for c in queue["changes"]]
    assert yaml_files(rw_project.root) == before  # a draft: the YAML changes only on approval
    html = client.post(
        "/define/draft",
        data={**FILTERED, "name": "emea_smb_value"},
        headers={"authorization": f"Bearer {tokens['editor']}"},
    ).text
    assert (
        re.search(r'id="saved" data-change="\d+" data-state="draft"', html) and "/review?state=draft" in html
    )


def test_bad_input_writes_nothing(rw: tuple[TestClient, dict[str, str]], rw_project: Project) -> None:
    client, tokens = rw
    catalog: Any = rw_project.catalog  # type: ignore[attr-defined]
    before = yaml_files(rw_project.root)
    h = bearer(tokens["editor"])
    platinum = {
        "name": "platinum_mrr",
        "definition": "Monthly recurring revenue",
        "rule": ["Only the Platinum plan"],
    }
    shown = client.get("/define/proposal", params={**platinum, "format": "json"}).json()
    assert shown["refused"] == "unknown_value" and "'Pro'" in shown["message"]
    r = client.post("/define/draft", data=platinum, headers=h)
    assert r.status_code == 400 and r.json()["error"] == "unknown_value" and "Pro" in r.json()["message"]
    assert "Nothing was written" in r.json()["hint"] and r.json()["suggestions"][0] == "mrr"
    too_long = client.get(
        "/define/proposal", params={"name": "x", "definition": "a" * 3000, "format": "json"}
    )
    assert too_long.status_code == 400 and "the definition is 3,000 characters" in too_long.json()["message"]
    many = client.get(
        "/define/proposal", params={**MRR_EXAMPLE, "rule": ["EMEA only"] * 25, "format": "json"}
    )
    assert many.status_code == 400 and "25 rules" in many.json()["message"]
    html = client.get("/define/proposal", params=platinum).text
    assert 'id="refusal"' in html and "Pro" in html and 'href="/metrics/mrr"' in html
    cases = [
        ({**FILTERED, "rule": ["EMEA only", "Weird thing about the moon"]}, "invalid_query"),  # unread
        ({"name": "npss", "definition": "Net Promoter Score of happy koalas"}, "no_data"),
        ({**MRR_EXAMPLE, "name": "mrr"}, "name_exists"),
        ({**MRR_EXAMPLE, "definition": "MRR {{ config(materialized='table') }}"}, "bad_input"),
        ({**MRR_EXAMPLE, "name": "Bad Name"}, "bad_input"),
    ]
    for form, code in cases:
        r = client.post("/define/draft", data=form, headers=h)
        assert r.status_code == 400 and r.json()["error"] == code, (form, r.text)
    unread = client.post(
        "/define/draft", data={**FILTERED, "rule": ["EMEA only", "Weird thing about the moon"]}, headers=h
    )
    assert "unread" in unread.json()["message"] and "Manual" in unread.json()["hint"]
    manual = {"rule_choice_1": "manual", "rule_manual_1": "{{ Dimension('customer__segment') }} = 'SMB'"}
    fixed = client.post(
        "/define/draft",
        data={**FILTERED, "rule": ["EMEA only", "Weird thing about the moon"], **manual},
        headers=h,
    )
    assert fixed.status_code == 201  # an unread rule given a filter by hand can be saved
    anonymous = client.post("/define/draft", data=MRR_EXAMPLE)
    assert anonymous.status_code == 401
    viewer = client.post("/define/draft", data=MRR_EXAMPLE, headers=bearer(tokens["viewer"]))
    assert viewer.status_code == 403 and viewer.json()["error"] == "forbidden"
    client.cookies.set(COOKIE, tokens["editor"])
    no_csrf = client.post("/define/draft", data=MRR_EXAMPLE, headers=JSON)
    assert no_csrf.status_code == 403 and no_csrf.json()["error"] == "csrf_rejected"
    client.cookies.clear()
    assert [c["name"] for c in catalog.changes()] == ["emea_smb_mrr"]
    assert yaml_files(rw_project.root) == before


def test_the_hand_written_form_stays(client: TestClient) -> None:
    page = client.get("/define/advanced")
    assert page.status_code == 200 and 'id="define-form"' in page.text and 'href="/define"' in page.text
    assert client.get("/define/suggest", params={"definition": "refund amount"}).status_code == 200


def test_a_metric_that_needs_a_new_model_is_previewed_as_proposed(
    rw: tuple[TestClient, dict[str, str]], rw_project: Project
) -> None:
    client, tokens = rw
    seats = {
        "name": "enterprise_seats_month_end",
        "definition": "Seats sold on Enterprise plans that are live at the end of each month",
        "rule": ["Only the Enterprise plan", "Exclude trials"],
    }
    shown = client.get("/define/proposal", params={**seats, "format": "json"}).json()["proposal"]
    assert shown["new_model"] and shown["checks"]
    html = client.get("/define/proposal", params=seats).text
    assert (
        'id="new-parts"' in html
        and shown["new_model"]["name"] in html
        and 'table class="grid small-table" id="checks"' in html
    )
    h = bearer(tokens["editor"])
    live = client.post("/define/live", data=seats, headers=h)
    assert live.status_code == 200, live.text
    ran = rw_project.warehouse.run(shown["preview_sql"])
    assert live.json()["rows"] == [[str(m)[:10], v] for m, v in ran.rows]  # the proposal's own SQL, run
    modified = client.post(
        "/define/live", data={**seats, "rule_choice_0": "manual", "rule_manual_0": "1 = 1"}, headers=h
    )
    assert modified.status_code == 400 and "new parts" in modified.json()["message"]
    saved = client.post("/define/draft", data=seats, headers=h)  # a new model needs a review branch
    assert saved.status_code == 400 and "not in a git repository" in saved.json()["message"]
    catalog: Any = rw_project.catalog  # type: ignore[attr-defined]
    assert catalog.changes() == []


def git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@x",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@x",
    }
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True, env=env
    ).stdout.strip()


def git_init(root: Path) -> None:
    (root / ".gitignore").write_text("target/\n.metricmind/\nlogs/\n")
    for args in (("init", "-q", "-b", "main"), ("add", "-A"), ("commit", "-q", "-m", "demo")):
        git(root, *args)


def test_in_git_the_package_goes_on_a_review_branch(
    rw: tuple[TestClient, dict[str, str]], rw_project: Project
) -> None:
    client, tokens = rw
    root = rw_project.root
    no_git = client.post(
        "/define/draft", data={**MRR_EXAMPLE, "build": "1"}, headers=bearer(tokens["editor"])
    )
    assert no_git.status_code == 400 and "not in a git repository" in no_git.json()["message"]
    git_init(root)
    head = git(root, "rev-parse", "HEAD")
    saved = client.post("/define/draft", data=MRR_EXAMPLE, headers=bearer(tokens["editor"]))
    assert saved.status_code == 201, saved.text
    body = saved.json()
    assert body["branch"] == "metricmind/define/subscription_value" and body["change"]["state"] == "draft"
    on_branch = set(git(root, "ls-tree", "-r", "--name-only", body["branch"]).splitlines())
    assert set(body["files"]) <= on_branch and "models/metrics/subscription_value.yml" in body["files"]
    assert any(f.startswith("tests/") for f in body["files"])  # the dbt tests travel with it
    assert (
        git(root, "rev-parse", "HEAD") == head and git(root, "status", "--porcelain") == ""
    )  # checkout untouched
    again = client.post("/define/draft", data=MRR_EXAMPLE, headers=bearer(tokens["editor"]))
    assert again.status_code == 400 and "already on review" in again.json()["message"]
    catalog: Any = rw_project.catalog  # type: ignore[attr-defined]
    assert [c["name"] for c in catalog.changes()] == ["subscription_value"]


def test_save_after_a_real_dbt_build(
    rw: tuple[TestClient, dict[str, str]], rw_project: Project, monkeypatch: pytest.MonkeyPatch, dbt: str
) -> None:
    monkeypatch.setenv("METRICMIND_DBT", dbt)
    client, tokens = rw
    git_init(rw_project.root)
    saved = client.post("/define/draft", data={**FILTERED, "build": "1"}, headers=bearer(tokens["editor"]))
    assert saved.status_code == 201, saved.text
    build = saved.json()["build"]
    assert build["ok"] and build["returncode"] == 0 and not build["failed"]
    tests = [n for n in build["nodes"] if n["resource_type"] == "test"]
    assert len(tests) >= 4 and all(n["status"] == "pass" for n in tests)


def test_modify_the_time_dimension(client: TestClient, ro_project: Project) -> None:
    catalog: Any = ro_project.catalog  # type: ignore[attr-defined]
    h = bearer(catalog.add_user("define_time_editor", "editor"))
    collected = {"name": "collected_by_issue", "definition": "Money collected from paid invoices each month"}
    html = client.get("/define/proposal", params=collected).text
    assert 'name="time_choice"' in html and '<option value="issued_at">' in html
    accepted = client.post("/define/live", data=collected, headers=h).json()
    by_issue = client.post(
        "/define/live", data={**collected, "time_choice": "modify", "time_modify": "issued_at"}, headers=h
    ).json()
    assert accepted["metric"]["type_params"] == {"measure": "paid_amount"}
    assert by_issue["metric"]["type_params"] == {
        "measure": "billed_amount"
    }  # the same amounts, dated by issue
    paid = "{{ Dimension('invoice__is_paid') }} = true"
    assert by_issue["metric"]["filter"] == accepted["metric"]["filter"] == paid
    expected = ro_project.run(
        MetricQuery.build("billed_amount", ["metric_time__month"], [paid], order_by=["metric_time__month"])
    )
    assert by_issue["rows"] == [[str(m)[:10], float(v)] for m, v in expected.rows]
    assert by_issue["rows"] != accepted["rows"]
    wrong = client.post(
        "/define/live", data={**collected, "time_choice": "modify", "time_modify": "due_at"}, headers=h
    )
    assert wrong.status_code == 400 and "issued_at" in wrong.json()["message"]
    both = {
        "time_choice": "modify",
        "time_modify": "issued_at",
        "measure_choice": "modify",
        "measure_modify": "refunded_amount",
    }
    assert client.post("/define/live", data={**collected, **both}, headers=h).status_code == 400
    mrr_html = client.get("/define/proposal", params=MRR_EXAMPLE).text
    assert 'name="time_choice"' not in mrr_html  # no measure of mrr is dated by another column


def test_saved_package_is_built_and_merged_on_approval(
    rw: tuple[TestClient, dict[str, str]], rw_project: Project, monkeypatch: pytest.MonkeyPatch, dbt: str
) -> None:
    monkeypatch.setenv("METRICMIND_DBT", dbt)
    client, tokens = rw
    catalog: Any = rw_project.catalog  # type: ignore[attr-defined]
    approver = catalog.add_user("define_approver", "approver")
    git_init(rw_project.root)
    saved = client.post("/define/draft", data=MRR_EXAMPLE, headers=bearer(tokens["editor"])).json()
    change = saved["change"]
    submitted = client.post(f"/api/definitions/{change['id']}/submit", headers=bearer(tokens["editor"]))
    assert submitted.status_code == 200, submitted.text
    approved = client.post(f"/api/definitions/{change['id']}/approve", headers=bearer(approver))
    assert approved.status_code == 200, approved.text
    assert git(rw_project.root, "branch", "--list", saved["branch"]) == ""  # merged, then removed
    on_main = git(rw_project.root, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
    assert "tests/generated/subscription_value/subscription_value_not_null.sql" in on_main
    published = client.get("/api/metrics/subscription_value").json()
    assert published["metric"]["status"] in ("published", "approved")
    live = client.get(
        "/api/query", params={"metrics": "subscription_value", "grain": "month"}, headers=JSON
    ).json()
    mrr = client.get("/api/query", params={"metrics": "mrr", "grain": "month"}, headers=JSON).json()
    assert live["rows"] == mrr["rows"] and len(live["rows"]) >= 24


def test_a_doubt_previews_but_saves_only_once_confirmed(
    rw: tuple[TestClient, dict[str, str]], rw_project: Project
) -> None:
    client, tokens = rw
    h = bearer(tokens["editor"])
    doubtful = {"name": "collected_doubt", "definition": "Money collected from paid invoices each month"}
    shown = client.get("/define/proposal", params={**doubtful, "format": "json"}).json()
    doubt = [i for i, r in enumerate(shown["proposal"]["rules"]) if r["text"].startswith("(doubt) ")]
    assert doubt and shown["proposal"]["confidence"] < 0.6 and shown["proposal"]["doubts"]
    html = client.get("/define/proposal", params=doubtful).text
    assert f'name="rule_choice_{doubt[0]}" value="confirm"' in html
    assert f'name="rule_choice_{doubt[0]}" value="modify"' not in html  # a doubt takes no filter
    live = client.post("/define/live", data=doubtful, headers=h)
    assert live.status_code == 200 and live.json()["row_count"] > 0  # the preview runs; nothing is saved
    refused = client.post("/define/draft", data=doubtful, headers=h)
    assert refused.status_code == 400 and "Confirm" in refused.json()["hint"]
    assert "collected_doubt" not in [c["name"] for c in rw_project.catalog.changes()]  # type: ignore[attr-defined]
    wrong = client.post("/define/draft", data={**FILTERED, "rule_choice_0": "confirm"}, headers=h)
    assert wrong.status_code == 400 and "only to the agent's doubt" in wrong.json()["message"]
    saved = client.post("/define/draft", data={**doubtful, f"rule_choice_{doubt[0]}": "confirm"}, headers=h)
    assert saved.status_code == 201, saved.text
    assert saved.json()["change"]["state"] == "draft" and saved.json()["change"]["name"] == "collected_doubt"
