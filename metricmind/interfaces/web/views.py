"""Page and API data: plain JSON-ready dictionaries built from the project (and its catalog when open).

Each function returns what both the HTML template and the JSON variant of a page show.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rapidfuzz import fuzz, process

from metricmind.errors import MetricmindError, QueryError
from metricmind.interfaces.web.core import NotFound, WebState, to_json
from metricmind.project import DimensionInfo, Project
from metricmind.spec.model import Metric
from metricmind.spec.names import METRIC_TIME, SEP
from metricmind.spec.query import MetricQuery

DIALECTS = ("duckdb", "postgres", "snowflake", "bigquery", "databricks", "spark", "trino")
GRAINS = ("day", "week", "month", "quarter", "year")
FILTER_OPS = {
    "=": "=",
    "!=": "!=",
    "in": "IN",
    "not in": "NOT IN",
    ">": ">",
    ">=": ">=",
    "<": "<",
    "<=": "<=",
    "like": "LIKE",
}


def get(obj: Any, key: str, default: Any = None) -> Any:
    """``obj[key]`` or ``obj.key`` (catalog records may be dicts or dataclasses)."""
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(key, default)
    value = getattr(obj, key, default)
    return getattr(value, "value", value) if value is not None else default


# -- metrics ---------------------------------------------------------------------------------------------
def metric_summary(
    st: WebState,
    m: Metric,
    usage: dict[str, Any] | None = None,
    trends: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One catalog row (``trending``: the nightly learner's figures, or None)."""
    status = str(m.meta.get("status") or "draft")
    entry = catalog_entry(st, m.name)
    if entry is not None:
        status = str(get(entry, "status", status))
    return {
        "name": m.name,
        "label": m.label or m.name.replace("_", " ").capitalize(),
        "type": m.type.value,
        "category": m.category or "Uncategorized",
        "owner": m.owner,
        "status": status,
        "definition": str(m.meta.get("definition") or m.description or ""),
        "synonyms": list(m.synonyms),
        "usage_month": int((usage or {}).get(m.name, 0)),
        "trending": (trends if trends is not None else trending_by_name(st)).get(m.name),
    }


def trending_by_name(st: WebState) -> dict[str, dict[str, Any]]:
    """The last nightly learner's trending metrics by name (``Project.trending_metrics``; cached there)."""
    return {t["name"]: t for t in st.project.trending_metrics()}


def catalog_entry(st: WebState, name: str) -> Any:
    """The catalog's record of a metric, or None."""
    cat = st.catalog
    if cat is None:
        return None
    try:
        return cat.metric(name)
    except MetricmindError:
        return None


def month_usage(st: WebState) -> dict[str, int]:
    """Executions this month per metric (empty without a catalog)."""
    cat = st.catalog
    if cat is None or not hasattr(cat, "usage_counts"):
        return {}
    try:
        return {str(k): int(v) for k, v in cat.usage_counts().items()}
    except MetricmindError:
        return {}


def catalog_view(
    st: WebState, category: str | None = None, status: str | None = None, trending: bool = False
) -> dict[str, Any]:
    """Every metric grouped by category, with counts (``trending``: only the trending ones)."""
    usage = month_usage(st)
    trends = trending_by_name(st)
    rows = [metric_summary(st, m, usage, trends) for m in st.project.metrics()]
    if trending:
        rows = [r for r in rows if r["trending"]]
    if category:
        rows = [r for r in rows if r["category"].lower() == category.lower()]
    if status:
        rows = [r for r in rows if r["status"] == status]
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r["category"], []).append(r)
    statuses: dict[str, int] = {}
    for r in rows:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    return {
        "total": len(rows),
        "statuses": statuses,
        "categories": [
            {"name": name, "count": len(items), "metrics": items} for name, items in sorted(groups.items())
        ],
        "filters": {"category": category, "status": status, "trending": trending},
        "trending": [  # the strip: every trending metric, whatever the filters
            {"label": m.label or m.name.replace("_", " ").capitalize(), "category": m.category, **t}
            for t in trends.values()
            if (m := st.project.model.metrics.get(t["name"])) is not None
        ],
    }


class SearchIndex:
    """Typo-tolerant search over metric names, labels, synonyms and definitions (rapidfuzz)."""

    def __init__(self, metrics: Iterable[Metric]) -> None:
        self.names: list[str] = []
        self.keys: list[list[str]] = []
        self.texts: list[str] = []
        for m in metrics:
            self.names.append(m.name)
            keys = [m.name.replace("_", " "), (m.label or "").lower(), *[s.lower() for s in m.synonyms]]
            self.keys.append([k for k in keys if k])
            self.texts.append(
                " ".join([*keys, str(m.meta.get("definition") or ""), m.description, m.category]).lower()
            )
        self.flat: list[str] = []
        self.owner: list[int] = []
        for i, keys in enumerate(self.keys):
            for k in keys:
                self.flat.append(k)
                self.owner.append(i)

    def search(self, text: str, limit: int = 20) -> list[tuple[str, float]]:
        """``(metric, score 0–100)``, best first."""
        q = re.sub(r"[_\s]+", " ", text.lower()).strip()
        if not q:
            return []
        scores: dict[int, float] = {}
        for _, score, idx in process.extract(
            q, self.flat, scorer=fuzz.WRatio, limit=limit * 4, score_cutoff=60
        ):
            i = self.owner[idx]
            scores[i] = max(scores.get(i, 0.0), float(score))
        words = [w for w in q.split() if len(w) > 2]
        if words:
            for i, body in enumerate(self.texts):
                hits = sum(1 for w in words if w in body)
                if hits:
                    scores[i] = max(scores.get(i, 0.0), 55.0 + 40.0 * hits / len(words))
        for i, name in enumerate(self.names):
            if q.replace(" ", "_") == name:
                scores[i] = 101.0
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], self.names[kv[0]]))
        return [(self.names[i], round(s, 1)) for i, s in ranked[:limit]]


def search_view(st: WebState, index: SearchIndex, text: str, limit: int = 20) -> dict[str, Any]:
    """Search results as catalog rows with a score."""
    usage = month_usage(st)
    trends = trending_by_name(st)
    out = []
    for name, score in index.search(text, limit):
        m = st.project.model.metrics.get(name)
        if m is not None:
            out.append({**metric_summary(st, m, usage, trends), "score": score})
    return {"query": text, "count": len(out), "results": out}


def metric_view(st: WebState, name: str) -> dict[str, Any]:
    """Everything the metric page shows."""
    project = st.project
    m = project.metric(name)
    summary = metric_summary(st, m)
    dims = [d for d in project.dimensions(name)]
    tables = []
    for sm_name in project.source_models(name):
        sm = project.model.semantic_models[sm_name]
        tables.append({"semantic_model": sm_name, "table": sm.relation, "description": sm.description})
    relations = {t["table"].lower().split(".")[-1] for t in tables}
    datasets = [
        {"name": d.name, "table": d.relation, "grain": d.grain, "owner": d.owner}
        for d in project.model.canonical_datasets.values()
        if d.relation.lower().split(".")[-1] in relations
        or any(t["semantic_model"] in (d.name, d.ref) for t in tables)
    ]
    sql: dict[str, str] = {}
    group_by = [f"{METRIC_TIME}{SEP}month"]
    for dialect in DIALECTS:
        try:
            with st.lock:
                sql[dialect] = project.compile(MetricQuery.build(name, group_by), dialect)
        except MetricmindError as exc:
            sql[dialect] = f"-- cannot compile: {exc.message}"
    usage = usage_view(st, name)
    history = versions_view(st, name)
    return {
        "metric": summary,
        "deprecation": next(iter(project.deprecation_warnings([name])), None),
        "description": m.description,
        "business_rules": [str(r) for r in (m.meta.get("business_rules") or [])],
        "unit": m.meta.get("unit"),
        "filters": [w.sql for w in m.filter],
        "inputs": _inputs(m),
        "measures": project.measures_of(name),
        "file": m.file,
        "line": m.line,
        "dimensions": [
            {"name": d.name, "type": d.type, "description": d.description, "grains": list(d.grains)}
            for d in dims
        ],
        "tables": tables,
        "datasets": datasets,
        "sql": sql,
        "usage": usage,
        "history": history,
    }


def _inputs(m: Metric) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if m.measure:
        out["measure"] = m.measure.name
    if m.numerator:
        out["numerator"] = m.numerator.name
    if m.denominator:
        out["denominator"] = m.denominator.name
    if m.expr:
        out["expr"] = m.expr
    if m.inputs:
        out["metrics"] = [i.name for i in m.inputs]
    return out


def usage_view(st: WebState, name: str) -> dict[str, Any]:
    """``{"month", "daily", "trend"}`` from the catalog (zeros without one)."""
    cat = st.catalog
    empty: dict[str, Any] = {"month": 0, "daily": [0] * 30, "trend": 0.0}
    if cat is None:
        return empty
    try:
        u = cat.usage(name)
    except MetricmindError:
        return empty
    return {
        "month": int(get(u, "month", 0) or 0),
        "daily": [int(x) for x in (get(u, "daily", None) or [0] * 30)],
        "trend": get(u, "trend", 0.0),
    }


def versions_view(st: WebState, name: str) -> list[dict[str, Any]]:
    """The metric's published versions and their diffs (empty without a catalog)."""
    cat = st.catalog
    if cat is None:
        return []
    try:
        versions = cat.versions(name)
    except MetricmindError:
        return []
    out = to_json(list(versions))
    return out if isinstance(out, list) else []


def all_dimensions(st: WebState) -> list[DimensionInfo]:
    """Every group-by name some metric can use (cached per loaded model)."""
    model = st.project.model
    cached = st.cache.get("dims")
    if cached is not None and cached[0] is model:
        return list(cached[1])
    found: dict[str, DimensionInfo] = {}
    for m in model.metrics:
        try:
            for d in st.project.dimensions(m):
                found.setdefault(d.name, d)
        except MetricmindError:
            continue
    out = sorted(found.values(), key=lambda d: (d.name != METRIC_TIME, d.name))
    st.cache["dims"] = (model, out)
    return out


def dimensions_view(st: WebState, metric: str | None) -> dict[str, Any]:
    """Group-by names for one metric, or all of them."""
    dims = st.project.dimensions(metric) if metric else all_dimensions(st)
    return {
        "metric": metric,
        "dimensions": [
            {
                "name": d.name,
                "type": d.type,
                "description": d.description,
                "grains": list(d.grains),
                "values": list(d.meta.get("values") or []),
            }
            for d in dims
        ],
    }


def datasets_view(st: WebState) -> dict[str, Any]:
    """Canonical datasets."""
    out = []
    for d in sorted(st.project.model.canonical_datasets.values(), key=lambda d: d.name):
        out.append(dataset_dict(st, d.name))
    return {"count": len(out), "datasets": out}


def dataset_dict(st: WebState, name: str) -> dict[str, Any]:
    """One canonical dataset, with the metrics that read its table."""
    d = st.project.model.canonical_datasets.get(name)
    if d is None:
        raise NotFound(f"unknown canonical dataset '{name}'", hint="See /datasets for the list.")
    table = d.relation.lower().split(".")[-1]
    models = [
        sm.name
        for sm in st.project.model.semantic_models.values()
        if sm.relation.lower().split(".")[-1] == table
    ]
    metrics = sorted(
        m.name
        for m in st.project.model.metrics.values()
        if set(_safe_models(st.project, m.name)) & set(models)
    )
    status = d.certification or "certified"
    cat = st.catalog
    if cat is not None and hasattr(cat, "dataset"):
        try:
            rec = cat.dataset(name)
            status = str(get(rec, "status", status) or status)
        except MetricmindError:
            pass
    return {
        "name": d.name,
        "table": d.relation,
        "description": d.description,
        "grain": d.grain,
        "primary_key": list(d.primary_key),
        "owner": d.owner,
        "sla": dict(d.sla),
        "status": status,
        "core_attributes": list(d.core_attributes),
        "upstream": list(d.upstream),
        "tags": list(d.tags),
        "semantic_models": models,
        "metrics": metrics,
    }


def _safe_models(project: Project, metric: str) -> list[str]:
    try:
        return project.source_models(metric)
    except MetricmindError:
        return []


# -- queries ---------------------------------------------------------------------------------------------
def quote(value: str) -> str:
    """A SQL string literal (quotes doubled): values never reach SQL otherwise."""
    return "'" + value.replace("'", "''") + "'"


def filter_text(field: str, op: str, value: str) -> str:
    """A MetricFlow filter from a field/op/value row (validated later by the compiler)."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", field):
        raise QueryError(
            f"filter field {field!r} is not a dimension name", hint="Pick a dimension from the list."
        )
    sql_op = FILTER_OPS.get(op.strip().lower())
    if sql_op is None:
        raise QueryError(
            f"filter operator {op!r} is not supported", hint=f"Use one of {', '.join(FILTER_OPS)}."
        )
    kind = "TimeDimension" if field.startswith(METRIC_TIME) else "Dimension"
    ref = "{{ " + f"{kind}('{field}')" + " }}"
    if sql_op in ("IN", "NOT IN"):
        items = [v.strip() for v in value.split(",") if v.strip()]
        if not items:
            raise QueryError(f"an {op} filter on {field!r} needs values", hint="Separate values with commas.")
        return f"{ref} {sql_op} ({', '.join(_literal(v) for v in items)})"
    return f"{ref} {sql_op} {_literal(value)}"


def _literal(value: str) -> str:
    v = value.strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", v):
        return v
    if v.lower() in ("true", "false"):
        return v.lower()
    return quote(v)


def query_from_params(params: Any) -> tuple[MetricQuery | None, dict[str, Any]]:
    """The query described by a query string (the shareable URL), and the form state to show.

    Parameters: ``metrics`` (repeatable or comma-separated), ``group_by`` (dimensions; a
    ``metric_time__<grain>`` there is read as the grain), ``grain`` (adds ``metric_time__<grain>``),
    ``start``, ``end``, ``where`` (MetricFlow filter text, repeatable), ``f_field``/``f_op``/``f_value``
    (filter rows), ``order_by``, ``limit``, ``dialect``, ``overlapping_groups`` (``1``: allow dimensions
    reached through one-to-many joins). Nothing is added that the URL does not say: no ORDER BY, no LIMIT.
    """
    metrics = _multi(params, "metrics")
    dims = _multi(params, "group_by")
    grain = (params.get("grain") or "").strip()
    if grain and grain not in GRAINS:
        raise QueryError(
            f"grain {grain!r} is not one of {', '.join(GRAINS)}", hint="Pick a grain from the list."
        )
    times = [d for d in dims if d.startswith(f"{METRIC_TIME}{SEP}") and d.split(SEP, 1)[1] in GRAINS]
    if times and not grain:
        grain = times[0].split(SEP, 1)[1]
    dims = [d for d in dims if d != f"{METRIC_TIME}{SEP}{grain}"]
    fields = params.getlist("f_field") if hasattr(params, "getlist") else []
    ops = params.getlist("f_op") if hasattr(params, "getlist") else []
    values = params.getlist("f_value") if hasattr(params, "getlist") else []
    rows = [
        {"field": f, "op": o or "=", "value": v}
        for f, o, v in zip(fields, ops + ["="] * len(fields), values + [""] * len(fields), strict=False)
        if f
    ]
    where = [w for w in (params.getlist("where") if hasattr(params, "getlist") else []) if w.strip()]
    limit_text = (params.get("limit") or "").strip()
    start, end = str(params.get("start") or ""), str(params.get("end") or "")
    overlap = str(params.get("overlapping_groups") or "").lower() in ("1", "true", "on", "yes")
    form = {
        "metrics": metrics,
        "group_by": dims,
        "grain": grain,
        "start": start,
        "end": end,
        "where": where,
        "filters": rows,
        "order_by": params.get("order_by") or "",
        "limit": limit_text,
        "dialect": params.get("dialect") or "",
        "overlapping_groups": overlap,
    }
    if not metrics:
        return None, form
    group_by = ([f"{METRIC_TIME}{SEP}{grain}"] if grain else []) + [d for d in dims if d]
    where_all = where + [filter_text(r["field"], r["op"], r["value"]) for r in rows]
    try:
        limit = int(limit_text) if limit_text else None
    except ValueError as exc:
        raise QueryError(
            f"limit {limit_text!r} is not a number", hint="Give a whole number of rows."
        ) from exc
    query = MetricQuery.build(
        metrics, group_by, where_all, start or None, end or None, _multi(params, "order_by"), limit, overlap
    )
    return query, form


def raw_form(params: Any) -> dict[str, Any]:
    """The form state of a query string that could not be read (shown again, with the error)."""
    return {
        "metrics": [m for m in params.getlist("metrics") if m],
        "group_by": [g for g in params.getlist("group_by") if g],
        "grain": params.get("grain") or "",
        "start": params.get("start") or "",
        "end": params.get("end") or "",
        "where": [w for w in params.getlist("where") if w],
        "filters": [],
        "order_by": params.get("order_by") or "",
        "limit": params.get("limit") or "",
        "dialect": "",
        "overlapping_groups": bool(params.get("overlapping_groups")),
    }


def _multi(params: Any, key: str) -> list[str]:
    items = params.getlist(key) if hasattr(params, "getlist") else [params.get(key) or ""]
    out: list[str] = []
    for item in items:
        out += [p.strip() for p in str(item).split(",") if p.strip()]
    return list(dict.fromkeys(out))
