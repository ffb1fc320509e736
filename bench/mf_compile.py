"""MetricFlow's compile latency per query, measured in-process, to print beside ours.

``bench/compile.py`` calls :func:`mf_compile_latency` with the same project and queries it times for
metricmind, so one run prints both columns. MetricFlow runs in its own environment (``.venv-mf``) through
the differential-test runner: one subprocess parses the project once (or reuses the cached manifest),
builds one engine, and times ``engine.explain`` (compile only, no database needed) for every query.

Per query it reports the first compile in an already warm engine (MetricFlow's per-query plan caches
still cold: what a new, distinct question costs) and the median of ``repeats`` compiles after that (the
same question again, caches warm). A throw-away warm-up query runs first so the first timed query does
not pay for one-time lazy initialisation.

Usage::

    .venv/bin/python bench/mf_compile.py                      # the shop project, a default query mix
    .venv/bin/python bench/mf_compile.py --project DIR --queries queries.json --repeats 30 --json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from metricmind.testing.metricflow import REPO_ROOT, MFQuery, run_metricflow_batch

SHOP_DIR = REPO_ROOT / "metricmind" / "testing" / "projects" / "shop"

SHOP_QUERIES = [
    MFQuery("simple_month", metrics=("revenue",), group_by=("metric_time__month",)),
    MFQuery("simple_dim", metrics=("orders",), group_by=("customer__segment",)),
    MFQuery(
        "two_hop", metrics=("revenue",), group_by=("customer__region__region_name", "metric_time__quarter")
    ),
    MFQuery("multi_metric", metrics=("revenue", "orders", "discounts"), group_by=("metric_time__month",)),
    MFQuery("ratio", metrics=("revenue_per_customer",), group_by=("customer__segment",)),
    MFQuery("ratio_filtered", metrics=("completed_share",), group_by=("metric_time__month",)),
    MFQuery("derived", metrics=("net_revenue_per_order",), group_by=("metric_time__month",)),
    MFQuery("derived_offset", metrics=("revenue_growth_mom",), group_by=("metric_time__month",)),
    MFQuery("cumulative_window", metrics=("revenue_7d",), group_by=("metric_time__day",)),
    MFQuery("cumulative_to_date", metrics=("revenue_mtd",), group_by=("metric_time__month",)),
    MFQuery("conversion", metrics=("visit_to_order_rate",), group_by=("metric_time__month",)),
    MFQuery("semi_additive", metrics=("total_balance",), group_by=("metric_time__month",)),
    MFQuery(
        "where",
        metrics=("revenue",),
        group_by=("metric_time__month",),
        where=("{{ Dimension('order__status') }} = 'completed'",),
    ),
    MFQuery(
        "time_range",
        metrics=("revenue", "orders"),
        group_by=("metric_time__week",),
        start="2024-01-01",
        end="2024-06-30",
    ),
    MFQuery("saved_query", saved_query="revenue_by_segment"),
]


@dataclass(frozen=True)
class MFCompileTiming:
    """MetricFlow's compile latency for one query, in milliseconds.

    Attributes:
        id: The query's id.
        first_ms: The first compile of this query in a warm engine.
        median_ms: Median of the ``repeats`` compiles after the first.
        min_ms: Fastest of those.
        repeats: How many compiles the median is over.
        error: MetricFlow's error, when the query does not compile.
    """

    id: str
    first_ms: float | None
    median_ms: float | None
    min_ms: float | None
    repeats: int
    error: str | None


@dataclass(frozen=True)
class MFCompileReport:
    """Per-query compile timings plus MetricFlow's one-off set-up costs.

    Attributes:
        per_query: Timings keyed by query id, in request order.
        setup_ms: ``mf_import``, ``dbt_import`` and ``parse`` (absent on a manifest-cache hit),
            ``engine`` and ``total``.
        manifest_cache: ``"hit"``, ``"miss"`` or ``"off"``.
        versions: metricflow, dbt-core, dbt-duckdb and duckdb versions.
    """

    per_query: dict[str, MFCompileTiming]
    setup_ms: dict[str, float]
    manifest_cache: str | None
    versions: dict[str, str]


def _explain_only(query: MFQuery | Mapping[str, Any], repeat: int) -> dict[str, Any]:
    data = query.to_json() if isinstance(query, MFQuery) else dict(query)
    return {**data, "explain_only": True, "repeat": repeat}


def mf_compile_latency(
    project_dir: Path,
    queries: Sequence[MFQuery | Mapping[str, Any]],
    *,
    duckdb_path: Path | None = None,
    repeats: int = 20,
    profile: str | None = None,
    schema: str = "main",
    cache: bool = True,
) -> MFCompileReport:
    """Measure MetricFlow's warm compile latency (``engine.explain``) for each query.

    Args:
        project_dir: The dbt project.
        queries: The queries, as :class:`MFQuery` or runner protocol dicts (``explain_only`` and
            ``repeat`` are overridden).
        duckdb_path: Only its name matters (it becomes the database name in MetricFlow's SQL); the file
            need not exist. Defaults to ``<tmp>/<project dir name>.duckdb``.
        repeats: Warm compiles per query after the first one.
        profile: dbt profile name; default from ``dbt_project.yml``.
        schema: Schema of the models.
        cache: Reuse a cached semantic manifest when the project is unchanged.

    Returns:
        The per-query timings and the set-up costs.

    Raises:
        MetricFlowRunError: MetricFlow's environment is missing or the project does not parse.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    project_dir = Path(project_dir)
    database = duckdb_path or Path(tempfile.gettempdir()) / f"{project_dir.resolve().name}.duckdb"
    timed = [_explain_only(q, repeats + 1) for q in queries]
    batch = list(timed)
    if timed:
        warmup = {**timed[0], "id": "__warmup__", "repeat": 1}
        if not warmup.get("saved_query"):
            warmup["group_by"] = []  # a different plan, so the first timed query's caches stay cold
        batch.insert(0, warmup)
    run = run_metricflow_batch(project_dir, database, batch, profile=profile, schema=schema, cache=cache)
    per_query: dict[str, MFCompileTiming] = {}
    for result in run.results:
        if result.id == "__warmup__":
            continue
        warm = result.compile_ms[1:]
        per_query[result.id] = MFCompileTiming(
            id=result.id,
            first_ms=result.compile_ms[0] if result.compile_ms else None,
            median_ms=statistics.median(warm) if warm and result.error is None else None,
            min_ms=min(warm) if warm and result.error is None else None,
            repeats=len(warm),
            error=result.error,
        )
    return MFCompileReport(
        per_query=per_query, setup_ms=run.timings_ms, manifest_cache=run.manifest_cache, versions=run.versions
    )


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:8.2f}"


def main(argv: Sequence[str] | None = None) -> int:
    """Print MetricFlow's compile latency for a project's queries (default: the shop project)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--project", type=Path, default=SHOP_DIR, help="dbt project directory")
    parser.add_argument("--queries", type=Path, help="JSON file: a list of runner protocol query objects")
    parser.add_argument("--repeats", type=int, default=20, help="warm compiles per query (default 20)")
    parser.add_argument("--no-cache", action="store_true", help="always run dbt parse")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    queries: Sequence[MFQuery | Mapping[str, Any]] = (
        json.loads(args.queries.read_text()) if args.queries else SHOP_QUERIES
    )
    report = mf_compile_latency(args.project, queries, repeats=args.repeats, cache=not args.no_cache)
    if args.json:
        print(json.dumps(dataclasses.asdict(report), indent=2))
        return 0
    print(f"MetricFlow {report.versions.get('metricflow', '?')}, manifest cache: {report.manifest_cache}")
    print("set-up: " + ", ".join(f"{k} {v:.0f} ms" for k, v in report.setup_ms.items()))
    print(f"{'query':<22} {'first ms':>8} {'median ms':>9} {'min ms':>8}")
    for timing in report.per_query.values():
        note = f"  ERROR {timing.error.splitlines()[0]}" if timing.error else ""
        print(
            f"{timing.id:<22} {_fmt(timing.first_ms)} {_fmt(timing.median_ms):>9} {_fmt(timing.min_ms)}{note}"
        )
    medians = [t.median_ms for t in report.per_query.values() if t.median_ms is not None]
    firsts = [t.first_ms for t in report.per_query.values() if t.first_ms is not None and t.error is None]
    if medians:
        print(
            f"{'median over queries':<22} {_fmt(statistics.median(firsts))} {_fmt(statistics.median(medians)):>9}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
