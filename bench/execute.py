"""Execution speed of generated SQL: metricmind vs MetricFlow vs hand-written, on DuckDB with 10M+ events.

Per query class (simple, join, multi-hop, ratio, derived offset, cumulative window, conversion) the
three statements run on the same DuckDB file, each several times; the script prints the median and
the ratios, and checks that all three return the same rows. After one warm-up each, the three take
turns run by run, so neither the cache nor the machine's load favours one. MetricFlow's SQL comes from MetricFlow
itself (``engine.explain``) through the differential-test harness.

    .venv/bin/python bench/execute.py [--scale 60000] [--runs 5] [--timeout 300] [--dir DIR]

The demo at scale 60,000 has about 11M event rows (``fct_user_events_canonical``) and builds in about a
minute; pass ``--dir`` to reuse a build.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metricmind.demo.build import build_demo
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from metricmind.testing.metricflow import MFQuery, compare_results, run_metricflow

END = "2026-06-30"


@dataclass(frozen=True)
class Bench:
    name: str
    metrics: tuple[str, ...]
    group_by: tuple[str, ...]
    hand: str
    start: str | None = None
    end: str | None = None


BENCHES = [
    Bench(
        "simple",
        ("events",),
        ("metric_time__month",),
        "select date_trunc('month', occurred_at) as metric_time__month, count(event_id) as events "
        "from main.fct_user_events_canonical group by 1",
    ),
    Bench(
        "join",
        ("events",),
        ("customer__segment",),
        "select c.segment as customer__segment, count(e.event_id) as events from main.fct_user_events_canonical e "
        "left join main.dim_customers_canonical c on c.customer_id = e.customer_id group by 1",
    ),
    Bench(
        "multi-hop",
        ("events",),
        ("user__customer__region",),
        "select c.region as user__customer__region, count(e.event_id) as events "
        "from main.fct_user_events_canonical e left join main.dim_users u on u.user_id = e.user_id "
        "left join main.dim_customers_canonical c on c.customer_id = u.customer_id group by 1",
    ),
    Bench(
        "ratio",
        ("arpa",),
        ("metric_time__month", "customer__segment"),
        """with m as (select month_start, customer_id, mrr, is_active from main.mart_customer_lifecycle_canonical),
             last as (select date_trunc('month', month_start) mo, max(month_start) d from m group by 1)
             select last.mo as metric_time__month, c.segment as customer__segment,
                    sum(m.mrr) / nullif(sum(case when m.is_active then 1 else 0 end), 0) as arpa
             from m join last on m.month_start = last.d
             left join main.dim_customers_canonical c on c.customer_id = m.customer_id group by 1, 2""",
    ),
    Bench(
        "derived offset",
        ("mrr_growth_mom",),
        ("metric_time__month",),
        """with m as (select month_start, mrr from main.mart_customer_lifecycle_canonical),
             last as (select date_trunc('month', month_start) mo, max(month_start) d from m group by 1),
             s as (select last.mo, sum(m.mrr) mrr from m join last on m.month_start = last.d group by 1)
             select cur.mo as metric_time__month, 100.0 * (cur.mrr - prev.mrr) / nullif(prev.mrr, 0) as mrr_growth_mom
             from s cur left join s prev on prev.mo = cur.mo - interval 1 month""",
    ),
    Bench(
        "cumulative window",
        ("active_users_7d",),
        ("metric_time__day",),
        """with d as (select distinct cast(occurred_at as date) as day, user_id from main.fct_user_events_canonical
                       where occurred_at >= date '2024-12-26' and occurred_at < date '2026-07-01'),
             x as (select d.day + cast(r.i as integer) as day, d.user_id from d, range(7) as r(i))
             select s.date_day as metric_time__day, count(distinct x.user_id) as active_users_7d
             from main.time_spine_daily s join x on x.day = s.date_day
             where s.date_day >= date '2025-01-01' and s.date_day < date '2026-07-01'
             group by 1""",
        start="2025-01-01",
        end="2026-07-01",
    ),
    Bench(
        "conversion",
        ("trial_conversion_rate",),
        ("metric_time__month",),
        """with t as (select customer_id, cast(trial_started_at as date) d from main.fct_trials),
             conv as (select subscription_id, customer_id, cast(started_at as date) d,
                             case when change_type = 'new' then customer_id end v
                      from main.fct_subscriptions_canonical),
             credited as (select c.subscription_id, any_value(c.v) v, max(t.d) base_day from conv c
                          join t on t.customer_id = c.customer_id and t.d <= c.d and t.d > c.d - interval 30 day
                          group by 1),
             num as (select date_trunc('month', base_day) m, count(distinct v) n from credited group by 1),
             den as (select date_trunc('month', trial_started_at) m, count(trial_id) n from main.fct_trials group by 1)
             select coalesce(den.m, num.m) as metric_time__month,
                    cast(num.n as double) / nullif(den.n, 0) as trial_conversion_rate
             from den full join num on den.m = num.m""",
    ),
]


def _once(
    con: duckdb.DuckDBPyConnection, sql: str, timeout: float
) -> tuple[float | None, list[tuple[Any, ...]]]:
    timer = threading.Timer(timeout, con.interrupt)
    timer.start()
    t0 = time.perf_counter()
    try:
        rows = con.execute(sql).fetchall()
    except duckdb.InterruptException:
        return None, []
    finally:
        timer.cancel()
    return time.perf_counter() - t0, rows


def race(
    con: duckdb.DuckDBPyConnection, sqls: dict[str, str | None], runs: int, timeout: float
) -> dict[str, tuple[float | None, list[tuple[Any, ...]]]]:
    """Median time and rows of each statement: one warm-up each, then interleaved rounds.

    Statements take turns (the order rotates every round), so the file cache and the machine's load
    treat them alike. One whose warm-up took over 5 s gets half the rounds.
    """
    out: dict[str, tuple[float | None, list[tuple[Any, ...]]]] = {}
    times: dict[str, list[float]] = {}
    rounds: dict[str, int] = {}
    for name, sql in sqls.items():
        if sql is None:
            out[name] = (None, [])
            continue
        first, rows = _once(con, sql, timeout)
        out[name] = (first, rows)
        if first is not None:
            times[name] = []
            rounds[name] = runs if first <= 5 else max(1, runs // 2)
    names = list(times)
    for r in range(runs):
        order = names[r % len(names) :] + names[: r % len(names)] if names else []
        for name in order:
            if len(times[name]) >= rounds[name]:
                continue
            elapsed, _ = _once(con, sqls[name] or "", timeout)
            if elapsed is not None:
                times[name].append(elapsed)
    for name, values in times.items():
        out[name] = (statistics.median(values) if values else out[name][0], out[name][1])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=60_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--only", default="", help="Comma-separated classes to run (default: all).")
    args = parser.parse_args()
    target = args.dir or Path(tempfile.mkdtemp(prefix="bench_execute_")) / "saas_demo"
    if not (target / "target" / "warehouse.duckdb").exists():
        print(build_demo(target, scale=args.scale, end_date=END, seed=7).summary())
    project = Project.load(target)
    warehouse = target / "target" / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse), read_only=True)
    events = con.execute("select count(*) from main.fct_user_events_canonical").fetchone()[0]  # type: ignore[index]
    print(f"\nfct_user_events_canonical: {events:,} rows; median of {args.runs} runs, seconds\n")
    wanted = {w.strip() for w in args.only.split(",") if w.strip()}
    mf = {
        r.id: r
        for r in run_metricflow(
            target,
            warehouse,
            [
                MFQuery(
                    b.name,
                    b.metrics,
                    b.group_by,
                    start=b.start,
                    end=(None if not b.end else _day_before(b.end)),
                    explain_only=True,
                )
                for b in BENCHES
                if not wanted or b.name in wanted
            ],
        )
    }
    print(
        f"{'class':<18} {'metricmind':>10} {'MetricFlow':>11} {'hand':>8} {'vs hand':>8} {'vs MF':>7}  same rows"
    )
    for b in BENCHES:
        if wanted and b.name not in wanted:
            continue
        query = MetricQuery.build(list(b.metrics), list(b.group_by), start=b.start, end=b.end)
        ours_sql = project.compile(query)
        mf_sql = mf[b.name].sql if mf[b.name].error is None else None
        timings = race(con, {"ours": ours_sql, "mf": mf_sql, "hand": b.hand or None}, args.runs, args.timeout)
        (ours_t, ours_rows), (mf_t, mf_rows), (hand_t, hand_rows) = (
            timings["ours"],
            timings["mf"],
            timings["hand"],
        )
        cols = project.plan(query).columns
        same = []
        if hand_t is not None:
            same.append("hand" if not compare_results(cols, ours_rows, cols, hand_rows) else "HAND DIFFERS")
        if mf_t is not None:
            same.append("MF" if not compare_results(cols, ours_rows, cols, mf_rows) else "MF DIFFERS")
        print(
            f"{b.name:<18} {_s(ours_t):>10} {_s(mf_t, args.timeout):>11} {_s(hand_t):>8} "
            f"{_ratio(ours_t, hand_t):>8} {_ratio(ours_t, mf_t):>7}  {', '.join(same)}"
        )


def _day_before(day: str) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()


def _s(value: float | None, timeout: float | None = None) -> str:
    if value is None:
        return f">{timeout:.0f}" if timeout else "-"
    return f"{value:.3f}"


def _ratio(ours: float | None, other: float | None) -> str:
    if ours is None or other is None:
        return "-"
    return f"{ours / other:.2f}x"


if __name__ == "__main__":
    main()
