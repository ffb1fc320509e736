"""A value the definition names, kept by no filter of the proposal: unread.

"No-show rate of Booking.com reservations": a ratio composed of `no_shows` over `bookings` that keeps no
channel computes the rate of every reservation, and looks right. A value of a dimension is named when the
definition says it as the catalog writes it (``booking_com`` as "Booking.com", ``no_show`` as "no-show") or
by a declared alias; it is applied when a filter or an expression of the proposal, or of a metric or measure
it reads, keeps it, or when the metric's own words say it ("New customers": `new_customers`). Otherwise the
proposal carries an unread item naming the value, so a person adds the filter or confirms it is meant.
"""

from __future__ import annotations

import json
import re
from typing import Any

from metricmind.define.confidence import flag_words
from metricmind.define.implied import state_words
from metricmind.define.proposal import Proposal, RuleReading
from metricmind.define.words import GLUE, lexicon, stems
from metricmind.spec.model import Model

#: Confidence of a proposal that keeps no filter for a value its definition names.
UNAPPLIED = 0.3
#: Sources of lexicon entries that name a value as a person says it (not a reduced or learned guess).
_SAID = frozenset({"value", "alias", "observed"})
#: Words after which a glue word that is also a value ("other") is a cue: "other than", "more than".
_COMPARING = frozenset({"than", "wise"})


def flag_unapplied_values(proposal: Proposal, model: Model) -> None:
    """Add an unread item for each value the definition names that nothing the proposal reads keeps."""
    metric = proposal.metric
    if metric is None or proposal.refused:
        return
    blob, own = _applied(proposal, model)
    own |= flag_words(model, proposal.rules)  # "paid" read as is_trial = false: a flag keeps it
    homes = _homes(proposal, model)
    states = state_words(model)
    fresh = _fresh_count(proposal)
    if fresh:
        # "Subscriptions cancelled in the month" counted by a new measure: no metric of the catalog means
        # the state, and the name the person chose (`cancellations_…`) filters nothing
        states = frozenset()
        own -= set(stems(proposal.definition.name.lower().replace("_", " "))) - _expr_words(proposal)
    missing: list[tuple[str, str, str]] = []
    text = proposal.definition.text
    for said, pairs in _named(model, text):
        if any(_kept(dim, value, blob, own) for dim, value in pairs) or set(said.split()) <= states:
            continue  # kept, or a state word the metric may mean ("paying", "cancelled", "active")
        # a value of the rows the metric counts ("Booking.com reservations"); on a fresh count, a state
        # word of any entity ("Subscriptions churned by end date": `churned`, the customer's lifecycle stage)
        stated = fresh and set(said.split()) <= state_words(model) and not _dating(said, text)
        on_rows = [(d, v) for d, v in pairs if stated or _model_of(model, d) in homes]
        if on_rows:
            missing.append((said, *on_rows[0]))
    if not missing:
        return
    named = ", ".join(f"{said!r} ({dim} = {value})" for said, dim, value in missing)
    why = f"the definition names {named}, which no filter of the metric keeps: add it, or confirm it is not meant"
    proposal.rules.append(RuleReading(f"(in the definition) {proposal.definition.text}", "unread", 0.0, why))
    proposal.confidence = min(proposal.confidence, UNAPPLIED)
    proposal.doubts.append(why)


#: Words after a state word that make it the name of a date ("conversion day", "churn date").
_DATE_WORDS = frozenset({"date", "day", "month", "time", "week"})


def _dating(said: str, text: str) -> bool:
    """The phrase ``said`` (stems) names a date in ``text`` ("Customers whose conversion day lands …")."""
    words = stems(text.lower().replace("-", " ").replace("_", " "))
    key = tuple(said.split())
    return any(
        words[i : i + len(key)] == key and i + len(key) < len(words) and words[i + len(key)] in _DATE_WORDS
        for i in range(len(words) - len(key) + 1)
    )


def _fresh_count(proposal: Proposal) -> bool:
    """The metric counts rows through a new measure of its own, built on no metric of the catalog and no
    snapshot: a state word of its definition ("cancelled") is then said by nothing the metric reads.
    """
    metric = proposal.metric or {}
    if (metric.get("config") or {}).get("meta", {}).get("based_on") or metric.get("type") != "simple":
        return False
    name = (metric.get("type_params") or {}).get("measure")
    name = name.get("name") if isinstance(name, dict) else name
    return any(
        nm.measure.get("name") == name
        and nm.measure.get("agg") in ("count", "count_distinct")
        and not nm.measure.get("non_additive_dimension")
        for nm in proposal.new_measures
    )


def _expr_words(proposal: Proposal) -> set[str]:
    """The words of the columns the proposal's new measures read."""
    return {w for nm in proposal.new_measures for w in _words_of("", str(nm.measure.get("expr") or ""))}


def _kept(dim: str, value: str, blob: str, own: set[str]) -> bool:
    """The value is a yes/no, kept by a filter or expression of ``blob``, or said by the metric's words."""
    if value in ("true", "false") or f"'{value.lower()}'" in blob:
        return True
    words = set(stems(value.lower().replace("_", " ").replace("-", " "))) - GLUE
    return not words or words <= own  # the metric's own words say it ("New customers": `new_customers`)


def _named(model: Model, text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(phrase, its (dimension, value) readings) for each value ``text`` names as written, longest first."""
    lx = lexicon(model)
    words = stems(text.lower().replace("-", " ").replace("_", " "))
    used = [False] * len(words)
    out: list[tuple[str, list[tuple[str, str]]]] = []
    for size in range(min(3, len(words)), 0, -1):
        for i in range(len(words) - size + 1):
            if any(used[i : i + size]):
                continue
            key = words[i : i + size]
            if size == 1 and key[0] in GLUE and (i + 1 < len(words) and words[i + 1] in _COMPARING):
                continue  # "other than alerts": a cue, not the value `other`
            hits = [e for e in lx.lookup(key) if e.kind == "value"]
            if not any(e.source in _SAID and _as_written(e.target, key) for e in hits):
                continue  # every reading of the phrase counts ("paid": a status, or not a trial)
            used[i : i + size] = [True] * size
            pairs = [(d, v) for e in hits for d, _, vs in [e.target.partition("=")] for v in vs.split("|")]
            out.append((" ".join(key), pairs))
    return out


def _as_written(target: str, key: tuple[str, ...]) -> bool:
    """The phrase is the value itself (its words), not a word that only resembles it."""
    values = target.partition("=")[2].split("|")
    return any(stems(v.lower().replace("_", " ").replace("-", " ")) == key for v in values) or len(key) > 1


def _applied(proposal: Proposal, model: Model) -> tuple[str, set[str]]:
    """(every filter and expression the proposal reads, lower case; the words of the metrics it reads)."""
    parts: list[Any] = [proposal.metric, proposal.new_metrics, [m.measure for m in proposal.new_measures]]
    if proposal.new_model is not None:
        parts.append(proposal.new_model.sql)
    names = set(_names(parts))
    own: set[str] = set()
    for name in sorted(set(names)):
        m = model.metrics.get(name)
        if m is not None:
            parts += [[str(w) for w in m.filter], m.name]
            own |= set(stems(f"{m.name} {m.label}".lower().replace("_", " ")))
            names |= set(model.measures_of(name))
    for sm in model.semantic_models.values():
        for ms in sm.measures:
            if ms.name in names:
                parts.append(ms.expr or "")
                own |= _words_of(ms.name, ms.expr or "")
    for nm in proposal.new_measures:  # "the amounts refunded": a new measure of `refunded_amount`
        own |= _words_of(str(nm.measure.get("name") or ""), str(nm.measure.get("expr") or ""))
    blob = json.dumps(parts, default=str).lower().replace("\\'", "'").replace("''", "'")
    return blob, own - GLUE


def _words_of(name: str, expr: str) -> set[str]:
    """The words of a measure's name and of the columns its expression reads (quoted values left out)."""
    columns = re.sub(r"'[^']*'", " ", expr)
    return set(stems(f"{name} {columns}".lower().replace("_", " ")))


def _names(node: Any) -> list[str]:
    """Every ``name`` / ``measure`` / ``based_on`` string in a metric dictionary tree."""
    out: list[str] = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("name", "measure", "based_on") and isinstance(v, str):
                out.append(v)
            out += _names(v)
    elif isinstance(node, list | tuple):
        for v in node:
            out += _names(v)
    return out


def _homes(proposal: Proposal, model: Model) -> set[str]:
    """The semantic models whose rows the proposal's measures read."""
    names = set(_names([proposal.metric, proposal.new_metrics]))
    for name in list(names):
        if name in model.metrics:
            names |= set(model.measures_of(name))
    out = {nm.semantic_model for nm in proposal.new_measures}
    for sm in model.semantic_models.values():
        if any(ms.name in names for ms in sm.measures):
            out.add(sm.name)
    return out


def _model_of(model: Model, dim: str) -> str:
    """The semantic model holding ``dim`` (``entity__name``) as its primary entity's dimension."""
    entity, _, name = dim.rpartition("__")
    entity = entity.rsplit("__", 1)[-1]
    for sm in model.semantic_models.values():
        if sm.primary == entity and any(d.name == name for d in sm.dimensions):
            return sm.name
    return ""
