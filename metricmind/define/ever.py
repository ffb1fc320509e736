"""Entities that have ever done something, counted as of each period's end ("customers who have ever paid an
invoice, as of each month end", "running total of shippers that have booked a parcel", "cumulative count of
borrowers who ever made a payment"): a cumulative count of distinct entities over all time.

The reading is a MetricFlow ``cumulative`` metric with no window (all history up to each day) over a new
``count_distinct`` measure of the entity's key on the rows that record the event, dated by the date the
words name ("paid": ``paid_at``); at a month grain it takes each month's last day (``period_agg: last``), so
an entity counts from the day of its first such row and is never dropped after ("keep counting them after
they churn" restates that). Read only when it is sure:

- the words ask for all history ("ever", "running total", "cumulative", "to date", "all-time");
- they count one entity ("customers", ``fit.counted_entity``) and name one date of one canonical semantic
  model that carries that entity ("paid" → ``invoices.paid_at``); several or none: not read here;
- each rule is read against that semantic model: a filter becomes the measure's filter; a rule that only
  restates the count ("a customer counts once they have paid at least one invoice") or its persistence
  ("keep counting them after they cancel", "a refund does not undo the payment") is covered; any other rule
  stays unread (the confidence is then capped).

Pure and deterministic.
"""

from __future__ import annotations

import re
from typing import Any

from metricmind.define import rules as rulebook
from metricmind.define.datasets import canonical
from metricmind.define.distinctper import said_words
from metricmind.define.fit import counted_entity
from metricmind.define.items import meta_of
from metricmind.define.newmodel import free_name
from metricmind.define.parts import time_dims
from metricmind.define.proposal import Definition, NewMeasure, Proposal, RuleReading, Suggestion
from metricmind.define.shape import join_filters
from metricmind.define.words import content, lexicon, stems
from metricmind.spec.joingraph import JoinGraph
from metricmind.spec.model import MetricType, Model, SemanticModel

#: Words that ask for all history up to each period's end.
EVER = re.compile(
    r"\b(?:(?<!first )(?<!time )ever(?! first| before| since)|running (?:total|count|sum|tally)(?: of)?|cumulative(?:ly)?(?: count| total| number)?(?: of)?|"
    r"to date|all[- ]time|since (?:the )?(?:start|beginning|launch|inception))\b",
    re.IGNORECASE,
)
#: A rule that says an entity is never dropped once counted.
_KEPT = re.compile(
    r"\b(?:keep|still|continue|remain|stay)s?\b.*\b(?:count|counted|counting|in)\b|"
    r"\b(?:does not|doesn't|do not|don't|never|will not|won't)\s+(?:undo|remove|reset|reverse|cancel|"
    r"drop|uncount|change)\b|\bonce counted\b|\bforever\b",
    re.IGNORECASE,
)
#: Words a rule restating the count may use beside the names of the rows, the entity and the date.
_RESTATING = frozenset(
    stems(
        """
        count counts counted counting once first least one any ever time times since start moment day become
        becomes they them their it its has have had is are as soon from then on after
        """
    )
)
#: The confidence of a metric read so: a new measure and a cumulative metric a person checks.
EVER_CONFIDENCE = 0.7
_COLUMN = re.compile(r"[a-z_][a-z0-9_]*")


def flag_unaccumulated(proposal: Proposal, model: Model) -> None:
    """Add an unread item when the definition asks for all history ("customers who have ever paid",
    "revenue to date") and the proposed metric accumulates nothing: it would give each period's own
    flow, not the total up to its end.
    """
    metric = proposal.metric
    if metric is None or proposal.refused or not asks_ever(proposal.definition.text):
        return
    if _accumulates(metric, model, proposal.new_metrics):
        return
    proposal.rules.append(
        RuleReading(
            f"(in the definition) {proposal.definition.text}",
            "unread",
            0.1,
            "asks for all history up to each period's end ('ever', 'running total', 'to date'), which the "
            "proposed metric does not accumulate: it counts each period's own rows",
        )
    )


def _accumulates(metric: dict[str, Any], model: Model, new: list[dict[str, Any]], depth: int = 0) -> bool:
    """``metric`` is cumulative, or built on a cumulative metric (of the catalog, or a new one)."""
    if metric.get("type") == "cumulative" or depth > 4:
        return metric.get("type") == "cumulative"
    tp = metric.get("type_params") or {}
    names = [str(x.get("name")) for x in tp.get("metrics") or () if isinstance(x, dict)]
    names += [str(tp[k].get("name")) for k in ("numerator", "denominator") if isinstance(tp.get(k), dict)]
    names.append(str(((metric.get("config") or {}).get("meta") or {}).get("based_on") or ""))
    for name in names:
        known = model.metrics.get(name)
        if known is not None and known.type == MetricType.CUMULATIVE:
            return True
        item = next((m for m in new if m.get("name") == name), None)
        if item is not None and _accumulates(item, model, new, depth + 1):
            return True
    return False


def asks_ever(text: str) -> bool:
    """``text`` asks for all history up to each period's end ("ever", "running total", "to date")."""
    return EVER.search(text) is not None


#: Words of a date's name that say no event ("month_start", "first_paid_date": only "paid" is the event).
_NO_EVENT = frozenset(
    "at date on time ts dt tstamp day days week month quarter year period start end first last".split()
)


def _date_words(name: str) -> set[str]:
    return set(stems(" ".join(w for w in name.split("_") if w not in _NO_EVENT)))


def _chosen(
    homes: list[tuple[SemanticModel, str, str]], entity: str, texts: list[str]
) -> tuple[tuple[SemanticModel, str, str] | None, str]:
    """The one home the words mean, and a doubt when it was chosen among several: the rows named ("paid
    at least one invoice": invoices) first, then the rows of an event the entity carries over the
    entity's own table (a "first paid date" column is derived from those rows).
    """
    if len(homes) <= 1:
        return (homes[0] if homes else None), ""
    said = {w for t in texts for w in stems(t.lower().replace("-", " "))}
    own = set(stems(entity.replace("_", " ")))  # "customers" names the entity, not its table's rows
    named = [
        h for h in homes if ({*stems(h[0].name.replace("_", " ")), *stems(h[0].primary or "")} - own) & said
    ]
    if len(named) == 1:
        return named[0], ""
    events = [h for h in (named or homes) if h[0].primary != entity]
    if len(events) == 1:
        others = ", ".join(f"{h[0].name}.{h[2]}" for h in homes if h is not events[0])
        return events[0], f"read on the {events[0][0].name} rows by {events[0][2]}, not on {others}: check"
    return None, ""


def _homes(model: Model, entity: str, text: str) -> list[tuple[SemanticModel, str, str]]:
    """(semantic model, the entity's key column, the date named) of each canonical semantic model carrying
    ``entity`` with one date the words name.
    """
    said = set(stems(text.lower().replace("-", " ")))
    relations = {ds.relation for ds in canonical(model).values()}
    out = []
    for sm in model.semantic_models.values():
        key = next((e.expr or e.name for e in sm.entities if e.name == entity), None)
        if key is None or sm.relation not in relations or not _COLUMN.fullmatch(key):
            continue
        dates = [d.name for d in sm.dimensions if d.type == "time" and _date_words(d.name) & said]
        if len(dates) == 1:
            out.append((sm, key, dates[0]))
    return out


def ever_metric(
    definition: Definition, model: Model
) -> tuple[dict[str, Any], NewMeasure, list[RuleReading], Suggestion] | str:
    """(the cumulative metric, its new measure, the rules as read, the part's suggestion) or why not."""
    text = definition.text
    if not asks_ever(text):
        return "no history asked"
    entity = counted_entity(model, EVER.sub(" ", text))
    if not entity:
        return "the definition counts no entity"
    home, doubt = _chosen(_homes(model, entity, text), entity, [text, *definition.rules])
    if home is None:
        return f"no one semantic model holds the {entity}s' rows with one date the words name"
    sm, key, date = home
    reachable = JoinGraph(model, max_hops=4).reachable_names(sm.name)
    ctx = rulebook.Context(
        model,
        lexicon(model),
        reachable,
        False,
        [],
        time_dims(model, [sm.name]),
        rulebook.flags_of(model, reachable, {sm.name}),
        {sm.name},
    )
    explained = set(_RESTATING) | {
        w for x in (sm.name, sm.primary or "", entity, date, key) for w in content(x)
    }
    filters: list[str] = []
    readings: list[RuleReading] = []
    for rule in definition.rules:
        words = said_words(rule)
        if _KEPT.search(rule):  # "keep counting them after they churn": never dropped, as the count is
            readings.append(RuleReading(rule, "covered", 0.75, f"restates the count of {entity}s ever seen"))
            continue
        read = rulebook.read_rule(rule, ctx)
        reading = read.reading
        if reading.status == "filter" and reading.predicate:
            filters.append(str(reading.predicate))
        elif reading.status not in ("noop", "covered") and words and set(words) <= explained:
            reading = RuleReading(rule, "covered", 0.75, f"restates the count of {entity}s ever seen")
        elif reading.status not in ("noop", "covered"):
            reading = RuleReading(rule, "unread", 0.0, reading.reason or "not read as a filter of the rows")
        readings.append(reading)
    measure_name = free_name(model, f"{definition.name}_{entity}s", set())
    measure = {
        "name": measure_name,
        "description": f"count_distinct({key}): each {entity} once, dated by {date}",
        "agg": "count_distinct",
        "expr": key,
        "agg_time_dimension": date,
    }
    why = (
        f"count of distinct {entity}s with {sm.name} rows dated by {date} on or before each period's last "
        f"day (all history: a cumulative metric, the last day of each month)"
    )
    new = NewMeasure(sm.name, measure, why, EVER_CONFIDENCE)
    ref: dict[str, Any] = {"name": measure_name}
    if filters:
        ref["filter"] = join_filters(filters)
    metric: dict[str, Any] = {
        "name": definition.name,
        "label": definition.name.replace("_", " ").capitalize(),
        "description": text,
        "type": "cumulative",
        "type_params": {"measure": ref, "cumulative_type_params": {"period_agg": "last"}},
        "config": {"meta": meta_of(definition, "count")},
    }
    conf = EVER_CONFIDENCE - (0.1 if doubt else 0.0)
    why = f"{why}; {doubt}" if doubt else why
    return metric, new, readings, Suggestion("part", definition.name, conf, why, {"text": text})
