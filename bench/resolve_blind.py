"""Question resolver on the blind-written sets (issue 14): exact match per split, calibration, latency.

``tests/resolve/blind/dev.yml`` (tune on it; ``--misses`` lists its misses) and ``blind.yml`` (scored only:
its misses are never printed), plus the original ``tests/resolve/devset.yml`` for regressions. Loads the
demo catalog from the package (no warehouse needed).

    .venv/bin/python bench/resolve_blind.py [--misses]

Targets (issue 14): >= 95% exact on dev, >= 90% on blind, no regression on the 167; answers with
confidence >= 0.8 right >= 90% of the time on the blind split; refusals with confidence < 0.5;
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
        "--misses", action="store_true", help="list the dev split's misses (never the blind's)"
    )
    args = parser.parse_args()
    model = Project.load(DEMO, strict=False).model
    t0 = time.perf_counter()
    resolver = Resolver(model)
    resolver.resolve("warm up", as_of=dt.date(2025, 6, 18))
    start_ms = (time.perf_counter() - t0) * 1000
    dev = blindset.score(resolver, blindset.DEV)
    blind = blindset.score(resolver, blindset.BLIND)
    dev2 = blindset.score(resolver, blindset.DEV2)
    blind2 = blindset.score(resolver, blindset.BLIND2)
    old = devset.score(resolver)
    times = []
    for item in blindset.load(blindset.DEV) + blindset.load(blindset.BLIND):
        t = time.perf_counter()
        resolver.resolve(str(item["q"]), as_of=dt.date(2025, 6, 18))
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print("== dev split (tune on it)")
    print(dev.report(show_misses=args.misses))
    print("\n== blind split (scored only)")
    print(blind.report(show_misses=False))
    print("\n== dev2 split (second author; tune on it)")
    print(dev2.report(show_misses=args.misses))
    print("\n== blind2 split (second author; scored only)")
    print(blind2.report(show_misses=False))
    print(f"\n== original dev set: {old.accuracy():.1%} exact of {old.total}")
    print(
        f"start-up {start_ms:.0f} ms; per question median {statistics.median(times):.2f} ms, "
        f"p95 {times[int(0.95 * (len(times) - 1))]:.2f} ms"
    )
    print(
        f"resolve_blind: dev {dev.accuracy():.1%}, blind {blind.accuracy():.1%}, dev2 {dev2.accuracy():.1%}, "
        f"blind2 {blind2.accuracy():.1%}, original {old.accuracy():.1%}"
    )


if __name__ == "__main__":
    main()
