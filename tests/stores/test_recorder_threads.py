"""The query log's recorder shared by a worker's threads, recording at once on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

import sqlalchemy as sa

from metricmind.knowledge.ingest import Recorder, connect
from metricmind.project import Execution
from metricmind.spec.query import MetricQuery

THREADS = 8
EACH = 25


def test_threads_recording_new_statements_at_once_lose_nothing(postgres_url: str) -> None:
    engine = connect(postgres_url)
    recorder = Recorder(engine, "duckdb", "main")
    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []
    now = dt.datetime.now(dt.timezone.utc)

    def work(t: int) -> None:
        start.wait()
        for i in range(EACH):
            # every thread meets each new statement at about the same moment
            sql = f"SELECT {i} AS n, {i % 5} AS k"
            execution = Execution(MetricQuery.build(["mrr"]), sql, now, 1.0, 1, None, f"u{t}", "web")
            try:
                recorder.record_execution(execution)
            except BaseException as exc:  # collected for the assertion
                failures.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with engine.connect() as conn:
        logged = conn.execute(sa.text("SELECT count(*) FROM kg_query_log")).scalar()
        stored = conn.execute(sa.text("SELECT count(*) FROM kg_texts")).scalar()
    engine.dispose()
    assert failures == [] and logged == THREADS * EACH and stored == EACH, (failures[:1], logged, stored)
