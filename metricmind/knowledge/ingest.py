"""Persisting query log records, idempotently, and recording the project's own executions.

A record is identified by its source (``metricmind``, ``file:snowflake``, ``pg:host/db``…) and the id
the source gave it: ingesting the same log twice stores it once. Statement texts are stored once each
(``kg_texts``); the graph is updated from stored records by ``knowledge.process`` (incrementally, from a
high-water mark), so recording an execution costs one short transaction.

The code: ``entries`` (``Entry``, ``IngestReport``, storing records), ``sources`` (log records,
``pg_stat_statements``, the catalog's runs) and ``recorder`` (the project's executions); this module
opens the store (``connect``) and is the one to import from.
"""

from __future__ import annotations

import sqlalchemy as sa

from metricmind.knowledge.entries import (
    PROJECT_SOURCE,
    Entry,
    IngestReport,
    persist,
    store_entries,
    text_hash,
    text_ids,
)
from metricmind.knowledge.recorder import ExecutionLike, QueryLike, Recorder, attach
from metricmind.knowledge.sources import (
    CATALOG_TABLE,
    catalog_table,
    import_catalog_runs,
    ingest_pg_stats,
    ingest_records,
)
from metricmind.storage import make_engine, upgrade

__all__ = [
    "CATALOG_TABLE",
    "PROJECT_SOURCE",
    "Entry",
    "ExecutionLike",
    "IngestReport",
    "QueryLike",
    "Recorder",
    "attach",
    "catalog_table",
    "connect",
    "import_catalog_runs",
    "ingest_pg_stats",
    "ingest_records",
    "persist",
    "store_entries",
    "text_hash",
    "text_ids",
]


def connect(url: str) -> sa.Engine:
    """An engine on the store at ``url`` with every migration applied."""
    engine = make_engine(url)
    upgrade(engine)
    return engine
