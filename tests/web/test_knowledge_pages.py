"""The knowledge graph and proposals pages: a month of query log ingested into the demo project (a real git
repository), the nightly job's proposals on a branch, reviewed through the API, the pages and a browser.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from metricmind.interfaces.cli.app import app as cli_app
from metricmind.interfaces.web import knowledge as web_knowledge
from metricmind.interfaces.web.app import create_app
from metricmind.project import Project
from metricmind.spec.loader import load
from tests.knowledge import workload
from tests.knowledge.conftest import GIT_ENV, git
from tests.web.browser import chromium, running, shoot

AS_OF = "2026-06-30"
INVOICES, CUSTOMERS = "main.fct_invoices_canonical", "main.dim_customers_canonical"


@pytest.fixture(scope="module")
def clean_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The default store (SQLite in the project) and git with no global config and real dates."""
    with pytest.MonkeyPatch.context() as mp:
        for name in GIT_ENV:
            mp.delenv(name, raising=False)
        mp.delenv("METRICMIND_STORE_URL", raising=False)
        mp.setenv("GIT_CONFIG_GLOBAL", str(tmp_path_factory.mktemp("git") / "gitconfig"))
        yield


def cli(*args: str) -> Any:
    result = CliRunner().invoke(cli_app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def kg_base(web_demo: Path, tmp_path_factory: pytest.TempPathFactory, clean_env: None) -> Path:
    """The demo in a git repository with a month of query log ingested and the nightly job run once."""
    target = tmp_path_factory.mktemp("kgweb") / "project"
    shutil.copytree(web_demo, target, ignore=shutil.ignore_patterns(".metricmind"))
    (target / ".gitignore").write_text(".metricmind/\ntarget/\n")
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "demo project")
    log = workload.write(tmp_path_factory.mktemp("kglog") / "month.jsonl")
    assert cli("querylog", "ingest", "--file", str(log), "-p", str(target))["inserted"] == 75
    summary = cli("nightly", "--as-of", AS_OF, "-p", str(target))
    assert {p["name"] for p in summary["proposals"]} == {
        "wire_billed_amount",
        "average_seats",
        "invoice__currency",
    }
    return target


def copy_of(base: Path, where: Path) -> Project:
    target = where / "project"
    shutil.copytree(base, target)
    return Project.load(target)


@pytest.fixture(scope="module")
def shared(kg_base: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """A copy for tests that do not decide proposals."""
    project = copy_of(kg_base, tmp_path_factory.mktemp("kgshared"))
    yield project
    project.close()


@pytest.fixture(scope="module")
def kg_client(shared: Project) -> Iterator[TestClient]:
    with TestClient(
        create_app(shared), base_url="http://localhost"
    ) as client:  # runs the lifespan: the graph is closed at the end
        yield client


@pytest.fixture
def fresh(kg_base: Path, tmp_path: Path) -> Iterator[Project]:
    """A copy of its own (repository, store) for a test that approves or rejects."""
    project = copy_of(kg_base, tmp_path)
    yield project
    project.close()


def tokens(project: Project) -> dict[str, str]:
    catalog: Any = project.catalog  # type: ignore[attr-defined]
    return {role: catalog.add_user(f"{role}_user", role) for role in ("viewer", "approver")}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def by_name(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in items}


def test_graph_json(kg_client: TestClient) -> None:
    summary = kg_client.get("/api/graph/summary").json()
    assert summary["nodes"]["table"] > 0 and summary["edges"]["JOIN_PATH"] > 0
    tables = kg_client.get("/api/graph/top", params={"what": "tables", "limit": 3}).json()["items"]
    assert tables[0]["name"] == INVOICES and tables[0]["uses"] >= 57
    assert tables[0]["avg_ms"] > 0 and tables[0]["last_used"].startswith("2026-06")
    queries = kg_client.get("/api/graph/top", params={"what": "queries"}).json()["items"]
    assert queries[0]["uses"] == 25 and "dim_customers_canonical" in queries[0]["sql"]

    path = kg_client.get(
        "/api/graph/path", params={"source": "fct_invoices_canonical", "target": "dim_customers_canonical"}
    ).json()
    assert path["found"] and path["path"] == [INVOICES, CUSTOMERS]
    (hop,) = path["joins"]
    assert hop["condition"] == f"{CUSTOMERS}.customer_id = {INVOICES}.customer_id" and hop["uses"] == 25
    for by in ("speed", "canonical"):
        other = kg_client.get("/api/graph/path", params={"source": INVOICES, "target": CUSTOMERS, "by": by})
        assert other.json()["found"] and other.json()["by"] == by

    bad = kg_client.get("/api/graph/path", params={"source": INVOICES, "target": CUSTOMERS, "by": "cheapest"})
    assert bad.status_code == 400 and "cheapest" in bad.json()["message"]
    unknown = kg_client.get(
        "/api/graph/path", params={"source": "fct_invoices_canonicl", "target": CUSTOMERS}
    )
    assert unknown.status_code == 404 and unknown.json()["error"] == "unknown_name"
    assert kg_client.get("/api/graph/top", params={"what": "columns"}).status_code == 400

    depends = kg_client.get("/api/graph/metrics/invoice_revenue").json()
    assert depends["tables"] == [INVOICES] and depends["canonical_datasets"] == ["fct_invoices_canonical"]
    assert kg_client.get("/api/graph/metrics/no_such_metric").status_code == 404
    impact = kg_client.get("/api/graph/tables/fct_invoices_canonical").json()
    assert impact["table"] == INVOICES and "invoice_revenue" in impact["metrics"]
    assert impact["joined_with"][0] == {"table": CUSTOMERS, "uses": 25}


def test_graph_pages(kg_client: TestClient) -> None:
    page = kg_client.get("/graph")
    assert page.status_code == 200 and 'href="/graph"' in page.text and 'href="/proposals"' in page.text
    assert (
        f'href="/graph/tables/{INVOICES}"' in page.text
        and 'href="/graph/metrics/invoice_revenue"' in page.text
    )
    assert 'id="path-form"' in page.text and 'id="top-queries"' in page.text
    found = kg_client.get("/graph", params={"source": "fct_invoices_canonical", "target": CUSTOMERS})
    assert 'data-hops="1"' in found.text and f"ON {CUSTOMERS}.customer_id" in found.text
    fragment = kg_client.get("/graph/path", params={"source": INVOICES, "target": "nope", "by": "usage"})
    assert fragment.status_code == 200 and 'data-error="unknown_name"' in fragment.text
    as_json = kg_client.get("/graph", params={"format": "json", "limit": 2}).json()
    assert (
        set(as_json["top"]) == {"tables", "metrics", "dimensions", "queries"}
        and len(as_json["top"]["tables"]) == 2
    )
    metric = kg_client.get("/graph/metrics/invoice_revenue")
    assert metric.status_code == 200 and f'href="/graph/tables/{INVOICES}"' in metric.text
    table = kg_client.get(f"/graph/tables/{INVOICES}")
    assert 'href="/graph/metrics/invoice_revenue"' in table.text and 'id="joined-with"' in table.text
    missing = kg_client.get("/graph/tables/no_such_table")
    assert missing.status_code == 404 and "no_such_table" in missing.text


def test_queries_run_in_the_explorer_are_recorded(kg_client: TestClient) -> None:
    def mrr_uses() -> int:
        items = kg_client.get("/api/graph/top", params={"what": "metrics", "limit": 100}).json()["items"]
        return next((m["uses"] for m in items if m["name"] == "mrr"), 0)

    before = mrr_uses()
    assert kg_client.get("/query", params={"metrics": "mrr", "grain": "month"}).status_code == 200
    assert mrr_uses() == before + 1


def test_proposals_list_detail_and_roles(kg_client: TestClient, shared: Project) -> None:
    listed = kg_client.get("/api/proposals").json()
    assert listed["git"]["ok"] is True and listed["count"] == 3
    found = by_name(listed["proposals"])
    wire = found["wire_billed_amount"]
    assert (wire["kind"], wire["status"], wire["calls"], wire["users"]) == ("metric", "pending", 20, 2)
    assert wire["branch"] == f"metricmind/proposals-{AS_OF}" and 0 < wire["confidence"] <= 1
    only = kg_client.get("/api/proposals", params={"kind": "dimension"}).json()["proposals"]
    assert [p["name"] for p in only] == ["invoice__currency"]

    page = kg_client.get("/proposals")
    assert (
        page.status_code == 200
        and f'href="/proposals/{wire["id"]}"' in page.text
        and "no-git" not in page.text
    )
    assert 'data-name="wire_billed_amount"' in page.text

    shown = kg_client.get(f"/api/proposals/{wire['id']}").json()
    assert shown["payload"]["changes"][0]["op"] == "add_metric"
    detail = kg_client.get(f"/proposals/{wire['id']}")
    assert "name: wire_billed_amount" in detail.text and "payment_method = &#39;wire&#39;" in detail.text
    assert 'id="readonly-note"' in detail.text and "button primary approve" not in detail.text

    missing = kg_client.get("/api/proposals/M-0000000")
    assert missing.status_code == 404 and missing.json()["error"] == "unknown_name"
    assert kg_client.get("/proposals/M-0000000").status_code == 404

    t = tokens(shared)
    anonymous = kg_client.post(f"/api/proposals/{wire['id']}/approve")
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "unauthorized"
    viewer = kg_client.post(f"/api/proposals/{wire['id']}/reject", headers=bearer(t["viewer"]), json={})
    assert viewer.status_code == 403 and viewer.json()["error"] == "forbidden"
    unknown = kg_client.post("/api/proposals/M-0000000/approve", headers=bearer(t["approver"]))
    assert unknown.status_code == 404
    assert kg_client.get("/api/proposals", params={"status": "pending"}).json()["count"] == 3
    kg_client.cookies.set("metricmind_token", t["approver"])
    try:
        assert "button primary approve" in kg_client.get(f"/proposals/{wire['id']}").text
    finally:
        kg_client.cookies.clear()


def test_approve_merges_and_reject_remembers(fresh: Project) -> None:
    t = tokens(fresh)
    client = TestClient(create_app(fresh), base_url="http://localhost")
    found = by_name(client.get("/api/proposals").json()["proposals"])
    wire, currency, seats = found["wire_billed_amount"], found["invoice__currency"], found["average_seats"]

    done = client.post(f"/api/proposals/{wire['id']}/approve", headers=bearer(t["approver"]))
    assert done.status_code == 200, done.text
    assert done.json()["approved"] == [wire["id"]] and done.json()["merged_into"] == "main"
    assert "wire_billed_amount" in load(fresh.root).model.metrics
    assert "Merge approved proposals" in git(fresh.root, "log", "-1", "--format=%s", "main")
    assert client.get("/metrics/wire_billed_amount").status_code == 200  # the app reloaded the project
    approved = client.get("/api/proposals", params={"status": "approved"}).json()["proposals"]
    assert [(p["name"], p["decided_by"]) for p in approved] == [("wire_billed_amount", "approver_user")]
    again = client.post(f"/api/proposals/{wire['id']}/approve", headers=bearer(t["approver"]))
    assert again.status_code == 409 and again.json()["error"] == "conflict"

    rejected = client.post(
        f"/api/proposals/{currency['id']}/reject",
        headers=bearer(t["approver"]),
        json={"reason": "not useful"},
    )
    assert rejected.status_code == 200 and rejected.json() == {"rejected": [currency["id"]]}
    shown = client.get(f"/api/proposals/{currency['id']}").json()
    assert (shown["status"], shown["decided_by"], shown["reason"]) == (
        "rejected",
        "approver_user",
        "not useful",
    )
    assert "currency" not in {d.name for d in load(fresh.root).model.semantic_models["invoices"].dimensions}

    client.cookies.set("metricmind_token", t["approver"])
    forged = client.post(
        f"/proposals/{seats['id']}/reject", data={"reason": "x"}, headers={"HX-Request": "true"}
    )
    assert forged.status_code == 403  # a cookie-driven write without the page's CSRF token
    csrf = re.search(r'name="csrf-token" content="(\w+)"', client.get(f"/proposals/{seats['id']}").text)
    assert csrf is not None
    form = client.post(
        f"/proposals/{seats['id']}/reject",
        data={"reason": "seats vary"},
        headers={"HX-Request": "true", "X-CSRF-Token": csrf.group(1)},
    )
    assert form.status_code == 200 and 'data-status="rejected"' in form.text and "seats vary" in form.text
    page = client.get(f"/proposals/{seats['id']}")
    assert "Reason: seats vary" in page.text and "button primary approve" not in page.text


def test_a_project_outside_git_says_so(rw_project: Project) -> None:
    outside = subprocess.run(
        ["git", "-C", str(rw_project.root), "rev-parse"], capture_output=True, check=False
    )
    assert outside.returncode != 0  # not inside any repository
    client = TestClient(create_app(rw_project), base_url="http://localhost")
    page = client.get("/proposals")
    assert page.status_code == 200 and 'id="no-git"' in page.text and "not a git repository" in page.text
    listed = client.get("/api/proposals").json()
    assert listed["git"]["ok"] is False and listed["proposals"] == []
    fresh_graph = client.get("/graph", params={"format": "json"}).json()  # a new store: the model only
    assert fresh_graph["top"]["queries"] == [] and fresh_graph["summary"]["nodes"]["metric"] > 0


def test_a_failing_store_never_fails_a_query(rw_project: Project, caplog: pytest.LogCaptureFixture) -> None:
    rw_project.settings = {**rw_project.settings, "store": {"url": "sqlite:////nonexistent/dir/store.db"}}
    caplog.set_level(logging.DEBUG, logger="metricmind.interfaces.web.knowledge")
    client = TestClient(create_app(rw_project), base_url="http://localhost")
    for _ in range(2):
        assert client.get("/query", params={"metrics": "mrr", "grain": "month"}).status_code == 200
    assert client.get("/query", params={"metrics": "mrr", "grain": "year"}).status_code == 200
    mine = [r for r in caplog.records if r.name == "metricmind.interfaces.web.knowledge"]
    assert [r.levelname for r in mine] == ["WARNING", "DEBUG", "DEBUG"]  # warned once, then quietly
    assert "could not record the execution" in mine[0].getMessage()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def test_browser_graph_path_and_approve(browser: Any, fresh: Project) -> None:
    t = tokens(fresh)
    with running(create_app(fresh)) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"{base}/graph")
        page.wait_for_selector(f"#top-tables tr[data-name='{INVOICES}']")
        page.fill("#p-source", "fct_invoices_canonical")
        page.fill("#p-target", "dim_customers_canonical")
        page.select_option("#p-by", "usage")
        page.click("#find-path")
        page.wait_for_selector("#path-result #path[data-hops='1'] li.hop")
        assert "customer_id" in page.inner_text("#path-result code.cond")
        shoot(page, "graph")

        page.goto(f"{base}/proposals")
        page.wait_for_selector("#proposals-table tr[data-name='wire_billed_amount']")
        assert page.locator("#signin").count() == 1
        page.goto(f"{base}/login?token={t['approver']}&next=/proposals")
        page.wait_for_selector(".user[data-role='approver']")
        shoot(page, "proposals")
        page.click("#proposals-table tr[data-name='wire_billed_amount'] a.proposal-link")
        page.wait_for_selector("#proposal-title")
        page.click("#decision button.approve")
        page.wait_for_selector("#decision-out .done[data-status='approved']")
        page.goto(f"{base}/proposals?status=approved")
        page.wait_for_selector("#proposals-table tr[data-name='wire_billed_amount'][data-status='approved']")
        context.close()
    assert "wire_billed_amount" in load(fresh.root).model.metrics


def test_every_route_is_documented() -> None:
    text = (Path(__file__).parents[2] / "docs" / "web.md").read_text()
    for r in web_knowledge.api_router.routes:
        path = getattr(r, "path", "").replace("{proposal_id}", "{id}")
        assert f"{next(iter(getattr(r, 'methods', {'GET'})))} {path}" in text, path
    for r in web_knowledge.router.routes:
        path = getattr(r, "path", "").replace("{proposal_id}", "{id}")
        assert f"`{path}" in text or f"`POST {path}" in text, path
