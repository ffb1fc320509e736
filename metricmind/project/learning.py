"""The learned query path: per request the policy picks how to answer, the answer is verified, rewarded
and remembered.

With ``learn.enabled`` on, :meth:`Project.run` goes through :class:`Learner`:

1. read the warehouse's data version, find a current rollup answering exactly, the query's
   result-equivalent join paths (:mod:`metricmind.learn.joinpath`) and the plans of its skills
   (:mod:`metricmind.learn.skills`, compiled on the current model);
2. the policy (LinUCB, ε = ``learn.epsilon``, per ``learn.epsilon_schedule``) picks an allowed arm (the
   arms of :func:`metricmind.learn.policy.offered_arms`, the simulator's rule too) over skill × join path ×
   optimization (:data:`metricmind.learn.policy.QUERY_ARMS`): the plan — compiled afresh along the
   canonical or the shortest join path, or a skill's plan fetched from memory — with or without the
   result cache (when there is a data version; keyed by the model, the query and the data version),
   or a rollup (when one routes), or — on Spark and Databricks — the compiled plan with ``BROADCAST``
   hints for its small dimension lookups (:mod:`metricmind.learn.hints`); banned arms are never allowed;
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
import logging
import queue
import threading
import time
import weakref
from collections import Counter, OrderedDict
from typing import TYPE_CHECKING, Any

import numpy as np

from metricmind.errors import MetricmindError
from metricmind.learn import hints as hint_sql
from metricmind.learn import skills as skill_plans
from metricmind.learn.cache import ResultCache
from metricmind.learn.context import PlainLatency, Request, features, hint_pattern, query_policy
from metricmind.learn.joinpath import CANONICAL, Variant
from metricmind.learn.memory import Memory
from metricmind.learn.patterns import HINT_OPTIONS
from metricmind.learn.policy import EPSILON_SCHEDULES, Policy, arm_action, offered_arms, query_arm
from metricmind.learn.safety import ArmGuard
from metricmind.project.learning_answers import Answering, Served
from metricmind.project.learning_config import (
    ARMS,
    CACHE,
    CHECKPOINT,
    DIM,
    GUARD,
    HINT_ARMS,
    PLAIN,
    ROLLUP,
    SKILLS_EVERY,
    asked,
    enabled,
    hit_rates,
    pattern_of,
    reward_config,
)
from metricmind.project.learning_plans import Plan
from metricmind.project.results import QueryResult
from metricmind.project.rollups import RollupStore, data_version
from metricmind.spec.query import MetricQuery

if TYPE_CHECKING:
    from metricmind.project.core import Project

__all__ = [
    "ARMS",
    "CACHE",
    "CHECKPOINT",
    "DIM",
    "GUARD",
    "HINT_ARMS",
    "PLAIN",
    "ROLLUP",
    "SKILLS_EVERY",
    "Learner",
    "Plan",
    "Served",
    "enabled",
    "hit_rates",
    "pattern_of",
    "reward_config",
]

log = logging.getLogger(__name__)


def _flush_at_exit(ref: weakref.ref[Learner]) -> None:
    learner = ref()
    if learner is not None:
        learner.flush()


class Learner(Answering):
    """The learned query path of one project.

    The plans it may run are prepared by :class:`~metricmind.project.learning_plans.Planning`, the
    non-plain answers built and verified by :class:`~metricmind.project.learning_answers.Answering`,
    what happened rewarded and remembered by :class:`~metricmind.project.learning_record.Recording`.

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
        self.schedule = str(project.setting("learn.epsilon_schedule") or "per_context")
        if self.schedule not in EPSILON_SCHEDULES:
            raise MetricmindError(
                f"learn.epsilon_schedule is {self.schedule!r}", hint=f"Use {' or '.join(EPSILON_SCHEDULES)}."
            )
        self._lock = threading.RLock()
        self.counts = Counter()
        self._latency = PlainLatency()
        self._seen = None
        self._sql = OrderedDict()
        self._variants = OrderedDict()
        self.model = skill_plans.fingerprint([repr(project.model), str(project.dialect)])
        self.hinting = hint_sql.supported(project.dialect)
        self.arms = ARMS + HINT_ARMS if self.hinting else ARMS
        self._hinted = OrderedDict()
        self._small = None
        self._skills = None
        self._requests = 0
        self._jobs = queue.Queue()
        self._writer = None
        self.policy, self.guard = self._restore(seed)
        atexit.register(_flush_at_exit, weakref.ref(self))

    def close(self) -> None:
        """Write what is pending and close the rollup reader."""
        self.flush()
        self.rollups.close()

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
        if state and state.get("arms") == self.arms and int(state.get("dim", 0)) == DIM:
            policy = Policy.from_state(state, seed=seed)
            policy.epsilon = self.epsilon
            policy.epsilon_schedule = self.schedule
        return (
            policy
            or query_policy(self.arms, epsilon=self.epsilon, epsilon_schedule=self.schedule, seed=seed),
            ArmGuard.from_state(guard, seed=seed) if guard else ArmGuard(PLAIN, seed=seed),
        )

    # -- one request ---------------------------------------------------------------------------
    def context(
        self,
        query: MetricQuery,
        pattern: str,
        cached: bool,
        routed: bool,
        skill: bool = False,
        shorter: bool = False,
        new: bool = False,
        hinted: bool = False,
    ) -> np.ndarray:
        """The request's features, by the function the simulator uses too
        (:func:`metricmind.learn.context.features`; :data:`~metricmind.learn.context.FEATURES`).
        """
        request = Request(
            tuple(query.group_by),
            cached=cached,
            routed=routed,
            filtered=bool(query.where),
            time_range=bool(query.start or query.end),
            plain_ms=self._latency.get(pattern),
            skill=skill,
            shorter=shorter,
            new=new,
            hinted=hinted,
        )
        return features(request)

    def cache_key(self, query: MetricQuery) -> str:
        """The result cache's key: the model's fingerprint and the query as asked (not its plan's SQL,
        so every result-equivalent plan shares the answer, and a hit needs no compiling).
        """
        return f"{self.model}:{asked(query)}"

    def run(self, query: MetricQuery, *, user: str | None = None, source: str = "api") -> QueryResult:
        """Answer ``query`` the way the policy picks; verify, reward and remember it."""
        return self.serve(query, user=user, source=source).result

    def offered(
        self, query: MetricQuery, pattern: str, version: str | None, routed: bool, *, cached: bool = True
    ) -> dict[str, Plan]:
        """The arms that apply to the request (before the guard) and the plan each would run.

        The result cache's arms only when the answer is ``cached`` on this data version: every plan's
        answer is stored whatever the arm, so on a miss a cache arm is its plan exactly — offering it
        then would only split one option's evidence in two (and the cache's block would learn the
        reward every answer earns, leaving a fresh rollup nothing to beat it with).
        """
        plans: dict[str, Plan] = {}  # arm → the plan it runs
        pairs: list[tuple[str, str]] = []
        hinted: list[tuple[str, str]] = []
        for name, plan in self.plans(query, pattern).items():
            skill, join_path = name.split("|")
            pairs.append((skill, join_path))
            plans[query_arm(skill, join_path)] = plans[query_arm(skill, join_path, "result_cache")] = plan
            sql = self.hinted(plan.variant.query) if plan.sql is None else None
            if sql:
                hinted.append((skill, join_path))
                plans[query_arm(skill, join_path, "hints")] = Plan(plan.variant, sql, hint=True)
        plans[ROLLUP] = Plan(Variant(CANONICAL, query))
        names = offered_arms(pairs, cached=bool(version) and cached, rollup=routed, hinted=hinted)
        out = {a: plans[a] for a in names}
        return {a: p for a, p in out.items() if a in self.policy.index}

    def serve(self, query: MetricQuery, *, user: str | None = None, source: str = "api") -> Served:
        """:meth:`run`, telling how the answer was served."""
        t0 = time.perf_counter()
        project = self.project
        pattern = pattern_of(query)
        # the hint's per-pattern effect: only where the dialect has hints (no cost elsewhere)
        hint_key = hint_pattern(query.metrics, query.group_by, query.where) if self.hinting else None
        key = self.cache_key(query)
        version = data_version(project)
        found = None
        try:
            found = self.rollups.find(project, query, version)
        except MetricmindError as exc:
            log.info("no rollup for %s: %s", query.metrics, exc)
        cached = self.cache.peek(key, version)
        offered = self.offered(query, pattern, version, found is not None, cached=cached)
        self._tick()
        with self._lock:
            allowed = self.guard.allowed(list(offered))
            x = self.context(
                query,
                pattern,
                cached,
                found is not None,
                skill=any(p.skill != "none" for p in offered.values()),
                shorter=len(self.variants(query)) > 1,
                new=self._is_new(pattern),
                hinted=any(p.hint for p in offered.values()),
            )
            arm = self.policy.choose(x, allowed, pattern, pattern=hint_key)
            why = self._why(allowed, hint_key) if hint_key is not None else None
        plan = offered[arm]
        optimization = arm_action(arm)["optimization"]
        answer: Served | None = None
        started = dt.datetime.now(dt.timezone.utc)
        if optimization == "result_cache":
            answer = self._from_cache(query, arm, plan, key, version)
        elif arm == ROLLUP and found is not None:
            answer = self._from_rollup(query, arm, *found)
        try:
            if answer is None and plan.sql is None and plan.variant.label == CANONICAL:
                plain = project._run_plain(query, user=user, source=source)
                self.cache.put(key, version, plain.columns, plain.rows, plain.elapsed_ms, plain.types)
                answer = Served(plain, arm, "plain")
            elif answer is None:
                try:
                    ran = self._execute(plan, query)
                except MetricmindError as exc:
                    if not plan.hint:
                        raise
                    answer = self._hint_failed(query, arm, exc, user, source)
                else:
                    self.cache.put(key, version, ran.columns, ran.rows, ran.elapsed_ms, ran.types)
                    how = "hints" if plan.hint else "skill" if plan.sql else "join"
                    answer = self._verified(Served(ran, arm, how), query, user, source, started)
            else:
                answer = self._verified(answer, query, user, source, started)
        except MetricmindError as exc:
            self._learn(query, pattern, x, arm, "plain", plan, t0, None, str(exc), user, why, hint_key)
            raise
        self._learn(query, pattern, x, arm, answer.served, plan, t0, answer.result, None, user, why, hint_key)
        return answer

    def _why(self, allowed: list[str], hint_key: str) -> dict[str, Any] | None:
        """The decision's reason where a hint arm was allowed: the hint pattern and what the policy knows
        of the hint's own effect on it (reward points beyond the shared model, their sd, the runs).
        """
        if not any(arm_action(a).get("optimization") == "hints" for a in allowed):
            return None
        effect = self.policy.pattern_effect(HINT_OPTIONS[0], hint_key)
        return {"hint_pattern": hint_key, "hint_effect": effect} if effect is not None else None

    def stats(self) -> dict[str, Any]:
        """How this process served its requests, the cache's counters, the banned arms."""
        kinds = ("plain", "join", "skill", "hints", "cache", "rollup")
        served = sum(self.counts[k] for k in kinds)
        return {
            "served": {k: self.counts[k] for k in kinds},
            "cache_hit_rate": round(self.counts["cache"] / served, 4) if served else 0.0,
            "rollup_hit_rate": round(self.counts["rollup"] / served, 4) if served else 0.0,
            "verified": self.counts["verified"],
            "banned": self.guard.report(),
            "cache": self.cache.stats(),
        }
