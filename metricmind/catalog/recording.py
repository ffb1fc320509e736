"""Executions and usage: recording every run of a metric query and counting runs per metric.

A ``Project.listeners`` callback (``listen``) records each execution; runs spooled while the store was
closed (``metricmind.catalog.spool``) are ingested before usage is read. The counting itself lives in
``metricmind.catalog.usage``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from metricmind.catalog import usage as use
from metricmind.catalog.base import CatalogBase, log


class Recording(CatalogBase):
    """Record executions and read usage."""

    # -- executions and usage --------------------------------------------------------------------------
    def record(self, execution: Any) -> int:
        """Record one execution (a ``metricmind.project.Execution``); its id."""
        query = execution.query
        with self._writer.begin() as conn:
            return use.record(
                conn,
                at=execution.started_at,
                user=execution.user,
                source=execution.source,
                metrics=list(query.metrics),
                query=query.to_dict(),
                sql=execution.sql,
                duration_ms=execution.elapsed_ms,
                rows=execution.rows,
                error=execution.error,
            )

    def listen(self, execution: Any) -> None:
        """A ``Project.listeners`` callback: record the execution; a store failure is logged, not raised."""
        try:
            self.record(execution)
        except sa.exc.SQLAlchemyError as exc:
            log.warning("the catalog could not record an execution: %s", exc)

    def ingest_spool(self) -> int:
        """Record the executions spooled while the store was closed (``spool``); how many were new."""
        from metricmind.catalog.spool import Spool, SpooledRun

        added = 0

        def record(runs: list[SpooledRun]) -> None:
            nonlocal added
            with self._writer.begin() as conn:
                for r in runs:
                    added += bool(
                        use.record(
                            conn,
                            at=r.at,
                            user=r.user,
                            source=r.source,
                            metrics=r.metrics,
                            query=r.query,
                            sql=r.sql,
                            duration_ms=r.duration_ms,
                            rows=r.rows,
                            error=r.error,
                            spool_id=r.id,
                        )
                    )

        Spool.of(self.root).drain(record)
        return added

    def _fresh_usage(self) -> None:
        from metricmind.catalog.spool import Spool

        if Spool.of(self.root).pending():
            try:
                self.ingest_spool()
            except (sa.exc.SQLAlchemyError, OSError) as exc:
                log.warning("the catalog could not ingest spooled executions: %s", exc)

    def attach(self, listeners: list[Callable[[Any], None]]) -> None:
        """Record every execution reported to ``listeners`` (a project's), once."""
        if self.listen not in listeners:
            listeners.append(self.listen)

    def usage(self, name: str, today: dt.date | None = None) -> dict[str, Any]:
        """One metric's usage: this month, previous month, trend (%), 30 daily counts, total."""
        self._fresh_usage()
        with self.engine.connect() as conn:
            return use.usage(conn, name, today or use.now().date())

    def usage_counts(self, today: dt.date | None = None) -> dict[str, int]:
        """Executions this month per metric."""
        self._fresh_usage()
        start = use.month_start(today or use.now().date())
        with self.engine.connect() as conn:
            return use.counts(conn, start, use.next_month(start))

    def top_metrics(self, limit: int = 20, today: dt.date | None = None) -> list[dict[str, Any]]:
        """The most used metrics this month, with the previous month and the trend."""
        self._fresh_usage()
        with self.engine.connect() as conn:
            return use.top(conn, today or use.now().date(), limit)
