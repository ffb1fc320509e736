"""Benchmark of package generation (issue 12): ``generate`` + real ``dbt build`` of one metric package.

For each definition (the MRR example from issue 12 — a metric over an existing measure — and a metric
that needs a new dbt model, ``paid_seats``), each run copies a built demo into a scratch folder, analyses
the definition, generates the package (its range learned from the warehouse), writes the files and runs
``dbt build --select <package>`` with real dbt; it prints the median and max of the generation and of the
dbt build (wall clock, and dbt's CPU time: on a shared machine the wall clock is mostly waiting), and the
total against the target (< 30 s).

Usage::

    python bench/generate.py [--demo DIR] [--runs N] [--dbt PATH] [--json]

``--demo`` reuses a built demo (``build_demo(DIR, scale=1000, end_date="2025-06-18")``); without it one
is built in a temporary folder. dbt: ``--dbt``, else ``$METRICMIND_DBT``, PATH or ``.venv-mf/bin/dbt``.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from metricmind.define import Definition, analyze, generate
from metricmind.demo.build import build_demo
from metricmind.export import build
from metricmind.project import Project
from metricmind.testing.dbt import SETUP_HINT, dbt_for_tests

TARGET_S = 30.0
DEFINITIONS = {
    "subscription_value": Definition(
        "subscription_value",
        "Total value of active subscriptions per month",
        (
            "Exclude trial subscriptions",
            "Only count active and past_due status",
            "Convert annual contracts to monthly equivalent",
        ),
    ),
    "paid_seats": Definition(
        "paid_seats",
        "Total seats on paid subscriptions that are live at the end of the month",
        ("Exclude trials",),
    ),
}


def one_run(demo: Path, scratch: Path, definition: Definition, dbt: str) -> dict[str, Any]:
    """Copy the demo, generate the package of ``definition``, write it and build it with dbt; timings."""
    root = scratch / "demo"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(demo, root)
    t0 = time.perf_counter()
    with Project.load(root) as project:
        proposal = analyze(definition, project.model, dialect=project.dialect)
        package = generate(proposal, project, run_sql=lambda sql: project.warehouse.run(sql).rows)
    generate_s = time.perf_counter() - t0
    for rel, text in package.files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = build(root, package.selection, executable=dbt)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    dbt_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if not result.ok:
        raise SystemExit(f"dbt build failed for {definition.name}:\n{result.summary()}")
    return {
        "generate_s": generate_s,
        "dbt_s": result.elapsed_s,
        "dbt_cpu_s": dbt_cpu,
        "total_s": generate_s + result.elapsed_s,
        "nodes": len(result.nodes),
        "files": len(package.files),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=Path, help="a built demo (scale 1000, end 2025-06-18)")
    parser.add_argument("--runs", type=int, default=3, help="runs per definition (median reported)")
    parser.add_argument("--dbt", help="the dbt executable")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    dbt = args.dbt or dbt_for_tests()
    if dbt is None:
        print(f"dbt is not installed: {SETUP_HINT}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-generate-") as tmp:
        demo = args.demo
        if demo is None:
            demo = Path(tmp) / "built"
            build_demo(demo, scale=1000, end_date="2025-06-18")
        report: dict[str, Any] = {"runs": args.runs, "target_s": TARGET_S, "packages": {}}
        for name, definition in DEFINITIONS.items():
            runs = [one_run(demo, Path(tmp), definition, dbt) for _ in range(args.runs)]
            figures = {
                key: {
                    "median": round(statistics.median(r[key] for r in runs), 3),
                    "max": round(max(r[key] for r in runs), 3),
                }
                for key in ("generate_s", "dbt_s", "dbt_cpu_s", "total_s")
            }
            figures["nodes"] = runs[0]["nodes"]
            figures["files"] = runs[0]["files"]
            figures["under_target"] = figures["total_s"]["max"] < TARGET_S
            report["packages"][name] = figures
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"generate + dbt build of one package, {args.runs} run(s) each (target < {TARGET_S:.0f} s)")
    for name, f in report["packages"].items():
        print(
            f"  {name:20} generate {f['generate_s']['median']:6.2f} s   dbt build {f['dbt_s']['median']:6.2f} s"
            f" (CPU {f['dbt_cpu_s']['median']:5.2f} s)"
            f"   total median {f['total_s']['median']:6.2f} s  max {f['total_s']['max']:6.2f} s"
            f"   ({f['files']} files, {f['nodes']} dbt nodes)  {'OK' if f['under_target'] else 'OVER'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
