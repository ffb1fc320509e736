"""A generated package through review with real git (and real dbt on approval): an edit regenerates the
package on its branch, a rejection archives the branch, a failed edit puts everything back.

The edits and the rejection go through the web API (``PUT /api/definitions/ID``, ``POST …/reject``), the
way a reviewer makes them; the catalog's hooks are the project's (``Project.wire_define``).
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from metricmind.catalog.service import Catalog
from metricmind.define import Definition, generate, write_package
from metricmind.define.writer import branch_for, read_record
from metricmind.interfaces.web.app import create_app
from metricmind.project import Project
from metricmind.storage import default_url
from tests.shared_demo import demo_copy

NAME = "subscription_value"
BRANCH = branch_for(NAME)
MRR = Definition(
    NAME,
    "Total value of active subscriptions per month",
    (
        "Exclude trial subscriptions",
        "Only count active and past_due status",
        "Convert annual contracts to monthly equivalent",
    ),
)

EMEA = "{{ Dimension('customer__region') }} = 'EMEA'"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@x",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@x",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("life") / "demo"
    return demo_copy(tmp_path_factory, target, scale=200, end_date="2025-06-18", threads=1)


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True, env={**os.environ, **GIT_ENV}
    )
    return done.stdout.strip()


@pytest.fixture
def root(built: Path, tmp_path: Path) -> Path:
    target = tmp_path / "demo"
    shutil.copytree(built, target, ignore=shutil.ignore_patterns(".metricmind"))
    (target / ".gitignore").write_text("target/\n.metricmind/\nlogs/\n", encoding="utf-8")
    for args in (("init", "-q", "-b", "main"), ("add", "-A"), ("commit", "-q", "-m", "demo")):
        git(target, *args)
    return target


@pytest.fixture
def opened(root: Path) -> Iterator[tuple[Project, TestClient, dict[str, str]]]:
    with Project.load(root) as project:
        catalog = project.catalog
        tokens = {u: catalog.add_user(u, r) for u, r in (("ada", "editor"), ("bo", "approver"))}
        proposal = project.analyze_definition(MRR)
        package = generate(proposal, project, run_sql=lambda sql: project.warehouse.run(sql).rows)
        written = write_package(package, root, catalog, "ada", settings=project.settings, proposal=proposal)
        assert written["change"]["id"] == 1
        yield project, TestClient(create_app(project), base_url="http://localhost"), tokens


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}", "accept": "application/json"}


def on_branch(root: Path, ref: str, rel: str) -> str:
    return git(root, "show", f"{ref}:{rel}")


def tree(root: Path, ref: str) -> set[str]:
    return set(git(root, "ls-tree", "-r", "--name-only", ref).splitlines())


def edited(change: dict[str, Any], **changes: Any) -> dict[str, Any]:
    definition = copy.deepcopy(yaml.safe_load(change["yaml"]))
    meta = changes.pop("meta", None)
    definition.update(changes)
    if meta:
        definition["config"]["meta"].update(meta)
    return definition


def test_an_edit_regenerates_the_package_and_approval_merges_what_was_reviewed(
    opened: tuple[Project, TestClient, dict[str, str]], root: Path, dbt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("METRICMIND_DBT", dbt)
    project, client, tokens = opened
    main = git(root, "rev-parse", "main")
    first = git(root, "rev-parse", BRANCH)
    before = set(tree(root, BRANCH))
    assert "EMEA" not in on_branch(
        root, BRANCH, "tests/generated/subscription_value/subscription_value_in_range.sql"
    )
    change = client.get("/api/definitions/1", headers=auth(tokens["ada"])).json()["change"]
    body = {
        "definition": edited(
            change,
            filter=EMEA,
            description="Total value of active EMEA subscriptions per month",
            meta={"business_rules": [*MRR.rules, "EMEA only"]},
        ),
        "expected_version": change["version"],
    }
    put = client.put("/api/definitions/1", json=body, headers=auth(tokens["ada"]))
    assert put.status_code == 200, put.text
    # a new commit on the branch, naming the editor and the change; the checkout and main untouched
    head = git(root, "rev-parse", BRANCH)
    assert head != first and git(root, "rev-parse", f"{BRANCH}^") == first
    assert "ada edited change #1" in git(root, "log", "-1", "--format=%s", BRANCH)
    assert git(root, "rev-parse", "main") == main and git(root, "status", "--porcelain") == ""
    # every generated file follows the edit: the metric YAML, the tests' SQL, the docs, the graph entry
    metric = yaml.safe_load(on_branch(root, BRANCH, "models/metrics/subscription_value.yml"))["metrics"][0]
    assert metric["filter"] == EMEA and metric["description"].startswith("Total value of active EMEA")
    for test in ("subscription_value_in_range", "subscription_value_not_null"):
        sql = on_branch(root, BRANCH, f"tests/generated/subscription_value/{test}.sql")
        assert "'EMEA'" in sql, test
    assert "EMEA only" in on_branch(root, BRANCH, "docs/metrics/subscription_value.md")
    assert "EMEA" in on_branch(root, BRANCH, "models/generated/subscription_value/metricmind.json")
    assert tree(root, BRANCH) >= {p for p in before if not p.startswith("tests/generated/")}
    record = read_record(root, NAME)
    assert record is not None and record["commit"] == head and record["edits"][0]["by"] == "ada"
    assert [r["status"] for r in record["readings"]][:3] == ["covered"] * 3

    client.post("/api/definitions/1/submit", headers=auth(tokens["ada"]))
    approved = client.post("/api/definitions/1/approve", headers=auth(tokens["bo"]))
    assert approved.status_code == 200, approved.text
    # what was approved is what was reviewed: the merged files are the regenerated ones
    assert git(root, "rev-parse", "main^2") == head
    merged = yaml.safe_load((root / "models/metrics/subscription_value.yml").read_text())["metrics"][0]
    assert merged["filter"] == EMEA
    assert (
        "'EMEA'" in (root / "tests/generated/subscription_value/subscription_value_in_range.sql").read_text()
    )
    assert read_record(root, NAME)["build"]["ok"] is True  # type: ignore[index]


def test_an_edit_made_behind_the_hooks_cannot_be_approved(
    opened: tuple[Project, TestClient, dict[str, str]], root: Path
) -> None:
    project, client, tokens = opened
    change = project.catalog.change(1)
    bare = Catalog(default_url(root), root, project.model)  # no project: no regeneration on edit
    try:
        bare.edit(1, "ada", edited(change, filter=EMEA), expected_version=change["version"])
        bare.submit(1, "ada")
    finally:
        bare.close()
    refused = client.post("/api/definitions/1/approve", headers=auth(tokens["bo"]))
    assert refused.status_code >= 400 and "another version of its definition" in refused.json()["message"]
    assert project.catalog.change(1)["state"] == "in_review"
    assert git(root, "log", "--format=%s", "main").count("\n") == 0  # nothing merged


def test_a_failed_edit_leaves_the_branch_the_record_and_the_change(
    opened: tuple[Project, TestClient, dict[str, str]], root: Path
) -> None:
    project, client, tokens = opened
    head, record = git(root, "rev-parse", BRANCH), read_record(root, NAME)
    change = client.get("/api/definitions/1", headers=auth(tokens["ada"])).json()["change"]
    bad_rules = {
        "Weighted by the phase of the moon": "could not be read",  # the package would have problems
        "Only the Platinum plan": "Platinum",  # a value that does not exist: the nearest is named
        "Only EMEA {{ var('x') }}": "template syntax",  # YAML or template syntax in free text
    }
    for rules, said in bad_rules.items():
        body = {
            "definition": edited(change, meta={"business_rules": [rules]}),
            "expected_version": change["version"],
        }
        put = client.put("/api/definitions/1", json=body, headers=auth(tokens["ada"]))
        assert put.status_code == 400 and said in put.json()["message"], put.text
    stale = {"definition": edited(change, filter=EMEA), "expected_version": change["version"] + 7}
    assert client.put("/api/definitions/1", json=stale, headers=auth(tokens["ada"])).status_code == 409
    assert git(root, "rev-parse", BRANCH) == head and read_record(root, NAME) == record
    assert project.catalog.change(1)["version"] == change["version"]
    assert git(root, "status", "--porcelain") == ""


def test_rejecting_archives_the_branch_and_an_edit_brings_it_back(
    opened: tuple[Project, TestClient, dict[str, str]], root: Path
) -> None:
    project, client, tokens = opened
    main, head = git(root, "rev-parse", "main"), git(root, "rev-parse", BRANCH)
    files_on_main = tree(root, "main")
    client.post("/api/definitions/1/submit", headers=auth(tokens["ada"]))
    rejected = client.post(
        "/api/definitions/1/reject", json={"reason": "use mrr instead"}, headers=auth(tokens["bo"])
    )
    assert rejected.status_code == 200, rejected.text
    assert git(root, "branch", "--list", BRANCH) == ""
    ref = "refs/rejected/metricmind/define/subscription_value/change-1-v3"
    assert git(root, "for-each-ref", "--format=%(refname) %(objectname)", "refs/rejected/") == f"{ref} {head}"
    assert git(root, "rev-parse", "main") == main and tree(root, "main") == files_on_main
    assert (
        git(root, "status", "--porcelain") == ""
        and not (root / "models/metrics/subscription_value.yml").exists()
    )
    archived = [e for e in project.catalog.audit(subject=NAME) if e["action"] == "archive_branch"]
    assert len(archived) == 1 and archived[0]["detail"]["archived_as"] == ref
    assert archived[0]["detail"]["branch"] == BRANCH and archived[0]["user"] == "bo"
    assert read_record(root, NAME)["rejected"]["ref"] == ref  # type: ignore[index]

    change = project.catalog.change(1)
    body = {"definition": edited(change, filter=EMEA), "expected_version": change["version"]}
    put = client.put("/api/definitions/1", json=body, headers=auth(tokens["ada"]))
    assert put.status_code == 200, put.text
    assert git(root, "rev-parse", f"{BRANCH}^") == main  # a new branch from the base
    assert "'EMEA'" in on_branch(
        root, BRANCH, "tests/generated/subscription_value/subscription_value_in_range.sql"
    )
    assert "rejected" not in (read_record(root, NAME) or {})
