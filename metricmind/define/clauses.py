"""A definition's trailing clauses read both ways: inside the definition and as rules (never silently wrong).

People fold business rules into the one-line definition: "Recurring revenue at month end; annual plans at
their monthly equivalent", "Average web events per active web user - only events on the web platform",
"Seats of big customers. Enterprise segment only". The definition's own reader (``implied.py``) reads the
values of such a clause as filters by simple cues, while the rule reader (``rules.py``) reads it precisely
(a conversion, a negation after the value, a rule the source already covers). The two disagreed on the
metamorphic bench (``bench/define_perturb.py``, kind ``fold``): "…; annual plans counted at their monthly
equivalent" kept only annual contracts, "…; trials don't count as paying" kept only trials.

``promoted(definition)`` splits the definition at semicolons, spaced dashes and sentence ends: the first
part stays the definition, each later part becomes a rule (before the written rules). ``analyze`` reads
both and ``reconcile`` compares what they compute (``signature``: the metric and its new parts without their
wording, each filter's conjuncts sorted):

- the same → the definition as written stands;
- the rule reading proposes a metric with every rule read, and it differs → the rule reading is shown
  (it reads polarity, conversions and covered rules precisely), below ``CONFIDENT`` with a doubt naming
  the other reading;
- the rule reader cannot read a clause ("By big customers I mean …") → the definition's reading stands,
  below ``DOUBT``: an unread doubt item names the clauses, and nothing is written unconfirmed.

Commas are mostly not split: a comma mostly joins a definition's own phrases ("New customers, by the month of
their first paid subscription"), and the definition's reader is the one meant for them. A comma before a
clause that defines a term ("…, a trial converted when its status is trial_converted", "…, direct means our
website") is split: such a clause is a rule, and the definition's reader would ignore it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from metricmind.define.confidence import DOUBT, DOUBT_PREFIX, is_doubt
from metricmind.define.proposal import Definition, Proposal, RuleReading

#: A later clause: after a semicolon, a spaced dash, or a full stop that ends a sentence (the next word is
#: capitalised; abbreviations such as "e.g." and "incl." do not end one).
_ABBREVIATIONS = ("e.g", "i.e", "vs", "etc", "incl", "excl", "approx", "no", "cf", "avg", "est")
_SPLIT = re.compile(
    r"\s*;\s+|\s+[-–—]\s+|"
    + "".join(rf"(?<!\b{re.escape(a)})" for a in _ABBREVIATIONS)
    + r"(?<=[\w)%'\"])\.\s+(?=[A-Z])"
)
#: A clause after a comma that defines a term: "a trial converted when …", "direct means …", "a guest counts
#: as a member if …" (a rule folded in with a comma, never one of the definition's own phrases).
_DEFINES = re.compile(
    r",\s+(?=(?:(?:an?|the|each|every)\s+[\w-]+(?:\s+[\w-]+){0,2}\s+(?:when|if|once)\b"
    r"|[\w-]+(?:\s+[\w-]+){0,3}\s+(?:means|mean|counts?\s+as|is\s+defined\s+as|refers\s+to)\b)[^,;]*$)",
    re.I,
)
#: The most a proposal is trusted whose trailing clauses read otherwise inside the definition.
SPLIT = 0.75
#: The confidence of a proposal whose trailing clauses the rule reader cannot read: below ``DOUBT``, so the
#: proposal carries an unread doubt (a person confirms the reading of the clause inside the definition).
UNREAD_CLAUSE = round(DOUBT - 0.05, 2)


def promoted(definition: Definition) -> Definition | None:
    """``definition`` with its trailing clauses as rules (before the written ones), or ``None`` when it
    has a single clause. Brackets are never split ("(trials excluded; see finance)").
    """
    text = definition.text.strip()
    parts: list[str] = []
    depth_start = 0
    for m in _SPLIT.finditer(text):
        if text.count("(", 0, m.start()) != text.count(")", 0, m.start()):
            continue
        parts.append(text[depth_start : m.start()])
        depth_start = m.end()
    parts.append(text[depth_start:])
    parts = [c for p in parts for c in _comma_split(p)]
    parts = [p.strip().rstrip(".").strip() for p in parts]
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return None
    later = tuple(p[:1].upper() + p[1:] for p in parts[1:])
    return Definition(definition.name, parts[0], (*later, *definition.rules))


def _comma_split(part: str) -> list[str]:
    """``part`` with a trailing clause that defines a term split off at its comma (outside brackets)."""
    m = _DEFINES.search(part)
    if m is None or part.count("(", 0, m.start()) != part.count(")", 0, m.start()):
        return [part]
    return [part[: m.start()], part[m.end() :]]


def answered(p: Proposal) -> bool:
    """A metric is proposed (maybe with doubts)."""
    return p.refused is None and p.metric is not None


def _read(p: Proposal) -> bool:
    """A metric is proposed and every rule written was read (the agent's own doubts aside)."""
    return answered(p) and not any(not is_doubt(r) for r in p.unread)


def reconcile(original: Proposal, other: Proposal, clauses: tuple[str, ...]) -> Proposal:
    """The proposal to show, from ``original`` and ``other`` (the same definition with ``clauses`` read as
    rules): ``original`` when it proposes nothing and ``other`` does not read every rule, or when ``other``
    computes the same; ``other`` (the rule
    reader is the precise one), capped below ``CONFIDENT`` with a doubt naming ``original``'s reading, when
    it reads every rule and computes something else; else (the rule reader cannot read a clause: "By big
    customers I mean …") ``original`` below ``DOUBT``, with an unread doubt naming the clauses.
    """
    if not answered(original):  # refused as a whole: the clauses read as rules may read it all
        if not _read(other):
            return original
        other.definition = original.definition
        other.confidence = min(other.confidence, SPLIT)
        other.doubts = [
            *other.doubts,
            f"read as a whole, the definition was refused ({original.refused}: {original.message}); with its "
            f"clauses {'; '.join(repr(c) for c in clauses)} read as rules every rule is read: check it",
        ]
        return other
    if answered(other) and signature(other) == signature(original):
        return original
    said = "; ".join(repr(c) for c in clauses)
    if _read(other):
        why = (
            f"the definition's clauses {said} were read as rules ({_what(other)}); read inside the "
            f"definition they gave {_what(original)}: check which one is meant"
        )
        other.definition = original.definition
        other.confidence = min(other.confidence, SPLIT)
        other.doubts = [*other.doubts, why]
        return other
    unread = [r.text for r in other.unread if not is_doubt(r)]
    why = (
        f"read as rules, the definition's clauses {said} are not read "
        f"({other.refused or 'unread'}: {other.message or ', '.join(unread)}): check that the metric "
        f"({_what(original)}) does what they say"
    )
    original.confidence = min(original.confidence, UNREAD_CLAUSE)
    original.doubts = [*original.doubts, why]
    if not any(is_doubt(r) for r in original.rules):
        text = DOUBT_PREFIX + original.definition.text
        original.rules = [*original.rules, RuleReading(text, "unread", original.confidence, why)]
    return original


def _what(p: Proposal) -> str:
    metric = p.metric or {}
    tp = metric.get("type_params") or {}
    base = (
        (metric.get("config") or {}).get("meta", {}).get("based_on")
        or tp.get("measure")
        or metric.get("type")
    )
    filters = [r.predicate for r in p.rules if r.predicate]
    return f"`{base}`" + (f" where {' and '.join(filters)}" if filters else "")


#: Fields that describe a metric or a measure (the words as written) and compute nothing.
_WORDING = frozenset({"description", "label", "definition", "business_rules", "synonyms", "name_reason"})


def signature(p: Proposal) -> str:
    """What ``p`` computes, independent of wording and of the order its filters were read in: the metric,
    its new metrics, measures, dimensions and model, with descriptions left out and each filter's top-level
    conjuncts sorted.
    """
    parts = {
        "metric": p.metric,
        "new_metrics": p.new_metrics,
        "new_measures": [(m.semantic_model, m.measure) for m in p.new_measures],
        "new_dimensions": [(d.semantic_model, d.dimension) for d in p.new_dimensions],
        "new_model": p.new_model.compiled_sql if p.new_model else None,
    }
    return json.dumps(_normal(parts), sort_keys=True, default=str)


def _normal(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: sorted(conjuncts(v)) if k == "filter" and isinstance(v, str) else _normal(v)
            for k, v in value.items()
            if k not in _WORDING
        }
    if isinstance(value, list | tuple):
        return [_normal(v) for v in value]
    return value


def conjuncts(sql: str) -> list[str]:
    """The top-level ``and`` terms of a filter, each without its outer brackets."""
    out: list[str] = []
    depth, start = 0, 0
    for m in re.finditer(r"[()]|\band\b", sql, re.IGNORECASE):
        token = m.group(0)
        if token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
        elif depth == 0:
            out.append(sql[start : m.start()])
            start = m.end()
    out.append(sql[start:])
    return [_unwrap(t.strip()) for t in out if t.strip()]


def _unwrap(term: str) -> str:
    """``term`` without brackets around all of it: "((a or b))" → "a or b"."""
    while term.startswith("(") and _closing(term) == len(term) - 1:
        term = term[1:-1].strip()
    return term


def _closing(term: str) -> int:
    depth = 0
    for i, ch in enumerate(term):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return i
    return -1
