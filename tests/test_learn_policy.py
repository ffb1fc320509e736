"""The reward function, the bandit policy and its checkpoints, the result cache's safety on real data."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pytest

from metricmind.errors import MetricmindError
from metricmind.learn.cache import ResultCache
from metricmind.learn.memory import Memory
from metricmind.learn.policy import ActionSpace, Policy, arm_action, arm_key
from metricmind.learn.reward import Outcome, RewardConfig
from metricmind.learn.safety import ArmGuard, same_answer
from metricmind.project import Project
from metricmind.spec.query import MetricQuery


def test_default_reward_function() -> None:
    cfg = RewardConfig()
    assert cfg.reward(Outcome(True, 200, 50)) == 10 + 5 + 2
    assert cfg.reward(Outcome(True, 2_000, 0)) == 10 + 2 - 1
    assert cfg.reward(Outcome(True, 30_000, 2_000_000)) == 10 - 2
    assert cfg.reward(Outcome(True, 61_000, 10_001)) == 10 - 3
    assert cfg.reward(Outcome(True, 10, 1, optimized=True, new_pattern=True)) == 10 + 5 + 2 + 3 + 5
    assert cfg.reward(Outcome(False, 10, 0)) == -5
    assert cfg.reward(Outcome(False, 10, 0, new_pattern=True)) == 0


def test_reward_config_overrides_and_rejects_unknown_keys() -> None:
    cfg = RewardConfig.from_mapping({"success": 20, "optimization_applied": 0})
    assert cfg.reward(Outcome(True, 10, 5, optimized=True)) == 20 + 5 + 2
    with pytest.raises(MetricmindError, match=r"Unknown reward key\(s\) 'sucess' in learn.reward") as info:
        RewardConfig.from_mapping({"sucess": 1})
    assert "success" in (info.value.hint or "")
    with pytest.raises(MetricmindError, match="not a number"):
        RewardConfig.from_mapping({"success": "ten"})


def test_action_space_and_arm_names() -> None:
    space = ActionSpace.of("optimization", "materialization")
    arms = space.arms()
    assert len(arms) == 3 * 4 and arms[0] == "optimization=none|materialization=view"
    assert arm_action(arm_key({"skill": "fastest", "join_path": "direct"})) == {
        "skill": "fastest",
        "join_path": "direct",
    }
    with pytest.raises(MetricmindError, match="Unknown decision factor"):
        ActionSpace.of("colour")


@pytest.mark.parametrize("algorithm", ["linucb", "thompson"])
def test_policy_learns_the_best_arm_per_context(algorithm: str) -> None:
    """Two contexts with opposite best arms: after training, the policy picks each context's best."""
    rng = np.random.default_rng(3)
    policy = Policy(["a", "b"], 2, algorithm=algorithm, epsilon=0.1, seed=3)
    contexts = [np.array([1.0, 0.0]), np.array([0.0, 1.0])]
    means = {(0, "a"): 15.0, (0, "b"): 10.0, (1, "a"): 9.0, (1, "b"): 17.0}
    for t in range(600):
        c = t % 2
        arm = policy.choose(contexts[c])
        trained = policy.observe(contexts[c], arm, means[c, arm] + rng.normal(0, 1))
        assert trained == (policy.experiences % 32 == 0)
    assert policy.trainings == 600 // 32
    greedy = Policy.from_state(policy.state() | {"epsilon": 0.0}, seed=1)
    assert greedy.choose(contexts[0]) == "a" and greedy.choose(contexts[1]) == "b"
    assert greedy.choose(contexts[1], allowed=["a"]) == "a"  # only what the caller allows
    pulls = {s["arm"]: s["pulls"] for s in policy.arm_stats()}
    assert sum(pulls.values()) == 600 and min(pulls.values()) >= 30  # ε keeps exploring


def test_policy_rejects_bad_input() -> None:
    with pytest.raises(MetricmindError, match="Unknown bandit algorithm"):
        Policy(["a"], 1, algorithm="ppo")
    policy = Policy(["a", "b"], 2)
    with pytest.raises(MetricmindError, match="has 3 features, the policy expects 2"):
        policy.choose([1.0, 0.0, 0.0])
    with pytest.raises(MetricmindError, match="not arms of this policy"):
        policy.choose([1.0, 0.0], allowed=["c"])


def test_policy_checkpoint_round_trips_through_the_store(tmp_path: Path) -> None:
    policy = Policy(["x", "y"], 3, seed=5)
    for t in range(40):
        policy.observe([1.0, t % 2, 0.5], "x" if t % 3 else "y", float(t % 5))
    memory = Memory.open(f"sqlite:///{tmp_path / 'store.db'}")
    memory.save_checkpoint("policy", policy.experiences, policy.state())
    restored = Policy.from_state(memory.load_checkpoint("policy") or {})
    assert restored.experiences == 40 and restored.trainings == policy.trainings
    assert np.allclose(restored.theta, policy.theta)
    assert restored.scores([1.0, 1.0, 0.5]) == pytest.approx(policy.scores([1.0, 1.0, 0.5]))
    memory.close()


def test_cached_answer_equals_plain_and_is_never_served_after_the_data_changed(
    shop_dir: Path, tmp_path: Path
) -> None:
    root = tmp_path / "shop"
    shutil.copytree(shop_dir, root)
    project = Project.load(root)
    sql = project.compile(MetricQuery.build(["revenue"], ["metric_time__year"]))
    version = project._warehouse_signature()
    plain = project.warehouse.run(sql)
    cache = ResultCache()
    assert cache.put(sql, version, plain.columns, plain.rows, plain.elapsed_ms)
    hit = cache.get(sql, version)
    assert hit is not None and list(hit.rows) == [tuple(r) for r in project.warehouse.run(sql).rows]
    assert hit.columns == tuple(plain.columns)
    project.close()
    # the data changes: a new order doubles one day's revenue
    con = duckdb.connect(str(root / "target" / "shop.duckdb"))
    con.execute("INSERT INTO orders SELECT * FROM orders LIMIT 1")
    con.close()
    project = Project.load(root)
    changed = project._warehouse_signature()
    assert changed != version
    assert cache.get(sql, changed) is None and cache.stats()["stale"] == 1
    fresh = project.warehouse.run(sql)
    assert fresh.rows != plain.rows  # the old answer would have been wrong
    assert cache.get(sql, None) is None and not cache.put(sql, None, [], [], 0.0)  # no version, no cache
    project.close()


def test_guard_bans_an_arm_whose_answer_differs_on_real_rows(shop_dir: Path) -> None:
    """A day rollup re-aggregated to months: exact for a sum, wrong for a ratio → that arm is banned."""
    project = Project.load(shop_dir)
    # Through the project's own (sandboxed) connection: a second, differently configured connection to the
    # same file in this process would be refused by DuckDB.
    wh = project.warehouse
    guard = ArmGuard("optimization=none", trusted_after=2, sample=0.0)
    for metric, arm in (("revenue", "rollup_sum"), ("avg_order_value", "rollup_ratio")):
        plain = wh.run(project.compile(MetricQuery.build([metric], ["metric_time__month"]))).rows
        day = project.compile(MetricQuery.build([metric], ["metric_time__day"]))
        rolled = wh.run(
            f"SELECT DATE_TRUNC('month', metric_time__day), SUM({metric}) FROM ({day}) GROUP BY 1"
        ).rows
        assert guard.should_verify(arm)
        guard.check(arm, plain, rolled, what=f"{metric} by month")
    project.close()
    assert guard.report() == [
        {
            "arm": "rollup_ratio",
            "reason": "its answer differed from the plain plan's for avg_order_value by month",
        }
    ]
    arms = ["optimization=none", "rollup_sum", "rollup_ratio"]
    assert guard.allowed(arms) == ["optimization=none", "rollup_sum"]
    assert not guard.should_verify("optimization=none")
    restored = ArmGuard.from_state(guard.state())
    assert restored.allowed(arms) == guard.allowed(arms) and restored.checks == {"rollup_sum": 1}


def test_same_answer_ignores_order_and_type_but_not_values() -> None:
    left = [(dt.datetime(2026, 1, 1), Decimal("1.50")), (dt.datetime(2026, 2, 1), 2)]
    assert same_answer(left, [(dt.date(2026, 2, 1), 2.0), (dt.date(2026, 1, 1), 1.5)])
    assert not same_answer(left, [(dt.date(2026, 2, 1), 2.0), (dt.date(2026, 1, 1), 1.5000001)])
    assert not same_answer(left, left[:1])
