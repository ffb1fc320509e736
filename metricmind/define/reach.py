"""An entity the definition names that the chosen metric never reaches ("Customers with at least one overdue
invoice at month end" answered by `active_customers`, whose rows reach customers and subscriptions, never
invoices): the words about that entity's rows are read by nothing, whatever rule texts seemed to explain
them. The proposal then carries an unread item instead of a confident answer. Pure and deterministic.
"""

from __future__ import annotations

import re

from metricmind.define.proposal import Proposal, RuleReading
from metricmind.define.termcolumns import entities_named, term_words
from metricmind.define.words import lexicon
from metricmind.resolve.lexicon import Lexicon
from metricmind.spec.joingraph import JoinGraph
from metricmind.spec.model import Model
from metricmind.spec.names import SEP


def rows_named(model: Model, words: tuple[str, ...], lx: Lexicon) -> list[tuple[int, str]]:
    """The entities ``words`` name as rows: an entity's noun right before another entity's noun only says
    what kind the next one is ("loan applications" are applications, "customer invoices" invoices).
    """
    named = entities_named(model, words, lx)
    at = {i for i, _ in named}
    return [(i, e) for i, e in named if i + 1 not in at]


def _reached(model: Model, homes: set[str]) -> set[str]:
    """The entities the semantic models ``homes`` hold or reach along the entity graph (4 hops)."""
    graph = JoinGraph(model, max_hops=4)
    reached: set[str] = set()
    for h in homes:
        reached |= {e.name for e in model.semantic_models[h].entities}
        for name in graph.reachable_names(h):
            reached.update(name.split(SEP)[:-1])
    return reached


def flag_unreached_entity(proposal: Proposal, model: Model, text: str) -> None:
    """Add an unread item when ``text`` names an entity no semantic model of the proposed metric reaches
    (only for a metric built on the catalog's own metrics).
    """
    if proposal.metric is None or proposal.new_model is not None:
        return
    meta = (proposal.metric.get("config") or {}).get("meta") or {}
    base = str(meta.get("based_on") or "")
    if base not in model.metrics:
        return
    homes = {model.measures[n].semantic_model for n in model.measures_of(base) if n in model.measures}
    homes |= {m.semantic_model for m in proposal.new_measures}
    if not homes or not all(h in model.semantic_models for h in homes):
        return
    reached = _reached(model, homes)
    words = term_words(text)
    quoted = " ".join(  # "the definition says 'Circle members'": words a filter read took as a value
        q for r in proposal.rules if r.status == "filter" for q in re.findall(r"'([^']+)'", r.reason)
    )
    read = set(term_words(quoted))
    missing = [
        e for i, e in rows_named(model, words, lexicon(model)) if e not in reached and words[i] not in read
    ]
    if not missing:
        return
    proposal.rules.append(
        RuleReading(
            f"(in the definition) {text}",
            "unread",
            0.1,
            f"names {', '.join(dict.fromkeys(missing))} rows, which `{base}` never reaches: what the words say of "
            "them is read by nothing",
        )
    )


def unreached(model: Model, base: str, text: str) -> list[str]:
    """Entities ``text`` names as rows (not as a value or a flag's label: "Circle members") that no semantic
    model of the catalog metric ``base`` reaches.
    """
    homes = {model.measures[n].semantic_model for n in model.measures_of(base) if n in model.measures}
    if not homes or not all(h in model.semantic_models for h in homes):
        return []
    reached = _reached(model, homes)
    lx = lexicon(model)
    words = term_words(text)
    out = []
    for i, e in rows_named(model, words, lx):
        if e in reached:
            continue
        if any(  # a metric's label ("Invoices": `invoice_count`) still names the rows
            x.kind == "value" or (x.source in ("label", "synonym") and x.kind != "metric")
            for x in lx.lookup((words[i],))
        ):
            continue
        out.append(e)
    return out
