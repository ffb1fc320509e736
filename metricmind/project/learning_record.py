"""Learning from an answer, after it is handed back: the reward of what happened, the episode in the
memory and the policy's update, written on a writer thread; the policy and the guard checkpointed after
each training.
"""

from __future__ import annotations

import json
import logging
import math
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

from metricmind.errors import MetricmindError
from metricmind.learn.context import PlainLatency
from metricmind.learn.memory import Episode
from metricmind.learn.policy import Policy, arm_action
from metricmind.learn.reward import Outcome, RewardConfig
from metricmind.learn.safety import ArmGuard
from metricmind.project.learning_config import CHECKPOINT, GUARD, SKILLS_EVERY
from metricmind.project.learning_plans import Plan, Planning
from metricmind.project.results import QueryResult
from metricmind.spec.query import MetricQuery

log = logging.getLogger(__name__)


class Recording(Planning):
    """The recording part of :class:`metricmind.project.learning.Learner` (its state is set there)."""

    policy: Policy
    guard: ArmGuard
    reward: RewardConfig
    counts: Counter[str]
    _latency: PlainLatency
    _seen: set[str] | None
    _requests: int
    _jobs: queue.Queue[Callable[[], None]]
    _writer: threading.Thread | None

    # -- the writer thread ----------------------------------------------------------------------
    def _later(self, job: Callable[[], None]) -> None:
        """Run ``job`` (a store write) on the writer thread, after the answer is handed back."""
        with self._lock:
            if self._writer is None or not self._writer.is_alive():
                self._writer = threading.Thread(target=self._write, name="metricmind-learner", daemon=True)
                self._writer.start()
        self._jobs.put(job)

    def _write(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                job()
            except Exception as exc:
                log.warning("learning write failed: %s", exc)
            finally:
                self._jobs.task_done()

    def flush(self) -> None:
        """Wait until every episode and checkpoint is written."""
        self._jobs.join()

    def _tick(self) -> None:
        """Count a request; re-read the skills on the writer thread every :data:`SKILLS_EVERY`."""
        with self._lock:
            self._requests += 1
            due = self._requests % SKILLS_EVERY == 0
        if due:
            self._later(lambda: None if self._read_skills() is None else None)

    # -- one answer's lesson --------------------------------------------------------------------
    def _learn(
        self,
        query: MetricQuery,
        pattern: str,
        x: np.ndarray,
        arm: str,
        served: str,
        plan: Plan,
        t0: float,
        result: QueryResult | None,
        error: str | None,
        user: str | None,
        why: dict[str, Any] | None = None,
        hint_key: str | None = None,
    ) -> None:
        """Reward what happened, remember it as an episode, feed the policy (checkpoint after training);
        ``why`` (the hint's per-pattern effect, where a hint arm was allowed) goes into the episode's
        action, ``hint_key`` (the query's hint pattern, where the dialect has hints) to the policy.
        """
        elapsed = (time.perf_counter() - t0) * 1000
        rows = len(result.rows) if result is not None else 0
        new = self._new_pattern(pattern)
        outcome = Outcome(
            result is not None, elapsed, rows, optimized=served in ("cache", "rollup"), new_pattern=new
        )
        reward = self.reward.reward(outcome)
        self.counts[served] += 1
        if served == "plain" and result is not None:
            self._latency.record(pattern, result.elapsed_ms)
        with self._lock:  # cost (ties) and the hint pattern (the hint's per-pattern effect)
            trained = self.policy.observe(x, arm, reward, math.log1p(elapsed), hint_key)
        action: dict[str, Any] = arm_action(arm) | {"arm": arm, "served": served, "model": self.model}
        if why is not None:
            action |= why
        if plan.variant.renames:
            action["read_as"] = json.dumps(plan.variant.renames, sort_keys=True)

        def record() -> None:
            try:
                sql: str | None = self.compiled(query)  # the canonical plan: what a skill reuses
            except MetricmindError:
                sql = None
            episode = Episode(
                success=result is not None,
                query=query.to_dict(),
                pattern=pattern,
                action=action,
                sql=sql,
                error=error,
                rows=rows,
                elapsed_ms=round(elapsed, 3),
                reward=reward,
                user=user,
            )
            self._record(episode, trained)

        self._later(record)

    def _record(self, episode: Episode, trained: bool) -> None:
        memory = self.memory
        if memory is None:
            return
        try:
            memory.record(episode)
        except MetricmindError as exc:
            log.warning("episode not recorded: %s", exc)
        if trained:
            self._checkpoint()

    def _patterns(self) -> set[str]:
        """The patterns the memory holds episodes of (read once, then kept up to date here)."""
        with self._lock:
            if self._seen is None:
                self._seen = set()
                memory = self.memory
                if memory is not None:
                    try:
                        self._seen = memory.patterns()
                    except MetricmindError:
                        pass
            return self._seen

    def _is_new(self, pattern: str) -> bool:
        """Whether ``pattern`` was never asked before (the memory has no episode of it)."""
        with self._lock:
            return pattern not in self._patterns()

    def _new_pattern(self, pattern: str) -> bool:
        """:meth:`_is_new`, and remember ``pattern`` as asked."""
        with self._lock:
            seen = self._patterns()
            if pattern in seen:
                return False
            seen.add(pattern)
            return True

    def _checkpoint(self) -> None:
        memory = self.memory
        if memory is None:
            return
        with self._lock:
            state, guard = self.policy.state(), self.guard.state()
        try:
            memory.save_checkpoint(CHECKPOINT, int(state["experiences"]), state)
            memory.save_checkpoint(GUARD, int(state["experiences"]), guard)
        except MetricmindError as exc:
            log.warning("policy checkpoint not saved: %s", exc)
