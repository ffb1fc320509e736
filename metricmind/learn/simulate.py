"""The simulator: the demo's query mix replayed against the policy, with rewards from MEASURED arms.

Workload: every query shape of the recorded table (``data/arms.json``, measured on a built demo by
``bench/learn_measure.py``: metric × group-by × grain, with compile, skill-lookup, plain, result-cache,
join-path and rollup latency samples, row counts, and whether each alternative's rows equal the plain
rows) drawn with Zipf popularity. Every answer is stored in the result cache (an LRU keyed by the
canonical plan's SQL and the data version); the warehouse is reloaded every ``reload_every`` requests
(a new data version: the cache starts empty) and that night the nightly learner makes skills of the
shapes answered at least three times. Arms, over the factors skill × join path × optimization (the
caller allows only the arms that apply to the request):

* optimization ``none``: the plan's latency sample; ``result_cache``: a hit (a cache latency sample,
  optimization applied), offered only when the shape's answer is cached on this data version (the
  arms offered come from :func:`~metricmind.learn.policy.offered_arms`, the learned path's own rule); ``rollup`` (canonical plan, no skill): the rollup latency when a rollup answers the shape
  exactly (its rows were equal when measured), else the plain plan (the router falls back);
* join path ``canonical`` (the names as asked) or ``shortest`` (the same dimension along fewer joins;
  offered only where measured rows were equal): which plan runs;
* ``hints`` (Spark shapes, canonical plan): the hinted plan's sample plus the compile and the hint
  rewrite samples, no optimization bonus;
* skill ``none`` (compile the plan: a compile sample) or ``best_match`` / ``fastest`` /
  ``most_recent`` (the plan of a skill — the shape's own, or the skill of its shorter equivalent
  reading when that shape was asked too — fetched from the memory store: a skill-lookup sample);
  options that pick the same plan are one arm.

Drift halfway: the nightly job replaces the day rollups by month rollups (day and week shapes lose
theirs; the month rollup answers coarser shapes) and popularity is reshuffled. The cache state does not
depend on the arms, so every policy sees the same episodes and each arm's reward is known for every
episode (common random numbers): the oracle plays the best allowed arm per context (highest expected
reward; regret is measured against that expected reward), a fixed arm plays itself where allowed (else the plain plan) and the best is reported, random
picks uniformly among the allowed arms. The materialization factor is a nightly decision, simulated in
:mod:`metricmind.learn.materialize`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

import numpy as np

from metricmind.learn.cache import ResultCache
from metricmind.learn.context import DIM as CONTEXT_DIM
from metricmind.learn.context import PlainLatency, Request, features, hint_pattern, query_policy
from metricmind.learn.policy import QUERY_ARMS, SKILL_OPTIONS, Policy, offered_arms, query_arm
from metricmind.learn.reward import Outcome, RewardConfig

SKILLS = SKILL_OPTIONS
arm = query_arm
PLAIN = query_arm()
#: The hint arms (``optimization=hints``: the compiled plan with ``BROADCAST`` hints), offered only on
#: the Spark shapes whose hinted rows were equal when measured (as :data:`metricmind.project.learning.HINT_ARMS`).
HINT_ARMS = (query_arm(optimization="hints"), query_arm(join_path="shortest", optimization="hints"))
ARMS = (*QUERY_ARMS, *HINT_ARMS)
#: The prefix of the shapes measured on Spark (``hints`` in the table): the same shape on that warehouse.
SPARK = "spark:"
INDEX = {a: i for i, a in enumerate(ARMS)}


def load_table() -> dict[str, Any]:
    """The recorded arms table shipped with the package."""
    text = resources.files("metricmind.learn").joinpath("data/arms.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


def _key(metric: str, group_by: list[str] | tuple[str, ...]) -> str:
    return f"{metric}|{','.join(group_by)}"


@dataclass(frozen=True)
class Shape:
    """One query shape and its measured samples."""

    key: str
    metric: str
    grain: str
    categorical: bool
    rows: int
    plain: np.ndarray
    hit: np.ndarray
    put: np.ndarray
    rollup: dict[str, np.ndarray]  # rollup grain → latency samples, only where exact
    compile: np.ndarray
    skill: np.ndarray
    shortest: np.ndarray | None = None  # the shortest equivalent reading's samples, only where exact
    short_key: str | None = None  # the shape that asks for that reading directly
    hinted: np.ndarray | None = None  # the hinted plan's samples (Spark shapes), only where exact
    rewrite: np.ndarray | None = None  # the hint rewrite's own samples
    group_by: tuple[str, ...] = ()  # as measured

    def plan(self, join_path: str) -> np.ndarray:
        """The execution samples of the plan along ``join_path``."""
        return self.shortest if join_path == "shortest" and self.shortest is not None else self.plain


def shapes_of(table: dict[str, Any]) -> list[Shape]:
    """The shapes of a recorded table: each measured shape on DuckDB, and the shapes measured on Spark
    (``hints``: plain and hinted plans, rows equal) once more as Spark shapes — the result cache, the
    compile and the skill lookup are the server's, so their samples are the same; no rollup, no other
    join path on Spark.
    """
    out = []
    for row in table["shapes"]:
        time_dims = [g for g in row["group_by"] if g.startswith("metric_time__")]
        plain = np.asarray(row["plain_ms"], dtype=float)
        short: dict[str, Any] = (row.get("joins") or {}).get("shortest") or {}
        exact_short = bool(short.get("exact"))
        out.append(
            Shape(
                key=_key(row["metric"], row["group_by"]),
                metric=row["metric"],
                grain=time_dims[0].rsplit("__", 1)[1] if time_dims else "none",
                categorical=len(row["group_by"]) > len(time_dims),
                rows=int(row["rows"]),
                plain=plain,
                hit=np.asarray(row["cache_hit_ms"], dtype=float),
                put=np.asarray(row["cache_put_ms"], dtype=float),
                rollup={r["grain"]: np.asarray(r["ms"], dtype=float) for r in row["rollups"] if r["exact"]},
                compile=np.asarray(row.get("compile_ms") or [0.0], dtype=float),
                skill=np.asarray(row.get("skill_ms") or [0.0], dtype=float),
                shortest=np.asarray(short["ms"], dtype=float) if exact_short else None,
                short_key=_key(row["metric"], short["group_by"]) if exact_short else None,
                group_by=tuple(row["group_by"]),
            )
        )
        hints = row.get("hints")
        if hints and hints.get("exact"):
            base = out[-1]
            out.append(
                Shape(
                    key=SPARK + base.key,
                    metric=base.metric,
                    grain=base.grain,
                    categorical=base.categorical,
                    rows=int(hints["rows"]),
                    plain=np.asarray(hints["plain_ms"], dtype=float),
                    hit=base.hit,
                    put=base.put,
                    rollup={},
                    compile=base.compile,
                    skill=base.skill,
                    hinted=np.asarray(hints["hinted_ms"], dtype=float),
                    rewrite=np.asarray(hints["rewrite_ms"], dtype=float),
                    group_by=base.group_by,
                )
            )
    return out


class Workload:
    """Context features, the allowed arms and each arm's reward per episode, for one seed."""

    def __init__(
        self,
        shapes: list[Shape],
        episodes: int,
        seed: int,
        *,
        zipf: float = 1.1,
        reload_every: int = 150,
        cache_entries: int = 64,
        reward: RewardConfig | None = None,
    ) -> None:
        self.shapes = shapes
        self.episodes = episodes
        self.drift_at = episodes // 2
        self.reward = reward or RewardConfig()
        by_key = {s.key: s for s in shapes}
        rng = np.random.default_rng(seed)
        weights = 1.0 / np.arange(1, len(shapes) + 1) ** zipf
        weights /= weights.sum()
        phases = [rng.permutation(len(shapes)), rng.permutation(len(shapes))]
        cache = ResultCache(max_entries=cache_entries)
        seen: dict[str, int] = {}
        last: dict[str, int] = {}
        skills: set[str] = set()
        #: What the server knows before each decision (its plain latency is the policy's to measure).
        self.requests: list[Request] = []
        #: The plain plan's drawn latency (what the learned path remembers when it runs the plain plan).
        self.plain_ms = np.zeros(episodes)
        #: Each request's hint pattern (:func:`~metricmind.learn.context.hint_pattern`).
        self.patterns: list[str] = []
        self.rewards = np.full((episodes, len(ARMS)), np.nan)
        self.expected = np.full((episodes, len(ARMS)), -np.inf)
        self.ms = np.full((episodes, len(ARMS)), np.nan)
        self.allowed: list[list[str]] = []
        self.keys: list[str] = []
        for t in range(episodes):
            phase = 0 if t < self.drift_at else 1
            if t % reload_every == 0:  # a night: new data, and the shapes asked three times become skills
                skills = {k for k, n in seen.items() if n >= 3}
            version = f"v{t // reload_every}"
            shape = shapes[int(phases[phase][rng.choice(len(shapes), p=weights)])]
            cached = cache.get(shape.key, version) is not None
            new = shape.key not in seen
            plans = self.skill_plans(shape, skills, by_key, last)
            allowed = self.allowed_arms(shape, phase, plans, cached)
            u = rng.random()  # one draw per episode, shared by every arm (common random numbers)
            self.requests.append(
                Request(
                    shape.group_by,
                    cached=cached,
                    routed=query_arm(optimization="rollup") in allowed,
                    skill=bool(plans),
                    shorter=shape.shortest is not None,
                    new=new,
                    hinted=shape.hinted is not None,
                )
            )
            self.plain_ms[t] = float(shape.plain[int(u * len(shape.plain))])
            self.patterns.append(hint_pattern([shape.metric], shape.group_by))
            for name in allowed:
                a = INDEX[name]
                samples = self.outcomes(shape, name, cached, phase, new)
                drawn = samples[int(u * len(samples))]
                self.rewards[t, a] = self.reward.reward(drawn)
                self.ms[t, a] = drawn.elapsed_ms
                self.expected[t, a] = float(np.mean([self.reward.reward(o) for o in samples]))
            self.allowed.append(allowed)
            self.keys.append(shape.key)
            cache.put(shape.key, version, (), (), 0.0)
            seen[shape.key] = seen.get(shape.key, 0) + 1
            last[shape.key] = t

    def dim(self) -> int:
        """The number of context features (the learned path's: :data:`metricmind.learn.context.FEATURES`)."""
        return CONTEXT_DIM

    def context(self, t: int, latencies: PlainLatency | None = None) -> np.ndarray:
        """Episode ``t``'s context, built by the learned path's own function
        (:func:`metricmind.learn.context.features`) from what the server knows then: the request's
        facts and the pattern's last plain latency as the policy's own plain runs left it in
        ``latencies`` (unknown when None).
        """
        known = latencies.get(self.keys[t]) if latencies is not None else None
        return features(replace(self.requests[t], plain_ms=known))

    def contexts(self) -> np.ndarray:
        """Every episode's context with no plain latency known (for learners outside :func:`play`'s
        loop, such as the libraries ``bench/learn_libraries.py`` compares).
        """
        return np.array([self.context(t) for t in range(self.episodes)])

    @staticmethod
    def skill_plans(
        shape: Shape, skills: set[str], by_key: dict[str, Shape], last: dict[str, int]
    ) -> dict[str, str]:
        """Each skill option's plan (its join path), distinct plans only: the shape's own skill runs the
        canonical plan, the skill of its shorter reading's shape the shortest plan.
        """
        candidates = []  # (join path, own, mean ms, last used)
        if shape.key in skills:
            candidates.append(("canonical", True, float(shape.plain.mean()), last.get(shape.key, -1)))
        if shape.short_key in skills and shape.shortest is not None:
            other = by_key.get(shape.short_key or "")
            mean = float(other.plain.mean()) if other is not None else float(shape.shortest.mean())
            candidates.append(("shortest", False, mean, last.get(shape.short_key or "", -1)))
        if not candidates:
            return {}
        chosen = {
            "best_match": max(candidates, key=lambda c: (c[1], -c[2])),
            "fastest": min(candidates, key=lambda c: c[2]),
            "most_recent": max(candidates, key=lambda c: c[3]),
        }
        out: dict[str, str] = {}
        for option in SKILLS:
            if chosen[option][0] not in out.values():
                out[option] = chosen[option][0]
        return out

    @staticmethod
    def allowed_arms(shape: Shape, phase: int, plans: dict[str, str], cached: bool = True) -> list[str]:
        """The arms that apply to the request, by the learned path's own rule (:func:`offered_arms`): the
        plain plan, the shortest join path where its rows were equal, each skill option's plan, the
        result cache's arms only when the answer is ``cached``, the rollup when one answers the shape
        exactly in this phase, the hint arm on the Spark shapes with a hinted plan.
        """
        pairs = [("none", "canonical")]
        if shape.shortest is not None:
            pairs.append(("none", "shortest"))
        pairs += list(plans.items())
        return offered_arms(
            pairs,
            cached=cached,
            rollup=("day" if phase == 0 else "month") in shape.rollup,
            hinted=[("none", "canonical")] if shape.hinted is not None else [],
        )

    def outcomes(self, shape: Shape, name: str, cached: bool, phase: int, new: bool) -> list[Outcome]:
        """The possible outcomes of arm ``name`` (one per measured sample; the plan's compile or skill
        lookup sample with the same index).
        """
        factors = dict(part.split("=", 1) for part in name.split("|"))
        prep = shape.compile if factors["skill"] == "none" else shape.skill
        plan = shape.plan(factors["join_path"])

        def at(i: int) -> float:
            return float(prep[i % len(prep)])

        if factors["optimization"] == "result_cache" and cached:
            return [Outcome(True, float(ms) + at(i), shape.rows, True, new) for i, ms in enumerate(shape.hit)]
        if factors["optimization"] == "result_cache":
            put = float(np.mean(shape.put))
            return [
                Outcome(True, float(ms) + at(i) + put, shape.rows, False, new) for i, ms in enumerate(plan)
            ]
        if factors["optimization"] == "hints" and shape.hinted is not None:
            rewrite = shape.rewrite if shape.rewrite is not None else np.zeros(1)
            return [  # a hint is a request to the planner, not work saved: no optimization bonus
                Outcome(True, float(ms) + at(i) + float(rewrite[i % len(rewrite)]), shape.rows, False, new)
                for i, ms in enumerate(shape.hinted)
            ]
        if factors["optimization"] == "rollup":
            grain = "day" if phase == 0 else "month"
            if grain in shape.rollup:
                samples = shape.rollup[grain]
                return [
                    Outcome(True, float(ms) + at(i), shape.rows, True, new) for i, ms in enumerate(samples)
                ]
        return [Outcome(True, float(ms) + at(i), shape.rows, False, new) for i, ms in enumerate(plan)]


def play(work: Workload, policy: Policy) -> np.ndarray:
    """Run ``policy`` over the workload's episodes as the learned path does (build the context, decide,
    observe the drawn reward, train); the index in :data:`ARMS` of the arm chosen at each episode. Each
    decision names its context by the shape's key (the learned path: the query's pattern) for the
    per-context exploration schedule (:meth:`Policy.epsilon_for`), and its hint pattern for the
    per-pattern effects; a plain answer's latency is remembered for the pattern's next context.
    """
    chosen = np.zeros(work.episodes, dtype=int)
    latencies = PlainLatency()
    for t in range(work.episodes):
        x = work.context(t, latencies)
        pattern = work.patterns[t]
        pick = policy.choose(x, work.allowed[t], work.keys[t], pattern)
        chosen[t] = INDEX[pick]
        cost = math.log1p(float(work.ms[t, chosen[t]]))  # the latency: what breaks ties in reward
        policy.observe(x, pick, float(work.rewards[t, chosen[t]]), cost, pattern)
        if pick == PLAIN:
            latencies.record(work.keys[t], float(work.plain_ms[t]))
    return chosen


def recovery(
    learned: np.ndarray, oracle: np.ndarray, start: int, share: float = 0.85, window: int = 100
) -> int | None:
    """Episodes after ``start`` until the learned moving-average reward reaches ``share`` of the oracle's."""
    for t in range(start + 1, len(learned) + 1):
        lo = max(start, t - window)
        if learned[lo:t].sum() >= share * oracle[lo:t].sum() and t - lo >= min(window, len(learned) - start):
            return t - start
    return None


def simulate(
    episodes: int = 2000,
    seed: int = 0,
    *,
    algorithm: str = "linucb",
    epsilon: float = 0.1,
    table: dict[str, Any] | None = None,
    reward: RewardConfig | None = None,
    policy_options: Mapping[str, Any] | None = None,
    nights: bool = True,
) -> dict[str, Any]:
    """Run the policy on the simulated workload; the figures ``metricmind learn simulate`` prints.
    ``policy_options`` override the query policy's (:func:`~metricmind.learn.context.query_policy`);
    ``nights=False`` leaves out the materialization nights (``materialization`` is then None).
    """
    from metricmind.learn.materialize import simulate_nights

    data = table or load_table()
    work = Workload(shapes_of(data), episodes, seed, reward=reward)
    policy = query_policy(
        list(ARMS), algorithm=algorithm, epsilon=epsilon, seed=seed, **dict(policy_options or {})
    )
    chosen = play(work, policy)
    rows = np.arange(episodes)
    got = work.rewards[rows, chosen]
    best = work.expected.argmax(axis=1)
    oracle = work.rewards[rows, best]
    plain = work.rewards[:, INDEX[PLAIN]]
    fixed = np.where(np.isnan(work.rewards), plain[:, None], work.rewards).sum(axis=0)
    rng = np.random.default_rng(seed + 1)
    random_arms = [INDEX[a[int(rng.integers(len(a)))]] for a in work.allowed]
    random = work.rewards[rows, random_arms]
    # regret against the oracle's EXPECTED reward per context (the pseudo-regret of the bandit
    # literature): the noise of one drawn sample neither adds nor hides regret
    regret = np.cumsum(work.expected[rows, best] - work.expected[rows, chosen])
    realized = np.cumsum(oracle - got)
    step = max(1, episodes // 20)
    return {
        "episodes": episodes,
        "seed": seed,
        "algorithm": algorithm,
        "reward": round(float(got.sum()), 2),
        "oracle_reward": round(float(oracle.sum()), 2),
        "best_fixed_reward": round(float(fixed.max()), 2),
        "best_fixed_arm": ARMS[int(fixed.argmax())],
        "random_reward": round(float(random.sum()), 2),
        "share_of_oracle": round(float(got.sum() / oracle.sum()), 4),
        "regret_curve": [[t, round(float(regret[t - 1]), 2)] for t in range(step, episodes + 1, step)],
        "realized_regret_curve": [
            [t, round(float(realized[t - 1]), 2)] for t in range(step, episodes + 1, step)
        ],
        "drift_at": work.drift_at,
        "recovery_episodes_after_drift": recovery(got, oracle, work.drift_at),
        "latency_ms": {
            "plain": round(float(work.ms[:, INDEX[PLAIN]].mean()), 3),
            "learned": round(float(work.ms[rows, chosen].mean()), 3),
            "oracle": round(float(work.ms[rows, best].mean()), 3),
        },
        "factors": factor_shares(chosen, work.allowed),
        "arms": [a for a in policy.arm_stats() if a["pulls"]],
        "shapes": len(work.shapes),
        "materialization": simulate_nights(
            data, seed=seed, algorithm=algorithm, epsilon=epsilon, reward=reward
        )
        if nights
        else None,
    }


def factor_shares(chosen: np.ndarray, allowed: list[list[str]]) -> dict[str, Any]:
    """For each factor option, the share of episodes where it was offered and where it was chosen."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    n = max(1, len(chosen))
    for factor in ("skill", "join_path", "optimization"):
        offered: dict[str, int] = {}
        played: dict[str, int] = {}
        for a, arms in zip(chosen, allowed, strict=True):
            options = {dict(p.split("=", 1) for p in x.split("|"))[factor] for x in arms}
            for o in options:
                offered[o] = offered.get(o, 0) + 1
            o = dict(p.split("=", 1) for p in ARMS[a].split("|"))[factor]
            played[o] = played.get(o, 0) + 1
        out[factor] = {
            o: {"offered": round(offered[o] / n, 4), "chosen": round(played.get(o, 0) / n, 4)}
            for o in sorted(offered)
        }
    return out
