"""Analyses speed: seven attribution models on 1M journeys, and the monthly analyses on large panels.

1. **Attribution**: 1,000,000 synthetic journeys over 8 channels (1–8 touches, seeded), all seven models
   in one ``attribute`` call — exact Shapley (closed form) and exact Markov (linear solves) included;
   target under 30 s. Each model is also timed alone, plus order-2 Markov.
2. **Monthly analyses**: lifecycle, MRR movements (+ two NRR/GRR windows) and cohorts on a synthetic panel
   (customers × 60 months, seeded); target under 5 s each.
3. With ``--demo-scale N``: the demo built at scale N, each analysis in project mode end to end (warehouse
   query included).

    .venv/bin/python bench/analyses.py [--journeys 1000000] [--customers 200000] [--repeat 3]
        [--demo-scale N | --demo-dir DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metricmind.analyses.attribution import MODELS, attribute
from metricmind.analyses.extract import analyze_warehouse
from metricmind.analyses.journeys import Journeys
from metricmind.analyses.lifecycle import lifecycle
from metricmind.analyses.monthly import MonthlyPanel
from metricmind.analyses.revenue import cohorts, mrr_movements, retention_windows

CHANNELS = ("affiliate", "direct", "display", "email", "events", "organic", "paid_search", "social")


def synthetic_arrays(n: int, seed: int = 7) -> tuple[Any, ...]:
    """``n`` journeys of 1–8 touches over 8 channels with skewed channel mix and ~30% conversion.

    Touches come grouped by journey (as the file format and the warehouse query give them) but in random
    time order within each journey, so ``Journeys.build`` has to sort them.
    """
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 9, n)
    journey = np.repeat(np.arange(n), lengths)
    mix = np.array([0.05, 0.2, 0.1, 0.2, 0.05, 0.2, 0.12, 0.08])
    channel = rng.choice(len(CHANNELS), size=len(journey), p=mix)
    ts = rng.integers(1_767_225_600, 1_775_000_000, len(journey)).astype(np.float64)
    converted = rng.random(n) < 0.3
    revenue = np.where(converted, rng.gamma(2.0, 150.0, n), 0.0)
    return CHANNELS, journey, channel, ts, converted, revenue


def synthetic_panel(customers: int, months: int = 60, seed: int = 11) -> MonthlyPanel:
    """Customers that start in a random month, stay a geometric number of months, sometimes return."""
    rng = np.random.default_rng(seed)
    start = rng.integers(0, months, customers)
    stay = rng.geometric(0.06, customers)
    back = rng.random(customers) < 0.15
    entity, month, value = [], [], []
    base = rng.gamma(2.0, 100.0, customers)
    for k in range(months):
        active = (start <= k) & ((k < start + stay) | (back & (k >= start + stay + 3)))
        ids = np.flatnonzero(active)
        entity.append(ids)
        month.append(np.full(len(ids), k))
        value.append(base[ids] * (1 + 0.02 * (k - start[ids])))
    return MonthlyPanel.build(
        2021 * 12, months, np.concatenate(entity), np.concatenate(month), np.concatenate(value)
    )


def timed(label: str, func: Callable[[], Any], repeat: int) -> float:
    """Run ``func`` ``repeat`` times; print and return the median seconds."""
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        runs.append(time.perf_counter() - started)
    median = statistics.median(runs)
    print(f"  {label:<44} median {median:8.3f} s  (runs: {', '.join(f'{r:.3f}' for r in runs)})")
    return median


def main() -> None:
    """Run the benchmarks and print medians."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--journeys", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--demo-scale", type=int, default=0)
    parser.add_argument(
        "--demo-dir", type=Path, default=None, help="Reuse a demo built before (skips the build)."
    )
    args = parser.parse_args()

    started = time.perf_counter()
    raw = synthetic_arrays(args.journeys)
    j = Journeys.build(*raw)
    print(
        f"attribution: {j.n_journeys:,} journeys, {len(j.journey):,} touches, {len(j.channels)} channels "
        f"(generated and sorted in {time.perf_counter() - started:.1f} s)"
    )
    timed("sort touches (Journeys.build)", lambda: Journeys.build(*raw), args.repeat)
    timed("all seven models (one call)", lambda: attribute(j, MODELS), args.repeat)
    timed("sort touches + all seven models", lambda: attribute(Journeys.build(*raw), MODELS), args.repeat)
    for name in MODELS:
        timed(name, lambda name=name: attribute(j, [name]), args.repeat)  # type: ignore[misc]
    timed("markov, order 2", lambda: attribute(j, ["markov"], markov_order=2), args.repeat)

    panel = synthetic_panel(args.customers)
    print(
        f"\nmonthly: {args.customers:,} customers, {len(panel.entity):,} customer months, {panel.n_months} months"
    )
    timed("lifecycle", lambda: lifecycle(panel), args.repeat)
    timed(
        "mrr movements + NRR/GRR windows",
        lambda: (mrr_movements(panel), retention_windows(panel, [(0, 59), (47, 59)])),
        args.repeat,
    )
    timed("cohorts", lambda: cohorts(panel), args.repeat)

    if args.demo_scale or args.demo_dir:
        from metricmind.demo.build import build_demo
        from metricmind.project import Project

        target = args.demo_dir or Path(tempfile.mkdtemp(prefix="bench-analyses-")) / "demo"
        if not args.demo_dir:
            started = time.perf_counter()
            build_demo(target, scale=args.demo_scale, end_date="2026-06-30")
            print(f"\ndemo at scale {args.demo_scale:,}: built in {time.perf_counter() - started:.1f} s")
        else:
            print(f"\ndemo in {target}")
        with Project.load(target) as project:
            for analysis in ("attribution", "lifecycle", "mrr-movements", "cohorts"):
                timed(
                    f"{analysis} (project mode, query included)",
                    lambda analysis=analysis: analyze_warehouse(  # type: ignore[misc]
                        analysis, project.warehouse, project.dialect
                    ),
                    args.repeat,
                )


if __name__ == "__main__":
    main()
