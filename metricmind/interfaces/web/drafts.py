"""Define New Metric: form → MetricFlow metric definition, suggested sources, and a preview without saving.

A definition is the MetricFlow ``metrics:`` item as a dictionary (``name``, ``label``, ``description``,
``type``, ``type_params``, ``filter``, ``config.meta``), the same thing the YAML file will hold.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, TypeVar

from metricmind.catalog.definitions import MAX_LABEL, MAX_NAME, MAX_TEXT, parse_definition, to_yaml
from metricmind.compiler import Compiler
from metricmind.define import sources
from metricmind.errors import MetricmindError, QueryError
from metricmind.interfaces.web.core import TooLong
from metricmind.project import Project
from metricmind.spec.model import Metric, Model
from metricmind.spec.names import METRIC_TIME, SEP
from metricmind.spec.query import MetricQuery

T = TypeVar("T")
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_ID = 2**63 - 1  # the store's integer ids and versions
_SHORT = {"name": MAX_NAME, "label": MAX_LABEL, "category": MAX_NAME, "owner": MAX_NAME, "measure": MAX_NAME}
CERTIFICATION = ("draft", "experimental", "verified", "certified")
__all__ = [
    "MAX_ID",
    "MAX_LABEL",
    "MAX_NAME",
    "MAX_TEXT",
    "check_lengths",
    "definition_from_form",
    "model_with",
    "parse_definition",
    "preview",
    "suggest_sources",
    "to_yaml",
]


def suggest_sources(project: Project, text: str, limit: int = 8) -> list[dict[str, Any]]:
    """Measures and canonical datasets ranked for ``text`` (the definition agent's ``suggest_sources``)."""
    return sources.suggest_sources(project.model, text, limit)


def definition_from_form(form: dict[str, Any]) -> dict[str, Any]:
    """The MetricFlow metric dictionary described by the Define form's fields.

    Fields: ``name``, ``label`` (short name), ``category``, ``owner``, ``definition`` (simple, one line),
    ``description``, ``measure`` (a measure name: a simple metric) or ``expr`` (SQL over metrics: a
    derived metric), ``filter`` (MetricFlow filter), ``dimensions`` (list), ``business_rules``
    (one per line), ``synonyms`` (comma-separated), ``certification``.
    """
    check_lengths({k: v for k, v in form.items() if k != "_known"})
    name = str(form.get("name") or "").strip()
    if not NAME.match(name):
        raise QueryError(
            f"metric name {name!r} is not valid", hint="Use lower_snake_case: letters, digits and _."
        )
    label = str(form.get("label") or "").strip() or name.replace("_", " ").capitalize()
    definition = str(form.get("definition") or "").strip()
    measure = str(form.get("measure") or "").strip()
    expr = str(form.get("expr") or "").strip()
    rules = [r.strip(" -\t") for r in str(form.get("business_rules") or "").splitlines() if r.strip(" -\t")]
    synonyms = [s.strip() for s in str(form.get("synonyms") or "").split(",") if s.strip()]
    dims = form.get("dimensions") or []
    dims = [dims] if isinstance(dims, str) else [str(d) for d in dims if d]
    cert = str(form.get("certification") or "draft").strip()
    if cert not in CERTIFICATION:
        raise QueryError(f"certification {cert!r} is not one of {', '.join(CERTIFICATION)}")
    meta: dict[str, Any] = {
        "category": str(form.get("category") or "").strip() or "Uncategorized",
        "owner": str(form.get("owner") or "").strip(),
        "status": "draft",
        "certification": cert,
        "definition": definition,
    }
    if rules:
        meta["business_rules"] = rules
    if synonyms:
        meta["synonyms"] = synonyms
    if dims:
        meta["dimensions"] = dims
    out: dict[str, Any] = {
        "name": name,
        "label": label,
        "description": str(form.get("description") or "").strip() or definition,
    }
    if expr:
        out["type"] = "derived"
        out["type_params"] = {"expr": expr, "metrics": _metric_refs(expr, form.get("_known") or ())}
    elif measure:
        out["type"] = "simple"
        out["type_params"] = {"measure": measure}
    else:
        raise QueryError(
            "the metric needs a source",
            hint="Pick a suggested measure, or write SQL over existing metrics (e.g. invoice_revenue - refunds).",
        )
    flt = str(form.get("filter") or "").strip()
    if flt:
        out["filter"] = flt
    out["config"] = {"meta": meta}
    return out


def check_lengths(data: T, path: str = "") -> T:
    """``data`` (a definition or form) when every text in it fits; else ``TooLong`` naming the field.

    Names, categories, owners and list items (synonyms, dimensions) hold at most ``MAX_NAME`` characters,
    labels ``MAX_LABEL``, any other text (description, rules, ``expr``, filters) ``MAX_TEXT``.
    """
    if isinstance(data, dict):
        for key, value in data.items():
            check_lengths(value, f"{path}.{key}" if path else str(key))
    elif isinstance(data, list | tuple):
        if len(data) > 1000:
            raise TooLong(f"'{path}' has {len(data):,} items; at most 1,000 are accepted", hint="Send fewer.")
        for i, value in enumerate(data):
            check_lengths(value, f"{path}[{i}]")
    elif isinstance(data, str):
        field = path.rsplit(".", 1)[-1]
        limit = _SHORT.get(field, MAX_NAME if field.startswith(("synonyms[", "dimensions[")) else MAX_TEXT)
        if len(data) > limit:
            raise TooLong(
                f"'{path}' is {len(data):,} characters long; at most {limit:,} are accepted",
                hint="Shorten it: names are lower_snake_case words, long explanations go in the description.",
            )
    return data


def _metric_refs(expr: str, known: Any) -> list[str]:
    names = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", expr))
    refs = sorted(n for n in names if n in set(known))
    if not refs:
        raise QueryError(
            f"the SQL {expr!r} names no existing metric",
            hint="A derived metric combines metrics, e.g. invoice_revenue - refunds.",
        )
    return refs


def model_with(project: Project, metric: Metric) -> Model:
    """The project's model with ``metric`` added (or replacing one of the same name)."""
    model = project.model
    return Model(
        semantic_models=model.semantic_models,
        metrics={**model.metrics, metric.name: metric},
        saved_queries=model.saved_queries,
        time_spine=model.time_spine,
        canonical_datasets=model.canonical_datasets,
        name=model.name,
    )


def preview(
    project: Project, definition: dict[str, Any], *, grain: str = "month", limit: int = 12
) -> dict[str, Any]:
    """Compile and run the draft (not saved): the last ``limit`` periods at ``grain``, and its SQL."""
    metric = parse_definition(definition)
    if (
        metric.name in project.model.metrics
        and project.model.metrics[metric.name].meta.get("status") != "draft"
    ):
        raise QueryError(
            f"a metric called '{metric.name}' already exists",
            hint="Choose another name, or edit the existing one.",
        )
    model = model_with(project, replace(metric))
    compiler = Compiler(model, max_hops=int(project.setting("max_join_hops")))
    time_col = f"{METRIC_TIME}{SEP}{grain}"
    query = MetricQuery.build(metric.name, [time_col], order_by=[f"-{time_col}"], limit=limit)
    try:
        sql = compiler.compile(query, project.dialect, pretty=True).sql
    except MetricmindError as exc:
        raise QueryError(f"the draft does not compile: {exc.message}", hint=exc.hint) from exc
    result = project.warehouse.run(sql)
    rows = sorted(result.rows, key=lambda r: str(r[0]))
    return {
        "definition": definition,
        "yaml": to_yaml(definition),
        "sql": sql,
        "columns": list(result.columns),
        "rows": rows,
        "elapsed_ms": round(result.elapsed_ms, 2),
    }
