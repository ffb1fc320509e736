"""The hint's per-pattern effect: learned per query pattern beyond the shared model, exact when a
pattern is forgotten, bounded, checkpointed; the learned path and the simulator build their context
with one function and name the hint pattern the same way."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from metricmind import MetricQuery, Project
from metricmind.learn.context import (
    DIM,
    FEATURES,
    PlainLatency,
    Request,
    features,
    hint_pattern,
    query_policy,
)
from metricmind.learn.monitor import hint_patterns_section
from metricmind.learn.patterns import HINT_OPTIONS, PATTERN_RIDGE
from metricmind.learn.policy import Policy, query_arm
from metricmind.learn.simulate import Workload, load_table, shapes_of
from metricmind.project.learning import ARMS, CHECKPOINT, HINT_ARMS, Learner

PLAIN = query_arm()
HINT = query_arm(optimization="hints")
OPTION = HINT_OPTIONS[0]


def _policy(**options: object) -> Policy:
    return Policy([PLAIN, HINT], 1, seed=0, pattern_options=HINT_OPTIONS, **options)  # type: ignore[arg-type]


def _teach(policy: Policy, effects: dict[str, float], rounds: int, seed: int = 0) -> None:
    """Every pattern of ``effects`` asked in turn (same context); the hint adds its effect to the reward."""
    rng = np.random.default_rng(seed)
    for t in range(rounds):
        pattern = list(effects)[t % len(effects)]
        arm = policy.choose([1.0], [PLAIN, HINT], key=pattern, pattern=pattern)
        reward = 10.0 + (effects[pattern] if arm == HINT else 0.0) + rng.normal(0, 1)
        policy.observe([1.0], arm, reward, 1.0, pattern)


def test_the_hint_is_learned_per_pattern_where_the_context_cannot_tell() -> None:
    """Two patterns with the same context, the hint +3 on one and -3 on the other: only a per-pattern
    effect can tell them apart (a shared model learns their average, 0)."""
    policy = _policy()
    _teach(policy, {"a": 3.0, "b": -3.0}, 600)
    policy.epsilon = 0.0
    assert policy.choose([1.0], [PLAIN, HINT], pattern="a") == HINT
    assert policy.choose([1.0], [PLAIN, HINT], pattern="b") == PLAIN
    a, b = policy.pattern_effect(OPTION, "a"), policy.pattern_effect(OPTION, "b")
    assert a is not None and b is not None and a["reward"] - b["reward"] > 4 and a["runs"] > 5
    # a pattern never run with the hint: the shared model's estimate and the prior's uncertainty
    prior = {"reward": 0.0, "sd": round(PATTERN_RIDGE**-0.5, 3), "runs": 0.0}
    assert policy.pattern_effect(OPTION, "new") == prior
    shared = Policy([PLAIN, HINT], 1, seed=0)
    _teach(shared, {"a": 3.0, "b": -3.0}, 600)
    shared.epsilon = 0.0
    assert len({shared.choose([1.0], [PLAIN, HINT], pattern=p) for p in "ab"}) == 1


def test_the_effects_survive_a_checkpoint_round_trip() -> None:
    policy = _policy()
    _teach(policy, {"a": 3.0, "b": -3.0, "c": 1.0}, 300)
    state = json.loads(json.dumps(policy.state()))  # JSON-ready, as the memory stores it
    restored = Policy.from_state(state)
    assert restored.effects is not None and list(restored.effects.rows) == list(policy.effects.rows)  # type: ignore[union-attr]
    for pattern in "abc":
        assert restored.pattern_effect(OPTION, pattern) == policy.pattern_effect(OPTION, pattern)
        mine = policy.scores([1.0], [PLAIN, HINT], pattern)
        assert restored.scores([1.0], [PLAIN, HINT], pattern) == pytest.approx(mine)
    # a checkpoint from before the effects restores without them
    del state["effects"]
    assert Policy.from_state(state).effects is None


def test_the_effects_are_capped_and_forgetting_one_is_exact() -> None:
    """At most ``max_patterns`` effects; the least recently used is marginalized out, so the shared
    blocks' posterior is the one the full model has (no decay: the comparison is exact)."""
    capped = _policy(max_patterns=2, decay=1.0, batch=10_000)
    full = _policy(max_patterns=100, decay=1.0, batch=10_000)
    rng = np.random.default_rng(3)
    for pattern, effect in (("a", 2.0), ("b", -1.0), ("c", 1.5), ("d", -2.0)):  # each pattern once, in turn
        for _ in range(40):
            arm = HINT if rng.random() < 0.5 else PLAIN
            reward = 10.0 + (effect if arm == HINT else 0.0) + rng.normal(0, 1)
            for policy in (capped, full):
                policy.observe([1.0], arm, reward, 1.0, pattern)
    capped.train()
    full.train()
    assert capped.effects is not None and list(capped.effects.rows) == [f"{OPTION}@c", f"{OPTION}@d"]
    assert full.effects is not None and len(full.effects) == 4
    assert capped._w == pytest.approx(full._w) and capped._cov == pytest.approx(full._cov)
    for pattern in "cd":
        assert capped.pattern_effect(OPTION, pattern) == full.pattern_effect(OPTION, pattern)
    assert capped.pattern_effect(OPTION, "a") == {
        "reward": 0.0,
        "sd": round(PATTERN_RIDGE**-0.5, 3),
        "runs": 0.0,
    }
    report = capped.pattern_report()
    assert report is not None and report["patterns"] == 2 and report["cap"] == 2


def test_the_hint_pattern_is_the_querys_joins_not_its_range_or_literals() -> None:
    one = hint_pattern(["revenue"], ["metric_time__month", "customer__segment"], ["x = 'Enterprise'"])
    two = hint_pattern(["revenue"], ["customer__segment", "metric_time__month"], ["x = 'SMB'"])
    assert one == two and one.startswith("revenue by customer__segment,metric_time__month | x = ?")
    assert hint_pattern(["revenue"], ["customer__region"]) != hint_pattern(["revenue"], ["customer__segment"])
    long = hint_pattern([f"metric_{i}" for i in range(40)], [])
    assert len(long) < 120 and long != hint_pattern([f"metric_{i}" for i in range(41)], [])


def test_the_simulator_builds_its_context_with_the_learned_paths_function() -> None:
    work = Workload(shapes_of(load_table()), 300, 1)
    assert work.dim() == DIM == len(FEATURES)
    latencies = PlainLatency()
    latencies.record(work.keys[5], 1234.0)
    x = work.context(5, latencies)
    request = work.requests[5]
    assert np.array_equal(x, features(Request(**{**request.__dict__, "plain_ms": 1234.0})))
    assert x[FEATURES.index("plain_ms")] == pytest.approx(np.log1p(1234.0) / 10)
    spark = [t for t in range(300) if work.keys[t].startswith("spark:")]
    assert spark and all(work.context(t)[FEATURES.index("hinted")] == 1.0 for t in spark)
    shape = next(s for s in work.shapes if s.key == work.keys[spark[0]])
    assert work.patterns[spark[0]] == hint_pattern([shape.metric], shape.group_by)


def test_plain_latencies_are_bounded() -> None:
    latencies = PlainLatency(cap=2)
    for i, pattern in enumerate("abc"):
        latencies.record(pattern, float(i))
    assert len(latencies) == 2 and latencies.get("a") is None and latencies.get("c") == 2.0


@pytest.fixture
def demo(demo_built: Path, tmp_path: Path) -> Iterator[Project]:
    root = tmp_path / "demo"
    shutil.copytree(demo_built, root, ignore=shutil.ignore_patterns(".metricmind"))
    project = Project.load(root)
    yield project
    project.close()


def test_the_learned_path_decides_the_hint_per_pattern(demo: Project) -> None:
    """The real path's context is the shared function's, with "a hinted plan exists"; its decisions and
    observations carry the hint pattern, whose effect is learned, checkpointed, reported in
    ``learn status`` and in each episode's reason. (DuckDB has no hints: the "hinted" plan here is the
    plain SQL, which returns the plain rows, so the guard passes it.)"""
    learner = Learner(demo, seed=2)
    learner.hinting = True
    learner.arms = ARMS + HINT_ARMS
    learner.policy = query_policy(learner.arms, epsilon=0.5, seed=2)
    learner.hinted = learner.compiled  # type: ignore[method-assign]
    queries = [
        MetricQuery.build("invoice_revenue", ["metric_time__month", "customer__segment"]),
        MetricQuery.build("invoice_count", "customer__segment"),
    ]
    query = queries[0]
    x = learner.context(query, "p", False, False, hinted=True)
    assert len(x) == DIM and x[FEATURES.index("hinted")] == 1.0 and x[FEATURES.index("categorical")] == 1.0
    assert np.array_equal(x, features(Request(tuple(query.group_by), hinted=True)))
    for _ in range(24):
        for q in queries:
            learner.serve(q)
    learner.flush()
    keys = [hint_pattern(q.metrics, q.group_by, q.where) for q in queries]
    effects = learner.policy.effects
    assert effects is not None and {f"{OPTION}@{k}" for k in keys} <= set(effects.rows)
    memory = demo.memory
    assert memory is not None
    state = memory.load_checkpoint(CHECKPOINT)
    assert state is not None and len(state["effects"]["rows"]) == 2
    assert {str(r[0]) for r in state["effects"]["rows"]} == {f"{OPTION}@{k}" for k in keys}
    reasons = [e["action"] for e in memory.episodes(100) if "hint_pattern" in e["action"]]
    assert len(reasons) == 48 and {r["hint_pattern"] for r in reasons} == set(keys)
    assert all({"reward", "sd", "runs"} <= set(r["hint_effect"]) for r in reasons)
    section = hint_patterns_section(memory)
    assert section["patterns"] == 2 and len(section["largest"]) == 2
    assert all(k in " ".join(section["largest"]) for k in keys)
