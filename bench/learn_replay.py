"""Real replay on the demo: the learned path (result cache, rollups, verification) vs always-plain.

Builds the demo at ``--scale`` (100,000 customers by default; skipped when ``--demo-dir`` already holds
one), then runs ``metricmind learn replay --queries N --seed S --json`` on it for each seed and prints
the figures: median and p95 latency plain vs learned, overall and on the repeated share, cache and
rollup hits, differing answers (must be 0), and the speed-up on the repeated share (target ≥ 5×).

    .venv/bin/python bench/learn_replay.py [--demo-dir /tmp/demo100k] [--scale 100000] [--queries 1000]

With ``--spark`` the same replay runs on a local Spark: a Spark Connect server from the pyspark wheel
(``local[2]``, Java 17) is started, the demo's tables are copied into it as Parquet tables, and the
replay runs on a copy of the demo whose warehouse is that server (result cache keyed by the tables'
file listing, rollups as Parquet tables in ``metricmind_rollups_replay``; see docs/learn.md)::

    .venv/bin/python bench/learn_replay.py --spark --demo-dir /tmp/demo_spark --scale 2000 --queries 150

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
import shutil
import statistics
import subprocess
import sys
import tempfile
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
    parser.add_argument("--spark", action="store_true", help="replay on a local Spark Connect server")
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
    if args.spark:
        from metricmind.testing.spark import SparkConnectServer, load_duckdb

        with (
            tempfile.TemporaryDirectory(prefix="metricmind-spark-bench-") as tmp,
            SparkConnectServer() as server,
        ):
            t0 = time.perf_counter()
            load_duckdb(args.demo_dir / "target" / "warehouse.duckdb", server.url, Path(tmp) / "parquet")
            project = Path(tmp) / "demo"
            shutil.copytree(args.demo_dir, project, ignore=shutil.ignore_patterns("target", ".metricmind"))
            (project / "metricmind.yml").write_text(
                f"name: saas_demo\nwarehouse:\n  type: spark\n  url: {server.url}\n  schema: main\n"
            )
            print(f"Spark started and loaded in {time.perf_counter() - t0:.0f} s", flush=True)
            print(json.dumps(version_cost(project)), flush=True)
            replay_seeds(exe, env, project, args.queries, args.seeds, "spark")
        return
    replay_seeds(exe, env, args.demo_dir, args.queries, args.seeds, "duckdb")


def version_cost(project_dir: Path, runs: int = 15) -> dict[str, float | None]:
    """The median ms of reading the Spark project's data version, each mode (the first read left out)."""
    from metricmind.project import Project
    from metricmind.project.rollups_spark import spark_version

    out: dict[str, float | None] = {}
    with Project.load(project_dir) as project:
        for mode in ("files", "exact"):
            project.settings.setdefault("learn", {})["spark_data_version"] = mode
            spark_version(project)
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                spark_version(project)
                times.append((time.perf_counter() - t0) * 1000)
            out[f"data_version_{mode}_median_ms"] = round(statistics.median(times), 1)
    return out


def replay_seeds(
    exe: list[str], env: dict[str, str], project: Path, queries: int, seeds: list[int], engine: str
) -> None:
    """Replay each seed on ``project`` and print its figures."""
    for seed in seeds:
        load_before = [round(x, 2) for x in os.getloadavg()]
        t0 = time.perf_counter()
        done = subprocess.run(
            [*exe, "learn", "replay", "--queries", str(queries), "--seed", str(seed), "--json"]
            + ["-p", str(project)],
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
        print(json.dumps({"seed": seed, "engine": engine} | result, indent=1), flush=True)


if __name__ == "__main__":
    main()
