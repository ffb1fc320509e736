"""An average of daily values over calendar days ("average daily active users in the month, over every
calendar day"): a distinct count per day, averaged over the month's days, days without rows counted as 0.

No measure of the catalog computes it (a count distinct over a month counts each user once, not once per
day), so it needs a new dbt model: one row per calendar day between the source's first and last day
with the day's distinct count, CTE style, ``ref()`` to the canonical dataset only; its semantic model has
an ``average`` measure dated by the day.
"""

from __future__ import annotations

import re
from typing import Any

from metricmind.define.datasets import canonical_for
from metricmind.define.extend import compile_refs
from metricmind.define.proposal import Definition, NewModel, Proposal, Suggestion
from metricmind.define.rank import measures_of, rank
from metricmind.define.terms import Term, find_term
from metricmind.define.words import lexicon
from metricmind.spec.model import Model

#: "average daily active users", "daily active users averaged over the month", "mean DAU".
DAILY = re.compile(
    r"\b(?:average|mean|avg)\s+(?:number of\s+)?(?:daily|per[- ]day|dau)\b|"
    r"\b(?:daily|per[- ]day|each day)\b.{0,60}\b(?:averaged|average|mean)\b",
    re.I,
)
#: The days averaged over are said: every calendar day (days without activity count as 0).
CALENDAR = re.compile(r"\b(?:every|all|each)\s+(?:calendar\s+)?days?\b|\bcalendar days?\b", re.I)
#: Words that say the daily average itself (removed to read the daily count).
_AVERAGE_WORDS = re.compile(
    r"\b(?:average[sd]?|mean|avg|daily|per[- ]day|each day|dau|over|across|every|all|calendar|days?|"
    r"of the month|in the month|the month)\b",
    re.I,
)
DAY = "calendar_day"


def is_daily_average(text: str) -> bool:
    """The definition asks for an average of daily values."""
    return bool(DAILY.search(text))


def daily_count_text(text: str) -> str:
    """The words of the daily count ("active users") without those of the averaging."""
    body = re.split(r"[:;]", text, maxsplit=1)[0]
    return re.sub(r"\s+", " ", _AVERAGE_WORDS.sub(" ", body)).strip(" ,.")


def daily_model(model: Model, term: Term, measure: str) -> NewModel | str:
    """The daily model of ``term`` (a distinct count) with an ``average`` measure; a string says why not."""
    sm = model.semantic_models[term.sm]
    if term.agg != "count_distinct" or term.snapshot:
        return "an average of daily values is built for a distinct count per day only"
    dataset = canonical_for(model, sm.relation)
    if dataset is None:
        return f"{sm.relation} is not a canonical dataset; a new model may read canonical datasets only"
    time = next((d for d in sm.dimensions if d.name == term.time and d.type == "time"), None)
    if time is None:
        return f"{sm.name} has no time dimension {term.time!r} to count by day"
    column = time.expr or time.name
    name = f"{sm.name}_daily_{term.expr}"
    sql = f"""-- {name}: one row per calendar day with the number of distinct {term.expr} that day.
-- Every day between the first and the last day of {dataset.name} is a row, a day without rows counts 0,
-- so a month's average is over all its calendar days.
-- Materialized as a table: one row per day, read by every query of the metric.

with source as (
    -- the canonical dataset, {dataset.grain}
    select * from {{{{ ref('{dataset.name}') }}}}
),

bounds as (
    -- the first and the last day the data speaks of
    select min(cast({column} as date)) as first_date, max(cast({column} as date)) as last_date
    from source
),

days as (
    -- every calendar day between them
    select cast(unnest(generate_series(first_date, last_date, interval 1 day)) as date) as {DAY}
    from bounds
),

daily as (
    -- the distinct {term.expr} of each day that has rows
    select cast({column} as date) as {DAY}, count(distinct {term.expr}) as daily_count
    from source
    group by 1
)

select
    days.{DAY},
    coalesce(daily.daily_count, 0) as daily_count
from days
left join daily on daily.{DAY} = days.{DAY}
"""
    item: dict[str, Any] = {
        "name": name,
        "description": f"Distinct {term.expr} per calendar day of {dataset.name} (0 on a day without rows).",
        "model": f"ref('{name}')",
        "defaults": {"agg_time_dimension": DAY},
        "entities": [{"name": f"{name}_day", "type": "primary", "expr": DAY}],
        "dimensions": [{"name": DAY, "type": "time", "type_params": {"time_granularity": "day"}}],
        "measures": [
            {
                "name": measure,
                "description": f"the average over calendar days of the daily distinct {term.expr}",
                "agg": "average",
                "expr": "daily_count",
                "agg_time_dimension": DAY,
            }
        ],
    }
    return NewModel(
        name=name,
        sql=sql,
        semantic_model=item,
        materialization="table",
        reason=f"no semantic model holds one row per day with the distinct {term.expr} of {sm.name}; a "
        "calendar of days is built from the canonical dataset (a table: read by every query)",
        refs=(dataset.name,),
        compiled_sql=compile_refs(model, sql),
    )


def daily_metric(
    definition: Definition,
    model: Model,
    proposal: Proposal,
    columns: dict[str, dict[str, str]] | None,
    meta: dict[str, Any],
    min_score: float,
) -> tuple[dict[str, Any], NewModel] | str:
    """An average of daily values ("average daily active users"): a new daily model and its average."""
    if any(r.strip() for r in definition.rules):
        return "an average of daily values with rules is not built (they would filter inside the daily model)"
    text = daily_count_text(definition.text)
    term = find_term(model, text, text, lexicon(model), columns, (text,))
    base = None
    if term is None or term.agg != "count_distinct":
        ranked = rank(model, Definition(definition.name, text), text)
        base = ranked[0].metric if ranked and ranked[0].score >= min_score else None
        found = measures_of(model, base) if base is not None and base.type.value == "simple" else []
        if base is None or len(found) != 1 or base.filter or (base.measure and base.measure.filter):
            return f"{text!r} names no distinct count of one semantic model (without a filter) to take daily"
        ms = found[0]
        if ms.agg.value != "count_distinct" or ms.non_additive is not None:
            return f"`{base.name}` is no distinct count, so its daily values are not read"
        term = Term(ms.semantic_model, "count_distinct", ms.expr, ms.agg_time_dimension, False, "", 0.75)
    measure = f"{definition.name}_daily_average"
    built = daily_model(model, term, measure)
    if isinstance(built, str):
        return built
    conf = min(term.confidence, 0.8 if CALENDAR.search(definition.text) else 0.7)
    said = f"`{base.name}`" if base is not None else f"count_distinct({term.expr})"
    why = (
        f"{said} per calendar day (the new daily model `{built.name}`), averaged over the month's days; "
        + (
            "every calendar day counts, a day without rows as 0"
            if conf >= 0.8
            else "a day without rows counts as 0 (say 'over every calendar day' or 'over active days')"
        )
    )
    proposal.similar.append(Suggestion("part", definition.name, conf, why, {"text": text}))
    return {
        "name": definition.name,
        "label": definition.name.replace("_", " ").capitalize(),
        "description": definition.text,
        "type": "simple",
        "type_params": {"measure": measure},
        "config": {"meta": meta},
    }, built
