"""Seeded differential fuzzing: random valid queries through metricmind and MetricFlow on the same data.

For each project (the demo and the bazaar, helpdesk, lending, lastmile, harbor and shop samples) it draws
``--queries`` queries with ``--seed`` (``metricmind/testing/mffuzz.py``: every metric type, entity hops,
grains, date parts, filters on dimensions, entities, time and date parts, ranges, order and limit), answers them with both engines (MetricFlow in
one batch per project, so its start-up is paid once), and prints per project and in total: queries, equal,
both refused, only one refused (by side) and different, then each difference with a shrunk repro, and the
refusals of one side grouped by their first line.

Usage::

    METRICMIND_MF_PYTHON=.venv-mf/bin/python .venv/bin/python bench/differential_fuzz.py \\
        --seed 1 --queries 60 [--projects demo,lastmile] [--root /tmp/fuzz] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from metricmind.project import Project
from metricmind.testing.mffuzz import (
    CATEGORIES,
    PROJECTS,
    Generator,
    Outcome,
    build_sample,
    counts,
    describe,
    run_fuzz,
)


def _first_line(text: str | None) -> str:
    """The reason of an error: its first line, or for MetricFlow the first line of its message."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if "Message:" in lines:
        after = lines[lines.index("Message:") + 1 :]
        return after[0][:160] if after else lines[0][:160]
    return lines[0][:160] if lines else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", type=int, default=60, help="queries per project")
    parser.add_argument("--projects", default=",".join(PROJECTS))
    parser.add_argument("--root", type=Path, default=None, help="where the projects are built (reused)")
    parser.add_argument("--no-shrink", action="store_true")
    parser.add_argument("--json", type=Path, default=None, help="write every outcome here")
    args = parser.parse_args(argv)
    root = args.root or Path(tempfile.mkdtemp(prefix="mm_fuzz_"))
    root.mkdir(parents=True, exist_ok=True)
    total: Counter[str] = Counter()
    every: list[tuple[str, Outcome]] = []
    for name in args.projects.split(","):
        started = time.perf_counter()
        sample = build_sample(name, root)
        with Project.load(sample.root) as project:
            queries = Generator(project, args.seed).queries(args.queries)
        outcomes = run_fuzz(sample, queries, shrink=not args.no_shrink)
        found = counts(outcomes)
        total.update(found)
        every += [(name, o) for o in outcomes]
        print(
            f"{name:9} queries {len(outcomes):4}  "
            + "  ".join(f"{c} {found[c]}" for c in CATEGORIES)
            + f"  ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    print(
        f"{'total':9} queries {sum(total.values()):4}  "
        + "  ".join(f"{c} {total[c]}" for c in CATEGORIES)
        + f"  (seed {args.seed})"
    )
    diffs = [(n, o) for n, o in every if o.category == "different"]
    if diffs:
        print("\n== different ==")
    for name, o in diffs:
        print(f"[{name} {o.id}] {describe(o.query)}")
        if o.repro is not None:
            print(f"    repro: {describe(o.repro)}")
        for line in o.diffs[:3]:
            print(f"    {line}")
    for side, attr in (("only_ours_refused", "ours_error"), ("only_mf_refused", "mf_error")):
        reasons = Counter(_first_line(getattr(o, attr)) for _, o in every if o.category == side)
        if reasons:
            print(f"\n== {side} (by reason) ==")
        for reason, n in reasons.most_common():
            example = next(
                (n2, o) for n2, o in every if o.category == side and _first_line(getattr(o, attr)) == reason
            )
            print(f"  {n:3} x {reason}\n        e.g. [{example[0]}] {describe(example[1].query)}")
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "project": n,
                        "id": o.id,
                        "category": o.category,
                        "query": describe(o.query),
                        "repro": describe(o.repro) if o.repro else None,
                        "diffs": o.diffs,
                        "ours_error": o.ours_error,
                        "mf_error": o.mf_error,
                    }
                    for n, o in every
                ],
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
