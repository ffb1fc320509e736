"""Running queries for the web: one warehouse connection, used under the app's lock; CSV export.

The lock covers compiling and running only. The run is recorded (the catalog's usage, the query log)
after the lock is released and before the answer is sent: a worker's other requests do not wait for
the store's commits, and an answered query is a recorded one. At most ``RECORDERS`` runs are recorded
at once per process, which bounds the store connections a worker opens under a burst (each recording
holds one connection of the catalog's pool and one of the query log's).
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Sequence
from typing import Any

from metricmind.interfaces.web.core import WebState
from metricmind.project import Execution, QueryResult, json_value
from metricmind.spec.query import MetricQuery

RECORDERS = 4
_recording = threading.BoundedSemaphore(RECORDERS)


def run_query(st: WebState, query: MetricQuery, user: str | None) -> QueryResult:
    """Run ``query`` (``source="web"``, so the catalog records it) under the lock; record it after."""
    ran: list[Execution] = []
    listeners: list[Any] = []
    try:
        with st.lock:
            listeners = st.project.listeners
            st.project.listeners = [ran.append]  # every run happens under the lock: none sees the swap
            try:
                return st.project.run(query, user=user, source="web")
            finally:
                st.project.listeners = listeners
    finally:  # the lock is released: record the run (a failed one too) before answering
        if ran:
            with _recording:
                for execution in ran:
                    for listener in listeners:
                        listener(execution)


def to_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """CSV with a header row."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else json_value(v) for v in row])
    return buf.getvalue()
