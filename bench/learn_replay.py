"""Real replay on the demo: the learned path (result cache, rollups, verification) vs always-plain.

Builds the demo at ``--scale`` (100,000 customers by default; skipped when ``--demo-dir`` already holds
one), then runs ``metricmind learn replay --queries N --seed S --json`` on it for each seed and prints
the figures: median and p95 latency plain vs learned, overall and on the repeated share, cache and
rollup hits, differing answers (must be 0), and the speed-up on the repeated share (target ≥ 5×).

    .venv/bin/python bench/learn_replay.py [--demo-dir /tmp/demo100k] [--scale 100000] [--queries 1000]

The same by hand (what the figures in docs/learn.md come from)::

    metricmind demo --dir /tmp/demo100k --scale 100000 --end-date 2026-06-30     # about 30 s
    metricmind learn replay --queries 1000 --seed 0 --json -p /tmp/demo100k

Each result carries the load average (1, 5, 15 min) before and after the replay: figures measured on a
loaded machine are inflated (the plain and learned runs alike).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Build the demo if needed, replay, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-dir", type=Path, default=Path("/tmp/metricmind_demo100k"))
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    exe = [sys.executable, "-m", "metricmind"]
    if not (args.demo_dir / "target" / "warehouse.duckdb").exists():
        t0 = time.perf_counter()
        subprocess.run(
            [
                *exe,
                "demo",
                "--dir",
                str(args.demo_dir),
                "--scale",
                str(args.scale),
                "--end-date",
                "2026-06-30",
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        print(f"demo built at scale {args.scale} in {time.perf_counter() - t0:.0f} s", flush=True)
    for seed in args.seeds:
        load_before = [round(x, 2) for x in os.getloadavg()]
        t0 = time.perf_counter()
        done = subprocess.run(
            [*exe, "learn", "replay", "--queries", str(args.queries), "--seed", str(seed), "--json"]
            + ["-p", str(args.demo_dir)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(done.stdout)
        result["wall_s"] = round(time.perf_counter() - t0, 1)
        result["load_before"] = load_before
        result["load_after"] = [round(x, 2) for x in os.getloadavg()]
        rep_plain, rep_learned = result["repeated_plain_median_ms"], result["repeated_learned_median_ms"]
        result["repeated_speedup"] = round(rep_plain / rep_learned, 2) if rep_plain and rep_learned else None
        result["median_speedup"] = round(result["plain_median_ms"] / result["learned_median_ms"], 2)
        print(json.dumps({"seed": seed} | result, indent=1), flush=True)


if __name__ == "__main__":
    main()
