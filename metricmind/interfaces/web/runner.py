"""Running queries for the web: one warehouse connection, used under the app's lock; CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from metricmind.interfaces.web.core import WebState
from metricmind.project import QueryResult, json_value
from metricmind.spec.query import MetricQuery


def run_query(st: WebState, query: MetricQuery, user: str | None) -> QueryResult:
    """Run ``query`` (``source="web"``, so the catalog records it) under the lock."""
    with st.lock:
        return st.project.run(query, user=user, source="web")


def to_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """CSV with a header row."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else json_value(v) for v in row])
    return buf.getvalue()
