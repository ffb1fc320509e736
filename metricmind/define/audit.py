"""Consistency checks of a finished proposal: what the metric computes must be what the words justify.

``analyze`` reads the definition piece by piece (the closest metric, each rule, each ratio part); a piece
read well can still combine into a metric that computes something else. ``audit`` looks at the proposed
metric as a whole, against the words, and either corrects it (``fixed``: a share's part keeps the whole's
filters, a closing clause qualifies every part, a rule for one side of a ratio stays there — those checks
read only the proposal: ``define/auditparts.py``) or lowers the confidence below ``DOUBT`` with a doubt
naming what does not fit. The checks here read the model too:

- **a column named whole**: "Amount of refunded invoices" names ``amount`` whole, not ``refunded_amount``;
- **either way**: "customers, paying or not" beside a metric of paying customers;
- **a column whose name says "per"**: "list price per seat" is ``list_price_per_seat``, not a ratio;
- **a date said by its event**: "MRR of subscriptions started in the month" is not the month-end ``mrr``;
- **a metric's name first, in another unit**: "Refunds, …" read as a count of refunded invoices;
- **an average over a longer window**: "Average MRR per month over the quarter" is no average of rows;
- **a flow of a snapshot**: "Outstanding principal added during the month" is not the month-end balance.
"""

from __future__ import annotations

import re
from typing import Any

from metricmind.define.auditparts import (
    Finding,
    closing_clause_on_every_part,
    one_side_of_a_ratio,
    percentage_as_fraction,
    said_words,
    share_within_whole,
    texts_of,
)
from metricmind.define.columns import numeric_columns
from metricmind.define.confidence import DOUBT, DOUBT_PREFIX
from metricmind.define.dating import EVENT_IN
from metricmind.define.extend import proposal_model
from metricmind.define.flowstate import added_of_a_snapshot
from metricmind.define.proposal import Proposal, RuleReading
from metricmind.define.rank import measures_of
from metricmind.define.rulevalues import contains
from metricmind.define.timerules import catalog_time_dims
from metricmind.define.words import known
from metricmind.errors import MetricmindError
from metricmind.spec.model import Metric, Model

#: The confidence of a proposal a consistency check found at odds with its words.
AUDIT_DOUBT = 0.5
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: "paying or not", "whether or not they pay", "regardless of plan", "with or without a subscription".
EITHER_WAY = re.compile(
    r"\b(?P<a>[a-z][a-z-]+) or not\b|\bwhether or not (?:they |it |the \w+ )?(?P<b>[a-z][a-z-]+)|"
    r"\b(?:regardless|irrespective) of (?:their |its |the |whether )?(?P<c>[a-z][a-z_-]+(?: [a-z_]+)?)|"
    r"\bwith or without (?:an? |the |any )?(?P<d>[a-z][a-z-]+)|"
    r"\b(?P<e>[a-z]{3,}) (?:and|or) (?:non-?|un)(?P=e)\b",
    re.IGNORECASE,
)


def audit(model: Model, proposal: Proposal, columns: dict[str, dict[str, str]] | None = None) -> bool:
    """Check ``proposal`` (with a metric) against its words; True when its metric was corrected (the
    caller compiles its SQL again). Doubts lower the confidence to ``AUDIT_DOUBT`` and add the unread
    "(doubt)" item, as ``confidence.assess`` does.
    """
    if proposal.metric is None or proposal.refused:
        return False
    found = Finding()
    share_within_whole(proposal, found)
    closing_clause_on_every_part(proposal, found)
    one_side_of_a_ratio(proposal, found)
    try:
        extended = proposal_model(model, proposal)
    except MetricmindError:
        extended = None
    if extended is not None:
        _column_named_whole(extended, proposal, columns, found)
        _either_way(extended, proposal, found)
        _dated_otherwise(extended, proposal, found)
        _named_metric_of_another_unit(extended, proposal, found)
        _average_over_periods(extended, proposal, found)
        _added_of_a_snapshot(extended, proposal, found)
    _per_in_a_column_name(model, proposal, columns, found)
    percentage_as_fraction(proposal, found)
    for why in found.fixed:
        proposal.doubts.append(why)
    if found.doubts:
        proposal.confidence = min(proposal.confidence, AUDIT_DOUBT)
        proposal.doubts += found.doubts
        doubt = next((r for r in proposal.rules if r.text.startswith(DOUBT_PREFIX)), None)
        if doubt is None and proposal.confidence < DOUBT:
            proposal.rules.append(
                RuleReading(
                    DOUBT_PREFIX + proposal.definition.text,
                    "unread",
                    proposal.confidence,
                    "; ".join(found.doubts),
                )
            )
        elif doubt is not None:
            i = proposal.rules.index(doubt)
            proposal.rules[i] = RuleReading(
                doubt.text, doubt.status, doubt.confidence, f"{doubt.reason}; {'; '.join(found.doubts)}"
            )
    return bool(found.fixed)


def _column_named_whole(
    extended: Model, proposal: Proposal, columns: dict[str, dict[str, str]] | None, found: Finding
) -> None:
    """The words name a column whole ("amount") and the metric aggregates another column of that table
    ("refunded_amount"), whose name they do not say whole: which one is meant?
    """
    metric = extended.metrics.get(proposal.definition.name)
    if metric is None:
        return
    said = [said_words(t) for t in texts_of(proposal)]
    names = [metric.name, *_inputs(metric)]
    measures = measures_of(extended, metric)
    if len(measures) != 1:  # a part of a difference or a ratio may read the named one: checked as one
        return
    aggregated = {ms.expr.strip() for ms in measures}
    for ms in measures:
        col = ms.expr.strip()
        if not _IDENT.match(col):
            continue
        if any(_whole(n, said) for n in (ms.name, *names) if "_" in n):
            continue  # "starting MRR" names the measure itself
        if _whole(col, said) or _turned(col, said):
            continue  # "refunded_amount" said whole, or turned round: "the amount refunded"
        sm = extended.semantic_models[ms.semantic_model]
        others = set(numeric_columns(columns, sm.relation))
        others |= {m.expr for m in sm.measures if _IDENT.match(m.expr)}
        filtered = {  # a column a rule filters by ("only attempt number 1") is said as the filter
            d.rsplit("__", 1)[-1]
            for r in proposal.rules
            if r.status == "filter" and r.predicate
            for d in re.findall(r"Dimension\('([^']+)'\)", r.predicate)
        }
        named = sorted(c for c in others - aggregated - filtered if not c.endswith("_id") and _whole(c, said))
        if named:
            found.doubts.append(
                f"the words name the column {named[0]!r} of {sm.relation} whole, but the metric aggregates "
                f"{col!r} ({ms.name}): check which column is meant"
            )
            return


def _whole(name: str, said: list[tuple[str, ...]]) -> bool:
    run = said_words(name)
    return bool(run) and any(contains(w, run) for w in said)


def _turned(name: str, said: list[tuple[str, ...]]) -> bool:
    """A two-word column name said the other way round ("amount refunded" of ``refunded_amount``)."""
    run = said_words(name)
    return len(run) == 2 and any(contains(w, (run[1], run[0])) for w in said)


def _either_way(extended: Model, proposal: Proposal, found: Finding) -> None:
    """A word said either way ("customers, paying or not") that the metric restricts by: a doubt."""
    metric = extended.metrics.get(proposal.definition.name)
    if metric is None:
        return
    restricting = _restricting_words(extended, proposal)
    for text in texts_of(proposal):
        for m in EITHER_WAY.finditer(text):
            phrase = next(g for g in m.groups() if g)
            words = [w for w in said_words(phrase) if len(w) > 2]
            hit = [
                w
                for w in words
                if known(w, restricting) or any(known(r, frozenset({w})) for r in restricting)
            ]
            if hit:
                found.doubts.append(
                    f"the words say {m.group(0)!r}: the metric should not restrict by {hit[0]!r}, but what "
                    f"it reads does ({', '.join(sorted(_sources_of(extended, proposal, hit[0])))}); check it"
                )
                return


def _restricting_sources(extended: Model, proposal: Proposal) -> dict[str, str]:
    """Each text that says which rows the metric keeps, by where it comes from: its filters, and the
    definition, rules and synonyms of the catalog metrics it reads (``active_customers``: "paying customers").
    """
    metric = proposal.metric or {}
    out: dict[str, str] = {}
    filters = [str(metric.get("filter") or "")]
    params: dict[str, Any] = metric.get("type_params") or {}
    for key in ("numerator", "denominator"):
        part = params.get(key)
        if isinstance(part, dict):
            filters.append(str(part.get("filter") or ""))
    for item in params.get("metrics") or ():
        if isinstance(item, dict):
            filters.append(str(item.get("filter") or ""))
    for f in filters:
        for dim, value in re.findall(
            r"Dimension\('([\w]+)'[^)]*\) \}\}\s*(?:=|!=|in|not in)?\s*\(?'?([\w -]*)", f
        ):
            out[f"{dim.split('__')[-1]} {value}"] = f"the filter on {dim}"
    new = {str(m.get("name")) for m in proposal.new_metrics} | {proposal.definition.name}
    for name in extended.metrics:
        if name in new or name not in _read_metrics(extended, proposal):
            continue
        m = extended.metrics[name]
        bits = [str(m.meta.get("definition") or ""), m.description or "", m.label or ""]
        bits += [str(s) for s in m.meta.get("synonyms") or ()]
        for b in bits:
            out[b] = f"`{name}`"
    return out


def _inputs(metric: Metric) -> list[str]:
    """The names of the metrics ``metric`` reads directly."""
    parts = [metric.numerator, metric.denominator, *metric.inputs]
    return [p.name for p in parts if p is not None]


def _read_metrics(extended: Model, proposal: Proposal) -> set[str]:
    """The catalog metrics the proposal reads: the one it is based on, and every input, transitively."""
    seen: set[str] = set()
    based = ((proposal.metric or {}).get("config") or {}).get("meta", {}).get("based_on")
    todo = [proposal.definition.name, *([str(based)] if based else [])]
    while todo:
        name = todo.pop()
        m = extended.metrics.get(name)
        if m is None or name in seen:
            continue
        seen.add(name)
        todo += _inputs(m)
    return seen


def _restricting_words(extended: Model, proposal: Proposal) -> frozenset[str]:
    return frozenset(w for text in _restricting_sources(extended, proposal) for w in said_words(text))


def _sources_of(extended: Model, proposal: Proposal, word: str) -> set[str]:
    return {
        where
        for text, where in _restricting_sources(extended, proposal).items()
        if any(known(w, frozenset({word})) or known(word, frozenset({w})) for w in said_words(text))
    }


def _per_in_a_column_name(
    model: Model, proposal: Proposal, columns: dict[str, dict[str, str]] | None, found: Finding
) -> None:
    """A ratio split at the "per" of a column's own name ("list price per seat": ``list_price_per_seat``)."""
    metric = proposal.metric or {}
    if metric.get("type") != "ratio":
        return
    said = [said_words(t) for t in texts_of(proposal)]
    names = {c for cols in (columns or {}).values() for c in cols}
    names |= {ms.expr for sm in model.semantic_models.values() for ms in sm.measures}
    for col in sorted(names):
        if _IDENT.match(col) and "_per_" in f"_{col}_" and len(said_words(col)) >= 3 and _whole(col, said):
            found.doubts.append(
                f"the words name the column {col!r} whole, and the metric divides at its 'per': check that "
                "a ratio is meant, not that column"
            )
            return


def _dated_otherwise(extended: Model, proposal: Proposal, found: Finding) -> None:
    """Rows dated by an event the words say ("MRR of subscriptions started in the month": ``started_at``)
    that no measure of the metric is dated by (``mrr`` is taken at each month's end): a doubt.
    """
    metric = extended.metrics.get(proposal.definition.name)
    if metric is None:
        return
    measures = measures_of(extended, metric)
    if not measures:
        return
    low = proposal.definition.text.lower()
    new = {str(m.get("name")) for m in proposal.new_metrics} | {proposal.definition.name}
    new |= {str(m.measure.get("name")) for m in proposal.new_measures}
    read = [n for n in (*_read_metrics(extended, proposal), *(m.name for m in measures)) if n not in new]
    own = {_root(w) for n in read for w in said_words(n)}
    times = catalog_time_dims(extended)
    for m in EVENT_IN.finditer(low):
        event = m.group("what")
        if {_root(w) for w in said_words(event)} & own:
            continue  # "MRR churned in the month" of `churned_mrr`: the metric's own event
        named = {
            name
            for name, phrases in times.items()
            for p in phrases
            if len(p) > 1 and p[-1] in ("at", "date") and p[:-1] == said_words(event)
        }
        thing = m.group("object")
        if thing and named:  # "paid an invoice in the month": the date of the invoices' own model only
            named &= _time_dims_of(extended, said_words(thing))
        dated = {ms.agg_time_dimension for ms in measures}
        if named and not named & dated:
            found.doubts.append(
                f"the words date the rows by {m.group(0)!r} ({', '.join(sorted(named))}), but the metric is "
                f"dated by {', '.join(sorted(dated))}: check which date is meant"
            )
            return


def _added_of_a_snapshot(extended: Model, proposal: Proposal, found: Finding) -> None:
    """What was added during a month asked of a snapshot read at each month's end (``flowstate``): a doubt."""
    metric = extended.metrics.get(proposal.definition.name)
    why = (
        added_of_a_snapshot(proposal.definition.text, metric, measures_of(extended, metric))
        if metric
        else None
    )
    if why is not None:
        found.doubts.append(why)


def _root(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _time_dims_of(model: Model, thing: tuple[str, ...]) -> set[str]:
    """The time dimensions of the semantic models whose name or entities are ``thing`` ("invoice")."""
    out: set[str] = set()
    for sm in model.semantic_models.values():
        names = {sm.name, *(e.name for e in sm.entities)}
        if any(said_words(n)[-1:] == thing[-1:] for n in names if said_words(n)):
            out |= {d.name for d in sm.dimensions if d.type == "time"}
    return out


#: What a measure's aggregation counts: a count of rows or things, whatever the column.
_COUNTING = frozenset({"count", "count_distinct", "sum_boolean"})


def _named_metric_of_another_unit(extended: Model, proposal: Proposal, found: Finding) -> None:
    """The definition begins with a catalog metric's name ("Refunds, by the month the invoice was issued":
    `refunds`, an amount) and the proposal reads another metric of another unit (`invoice_count`, a count).
    """
    metric = extended.metrics.get(proposal.definition.name)
    if metric is None:
        return
    read = _read_metrics(extended, proposal)
    measures = measures_of(extended, metric)
    based = ((proposal.metric or {}).get("config") or {}).get("meta", {}).get("based_on")
    if based and based in extended.metrics:
        unit = str(extended.metrics[based].meta.get("unit") or "")
    elif measures and all(ms.agg.value in _COUNTING for ms in measures):
        unit = "count"
    else:
        return
    head = said_words(proposal.definition.text)
    for name, m in extended.metrics.items():
        other = str(m.meta.get("unit") or "")
        if name in read or not other or other == unit or {other, unit} <= {"ratio", "percent"}:
            continue
        words = said_words(name)
        if words and any(head[i : i + len(words)] == words for i in range(2)):  # at its start
            found.doubts.append(
                f"the definition begins with {' '.join(words)!r}, the name of `{name}` (in {other}), but the "
                f"proposal reads {unit or 'another unit'}: check which is meant"
            )
            return


#: "over the quarter", "across the year", "over the last 3 months": a window longer than the month.
OVER_PERIODS = re.compile(
    r"\b(?:over|across|during|through(?:out)?) (?:the |a |each |every )?(?:last |past |trailing )?(?:\d+ |three |six |"
    r"twelve )?(?:quarters?|years?|months|weeks|periods?|fiscal year)\b",
    re.IGNORECASE,
)


def _average_over_periods(extended: Model, proposal: Proposal, found: Finding) -> None:
    """An average over a window longer than the month ("Average MRR per month over the quarter": of the
    monthly totals) that the metric takes over the table's rows within each month: a doubt.
    """
    metric = extended.metrics.get(proposal.definition.name)
    if metric is None:
        return
    text = proposal.definition.text
    window = OVER_PERIODS.search(text)
    if window is None:
        return
    averaged = [ms for ms in measures_of(extended, metric) if ms.agg.value in ("average", "median")]
    if averaged:
        sm = extended.semantic_models[averaged[0].semantic_model]
        found.doubts.append(
            f"the definition averages {window.group(0)!r}, but the metric averages {averaged[0].expr} over the "
            f"rows of {sm.relation.rsplit('.', 1)[-1]} in each month: check which average is meant"
        )
