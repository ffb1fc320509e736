"""Distinct entities over a threshold of a column summed per entity at each month's end ("customers
with more than 50 seats in total at month end"): a new dbt model, one row per entity and month with the
column summed over the entity's rows live at the month's last day (the rules on those rows applied
before the sum), and a semi-additive measure counting the rows over the threshold.
"""

from __future__ import annotations

import re
from typing import Any

from metricmind.define import rules as rulebook
from metricmind.define.datasets import canonical_for
from metricmind.define.newmodel import MONTH, monthly_model, per_entity, snapshot_model
from metricmind.define.parts import time_dims
from metricmind.define.proposal import NewModel, RuleReading, Suggestion
from metricmind.define.shape import join_filters
from metricmind.define.termcolumns import columns_of, entities_named, mentions
from metricmind.define.terms import SNAPSHOT_CUE
from metricmind.define.words import lexicon, stems
from metricmind.spec.joingraph import JoinGraph
from metricmind.spec.model import Model
from metricmind.spec.names import SEP

THRESHOLD = re.compile(
    r"\b(?P<op>more than|over|above|greater than|at least|fewer than|less than|under|below)\s+"
    r"(?P<n>\d+(?:\.\d+)?)\s+(?P<col>[a-z_]+)",
    re.I,
)
OPS = {
    "more than": ">",
    "over": ">",
    "above": ">",
    "greater than": ">",
    "at least": ">=",
    "fewer than": "<",
    "less than": "<",
    "under": "<",
    "below": "<",
}


def threshold_of(text: str) -> tuple[str, float, str] | None:
    """(operator, number, column word) of "more than 50 seats", else None."""
    m = THRESHOLD.search(text)
    if m is None:
        return None
    return OPS[m.group("op").lower()], float(m.group("n")), m.group("col").lower()


def threshold_metric(
    model: Model,
    name: str,
    text: str,
    rules: tuple[str, ...],
    columns: dict[str, dict[str, str]] | None,
) -> tuple[dict[str, Any], NewModel, list[RuleReading], Suggestion] | str:
    """(the metric item, its new model, the rules as read, the part's suggestion) or why it cannot."""
    said = threshold_of(text)
    if said is None:
        return "no threshold"
    op, number, word = said
    if not SNAPSHOT_CUE.search(" ".join([text, *rules])):
        return "a threshold per entity is built at each month's end only (say 'at month end')"
    words = stems(text.lower().replace("-", " ").replace("_", " "))
    named = [e for i, e in entities_named(model, words, lexicon(model)) if i <= 2]
    if not named:
        return "the definition names no entity to count over the threshold"
    entity = named[0]
    homes = []
    for sm in model.semantic_models.values():
        key = next((e.expr for e in sm.entities if e.name == entity and e.type.value != "primary"), None)
        cols = [c for c in columns_of(model, sm, columns) if mentions(c, stems(word))]
        if key and len(cols) == 1 and canonical_for(model, sm.relation) is not None:
            homes.append((sm, key, cols[0]))
    if len(homes) != 1:
        return f"no one canonical table holds {word!r} per {entity}"
    sm, key, column = homes[0]
    reachable = JoinGraph(model, max_hops=4).reachable_names(sm.name)
    ctx = rulebook.Context(
        model,
        lexicon(model),
        reachable,
        True,
        [],
        time_dims(model, [sm.name]),
        rulebook.flags_of(model, reachable, {sm.name}),
        {sm.name},
    )
    inside: list[str] = []  # predicates on the rows' own columns, applied before the sum
    outside: list[str] = []  # predicates on the entity's dimensions, the metric's filter
    readings: list[RuleReading] = []
    own = {d.name: d for d in sm.dimensions if d.type == "categorical"}
    for rule in rules:
        read = rulebook.read_rule(rule, ctx)
        reading = read.reading
        if reading.status in ("noop", "covered", "time"):
            readings.append(reading)
            continue
        dim = read.dimension or ""
        if reading.status != "filter" or not dim or read.others or not read.values:
            return f"the rule {rule!r} is not read as one filter"
        head, _, tail = dim.rpartition(SEP)
        if head == sm.primary and tail in own:
            col = own[tail].expr or tail
            if not re.fullmatch(r"[a-z_][a-z0-9_]*", col):
                return f"the rule {rule!r} filters an expression, not a column"
            inside.append(_predicate(col, read.values, read.negative))
        elif head == entity:
            outside.append(str(reading.predicate))
        else:
            return f"the rule {rule!r} filters {dim}, neither the rows summed nor the {entity}"
        readings.append(reading)
    base = snapshot_model(model, sm, [])
    if isinstance(base, str):
        return base
    per = f"{sm.name}_{entity}_month_end"
    grain = f"{entity}_month_id"
    total = f"total_{column}"
    where = "\n    where " + "\n      and ".join(inside) if inside else ""
    tail_sql = f"""
),

per_{entity} as (
    -- each {entity}'s {column} summed over its rows live at the month's end{" (the rules applied first)" if inside else ""}
    select {MONTH}, {key}, sum({column}) as {total}
    from live{where}
    group by 1, 2
)

select
    cast({key} as varchar) || '-' || strftime({MONTH}, '%Y-%m') as {grain},
    {MONTH},
    {key},
    {total}
from per_{entity}
"""
    cut = base.sql.rindex("\n)\n\nselect\n")
    sql = base.sql[:cut] + tail_sql
    sql = sql.replace(base.name, per, 1).replace(
        "-- Materialized as a table",
        f"-- Then one row per {entity} and month with its {column} summed.\n-- Materialized as a table",
        1,
    )
    measure = f"{name}_count"
    built = monthly_model(
        model,
        per,
        sql,
        description=f"Each {entity}'s {column} summed over its {sm.name} live at each month's last day.",
        entities=per_entity(f"{sm.name}_{entity}_month", grain, entity, key),
        measures=[
            {
                "name": measure,
                "description": f"{entity}s whose {column} summed is {op} {number:g} at the month's end",
                "agg": "sum",
                "expr": f"case when {total} {op} {number:g} then 1 else 0 end",
                "agg_time_dimension": MONTH,
                "non_additive_dimension": {"name": MONTH, "window_choice": "max"},
            }
        ],
        reason=f"no semantic model holds each {entity}'s {column} summed at each month's end; built from "
        f"the month-end rows of {sm.name} (a table: read by every query)",
        refs=base.refs,
    )
    conf = 0.75 if re.search(r"\b(in total|combined|altogether|summed|add up|across)\b", text, re.I) else 0.65
    why = (
        f"count of {entity}s whose sum({column}) over their {sm.name} live at the month's end is {op} "
        f"{number:g} (the new model `{per}`)"
    )
    metric: dict[str, Any] = {
        "name": name,
        "label": name.replace("_", " ").capitalize(),
        "description": text,
        "type": "simple",
        "type_params": {"measure": measure},
    }
    if outside:
        metric["filter"] = join_filters(outside)
    return metric, built, readings, Suggestion("part", name, conf, why, {"text": text})


def _predicate(column: str, values: tuple[str, ...], negative: bool) -> str:
    """SQL keeping (or dropping) ``values`` of ``column`` (yes/no values as booleans)."""
    if set(values) <= {"true", "false"} and len(values) == 1:
        keep = values[0] == "true"
        return f"{column} = {'false' if keep == negative else 'true'}"
    safe = [v for v in values if re.fullmatch(r"[A-Za-z0-9_ .&-]+", v)]
    listed = ", ".join(f"'{v}'" for v in safe)
    return f"({column} is null or {column} not in ({listed}))" if negative else f"{column} in ({listed})"
