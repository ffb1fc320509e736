"""New measures and new models for a ``Term`` no existing measure computes.

A flow (a sum, average or count dated by a time dimension of an existing semantic model) becomes a new
measure on that model. A month-end snapshot of rows that live over a period (a subscription by its start
and end dates) becomes a new dbt model, one row per row and month it is live at the month's last day, in
CTE style with ``ref()`` to the canonical dataset only, plus its semantic model (the measure is
semi-additive: the value at the month's end, never summed over months).
"""

from __future__ import annotations

from typing import Any

from metricmind.define.datasets import canonical_for
from metricmind.define.extend import compile_refs
from metricmind.define.openstate import CLOSED_ALSO, OPEN_SAID, OVERDUE_SAID, OpenState, state_sql
from metricmind.define.proposal import NewMeasure, NewModel
from metricmind.define.termcolumns import start_end
from metricmind.define.terms import Term
from metricmind.spec.model import EntityType, Measure, Model, SemanticModel

MONTH = "month_start"


def existing_measure(model: Model, term: Term, home: str) -> Measure | None:
    """A measure of ``home`` that already computes ``term`` (same aggregation, column and date)."""
    sm = model.semantic_models.get(home)
    if sm is None:
        return None
    for ms in sm.measures:
        same_time = ms.agg_time_dimension == (MONTH if term.snapshot else term.time)
        if (
            ms.agg.value == term.agg
            and ms.expr == term.expr
            and same_time
            and ms.percentile == term.percentile
        ):
            if (ms.non_additive is not None) == (term.snapshot or term.state):
                return ms
    return None


def free_name(model: Model, wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted_measure``/``wanted_2``… when a measure already has that name."""
    names = set(model.measures) | taken
    if wanted not in names:
        return wanted
    for suffix in ("_measure", *(f"_{i}" for i in range(2, 100))):
        if wanted + suffix not in names:
            return wanted + suffix
    return wanted + "_new"


def measure_item(name: str, term: Term) -> dict[str, Any]:
    """The ``measures:`` item for ``term``."""
    item: dict[str, Any] = {
        "name": name,
        "description": term.reason,
        "agg": term.agg,
        "expr": term.expr,
        "agg_time_dimension": MONTH if term.snapshot else term.time,
    }
    if term.percentile is not None:
        item["agg_params"] = {"percentile": term.percentile}
    if term.snapshot or term.state:  # a balance: the period's last month (or day), never a sum over them
        item["non_additive_dimension"] = {
            "name": MONTH if term.snapshot else term.time,
            "window_choice": "max",
        }
    return item


def snapshot_name(sm: SemanticModel, state: OpenState | None = None) -> str:
    """The name of the month-end snapshot model of ``sm`` (of its overdue or otherwise closed rows)."""
    if state is not None and state.due:
        return f"{sm.name}_overdue_month_end"
    if state is not None and state.closers:
        return f"{sm.name}_open_month_end"
    return f"{sm.name}_month_end"


def snapshot_model(
    model: Model, sm: SemanticModel, measures: list[dict[str, Any]], state: OpenState | None = None
) -> NewModel | str:
    """The month-end snapshot model of ``sm`` with ``measures``; a string says why it cannot be built.
    ``state`` adds what the words say of open rows: a due date passed, other dates that close a row.
    """
    span = start_end(sm)
    if span is None:
        return f"{sm.name} has no start and end dates, so what is live at a month's end is not known"
    dataset = canonical_for(model, sm.relation)
    if dataset is None:
        return f"{sm.relation} is not a canonical dataset; a new model may read canonical datasets only"
    start, end = span
    primary = next((e for e in sm.entities if e.type is EntityType.PRIMARY), None)
    if primary is None:
        return f"{sm.name} has no primary entity, so its month-end rows have no grain"
    name = snapshot_name(sm, state)
    key = f"{primary.name}_month_id"
    extra = (
        "".join(f"\n        and {c}" for c in state_sql(state, f"last_day(months.{MONTH})")) if state else ""
    )
    said = f"\n{OPEN_SAID} {start} until {end}." if start_end(sm, False) is None else ""
    if state is not None and state.due:
        said += f"\n{OVERDUE_SAID} the {state.due} is before the month's last day."
    if state is not None and state.closers:
        said += f"\n{CLOSED_ALSO} {', '.join(state.closers)} (not reached by the month's last day)."
    sql = f"""-- {name}: one row per {primary.name} and month it is live at the month's last day.
-- A month-end snapshot of {dataset.name}: a row is live when it started on or before the month's last
-- day and had not ended by it, so past months keep the state they had then (not today's status).
-- Materialized as a table: months × rows is larger than the source and is read by every query.{said}

with source as (
    -- the canonical dataset, {dataset.grain}
    select * from {{{{ ref('{dataset.name}') }}}}
),

bounds as (
    -- the first and the last month the data speaks of
    select
        date_trunc('month', min({start})) as first_month,
        date_trunc('month', greatest(max({start}), coalesce(max({end}), max({start})))) as last_month
    from source
),

months as (
    -- every month between them
    select cast(unnest(generate_series(first_month, last_month, interval 1 month)) as date) as {MONTH}
    from bounds
),

live as (
    -- each row live at the month's last day
    select
        months.{MONTH},
        last_day(months.{MONTH}) as snapshot_date,
        source.*
    from months
    inner join source
        on source.{start} <= last_day(months.{MONTH})
        and (source.{end} is null or source.{end} > last_day(months.{MONTH})){extra}
)

select
    cast({primary.expr} as varchar) || '-' || strftime({MONTH}, '%Y-%m') as {key},
    *
from live
"""
    entities: list[dict[str, Any]] = [{"name": key.removesuffix("_id"), "type": "primary", "expr": key}]
    for e in sm.entities:
        entities.append({"name": e.name, "type": "foreign", "expr": e.expr})
    return monthly_model(
        model,
        name,
        sql,
        description=f"Month-end snapshot of {dataset.name}: one row per {primary.name} live at each "
        "month's last day (by its start and end dates).",
        entities=entities,
        measures=measures,
        reason=f"no semantic model holds {sm.name} live at each month's end; the snapshot is "
        "built from their start and end dates (a table: it is larger than its source and read often)",
        refs=(dataset.name,),
    )


def per_entity(primary: str, grain: str, entity: str, key: str) -> list[dict[str, Any]]:
    """The entities of a model of one row per ``entity`` and month: ``primary`` on the row's ``grain``
    column, and ``entity`` (foreign) on its ``key`` column.
    """
    return [
        {"name": primary, "type": "primary", "expr": grain},
        {"name": entity, "type": "foreign", "expr": key},
    ]


def monthly_model(
    model: Model,
    name: str,
    sql: str,
    *,
    description: str,
    entities: list[dict[str, Any]],
    reason: str,
    refs: tuple[str, ...],
    dimensions: tuple[dict[str, Any], ...] = (),
    measures: list[dict[str, Any]] | None = None,
) -> NewModel:
    """A new dbt model of one row per thing and month (``sql``, a table) and its semantic model: dated by
    ``MONTH`` (month grain), with ``entities``, ``MONTH`` and ``dimensions``, and ``measures``.

    Raises:
        MetricmindError: ``sql`` refers to a dataset the project does not have (``compile_refs``).
    """
    item: dict[str, Any] = {
        "name": name,
        "description": description,
        "model": f"ref('{name}')",
        "defaults": {"agg_time_dimension": MONTH},
        "entities": entities,
        "dimensions": [
            {"name": MONTH, "type": "time", "type_params": {"time_granularity": "month"}},
            *dimensions,
        ],
        "measures": list(measures or ()),
    }
    return NewModel(
        name=name,
        sql=sql,
        semantic_model=item,
        materialization="table",
        reason=reason,
        refs=refs,
        compiled_sql=compile_refs(model, sql),
    )


def plan(
    model: Model,
    term: Term,
    name: str,
    taken: set[str],
    snapshot: NewModel | None,
    state: OpenState | None = None,
) -> tuple[str, NewMeasure | None, NewModel | str | None]:
    """(measure name, new measure on an existing model or None, new or extended snapshot model or None).

    ``snapshot`` is the snapshot model this proposal already adds (a ratio's second part joins it);
    ``state`` what the words say of open rows (``openstate.state_of``).
    """
    sm = model.semantic_models[term.sm]
    if not term.snapshot:
        found = existing_measure(model, term, sm.name)
        if found is not None:
            return found.name, None, None
        measure = free_name(model, name, taken)
        return measure, NewMeasure(sm.name, measure_item(measure, term), term.reason), None
    home = snapshot_name(sm, state)
    if home in model.semantic_models:  # the snapshot model exists already: add a measure to it
        found = existing_measure(model, term, home)
        if found is not None:
            return found.name, None, None
        measure = free_name(model, name, taken)
        return measure, NewMeasure(home, measure_item(measure, term), term.reason), None
    measure = free_name(model, name, taken)
    item = measure_item(measure, term)
    if snapshot is not None:
        if term.expr == "" or snapshot.name != home:
            return measure, None, "two snapshot models in one proposal"
        sem = dict(snapshot.semantic_model)
        sem["measures"] = [*sem["measures"], item]
        return measure, None, snapshot_with(snapshot, sem)
    return measure, None, snapshot_model(model, sm, [item], state)


def snapshot_with(snapshot: NewModel, semantic_model: dict[str, Any]) -> NewModel:
    """``snapshot`` with another semantic model item (more measures)."""
    return NewModel(
        snapshot.name,
        snapshot.sql,
        semantic_model,
        snapshot.materialization,
        snapshot.reason,
        snapshot.refs,
        snapshot.compiled_sql,
    )
