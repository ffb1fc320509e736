"""The project's model extended with what a proposal adds, and the proposal's SQL without dbt.

A proposal may add measures to existing semantic models (``new_measures``), a dbt model with its semantic
model (``new_model``) and helper metrics (``new_metrics``). ``extend`` returns the ``Model`` that holds
them all, so the compiler builds the metric's SQL as if they were in the project. A new model's relation
is its name; ``compile_sql`` then replaces that table with the model's own SQL, its refs compiled to the
canonical datasets' relations, so the preview runs on the warehouse before dbt built anything.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import sqlglot
import yaml
from sqlglot import exp

from metricmind.catalog.definitions import parse_definition
from metricmind.compiler import Compiler
from metricmind.define.datasets import canonical
from metricmind.define.newtime import with_dimensions
from metricmind.define.proposal import Definition, NewModel, Proposal
from metricmind.errors import IssueList, QueryError, SpecError
from metricmind.spec import parse
from metricmind.spec.model import Agg, Measure, Metric, Model, NonAdditive, SemanticModel
from metricmind.spec.names import METRIC_TIME, SEP
from metricmind.spec.query import MetricQuery
from metricmind.spec.yamlio import load_text

_REF = re.compile(r"\{\{\s*ref\(\s*['\"]([A-Za-z0-9_]+)['\"]\s*\)\s*\}\}")


def compile_refs(model: Model, sql: str) -> str:
    """``sql`` with each ``{{ ref('name') }}`` replaced by that canonical dataset's (or model's) relation."""

    def relation(m: re.Match[str]) -> str:
        name = m.group(1)
        ds = canonical(model).get(name)
        if ds is not None:
            return ds.relation
        for sm in model.semantic_models.values():
            if sm.ref == name:
                return sm.relation
        raise QueryError(
            f"ref('{name}') names no canonical dataset of the project", hint="ref a canonical dataset"
        )

    return _REF.sub(relation, sql)


def measure_from(item: dict[str, Any], sm: SemanticModel) -> Measure:
    """A ``measures:`` item (a proposal's new measure) as a ``Measure`` of ``sm``."""
    nad = item.get("non_additive_dimension")
    raw = item.get("agg_params")
    params: dict[str, Any] = raw if isinstance(raw, dict) else {}
    return Measure(
        name=str(item["name"]),
        agg=Agg(str(item["agg"])),
        expr=str(item.get("expr") or item["name"]),
        agg_time_dimension=str(item.get("agg_time_dimension") or sm.default_agg_time_dimension or ""),
        semantic_model=sm.name,
        description=str(item.get("description") or ""),
        label=str(item.get("label") or ""),
        non_additive=NonAdditive(str(nad["name"]), str(nad.get("window_choice") or "max")) if nad else None,
        percentile=float(params["percentile"]) if params.get("percentile") is not None else None,
        discrete_percentile=bool(params.get("use_discrete_percentile")),
    )


def semantic_model_from(item: dict[str, Any]) -> SemanticModel:
    """A ``semantic_models:`` item parsed with the project's own parser (its relation is its ref name)."""
    docs = load_text(yaml.safe_dump({"semantic_models": [item]}, sort_keys=False), "new_model.yml")
    issues = IssueList()
    ctx = parse.Context(issues=issues, schema=None, file="new_model.yml")
    found = parse.semantic_model(docs[0]["semantic_models"][0], ctx)
    if issues.errors or found is None:
        raise SpecError(issues.errors or issues.items)
    return found


def extend(
    model: Model,
    *,
    metric: dict[str, Any] | None = None,
    new_measures: list[tuple[str, dict[str, Any]]] = (),  # type: ignore[assignment]
    new_model: dict[str, Any] | None = None,
    new_metrics: list[dict[str, Any]] = (),  # type: ignore[assignment]
) -> Model:
    """``model`` with the proposal's measures, model (its semantic model item) and metrics added."""
    sms = dict(model.semantic_models)
    for sm_name, item in new_measures:
        sm = sms[sm_name]
        sms[sm_name] = replace(sm, measures=(*sm.measures, measure_from(item, sm)))
    if new_model is not None:
        built = semantic_model_from(new_model)
        sms[built.name] = built
    metrics = dict(model.metrics)
    for item in [*new_metrics, *([metric] if metric else [])]:
        parsed = parsed_metric(item)
        metrics[parsed.name] = parsed
    return replace(model, semantic_models=sms, metrics=metrics)


_PARSED: dict[str, Metric] = {}


def parsed_metric(item: dict[str, Any]) -> Metric:
    """``parse_definition(item)``, kept by the item's content: an analysis extends the model with the same
    draft metric several times (composing, compiling, auditing); a ``SpecError`` is raised every time.
    """
    key = json.dumps(item, sort_keys=True, default=str)
    found = _PARSED.get(key)
    if found is None:
        found = parse_definition(item)
        if len(_PARSED) > 512:
            _PARSED.clear()
        _PARSED[key] = found
    return found


def inline_model(sql: str, name: str, model_sql: str, dialect: str) -> str:
    """``sql`` with the table ``name`` replaced by the subquery ``model_sql`` (aliased as before)."""
    tree = sqlglot.parse_one(sql, read=dialect)
    body = sqlglot.parse_one(model_sql, read=dialect)

    def swap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Table) and node.name == name and not node.db:
            alias = node.alias or name
            return exp.Subquery(this=body.copy(), alias=exp.TableAlias(this=exp.to_identifier(alias)))
        return node

    return tree.transform(swap).sql(dialect=dialect, pretty=True)


def compile_metric(
    model: Model,
    metric_name: str,
    *,
    dialect: str = "duckdb",
    max_hops: int = 4,
    new_model: tuple[str, str] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> str:
    """The SQL of ``metric_name`` (in an extended ``model``) by ``metric_time__month``, oldest first.

    ``new_model`` is (name, compiled SQL): that table is inlined so the SQL runs without dbt.
    """
    col = f"{METRIC_TIME}{SEP}month"
    query = MetricQuery.build(metric_name, [col], start=start, end=end, order_by=[col])
    sql = Compiler(model, max_hops=max_hops).compile(query, dialect, pretty=True).sql
    if new_model is not None:
        sql = inline_model(sql, new_model[0], new_model[1], dialect)
    return sql


def compile_on_model(
    model: Model, metric: dict[str, Any], built: NewModel, *, dialect: str, max_hops: int
) -> str:
    """The SQL by month of ``metric`` on ``model`` extended with the new model ``built``, whose table is inlined
    so the SQL runs without dbt (a reading's preview). Raises ``MetricmindError`` when it does not compile.
    """
    extended = extend(model, metric=metric, new_model=built.semantic_model)
    return compile_metric(
        extended,
        str(metric["name"]),
        dialect=dialect,
        max_hops=max_hops,
        new_model=(built.name, built.compiled_sql),
    )


def redrafted(
    metric: dict[str, Any], definition: Definition, measure: str, *, drop: tuple[str, ...] = ("based_on",)
) -> dict[str, Any]:
    """``metric`` re-pointed at ``measure`` of a new model: its filter dropped (the model holds the rules), the
    meta keys ``drop`` removed, and the definition's text and rules recorded as its description and meta.
    """
    new = {k: v for k, v in metric.items() if k not in ("filter", "type_params")}
    new["type_params"] = {"measure": measure}
    meta = dict((new.get("config") or {}).get("meta") or {})
    for key in drop:
        meta.pop(key, None)
    meta["definition"] = definition.text
    meta["business_rules"] = list(definition.rules)
    new["config"] = {**(new.get("config") or {}), "meta": meta}
    new["description"] = definition.text
    return new


def proposal_model(model: Model, proposal: Proposal) -> Model:
    """``model`` with everything ``proposal`` adds (its metric, helper metrics, measures and model)."""
    if proposal.new_dimensions:
        model = with_dimensions(model, proposal.new_dimensions)
    return extend(
        model,
        metric=proposal.metric,
        new_measures=[(m.semantic_model, m.measure) for m in proposal.new_measures],
        new_model=proposal.new_model.semantic_model if proposal.new_model else None,
        new_metrics=proposal.new_metrics,
    )


def proposal_sql(
    model: Model,
    proposal: Proposal,
    *,
    dialect: str = "duckdb",
    start: str | None = None,
    end: str | None = None,
) -> str:
    """The SQL of the proposed metric by month (``start``/``end`` bound it), runnable without dbt."""
    if proposal.metric is None:
        raise QueryError(
            f"the proposal for {proposal.definition.name!r} has no metric ({proposal.refused})",
            hint="read proposal.message: it says why nothing was proposed",
        )
    nm = proposal.new_model
    return compile_metric(
        proposal_model(model, proposal),
        str(proposal.metric["name"]),
        dialect=dialect,
        new_model=(nm.name, nm.compiled_sql) if nm else None,
        start=start,
        end=end,
    )


def warehouse_columns(warehouse: Any) -> dict[str, dict[str, str]]:
    """Every table's columns and types by relation (``schema.table``), from ``information_schema``: what
    ``analyze(..., columns=...)`` reads to find columns no measure aggregates yet.

    Args:
        warehouse: The project's warehouse (anything with ``run(sql)`` returning ``rows``).
    """
    rows = warehouse.run(
        "select table_schema, table_name, column_name, data_type from information_schema.columns"
    ).rows
    out: dict[str, dict[str, str]] = {}
    for schema, table, column, typ in rows:
        out.setdefault(f"{schema}.{table}", {})[str(column)] = str(typ)
    return out
