"""Compile latency: metricmind vs MetricFlow on the same distinct queries, in one run.

In-process: for each query of the demo differential suite, the first compile in a warm process (a new,
distinct question) and the median of repeated compiles. Whole process: ``metricmind sql`` vs
``mf query --explain``, median of several runs each. Prints per-query figures, medians and ratios.

    .venv/bin/python bench/compile.py [--repeats 20] [--cli-runs 5] [--scale 1000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from mf_compile import mf_compile_latency

from metricmind.demo.build import build_demo
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.testing.metricflow import mf_python
from tests.differential.test_demo_vs_metricflow import CASES, _mf_query


def ours(
    project: Project, queries: list[tuple[str, MetricQuery]], repeats: int
) -> dict[str, tuple[float, float]]:
    project.compile(MetricQuery.build("events", "metric_time__month"))  # warm the process, not the queries
    out = {}
    for name, query in queries:
        t0 = time.perf_counter()
        project.compile(query)
        first = (time.perf_counter() - t0) * 1000
        runs = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            project.compile(query)
            runs.append((time.perf_counter() - t0) * 1000)
        out[name] = (first, statistics.median(runs))
    return out


def cli_ours(root: Path, runs: int) -> float:
    exe = Path(sys.executable).with_name("metricmind")
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(
            [str(exe), "sql", "-p", str(root), "-m", "mrr,arpa", "-g", "metric_time__month"],
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def cli_metricflow(root: Path, warehouse: Path, runs: int) -> float | None:
    mf_bin = mf_python().with_name("mf")
    dbt_bin = mf_python().with_name("dbt")
    if not mf_bin.exists():
        return None
    work = Path(tempfile.mkdtemp(prefix="mf_cli_"))
    shutil.copytree(root, work / "p", ignore=shutil.ignore_patterns("target", ".metricmind"))
    (work / "p" / "profiles.yml").write_text(
        f"saas_demo:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: {warehouse}\n"
    )
    env = {**os.environ, "DBT_PROFILES_DIR": str(work / "p")}
    subprocess.run([str(dbt_bin), "parse", "-q"], cwd=work / "p", env=env, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(
            [str(mf_bin), "query", "--metrics", "mrr,arpa", "--group-by", "metric_time__month", "--explain"],
            cwd=work / "p",
            env=env,
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - t0)
    shutil.rmtree(work, ignore_errors=True)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--cli-runs", type=int, default=5)
    parser.add_argument("--scale", type=int, default=1000)
    args = parser.parse_args()
    target = Path(tempfile.mkdtemp(prefix="bench_compile_")) / "saas_demo"
    report = build_demo(target, scale=args.scale, end_date="2026-06-30", seed=7)
    project = Project.load(target)
    cases = [c for c in CASES if not c.saved_query]
    queries = [
        (
            c.id,
            MetricQuery.build(
                list(c.metrics), list(c.group_by), list(c.where), c.start, c.end, list(c.order_by), c.limit
            ),
        )
        for c in cases
    ]
    mine = ours(project, queries, args.repeats)
    theirs = mf_compile_latency(
        target, [_mf_query(c) for c in cases], repeats=args.repeats, duckdb_path=report.warehouse
    ).per_query
    print(f"{'query':<34} {'ours first':>10} {'ours med':>9} {'MF first':>9} {'MF med':>8} {'ratio':>7}")
    firsts, meds, mf_firsts, mf_meds = [], [], [], []
    for name, _ in queries:
        first, med = mine[name]
        mf = theirs.get(name)
        if mf is None or mf.error:
            print(f"{name:<34} {first:>10.3f} {med:>9.3f} {'error':>9}")
            continue
        firsts.append(first)
        meds.append(med)
        mf_firsts.append(mf.first_ms)
        mf_meds.append(mf.median_ms)
        print(
            f"{name:<34} {first:>10.3f} {med:>9.3f} {mf.first_ms:>9.2f} {mf.median_ms:>8.2f} "
            f"{mf.first_ms / first:>6.1f}x"
        )
    print(f"\n{len(firsts)} distinct queries (ms, median over queries):")
    print(
        f"  first compile : metricmind {statistics.median(firsts):.3f}   MetricFlow {statistics.median(mf_firsts):.2f}"
        f"   ratio {statistics.median(mf_firsts) / statistics.median(firsts):.1f}x"
    )
    print(
        f"  repeated      : metricmind {statistics.median(meds):.3f}   MetricFlow {statistics.median(mf_meds):.2f}"
        f"   ratio {statistics.median(mf_meds) / statistics.median(meds):.1f}x"
    )
    ours_cli = cli_ours(target, args.cli_runs)
    mf_cli = cli_metricflow(target, report.warehouse, max(2, args.cli_runs // 2))
    print(f"\nwhole process (median of runs): `metricmind sql` {ours_cli:.3f} s", end="")
    print(f"   `mf query --explain` {mf_cli:.3f} s   ratio {mf_cli / ours_cli:.1f}x" if mf_cli else "")


if __name__ == "__main__":
    main()
