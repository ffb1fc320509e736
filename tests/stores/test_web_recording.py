"""A web query is recorded after the app's lock is released, and before it is answered."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from metricmind.interfaces.web.app import create_app
from metricmind.project import Project


def test_runs_are_recorded_outside_the_lock_before_the_answer(demo_copy: Path, pg_store: str) -> None:
    project = Project.load(demo_copy)
    app = create_app(project)
    st = app.state.web
    seen: list[tuple[bool, str | None]] = []

    def listener(execution: Any) -> None:
        # another thread can take the lock: the store's commit does not hold up the worker's other requests
        free = threading.Event()

        def probe() -> None:
            if st.lock.acquire(timeout=0):
                st.lock.release()
                free.set()

        t = threading.Thread(target=probe)
        t.start()
        t.join()
        seen.append((free.is_set(), execution.error))

    project.listeners.append(listener)
    client = TestClient(app, base_url="http://localhost")
    ok = client.post("/api/query/run", json={"metrics": ["mrr"], "group_by": ["metric_time__month"]})
    assert ok.status_code == 200 and seen == [(True, None)]
    bad = client.post(
        "/api/query/run", json={"metrics": ["mrr"], "where": ["{{ Dimension('customer__segment') }} = 1/0"]}
    )
    assert bad.status_code != 200
    assert project.listeners[-1] is listener  # the listeners are back in place
    usage = st.catalog.usage("mrr")["total"]
    assert usage >= 1
    project.close()
