"""Real replay on the demo in PostgreSQL: rollups in the warehouse's own schema, cache, verification.

Starts a throwaway PostgreSQL server (Debian packages, ``metricmind.testing.postgres``), copies a
built demo's DuckDB tables into it, points a copy of the demo project at it, and runs
``metricmind learn replay`` there (rollups built in ``<learn.rollups_schema>_replay`` and dropped
after); prints the replay's JSON with the load average before and after.

    .venv/bin/python bench/learn_replay_pg.py --demo-dir /tmp/demo1k [--queries 300] [--seed 0]

(``--demo-dir`` holds a built demo, e.g. ``metricmind demo --dir /tmp/demo1k --scale 1000
--end-date 2026-06-30``; copying is row by row, so keep the scale small.)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path


def main() -> None:
    """Start PostgreSQL, copy the demo, replay, print the figures."""
    from metricmind.project import Project
    from metricmind.project.replay import replay
    from metricmind.testing.postgres import PostgresServer, copy_duckdb_to_postgres

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-dir", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with PostgresServer() as server, tempfile.TemporaryDirectory(prefix="mm-replay-pg-") as tmp:
        t0 = time.perf_counter()
        copy_duckdb_to_postgres(args.demo_dir / "target" / "warehouse.duckdb", server.url)
        copied_s = time.perf_counter() - t0
        root = Path(tmp) / "demo"
        shutil.copytree(args.demo_dir, root, ignore=shutil.ignore_patterns("target", ".metricmind"))
        (root / "metricmind.yml").write_text(
            f"name: saas_demo\nwarehouse:\n  type: postgres\n  dsn: {server.url}\n  schema: main\n"
        )
        load_before = [round(x, 2) for x in os.getloadavg()]
        with Project.load(root) as project:
            t0 = time.perf_counter()
            result = replay(project, args.queries, seed=args.seed)
        result |= {
            "copy_s": round(copied_s, 1),
            "wall_s": round(time.perf_counter() - t0, 1),
            "load_before": load_before,
            "load_after": [round(x, 2) for x in os.getloadavg()],
        }
        rep_plain, rep_learned = result["repeated_plain_median_ms"], result["repeated_learned_median_ms"]
        result["repeated_speedup"] = round(rep_plain / rep_learned, 2) if rep_plain and rep_learned else None
        print(json.dumps(result, indent=1), flush=True)


if __name__ == "__main__":
    main()
