"""A metric on new parts (``compose``) put into the proposal: rules read, compiled, its dimensions, checks
and confidence; or nothing at all when it cannot be built.
"""

from __future__ import annotations

from dataclasses import fields, replace

from metricmind.define.build import refuse
from metricmind.define.checks import checks_for
from metricmind.define.columns import TableValues
from metricmind.define.compose import compose
from metricmind.define.confidence import assess
from metricmind.define.extend import compile_metric, extend
from metricmind.define.proposal import Definition, Proposal
from metricmind.define.shape import contradiction, dimensions
from metricmind.define.usage import Usage
from metricmind.errors import MetricmindError
from metricmind.spec.joingraph import JoinGraph
from metricmind.spec.model import Model


def composed(
    definition: Definition,
    model: Model,
    proposal: Proposal,
    dialect: str,
    max_hops: int,
    columns: dict[str, dict[str, str]] | None,
    usage: Usage | None = None,
    values: TableValues | None = None,
) -> bool:
    """Propose a metric on new parts (``compose``); False when it cannot (the proposal is untouched)."""
    trial = Proposal(definition=definition, sources=proposal.sources, similar=list(proposal.similar))
    why, reads = compose(definition, model, trial, columns, values)
    if why is not None or trial.metric is None:
        return False
    for r in reads:
        if r.reading.suggestion:
            refuse(proposal, "unknown_value", f"rule {r.reading.text!r}: {r.reading.reason}")
            proposal.rules = trial.rules
            return True
    clash = contradiction(reads)
    if clash:
        refuse(proposal, "contradictory_rules", clash)
        proposal.rules = trial.rules
        return True
    new_model = trial.new_model
    try:
        extended = extend(
            model,
            metric=trial.metric,
            new_measures=[(m.semantic_model, m.measure) for m in trial.new_measures],
            new_model=new_model.semantic_model if new_model else None,
            new_metrics=trial.new_metrics,
        )
        trial.preview_sql = compile_metric(
            extended,
            definition.name,
            dialect=dialect,
            max_hops=max_hops,
            new_model=(new_model.name, new_model.compiled_sql) if new_model else None,
        )
    except MetricmindError:
        return False
    for f in fields(Proposal):
        if f.name not in ("definition", "elapsed_ms"):
            setattr(proposal, f.name, getattr(trial, f.name))
    parts = [s for s in trial.similar if s.kind == "part"]
    if parts:
        proposal.measure = replace(parts[0], kind="measure")
    homes = sorted(extended.source_models(definition.name))
    graph = JoinGraph(extended, max_hops=max_hops)
    reachable: set[str] = set()
    for i, h in enumerate(homes):
        names = graph.reachable_names(h)
        reachable = names if i == 0 else reachable & names
    dimensions(extended, proposal, reachable, graph, homes, usage)
    proposal.checks = checks_for(extended, proposal)
    sure = [s for s in proposal.similar if s.kind == "part"]
    weakest = min(sure, key=lambda s: s.confidence) if sure else None
    assess(
        extended,
        proposal,
        weakest.confidence if weakest else 0.5,
        f"{weakest.name}: {weakest.reason}" if weakest else "no part of the metric was matched surely",
        base=model,
    )
    return True
