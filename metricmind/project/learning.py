"""The learned query path: per request the policy picks how to answer, the answer is verified, rewarded
and remembered.

With ``learn.enabled`` on, :meth:`Project.run` goes through :class:`Learner`:

1. compile the plain plan, read the warehouse's data version, find a current rollup answering exactly;
2. the policy (LinUCB, ε = ``learn.epsilon``) picks an allowed arm — ``optimization=none`` (the plain
   plan), ``result_cache`` (when there is a data version) or ``rollup`` (when one routes); banned arms
   are never allowed;
3. a non-plain answer is verified against the plain plan when :class:`ArmGuard` samples it (every one
   of an arm's first 20, then 10%); a difference bans the arm and the plain answer is served;
4. the reward (``learn.reward``, :class:`RewardConfig`) of what happened is recorded as an episode in
   the memory, the policy trains every 32 experiences and its state is checkpointed after each training.

Exploration never changes a number: every arm serves the plain plan's answer for the same SQL on the
same data, or is banned the first time it does not.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import logging
import math
import queue
import threading
import time
import weakref
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from metricmind.errors import MetricmindError
from metricmind.learn.cache import ResultCache
from metricmind.learn.memory import Episode, Memory
from metricmind.learn.policy import ActionSpace, Policy, arm_action
from metricmind.learn.reward import Outcome, RewardConfig
from metricmind.learn.rollup import GRAINS, TIME
from metricmind.learn.safety import ArmGuard
from metricmind.project.results import Execution, QueryResult
from metricmind.project.rollups import RollupStore, data_version
from metricmind.spec.query import MetricQuery

if TYPE_CHECKING:
    from metricmind.project.core import Project

log = logging.getLogger(__name__)

PLAIN = "optimization=none"
CACHE = "optimization=result_cache"
ROLLUP = "optimization=rollup"
ARMS = ActionSpace.of("optimization").arms()
CHECKPOINT = "query_policy"
GUARD = "query_guard"
#: Context features: cached, rollup routes, grain one-hot (none + 5 grains), categorical group-by,
#: filtered, time range, log of the pattern's plain latency.
DIM = 2 + 1 + len(GRAINS) + 3 + 1


def _flush_at_exit(ref: weakref.ref[Learner]) -> None:
    learner = ref()
    if learner is not None:
        learner.flush()


def enabled(project: Project) -> bool:
    """Whether ``learn.enabled`` is on (``true``, ``1``, ``yes``, ``on``)."""
    value = project.setting("learn.enabled")
    return str(value).strip().lower() in ("1", "true", "yes", "on") if value is not None else False


def reward_config(project: Project) -> RewardConfig:
    """The ``learn.reward`` weights (a mapping in ``metricmind.yml``, or JSON in the environment).

    Raises:
        MetricmindError: an unknown key or a value that is not a number (names the key and the fix).
    """
    value = project.setting("learn.reward")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise MetricmindError(
                f"learn.reward {value!r} is not a mapping",
                hint='Write it as a mapping in metricmind.yml (learn: {reward: {success: 10}}) or JSON: {"success": 10}.',
            ) from exc
    if value is not None and not isinstance(value, Mapping):
        raise MetricmindError(
            f"learn.reward is {value!r}, not a mapping of weights",
            hint=f"Use keys among: {', '.join(RewardConfig.keys())}.",
        )
    return RewardConfig.from_mapping(value)


def hit_rates(memory: Memory, limit: int = 1000) -> dict[str, Any]:
    """How the latest ``limit`` query episodes were served: counts and cache/rollup hit rates."""
    served: Counter[str] = Counter()
    for episode in memory.episodes(limit):
        action = episode["action"] or {}
        if "served" in action:
            served[str(action["served"])] += 1
    total = sum(served.values())
    return {
        "query_episodes": total,
        "served": dict(served),
        "cache_hit_rate": round(served["cache"] / total, 4) if total else None,
        "rollup_hit_rate": round(served["rollup"] / total, 4) if total else None,
    }


def pattern_of(query: MetricQuery) -> str:
    """A query's shape, the key of its episodes and skills (order and limit included)."""
    data = query.to_dict()
    data["group_by"] = sorted(data["group_by"])
    data["where"] = sorted(data["where"])
    return "query:" + json.dumps(data, sort_keys=True)


@dataclass
class Served:
    """One answer and how it was served."""

    result: QueryResult
    arm: str
    served: str  # plain | cache | rollup
    verified: bool = False
    banned: bool = False


class Learner:
    """The learned query path of one project.

    Args:
        project: The project.
        memory: Where episodes and checkpoints go (default ``project.memory``).
        rollups: The rollup database (default ``<state>/rollups``).
        cache: The result cache (default a new in-process one).
        seed: The policy's random seed.
    """

    def __init__(
        self,
        project: Project,
        *,
        memory: Memory | None = None,
        rollups: RollupStore | None = None,
        cache: ResultCache | None = None,
        seed: int = 0,
    ) -> None:
        self.project = project
        self._memory = memory
        self.rollups = rollups or RollupStore(project.state_dir / "rollups")
        self.cache = cache or ResultCache()
        self.reward = reward_config(project)
        self.epsilon = float(project.setting("learn.epsilon"))
        self._lock = threading.RLock()
        self.counts: Counter[str] = Counter()
        self._latency: dict[str, float] = {}
        self._seen: set[str] | None = None
        self._sql: OrderedDict[MetricQuery, str] = OrderedDict()
        self._jobs: queue.Queue[Callable[[], None]] = queue.Queue()
        self._writer: threading.Thread | None = None
        self.policy, self.guard = self._restore(seed)
        atexit.register(_flush_at_exit, weakref.ref(self))

    # -- writing after the answer --------------------------------------------------------------
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

    def close(self) -> None:
        """Write what is pending and close the rollup reader."""
        self.flush()
        self.rollups.close()

    def compiled(self, query: MetricQuery) -> str:
        """The plain plan's SQL for ``query`` (remembered: the model does not change under a project)."""
        with self._lock:
            sql = self._sql.get(query)
            if sql is not None:
                self._sql.move_to_end(query)
                return sql
        sql = self.project.compile(query, pretty=True)
        with self._lock:
            self._sql[query] = sql
            while len(self._sql) > 1024:
                self._sql.popitem(last=False)
        return sql

    @property
    def memory(self) -> Memory | None:
        """The memory, or None when its store cannot be opened (queries are answered without it)."""
        if self._memory is None:
            try:
                self._memory = self.project.memory
            except MetricmindError as exc:
                log.warning("the memory is unavailable, queries run without learning: %s", exc)
                return None
        return self._memory

    def _restore(self, seed: int) -> tuple[Policy, ArmGuard]:
        memory = self.memory
        state = guard = None
        if memory is not None:
            try:
                state = memory.load_checkpoint(CHECKPOINT)
                guard = memory.load_checkpoint(GUARD)
            except MetricmindError as exc:
                log.warning("no learned policy restored: %s", exc)
        policy = None
        if state and state.get("arms") == ARMS and int(state.get("dim", 0)) == DIM:
            policy = Policy.from_state(state, seed=seed)
            policy.epsilon = self.epsilon
        return (
            policy or Policy(ARMS, DIM, epsilon=self.epsilon, seed=seed),
            ArmGuard.from_state(guard, seed=seed) if guard else ArmGuard(PLAIN, seed=seed),
        )

    # -- one request ---------------------------------------------------------------------------
    def context(self, query: MetricQuery, pattern: str, cached: bool, routed: bool) -> np.ndarray:
        """The request's features."""
        grain = next((g.removeprefix(TIME) for g in query.group_by if g.startswith(TIME)), None)
        grains = [1.0 if grain is None else 0.0] + [1.0 if grain == g else 0.0 for g in GRAINS]
        plain_ms = self._latency.get(pattern)
        return np.array(
            [
                1.0 if cached else 0.0,
                1.0 if routed else 0.0,
                *grains,
                1.0 if any(not g.startswith(TIME) for g in query.group_by) else 0.0,
                1.0 if query.where else 0.0,
                1.0 if query.start or query.end else 0.0,
                math.log1p(plain_ms) / 10 if plain_ms is not None else 0.0,
            ]
        )

    def run(self, query: MetricQuery, *, user: str | None = None, source: str = "api") -> QueryResult:
        """Answer ``query`` the way the policy picks; verify, reward and remember it."""
        return self.serve(query, user=user, source=source).result

    def serve(self, query: MetricQuery, *, user: str | None = None, source: str = "api") -> Served:
        """:meth:`run`, telling how the answer was served."""
        t0 = time.perf_counter()
        project = self.project
        sql = self.compiled(query)
        compile_ms = (time.perf_counter() - t0) * 1000
        version = data_version(project)
        found = None
        try:
            found = self.rollups.find(project, query, version)
        except MetricmindError as exc:
            log.info("no rollup for %s: %s", query.metrics, exc)
        pattern = pattern_of(query)
        with self._lock:
            allowed = self.guard.allowed(
                [PLAIN] + ([CACHE] if version else []) + ([ROLLUP] if found is not None else [])
            )
            x = self.context(query, pattern, self.cache.peek(sql, version), found is not None)
            arm = self.policy.choose(x, allowed)
        answer: Served | None = None
        started = dt.datetime.now(dt.timezone.utc)
        if arm == CACHE:
            hit = self.cache.get(sql, version)
            if hit is not None:
                result = QueryResult(
                    query, list(hit.columns), list(hit.rows), sql, 0.0, compile_ms, list(hit.types)
                )
                answer = Served(result, arm, "cache")
        elif arm == ROLLUP and found is not None:
            try:
                got = self.rollups.run(found[1])
                result = QueryResult(
                    query, list(got.columns), list(got.rows), sql, got.elapsed_ms, compile_ms, list(got.types)
                )
                answer = Served(result, arm, "rollup")
            except MetricmindError as exc:
                log.warning("rollup %s failed, answering with the plain plan: %s", found[0].table, exc)
        try:
            if answer is None:
                plain = project._run_plain(query, user=user, source=source)
                self.cache.put(sql, version, plain.columns, plain.rows, plain.elapsed_ms, plain.types)
                answer = Served(plain, arm, "plain")
            else:
                answer = self._verified(answer, query, user, source, started)
        except MetricmindError as exc:
            self._learn(query, pattern, x, arm, "plain", sql, t0, None, str(exc), user)
            raise
        self._learn(query, pattern, x, arm, answer.served, sql, t0, answer.result, None, user)
        return answer

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

    def _learn(
        self,
        query: MetricQuery,
        pattern: str,
        x: np.ndarray,
        arm: str,
        served: str,
        sql: str,
        t0: float,
        result: QueryResult | None,
        error: str | None,
        user: str | None,
    ) -> None:
        """Reward what happened, remember it as an episode, feed the policy (checkpoint after training)."""
        elapsed = (time.perf_counter() - t0) * 1000
        rows = len(result.rows) if result is not None else 0
        new = self._new_pattern(pattern)
        outcome = Outcome(result is not None, elapsed, rows, optimized=served != "plain", new_pattern=new)
        reward = self.reward.reward(outcome)
        self.counts[served] += 1
        if served == "plain" and result is not None:
            self._latency[pattern] = result.elapsed_ms
        with self._lock:
            trained = self.policy.observe(x, arm, reward)
        episode = Episode(
            success=result is not None,
            query=query.to_dict(),
            pattern=pattern,
            action=arm_action(arm) | {"arm": arm, "served": served},
            sql=sql,
            error=error,
            rows=rows,
            elapsed_ms=round(elapsed, 3),
            reward=reward,
            user=user,
        )
        self._later(lambda: self._record(episode, trained))

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

    def _new_pattern(self, pattern: str) -> bool:
        with self._lock:
            if self._seen is None:
                self._seen = set()
                memory = self.memory
                if memory is not None:
                    try:
                        self._seen = memory.patterns()
                    except MetricmindError:
                        pass
            if pattern in self._seen:
                return False
            self._seen.add(pattern)
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

    def stats(self) -> dict[str, Any]:
        """How this process served its requests, the cache's counters, the banned arms."""
        served = sum(self.counts[k] for k in ("plain", "cache", "rollup"))
        return {
            "served": {k: self.counts[k] for k in ("plain", "cache", "rollup")},
            "cache_hit_rate": round(self.counts["cache"] / served, 4) if served else 0.0,
            "rollup_hit_rate": round(self.counts["rollup"] / served, 4) if served else 0.0,
            "verified": self.counts["verified"],
            "banned": self.guard.report(),
            "cache": self.cache.stats(),
        }
