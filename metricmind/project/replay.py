"""``metricmind learn replay``: the demo's workload executed for real, always-plain vs the learned path.

The workload is the simulator's query mix on the current project: each metric with no group-by, by
each ``metric_time`` grain, by its first categorical dimension and by month × that dimension; the shapes
the project cannot answer are left out. ``N`` queries are drawn with Zipf popularity (s = 1.1) over the
shapes in a seeded order. Every query runs twice — the plain plan, and the learned path (policy, result
cache, rollups, verification) — alternating which goes first, and the two answers are compared (any
order, numbers to 1e-9). Halfway through, the nightly learner runs once on what the learned path
recorded so far and builds the rollups it chooses (a night between two days of use).

The learned path uses a private memory, result cache and rollup folder in a temporary directory, and
the runs are not reported to the catalog or the query log: a replay changes nothing the project learned.
Latencies are wall times of the whole call (compile, lookups, execution, verification, recording).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metricmind.errors import MetricmindError
from metricmind.learn.cache import ResultCache
from metricmind.learn.memory import Memory
from metricmind.learn.rollup import GRAINS, spec_for
from metricmind.learn.safety import same_answer
from metricmind.project.learning import Learner
from metricmind.project.nightlearn import plan_rollups
from metricmind.project.rollups import RollupStore
from metricmind.project.rollups_build import usage_of
from metricmind.project.rollups_server import ENGINES
from metricmind.spec.query import MetricQuery

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from metricmind.project.core import Project

ZIPF = 1.1
#: The share of drawn queries that are near-repeats of their shape (a time range or a filter).
VARIATIONS = 0.5
#: A filter picks among the first this many values of the dimension.
FILTER_VALUES = 8


def shapes(project: Project) -> list[MetricQuery]:
    """The workload's query shapes the project can compile (metrics × group-bys × grains)."""
    found: list[MetricQuery] = []
    for metric in project.metrics():
        group_bys: list[list[str]] = [[], *([f"metric_time__{g}"] for g in GRAINS)]
        cat = _categorical(project, metric.name)
        if cat:
            group_bys += [[cat], ["metric_time__month", cat]]
        for group_by in group_bys:
            query = MetricQuery.build([metric.name], group_by or None)
            try:
                project.compile(query)
            except MetricmindError:
                continue
            found.append(query)
    return found


def _months_back(day: dt.date, months: int) -> dt.date:
    """The first of the month ``months`` before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def time_ranges(project: Project, query: MetricQuery) -> list[tuple[dt.date, dt.date]]:
    """Time ranges a user would ask of ``query``'s metric: the last 1, 3, 6 and 12 whole months of its
    data and the last two calendar years (empty when its months cannot be read).
    """
    try:
        months = project._run_plain(MetricQuery.build(list(query.metrics), ["metric_time__month"]))
    except MetricmindError:
        return []
    days = [v.date() if isinstance(v, dt.datetime) else v for v, *_ in months.rows]
    days = [d for d in days if isinstance(d, dt.date)]
    if not days:
        return []
    end = _months_back(max(days), -1)  # the first day after the last month
    ranges = [(_months_back(end, n), end) for n in (1, 3, 6, 12)]
    ranges += [(dt.date(y, 1, 1), dt.date(y + 1, 1, 1)) for y in (end.year - 2, end.year - 1)]
    return ranges


def category_values(project: Project, metrics: tuple[str, ...], name: str) -> list[str]:
    """The first :data:`FILTER_VALUES` values of dimension ``name`` in the metrics' answer by it (text
    values only: a filter compares them as strings), or none when it cannot be read.
    """
    try:
        answer = project._run_plain(MetricQuery.build(list(metrics), [name]))
    except MetricmindError:
        return []
    return [str(v) for v, *_ in answer.rows if isinstance(v, str)][:FILTER_VALUES]


def _filter(name: str, value: str) -> str:
    quoted = value.replace("'", "''")
    return "{{ Dimension('" + name + "') }} = '" + quoted + "'"


def workload(project: Project, n: int, seed: int, *, variations: float = VARIATIONS) -> list[MetricQuery]:
    """``n`` queries drawn with Zipf popularity over the shapes (shuffled by ``seed``).

    With probability ``variations`` a drawn query is a *near-repeat* of its shape rather than the shape
    itself: the same group-by over a time range (:func:`time_ranges`) or filtered on one value of its
    categorical dimension (either with equal odds, among what applies) — a different query of the same
    family, which the result cache does not answer and a rollup of the family does.
    """
    rng = random.Random(seed)
    pool = shapes(project)
    if not pool:
        raise MetricmindError(
            f"the project {project.root} has no query shape to replay",
            hint="Replay a project with metrics that compile (e.g. the demo: `metricmind demo`).",
        )
    rng.shuffle(pool)
    weights = [1 / (i + 1) ** ZIPF for i in range(len(pool))]
    drawn = rng.choices(pool, weights=weights, k=n)
    if variations <= 0:
        return drawn
    values: dict[tuple[tuple[str, ...], str], list[str]] = {}
    ranges: dict[tuple[str, ...], list[tuple[dt.date, dt.date]]] = {}
    cats = {m.name: _categorical(project, m.name) for m in project.metrics()}
    out: list[MetricQuery] = []
    for query in drawn:
        if rng.random() >= variations:
            out.append(query)
            continue
        options: list[MetricQuery] = []
        if query.metrics not in ranges:
            ranges[query.metrics] = time_ranges(project, query)
        if ranges[query.metrics]:
            start, end = rng.choice(ranges[query.metrics])
            options.append(
                MetricQuery.build(list(query.metrics), list(query.group_by) or None, None, start, end)
            )
        cat = cats.get(query.metrics[0])
        if cat and (query.metrics, cat) not in values:
            values[(query.metrics, cat)] = category_values(project, query.metrics, cat)
        if cat and values[(query.metrics, cat)]:
            where = _filter(cat, rng.choice(values[(query.metrics, cat)]))
            options.append(MetricQuery.build(list(query.metrics), list(query.group_by) or None, where))
        out.append(rng.choice(options) if options else query)
    return out


def _categorical(project: Project, metric: str) -> str | None:
    return next((d.name for d in project.dimensions(metric) if d.type == "categorical"), None)


def _p(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)


def _ratio(plain: list[float], learned: list[float]) -> float | None:
    """How many times lower the learned median is than the plain one."""
    if not plain or not learned or statistics.median(learned) <= 0:
        return None
    return round(statistics.median(plain) / statistics.median(learned), 2)


def _family(project: Project, query: MetricQuery) -> str:
    """The rollup family of ``query``: what the rollup that would answer it holds (its metric and
    group-by names otherwise).
    """
    spec = spec_for(project.model, query, project.dialect)
    return spec.key if spec is not None else repr((query.metrics, sorted(query.group_by)))


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def replay(project: Project, n: int, seed: int = 0, *, night_at: float = 0.5) -> dict[str, Any]:
    """Replay ``n`` workload queries plain and learned; the figures (see the module docstring)."""
    queries = workload(project, n, seed)
    listeners, spool = list(project.listeners), project.spool_runs
    project.listeners.clear()
    project.spool_runs = False
    learn = project.settings.get("learn")
    if str(project.setting("warehouse.type")) in ENGINES:  # never touch the project's own rollups
        schema = str(project.setting("learn.rollups_schema"))
        project.settings["learn"] = dict(learn or {}) | {"rollups_schema": f"{schema[:55]}_replay"}
    with tempfile.TemporaryDirectory(prefix="metricmind-replay-") as tmp:
        memory = Memory.open(f"sqlite:///{Path(tmp) / 'memory.db'}")
        rollups = RollupStore(Path(tmp) / "rollups")
        learner = Learner(project, memory=memory, rollups=rollups, cache=ResultCache(), seed=seed)
        try:
            return _replay(project, learner, queries, int(n * night_at))
        finally:
            rollups.close()
            try:
                rollups.drop_all(project)  # a server warehouse's replay rollups go too
            except MetricmindError as exc:
                log.warning("the replay's rollups were not dropped: %s", exc)
            memory.close()
            project.listeners[:] = listeners
            project.spool_runs = spool
            if learn is None:
                project.settings.pop("learn", None)
            else:
                project.settings["learn"] = learn


def _replay(project: Project, learner: Learner, queries: list[MetricQuery], night: int) -> dict[str, Any]:
    plain_ms: list[float] = []
    learned_ms: list[float] = []
    repeated: list[bool] = []
    served: list[str] = []
    differing: list[dict[str, Any]] = []
    failed = 0
    night_report: dict[str, Any] = {}
    seen: set[MetricQuery] = set()
    near: list[bool] = []
    families: set[str] = set()
    for i, query in enumerate(queries):
        if i == night:
            learner.flush()
            specs = plan_rollups(project, learner.memory, limit=int(project.setting("learn.rollups_max")))
            night_report = learner.rollups.build(project, specs, usage_of(project, learner.memory, specs))
        timings: dict[str, float] = {}
        try:
            for side in ("plain", "learned") if i % 2 == 0 else ("learned", "plain"):
                t0 = time.perf_counter()
                if side == "plain":
                    plain = project._run_plain(query)
                else:
                    answer = learner.serve(query)
                timings[side] = (time.perf_counter() - t0) * 1000
        except MetricmindError:
            failed += 1
            continue
        plain_ms.append(timings["plain"])
        learned_ms.append(timings["learned"])
        repeated.append(query in seen)
        seen.add(query)
        family = _family(project, query)
        near.append(not repeated[-1] and family in families)
        families.add(family)
        served.append(answer.served)
        if not same_answer(plain.rows, answer.result.rows) or plain.columns != answer.result.columns:
            differing.append({"query": query.to_dict(), "served": answer.served})
    rep_plain = [ms for ms, r in zip(plain_ms, repeated, strict=True) if r]
    rep_learned = [ms for ms, r in zip(learned_ms, repeated, strict=True) if r]
    near_plain = [ms for ms, r in zip(plain_ms, near, strict=True) if r]
    near_learned = [ms for ms, r in zip(learned_ms, near, strict=True) if r]
    learner.flush()
    stats = learner.stats()
    return {
        "queries": len(plain_ms),
        "failed": failed,
        "shapes": len(seen),
        "families": len(families),
        "plain_median_ms": _median(plain_ms),
        "learned_median_ms": _median(learned_ms),
        "plain_p95_ms": _p(plain_ms, 0.95),
        "learned_p95_ms": _p(learned_ms, 0.95),
        "repeated_share": round(len(rep_plain) / len(plain_ms), 4) if plain_ms else 0.0,
        "repeated_plain_median_ms": _median(rep_plain),
        "repeated_learned_median_ms": _median(rep_learned),
        "repeated_plain_p95_ms": _p(rep_plain, 0.95),
        "repeated_learned_p95_ms": _p(rep_learned, 0.95),
        "repeated_speedup": _ratio(rep_plain, rep_learned),
        "near_repeated_share": round(len(near_plain) / len(plain_ms), 4) if plain_ms else 0.0,
        "near_repeated_plain_median_ms": _median(near_plain),
        "near_repeated_learned_median_ms": _median(near_learned),
        "near_repeated_served": dict(Counter(s for s, r in zip(served, near, strict=True) if r)),
        "rollup_hits_unseen": sum(
            1 for s, r in zip(served, repeated, strict=True) if s == "rollup" and not r
        ),
        "plain_total_s": round(sum(plain_ms) / 1000, 3),
        "learned_total_s": round(sum(learned_ms) / 1000, 3),
        "cache_hits": served.count("cache"),
        "rollup_hits": served.count("rollup"),
        "verified": stats["verified"],
        "banned": stats["banned"],
        "rollups_built": len(night_report.get("built", [])),
        "rollup_kinds": dict(Counter(night_report.get("kinds", {}).values())),
        "rollups_ephemeral": len(night_report.get("ephemeral", [])),
        "differing_answers": len(differing),
        "differing": differing[:5],
    }
