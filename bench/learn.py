"""Learning figures: the policy on the simulator, and memory search latency at 100k items.

1. **Simulator** (``metricmind learn simulate``): for each seed, 2,000 episodes (drift at 1,000) on the
   recorded, measured arms; reward vs the oracle, the best fixed arm and random; regret at 500/1,000/
   1,500/2,000; episodes to recover 85% of the oracle after the drift; wall time. Both learners.
2. **Memory search**: 100,000 episodes stored in a SQLite store (bulk insert), the lexical index built
   from the store, then the median and p95 latency of top-5 searches with paraphrased questions; once
   lexical only and once hybrid (with the episodes' vectors stored, as after a restart).

    .venv/bin/python bench/learn.py [--episodes 2000] [--seeds 5] [--items 100000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metricmind.learn import schema
from metricmind.learn.memory import Memory, now
from metricmind.learn.simulate import simulate
from metricmind.learn.vectors import to_blob

METRICS = ["revenue", "mrr", "signups", "churned customers", "active users", "bookings", "refunds", "spend"]
DIMS = ["month", "week", "plan", "region", "channel", "country", "segment", "day", "industry", "year"]
ASKS = [
    "churn customers per region",
    "monthly revenue by plan",
    "how many signups each week",
    "spend by channel",
]


def bench_simulator(episodes: int, seeds: int) -> None:
    """Print the simulator's figures per learner, averaged over seeds (and the worst seed)."""
    print(f"simulator: {episodes} episodes, drift at {episodes // 2}, seeds 0..{seeds - 1}")
    for algorithm in ("linucb", "thompson"):
        rows = []
        for seed in range(seeds):
            t0 = time.perf_counter()
            r = simulate(episodes, seed, algorithm=algorithm)
            r["seconds"] = time.perf_counter() - t0
            rows.append(r)
        share = [r["reward"] / r["oracle_reward"] for r in rows]
        fixed = [r["reward"] / r["best_fixed_reward"] - 1 for r in rows]
        rand = [r["reward"] / r["random_reward"] - 1 for r in rows]
        gap = [(r["reward"] - r["random_reward"]) / (r["oracle_reward"] - r["random_reward"]) for r in rows]
        rec = [r["recovery_episodes_after_drift"] for r in rows]
        print(
            f"  {algorithm:9} share of oracle {np.mean(share):.2%} (min {min(share):.2%}); "
            f"vs best fixed {np.mean(fixed):+.2%} (min {min(fixed):+.2%}); vs random {np.mean(rand):+.2%}; "
            f"gap closed (random→oracle) {np.mean(gap):.0%}; recovery {rec}; "
            f"{np.mean([r['seconds'] for r in rows]):.2f} s/run"
        )
        curve = dict(rows[0]["regret_curve"])
        marks = [episodes // 4, episodes // 2, 3 * episodes // 4, episodes]
        print("    regret (seed 0) at " + ", ".join(f"{m}: {curve.get(m, '-')}" for m in marks))
        print(f"    best fixed arm (seed 0): {rows[0]['best_fixed_arm']}; arms: {rows[0]['arms']}")


def bench_memory(items: int, semantic: bool) -> None:
    """Store ``items`` episodes, build the index from the store, time top-5 searches.

    With ``semantic``, the episodes' vectors are stored too (the 80 distinct question shapes embedded
    for real, each item's vector its shape's plus a little noise: embedding 100k texts would take
    minutes and the latency does not depend on the values), so the build reads them as a restart would.
    """
    with tempfile.TemporaryDirectory() as tmp:
        memory = Memory.open(f"sqlite:///{Path(tmp) / 'store.db'}", semantic=semantic)
        if semantic and memory.embedder is None:
            print("memory search (hybrid): skipped, the embeddings extra is not installed")
            return
        at = now()
        rows = [
            {
                "question": f"{METRICS[i % 8]} by {DIMS[(i // 8) % 10]} for team {i % 997}",
                "pattern": f"{METRICS[i % 8]}|{DIMS[(i // 8) % 10]}",
                "success": True,
                "created_at": at,
                "updated_at": at,
            }
            for i in range(items)
        ]
        t0 = time.perf_counter()
        with memory.engine.begin() as conn:
            conn.execute(schema.episodes.insert(), rows)
            if memory.embedder is not None:
                shapes = memory.embedder.embed([f"{m} by {d}" for m in METRICS[:8] for d in DIMS[:10]])
                noise = np.random.default_rng(0).normal(0, 0.02, size=(items, shapes.shape[1]))
                vectors = shapes[[(i % 8) * 10 + (i // 8) % 10 for i in range(items)]] + noise
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
                conn.execute(
                    schema.vectors.insert(),
                    [
                        {
                            "kind": "episodes",
                            "item_id": i + 1,
                            "model": memory.embedder.name,
                            "vector": to_blob(vectors[i].astype(np.float32)),
                        }
                        for i in range(items)
                    ],
                )
        insert_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        memory.search("warm up", kind="episodes")
        build_s = time.perf_counter() - t0
        times = []
        for i in range(200):
            t0 = time.perf_counter()
            hits = memory.search(ASKS[i % len(ASKS)], kind="episodes", k=5)
            times.append((time.perf_counter() - t0) * 1000)
            assert hits
        times.sort()
        print(
            f"memory search ({'hybrid' if semantic else 'lexical'}): {items:,} episodes "
            f"(insert {insert_s:.1f} s, index build {build_s:.1f} s): "
            f"top-5 median {statistics.median(times):.2f} ms, p95 {times[int(0.95 * len(times))]:.2f} ms"
        )
        memory.close()


def main() -> None:
    """Run both benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=2000)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--items", type=int, default=100_000)
    args = parser.parse_args()
    bench_simulator(args.episodes, args.seeds)
    bench_memory(args.items, semantic=False)
    bench_memory(args.items, semantic=True)


if __name__ == "__main__":
    main()
