"""The answers of the non-plain arms and their safety: a result-cache hit, a rollup's rows, another
plan's execution — each carrying the plain plan's SQL and deprecation warnings — and the check of a
sampled answer against the plain plan (a difference bans the arm and the plain answer is served).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

from metricmind.errors import MetricmindError
from metricmind.learn.cache import ResultCache
from metricmind.learn.rollup import Rollup
from metricmind.project.learning_plans import Plan
from metricmind.project.learning_record import Recording
from metricmind.project.results import Execution, QueryResult
from metricmind.project.rollups import RollupStore
from metricmind.spec.query import MetricQuery

log = logging.getLogger(__name__)


@dataclass
class Served:
    """One answer and how it was served."""

    result: QueryResult
    arm: str
    served: str  # plain | join | skill | hints | cache | rollup
    verified: bool = False
    banned: bool = False


class Answering(Recording):
    """The answering part of :class:`metricmind.project.learning.Learner` (its state is set there)."""

    cache: ResultCache
    rollups: RollupStore

    def _from_cache(
        self, query: MetricQuery, arm: str, plan: Plan, key: str, version: str | None
    ) -> Served | None:
        """The cached answer (None on a miss), with the plan's SQL and the metrics' deprecation warnings."""
        hit = self.cache.get(key, version)
        if hit is None:
            return None
        sql = plan.sql or self.compiled(plan.variant.query)
        result = QueryResult(
            query,
            list(hit.columns),
            list(hit.rows),
            sql,
            0.0,
            0.0,
            list(hit.types),
            warnings=self.project.deprecation_warnings(query.metrics),
        )
        return Served(result, arm, "cache")

    def _from_rollup(self, query: MetricQuery, arm: str, rollup: Rollup, sql_of_rollup: str) -> Served | None:
        """The rollup's answer (None when it fails: the plain plan answers), with the plain plan's SQL and
        the metrics' deprecation warnings.
        """
        try:
            got = self.rollups.run(sql_of_rollup)
            result = QueryResult(
                query,
                list(got.columns),
                list(got.rows),
                self.compiled(query),
                got.elapsed_ms,
                0.0,
                list(got.types),
                warnings=self.project.deprecation_warnings(query.metrics),
            )
        except MetricmindError as exc:
            log.warning("rollup %s failed, answering with the plain plan: %s", rollup.table, exc)
            return None
        return Served(result, arm, "rollup")

    def _execute(self, plan: Plan, query: MetricQuery) -> QueryResult:
        """Run a plan that is not the canonical compiled one (a skill's SQL, or another join path),
        its columns named as the query asked.
        """
        project = self.project
        project._refuse_unavailable(query.metrics, [])
        t0 = time.perf_counter()
        sql = plan.sql or self.compiled(plan.variant.query)
        compile_ms = (time.perf_counter() - t0) * 1000
        got = project.warehouse.run(sql)
        return QueryResult(
            query,
            plan.variant.columns(got.columns),
            list(got.rows),
            sql,
            got.elapsed_ms,
            compile_ms,
            list(got.types),
            warnings=project.deprecation_warnings(query.metrics),
        )

    def _hint_failed(
        self, query: MetricQuery, arm: str, exc: MetricmindError, user: str | None, source: str
    ) -> Served:
        """A hinted plan the warehouse refused (say, a broadcast too large): ban the arm, serve the plain plan."""
        with self._lock:
            self.guard.banned[arm] = f"the warehouse failed its plan for {query.to_dict()}: {exc}"
        self.counts["banned"] += 1
        log.error("arm %s banned: %s", arm, self.guard.banned[arm])
        self._later(self._checkpoint)
        plain = self.project._run_plain(query, user=user, source=source)
        return Served(plain, arm, "plain", banned=True)

    def _verified(
        self, answer: Served, query: MetricQuery, user: str | None, source: str, started: dt.datetime
    ) -> Served:
        """Check a sampled non-plain answer against the plain plan; a difference bans the arm."""
        with self._lock:
            verify = self.guard.should_verify(answer.arm)
        if not verify:
            result = answer.result
            self.project._notify(
                Execution(query, result.sql, started, result.elapsed_ms, len(result.rows), None, user, source)
            )
            return answer
        plain = self.project._run_plain(query, user=user, source=source)
        with self._lock:
            same = self.guard.check(answer.arm, plain.rows, answer.result.rows, f"{query.to_dict()}")
        self.counts["verified"] += 1
        if same:
            answer.verified = True
            return answer
        self.counts["banned"] += 1
        log.error("arm %s banned: %s", answer.arm, self.guard.banned.get(answer.arm))
        self._later(self._checkpoint)
        return Served(plain, answer.arm, "plain", verified=True, banned=True)
