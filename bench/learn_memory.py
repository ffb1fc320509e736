"""Memory consulted by the resolver: recall latency with 100k skills and episodes (lexical path).

Builds the demo (scale 300) in a temporary folder, fills its memory with ``--items`` confirmed skills
(ask readings of questions over the demo's metrics and dimensions) and as many episodes, plus
``--notes`` reflexion notes (half reviewed), then times, over the questions of the corrections test
and their paraphrases:

- ``Memory.search`` (top-5 skills, the index built from the store first),
- the whole memory lookup the resolver calls (notes visible to the user, then skills),
- ``Project.ask`` end to end (resolver + lookup), against the resolver alone.

    .venv/bin/python bench/learn_memory.py [--items 100000] [--notes 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metricmind.demo.build import build_demo
from metricmind.learn import schema
from metricmind.learn.memory import Memory, now
from metricmind.project import Project
from metricmind.project.recall import lookup, reading_from_query
from metricmind.storage import default_url
from tests.learn.corrections import CORRECTIONS

AS_OF = dt.date(2026, 6, 30)
METRICS = ["mrr", "arr", "invoice_revenue", "billed_amount", "active_customers", "new_customers", "signups"]
DIMS = [
    "customer__region",
    "customer__segment",
    "customer__industry",
    "metric_time__month",
    "metric_time__week",
]
WORDS = [
    "revenue",
    "customers",
    "accounts",
    "growth",
    "team",
    "pipeline",
    "users",
    "billing",
    "plan",
    "region",
]


def timed(func: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and p95 milliseconds of ``runs`` calls."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        func()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def fill(memory: Memory, items: int, notes: int) -> None:
    """``items`` skills and episodes, ``notes`` notes (half reviewed), in bulk."""
    at = now()
    skills, episodes = [], []
    for i in range(items):
        metric, dim = METRICS[i % len(METRICS)], DIMS[(i // 7) % len(DIMS)]
        question = (
            f"{metric.replace('_', ' ')} by {dim.split('__')[-1]} {WORDS[i % 10]} {WORDS[(i // 10) % 10]} {i}"
        )
        reading = reading_from_query({"metrics": [metric], "group_by": [dim]})
        template = {"reading": reading, "query": None}
        skills.append(
            {
                "kind": "query",
                "pattern": f"ask:{i}",
                "text": question,
                "template": template,
                "uses": 3,
                "successes": 3,
                "total_ms": 30.0,
                "created_at": at,
                "last_used": at,
            }  # fmt: skip
        )
        episodes.append(
            {
                "question": question,
                "pattern": f"ask:{i}",
                "reading": json.dumps(reading),
                "success": True,
                "created_at": at,
                "updated_at": at,
            }  # fmt: skip
        )
    wrong = json.dumps({"answerable": False, "analysis": False})
    fix = json.dumps(reading_from_query({"metrics": ["arr"]}))
    rows = [
        {
            "question": f"the {WORDS[i % 10]} {WORDS[(i // 10) % 10]} board figure {i}",
            "wrong": wrong,
            "fix": fix,
            "author": f"user{i % 20}",
            "reviewed": i % 2 == 0,
            "created_at": at,
        }  # fmt: skip
        for i in range(notes)
    ]
    with memory.engine.begin() as conn:
        conn.execute(schema.skills.insert(), skills)
        conn.execute(schema.episodes.insert(), episodes)
        if rows:
            conn.execute(schema.reflexions.insert(), rows)


def main() -> None:
    """Build, fill, time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--notes", type=int, default=1000)
    args = parser.parse_args()
    questions = [q for q, _, _ in CORRECTIONS] + [p for _, p, _ in CORRECTIONS]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "demo"
        build_demo(root, scale=300, end_date=AS_OF.isoformat())
        project = Project.load(root)
        memory = Memory.open(default_url(root), semantic=False)
        project.__dict__["memory"] = memory  # the lexical path, whatever extras are installed
        t0 = time.perf_counter()
        fill(memory, args.items, args.notes)
        fill_s = time.perf_counter() - t0
        project.catalog.add_user("ann", "editor")
        for question, _, fix in CORRECTIONS:
            project.answer_feedback(question, "incorrect", user="ann", expected=fix, as_of=AS_OF)
        t0 = time.perf_counter()
        memory.search("warm up", kind="skills")
        build_s = time.perf_counter() - t0
        resolver = project.resolver()
        words = resolver.lex.vocabulary
        readings = [resolver.resolve(q, as_of=AS_OF) for q in questions]
        runs = 3
        i = iter(range(10**9))
        search = timed(lambda: memory.search(questions[next(i) % len(questions)], kind="skills", k=5), 200)
        j = iter(range(10**9))

        def recall() -> None:
            n = next(j)
            lookup(memory, readings[n % len(readings)], "ann", words)

        whole = timed(recall, len(readings) * runs)
        right = sum(
            bool(project.ask(q, as_of=AS_OF, user="ann").resolution.to_dict().get("memory"))
            for q in questions
        )
        k = iter(range(10**9))
        asked = timed(lambda: project.ask(questions[next(k) % len(questions)], as_of=AS_OF, user="ann"), 200)
        m = iter(range(10**9))
        plain = timed(lambda: resolver.resolve(questions[next(m) % len(questions)], as_of=AS_OF), 200)
        print(
            f"memory: {args.items:,} skills + {args.items:,} episodes + {args.notes:,} notes "
            f"(+{len(CORRECTIONS)} corrections); bulk insert {fill_s:.1f} s, skill index build {build_s:.1f} s"
        )
        print(f"  Memory.search top-5 skills: median {search[0]:.2f} ms, p95 {search[1]:.2f} ms")
        print(f"  memory lookup (notes, then skills): median {whole[0]:.2f} ms, p95 {whole[1]:.2f} ms")
        print(f"  ask with memory: median {asked[0]:.2f} ms, p95 {asked[1]:.2f} ms "
              f"(resolver alone: median {plain[0]:.2f} ms, p95 {plain[1]:.2f} ms)")  # fmt: skip
        print(f"  answered from memory: {right} of {len(questions)} questions and paraphrases")
        memory.close()
        project.close()


if __name__ == "__main__":
    main()
