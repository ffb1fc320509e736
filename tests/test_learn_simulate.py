"""The simulator (measured arms, fixed seeds) bounds, and the ``metricmind learn`` commands."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from metricmind.interfaces.cli.app import app
from metricmind.learn.context import query_policy
from metricmind.learn.memory import Episode
from metricmind.learn.policy import Policy, query_arm
from metricmind.learn.simulate import ARMS, SPARK, Workload, load_table, play, shapes_of, simulate
from metricmind.project import Project

runner = CliRunner()


def test_recorded_table_is_measured_with_noise_and_exactness() -> None:
    table = load_table()
    shapes = shapes_of(table)
    assert len(shapes) >= 100 and table["meta"]["runs"] >= 3
    assert all(len(s.plain) >= 3 for s in shapes)
    assert sum(np.ptp(s.plain) > 0 for s in shapes) > 0.9 * len(shapes)  # real noise, not constants
    exact = [s for s in shapes if s.rollup]
    assert 0 < len(exact) < len(shapes)  # some rollups answer exactly, some (ratios, distincts) do not


def sublinear(regret: dict[int, float]) -> bool:
    """Regret grows slower than the episodes: the average regret per episode after 2,000 is below the
    average after 1,000, itself below the first quarter's, and the first quarter (learning) adds more
    than any later quarter (the drift included).
    """
    marks = [500, 1000, 1500, 2000]
    steps = [regret[500]] + [regret[b] - regret[a] for a, b in zip(marks, marks[1:], strict=False)]
    return regret[2000] / 2000 < regret[1000] / 1000 < regret[500] / 500 and steps[0] > max(steps[1:])


# Seeds 3 and 4 are the ones where the former (disjoint, uniform-ε) policy lost to the best fixed arm,
# 7 one where regret was not sublinear before the hint's per-pattern effect (December 6);
# bench/learn_seeds.py runs seeds 0-19 (and more with --first/--seeds: 39 of seeds 0-39 sublinear).
@pytest.mark.parametrize("seed", range(10))
def test_policy_beats_fixed_and_random_and_recovers_after_drift(seed: int) -> None:
    result = simulate(2000, seed)
    assert result["reward"] >= 0.9 * result["oracle_reward"]  # the bound
    assert result["share_of_oracle"] >= 0.995  # what it does: 99.73% on the worst of seeds 0-39
    assert result["reward"] > result["best_fixed_reward"]
    assert result["reward"] > result["random_reward"]
    assert sublinear(dict(result["regret_curve"]))
    assert result["recovery_episodes_after_drift"] is not None
    assert result["recovery_episodes_after_drift"] <= 100  # the first full window after the drift


def test_thompson_sampling_meets_the_same_bounds() -> None:
    result = simulate(2000, 0, algorithm="thompson")
    assert result["reward"] >= 0.9 * result["oracle_reward"]
    assert result["reward"] > max(result["best_fixed_reward"], result["random_reward"])


def test_cli_simulate_json_is_deterministic() -> None:
    args = ["learn", "simulate", "--episodes", "400", "--seed", "7", "--json"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    for key in (
        "episodes",
        "reward",
        "oracle_reward",
        "best_fixed_reward",
        "random_reward",
        "regret_curve",
        "recovery_episodes_after_drift",
    ):
        assert key in data
    assert data["episodes"] == 400
    assert json.loads(runner.invoke(app, args).output) == data
    bad = runner.invoke(app, ["learn", "simulate", "--epsilon", "2"])
    assert bad.exit_code == 2 and "--epsilon 2.0 is not a share" in bad.output


def test_cli_status_and_reset(shop_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "shop"
    # without the shared project's state: other tests' CLI queries leave episodes in its spool
    shutil.copytree(shop_dir, root, ignore=shutil.ignore_patterns(".metricmind"))
    project = Project.load(root)
    memory = project.memory
    for reward in (10.0, 20.0):
        memory.record(Episode(True, question="revenue by month", pattern="revenue|month", reward=reward))
    policy = Policy(list(ARMS), 2)
    policy.observe([1.0, 0.0], ARMS[1], 17.0)
    memory.save_checkpoint("policy", policy.experiences, policy.state())
    project.close()
    status = runner.invoke(app, ["learn", "status", "--project", str(root), "--json"])
    assert status.exit_code == 0, status.output
    data = json.loads(status.output)
    assert data["episodes"] == 2 and data["reward_early"] == 15.0
    assert data["arms"][0] == {"arm": ARMS[1], "pulls": 1, "mean_reward": 17.0}
    refused = runner.invoke(app, ["learn", "reset", "--project", str(root)], input="n\n")
    assert refused.exit_code == 1
    done = runner.invoke(app, ["learn", "reset", "--yes", "--project", str(root), "--json"])
    assert json.loads(done.output)["removed"]["learn_episodes"] == 2
    text = runner.invoke(app, ["learn", "status", "--project", str(root)])
    assert "episodes: 0" in text.output


def test_the_hint_arm_is_measured_on_spark_and_offered_only_there() -> None:
    table = load_table()
    measured = [r for r in table["shapes"] if "hints" in r]
    assert len(measured) >= 30 and table["meta"]["hints"]["runs"] >= 3
    assert all(len(r["hints"]["hinted_ms"]) >= 3 and r["hints"]["broadcast"] for r in measured)
    # real noise, not constants
    assert sum(np.ptp(r["hints"]["hinted_ms"]) > 0 for r in measured) > 0.9 * len(measured)
    shapes = shapes_of(table)
    spark = [s for s in shapes if s.key.startswith(SPARK)]
    assert len(spark) == sum(bool(r["hints"]["exact"]) for r in measured) > 0
    hint = query_arm(optimization="hints")
    for shape in shapes:
        allowed = Workload.allowed_arms(shape, 0, {})
        assert (hint in allowed) == shape.key.startswith(SPARK)
        if shape.key.startswith(SPARK):  # no rollups on Spark: the hinted, cached or plain plan
            assert query_arm(optimization="rollup") not in allowed


def test_the_policy_plays_the_hint_where_it_pays() -> None:
    """Where hints apply, the policy picks the hint arm far more often where it is clearly the best arm
    (its expected reward a point above every other's: its plan crosses a latency step) than where it
    clearly is not (a point below the best), learning per query pattern (the context's features alone
    cannot say which lookups a broadcast speeds up)."""
    work = Workload(shapes_of(load_table()), 2000, 0)
    policy = query_policy(list(ARMS), seed=0)  # the learned path's policy, per-pattern hint effect included
    hint = ARMS.index(query_arm(optimization="hints"))
    picked: dict[bool, list[bool]] = {True: [], False: []}
    chosen = play(work, policy)
    for t in range(work.episodes):
        pick = ARMS[chosen[t]]
        if ARMS[hint] in work.allowed[t]:
            others = np.delete(work.expected[t], hint)
            margin = work.expected[t, hint] - others.max()
            if abs(margin) >= 1:
                picked[bool(margin > 0)].append(pick == ARMS[hint])
    assert len(picked[True]) >= 10 and len(picked[False]) >= 10
    # the hint's per-pattern effect: played in 82% of the episodes where it is clearly best (59% with a
    # shared estimate only), tried on new patterns where it then loses in 12% (8%)
    assert np.mean(picked[True]) > 0.7 and np.mean(picked[False]) < 0.15
    assert np.mean(picked[True]) > 5 * np.mean(picked[False])
