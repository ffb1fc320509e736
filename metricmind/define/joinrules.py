"""Rules that say where a related entity's value comes from: "Segment from dim_customers", "Join invoices
to subscriptions on subscription_id".

Such a rule keeps or drops nothing by itself: it names the table a filter's dimension lives in, or the
join that reaches it. Whether the metric already honours it is read after the proposal is built, from
the catalog's entity graph (never from phrase lists):

- "<dimension> from <table>": covered when a filter of the metric uses ``<dimension>`` and, seen from
  the metric's measure model, that name resolves to the named table along many-to-one joins only;
- "join <a> to <b> on <column>": covered when one side is the measure's model, the other is reached
  from it by one many-to-one hop on ``<column>``, and a filter of the metric uses a dimension of it.

When the named table is reached only through a one-to-many join (each measured row would be counted
once per related row), the rule stays unread and says so. Anything else stays unread as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from metricmind.define.proposal import Proposal, RuleReading
from metricmind.errors import MetricmindError
from metricmind.spec.joingraph import JoinGraph, Target
from metricmind.spec.model import Model, SemanticModel
from metricmind.spec.names import split

COVERED = 0.75

_NAME = r"[a-z][a-z0-9_]*"
#: "Segment from dim_customers", "segment comes from the customers table".
_FROM = re.compile(
    rf"^\s*(?:the\s+)?(?P<dim>{_NAME})\s+(?:comes\s+|is\s+taken\s+|is\s+read\s+)?from\s+(?:the\s+)?"
    rf"(?P<table>{_NAME})(?:\s+table)?\s*\.?\s*$",
    re.IGNORECASE,
)
#: "Join invoices to subscriptions on subscription_id", "join invoices with subscriptions on ...".
_JOIN = re.compile(
    rf"^\s*join\s+(?:the\s+)?(?P<a>{_NAME})\s+(?:to|with|and|onto)\s+(?:the\s+)?(?P<b>{_NAME})"
    rf"\s+(?:on|using|by)\s+(?P<col>{_NAME})\s*\.?\s*$",
    re.IGNORECASE,
)
_DIMENSION = re.compile(r"Dimension\(\s*'([^']+)'\s*\)")


def source_rule(text: str) -> tuple[str, str, str] | None:
    """("from", dimension, table) or ("join", "a b", column) of a rule naming where a value comes from.

    >>> source_rule("Segment from dim_customers")
    ('from', 'segment', 'dim_customers')
    >>> source_rule("Join invoices to subscriptions on subscription_id")
    ('join', 'invoices subscriptions', 'subscription_id')
    >>> source_rule("Sessions from the web app only") is None
    True
    """
    m = _FROM.match(text)
    if m:
        return "from", m.group("dim").lower(), m.group("table").lower()
    m = _JOIN.match(text)
    if m:
        return "join", f"{m.group('a').lower()} {m.group('b').lower()}", m.group("col").lower()
    return None


def _table_of(model: Model, name: str) -> SemanticModel | None:
    """The one semantic model ``name`` names (its name, its table's name or a prefix of it in whole
    ``_`` parts, its primary entity or that entity's plural), else None.
    """
    hits = []
    for sm in model.semantic_models.values():
        table = sm.relation.split(".")[-1].lower()
        parts, said = table.split("_"), name.split("_")
        names = {sm.name.lower(), table}
        if sm.primary:
            names |= {sm.primary.lower(), sm.primary.lower() + "s"}
        if name in names or (len(said) > 1 and parts[: len(said)] == said):
            hits.append(sm)
    return hits[0] if len(hits) == 1 else None


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def _filter_names(proposal: Proposal) -> set[str]:
    """Every dimension name a filter of the proposed metric (or of its new metrics) uses."""
    texts = [*_strings(proposal.metric), *_strings(proposal.new_metrics)]
    return {n for t in texts for n in _DIMENSION.findall(t)}


def _homes(model: Model, proposal: Proposal) -> set[str]:
    """The semantic models the proposed metric's measures live in (the catalog's and the new ones)."""
    meta = ((proposal.metric or {}).get("config") or {}).get("meta") or {}
    base = str(meta.get("based_on") or "")
    names = set(model.measures_of(base)) if base in model.metrics else set()
    for item in [proposal.metric or {}, *proposal.new_metrics]:
        measure = (item.get("type_params") or {}).get("measure")
        names.add(str(measure.get("name") if isinstance(measure, dict) else measure or ""))
    homes = {model.measures[n].semantic_model for n in names if n in model.measures}
    homes |= {m.semantic_model for m in proposal.new_measures}
    return {h for h in homes if h in model.semantic_models}


def _resolved(graph: JoinGraph, home: str, name: str) -> Target | None:
    try:
        return graph.resolve(home, split(name))
    except (MetricmindError, NameError, ValueError):
        return None


def _fans_out(graph: JoinGraph, home: str, target: str) -> bool:
    """``target`` is reached from ``home`` only through a one-to-many join."""
    if any(p.end == target for p in graph.paths_from(home)):
        return False
    return any(p.end == target for p in graph.overlapping.paths_from(home))


def _fan_reason(home: str, target: str) -> str:
    return (
        f"`{target}` is reached from `{home}` only through a one-to-many join: each `{home}` row would "
        f"be counted once per `{target}` row, so the rule is not applied"
    )


def _read_from(
    model: Model, graph: JoinGraph, homes: set[str], names: set[str], dim: str, table: str
) -> str | None:
    sm = _table_of(model, table)
    if sm is None or sm.dimension(dim) is None or sm.name in homes:
        return None
    for home in homes:
        if _fans_out(graph, home, sm.name):
            return "!" + _fan_reason(home, sm.name)
    used = [n for n in names if n.split("__")[-1].lower() == dim]
    for home in homes:
        ok = [t for n in used if (t := _resolved(graph, home, n)) is not None]
        if not any(t.model == sm.name and t.dimension is not None and not t.path.fanout for t in ok):
            return None
    return f"the filter on {dim} reads it from `{sm.name}` ({sm.relation}), joined many-to-one"


def _read_join(
    model: Model, graph: JoinGraph, homes: set[str], names: set[str], sides: str, col: str
) -> str | None:
    a, b = (_table_of(model, s) for s in sides.split())
    if a is None or b is None or len(homes) != 1:
        return None
    home = next(iter(homes))
    if home not in (a.name, b.name) or a.name == b.name:
        return None
    far = b if home == a.name else a
    if _fans_out(graph, home, far.name):
        return "!" + _fan_reason(home, far.name)
    hops = [
        h
        for h in graph.hops_from(home)
        if h.target == far.name and col in (h.source_expr.lower(), h.target_expr.lower())
    ]
    if not hops:
        return None
    for n in names:
        t = _resolved(graph, home, n)
        if t is not None and t.model == far.name and not t.path.fanout and t.path.hops[:1] == tuple(hops[:1]):
            return f"the filter on {n} joins `{home}` to `{far.name}` on {col}, many-to-one"
    return None


def cover_join_rules(proposal: Proposal, model: Model) -> None:
    """Each unread rule naming a related table or a join (module docstring) the metric honours, read as
    covered; one whose table is reached only through a fan-out join says so, still unread.
    """
    if proposal.metric is None or proposal.refused:
        return
    homes = _homes(model, proposal)
    if not homes:
        return
    graph = JoinGraph(model, max_hops=4)
    names = _filter_names(proposal)
    for i, r in enumerate(proposal.rules):
        said = source_rule(r.text) if r.status == "unread" else None
        if said is None:
            continue
        kind, first, second = said
        if kind == "from":
            why = _read_from(model, graph, homes, names, first, second)
        else:
            why = _read_join(model, graph, homes, names, first, second)
        if why and why.startswith("!"):
            proposal.rules[i] = RuleReading(r.text, "unread", 0.0, why[1:])
        elif why:
            proposal.rules[i] = RuleReading(r.text, "covered", COVERED, why)
