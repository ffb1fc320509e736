"""Metamorphic robustness of the question resolver (issue 14): meaning-preserving rewrites of the dev questions.

Every answerable question of the tuning splits (``tests/resolve/blind/dev.yml`` to ``dev5.yml``, those present;
never a blind split) that the resolver reads right is rewritten by the transformations of
``tests/resolve/perturb.py`` (catalog synonyms, clause reorder, filler, case and punctuation, one typo,
business shorthand; and ``perturb_kinds.py``'s gold-guided families: thresholds, growth, sort, limit, several
metrics, entity nouns; and transplants, the question's one metric said as another with its gold changed to
match), and each variant is scored against the original's gold with ``blindset``'s comparison.
A variant read differently is a brittle mechanism, found without new gold. Prints the pass rate per
transformation (family and detail) and overall with the variants answered wrong at confidence >= 0.8, and the time per question (median, p95) beside the load
average; ``--misses`` lists the failing variants grouped by transformation. Deterministic for a ``--seed``.
Loads the demo catalog from the package (no warehouse). ``--foreign`` varies instead every foreign project's
tuning splits (``tests/foreign/questions/dev*.yml``, never a blind one), each project built into ``--work`` as
``bench/resolve_foreign.py`` builds it and read with its warehouse's values, and prints the rates per project.

    .venv/bin/python bench/resolve_perturb.py [--misses] [--seed N] [--only KIND[,KIND]] [--foreign [--work DIR]]

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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import resolve_foreign
from metricmind.project import Project
from metricmind.resolve import Resolver
from tests.resolve import blindset, perturb

DEMO = Path(__file__).resolve().parents[1] / "metricmind" / "demo" / "project"
FOREIGN = Path(__file__).resolve().parents[1] / "tests" / "foreign" / "questions"


def _diff(want: dict[str, object], got: dict[str, object]) -> str:
    keys = sorted(want.keys() | got.keys())
    return "; ".join(
        f"{k}: want {want.get(k)!r} got {got.get(k)!r}" for k in keys if want.get(k) != got.get(k)
    )


def vary(
    resolver: Resolver,
    items: list[dict[str, Any]],
    *,
    seed: int,
    only: tuple[str, ...],
    tally: dict[str, list[int]],
    misses: dict[str, list[str]],
    times: list[float],
) -> tuple[int, int]:
    """Score every variant of ``items`` into ``tally`` (``[hits, n, wrong at confidence >= 0.8]`` per kind,
    family and ``all``) and
    ``misses``; the originals read right and answerable."""
    vocab = perturb.Vocabulary(resolver.model)
    originals = [0, 0]  # [read right, answerable]

    def keep(item: dict[str, object]) -> bool:
        ok = blindset.score_items(resolver, [item], scored_only=False).exact == 1
        originals[0] += ok
        originals[1] += 1
        return ok

    for v in perturb.variants(items, resolver, vocab, seed=seed, keep=keep, gold_kinds=True):
        if only and not v.kind.startswith(only):
            continue
        t = time.perf_counter()
        s = blindset.score_items(resolver, [v.item], scored_only=False)
        times.append((time.perf_counter() - t) * 1000)
        for key in (v.kind, v.kind.split(":")[0], "all"):
            tally[key][0] += s.exact
            tally[key][1] += 1
            tally[key][2] += s.confident[1] - s.confident[0]  # wrong at confidence >= 0.8
        if not s.exact:
            _, _, want, got = s.misses[0]
            misses[v.kind].append(f"  {v.qid} {v.text!r} (was {v.original!r}): {_diff(want, got)}")
    return originals[0], originals[1]


def show(tally: dict[str, list[int]], *, indent: str = "") -> None:
    """Pass rates per family, per transformation and overall."""
    for key in sorted(tally, key=lambda k: (k == "all", k.split(":")[0], ":" in k, k)):
        hits, n, sure = tally[key]
        wrong = f", {sure} wrong at confidence >= 0.8" if sure else ""
        print(f"{indent}{'  ' if ':' in key else ''}{key}: {hits}/{n} ({hits / n:.1%}{wrong})")


def foreign_items(name: str) -> list[dict[str, Any]]:
    """Every tuning item of one foreign project (``dev*.yml``, never a blind split), each with its as_of."""
    items = []
    for path in sorted(FOREIGN.glob("dev*.yml")):
        for item in blindset.load(path):
            if str(item.get("project")) == name:
                items.append({"as_of": resolve_foreign.AS_OF, **resolve_foreign.yes_no_as_written(item)})
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list the failing variants by transformation")
    parser.add_argument("--seed", type=int, default=0, help="the seed of every random choice (default 0)")
    parser.add_argument(
        "--only",
        metavar="KIND",
        help="only transformations whose kind starts with KIND (a comma-separated list)",
    )
    parser.add_argument(
        "--foreign", action="store_true", help="the foreign projects' dev splits instead of the demo's"
    )
    parser.add_argument(
        "--work", type=Path, default=Path("/tmp/resolve_foreign"), help="foreign build folder"
    )
    args = parser.parse_args()
    only = tuple(args.only.split(",")) if args.only else ()
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    misses: dict[str, list[str]] = defaultdict(list)
    times: list[float] = []
    if args.foreign:
        right = answerable = 0
        for name in sorted(resolve_foreign.BUILDERS):
            mine: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
            with Project.load(resolve_foreign.built(args.work, name)) as project:
                resolver = project.resolver()
                kept = vary(
                    resolver,
                    foreign_items(name),
                    seed=args.seed,
                    only=only,
                    tally=mine,
                    misses=misses,
                    times=times,
                )
            right, answerable = right + kept[0], answerable + kept[1]
            print(f"-- {name}: originals read right {kept[0]}/{kept[1]}")
            show(mine, indent="  ")
            for key, counts in mine.items():
                for k, c in enumerate(counts):
                    tally[key][k] += c
        print(f"== all projects: originals read right {right}/{answerable}")
    else:
        resolver = Resolver(Project.load(DEMO, strict=False).model)
        resolver.resolve("warm up", as_of=dt.date(2025, 6, 18))
        items = [i for path in blindset.present(blindset.TUNING) for i in blindset.load(path)]
        kept = vary(resolver, items, seed=args.seed, only=only, tally=tally, misses=misses, times=times)
        print(f"originals read right: {kept[0]}/{kept[1]} answerable dev questions (only those are varied)")
    show(tally)
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
