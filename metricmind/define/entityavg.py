"""Averages per entity ("Avg seats per Mid-Market account", "Average active days per active user in the
month", "Average MRR per paying customer"): the ratio at the entity × month grain, over the entities that
have a value that month (the denominator is the entities, never the rows under them).

The definition says an average word, the thing averaged, then "per" and the entity (with what qualifies it).
Two shapes are read:

- **days** ("active days per active user"): the population ("active user in the month") is analyzed as a
  metric of its own and compiled by day and entity; each entity's distinct days with rows in the month are
  averaged over the entities with rows that month;
- **a quantity** ("seats per Mid-Market account"): the total ("Total seats of Mid-Market account") is
  analyzed as a metric of its own and compiled by month and entity; each entity's total is averaged over
  the entities with a total that month ("add up the seats per account first").

A rule whose every word names the entity, the thing averaged or only restates the averaging ("add up the
seats per account first", "Only users with an event in the month are in the average") is covered; the
other rules (split at ";") go to the analysis of the population or of the total. Built only when that
analysis proposes a simple metric of a count (days) or of a sum (a quantity) compiled over canonical
datasets; else nothing is built and the rest of the agent reads the definition. Pure and deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from metricmind.define.byentity import DAY_COLUMN, MONTH_COLUMN, by_entity_sql, indented, refs_of
from metricmind.define.extend import compile_on_model, proposal_model, redrafted
from metricmind.define.newmodel import MONTH, monthly_model, per_entity
from metricmind.define.proposal import Definition, NewModel, Proposal, RuleReading
from metricmind.define.termcolumns import entities_named, term_words
from metricmind.define.words import lexicon
from metricmind.errors import MetricmindError
from metricmind.spec.model import Agg, Model

#: "Average active days per active user", "Avg seats per Mid-Market account", "mean MRR per customer".
AVERAGE = re.compile(
    r"\b(?:average|avg|mean)\.?\s+(?:number\s+of\s+|count\s+of\s+|amount\s+of\s+)?(?P<what>[a-z][a-z -]*?)\s+"
    r"per\s+(?P<per>[a-z][a-z -]*?)\s*(?=$|[,;.(]|\bin\s+the\b|\bat\s+|\bas\s+at\b|\bby\b|\beach\b|\bper\b)",
    re.IGNORECASE,
)
#: The thing averaged is days on which rows exist ("active days", "days active", "distinct days").
DAYS = re.compile(r"^(?:(?:active|distinct|different|calendar|usage)\s+)?days?(?:\s+active)?$", re.IGNORECASE)
#: Words that only restate an average per entity.
RESTATE = frozenset(
    """
    average avg mean per each every first add added adding up sum summed total totals count counted
    only one any least at with by of in on the a an is are be been that who which those these their its
    them they month months calendar day days active activity row rows value values divide divided over
    across among all include included includes means mean denominator numerator entity
    """.split()
)
#: The confidence of an average read so: a new model a person checks.
AVERAGE_CONFIDENCE = 0.7
VALUE_COLUMN = "entity_value"


@dataclass(frozen=True)
class PerEntity:
    """What an average per entity says: the thing averaged, the entity and its qualified phrase."""

    what: str
    per: str  # "Mid-Market account", "active user"
    entity: str
    days: bool
    rest: str  # the definition after the "per" phrase ("in the month")


def per_entity_average(model: Model, text: str) -> PerEntity | None:
    """The average per entity ``text`` says, or None."""
    m = AVERAGE.search(text)
    if m is None:
        return None
    per = m.group("per").strip()
    named = entities_named(model, term_words(per), lexicon(model))
    entities = list(dict.fromkeys(e for _, e in named))
    if len(entities) != 1:
        return None
    what = m.group("what").strip()
    if not term_words(what) or entities[0] in {
        e for _, e in entities_named(model, term_words(what), lexicon(model))
    }:
        return None  # "average users per active user": the entity itself
    days = bool(DAYS.fullmatch(what))
    return PerEntity(what, per, entities[0], days, text[m.end() :].strip(" ,;"))


def read_average(
    definition: Definition,
    model: Model,
    analyze_part: Callable[[Definition], Proposal],
    dialect: str,
    max_hops: int,
) -> Proposal | None:
    """The proposal of ``definition`` read as an average per entity (``analyze_part`` analyzes the
    population or the total), or None when it is not one or cannot be built surely.
    """
    said = per_entity_average(model, definition.text)
    if said is None:
        return None
    covered, passed = _rules(model, definition.rules, said)
    sub = analyze_part(_part(definition.name, said, passed))
    rows = _rows_words(model, sub)
    again = _rules(model, definition.rules, said, rows)
    if rows and len(again[1]) < len(passed):  # a rule restating what the rows are ("an event")
        covered, passed = again
        sub = analyze_part(_part(definition.name, said, passed))
    metric = sub.metric
    if (
        sub.refused
        or metric is None
        or metric.get("type") != "simple"
        or not _aggregated(model, sub, said.days)
    ):
        return None
    body = by_entity_sql(model, sub, said.entity, dialect, max_hops, daily=said.days)
    if body is None:
        return None
    built = _model(model, definition.name, said, body)
    if isinstance(built, str):
        return None
    measure = f"{definition.name}_per_{said.entity}"
    built.semantic_model["measures"] = [
        {
            "name": measure,
            "description": f"the average over {said.entity}s of each one's {said.what} in the month",
            "agg": "average",
            "expr": VALUE_COLUMN,
            "agg_time_dimension": MONTH,
        }
    ]
    new = redrafted(metric, definition, measure, drop=("based_on", "unit"))
    try:
        sql = compile_on_model(model, new, built, dialect=dialect, max_hops=max_hops)
    except MetricmindError:
        return None
    out = replace(sub, definition=definition)
    out.metric, out.new_model, out.preview_sql = new, built, sql
    out.new_measures, out.new_metrics, out.new_dimensions = [], [], []
    out.rules = [
        *(RuleReading(r, "covered", 0.7, f"restates the average per {said.entity}") for r in covered),
        *sub.rules,
    ]
    what = f"distinct days with rows of {said.per!r}" if said.days else f"total {said.what}"
    why = (
        f"averages each {said.entity}'s {what} over the {said.entity}s that have it in the month, from the "
        f"new model `{built.name}`: check the entities in the denominator"
    )
    out.confidence = min(sub.confidence, AVERAGE_CONFIDENCE)
    out.doubts = [*sub.doubts, why]
    return out


def _rules(
    model: Model, rules: tuple[str, ...], said: PerEntity, rows: tuple[str, ...] = ()
) -> tuple[list[str], list[str]]:
    """(rule parts that only restate the average, the others), each rule split at ";". ``rows`` are the
    words of the rows counted (once known: "an active day is a day with at least one event").
    """
    per = term_words(said.per)
    naming = {per[i] for i, e in entities_named(model, per, lexicon(model)) if e == said.entity}
    own = {*term_words(said.what), *per, *term_words(said.entity), *rows}
    covered: list[str] = []
    passed: list[str] = []
    for rule in rules:
        for part in (p.strip() for p in rule.split(";")):
            if not part:
                continue
            words = term_words(part)
            named = {words[i] for i, e in entities_named(model, words, lexicon(model)) if e == said.entity}
            restates = all(  # each word as written ("add" is no "new"), or what it stands for
                w in RESTATE or w.isdigit() or set(term_words(w)) <= own | named
                for w in re.findall(r"[a-z0-9]+", part.lower().replace("'s", ""))
            )
            qualifies = any(w in per and w not in naming for w in words)  # "paying accounts"
            (covered if restates and not qualifies else passed).append(part)
    return covered, passed


def _part(name: str, said: PerEntity, rules: list[str]) -> Definition:
    """The definition of the population (days) or of the total per entity (a quantity)."""
    per = said.per if said.per.endswith("s") else f"{said.per}s"  # "per active user": active users
    text = per if said.days else f"Total {said.what} of {per}"
    return Definition(name, f"{text} {said.rest}".strip(), tuple(rules))


def _rows_words(model: Model, sub: Proposal) -> tuple[str, ...]:
    """The words naming the rows the part's measure reads (its semantic model's and primary entity's)."""
    name = ((sub.metric or {}).get("type_params") or {}).get("measure")
    name = name.get("name") if isinstance(name, dict) else name
    if sub.metric is None or not isinstance(name, str):
        return ()
    extended = proposal_model(model, sub)
    ms = extended.measures.get(name)
    sm = extended.semantic_models.get(ms.semantic_model) if ms else None
    return term_words(f"{sm.name} {sm.primary or ''}") if sm else ()


def _aggregated(model: Model, sub: Proposal, days: bool) -> bool:
    """The part's measure counts (days: its rows exist per day) or sums (a total per entity)."""
    name = ((sub.metric or {}).get("type_params") or {}).get("measure")
    name = name.get("name") if isinstance(name, dict) else name
    ms = proposal_model(model, sub).measures.get(str(name))
    if ms is None:
        return False
    if days:
        return ms.agg in (Agg.COUNT, Agg.COUNT_DISTINCT, Agg.SUM_BOOLEAN)
    return ms.agg in (Agg.SUM, Agg.COUNT, Agg.COUNT_DISTINCT, Agg.SUM_BOOLEAN)


def _model(model: Model, name: str, said: PerEntity, body: tuple[str, str]) -> NewModel | str:
    """The model ``name``_by_``entity``: one row per entity and month with its value (its distinct days
    with rows, or its total).
    """
    sql_body, value = body
    own = f"{name}_by_{said.entity}"
    grain = f"{said.entity}_month_id"
    key = f"{said.entity}_key"
    if said.days:
        inner = f"""per_day as (
    -- the {said.entity}s with rows on each day
    {indented(sql_body)}
),

per_month as (
    select
        cast(date_trunc('month', {DAY_COLUMN}) as date) as {MONTH},
        {said.entity} as {key},
        count(distinct cast({DAY_COLUMN} as date)) as {VALUE_COLUMN}
    from per_day
    where {value} > 0
    group by 1, 2
)

select
    cast({key} as varchar) || '-' || strftime({MONTH}, '%Y-%m') as {grain},
    {MONTH},
    {key},
    {VALUE_COLUMN}
from per_month
"""
        what = f"the distinct days it has rows on ({said.per})"
    else:
        inner = f"""per_month as (
    -- each {said.entity}'s total by month
    {indented(sql_body)}
)

select
    cast({said.entity} as varchar) || '-' || strftime({MONTH_COLUMN}, '%Y-%m') as {grain},
    cast({MONTH_COLUMN} as date) as {MONTH},
    {said.entity} as {key},
    {value} as {VALUE_COLUMN}
from per_month
where {value} is not null
"""
        what = f"its total {said.what}"
    sql = f"""-- {own}: one row per {said.entity} and month with {what}: averaged over the {said.entity}s,
-- never over the rows under them. Materialized as a table: read by every query of the metric.

with {inner}"""
    try:
        return monthly_model(
            model,
            own,
            sql,
            description=f"Each {said.entity}'s {said.what} by month.",
            entities=per_entity(f"{own}_row", grain, said.entity, key),
            reason=f"no semantic model holds each {said.entity}'s {said.what} per month; built from the "
            "canonical datasets (a table: read by every query)",
            refs=tuple(refs_of(sql_body)),
        )
    except MetricmindError as exc:
        return exc.message
