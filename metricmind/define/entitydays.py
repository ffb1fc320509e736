"""Entities active on at least N days of the month ("users active on at least 5 different days in the
month", "accounts that used alerts on 3 or more days that month"), or with at least N rows of a table in
the month ("customers with at least 3 invoices issued in the month"): a count threshold per entity.

The closest metric counts the entity (a ``count_distinct`` of an entity's key on a semantic model dated
by a time dimension: `active_users`); the threshold is what it lacks. The reading builds a new dbt model,
one row per entity and month with the distinct days it has rows on (or its rows, ``count(*)``; the rules
on those rows applied first), and a measure counting the entities whose days or rows pass the threshold.

Read only when it is sure (else the number stays unread, ``numbers.flag_unread_numbers``):

- the days are said as days *on* which something happened ("on at least 5 days"), never a duration
  ("at least 30 days past due", "for 5 days"); the rows by a noun naming the table's rows ("invoices"),
  never a column ("more than 50 seats": ``threshold.py``);
- the period is the month, said ("in the month", "that month", "each month");
- the comparison keeps entities with rows (at least, more than, N or more): "fewer than 5 days" would
  leave out the entities with no row at all, so it stays unread;
- the metric's filter splits into conditions on the counted rows' own columns or on another entity they
  carry (joined by the rows' key: "Enterprise users"), applied before the days are counted, and conditions
  on the counted entity's dimensions (the metric's filter).
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

from metricmind.define.datasets import canonical_for
from metricmind.define.distinctper import counted_column, covered_distinct
from metricmind.define.distinctper import distinct_threshold as distinct_of
from metricmind.define.extend import compile_on_model
from metricmind.define.newmodel import MONTH, monthly_model, per_entity
from metricmind.define.proposal import NewModel, Proposal
from metricmind.define.termcolumns import start_end
from metricmind.define.terms import SNAPSHOT_CUE
from metricmind.define.words import stems
from metricmind.errors import MetricmindError
from metricmind.spec.model import Entity, EntityType, Grain, Model, SemanticModel
from metricmind.spec.names import SEP

#: "on at least 5 (different) days", "on 5 or more distinct days", "on 5+ days", "on more than 4 days".
DAYS = re.compile(
    r"\bon\s+(?:(?P<op>at least|no fewer than|more than|over|greater than)\s+(?P<n>\d{1,2})|"
    r"(?P<m>\d{1,2})\s*(?P<more>\+|or more\b))\s+(?:(?:different|distinct|separate|unique|calendar|"
    r"individual|active)\s+){0,2}days?\b(?!\s+(?:past|overdue|late|old|after|before|since|ago|of\b))",
    re.IGNORECASE,
)
#: "with at least 3 invoices", "who had 10 or more events", "that placed more than 2 orders".
ROWS = re.compile(
    r"\b(?:with|had|has|have|having|placed|made|booked|raised|logged|received)\s+"
    r"(?:(?P<op>at least|no fewer than|more than|over|greater than)\s+(?P<n>\d{1,4})|"
    r"(?P<m>\d{1,4})\s*(?P<more>\+|or more\b))\s+(?P<noun>[a-z]+)\b",
    re.IGNORECASE,
)
#: The month as the period the days are counted in.
IN_MONTH = re.compile(
    r"\b(?:in|during|within|over|per|each|every|that|of|for)\s+(?:the\s+|a\s+|that\s+|each\s+|this\s+|"
    r"the\s+same\s+|a\s+given\s+|the\s+calendar\s+|a\s+calendar\s+)?month\b",
    re.IGNORECASE,
)
_OPS = {"at least": ">=", "no fewer than": ">=", "more than": ">", "over": ">", "greater than": ">"}
_DIM = re.compile(r"\{\{\s*Dimension\(\s*'(?P<name>[a-z0-9_]+)'\s*\)\s*\}\}")
_COLUMN = re.compile(r"[a-z_][a-z0-9_]*")
#: The confidence of a metric read so: a new model a person checks.
DAYS_CONFIDENCE = 0.7
DAYS_COLUMN = "active_days"
ROWS_COLUMN = "row_count"
VALUES_COLUMN = "distinct_values"


def days_threshold(text: str) -> tuple[str, int] | None:
    """(operator, days) of "on at least 5 different days in the month", else None (no month said)."""
    m = DAYS.search(text)
    if m is None or not IN_MONTH.search(text):
        return None
    if m.group("op"):
        op, n = _OPS[" ".join(m.group("op").lower().split())], int(m.group("n"))
    else:
        op, n = ">=", int(m.group("m"))
    if n < 1 or n > 31:
        return None
    return op, n


def rows_threshold(text: str) -> tuple[str, int, str] | None:
    """(operator, count, noun) of "with at least 3 invoices … in the month", else None (no month said)."""
    m = ROWS.search(text)
    if m is None or not IN_MONTH.search(text) or DAYS.search(text):
        return None
    if m.group("op"):
        op, n = _OPS[" ".join(m.group("op").lower().split())], int(m.group("n"))
    else:
        op, n = ">=", int(m.group("m"))
    return (op, n, m.group("noun").lower()) if n >= 1 else None


def counts_rows(model: Model, text: str) -> bool:
    """``text`` keeps the entities with a number of some semantic model's rows in the month ("customers
    with at least 3 invoices in the month"), at no point in time: a flow per entity, not a month-end sum.
    """
    said = rows_threshold(text)
    if said is None or SNAPSHOT_CUE.search(text):
        return False
    return any(_names_rows(said[2], sm) for sm in model.semantic_models.values())


def read_days(model: Model, proposal: Proposal, dialect: str, max_hops: int) -> str | None:
    """Rebuild ``proposal`` (a count of an entity) as the entities active on the days (or with the rows)
    its definition says; None when done, else why not (the proposal is untouched).
    """
    days = days_threshold(proposal.definition.text)
    distinct = None if days else distinct_of(proposal.definition.text)  # "at least 3 different users"
    rows = None if days or distinct else rows_threshold(proposal.definition.text)
    metric = proposal.metric
    if (days is None and rows is None and distinct is None) or metric is None:
        return "no threshold per entity"
    if (
        proposal.new_model
        or proposal.new_metrics
        or proposal.new_dimensions
        or len(proposal.new_measures) > 1
    ):
        return "the metric already needs new parts"
    params = metric.get("type_params") or {}
    measure = params.get("measure")
    name = measure.get("name") if isinstance(measure, dict) and set(measure) == {"name"} else measure
    if metric.get("type") != "simple" or not isinstance(name, str):
        return "the metric is no simple count"
    counted = _counted(model, proposal, name)
    if counted is None:
        return "the measure counts no entity"
    sm, entity, time_name = counted
    time = next((d for d in sm.dimensions if d.name == time_name and d.type == "time"), None)
    key, day = entity.expr or entity.name, (time.expr or time.name) if time else ""
    if time is None or not _COLUMN.fullmatch(key) or not _COLUMN.fullmatch(day):
        return "the rows' date or the entity's key is an expression"
    if time.grain is not Grain.DAY:  # a monthly mart has one row per entity and month: no days to count
        return f"{sm.name} is dated by {time.name} at a {time.grain.value if time.grain else 'unknown'} grain"
    text = proposal.definition.text
    if start_end(sm, False) is not None and not _date_said(time.name, text):
        return f"{sm.name} rows live over a period: say which date counts ('started in the month')"
    other = [
        d.name for d in sm.dimensions if d.type == "time" and d.name != time.name and _date_said(d.name, text)
    ]
    if other and not _date_said(time.name, text):  # "invoices paid in the month" counted by their issue
        return f"the definition dates the rows by {other[0]}, not by {time.name}"
    if rows is not None and not _names_rows(rows[2], sm):
        return f"{rows[2]!r} names no rows of {sm.name}"  # "with at least 3 seats": a column, not rows
    valued = counted_column(sm, entity.name, distinct) if distinct else None
    if distinct is not None and valued is None:
        return f"{' '.join(distinct.noun)!r} names no one column of {sm.name}'s rows"
    split = _split(str(metric.get("filter") or ""), model, sm, entity.name, dialect)
    if isinstance(split, str):
        return split
    inside, outside, joins = split
    what = "days" if days else f"distinct_{valued[0]}" if valued else "rows"
    own_name = (
        f"{metric['name']}_{what}_by_{entity.name}" if inside else f"{sm.name}_{entity.name}_{what}_monthly"
    )
    if own_name in model.semantic_models:
        return f"a semantic model is already called {own_name}"
    built = _model(
        model, sm, own_name, (entity.name, key, day), (inside, joins), days is not None, valued and valued[0]
    )
    if isinstance(built, str):
        return built
    op, n = (
        days if days else (distinct.op, distinct.n) if distinct else (rows[0], rows[1]) if rows else ("", 0)
    )
    column = DAYS_COLUMN if days else VALUES_COLUMN if valued else ROWS_COLUMN
    said = f"{op} {n} distinct days of the month" if days else f"{op} {n} {sm.name} rows in the month"
    if valued:
        said = f"{op} {n} distinct values of {valued[1]} ({valued[0]}) among its {sm.name} rows of the month"
    new_measure = f"{metric['name']}_count"
    built.semantic_model["measures"] = [
        {
            "name": new_measure,
            "description": f"{entity.name}s with {sm.name} rows on {said}",
            "agg": "count_distinct",
            "expr": f"case when {column} {op} {n} then {key} end",
            "agg_time_dimension": MONTH,
        }
    ]
    new = {k: v for k, v in metric.items() if k != "filter"}
    new["type_params"] = {**params, "measure": new_measure}
    if outside:
        new["filter"] = " and ".join(f"({f})" for f in outside) if len(outside) > 1 else outside[0]
    try:
        sql = compile_on_model(model, new, built, dialect=dialect, max_hops=max_hops)
    except MetricmindError as exc:
        return f"the per-{entity.name} model does not compile: {exc.message}"
    proposal.metric, proposal.new_model, proposal.preview_sql = new, built, sql
    proposal.new_measures = []
    proposal.confidence = min(proposal.confidence, DAYS_CONFIDENCE)
    proposal.doubts.append(
        f"counts each {entity.name} with {said} (by {time.name}), from the new model `{built.name}`: "
        "check the threshold and what is counted"
    )
    if valued and distinct:
        proposal.rules = covered_distinct(proposal.rules, sm, entity.name, distinct, valued[0])
    return None


def _counted(model: Model, proposal: Proposal, name: str) -> tuple[SemanticModel, Entity, str] | None:
    """(semantic model, entity, date dimension) of measure ``name`` (of the catalog, or the proposal's one
    new measure) when it counts an entity: a ``count_distinct`` of the key of one of its entities.
    """
    if proposal.new_measures:
        nm = proposal.new_measures[0]
        item = nm.measure
        if item.get("name") != name or set(item) - {
            "name",
            "description",
            "agg",
            "expr",
            "agg_time_dimension",
        }:
            return None
        sm = model.semantic_models.get(nm.semantic_model)
        agg, expr, time = str(item.get("agg")), str(item.get("expr")), str(item.get("agg_time_dimension"))
    else:
        sm = next(
            (s for s in model.semantic_models.values() if any(m.name == name for m in s.measures)), None
        )
        ms = next((m for m in sm.measures if m.name == name), None) if sm else None
        if ms is None or ms.non_additive is not None:
            return None
        agg, expr, time = ms.agg.value, ms.expr, ms.agg_time_dimension
    if sm is None or agg != "count_distinct":
        return None
    entity = next(
        (e for e in sm.entities if e.type is not EntityType.PRIMARY and (e.expr or e.name) == expr), None
    )
    return (sm, entity, time) if entity is not None else None


def _date_said(time: str, text: str) -> bool:
    """The text says the date's own word ("started" for ``started_at``)."""
    own = set(stems(" ".join(w for w in time.split("_") if w not in ("at", "date", "on", "time", "ts"))))
    return bool(own & set(stems(text.lower())))


def _names_rows(noun: str, sm: SemanticModel) -> bool:
    """``noun`` names ``sm``'s rows: its name or its primary entity's ("invoices", "events")."""
    said = stems(noun)
    own = {
        *stems(sm.name.replace("_", " "))[-1:],
        *(stems(sm.primary.replace("_", " "))[-1:] if sm.primary else ()),
    }
    return len(said) == 1 and said[0] in own


def _split(
    text: str, model: Model, sm: SemanticModel, entity: str, dialect: str
) -> tuple[list[str], list[str], dict[str, tuple[str, str, str]]] | str:
    """The filter's conjuncts as (SQL on the rows, filters on the entity's dimensions, the joins that SQL
    needs: alias → (canonical dataset, the rows' key, its key)). A condition on another entity the rows
    carry ("Enterprise users": the event's customer) is read on the rows, through that same key, as the
    closest metric read it.
    """
    if not text.strip():
        return [], [], {}
    names: list[str] = []

    def hold(m: re.Match[str]) -> str:
        names.append(m.group("name"))
        return f"__dim{len(names) - 1}"

    bare = _DIM.sub(hold, text)
    if "{{" in bare or "{%" in bare:
        return "the filter names more than dimensions"
    try:
        tree = sqlglot.parse_one(bare, read=dialect)
    except sqlglot.errors.ParseError:
        return "the filter does not parse"
    homes: dict[str, tuple[str, str, str, dict[str, str]] | None] = {}
    own = {d.name: d.expr or d.name for d in sm.dimensions if d.type == "categorical"}
    cols: dict[int, tuple[str, str]] = {}  # placeholder → (table alias, column)
    for i, name in enumerate(names):
        head, _, tail = name.rpartition(SEP)
        if head == sm.primary:
            cols[i] = ("source", own.get(tail, ""))
        elif head != entity:
            found = homes.setdefault(head, _joined(model, sm, head))
            cols[i] = (f"j_{head}", found[3].get(tail, "") if found else "")

    def column(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and node.name.startswith("__dim"):
            table, col = cols[int(node.name[5:])]
            return exp.column(col, table=table)
        return node

    inside: list[str] = []
    outside: list[str] = []
    joins: dict[str, tuple[str, str, str]] = {}
    for part in tree.flatten() if isinstance(tree, exp.And) else [tree]:
        used = {int(c.name[5:]) for c in part.find_all(exp.Column) if c.name.startswith("__dim")}
        heads = {names[i].rpartition(SEP)[0] for i in used}
        if heads == {entity}:
            outside.append(_restore(part.sql(dialect=dialect), names))
            continue
        if len(heads) != 1 or not all(_COLUMN.fullmatch(cols.get(i, ("", ""))[1]) for i in used):
            return "a condition names dimensions of neither the counted rows, the entity nor one entity they carry"
        head = heads.pop()
        found = homes.get(head)
        if head != sm.primary and found:
            joins[f"j_{head}"] = found[:3]
        inside.append(part.copy().transform(column).sql(dialect=dialect))
    return inside, outside, joins


def _joined(model: Model, sm: SemanticModel, head: str) -> tuple[str, str, str, dict[str, str]] | None:
    """(canonical dataset, the rows' key, its own key, its categorical columns) of entity ``head`` that
    ``sm``'s rows carry, or None.
    """
    fk = next(
        (e.expr or e.name for e in sm.entities if e.name == head and e.type is not EntityType.PRIMARY), None
    )
    home = next((s for s in model.semantic_models.values() if s.primary == head), None)
    if fk is None or home is None:
        return None
    pk = next(
        (e.expr or e.name for e in home.entities if e.name == head and e.type is EntityType.PRIMARY), None
    )
    dataset = canonical_for(model, home.relation)
    if pk is None or dataset is None or not _COLUMN.fullmatch(fk) or not _COLUMN.fullmatch(pk):
        return None
    return (
        dataset.name,
        fk,
        pk,
        {d.name: d.expr or d.name for d in home.dimensions if d.type == "categorical"},
    )


def _restore(sql: str, names: list[str]) -> str:
    return re.sub(r"__dim(\d+)", lambda m: "{{ Dimension('" + names[int(m.group(1))] + "') }}", sql)


def _model(
    model: Model,
    sm: SemanticModel,
    name: str,
    columns: tuple[str, str, str],
    rules: tuple[list[str], dict[str, tuple[str, str, str]]],
    days: bool = True,
    valued: str | None = None,
) -> NewModel | str:
    """The per-entity and month model ``name`` of ``sm``'s rows (its measures left to fill): ``columns``
    are the entity's name, its key column and the rows' date column; ``inside`` the rules on the rows (a
    model of its own, named after the metric, when there are any: another metric's rules differ).
    """
    entity, key, day = columns
    inside, joins = rules
    counted, column = ("count(distinct day)", DAYS_COLUMN) if days else ("count(*)", ROWS_COLUMN)
    what = "the distinct days it has" if days else "the number of"
    value, kept = "", ""
    if valued:  # "at least 3 different users": the distinct values of one column of the rows
        counted, column, what = (
            "count(distinct counted_value)",
            VALUES_COLUMN,
            f"the distinct {valued} of its",
        )
        value = f",\n        source.{valued} as counted_value"
        kept = f"\n      and source.{valued} is not null"
    dataset = canonical_for(model, sm.relation)
    if dataset is None:
        return f"{sm.relation} is not a canonical dataset; a new model may read canonical datasets only"
    grain = f"{entity}_month_id"
    where = "".join(f"\n      and {p}" for p in inside)
    joined = "".join(
        f"\n    left join {{{{ ref('{ds}') }}}} as {alias} on {alias}.{pk} = source.{fk}"
        for alias, (ds, fk, pk) in joins.items()
    )
    sql = f"""-- {name}: one row per {entity} and month with {what} {sm.name} rows{" on" if days else ""}.
{"-- The rules on the rows are applied before the days are counted." + chr(10) if inside else ""}-- Materialized as a table: read by every query of the metric.

with source as (
    -- the canonical dataset, {dataset.grain}
    select * from {{{{ ref('{dataset.name}') }}}}
),

counted as (
    -- the rows counted, with their month and day
    select
        cast(date_trunc('month', source.{day}) as date) as {MONTH},
        source.{key},
        cast(source.{day} as date) as day{value}
    from source{joined}
    where source.{day} is not null
      and source.{key} is not null{kept}{where}
),

per_{entity} as (
    select {MONTH}, {key}, {counted} as {column}
    from counted
    group by 1, 2
)

select
    cast({key} as varchar) || '-' || strftime({MONTH}, '%Y-%m') as {grain},
    {MONTH},
    {key},
    {column}
from per_{entity}
"""
    try:
        return monthly_model(
            model,
            name,
            sql,
            description=f"Each {entity}'s {what.removeprefix('the ')} {sm.name} rows, by month.",
            entities=per_entity(f"{name}_row", grain, entity, key),
            dimensions=({"name": column, "type": "categorical", "expr": column},),
            reason=f"no semantic model holds each {entity}'s days with {sm.name} rows per month; built from "
            f"{dataset.name} (a table: read by every query)",
            refs=(dataset.name, *dict.fromkeys(ds for ds, _, _ in joins.values())),
        )
    except MetricmindError as exc:
        return exc.message
