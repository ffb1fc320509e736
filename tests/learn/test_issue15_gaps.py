"""Issue 15's last gaps: one rule for the arms offered (learned path and simulator), regret against the
oracle's expected reward, the per-context exploration schedule, follow-up suggestions ranked by the
query log."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from metricmind.errors import MetricmindError
from metricmind.learn.context import FEATURES
from metricmind.learn.policy import Policy, offered_arms, query_arm
from metricmind.learn.simulate import Workload, load_table, shapes_of, simulate
from metricmind.project.results import DimensionInfo
from metricmind.project.suggest import follow_up_dimensions, query_log_usage

CACHE = query_arm(optimization="result_cache")


def test_offered_arms_is_one_rule() -> None:
    plans = [("none", "canonical"), ("none", "shortest"), ("best_match", "canonical")]
    cold = offered_arms(plans, cached=False, rollup=False)
    assert cold == [query_arm(), query_arm(join_path="shortest"), query_arm("best_match")]
    warm = offered_arms(plans, cached=True, rollup=True, hinted=[("none", "canonical")])
    assert (
        query_arm(optimization="hints") in warm
        and query_arm(join_path="shortest", optimization="hints") not in warm
    )
    assert {CACHE, query_arm(join_path="shortest", optimization="result_cache")} <= set(warm)
    assert warm[-1] == query_arm(optimization="rollup") and len(warm) == len(set(warm))


def test_the_simulator_offers_the_cache_arm_only_for_a_cached_answer() -> None:
    """As the learned path (tests/test_learn_arms.py holds the same of Learner.offered)."""
    work = Workload(shapes_of(load_table()), 600, 3)
    cached_at = FEATURES.index("cached")  # the "answer is cached" feature, as the learned path builds it
    cached = [bool(work.context(t)[cached_at]) for t in range(work.episodes)]
    assert 0 < sum(cached) < work.episodes
    for t, arms in enumerate(work.allowed):
        assert any("result_cache" in a for a in arms) == cached[t], (t, arms)


def test_regret_is_against_the_oracles_expected_reward() -> None:
    """The regret curve adds, per episode, the best allowed arm's expected reward less the chosen arm's:
    never negative (the drawn reward's noise can make the realized difference negative)."""
    result = simulate(600, 2)
    regret = [r for _, r in result["regret_curve"]]
    assert all(b >= a for a, b in zip(regret, regret[1:], strict=False)) and regret[0] >= 0
    assert len(result["realized_regret_curve"]) == len(result["regret_curve"])


def test_the_per_context_schedule_starts_at_epsilon_and_decays_with_visits() -> None:
    policy = Policy(["a", "b"], 1, epsilon=0.1, epsilon_visits=10, seed=1)
    assert policy.epsilon_schedule == "per_context"
    for _ in range(40):
        assert policy.epsilon_for([1.0], "p") <= 0.1
        policy.choose([1.0], key="p")
    assert policy.epsilon_for([1.0], "p") == pytest.approx(0.05)  # sqrt(10 / 40)
    assert policy.epsilon_for([1.0], "other") == 0.1  # another context starts afresh
    constant = Policy(["a", "b"], 1, epsilon=0.1, epsilon_schedule="constant")
    for _ in range(40):
        constant.choose([1.0], key="p")
    assert constant.epsilon_for([1.0], "p") == 0.1
    restored = Policy.from_state(policy.state())
    assert restored.visits == policy.visits and restored.epsilon_for([1.0], "p") == pytest.approx(0.05)
    old = policy.state()
    del old["epsilon_schedule"], old["visits"]
    assert Policy.from_state(old).epsilon_schedule == "constant"  # a checkpoint from before the schedule
    with pytest.raises(MetricmindError, match="exploration schedule"):
        Policy(["a"], 1, epsilon_schedule="sometimes")


def _info(name: str) -> DimensionInfo:
    return DimensionInfo(name=name, type="categorical")


def test_follow_ups_rank_by_the_query_logs_usage(tmp_path: Path) -> None:
    infos = [_info(n) for n in ("customer__plan", "customer__region", "customer__segment")]
    values = {
        "customer__plan": ["a", "b", "c"],
        "customer__region": ["x", "y", "z", "w"],
        "customer__segment": ["s", "t", "u", "v"],
    }
    plain = follow_up_dimensions(infos, values, lambda _: True)
    assert plain == ["customer__plan", "customer__region", "customer__segment"]
    assert follow_up_dimensions(infos, values, lambda _: True, usage={}) == plain
    used = follow_up_dimensions(
        infos, values, lambda _: True, usage={"customer__segment": 9, "customer__region": 2}
    )
    assert used == ["customer__segment", "customer__region", "customer__plan"]
    # from a store: the knowledge graph's HAS_DIMENSION uses, summed over the answer's metrics
    missing = tmp_path / "none.db"
    assert query_log_usage(f"sqlite:///{missing}", ["revenue"]) == {} and not missing.exists()
    from metricmind.knowledge.schema import edges, nodes
    from metricmind.storage import make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        ids = {}
        for kind, key in [
            ("metric", "revenue"),
            ("metric", "orders"),
            ("dimension", "customer__region"),
            ("dimension", "customer__segment"),
        ]:
            ids[key] = conn.execute(sa.insert(nodes).values(kind=kind, key=key)).inserted_primary_key[0]
        for src, dst, uses in [
            ("revenue", "customer__region", 3),
            ("orders", "customer__region", 4),
            ("revenue", "customer__segment", 5),
            ("orders", "customer__segment", 0),
        ]:
            conn.execute(sa.insert(edges).values(kind="HAS_DIMENSION", src=ids[src], dst=ids[dst], uses=uses))
    engine.dispose()
    assert query_log_usage(url, ["revenue", "orders"]) == {"customer__region": 7, "customer__segment": 5}
    assert query_log_usage(url, ["orders"]) == {"customer__region": 4}
    bare = tmp_path / "bare.db"
    with sqlite3.connect(bare) as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")
    assert query_log_usage(f"sqlite:///{bare}", ["revenue"]) == {}  # no knowledge graph yet
