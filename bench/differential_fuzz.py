"""Seeded differential fuzzing: random valid queries through metricmind and MetricFlow on the same data.

For each project (the demo and the bazaar, helpdesk, lending, lastmile, harbor and shop samples) it draws
``--queries`` queries with ``--seed`` (``metricmind/testing/mffuzz.py``: every metric type, entity hops,
grains, date parts, filters on dimensions, entities, time and date parts, ranges, order and limit), answers them with both engines (MetricFlow in
one batch per project, so its start-up is paid once), and prints per project and in total: queries, equal,
both refused, only one refused (by side) and different, then each difference with a shrunk repro, and the
refusals of one side grouped by their first line.

With ``--postgres`` the same queries also run on PostgreSQL (``metricmind/testing/pgleg.py``): a throwaway
server gets a copy of each sample's DuckDB data, metricmind's SQL compiled for ``postgres`` runs there, and
its rows must equal DuckDB's (per project: equal, refused, failed on PostgreSQL, different).

Usage::

    METRICMIND_MF_PYTHON=.venv-mf/bin/python .venv/bin/python bench/differential_fuzz.py \\
        --seed 1 --queries 60 [--projects demo,lastmile] [--root /tmp/fuzz] [--json out.json] [--postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.testing.mffuzz import (
    CATEGORIES,
    PROJECTS,
    Generator,
    Outcome,
    Sample,
    build_sample,
    counts,
    describe,
    run_fuzz,
)
from metricmind.testing.pgleg import LEG_CATEGORIES, LegOutcome, leg_counts, load_sample, run_leg
from metricmind.testing.postgres import PostgresServer


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
    parser.add_argument("--postgres", action="store_true", help="also run metricmind's SQL on PostgreSQL")
    parser.add_argument(
        "--postgres-only", action="store_true", help="only the PostgreSQL leg (no MetricFlow)"
    )
    args = parser.parse_args(argv)
    if args.postgres_only:
        args.postgres = True
    root = args.root or Path(tempfile.mkdtemp(prefix="mm_fuzz_"))
    root.mkdir(parents=True, exist_ok=True)
    total: Counter[str] = Counter()
    every: list[tuple[str, Outcome]] = []
    leg_total: Counter[str] = Counter()
    leg_bad: list[tuple[str, LegOutcome]] = []
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(PostgresServer()) if args.postgres else None
        for name in args.projects.split(","):
            started = time.perf_counter()
            sample = build_sample(name, root)
            with Project.load(sample.root) as project:
                queries = Generator(project, args.seed).queries(args.queries)
            if server is not None:
                leg = run_leg(sample, queries, load_sample(sample, server))
                found_leg = leg_counts(leg)
                leg_total.update(found_leg)
                leg_bad += [(name, o) for o in leg if o.category in ("different", "postgres_failed")]
                print(
                    f"{name:9} postgres {len(leg):4}  "
                    + "  ".join(f"{c} {found_leg[c]}" for c in LEG_CATEGORIES)
                    + f"  ({time.perf_counter() - started:.0f} s)",
                    flush=True,
                )
            if args.postgres_only:
                continue
            _fuzz_one(name, sample, queries, args, total, every, started)
    if args.postgres:
        print(
            f"{'total':9} postgres {sum(leg_total.values()):4}  "
            + "  ".join(f"{c} {leg_total[c]}" for c in LEG_CATEGORIES)
            + f"  (seed {args.seed})"
        )
        for name, o in leg_bad:
            print(f"[{name} postgres {o.category}] {describe(o.query)}\n    {o.detail[:300]}")
    if args.postgres_only:
        return 1 if leg_bad else 0
    _report(args, total, every)
    return 0


def _fuzz_one(
    name: str,
    sample: Sample,
    queries: list[MetricQuery],
    args: argparse.Namespace,
    total: Counter[str],
    every: list[tuple[str, Outcome]],
    started: float,
) -> None:
    """Answer one project's queries with both engines and print its line."""
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


def _report(args: argparse.Namespace, total: Counter[str], every: list[tuple[str, Outcome]]) -> None:
    """The totals, every difference and the one-sided refusals by reason; the JSON file."""
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


if __name__ == "__main__":
    sys.exit(main())
