"""The numpy bandit against mabwiser, contextualbandits and vowpalwabbit on the simulator.

Same workload (seeded), same train-every-32 schedule, same context features; prints reward, share of
the oracle's reward and wall time per learner. Libraries that are not installed are skipped; install
them aside to compare (they are not dependencies of metricmind)::

    pip install --target /tmp/learn_eval mabwiser contextualbandits vowpalwabbit
    PYTHONPATH=$PWD:/tmp/learn_eval .venv/bin/python bench/learn_libraries.py [--episodes 2000] [--seeds 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metricmind.learn.policy import Policy
from metricmind.learn.simulate import ARMS as ALL_ARMS
from metricmind.learn.simulate import Workload, load_table, shapes_of

#: The libraries are compared on the optimization factor alone (none, result cache, rollup): every arm
#: has a reward in every episode (a rollup that does not route falls back to the plain plan).
ARMS = ALL_ARMS[:3]


def optimization_only(work: Workload) -> Workload:
    """``work`` restricted to the three optimization arms of the canonical, compiled plan."""
    plain = work.rewards[:, :1]
    work.rewards = np.where(np.isnan(work.rewards[:, :3]), plain, work.rewards[:, :3])
    work.expected = np.where(np.isinf(work.expected[:, :3]), work.expected[:, :1], work.expected[:, :3])
    work.allowed = [list(ARMS)] * work.episodes
    return work


Learner = Callable[[Workload, int], np.ndarray]


def numpy_policy(algorithm: str) -> Learner:
    """Our :class:`Policy` (ε 0.1, train every 32)."""

    def run(work: Workload, seed: int) -> np.ndarray:
        policy = Policy(list(ARMS), work.dim(), algorithm=algorithm, seed=seed)
        got = np.zeros(work.episodes)
        contexts = work.contexts()
        for t in range(work.episodes):
            arm = policy.choose(contexts[t])
            got[t] = work.rewards[t, ARMS.index(arm)]
            policy.observe(contexts[t], arm, got[t])
        return got

    return run


def batched(
    predict: Callable[[np.ndarray], int], fit: Callable[[np.ndarray, list[int], list[float]], None]
) -> Learner:
    """A library learner driven like ours: predict each episode, fit every 32."""

    def run(work: Workload, seed: int) -> np.ndarray:
        rng = np.random.default_rng(seed)
        got = np.zeros(work.episodes)
        xs: list[np.ndarray] = []
        arms: list[int] = []
        fitted = False
        contexts = work.contexts()
        for t in range(work.episodes):
            x = contexts[t]
            arm = predict(x) if fitted and rng.random() >= 0.1 else int(rng.integers(len(ARMS)))
            got[t] = work.rewards[t, arm]
            xs.append(x)
            arms.append(arm)
            if len(xs) == 32:
                fit(np.asarray(xs), arms, [float(r) for r in got[t - 31 : t + 1]])
                fitted = True
                xs, arms = [], []
        return got

    return run


def mabwiser_linucb(work: Workload, seed: int) -> np.ndarray:
    from mabwiser.mab import MAB, LearningPolicy

    mab = MAB(arms=list(range(len(ARMS))), learning_policy=LearningPolicy.LinUCB(alpha=1.0), seed=seed)
    state = {"fitted": False}

    def fit(x: np.ndarray, a: list[int], r: list[float]) -> None:
        (mab.partial_fit if state["fitted"] else mab.fit)(a, r, x)
        state["fitted"] = True

    return batched(lambda x: int(mab.predict(x.reshape(1, -1))), fit)(work, seed)


def contextualbandits_linucb(work: Workload, seed: int) -> np.ndarray:
    from contextualbandits.online import LinUCB

    model = LinUCB(nchoices=len(ARMS), alpha=1.0, random_state=seed + 1)
    state = {"fitted": False}

    def fit(x: np.ndarray, a: list[int], r: list[float]) -> None:
        (model.partial_fit if state["fitted"] else model.fit)(x, np.asarray(a), np.asarray(r))
        state["fitted"] = True

    return batched(lambda x: int(model.predict(x.reshape(1, -1))[0]), fit)(work, seed)


def vowpal_cb_explore(work: Workload, seed: int) -> np.ndarray:
    from vowpalwabbit import Workspace

    vw = Workspace(f"--cb_explore {len(ARMS)} --epsilon 0.1 --quiet --random_seed {seed}")
    rng = np.random.default_rng(seed)
    got = np.zeros(work.episodes)

    def feats(x: np.ndarray) -> str:
        return "| " + " ".join(f"f{i}:{v:.4f}" for i, v in enumerate(x) if v)

    contexts = work.contexts()
    for t in range(work.episodes):
        x = contexts[t]
        pmf = np.asarray(vw.predict(feats(x)), dtype=float)
        pmf /= pmf.sum()
        arm = int(rng.choice(len(ARMS), p=pmf))
        got[t] = work.rewards[t, arm]
        vw.learn(f"{arm + 1}:{-got[t]:.3f}:{pmf[arm]:.4f} {feats(x)}")  # VW minimises cost = −reward
    vw.finish()
    return got


def main() -> None:
    """Run every learner on the same seeds and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=2000)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    learners: dict[str, Learner] = {
        "numpy LinUCB (ours)": numpy_policy("linucb"),
        "numpy Thompson (ours)": numpy_policy("thompson"),
        "mabwiser LinUCB": mabwiser_linucb,
        "contextualbandits LinUCB": contextualbandits_linucb,
        "vowpalwabbit cb_explore ε=0.1": vowpal_cb_explore,
    }
    shapes = shapes_of(load_table())
    works = [optimization_only(Workload(shapes, args.episodes, seed)) for seed in range(args.seeds)]
    print(f"{'learner':32} {'share of oracle':>16} {'vs best fixed':>14} {'seconds':>9}")
    for name, learner in learners.items():
        shares, edges, seconds = [], [], 0.0
        try:
            for seed, work in enumerate(works):
                t0 = time.perf_counter()
                got = learner(work, seed)
                seconds += time.perf_counter() - t0
                oracle = work.rewards[np.arange(work.episodes), work.expected.argmax(axis=1)].sum()
                shares.append(got.sum() / oracle)
                edges.append(got.sum() / work.rewards.sum(axis=0).max() - 1)
        except ImportError as exc:
            print(f"{name:32} skipped ({exc.name} not installed)")
            continue
        print(f"{name:32} {np.mean(shares):>15.2%} {np.mean(edges):>+13.2%} {seconds / len(works):>9.2f}")


if __name__ == "__main__":
    main()
