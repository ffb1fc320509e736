"""Question resolver: latency per question (median of several runs) and dev-set accuracy.

Loads the demo catalog from the package (no warehouse needed), resolves every question of
``tests/resolve/devset.yml`` ``--runs`` times, and prints the median and p95 per question, the
cold start (building the phrase index), and exact-match accuracy per component. Baseline in the same
run: a bare ``difflib.get_close_matches`` lookup of the question against every metric phrase, the
cheapest fuzzy matching one could do, to show what the structured reading costs on top.

    .venv/bin/python bench/resolve.py [--runs 20]

Target: median under 20 ms per question.
"""

from __future__ import annotations

import argparse
import difflib
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metricmind.project import Project
from metricmind.resolve import Resolver
from tests.resolve.devset import load, score

DEMO = Path(__file__).resolve().parents[1] / "metricmind" / "demo" / "project"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    model = Project.load(DEMO, strict=False).model
    cold = []
    for _ in range(5):
        t0 = time.perf_counter()
        resolver = Resolver(model)
        resolver.resolve("warm up MRR by region", as_of=None)
        cold.append((time.perf_counter() - t0) * 1000)
    as_of, items = load()
    questions = [str(i["q"]) for i in items]
    phrases = [" ".join(k) for k in resolver.lex.phrases]
    ours: list[float] = []
    base: list[float] = []
    for _ in range(args.runs):
        for q in questions:
            t0 = time.perf_counter()
            resolver.resolve(q, as_of=as_of)
            ours.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            difflib.get_close_matches(q.lower(), phrases, n=3, cutoff=0.3)
            base.append((time.perf_counter() - t0) * 1000)
    ours.sort()
    base.sort()
    med, p95 = statistics.median(ours), ours[int(len(ours) * 0.95)]
    bmed = statistics.median(base)
    print(f"questions: {len(questions)} x {args.runs} runs")
    print(f"resolver cold start (index + first question): median {statistics.median(cold):.1f} ms")
    print(
        f"resolve per question: median {med:.2f} ms, p95 {p95:.2f} ms, max {ours[-1]:.2f} ms (target < 20 ms)"
    )
    print(f"baseline difflib close-match: median {bmed:.2f} ms  (resolver/baseline {med / bmed:.2f}x)")
    print(score(resolver).report())


if __name__ == "__main__":
    main()
