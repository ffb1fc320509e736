"""One project's knowledge graph as a service: the store, the model synced into it, reviews.

The CLI, the web UI and anything else reach the graph through ``Knowledge`` so they all refresh it the
same way (sync the model, fold the query-log records not counted yet) before they read it.

    knowledge = Knowledge(store_url, root, model, settings, dialect, schema)
    knowledge.top("metrics", limit=5)
    knowledge.proposals(status="pending")
"""

from __future__ import annotations

import threading
from functools import cached_property
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from metricmind.knowledge import graph, review
from metricmind.knowledge.ingest import Recorder, attach, catalog_table, connect, import_catalog_runs
from metricmind.knowledge.nightly import Context
from metricmind.knowledge.process import Processor
from metricmind.knowledge.sync import sync
from metricmind.spec.model import Model


class Knowledge:
    """The knowledge graph of one project.

    Args:
        url: SQLAlchemy URL of the project store (migrated on first use).
        root: The project folder (a git repository for proposals and reviews).
        model: The loaded semantic model.
        settings: The project's settings (``knowledge.*`` keys configure the nightly job).
        dialect: The dialect the project compiles to.
        schema: Schema of unqualified table names, if any.
    """

    def __init__(
        self,
        url: str,
        root: Path,
        model: Model,
        settings: dict[str, Any],
        dialect: str,
        schema: str | None = None,
    ) -> None:
        self.url = url
        self.context = Context(root, model, settings, dialect, schema)
        self._lock = threading.Lock()
        self._catalog_runs: sa.Table | None = None

    @cached_property
    def engine(self) -> sa.Engine:
        """The store, migrated."""
        return connect(self.url)

    def close(self) -> None:
        """Release the store's connections."""
        if "engine" in self.__dict__:
            self.engine.dispose()

    # -- keeping the graph current ----------------------------------------------------------------
    def refresh(self) -> int:
        """Sync the model into the graph, take in the runs the catalog recorded, and fold stored records
        not counted yet; how many were folded.
        """
        ctx = self.context
        with self._lock:
            processor = Processor(ctx.model, ctx.schema, ctx.dialect)
            assert processor.index is not None
            with self.engine.begin() as conn:
                sync(conn, processor.index, processor.ids)
            if self._catalog_runs is None:
                self._catalog_runs = catalog_table(self.engine)  # reflected once, not on every refresh
            if self._catalog_runs is not None:
                import_catalog_runs(self.engine, self._catalog_runs, ctx.dialect, ctx.schema)
            return processor.run(self.engine)

    def track(self, listeners: list[Any]) -> Recorder:
        """Record every execution reported to ``listeners`` (a project's) in the query log."""
        recorder = Recorder(self.engine, self.context.dialect, self.context.schema)
        attach(listeners, recorder)
        return recorder

    # -- the graph --------------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """Counts of nodes and edges by kind, and the query log's size."""
        self.refresh()
        return graph.summary(self.engine)

    def top(self, what: str, *, limit: int = 10, days: int | None = None) -> dict[str, Any]:
        """The most used tables, metrics, dimensions or queries."""
        self.refresh()
        return graph.top(self.engine, what, limit=limit, days=days)

    def path(self, source: str, target: str, by: str = "usage") -> dict[str, Any]:
        """The best join path between two tables (by usage, speed or through canonical datasets)."""
        self.refresh()
        return graph.best_path(self.engine, source, target, by)

    def depends(self, metric: str) -> dict[str, Any]:
        """What a metric depends on."""
        self.refresh()
        return graph.depends(self.engine, metric)

    def impact(self, table: str) -> dict[str, Any]:
        """What depends on a table."""
        self.refresh()
        return graph.impact(self.engine, table)

    # -- proposals --------------------------------------------------------------------------------
    def proposals(self, status: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        """The nightly job's proposals, newest first."""
        return review.list_proposals(self.engine, status, kind)

    def proposal(self, proposal_id: str) -> dict[str, Any]:
        """One proposal with its YAML changes and evidence."""
        return review.show(self.engine, proposal_id)

    def approve(self, ids: list[str], *, by: str, dbt_build: bool = False) -> dict[str, Any]:
        """Merge the proposals' YAML changes into the base branch (real git)."""
        with self._lock:
            return review.approve(self.engine, self.context, ids, by=by, dbt_build=dbt_build)

    def reject(self, ids: list[str], *, by: str, reason: str | None = None) -> dict[str, Any]:
        """Reject proposals; they are never proposed again."""
        with self._lock:
            return review.reject(self.engine, ids, by=by, reason=reason)


__all__ = ["Knowledge"]
