"""The closest existing metric and the sources a definition names: which candidate leads, and how surely.

``analyze`` ranks the catalog's metrics (``rank.rank``); these put a close metric that counts the entity
the definition counts, or whose name the definition says word for word, first, and say how surely the one
chosen is the one meant. ``ranked_sources`` ranks measures and datasets, the canonical registry and the
knowledge graph's usage breaking ties.
"""

from __future__ import annotations

from metricmind.define.fit import counted_entity, counts_entity, incompatible, mismatch
from metricmind.define.part import RIVAL_CONFIDENCE, RIVAL_MARGIN
from metricmind.define.proposal import Definition, Suggestion
from metricmind.define.rank import Candidate, confidence
from metricmind.define.rivals import plainer, unsaid_difference
from metricmind.define.sources import suggest_sources
from metricmind.define.usage import Usage, boost
from metricmind.spec.model import Model

#: Below this score no existing metric or measure is close enough to propose.
MIN_SCORE = 3.0


def entity_counter_first(
    definition: Definition, model: Model, ranked: list[Candidate], columns: dict[str, dict[str, str]] | None
) -> list[Candidate]:
    """``ranked`` with a close metric that counts the entity the definition counts first, when the closest
    one counts other rows ("Fashion shippers that booked at least one parcel": `active_shippers`, the
    distinct shippers, not `parcel_volume`, whose synonym "parcels" the sentence also says).
    """
    entity = counted_entity(model, definition.text)
    if not entity or counts_entity(model, ranked[0].metric, entity):
        return ranked
    if mismatch(definition, model, ranked[0].metric) is None:
        return ranked
    for i, c in enumerate(ranked[1:4], 1):
        if c.score < MIN_SCORE or not counts_entity(model, c.metric, entity):
            continue
        if mismatch(definition, model, c.metric) or incompatible(definition, model, c.metric, columns):
            continue
        return [c, *ranked[:i], *ranked[i + 1 :]]
    return ranked


def source_confidence(ranked: list[Candidate], definition: Definition | None = None) -> tuple[float, str]:
    """How surely the closest metric is the one meant: its score and its margin over the next one."""
    top = ranked[0]
    second = ranked[1] if len(ranked) > 1 else None
    margin = top.score - (second.score if second else 0.0)
    named = "the definition says" in top.reason
    conf = min(0.95, confidence(top.score) + (0.15 if named else 0.0) + min(0.15, 0.03 * margin))
    if second is None:
        return round(conf, 2), f"`{top.metric.name}` is the only close metric"
    told = unsaid_difference(top.metric, second.metric, definition) if named and definition else None
    if told is not None and "the definition says" in second.reason:  # "IAP revenue": gross or net?
        return (
            min(round(conf, 2), RIVAL_CONFIDENCE),
            f"the definition names both `{top.metric.name}` and `{second.metric.name}`, and says neither "
            f"{told[0]!r} nor {told[1]!r}, which tell them apart: which one is meant?",
        )
    plain = definition is not None and plainer(top.metric, second.metric, definition)
    if named and "the definition says" in second.reason and margin < RIVAL_MARGIN and not plain:  # a guess
        return (
            min(round(conf, 2), RIVAL_CONFIDENCE),
            f"the definition names both `{top.metric.name}` and `{second.metric.name}` "
            f"({top.score} vs {second.score}): which one is meant?",
        )
    return (
        round(conf, 2),
        f"`{top.metric.name}` was chosen by {top.reason.split(': ', 1)[-1]}; "
        f"`{second.metric.name}` comes close ({second.score} vs {top.score})",
    )


def ranked_sources(model: Model, text: str, usage: Usage | None = None) -> list[Suggestion]:
    """Measures and datasets sharing words with the definition, then the canonical registry (certified
    canonical datasets first) and the knowledge graph's usage (tables most used by queries) break ties.
    """
    found = suggest_sources(model, text, limit=10)
    canonical = {ds.relation: ds for ds in model.canonical_datasets.values()}
    scored = []
    for f in found:
        table = str(f["table"] or "")
        ds = canonical.get(table)
        uses = usage.table(table) if usage else 0
        bonus = boost(uses) + (0.5 if ds is not None and ds.certification == "certified" else 0.0)
        bits = [f"shares words with the {f['kind']} ({table})"]
        if ds is not None:
            bits.append(f"{ds.name} is a {ds.certification or 'registered'} canonical dataset")
        if uses:
            bits.append(f"its table is read by {uses} logged queries")
        scored.append((float(f["score"]) + bonus, f, "; ".join(bits), uses))
    scored.sort(key=lambda x: (-x[0], x[1]["kind"] != "measure", x[1]["name"]))
    top = max((x[0] for x in scored), default=1.0) or 1.0
    return [
        Suggestion(
            f["kind"],
            f["name"],
            round(score / top * 0.9, 2),
            reason,
            {k: f[k] for k in ("semantic_model", "table", "agg")} | {"uses": uses},
        )
        for score, f, reason, uses in scored[:6]
    ]
