"""The proposed metric's shape: its dictionary, its dimensions (and those that do not apply), contradictions."""

from __future__ import annotations

from typing import Any

from metricmind.define import rules as rulebook
from metricmind.define.columnclash import column_clash
from metricmind.define.proposal import Definition, Proposal, Suggestion
from metricmind.define.usage import Usage, boost, routes
from metricmind.spec.joingraph import JoinGraph, Path
from metricmind.spec.model import Metric, Model
from metricmind.spec.names import SEP


def contradiction(reads: list[rulebook.Read]) -> str | None:
    """Why two rules cannot both hold (they keep nothing in common, or keep and drop the same values)."""
    keep: dict[str, tuple[set[str], str]] = {}
    drop: dict[str, tuple[set[str], str]] = {}
    for r in reads:
        if r.contradicts and r.contradicts.startswith(rulebook.DROPS_OWN):
            return f"rule {r.reading.text!r} drops what the metric itself counts ({r.contradicts})"
        if r.contradicts:
            return f"rule {r.reading.text!r} keeps what the metric itself leaves out ({r.contradicts!r})"
    for r in reads:
        if not r.dimension or r.reading.status not in ("filter", "covered") or not r.values:
            continue
        values = set(r.values)
        if values in ({"true"}, {"false"}):
            values = {"false"} if (values == {"true"}) == r.negative else {"true"}
            target = keep
        else:
            target = drop if r.negative else keep
        if r.dimension in target and target is keep:
            prev, text = target[r.dimension]
            if not prev & values:
                return f"rules {text!r} and {r.reading.text!r} keep nothing in common of {r.dimension}"
        target[r.dimension] = (values, r.reading.text)
    for dim, (values, text) in keep.items():
        if dim in drop and values <= drop[dim][0]:
            return f"rules {text!r} and {drop[dim][1]!r} keep and drop the same values of {dim}"
    return column_clash(  # "paid on or before the due date" and "paid after it" (define/columnclash.py)
        (r.reading.text, r.column_sql) for r in reads if r.column_sql and r.reading.status == "filter"
    )


def dimensions(
    model: Model,
    proposal: Proposal,
    reachable: set[str],
    graph: JoinGraph,
    sms: list[str],
    usage: Usage | None = None,
) -> None:
    """Fill ``proposal.dimensions`` (reachable many-to-one, each with its best join path by usage and
    speed) and ``excluded_dimensions`` (with why: a fan-out join, or no path at all).
    """
    shown: set[str] = set()
    start = sms[0] if len(sms) == 1 else None
    paths = routes(model, graph, start, usage) if start else {}
    for name in sorted(reachable, key=lambda n: (n.count(SEP), n)):
        tail = name.rsplit(SEP, 1)[-1]
        if tail in shown or not any(
            d.name == tail and d.type == "categorical"
            for sm in model.semantic_models.values()
            for d in sm.dimensions
        ):
            continue
        shown.add(tail)
        hops = name.count(SEP)
        found = paths.get(tail) or []
        best = found[0] if found else None
        confidence = 0.9 - 0.1 * max(hops - 1, 0) + (min(0.09, boost(best.uses) / 10) if best else 0.0)
        reason = f"reachable from {', '.join(sms)} many-to-one" + (f" ({hops} hops)" if hops > 1 else "")
        detail: dict[str, Any] = {}
        if best is not None:
            reason = best.reason() + (f"; {len(found) - 1} other path(s)" if len(found) > 1 else "")
            detail = {
                "path": list(best.tables),
                "uses": best.uses,
                "avg_ms": best.ms,
                "alternatives": [list(r.tables) for r in found[1:4]],
            }
        proposal.dimensions.append(
            Suggestion("dimension", name, round(min(confidence, 0.99), 2), reason, detail)
        )
    fanned: dict[str, Path] = {}
    for s in sms:
        for p in overlapping_paths(model, graph.max_hops, s):
            fanned.setdefault(p.end, p)  # the shortest path first
    for sm in model.semantic_models.values():
        if sm.name in sms or not sm.primary:
            continue
        via = fanned.get(sm.name)
        if via is not None and via.fanout:
            hop = next(h for h in via.hops if h.fanout)
            why = (
                f"fan-out: one {hop.source} row has many {hop.target} rows on {hop.entity}; joining them would "
                "repeat (and sum twice) the measure's rows"
            )
        else:
            why = f"unreachable: no entity path from {', '.join(sms)} to {sm.name}"
        for d in sm.dimensions:
            name = f"{sm.primary}{SEP}{d.name}"
            if d.type == "categorical" and d.name not in shown and name not in reachable:
                proposal.excluded_dimensions.append(Suggestion("excluded_dimension", name, 0.9, why))


_OVERLAPPING: dict[tuple[object, ...], tuple[tuple[object, ...], JoinGraph]] = {}


def overlapping_paths(model: Model, max_hops: int, start: str) -> list[Path]:
    """``JoinGraph(model, max_hops, overlap=True).paths_from(start)``, the graph kept per join structure (the
    semantic models' entities, primary entity and validity window, which alone decide the hops): a model
    extended by a new measure joins as the one it extends, so its paths are not searched again.
    """
    sms = list(model.semantic_models.values())
    key = (
        max_hops,
        *((sm.name, id(sm.entities), sm.primary_entity, sm.validity is not None) for sm in sms),
    )
    held = _OVERLAPPING.get(key)
    if held is None:
        if len(_OVERLAPPING) > 32:
            _OVERLAPPING.clear()
        # the entities are held with the graph, so their ids in the key are never reused by other tuples
        held = _OVERLAPPING[key] = (
            tuple(sm.entities for sm in sms),
            JoinGraph(model, max_hops, overlap=True),
        )
    return held[1].paths_from(start)


def metric_dict(definition: Definition, base: Metric, predicates: list[str]) -> dict[str, Any]:
    """The proposed metric on ``base`` with the rule ``predicates``, as a ``metrics:`` item."""
    label = definition.name.replace("_", " ").capitalize()
    out: dict[str, Any] = {"name": definition.name, "label": label, "description": definition.text}
    filters = [w.sql for w in base.filter]
    if base.type.value == "simple" and base.measure is not None:
        out["type"] = "simple"
        out["type_params"] = {"measure": base.measure.name}
        filters += [w.sql for w in base.measure.filter]
        filters += predicates
    else:
        item: dict[str, Any] = {"name": base.name}
        if predicates:
            item["filter"] = join_filters(predicates)
        out["type"] = "derived"
        out["type_params"] = {"expr": base.name, "metrics": [item]}
        filters = []
    if filters:
        out["filter"] = join_filters(filters)
    meta: dict[str, Any] = {
        "status": "draft",
        "certification": "draft",
        "definition": definition.text,
        "based_on": base.name,
    }
    for key in ("category", "owner", "unit"):
        if base.meta.get(key):
            meta[key] = base.meta[key]
    if definition.rules:
        meta["business_rules"] = list(definition.rules)
    out["config"] = {"meta": meta}
    return out


def join_filters(filters: list[str]) -> str:
    """Filters joined with ``and`` (each parenthesized), duplicates dropped."""
    unique = list(dict.fromkeys(filters))
    return unique[0] if len(unique) == 1 else " and ".join(f"({f})" for f in unique)
