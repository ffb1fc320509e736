"""Issue 10, the store / workflow / job part: one test per finding, each failing on the code before the fix.

- finding 2: four eyes (an approver who edits another's change cannot approve it);
- finding 7: approval is one atomic, recoverable step (a real ``kill -9`` at many timings);
- finding 8: size limits (a 20 MB description);

The query-log ingest, nightly-run and empty-folder findings are in ``test_integrity_jobs.py``.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from metricmind.catalog.service import Catalog
from metricmind.errors import PermissionDenied, SpecError, StoreError
from tests.catalog.conftest import BIG, open_catalog
from tests.security.stores import copy_shop, fresh_pg


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store URL on SQLite, then on the real PostgreSQL server."""
    monkeypatch.delenv("METRICMIND_STORE_URL", raising=False)
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return fresh_pg(request)


@pytest.fixture
def catalog(store_url: str, tmp_path: Path) -> Iterator[Catalog]:
    """The shop's catalog with an editor and two approvers."""
    cat = open_catalog(store_url, copy_shop(tmp_path / "shop"))
    for name, role in (("ed", "editor"), ("ann", "approver"), ("bob", "approver")):
        cat.add_user(name, role)
    yield cat
    cat.close()


# -- finding 2: four eyes ------------------------------------------------------------------------------
def test_an_approver_who_edits_anothers_draft_cannot_approve_it(catalog: Catalog) -> None:
    change = catalog.create_draft("ed", BIG)
    edited = {**BIG, "description": "Revenue of large orders, as ann sees it."}
    change = catalog.edit(change["id"], "ann", edited, expected_version=change["version"])
    assert change["author"] == "ed" and change["editors"] == ["ann"]
    change = catalog.submit(change["id"], "ann", expected_version=change["version"])
    with pytest.raises(PermissionDenied, match="edited this change"):
        catalog.approve(change["id"], "ann", expected_version=change["version"])
    assert catalog.change(change["id"])["state"] == "in_review"
    edits = [a for a in catalog.audit(subject="big_revenue") if a["action"] == "edit"]
    assert [(a["user"], a["detail"]["co_author"]) for a in edits] == [("ann", True)]
    # Another approver, who neither wrote nor edited it, may.
    assert catalog.approve(change["id"], "bob", expected_version=change["version"])["state"] == "approved"


def test_an_approver_who_edits_a_rejected_change_cannot_approve_it(catalog: Catalog) -> None:
    change = catalog.submit(catalog.create_draft("ed", BIG)["id"], "ed")
    change = catalog.reject(change["id"], "ann", "too vague", expected_version=change["version"])
    change = catalog.edit(change["id"], "ann", {**BIG, "label": "Large revenue"})
    change = catalog.submit(change["id"], "ed")  # even when the author submits it again
    with pytest.raises(PermissionDenied):
        catalog.approve(change["id"], "ann")
    # The author editing their own change stays the only author.
    assert catalog.change(change["id"])["editors"] == ["ann"]


def test_co_authors_are_shown_in_the_api_and_the_review_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from metricmind.interfaces.web.app import create_app
    from metricmind.project import Project

    monkeypatch.delenv("METRICMIND_STORE_URL", raising=False)
    project = Project.load(copy_shop(tmp_path / "shop"))
    try:
        cat = project.catalog
        cat.add_user("ed", "editor")
        ann, bob = cat.add_user("ann", "approver"), cat.add_user("bob", "approver")
        change = cat.create_draft("ed", BIG)
        cat.submit(cat.edit(change["id"], "ann", {**BIG, "label": "Large revenue"})["id"], "ann")
        client = TestClient(create_app(project), base_url="http://localhost")
        api = client.get(f"/api/definitions/{change['id']}", headers={"Authorization": f"Bearer {ann}"})
        assert api.status_code == 200 and api.json()["change"]["editors"] == ["ann"]
        own = client.get("/review", headers={"Authorization": f"Bearer {ann}"}).text
        assert "edited by" in own and "own-change" in own and "button primary approve" not in own
        other = client.get("/review", headers={"Authorization": f"Bearer {bob}"}).text
        assert "button primary approve" in other
    finally:
        project.close()


# -- finding 8: field sizes in the store path ------------------------------------------------------------
def test_a_huge_description_is_refused_quickly(catalog: Catalog) -> None:
    started = time.perf_counter()
    with pytest.raises(StoreError, match="description"):
        catalog.create_draft("ed", {**BIG, "description": "x" * 20_000_000})
    assert time.perf_counter() - started < 2.0
    change = catalog.create_draft("ed", BIG)
    with pytest.raises(StoreError, match="label"):
        catalog.edit(change["id"], "ed", {**BIG, "label": "L" * 300})
    with pytest.raises(StoreError, match="reason"):
        catalog.reject(catalog.submit(change["id"], "ed")["id"], "ann", "r" * 20_000)
    assert catalog.change(change["id"])["definition"]["description"] == BIG["description"]


# -- finding 7: approval is one atomic step with recovery ---------------------------------------------------
_APPROVER = """
import sys, time
from metricmind.catalog.service import Catalog
from metricmind.spec.loader import load
root, url, change, version = sys.argv[1:]
catalog = Catalog.open(url, root, load(root).model)
print("ready", flush=True)
sys.stdin.readline()
started = time.perf_counter()
catalog.approve(int(change), "ann", expected_version=int(version))
print(f"done {time.perf_counter() - started:.6f}", flush=True)
"""


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every visible file of the project (staged ``.…pending`` files and the store are not the project)."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    }


def _approve_in_child(root: Path, url: str, change: dict[str, Any], delay: float | None) -> float | None:
    """Approve ``change`` in a fresh process; ``kill -9`` it ``delay`` seconds after it starts approving.

    Returns how long the approval took when it was not killed.
    """
    child = subprocess.Popen(
        [sys.executable, "-c", _APPROVER, str(root), url, str(change["id"]), str(change["version"])],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        assert child.stdout.readline().strip() == "ready"
        child.stdin.write("go\n")
        child.stdin.flush()
        if delay is None:
            line = child.stdout.readline().split()
            assert child.wait(60) == 0 and line[0] == "done"
            return float(line[1])
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(60)
        return None
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(60)


def _trial(tmp: Path, url_for: Any, delay: float | None) -> tuple[str, float | None]:
    """One approval of a fresh change in a fresh project and store, killed after ``delay``; then check that
    the restarted catalog is in one of the two allowed states. Returns the state and the approval time.
    """
    root = copy_shop(tmp / "shop")
    url = url_for(tmp)
    cat = open_catalog(url, root)
    for name, role in (("ed", "editor"), ("ann", "approver")):
        cat.add_user(name, role)
    change = cat.submit(cat.create_draft("ed", BIG)["id"], "ed")
    cat.close()
    before = _snapshot(root)
    took = _approve_in_child(root, url, change, delay)
    after = open_catalog(url, root)  # the restart: recovers, then syncs with the YAML
    try:
        state = after.change(change["id"])["state"]
        approvals = [
            a
            for a in after.audit(subject="big_revenue")
            if a["action"] == "approve" and a["detail"] == {"change": change["id"]}
        ]
        files = _snapshot(root)
        versions = after.versions("big_revenue")
        if state == "approved":
            assert [a["user"] for a in approvals] == ["ann"]
            assert set(files) - set(before) == {"models/metrics/big_revenue.yml"}
            assert {k: v for k, v in files.items() if k in before} == before
            assert b"big_revenue" in files["models/metrics/big_revenue.yml"]
            assert [v["author"] for v in versions] == ["ann"]
            assert after.metric("big_revenue")["status"] == "published"
        else:
            assert state == "in_review", state
            assert approvals == [] and versions == []
            assert files == before, "the YAML changed although the change is still in review"
            assert "big_revenue" not in {m["name"] for m in after.metrics()}
    finally:
        after.close()
    return state, took


def test_an_unrelated_error_in_the_project_does_not_block_approvals(tmp_path: Path) -> None:
    """Projects load with errors now (the broken objects are left out); an approval is refused only for
    the errors it would add, checked in a scratch copy before any file is touched.
    """
    root = copy_shop(tmp_path / "shop")
    (root / "models" / "broken.yml").write_text(
        "metrics:\n  - name: broken_metric\n    type: simple\n    type_params: {measure: no_such_measure}\n"
    )
    cat = open_catalog(f"sqlite:///{tmp_path / 'store.db'}", root)
    try:
        for name, role in (("ed", "editor"), ("ann", "approver")):
            cat.add_user(name, role)
        change = cat.submit(cat.create_draft("ed", BIG)["id"], "ed")
        assert cat.approve(change["id"], "ann")["state"] == "approved"
        assert (root / "models" / "metrics" / "big_revenue.yml").exists()
        worse = cat.submit(
            cat.create_draft("ed", {**BIG, "name": "worse", "type_params": {"measure": "nope"}})["id"], "ed"
        )
        with pytest.raises(SpecError, match="nope") as refused:
            cat.approve(worse["id"], "ann")
        assert "no_such_measure" not in str(refused.value)
        assert not (root / "models" / "metrics" / "worse.yml").exists()
        assert [p.name for p in root.rglob("*.pending")] == []
    finally:
        cat.close()


_KILLED_AFTER_COMMIT = """
import os, signal, sys
from metricmind.catalog import filewrites
from metricmind.catalog.service import Catalog
from metricmind.spec.loader import load

def killed(*args, **kwargs):  # the approval has committed; the file is not in place yet
    os.kill(os.getpid(), signal.SIGKILL)

filewrites.finish = killed
root, url, change = sys.argv[1:]
Catalog.open(url, root, load(root).model).approve(int(change), "ann")
"""


def test_a_crash_between_commit_and_rename_is_finished_on_open(tmp_path: Path) -> None:
    root = copy_shop(tmp_path / "shop")
    url = f"sqlite:///{tmp_path / 'store.db'}"
    cat = open_catalog(url, root)
    for name, role in (("ed", "editor"), ("ann", "approver")):
        cat.add_user(name, role)
    change = cat.submit(cat.create_draft("ed", BIG)["id"], "ed")
    cat.close()
    done = subprocess.run([sys.executable, "-c", _KILLED_AFTER_COMMIT, str(root), url, str(change["id"])])
    assert done.returncode == -signal.SIGKILL
    target = root / "models" / "metrics" / "big_revenue.yml"
    assert not target.exists() and len(list(target.parent.glob(".big_revenue.yml.*.pending"))) == 1
    after = open_catalog(url, root)
    try:
        assert after.change(change["id"])["state"] == "approved"
        assert target.exists() and list(target.parent.glob("*.pending")) == []
        assert [v["author"] for v in after.versions("big_revenue")] == ["ann"]
        finished = [a for a in after.audit(subject="big_revenue") if a["action"] == "finish_write"]
        assert len(finished) == 1 and finished[0]["detail"]["change"] == change["id"]
        assert after.pending_writes() == set() and after.model.metrics["big_revenue"].file
    finally:
        after.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_kill_9_during_an_approval_leaves_it_whole_or_not_at_all(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("METRICMIND_STORE_URL", raising=False)

    def url_for(tmp: Path) -> str:
        return f"sqlite:///{tmp / 'store.db'}" if backend == "sqlite" else fresh_pg(request)

    state, took = _trial(tmp_path / "calibrate", url_for, None)
    assert state == "approved" and took is not None
    # Kill at evenly spread moments from the start of the approval to a bit after its usual end.
    steps = 10 if backend == "sqlite" else 6
    outcomes = [_trial(tmp_path / f"t{i}", url_for, took * 1.2 * i / (steps - 1))[0] for i in range(steps)]
    assert set(outcomes) <= {"approved", "in_review"}
