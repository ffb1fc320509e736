"""Metamorphic robustness of the question resolver (issue 14): meaning-preserving rewrites of the dev questions.

Every answerable question of the tuning splits (``tests/resolve/blind/dev.yml`` to ``dev5.yml``, those present;
never a blind split) that the resolver reads right is rewritten by the transformations of
``tests/resolve/perturb.py`` (catalog synonyms, clause reorder, filler, case and punctuation, one typo,
business shorthand), and each variant is scored against the original's gold with ``blindset``'s comparison.
A variant read differently is a brittle mechanism, found without new gold. Prints the pass rate per
transformation (family and detail) and overall, and the time per question (median, p95) beside the load
average; ``--misses`` lists the failing variants grouped by transformation. Deterministic for a ``--seed``.
Loads the demo catalog from the package (no warehouse).

    .venv/bin/python bench/resolve_perturb.py [--misses] [--seed N] [--only KIND]

Measured figures and the brittleness classes they showed: ``docs/ask.md`` ("Robustness to rewording").
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metricmind.project import Project
from metricmind.resolve import Resolver
from tests.resolve import blindset, perturb

DEMO = Path(__file__).resolve().parents[1] / "metricmind" / "demo" / "project"


def _diff(want: dict[str, object], got: dict[str, object]) -> str:
    keys = sorted(want.keys() | got.keys())
    return "; ".join(
        f"{k}: want {want.get(k)!r} got {got.get(k)!r}" for k in keys if want.get(k) != got.get(k)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list the failing variants by transformation")
    parser.add_argument("--seed", type=int, default=0, help="the seed of every random choice (default 0)")
    parser.add_argument("--only", metavar="KIND", help="only transformations whose kind starts with KIND")
    args = parser.parse_args()
    model = Project.load(DEMO, strict=False).model
    resolver = Resolver(model)
    vocab = perturb.Vocabulary(model)
    resolver.resolve("warm up", as_of=dt.date(2025, 6, 18))
    originals = [0, 0]  # [read right, answerable]

    def keep(item: dict[str, object]) -> bool:
        ok = blindset.score_items(resolver, [item], scored_only=False).exact == 1
        originals[0] += ok
        originals[1] += 1
        return ok

    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses: dict[str, list[str]] = defaultdict(list)
    times: list[float] = []
    for path in blindset.present(blindset.TUNING):
        for v in perturb.variants(blindset.load(path), resolver, vocab, seed=args.seed, keep=keep):
            if args.only and not v.kind.startswith(args.only):
                continue
            t = time.perf_counter()
            s = blindset.score_items(resolver, [v.item], scored_only=False)
            times.append((time.perf_counter() - t) * 1000)
            for key in (v.kind, v.kind.split(":")[0], "all"):
                tally[key][0] += s.exact
                tally[key][1] += 1
            if not s.exact:
                _, _, want, got = s.misses[0]
                misses[v.kind].append(f"  {v.qid} {v.text!r} (was {v.original!r}): {_diff(want, got)}")
    print(
        f"originals read right: {originals[0]}/{originals[1]} answerable dev questions (only those are varied)"
    )
    for key in sorted(tally, key=lambda k: (k == "all", k.split(":")[0], ":" in k, k)):
        hits, n = tally[key]
        print(f"{'  ' if ':' in key else ''}{key}: {hits}/{n} ({hits / n:.1%})")
    times.sort()
    if times:
        load = os.getloadavg()[0]
        print(
            f"per variant: median {statistics.median(times):.2f} ms, "
            f"p95 {times[int(0.95 * (len(times) - 1))]:.2f} ms (load average {load:.1f})"
        )
    if args.misses:
        for kind in sorted(misses):
            print(f"== {kind}: {len(misses[kind])} misses")
            print("\n".join(misses[kind]))


if __name__ == "__main__":
    main()
