"""The policy on the simulator, seed by seed: learned vs the oracle, the best fixed arm and random.

For each seed, ``simulate(episodes, seed)`` (what ``metricmind learn simulate --seed S --json`` prints):
the share of the oracle's reward, the gain over the best fixed arm and over random (%), the episodes to
recover 85% of the oracle after the drift, whether the regret (against the oracle's expected reward per
context: ``regret_curve``) is sublinear by the tests' criterion (:func:`sublinear`), the regret each
quarter adds, and the wall time; then the mean and the worst seed.

    .venv/bin/python bench/learn_seeds.py [--episodes 2000] [--seeds 20] [--first 0] [--algorithm linucb]
        [--pattern-ridge R] [--no-pattern-effect] [--no-nights] [--split 20]

``--pattern-ridge`` / ``--no-pattern-effect`` run a variant of the hint's per-pattern effect (the
tuning was chosen on seeds 0-19; ``--split 20`` prints the summary of the seeds below 20 and of the
others apart: tuning and held out); ``--no-nights`` leaves out the materialization nights (faster;
the query decision's figures are the same).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metricmind.learn.simulate import simulate


def sublinear(result: dict[str, Any]) -> bool:
    """Regret grows slower than the episodes: the average regret per episode at the end is below the
    average at the drift, itself below the first quarter's, and the first quarter (learning) adds more
    than any later one (the tests' criterion).
    """
    n = result["episodes"]
    r = dict(result["regret_curve"])
    marks = [n // 4, n // 2, 3 * n // 4, n]
    steps = [r[marks[0]]] + [r[b] - r[a] for a, b in zip(marks, marks[1:], strict=False)]
    return bool(r[n] / n < r[n // 2] / (n // 2) < r[n // 4] / (n // 4) and steps[0] > max(steps[1:]))


def halves(result: dict[str, Any]) -> bool:
    """The former criterion: each phase's second half adds less regret than its first."""
    n = result["episodes"]
    r = dict(result["regret_curve"])
    q = n // 4
    return bool(r[2 * q] - r[q] < r[q] and r[n] - r[3 * q] < r[3 * q] - r[2 * q])


def quarters(result: dict[str, Any]) -> list[float]:
    """The regret each quarter adds."""
    n = result["episodes"]
    r = dict(result["regret_curve"])
    marks = [n // 4, n // 2, 3 * n // 4, n]
    return [round(r[marks[0]])] + [round(r[b] - r[a]) for a, b in zip(marks, marks[1:], strict=False)]


def row(
    seed: int, episodes: int, algorithm: str, options: dict[str, Any] | None = None, nights: bool = True
) -> dict[str, Any]:
    """One seed's figures."""
    t0 = time.perf_counter()
    r = simulate(episodes, seed, algorithm=algorithm, policy_options=options, nights=nights)
    return {
        "seed": seed,
        "oracle": r["reward"] / r["oracle_reward"],
        "fixed": r["reward"] / r["best_fixed_reward"] - 1,
        "random": r["reward"] / r["random_reward"] - 1,
        "recovery": r["recovery_episodes_after_drift"],
        "sublinear": sublinear(r),
        "halves": halves(r),
        "quarters": quarters(r),
        "best_fixed_arm": r["best_fixed_arm"],
        "hints": r["factors"]["optimization"].get("hints") or {"offered": 0.0, "chosen": 0.0},
        "seconds": time.perf_counter() - t0,
    }


def main() -> None:
    """Print the per-seed table (markdown) and the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=2000)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--algorithm", default="linucb")
    parser.add_argument("--pattern-ridge", type=float, default=None)
    parser.add_argument("--no-pattern-effect", action="store_true")
    parser.add_argument("--no-nights", action="store_true")
    parser.add_argument("--split", type=int, default=20)
    args = parser.parse_args()
    options: dict[str, Any] = {}
    if args.pattern_ridge is not None:
        options["pattern_ridge"] = args.pattern_ridge
    if args.no_pattern_effect:
        options["pattern_options"] = ()
    print(f"load average {os.getloadavg()[0]:.2f}; {args.algorithm}, {args.episodes} episodes")
    print(
        "| seed | learned/oracle | vs best fixed | vs random | recovery | regret per quarter | sublinear "
        "| hints offered / chosen | s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    rows = []
    for seed in range(args.first, args.first + args.seeds):
        r = row(seed, args.episodes, args.algorithm, options, not args.no_nights)
        rows.append(r)
        print(
            f"| {seed} | {r['oracle']:.2%} | {r['fixed']:+.2%} | {r['random']:+.2%} | {r['recovery']} "
            f"| {' / '.join(str(q) for q in r['quarters'])} | {'yes' if r['sublinear'] else 'NO'} "
            f"| {r['hints']['offered']:.1%} / {r['hints']['chosen']:.1%} | {r['seconds']:.2f} |",
            flush=True,
        )
    print(f"{summary(rows)}; load average {os.getloadavg()[0]:.2f}")
    below = [r for r in rows if r["seed"] < args.split]
    if below and len(below) < len(rows):
        print(f"seeds < {args.split}: {summary(below)}")
        print(f"seeds >= {args.split}: {summary([r for r in rows if r['seed'] >= args.split])}")


def summary(rows: list[dict[str, Any]]) -> str:
    """The mean and the worst seed of ``rows``."""
    n = len(rows)
    return (
        f"mean: oracle {sum(r['oracle'] for r in rows) / n:.2%} (worst {min(r['oracle'] for r in rows):.2%}); "
        f"vs best fixed {sum(r['fixed'] for r in rows) / n:+.2%} (worst {min(r['fixed'] for r in rows):+.2%}, "
        f"{sum(r['fixed'] <= 0 for r in rows)} seeds not better); "
        f"vs random {sum(r['random'] for r in rows) / n:+.2%} (worst {min(r['random'] for r in rows):+.2%}); "
        f"recovery max {max((r['recovery'] or 10**9) for r in rows)}; "
        f"sublinear {sum(r['sublinear'] for r in rows)}/{n} (misses {[r['seed'] for r in rows if not r['sublinear']]}; "
        f"each phase's halves {sum(r['halves'] for r in rows)}/{n}); {sum(r['seconds'] for r in rows) / n:.2f} s/run"
    )


if __name__ == "__main__":
    main()
