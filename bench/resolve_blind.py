"""Question resolver on the blind-written sets (issue 14): exact match per split, calibration, latency.

The tuning splits ``tests/resolve/blind/dev.yml`` to ``dev8.yml`` (``--misses`` lists their
misses) and, only with ``--blind``, the scored-only splits ``blind.yml`` to ``blind8.yml``
(their misses are never printed; the lead scores them, so engineers tuning the resolver run without
``--blind`` and never see those figures), plus the original ``tests/resolve/devset.yml`` for regressions.
A split whose file is not there yet is skipped. Loads the demo catalog from the package (no warehouse).

    .venv/bin/python bench/resolve_blind.py [--misses] [--blind] [--values DEMO_DIR]

Targets (issue 14): >= 95% exact on dev, >= 90% on blind, no regression on the 167; answers with
confidence >= 0.8 right >= 90% of the time on every split; refusals with confidence < 0.5;
p95 < 50 ms per question.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metricmind.project import Project
from metricmind.resolve import Resolver
from tests.resolve import blindset, devset

DEMO = Path(__file__).resolve().parents[1] / "metricmind" / "demo" / "project"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--misses", action="store_true", help="list the tuning splits' misses (never a blind split's)"
    )
    parser.add_argument(
        "--blind", action="store_true", help="also score the blind splits (the lead's final run only)"
    )
    parser.add_argument(
        "--values",
        metavar="DEMO_DIR",
        help="a built demo (scale 1000, 2025-06-18): its warehouse's dimension values are given to the resolver, "
        "as `metricmind ask` does (campaign names, which the catalog does not declare)",
    )
    args = parser.parse_args()
    model = Project.load(DEMO, strict=False).model
    values = Project.load(Path(args.values)).dimension_values() if args.values else None
    t0 = time.perf_counter()
    resolver = Resolver(model, values=values)
    resolver.resolve("warm up", as_of=dt.date(2025, 6, 18))
    start_ms = (time.perf_counter() - t0) * 1000
    splits = blindset.present(blindset.TUNING)
    if args.blind:
        splits += blindset.present(blindset.SCORED_ONLY)
    figures = []
    times: list[float] = []
    for path in splits:
        s = blindset.score(resolver, path)
        tuning = path in blindset.TUNING
        print(f"== {path.stem} ({'tune on it' if tuning else 'scored only'})")
        print(s.report(show_misses=args.misses and tuning))
        print()
        figures.append(f"{path.stem} {s.accuracy():.1%}")
        for item in blindset.load(path):
            t = time.perf_counter()
            resolver.resolve(str(item["q"]), as_of=dt.date(2025, 6, 18))
            times.append((time.perf_counter() - t) * 1000)
    old = devset.score(resolver)
    times.sort()
    print(f"== original dev set: {old.accuracy():.1%} exact of {old.total}")
    print(
        f"start-up {start_ms:.0f} ms; per question median {statistics.median(times):.2f} ms, "
        f"p95 {times[int(0.95 * (len(times) - 1))]:.2f} ms"
    )
    print(f"resolve_blind: {', '.join(figures)}, original {old.accuracy():.1%}")


if __name__ == "__main__":
    main()
