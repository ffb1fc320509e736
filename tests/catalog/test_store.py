"""The catalog store on SQLite and on the real PostgreSQL server: sync, users, the review flow, publishing
into the YAML, certification, versions, the audit log, and failures that leave everything as it was.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from metricmind.catalog import records
from metricmind.catalog.service import Catalog, hash_token
from metricmind.catalog.workflow import WorkflowError
from metricmind.errors import ConflictError, PermissionDenied, SpecError, StoreError, UnknownNameError
from metricmind.spec.loader import load
from metricmind.storage import current_heads
from tests.catalog.conftest import BIG, open_catalog


def actions(cat: Catalog, subject: str) -> list[str]:
    return [e["action"] for e in reversed(cat.audit(subject=subject))]


def test_sync_indexes_metrics_and_datasets_with_their_yaml_status(catalog: Catalog) -> None:
    assert "catalog" in " ".join(current_heads(catalog.engine)) or current_heads(catalog.engine)
    revenue = catalog.metric("revenue")
    assert revenue["status"] == "certified" and revenue["certified"] is True
    assert revenue["owner"] == "finance" and revenue["file"] == "models/metrics.yml"
    assert catalog.metric("orders")["status"] == "published"
    assert catalog.dataset("customers_canonical")["status"] == "certified"
    assert catalog.dataset("orders_canonical")["status"] == "published"
    assert catalog.count("metric") == len(load(catalog.root).model.metrics)
    assert catalog.count("dataset") == 2
    assert [v["version"] for v in catalog.versions("revenue")] == [1]
    with pytest.raises(UnknownNameError) as err:
        catalog.metric("revenu")
    assert "revenue" in err.value.suggestions
    # A second sync with nothing changed does nothing.
    assert catalog.sync() == {"added": [], "updated": [], "removed": []}


def test_sync_follows_the_yaml(catalog: Catalog, project_dir: Path) -> None:
    catalog.certify("metric", "orders", "ann")
    path = project_dir / "models" / "metrics.yml"
    text = path.read_text()
    # An edit in git: a new label for orders (its certification in the catalog is kept) …
    text = text.replace("label: Orders\n", "label: Order count\n", 1)
    # … and a status set in the YAML wins.
    text = text.replace("status: certified", "status: deprecated", 1)
    path.write_text(text)
    report = catalog.sync(load(project_dir).model)
    assert set(report["updated"]) == {"metric:orders", "metric:revenue"}
    assert catalog.metric("orders")["label"] == "Order count"
    assert catalog.metric("orders")["status"] == "certified"
    assert catalog.metric("revenue")["status"] == "deprecated"
    history = catalog.versions("orders")
    assert [v["version"] for v in history] == [2, 1]
    assert "-label: Orders" in history[0]["diff"] and "+label: Order count" in history[0]["diff"]
    # Removing a dataset from the YAML takes it out of the catalog (its history stays).
    (project_dir / "models" / "canonical_datasets.yml").write_text("canonical_datasets: []\n")
    report = catalog.sync(load(project_dir).model)
    assert sorted(report["removed"]) == ["dataset:customers_canonical", "dataset:orders_canonical"]
    with pytest.raises(UnknownNameError):
        catalog.dataset("orders_canonical")
    assert catalog.audit(limit=1)[0]["action"] == "sync"


def test_users_and_tokens(catalog: Catalog) -> None:
    token = catalog.add_user("zoe", "editor")
    assert catalog.user_for_token(token) == {"name": "zoe", "role": "editor"}
    assert catalog.user_for_token("nope") is None and catalog.user_for_token("") is None
    with catalog.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT token_hash FROM cat_users WHERE name = 'zoe'")).scalar()
    assert stored == hash_token(token) and token not in str(stored)
    # Adding again changes the role and replaces the token.
    again = catalog.add_user("zoe", "approver")
    assert catalog.user_for_token(token) is None
    assert catalog.user_for_token(again) == {"name": "zoe", "role": "approver"}
    assert [u["name"] for u in catalog.users()] == ["ann", "bob", "ed", "root", "vera", "zoe"]
    with pytest.raises(WorkflowError, match="unknown role"):
        catalog.add_user("x", "owner")
    with pytest.raises(PermissionDenied, match="unknown user 'ghost'"):
        catalog.create_draft("ghost", BIG)


def test_draft_review_approve_publishes_into_the_yaml(catalog: Catalog, project_dir: Path) -> None:
    change = catalog.create_draft("ed", BIG)
    assert (change["state"], change["version"], change["author"]) == ("draft", 1, "ed")
    assert "+name: big_revenue" in change["diff"]
    assert not (project_dir / "models" / "metrics" / "big_revenue.yml").exists()
    assert "big_revenue" not in load(project_dir).model.metrics
    with pytest.raises(PermissionDenied):
        catalog.create_draft("vera", BIG)
    edited = catalog.edit(change["id"], "ed", {**BIG, "label": "Large revenue"}, expected_version=1)
    assert edited["version"] == 2 and edited["definition"]["label"] == "Large revenue"
    submitted = catalog.submit(change["id"], "ed", expected_version=2)
    assert submitted["state"] == "in_review"
    assert [c["id"] for c in catalog.changes("in_review")] == [change["id"]]
    with pytest.raises(PermissionDenied, match="needs approver"):
        catalog.approve(change["id"], "ed")
    with pytest.raises(ConflictError, match="version 3, not 2"):
        catalog.approve(change["id"], "ann", expected_version=2)
    approved = catalog.approve(change["id"], "ann", expected_version=3)
    assert approved["state"] == "approved" and approved["published_version"] == 1
    model = load(project_dir).model
    assert model.metrics["big_revenue"].label == "Large revenue"
    assert model.metrics["big_revenue"].meta["status"] == "published"
    assert catalog.metric("big_revenue")["status"] == "published"
    assert catalog.versions("big_revenue")[0]["author"] == "ann"
    assert actions(catalog, "big_revenue") == ["create", "edit", "submit", "approve", "publish"]
    event = catalog.audit(subject="big_revenue", limit=2)[1]
    assert (event["user"], event["from_state"], event["to_state"]) == ("ann", "in_review", "approved")
    # The catalog's own sync of the written file changes nothing.
    assert catalog.sync(model) == {"added": [], "updated": [], "removed": []}
    with pytest.raises(WorkflowError, match="cannot approve a change that is approved"):
        catalog.approve(change["id"], "bob")


def test_changing_a_published_metric_replaces_it_in_its_file(catalog: Catalog, project_dir: Path) -> None:
    path = project_dir / "models" / "metrics.yml"
    before = path.read_text()
    definition = yaml.safe_load(before)["metrics"][1]
    assert definition["name"] == "orders"
    definition = {**copy.deepcopy(definition), "description": "Orders placed."}
    change = catalog.create_draft("ed", definition)
    assert "+description: Orders placed." in change["diff"]
    catalog.submit(change["id"], "ed")
    catalog.approve(change["id"], "bob")
    after = path.read_text()
    assert "# --- simple ---" in after  # other lines and comments are kept
    assert re.findall(r"(?m)^  - name: orders$", after) == ["  - name: orders"]
    added = "    description: Orders placed.\n    config:\n      meta:\n        status: published\n"
    assert after.replace(added, "") == before
    assert load(project_dir).model.metrics["orders"].description == "Orders placed."
    assert [v["version"] for v in catalog.versions("orders")] == [2, 1]
    assert catalog.change(change["id"])["diff"].count("+description: Orders placed.") == 1


def test_reject_then_edit_returns_to_draft(catalog: Catalog) -> None:
    change = catalog.create_draft("ed", BIG)
    catalog.submit(change["id"], "ed")
    with pytest.raises(PermissionDenied):
        catalog.reject(change["id"], "ed", "no")
    rejected = catalog.reject(change["id"], "ann", "needs a filter", expected_version=2)
    assert (rejected["state"], rejected["reason"], rejected["reviewer"]) == (
        "rejected",
        "needs a filter",
        "ann",
    )
    with pytest.raises(WorkflowError, match="edit a rejected change first"):
        catalog.submit(change["id"], "ed")
    again = catalog.edit(change["id"], "ed", BIG)
    assert again["state"] == "draft" and again["reason"] is None
    assert actions(catalog, "big_revenue") == ["create", "submit", "reject", "edit"]
    with pytest.raises(StoreError, match="not 'other'"):
        catalog.edit(change["id"], "ed", {**BIG, "name": "other"})
    with pytest.raises(UnknownNameError):
        catalog.change(999)
    with pytest.raises(StoreError, match="unknown change state"):
        catalog.changes("done")


def test_invalid_definitions_are_refused(catalog: Catalog) -> None:
    with pytest.raises(SpecError):
        catalog.create_draft("ed", {"name": "x_metric", "type": "simple"})
    with pytest.raises(StoreError, match="no valid name"):
        catalog.create_draft("ed", {"name": "bad name", "type": "simple"})
    assert catalog.changes() == []


def test_a_failed_publish_leaves_the_files_and_the_store_as_they_were(
    catalog: Catalog, project_dir: Path
) -> None:
    # Parses on its own, but the project does not load with it: the measure does not exist.
    broken = {**BIG, "type_params": {"measure": "no_such_measure"}}
    change = catalog.create_draft("ed", broken)
    catalog.submit(change["id"], "ed")
    files = {p: p.read_text() for p in project_dir.rglob("*.yml")}
    audit_before = catalog.audit()
    with pytest.raises(SpecError, match="no_such_measure"):
        catalog.approve(change["id"], "ann", expected_version=2)
    assert {p: p.read_text() for p in project_dir.rglob("*.yml")} == files
    assert catalog.change(change["id"])["state"] == "in_review"
    assert catalog.change(change["id"])["version"] == 2
    assert catalog.audit() == audit_before
    assert catalog.versions("big_revenue") == []
    with pytest.raises(UnknownNameError):
        catalog.metric("big_revenue")


def test_certify_and_deprecate_metrics_and_datasets(catalog: Catalog) -> None:
    with pytest.raises(PermissionDenied):
        catalog.certify("metric", "orders", "ed")
    certified = catalog.certify("metric", "orders", "ann")
    assert certified["status"] == "certified" and certified["certified"] is True
    with pytest.raises(WorkflowError, match="cannot certify a definition that is certified"):
        catalog.certify("metric", "orders", "ann")
    gone = catalog.deprecate("metric", "orders", "root", "use order_count")
    assert gone["status"] == "deprecated" and gone["certified"] is False
    with pytest.raises(WorkflowError):
        catalog.deprecate("metric", "orders", "root")
    assert catalog.certify("dataset", "orders_canonical", "bob")["status"] == "certified"
    assert catalog.deprecate("dataset", "customers_canonical", "bob", "merged")["status"] == "deprecated"
    events = catalog.audit(subject="orders")
    assert [(e["action"], e["from_state"], e["to_state"]) for e in events[:2]] == [
        ("deprecate", "certified", "deprecated"),
        ("certify", "published", "certified"),
    ]
    assert events[0]["detail"] == {"reason": "use order_count"}
    with pytest.raises(UnknownNameError):
        catalog.certify("dataset", "nope", "ann")
    with pytest.raises(StoreError, match="unknown kind"):
        catalog.certify("table", "orders", "ann")
    status = catalog.status()
    assert status["metrics"]["deprecated"] == 1 and status["datasets"] == {"certified": 1, "deprecated": 1}
    assert status["users"] == 5


def test_a_reopened_store_keeps_everything(store_url: str, project_dir: Path) -> None:
    cat = open_catalog(store_url, project_dir)
    cat.add_user("ann", "approver")
    cat.certify("metric", "orders", "ann")
    cat.close()
    again = open_catalog(store_url, project_dir)
    try:
        assert again.metric("orders")["status"] == "certified"
        assert again.sync() == {"added": [], "updated": [], "removed": []}
    finally:
        again.close()


def test_canonical_datasets_go_through_the_same_review(catalog: Catalog, project_dir: Path) -> None:
    new = {
        "name": "products_canonical",
        "model": "ref('products')",
        "description": "Every product.",
        "grain": "one row per product",
        "owner": "merch",
    }
    with pytest.raises(StoreError, match="has no `model`"):
        catalog.create_draft("ed", {"name": "x"}, kind="dataset")
    change = catalog.create_draft("ed", new, kind="dataset")
    catalog.submit(change["id"], "ed")
    catalog.approve(change["id"], "ann")
    assert (project_dir / "models" / "canonical" / "products_canonical.yml").exists()
    assert load(project_dir).model.canonical_datasets["products_canonical"].owner == "merch"
    assert catalog.dataset("products_canonical")["status"] == "published"
    assert catalog.certify("dataset", "products_canonical", "bob")["certified"] is True
    # Changing an existing one rewrites its item in canonical_datasets.yml.
    changed = catalog.create_draft("ed", {**new, "name": "orders_canonical", "owner": "ops"}, kind="dataset")
    catalog.submit(changed["id"], "ed")
    catalog.approve(changed["id"], "bob")
    model = load(project_dir).model
    assert model.canonical_datasets["orders_canonical"].owner == "ops"
    assert model.canonical_datasets["customers_canonical"].owner == "crm"
    assert catalog.versions("orders_canonical", kind="dataset")[0]["version"] == 2


def test_a_store_failure_mid_approval_undoes_the_file(
    catalog: Catalog, project_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    change = catalog.create_draft("ed", BIG)
    catalog.submit(change["id"], "ed")

    def fail(*args: object, **kwargs: object) -> None:
        raise sa.exc.OperationalError("UPDATE cat_definitions", {}, Exception("disk full"))

    monkeypatch.setattr(records, "publish_definition", fail)
    with pytest.raises(StoreError, match="disk full") as err:
        catalog.approve(change["id"], "ann")
    assert err.value.hint and "Nothing was written" in err.value.hint
    assert not (project_dir / "models" / "metrics" / "big_revenue.yml").exists()
    assert catalog.change(change["id"])["state"] == "in_review"
    assert catalog.versions("big_revenue") == []
    assert "approve" not in actions(catalog, "big_revenue")
    monkeypatch.undo()
    assert catalog.approve(change["id"], "ann")["state"] == "approved"
