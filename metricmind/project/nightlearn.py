"""The nightly learner: a step of the nightly job, wired here because ``knowledge`` never imports ``learn``.

``metricmind nightly`` (and ``serve --nightly-at``) pass :func:`learner_step` to
``metricmind.knowledge.nightly.run``, which calls it inside its lock, after mining. It:

1. consolidates query patterns that succeeded at least 3 times (never corrected) into skills;
2. marks trending metrics (episodes of the last 7 days against the 7 before; at least 3 uses and
   1.5× as many, or new) — kept in the memory store beside the catalog (``trending`` checkpoint);
3. decides the rollups from usage and rewards (:func:`plan_rollups`) and builds them — current ones
   are copied, stale ones rebuilt, unused ones dropped;
4. proposes, as reviewable proposals next to the metric proposals: query templates (saved queries of
   patterns used at least 3 times), dashboards (a metric's templates together) and rollups to
   materialize in the warehouse (saved queries with a table export, for dbt to build).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from metricmind.errors import MetricmindError
from metricmind.knowledge.mining import Proposal
from metricmind.learn.memory import Memory, now
from metricmind.learn.rollup import RollupSpec, choose, spec_for
from metricmind.project.rollups import RollupStore
from metricmind.project.trending import TRENDING_CACHE
from metricmind.spec.query import MetricQuery

if TYPE_CHECKING:
    from metricmind.project.core import Project

log = logging.getLogger(__name__)
WINDOW_DAYS = 14
TEMPLATE_USES = 3


def _episodes(memory: Memory, days: int = WINDOW_DAYS, limit: int = 50_000) -> list[dict[str, Any]]:
    """Successful query episodes of the last ``days`` days."""
    since = now() - dt.timedelta(days=days)
    return [
        e
        for e in memory.episodes(limit)
        if e["query"] and e["created_at"] >= since and e["success"] and str(e["pattern"]).startswith("query:")
    ]


def _query(episode: dict[str, Any]) -> MetricQuery | None:
    try:
        return MetricQuery.from_dict(dict(episode["query"]))
    except MetricmindError:
        return None


def plan_rollups(
    project: Project, memory: Memory | None, *, limit: int = 20, min_uses: int = 2
) -> list[RollupSpec]:
    """The rollups worth having, from the recorded usage and rewards.

    Each successful query episode counts for the rollup that would answer it (``spec_for``); a rollup's
    worth is its uses × the plain plan's mean latency. A rollup whose answers earned less reward than
    the plain plan's for the same shapes is not kept.
    """
    if memory is None:
        return []
    uses: Counter[RollupSpec] = Counter()
    plain_ms: dict[RollupSpec, list[float]] = defaultdict(list)
    rewards: dict[tuple[RollupSpec, str], list[float]] = defaultdict(list)
    for episode in _episodes(memory):
        query = _query(episode)
        spec = spec_for(project.model, query, project.dialect) if query is not None else None
        if spec is None:
            continue
        uses[spec] += 1
        served = (episode["action"] or {}).get("served", "plain")
        if served == "plain" and episode["elapsed_ms"] is not None:
            plain_ms[spec].append(float(episode["elapsed_ms"]))
        if episode["reward"] is not None:
            rewards[(spec, served)].append(float(episode["reward"]))
    shapes = []
    for spec, count in uses.items():
        by_rollup, by_plain = rewards.get((spec, "rollup")), rewards.get((spec, "plain"))
        if by_rollup and by_plain and sum(by_rollup) / len(by_rollup) < sum(by_plain) / len(by_plain):
            continue  # the rollup did not pay off
        samples = plain_ms.get(spec) or [1.0]
        shapes.append((spec, count, sum(samples) / len(samples)))
    return choose(shapes, min_uses=min_uses, limit=limit)


def trending(memory: Memory, days: int = 7) -> list[dict[str, Any]]:
    """Metrics used more in the last ``days`` days than in the ``days`` before (at least 3 uses, ×1.5)."""
    cut = now() - dt.timedelta(days=days)
    recent: Counter[str] = Counter()
    prior: Counter[str] = Counter()
    for episode in _episodes(memory, days=2 * days):
        for metric in (episode["query"] or {}).get("metrics") or []:
            (recent if episode["created_at"] >= cut else prior)[str(metric)] += 1
    out = []
    for metric, n in recent.most_common():
        before = prior.get(metric, 0)
        if n >= 3 and n >= 1.5 * before:
            growth = None if before == 0 else round(n / before - 1, 3)
            out.append({"name": metric, "recent": n, "prior": before, "growth": growth})
    return out


def mark_since(hot: list[dict[str, Any]], previous: dict[str, Any] | None, day: str) -> list[dict[str, Any]]:
    """``hot`` with ``since``: the day of the first nightly, in an unbroken run of nightlies, that marked
    each metric trending (the previous checkpoint's ``since``, else ``day``).
    """
    before: dict[str, str] = {}
    for item in (previous or {}).get("metrics") or []:
        if isinstance(item, dict) and item.get("name"):
            before[str(item["name"])] = str(item.get("since") or (previous or {}).get("as_of") or day)
    return [t | {"since": min(before.get(t["name"], day), day)} for t in hot]


def _name(query: MetricQuery, prefix: str) -> str:
    words = [*query.metrics, *(g.replace("metric_time__", "") for g in query.group_by)]
    base = re.sub(r"[^a-z0-9]+", "_", "_by_".join([words[0], "_".join(words[1:])]).lower()).strip("_")
    digest = hashlib.sha256(str(query.to_dict()).encode()).hexdigest()[:6]
    return f"{prefix}_{base[:60]}_{digest}"


def _saved_query(query: MetricQuery, name: str, description: str) -> dict[str, Any]:
    params: dict[str, Any] = {"metrics": list(query.metrics)}
    if query.group_by:
        params["group_by"] = list(query.group_by)
    if query.where:
        params["where"] = list(query.where)
    return {"name": name, "description": description, "query_params": params}


def proposals(project: Project, memory: Memory, rollups: list[RollupSpec]) -> list[Proposal]:
    """Templates, dashboards and warehouse rollups to review (see the module docstring)."""
    counts: Counter[str] = Counter()
    users: dict[str, set[str]] = defaultdict(set)
    queries: dict[str, MetricQuery] = {}
    for episode in _episodes(memory):
        query = _query(episode)
        if query is None or query.limit is not None:
            continue
        key = str(episode["pattern"])
        counts[key] += 1
        queries[key] = query
        if episode["user_name"]:
            users[key].add(str(episode["user_name"]))
    out: list[Proposal] = []
    by_metric: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for key, n in counts.most_common():
        if n < TEMPLATE_USES:
            break
        query = queries[key]
        name = _name(query, "tpl")
        item = _saved_query(query, name, f"Learned template: asked {n} times in {WINDOW_DAYS} days.")
        evidence = {"calls": n, "users": sorted(users[key]), "query": query.to_dict()}
        summary = f"Template {name}: {', '.join(query.metrics)} by {', '.join(query.group_by) or 'total'}"
        out.append(
            Proposal(
                "template",
                key,
                name,
                min(1.0, n / 10),
                summary,
                [{"op": "add_saved_query", "saved_query": item}],
                evidence,
            )
        )
        by_metric[query.metrics[0]].append(item)
    for metric, items in by_metric.items():
        if len(items) < 2:
            continue
        name = f"dash_{metric}"
        summary = f"Dashboard {metric}: {len(items)} views asked together"
        changes = [
            {"op": "add_saved_query", "saved_query": i | {"label": f"{metric} dashboard"}} for i in items[:6]
        ]
        out.append(
            Proposal(
                "dashboard",
                f"dashboard:{metric}",
                name,
                0.5,
                summary,
                changes,
                {"views": [i["name"] for i in items]},
            )
        )
    for spec in rollups:
        source = spec.source()
        name = _name(source, "rollup")
        item = _saved_query(source, name, "Learned rollup: pre-aggregated for frequent queries.")
        item["exports"] = [{"name": name, "config": {"export_as": "table", "alias": spec.name}}]
        summary = (
            f"Rollup {spec.name}: {spec.metric} by {', '.join(spec.group_by) or 'total'} as a warehouse table"
        )
        out.append(
            Proposal(
                "rollup",
                f"rollup:{spec.key}",
                name,
                0.6,
                summary,
                [{"op": "add_saved_query", "saved_query": item}],
                {"rollup": spec.to_dict()},
            )
        )
    return out


def learner_step(project: Project, day: str) -> tuple[list[Proposal], dict[str, Any]]:
    """The nightly learner's work for ``day``: its proposals and a summary (see the module docstring)."""
    try:
        memory = project.memory
    except MetricmindError as exc:
        return [], {"error": f"the memory is unavailable: {exc.message}"}
    if "learner" in project.__dict__:
        project.learner.flush()
    project.drain_episodes()  # the runs of processes that never opened the store (CLI queries)
    skills = memory.consolidate(TEMPLATE_USES)
    hot = mark_since(trending(memory), memory.load_checkpoint("trending"), day)
    memory.save_checkpoint("trending", 0, {"as_of": day, "days": 7, "metrics": hot})
    project.__dict__.pop(TRENDING_CACHE, None)  # the catalog surfaces read the new list at once
    specs = plan_rollups(project, memory, limit=int(project.setting("learn.rollups_max")))
    store = (
        project.learner.rollups
        if "learner" in project.__dict__
        else RollupStore(project.state_dir / "rollups")
    )
    built: dict[str, Any] = {"built": [], "kept": [], "dropped": [], "failed": []}
    try:
        if specs or store.rollups():  # nothing wanted and nothing built: no empty generation
            built = store.build(project, specs)
    except MetricmindError as exc:
        built = {"error": exc.message}
    found = proposals(project, memory, specs)
    summary = {
        "skills": skills,
        "trending": [t["name"] for t in hot],
        "rollups": {k: v for k, v in built.items() if k != "failed"}
        | {"failed": len(built.get("failed", []))},
        "proposals": len(found),
    }
    return found, summary
