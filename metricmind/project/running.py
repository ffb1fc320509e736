"""Compiling and running metric queries; every run is reported to the listeners (and spooled)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from metricmind.compiler import Plan
from metricmind.compiler.dialects import get as get_dialect
from metricmind.errors import (
    MetricmindError,
    UnknownNameError,
)
from metricmind.spec.query import MetricQuery

if TYPE_CHECKING:
    pass
from metricmind.project.learning import Learner, enabled
from metricmind.project.results import Execution, QueryResult
from metricmind.project.warehouse import WarehouseMixin


class RunMixin(WarehouseMixin):
    """Plan, compile, run; the catalog and the query log hear of every execution."""

    def plan(self, query: MetricQuery, dialect: str | None = None) -> Plan:
        """The plan (named steps) of ``query``."""
        self._refuse_unavailable(query.metrics, [])
        try:
            return self.compiler.plan(query, dialect or self.dialect)
        except UnknownNameError as exc:
            self._refuse_unavailable([], [exc.name])
            raise

    def compile(self, query: MetricQuery, dialect: str | None = None, *, pretty: bool = True) -> str:
        """The SQL of ``query`` for ``dialect`` (default: the project's).

        Raises:
            UnavailableError: The query uses a metric (or dimension) the YAML defines but that could not
                be loaded; the message names the root cause and where it is.
        """
        get_dialect(dialect or self.dialect)
        self._refuse_unavailable(query.metrics, [])
        try:
            return self.compiler.compile(query, dialect or self.dialect, pretty=pretty).sql
        except UnknownNameError as exc:
            self._refuse_unavailable([], [exc.name])
            raise

    def run(self, query: MetricQuery, *, user: str | None = None, source: str = "api") -> QueryResult:
        """Compile and execute ``query``; every execution (also failed ones) is reported to listeners.

        With ``learn.enabled`` on, the learned path answers (result cache, rollups, verified against
        the plain plan; see ``metricmind.project.learning``).
        """
        if not query.allow_overlap and enabled(self):  # type: ignore[arg-type]
            return self.learner.run(query, user=user, source=source)
        return self._run_plain(query, user=user, source=source)

    @cached_property
    def learner(self) -> Learner:
        """The learned query path (policy, result cache, rollups), made on first use."""
        return Learner(self)  # type: ignore[arg-type]

    def _run_plain(self, query: MetricQuery, *, user: str | None = None, source: str = "api") -> QueryResult:
        """Compile and execute the plain plan of ``query``, reporting the execution to listeners."""
        t0 = time.perf_counter()
        self._refuse_unavailable(query.metrics, [])
        try:
            compiled = self.compiler.compile(query, self.dialect, pretty=True)
        except UnknownNameError as exc:
            self._refuse_unavailable([], [exc.name])
            raise
        sql = compiled.sql
        compile_ms = (time.perf_counter() - t0) * 1000
        started = dt.datetime.now(dt.timezone.utc)
        try:
            result = self.warehouse.run(sql)
        except MetricmindError as exc:
            self._notify(
                Execution(query, sql, started, (time.perf_counter() - t0) * 1000, 0, str(exc), user, source)
            )
            raise
        self._notify(Execution(query, sql, started, result.elapsed_ms, len(result.rows), None, user, source))
        overlapping = tuple(compiled.plan.request.overlapping)
        return QueryResult(
            query,
            list(result.columns),
            list(result.rows),
            sql,
            result.elapsed_ms,
            compile_ms,
            list(result.types),
            overlapping,
            self._total(query.without(overlapping)) if overlapping else None,
            self.deprecation_warnings(query.metrics),
        )

    def _total(self, query: MetricQuery) -> QueryResult:
        """The true total beside overlapping groups (run, not reported to listeners as a query)."""
        t0 = time.perf_counter()
        sql = self.compile(query, pretty=True)
        compile_ms = (time.perf_counter() - t0) * 1000
        result = self.warehouse.run(sql)
        return QueryResult(
            query,
            list(result.columns),
            list(result.rows),
            sql,
            result.elapsed_ms,
            compile_ms,
            list(result.types),
        )

    def _notify(self, execution: Execution) -> None:
        for listener in self.listeners:
            listener(execution)
        if self.spool_runs and "catalog" not in self.__dict__:
            self._spool_run(execution)

    def _spool_run(self, execution: Execution) -> None:
        """Record a run without opening the catalog store (it ingests the spool when it opens)."""
        from metricmind.catalog.spool import Spool

        try:
            Spool.of(self.root).append(execution)
        except OSError as exc:  # a read-only project folder must not fail the query
            logging.getLogger(__name__).warning("could not record the execution: %s", exc)

    def query(
        self, metrics: str | Iterable[str], group_by: str | Iterable[str] | None = None, **kwargs: Any
    ) -> QueryResult:
        """Shorthand: ``project.query("revenue", "metric_time__month", where=..., start=..., end=...)``."""
        return self.run(
            MetricQuery.build(
                list([metrics] if isinstance(metrics, str) else metrics),
                None if group_by is None else list([group_by] if isinstance(group_by, str) else group_by),
                **kwargs,
            )
        )
