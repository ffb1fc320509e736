"""Two approvers approve one change at the same moment (two store connections, two threads): exactly one
wins, the other gets a conflict, the YAML holds the definition once and the audit log one approval.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from metricmind.catalog.service import Catalog
from metricmind.errors import ConflictError
from metricmind.spec.loader import load
from tests.catalog.conftest import BIG, open_catalog


def test_two_approvers_at_once_one_wins(catalog: Catalog, store_url: str, project_dir: Path) -> None:
    change = catalog.create_draft("ed", BIG)
    change = catalog.submit(change["id"], "ed", expected_version=1)
    # A second process's view of the same store and project (its own engine and connections).
    other = open_catalog(store_url, project_dir)
    barrier = threading.Barrier(2)
    outcome: dict[str, Any] = {}

    def approve(cat: Catalog, user: str) -> None:
        barrier.wait()
        try:
            outcome[user] = cat.approve(change["id"], user, expected_version=change["version"])
        except Exception as exc:  # a conflict, or anything else (reported by the assertions below)
            outcome[user] = exc

    threads = [
        threading.Thread(target=approve, args=(catalog, "ann")),
        threading.Thread(target=approve, args=(other, "bob")),
    ]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        other.close()
    winners = [u for u, r in outcome.items() if isinstance(r, dict)]
    losers = [u for u, r in outcome.items() if isinstance(r, ConflictError)]
    assert len(winners) == 1 and len(losers) == 1, outcome
    assert outcome[winners[0]]["state"] == "approved"
    err = outcome[losers[0]]
    assert err.code == "conflict" and "Reload" in (err.hint or "")
    final = catalog.change(change["id"])
    assert final["state"] == "approved" and final["reviewer"] == winners[0]
    approvals = [e for e in catalog.audit(subject="big_revenue") if e["action"] == "approve"]
    assert len(approvals) == 1 and approvals[0]["user"] == winners[0]
    assert len(catalog.versions("big_revenue")) == 1
    text = (project_dir / "models" / "metrics" / "big_revenue.yml").read_text()
    assert text.count("name: big_revenue") == 1
    assert "big_revenue" in load(project_dir).model.metrics
