"""A value the catalog counts, read as a filter on something else: unread.

Some catalogs count an entity by a value of a dimension inside the measure itself
(``count_distinct(case when change_type = 'new' then customer_id end)``: the customers whose subscription
started as *new*). A definition naming another value of that dimension before the same entity ("upgrade
customers") means the same count for that value. Read instead as a filter on another measure of the entity
(the month's active customers whose current subscription is an upgrade), the number looks right and is not.
The catalog itself says which reading it uses, so when the proposal's measure is not on the dimension's
own rows, the filter is unread and the person is told which measure counts by that dimension.
"""

from __future__ import annotations

import re

from metricmind.define.currency import says_currency
from metricmind.define.fit import counted_entity
from metricmind.define.money import head
from metricmind.define.proposal import Proposal, RuleReading
from metricmind.define.statecolumn import counts_of
from metricmind.define.termcolumns import entities_named
from metricmind.define.words import lexicon, stems
from metricmind.spec.model import Measure, Model, SemanticModel
from metricmind.spec.names import SEP

#: A MetricFlow filter keeping values of one dimension: "{{ Dimension('subscription__change_type') }} = 'x'".
_KEEP = re.compile(
    r"Dimension\('(?P<dim>[\w]+)'[^)]*\)\s*\}\}\s*(?:=\s*'(?P<one>[^']*)'|in\s*\((?P<many>[^)]*)\))"
)
#: Confidence of a proposal whose filter names a value the catalog counts by, read on other rows.
COUNTED_VALUE = 0.3


def flag_counted_value(proposal: Proposal, model: Model) -> None:
    """Add an unread item when a kept value belongs to a dimension that one of the catalog's measures
    counts the definition's entity by, and the proposal counts that entity from other rows.
    """
    metric = proposal.metric
    if metric is None or proposal.refused:
        return
    entity = counted_entity(model, proposal.definition.text)
    if not entity:
        return
    home = _measure_home(proposal, model)
    for dim, values in _kept(str(metric.get("filter") or "")):
        owner = _owner_of(model, dim)
        if owner is None:
            continue
        sm, column = owner
        if home == sm.name:
            baked = _baked(model, proposal, column)
            if baked and not set(baked) & set(values):  # `new_customers` kept to 'upgrade': nothing left
                _unread(
                    proposal,
                    f"the measure keeps {column} = {baked[0]!r} and the filter keeps "
                    f"{', '.join(values)}: the two never meet",
                )
                return
            continue  # counted on the dimension's own rows: the value filters them
        if not _said_before(model, proposal.definition.text, values, entity):
            continue  # "funded borrowers whose application was withdrawn": the value qualifies no count
        template = _counting_by(sm, column, entity, values)
        if template is None:
            continue
        said = ", ".join(values)
        proposal.rules.append(
            RuleReading(
                f"(in the definition) {proposal.definition.text}",
                "unread",
                0.0,
                f"{said!r} is a value of {dim}, by which the catalog's measure `{template.name}` counts "
                f"{entity}s ({template.expr}) on {sm.name}; the proposal reads it as a filter on "
                f"{home or 'another source'}'s rows instead: which {entity}s are meant?",
            )
        )
        proposal.confidence = min(proposal.confidence, COUNTED_VALUE)
        proposal.doubts.append(f"{said!r}: a value the catalog counts {entity}s by, read as a filter")
        return


def _said_before(model: Model, text: str, values: tuple[str, ...], entity: str) -> bool:
    """A value is said right before a word naming ``entity`` ("upgrade customers", "withdrawn borrowers")."""
    words = stems(text.lower().replace("-", " ").replace("_", " "))
    spots = {i for i, e in entities_named(model, words, lexicon(model)) if e == entity}
    for value in values:
        run = stems(value.lower().replace("_", " ").replace("-", " "))
        if run and any(words[i - len(run) : i] == run for i in spots if i >= len(run)):
            return True
    return False


def _kept(where: str) -> list[tuple[str, tuple[str, ...]]]:
    out: list[tuple[str, tuple[str, ...]]] = []
    for m in _KEEP.finditer(where):
        if m.group("one") is not None:
            out.append((m.group("dim"), (m.group("one"),)))
        else:
            out.append((m.group("dim"), tuple(re.findall(r"'([^']*)'", m.group("many") or ""))))
    return out


def _owner_of(model: Model, dim: str) -> tuple[SemanticModel, str] | None:
    """The semantic model whose primary entity holds ``dim`` (``entity__name``) and the dimension's column."""
    entity, _, name = dim.rpartition(SEP)
    entity = entity.rsplit(SEP, 1)[-1]
    for sm in model.semantic_models.values():
        if sm.primary != entity:
            continue
        for d in sm.dimensions:
            if d.name == name:
                return sm, (d.expr or d.name).strip().lower()
    return None


def _counting_by(sm: SemanticModel, column: str, entity: str, values: tuple[str, ...]) -> Measure | None:
    """A count of ``entity`` on ``sm`` whose expression keeps another value of ``column``."""
    keys = {(e.expr or e.name).lower() for e in sm.entities if e.name == entity}
    if not keys:
        return None
    said = {v.lower() for v in values}
    for ms in sm.measures:
        expr = (ms.expr or "").lower()
        if ms.agg.value not in ("count", "count_distinct", "sum"):
            continue
        kept = re.findall(rf"\b{re.escape(column)}\s*=\s*'([^']*)'", expr)
        counts = re.search(r"\bthen\s+(\w+)", expr)
        if kept and not (set(kept) & said) and counts and counts.group(1) in keys:
            return ms
    return None


def _measure_home(proposal: Proposal, model: Model) -> str:
    """The semantic model of the proposal's measure (a new one's, or the catalog's)."""
    name = proposal.measure.name if proposal.measure else ""
    for nm in proposal.new_measures:
        if nm.measure.get("name") == name:
            return nm.semantic_model
    for sm in model.semantic_models.values():
        if any(ms.name == name for ms in sm.measures):
            return sm.name
    return ""


#: Aggregations that count rows or entities (``sum_boolean`` of a flag counts the rows where it holds).
_COUNTING = frozenset({"count", "count_distinct", "sum_boolean"})
#: A sum that counts: of 1, or of a case that gives 1 to the rows counted.
_SUM_COUNTS = re.compile(r"^\s*1\s*$|\bthen\s+1(?:\.0)?\b", re.IGNORECASE)


def flag_summed_count(proposal: Proposal, model: Model) -> None:
    """Add an unread item when the definition counts an entity ("Downgrade accounts each month") and the
    proposed metric adds up an amount instead (`contraction_mrr`, whose synonyms say "downgrades").
    """
    metric = proposal.metric
    if metric is None or proposal.refused or metric.get("type") != "simple":
        return
    entity = _head_entity(model, proposal.definition.text)
    if not entity or says_currency(proposal.definition.text):
        return  # "Paid invoices, $, by month": the invoices' amount was asked for
    name = proposal.measure.name if proposal.measure else ""
    measure = next((nm.measure for nm in proposal.new_measures if nm.measure.get("name") == name), None)
    agg, expr = (str(measure.get("agg")), str(measure.get("expr") or "")) if measure else ("", "")
    if measure is None:
        found = next(
            (ms for sm in model.semantic_models.values() for ms in sm.measures if ms.name == name), None
        )
        if found is None:
            return
        agg, expr = found.agg.value, found.expr or found.name
    if agg in _COUNTING or (agg == "sum" and (_SUM_COUNTS.search(expr) or counts_of(expr, entity))):
        return
    proposal.rules.append(
        RuleReading(
            f"(in the definition) {proposal.definition.text}",
            "unread",
            0.0,
            f"the definition counts {entity}s, and the proposed measure `{name}` computes {agg}({expr}), an "
            f"amount: how many {entity}s, or how much?",
        )
    )
    proposal.confidence = min(proposal.confidence, COUNTED_VALUE)
    proposal.doubts.append(f"counts {entity}s, read as {agg}({expr})")


#: The period a count is taken over, said after the noun ("… each month"): never the head noun.
_PERIOD = re.compile(
    r"\s*\b(?:each|per|every|by|a|in the|during the)\s+(?:month|week|day|quarter|year)\b.*$", re.I
)


def _head_entity(model: Model, text: str) -> str:
    """The entity the definition's head noun names ("Downgrade accounts each month": customer), or ``""``."""
    said = head(_PERIOD.sub("", text))
    if not said:
        return ""
    words = stems(text.lower().replace("-", " ").replace("_", " "))
    return next((e for i, e in entities_named(model, words, lexicon(model)) if words[i] == said), "")


def _baked(model: Model, proposal: Proposal, column: str) -> list[str]:
    """The values of ``column`` the proposal's measure keeps in its own expression (``case when
    change_type = 'new' then …``).
    """
    name = proposal.measure.name if proposal.measure else ""
    exprs = [
        str(nm.measure.get("expr") or "") for nm in proposal.new_measures if nm.measure.get("name") == name
    ]
    exprs += [ms.expr or "" for sm in model.semantic_models.values() for ms in sm.measures if ms.name == name]
    return [v for e in exprs for v in re.findall(rf"\b{re.escape(column)}\s*=\s*'([^']*)'", e.lower())]


def _unread(proposal: Proposal, why: str) -> None:
    proposal.rules.append(RuleReading(f"(in the definition) {proposal.definition.text}", "unread", 0.0, why))
    proposal.confidence = min(proposal.confidence, COUNTED_VALUE)
    proposal.doubts.append(why)
