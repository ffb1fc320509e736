"""The learned query path: per request the policy picks how to answer, the answer is verified, rewarded
and remembered.

With ``learn.enabled`` on, :meth:`Project.run` goes through :class:`Learner`:

1. read the warehouse's data version, find a current rollup answering exactly, the query's
   result-equivalent join paths (:mod:`metricmind.learn.joinpath`) and the plans of its skills
   (:mod:`metricmind.learn.skills`, compiled on the current model);
2. the policy (LinUCB, ε = ``learn.epsilon``) picks an allowed arm over skill × join path ×
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
from metricmind.learn import hints as hint_sql
from metricmind.learn import skills as skill_plans
from metricmind.learn.cache import ResultCache
from metricmind.learn.joinpath import CANONICAL, Variant, variants
from metricmind.learn.memory import Episode, Memory
from metricmind.learn.policy import QUERY_ARMS, Policy, arm_action, query_arm
from metricmind.learn.reward import Outcome, RewardConfig
from metricmind.learn.rollup import GRAINS, TIME
from metricmind.learn.safety import ArmGuard
from metricmind.project.results import Execution, QueryResult
from metricmind.project.rollups import RollupStore, data_version
from metricmind.spec.query import MetricQuery

if TYPE_CHECKING:
    from metricmind.project.core import Project

log = logging.getLogger(__name__)

PLAIN = query_arm()
CACHE = query_arm(optimization="result_cache")
ROLLUP = query_arm(optimization="rollup")
ARMS = list(QUERY_ARMS)
#: The hint arms, added to :data:`ARMS` only for dialects with optimizer hints (:func:`hint_sql.supported`).
HINT_ARMS = [query_arm(optimization="hints"), query_arm(join_path="shortest", optimization="hints")]
CHECKPOINT = "query_policy"
GUARD = "query_guard"
#: Context features: cached, rollup routes, grain one-hot (none + 5 grains), categorical group-by,
#: filtered, time range, log of the pattern's plain latency, a skill's plan exists, a shorter join path.
DIM = 2 + 1 + len(GRAINS) + 3 + 1 + 2
#: Skill plans are re-read from the memory every this many requests (the nightly learner makes skills).
SKILLS_EVERY = 256


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


def _asked(query: MetricQuery) -> str:
    """A query exactly as asked (group-by order included), as text."""
    return json.dumps(query.to_dict(), sort_keys=True, default=str)


@dataclass(frozen=True)
class Plan:
    """How one arm would execute the query: the SQL (None: compile ``variant.query``) and its reading."""

    variant: Variant
    sql: str | None = None
    skill: str = "none"
    hint: bool = False  # ``sql`` is the compiled plan with optimizer hints


@dataclass
class Served:
    """One answer and how it was served."""

    result: QueryResult
    arm: str
    served: str  # plain | join | skill | hints | cache | rollup
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
        self._variants: OrderedDict[MetricQuery, list[Variant]] = OrderedDict()
        self.model = skill_plans.fingerprint([repr(project.model), str(project.dialect)])
        self.hinting = hint_sql.supported(project.dialect)
        self.arms = ARMS + HINT_ARMS if self.hinting else ARMS
        self._hinted: OrderedDict[MetricQuery, str | None] = OrderedDict()
        self._small: frozenset[str] | None = None
        self._skills: dict[str, skill_plans.Plan] | None = None
        self._requests = 0
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

    def variants(self, query: MetricQuery) -> list[Variant]:
        """The query's result-equivalent readings (canonical first; remembered like the SQL)."""
        with self._lock:
            found = self._variants.get(query)
            if found is not None:
                return found
        try:
            found = variants(self.project.model, self.project.graph, query)
        except (MetricmindError, ValueError, KeyError):  # the plain plan reports what is wrong
            found = [Variant(CANONICAL, query)]
        with self._lock:
            self._variants[query] = found
            while len(self._variants) > 1024:
                self._variants.popitem(last=False)
        return found

    def skills(self) -> dict[str, skill_plans.Plan]:
        """The current plans of the query skills by pattern (read at first use, then every
        :data:`SKILLS_EVERY` requests on the writer thread).
        """
        with self._lock:
            known = self._skills
        if known is None:
            known = self._read_skills()
        return known

    def _read_skills(self) -> dict[str, skill_plans.Plan]:
        memory = self.memory
        found: dict[str, skill_plans.Plan] = {}
        if memory is not None:
            try:
                found = {p.pattern: p for p in skill_plans.plans(memory, None, self.model)}
            except Exception as exc:  # a store that cannot be read: no skill arm, the query still runs
                log.warning("skills not read: %s", exc)
        with self._lock:
            self._skills = found
        return found

    def plans(self, query: MetricQuery, pattern: str) -> dict[str, Plan]:
        """The plans the arms may use, by (skill, join path) option names: ``none|canonical`` always."""
        options = self.variants(query)
        out = {"none|canonical": Plan(options[0])}
        for v in options[1:]:
            out[f"none|{v.label}"] = Plan(v)
        if query.allow_overlap:
            return out
        known = self.skills()
        by_pattern = {pattern: options[0], **{pattern_of(v.query): v for v in options[1:]}}
        candidates = [known[p] for p in by_pattern if p in known]
        for option, plan in skill_plans.pick(candidates, pattern).items():
            variant = by_pattern[plan.pattern]
            if plan.query != _asked(variant.query):
                continue  # the same pattern asked with another column order: not this plan's columns
            out[f"{option}|{variant.label}"] = Plan(variant, plan.sql, option)
        return out

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
        if state and state.get("arms") == self.arms and int(state.get("dim", 0)) == DIM:
            policy = Policy.from_state(state, seed=seed)
            policy.epsilon = self.epsilon
        return (
            policy or Policy(self.arms, DIM, epsilon=self.epsilon, seed=seed),
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
    ) -> np.ndarray:
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
                1.0 if skill else 0.0,
                1.0 if shorter else 0.0,
            ]
        )

    def cache_key(self, query: MetricQuery) -> str:
        """The result cache's key: the model's fingerprint and the query as asked (not its plan's SQL,
        so every result-equivalent plan shares the answer, and a hit needs no compiling).
        """
        return f"{self.model}:{_asked(query)}"

    def run(self, query: MetricQuery, *, user: str | None = None, source: str = "api") -> QueryResult:
        """Answer ``query`` the way the policy picks; verify, reward and remember it."""
        return self.serve(query, user=user, source=source).result

    def hinted(self, query: MetricQuery) -> str | None:
        """The compiled plan of ``query`` with ``BROADCAST`` hints for its small lookups, or None (no
        dialect hints, no join to a small relation, or a query that does not compile: the plain plan says why).
        """
        if not self.hinting:
            return None
        with self._lock:
            if query in self._hinted:
                return self._hinted[query]
        try:
            if self._small is None:
                self._small = hint_sql.small_relations(self.project.model, self.project.dialect)
            got = hint_sql.broadcast(self.compiled(query), self.project.dialect, self._small)
        except (MetricmindError, ValueError, KeyError):
            got = None
        with self._lock:
            self._hinted[query] = got.sql if got else None
            while len(self._hinted) > 1024:
                self._hinted.popitem(last=False)
        return got.sql if got else None

    def offered(self, query: MetricQuery, pattern: str, version: str | None, routed: bool) -> dict[str, Plan]:
        """The arms that apply to the request (before the guard) and the plan each would run."""
        out: dict[str, Plan] = {}
        for name, plan in self.plans(query, pattern).items():
            skill, join_path = name.split("|")
            out[query_arm(skill, join_path)] = plan
            if version:
                out[query_arm(skill, join_path, "result_cache")] = plan
            hinted = self.hinted(plan.variant.query) if plan.sql is None else None
            if hinted:
                out[query_arm(skill, join_path, "hints")] = Plan(plan.variant, hinted, hint=True)
        if routed:
            out[ROLLUP] = Plan(Variant(CANONICAL, query))
        return {a: p for a, p in out.items() if a in self.policy.index}

    def serve(self, query: MetricQuery, *, user: str | None = None, source: str = "api") -> Served:
        """:meth:`run`, telling how the answer was served."""
        t0 = time.perf_counter()
        project = self.project
        pattern = pattern_of(query)
        key = self.cache_key(query)
        version = data_version(project)
        found = None
        try:
            found = self.rollups.find(project, query, version)
        except MetricmindError as exc:
            log.info("no rollup for %s: %s", query.metrics, exc)
        offered = self.offered(query, pattern, version, found is not None)
        self._tick()
        with self._lock:
            allowed = self.guard.allowed(list(offered))
            x = self.context(
                query,
                pattern,
                self.cache.peek(key, version),
                found is not None,
                skill=any(p.skill != "none" for p in offered.values()),
                shorter=len(self.variants(query)) > 1,
            )
            arm = self.policy.choose(x, allowed)
        plan = offered[arm]
        optimization = arm_action(arm)["optimization"]
        answer: Served | None = None
        started = dt.datetime.now(dt.timezone.utc)
        if optimization == "result_cache":
            hit = self.cache.get(key, version)
            if hit is not None:
                sql = plan.sql or self.compiled(plan.variant.query)
                result = QueryResult(
                    query,
                    list(hit.columns),
                    list(hit.rows),
                    sql,
                    0.0,
                    0.0,
                    list(hit.types),
                    warnings=project.deprecation_warnings(query.metrics),
                )
                answer = Served(result, arm, "cache")
        elif arm == ROLLUP and found is not None:
            try:
                got = self.rollups.run(found[1])
                sql = self.compiled(query)
                result = QueryResult(
                    query,
                    list(got.columns),
                    list(got.rows),
                    sql,
                    got.elapsed_ms,
                    0.0,
                    list(got.types),
                    warnings=project.deprecation_warnings(query.metrics),
                )
                answer = Served(result, arm, "rollup")
            except MetricmindError as exc:
                log.warning("rollup %s failed, answering with the plain plan: %s", found[0].table, exc)
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
            self._learn(query, pattern, x, arm, "plain", plan, t0, None, str(exc), user)
            raise
        self._learn(query, pattern, x, arm, answer.served, plan, t0, answer.result, None, user)
        return answer

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

    def _tick(self) -> None:
        """Count a request; re-read the skills on the writer thread every :data:`SKILLS_EVERY`."""
        with self._lock:
            self._requests += 1
            due = self._requests % SKILLS_EVERY == 0
        if due:
            self._later(lambda: None if self._read_skills() is None else None)

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
        plan: Plan,
        t0: float,
        result: QueryResult | None,
        error: str | None,
        user: str | None,
    ) -> None:
        """Reward what happened, remember it as an episode, feed the policy (checkpoint after training)."""
        elapsed = (time.perf_counter() - t0) * 1000
        rows = len(result.rows) if result is not None else 0
        new = self._new_pattern(pattern)
        outcome = Outcome(
            result is not None, elapsed, rows, optimized=served in ("cache", "rollup"), new_pattern=new
        )
        reward = self.reward.reward(outcome)
        self.counts[served] += 1
        if served == "plain" and result is not None:
            self._latency[pattern] = result.elapsed_ms
        with self._lock:
            trained = self.policy.observe(x, arm, reward)
        action = arm_action(arm) | {"arm": arm, "served": served, "model": self.model}
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
