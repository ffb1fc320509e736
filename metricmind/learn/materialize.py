"""The materialization factor: how the nightly rollup builder keeps each rollup, decided by a bandit.

A rollup (:mod:`metricmind.learn.rollup`) can be kept four ways, each a different trade of build cost
against read latency:

* ``table``: ``CREATE TABLE … AS`` its source query every night (the full build; reads scan the
  small table);
* ``incremental``: last night's table with only its newest days recomputed (``DELETE`` the days from
  the cut, ``INSERT`` the source query's rows from the cut) — a fraction of the build, the same reads;
  right only while older days do not change, so its answers are verified like every arm's;
* ``view``: ``CREATE VIEW … AS`` the source (no build; every read runs the source query);
* ``ephemeral``: nothing kept; a read inlines the source as a CTE (no build, no object to drop).

:func:`statements` gives the DuckDB statements for one; ``bench/learn_measure.py`` measured each way's
build and read times (and that its rows equal the plain plan's) for every exact day rollup of the demo
(``data/arms.json``). The decision is made each night for each rollup the learner keeps, from the
rollup's uses the night before, its build time and its plain latency; its reward is the reward of the
next day's reads (:class:`metricmind.learn.reward.RewardConfig`: a read of a kept table or increment
is an optimization applied; views and ephemeral reads are not) minus ``build_cost`` per second of
build. :func:`simulate_nights` evaluates the policy on the measured table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from metricmind.learn.policy import ActionSpace, Policy, arm_action
from metricmind.learn.reward import Outcome, RewardConfig

KINDS = ("table", "incremental", "view", "ephemeral")
ARMS = ActionSpace({"materialization": KINDS}).arms()
#: The reward one second of nightly build costs.
BUILD_COST = 1.0


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def statements(
    kind: str, table: str, source: str, day: str = "metric_time__day", cut: str | None = None
) -> list[str]:
    """The DuckDB statements that keep rollup ``table`` of ``source`` as ``kind`` (``cut``: the first day
    an incremental refresh recomputes, an ISO date; without one the refresh is a full build).

    Raises:
        ValueError: an unknown kind or a cut that is not an ISO date.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown materialization {kind!r}; use one of {', '.join(KINDS)}")
    name = _q(table)
    if kind == "table" or (kind == "incremental" and cut is None):
        return [f"CREATE OR REPLACE TABLE {name} AS {source}"]
    if kind == "view":
        return [f"CREATE OR REPLACE VIEW {name} AS {source}"]
    if kind == "ephemeral":
        return [f"DROP TABLE IF EXISTS {name}", f"DROP VIEW IF EXISTS {name}"]
    import datetime as dt

    day_cut = dt.date.fromisoformat(str(cut)).isoformat()  # validated: never raw text in SQL
    return [
        f"DELETE FROM {name} WHERE {_q(day)} >= DATE '{day_cut}'",
        f"INSERT INTO {name} SELECT * FROM ({source}) AS s WHERE {_q(day)} >= DATE '{day_cut}'",
    ]


def read(kind: str, table: str, source: str, query: str) -> str:
    """``query`` (which reads ``table``) as it runs for ``kind``: an ephemeral rollup is inlined as a CTE."""
    return f"WITH {_q(table)} AS ({source}) {query}" if kind == "ephemeral" else query


@dataclass(frozen=True)
class Candidate:
    """One exact day rollup of the recorded table and its measured ways."""

    key: str
    rows: int
    plain_ms: float
    build: dict[str, np.ndarray]
    reads: dict[str, np.ndarray]


def candidates(table: Mapping[str, Any]) -> list[Candidate]:
    """The rollups with every way measured and exact."""
    out = []
    for row in table["shapes"]:
        for r in row["rollups"]:
            ways = r.get("materializations") or {}
            if not r["exact"] or set(ways) != set(KINDS) or not all(w["exact"] for w in ways.values()):
                continue
            out.append(
                Candidate(
                    f"{row['metric']}|{','.join(row['group_by'])}",
                    int(row["rows"]),
                    float(np.mean(row["plain_ms"])),
                    {k: np.asarray(w["build_ms"], dtype=float) for k, w in ways.items()},
                    {k: np.asarray(w["read_ms"], dtype=float) for k, w in ways.items()},
                )
            )
    return out


def features(uses_before: int, build_ms: float, plain_ms: float) -> np.ndarray:
    """The nightly decision's context: yesterday's uses, the table's build time, the plain latency."""
    return np.array(
        [
            uses_before / 10,
            1.0 if uses_before else 0.0,
            math.log1p(uses_before) / 3,
            math.log1p(build_ms) / 10,
            math.log1p(plain_ms) / 10,
        ]
    )


def night_reward(
    kind: str, c: Candidate, uses: int, i: int, reward: RewardConfig, build_cost: float = BUILD_COST
) -> float:
    """The reward of keeping ``c`` as ``kind`` for a day of ``uses`` reads (sample ``i`` of each)."""
    build = c.build[kind]
    reads = c.reads[kind]
    kept = kind in ("table", "incremental")
    one = reward.reward(Outcome(True, float(reads[i % len(reads)]), c.rows, optimized=kept))
    return uses * one - build_cost * float(build[i % len(build)]) / 1000


def simulate_nights(
    table: Mapping[str, Any],
    *,
    nights: int = 30,
    seed: int = 0,
    algorithm: str = "linucb",
    epsilon: float = 0.1,
    reward: RewardConfig | None = None,
    requests: int = 150,
    zipf: float = 1.1,
    policy: Policy | None = None,
    kinds: tuple[str, ...] = KINDS,
) -> dict[str, Any]:
    """Decide each night how to keep each rollup; popularity reshuffled halfway (drift).

    Returns the reward of the policy, the oracle (best expected way per rollup and night), each fixed
    way and random, and how often each way was chosen. ``policy``: train this policy (default a new one);
    ``kinds``: the ways offered (a rollup with no day to refresh by has no ``incremental``).
    """
    reward = reward or RewardConfig()
    pool = candidates(table)
    if not pool:
        return {"rollups": 0}
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, len(pool) + 1) ** zipf
    weights /= weights.sum()
    phases = [rng.permutation(len(pool)), rng.permutation(len(pool))]
    policy = policy or Policy(ARMS, 5, algorithm=algorithm, epsilon=epsilon, seed=seed)
    got = oracle = rand = 0.0
    fixed = dict.fromkeys(kinds, 0.0)
    chosen = dict.fromkeys(KINDS, 0)
    before = np.zeros(len(pool), dtype=int)
    for night in range(nights):
        order = phases[0 if night < nights // 2 else 1]
        uses = np.zeros(len(pool), dtype=int)
        uses[order] = rng.poisson(weights * requests)
        for j, c in enumerate(pool):
            x = features(int(before[j]), float(c.build["table"].mean()), c.plain_ms)
            i = int(rng.integers(1 << 30))
            now = {k: night_reward(k, c, int(uses[j]), i, reward) for k in KINDS}
            mean = {
                k: float(
                    np.mean([night_reward(k, c, int(uses[j]), s, reward) for s in range(len(c.reads[k]))])
                )
                for k in KINDS
            }
            pick = arm_action(policy.choose(x, [f"materialization={k}" for k in kinds]))["materialization"]
            plain = int(uses[j]) * reward.reward(Outcome(True, c.plain_ms, c.rows))
            policy.observe(x, f"materialization={pick}", now[pick] - plain)  # its advantage
            got += now[pick]
            oracle += now[max(kinds, key=lambda k: mean[k])]
            rand += now[kinds[int(rng.integers(len(kinds)))]]
            for k in kinds:
                fixed[k] += now[k]
            chosen[pick] += 1
        before = uses
    best = max(fixed, key=lambda k: fixed[k])
    return {
        "rollups": len(pool),
        "nights": nights,
        "reward": round(got, 2),
        "oracle_reward": round(oracle, 2),
        "best_fixed_reward": round(fixed[best], 2),
        "best_fixed": best,
        "random_reward": round(rand, 2),
        "share_of_oracle": round(got / oracle, 4) if oracle else None,
        "chosen": chosen,
    }


class Chooser:
    """The nightly builder's materialization decisions: a :class:`Policy` over :data:`KINDS`.

    A new chooser starts from the policy trained on the measured table (:func:`simulate_nights` over
    ``data/arms.json``: 30 nights), so the first real night is not a coin toss; each real build then
    adds its measured reward (:meth:`reward`). :meth:`state` / :meth:`from_state` are JSON-ready.
    """

    def __init__(
        self, policy: Policy, reward: RewardConfig | None = None, build_cost: float = BUILD_COST
    ) -> None:
        self.policy = policy
        self.reward_config = reward or RewardConfig()
        self.build_cost = build_cost

    @classmethod
    def pretrained(cls, seed: int = 0, reward: RewardConfig | None = None) -> Chooser:
        """A chooser whose policy has played the measured table's nights."""
        from metricmind.learn.simulate import load_table

        policy = Policy(ARMS, 5, seed=seed)
        simulate_nights(load_table(), seed=seed, reward=reward, policy=policy)
        return cls(policy, reward)

    @classmethod
    def from_state(cls, state: Mapping[str, Any], reward: RewardConfig | None = None) -> Chooser:
        """Inverse of :meth:`state`."""
        return cls(Policy.from_state(state), reward)

    def state(self) -> dict[str, Any]:
        """JSON-ready."""
        return self.policy.state()

    def choose(
        self, uses: int, build_ms: float, plain_ms: float, allowed: list[str]
    ) -> tuple[str, np.ndarray]:
        """The kind to keep a rollup as (among ``allowed`` kinds) and the context it was chosen in."""
        x = features(uses, build_ms, plain_ms)
        arms = [f"materialization={k}" for k in allowed]
        return arm_action(self.policy.choose(x, arms))["materialization"], x

    def reward(
        self,
        kind: str,
        uses: int,
        build_ms: float,
        read_ms: float,
        rows: int,
        plain_ms: float,
        ok: bool = True,
    ) -> float:
        """What the policy learns from keeping a rollup as ``kind``: the reward of ``uses`` reads at
        ``read_ms`` (an optimization applied for a kept table) minus ``build_cost`` per second of build
        (a wrong answer is a failure), less what the plain plan at ``plain_ms`` would have earned for the
        same reads: the advantage over not materializing (``ephemeral`` earns 0). The baseline does not
        depend on the choice, so the best choice stays the same; it removes the noise of the day's uses.
        """
        kept = kind in ("table", "incremental")
        one = self.reward_config.reward(Outcome(ok, read_ms, rows, optimized=kept and ok))
        plain = self.reward_config.reward(Outcome(True, plain_ms, rows))
        return max(uses, 1) * (one - plain) - self.build_cost * build_ms / 1000

    def observe(self, x: np.ndarray, kind: str, reward: float) -> None:
        """Record the reward of a decision."""
        self.policy.observe(x, f"materialization={kind}", reward)
