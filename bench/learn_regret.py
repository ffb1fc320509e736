"""Where the simulator's regret after the first quarter comes from, seed by seed.

The learned path's loop (:func:`metricmind.learn.simulate.play`), with each decision after episode
``--after`` (500: the first quarter is learning) split by: Spark shapes (where the hint arm is offered)
or DuckDB shapes; exploring (the pick differs from the greedy one) or greedy; and, on the Spark shapes,
how often the hint had run on the query's hint pattern before (never, 1-2, 3-5, 6 or more times: what
the per-pattern effect has learned from). Regret is against the oracle's expected reward, as
``regret_curve``. Prints the per-seed figures and the mean per seed.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/learn_regret.py [--seeds 40] [--first 0]
        [--pattern-ridge R] [--no-pattern-effect]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metricmind.learn.context import PlainLatency, query_policy
from metricmind.learn.policy import query_arm
from metricmind.learn.simulate import ARMS, INDEX, PLAIN, SPARK, Workload, load_table, shapes_of

HINT = query_arm(optimization="hints")
BUCKETS = ("never", "1-2", "3-5", "6+")


def bucket(runs: int) -> str:
    """The bucket of a pattern that the hint ran on ``runs`` times before."""
    return BUCKETS[0] if runs == 0 else BUCKETS[1] if runs < 3 else BUCKETS[2] if runs < 6 else BUCKETS[3]


def one_seed(seed: int, episodes: int, after: int, options: dict[str, Any]) -> Counter[str]:
    """The regret after ``after`` by kind (and the episode counts, keys ending in ``#``)."""
    work = Workload(shapes_of(load_table()), episodes, seed)
    policy = query_policy(list(ARMS), seed=seed, **options)
    latencies = PlainLatency()
    hinted: Counter[str] = Counter()
    out: Counter[str] = Counter()
    for t in range(episodes):
        x = work.context(t, latencies)
        pattern, allowed = work.patterns[t], work.allowed[t]
        scores = policy.scores(x, allowed, pattern)  # LinUCB: no random draw, the same run as play()
        greedy = policy.tie_break(x, list(scores), max(scores, key=scores.__getitem__), pattern)
        pick = policy.choose(x, allowed, work.keys[t], pattern)
        a = INDEX[pick]
        if t >= after:
            regret = float(work.expected[t].max() - work.expected[t, a])
            where = "spark" if work.keys[t].startswith(SPARK) else "duckdb"
            how = "greedy" if pick == greedy else "exploring"
            out[f"{where} {how}"] += regret
            if where == "spark":
                b = bucket(hinted[pattern])
                out[f"spark hint {b}"] += regret
                out[f"spark hint {b}#"] += 1
        policy.observe(x, pick, float(work.rewards[t, a]), math.log1p(float(work.ms[t, a])), pattern)
        if pick == HINT:
            hinted[pattern] += 1
        if pick == PLAIN:
            latencies.record(work.keys[t], float(work.plain_ms[t]))
    return out


def main() -> None:
    """Print each seed's split and the mean per seed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=2000)
    parser.add_argument("--after", type=int, default=500)
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--pattern-ridge", type=float, default=None)
    parser.add_argument("--no-pattern-effect", action="store_true")
    args = parser.parse_args()
    options: dict[str, Any] = {}
    if args.pattern_ridge is not None:
        options["pattern_ridge"] = args.pattern_ridge
    if args.no_pattern_effect:
        options["pattern_options"] = ()
    print(f"load average {os.getloadavg()[0]:.2f}; regret after episode {args.after} of {args.episodes}")
    total: Counter[str] = Counter()
    seeds = range(args.first, args.first + args.seeds)
    for seed in seeds:
        got = one_seed(seed, args.episodes, args.after, options)
        total.update(got)
        print(
            seed, ", ".join(f"{k} {v:.1f}" for k, v in sorted(got.items()) if not k.endswith("#")), flush=True
        )
    n = len(seeds)
    kinds = ("spark greedy", "spark exploring", "duckdb greedy", "duckdb exploring")
    print("mean per seed: " + ", ".join(f"{k} {total[k] / n:.1f}" for k in kinds))
    print(
        "spark, by the hint's earlier runs on the pattern (regret, episodes): "
        + ", ".join(
            f"{b} {total[f'spark hint {b}'] / n:.1f} ({total[f'spark hint {b}#'] / n:.0f})" for b in BUCKETS
        )
    )


if __name__ == "__main__":
    main()
