"""The query page (``/query``): a field tree, a result table sorted and formatted for people, a chart, and
value pickers for filters (``/api/dimensions/{name}/values``).

The page runs exactly the query its URL describes: it adds no ORDER BY and no LIMIT of its own, so the same
URL parameters give the same query (and query pattern) from ``curl`` and from the page. Rows are sorted for
display (time, then dimensions, then the rest, ascending; ``sort=`` to change it) and at most
``DISPLAY_ROWS`` are shown; CSV and JSON keep every row and the raw values.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import PlainTextResponse, Response

from metricmind.compiler.values import dimension_values_sql
from metricmind.errors import MetricmindError
from metricmind.interfaces.web import charts, fields, views
from metricmind.interfaces.web.core import current_user, render, state, status_of
from metricmind.interfaces.web.formats import currency_of, format_number, grain_of, time_label, unit_of
from metricmind.interfaces.web.guard import Anyone
from metricmind.interfaces.web.runner import run_query, to_csv
from metricmind.project import DimensionInfo, Project, json_value
from metricmind.spec.names import METRIC_TIME
from metricmind.spec.query import MetricQuery

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["api"])

DISPLAY_ROWS = 1000
VALUES_LIMIT = 200
OPS = {
    "=": "=",
    "!=": "≠",
    "in": "in",
    "not in": "not in",
    ">": ">",
    ">=": "≥",
    "<": "<",
    "<=": "≤",
    "like": "like",
}


# -- result shaping (pure) ---------------------------------------------------------------------------------
def result_columns(
    project: Project, query: MetricQuery, columns: Sequence[str], dims: dict[str, DimensionInfo]
) -> list[dict[str, Any]]:
    """Each result column: ``name``, ``label``, ``kind`` (time, dimension or metric), ``grain``, ``unit``."""
    out = []
    for name in columns:
        metric = project.model.metrics.get(name) if name in query.metrics else None
        grain = grain_of(name)
        info = dims.get(name)
        is_time = (
            name.startswith(METRIC_TIME)
            or (info is not None and info.type == "time")
            or (grain is not None and metric is None)
        )
        kind = "metric" if metric is not None else "time" if is_time else "dimension"
        out.append(
            {
                "name": name,
                "label": fields.column_label(project, name, dims),
                "kind": kind,
                "grain": (grain or "day") if kind == "time" else None,
                "unit": unit_of(metric) if metric is not None else None,
                "currency": currency_of(metric) if metric is not None else None,
            }
        )
    return out


def default_sort(columns: Sequence[dict[str, Any]]) -> list[tuple[int, bool]]:
    """Time columns, then dimensions, then the rest, each ascending: ``[(column index, descending)]``."""
    rank = {"time": 0, "dimension": 1, "metric": 2}
    order = sorted(range(len(columns)), key=lambda i: (rank.get(columns[i]["kind"], 3), i))
    return [(i, False) for i in order]


def parse_sort(columns: Sequence[dict[str, Any]], text: str) -> list[tuple[int, bool]] | None:
    """``sort=name`` or ``sort=-name`` (descending) → the column first, then the default order; None when the
    name is not a column.
    """
    text = text.strip()
    name, desc = (text[1:], True) if text.startswith("-") else (text, False)
    names = [c["name"] for c in columns]
    if name not in names:
        return None
    first = names.index(name)
    return [(first, desc), *[(i, d) for i, d in default_sort(columns) if i != first]]


def sort_rows(rows: Sequence[Sequence[Any]], order: Sequence[tuple[int, bool]]) -> list[Sequence[Any]]:
    """Rows sorted by ``order`` (stable; NULLs last whatever the direction)."""
    out = list(rows)
    for index, desc in reversed(order):
        present = [r for r in out if r[index] is not None]
        missing = [r for r in out if r[index] is None]
        try:
            present.sort(key=lambda r: r[index], reverse=desc)
        except TypeError:
            present.sort(key=lambda r: str(r[index]), reverse=desc)
        out = present + missing
    return out


def cell_text(column: dict[str, Any], value: Any) -> str:
    """What a table cell shows: periods by grain, metrics by unit, the rest as text."""
    if value is None:
        return "(no date)" if column["kind"] == "time" else ""
    if column["kind"] == "time":
        return time_label(value, column.get("grain"))
    if column["kind"] == "metric":
        return format_number(value, column.get("unit") or "number", column.get("currency") or "USD")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- pages -------------------------------------------------------------------------------------------------
@router.get("/query", response_model=None)
def query_page(request: Request) -> Response:
    """The query page: field tree, grain, dates, filters → sorted, formatted table and chart; the URL is the
    query (``sort=`` and ``chart=`` only change how it is shown).
    """
    st = state(request)
    params = request.query_params
    ctx: dict[str, Any] = {"error": None, "result": None, "chart": None}
    status = 200
    try:
        query, form = views.query_from_params(params)
    except MetricmindError as exc:
        query, form = None, views.raw_form(params)
        ctx["error"], status = exc.to_dict(), status_of(exc)
    ctx["form"] = form
    ctx["metric_tree"] = fields.metric_tree(st.project)
    ctx["dimension_tree"] = fields.dimension_tree(st.project, form["metrics"])
    ctx["grains"] = list(views.GRAINS)
    ctx["ops"] = OPS
    ctx["sort"] = params.get("sort") or ""
    if query is not None:
        try:
            user = current_user(request)
            result = run_query(st, query, user.name if user else None)
            dims = {d.name: d for d in views.all_dimensions(st)}
            columns = result_columns(st.project, query, result.columns, dims)
            order = parse_sort(columns, ctx["sort"]) if ctx["sort"] else None
            if order is None and not query.order_by:
                order = default_sort(columns)
            rows = sort_rows(result.rows, order) if order else list(result.rows)
            if params.get("format") == "csv":
                return PlainTextResponse(
                    to_csv(result.columns, rows),
                    media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{"_".join(query.metrics)}.csv"'},
                )
            shown = rows[:DISPLAY_ROWS]
            ctx["query"] = query.to_dict()
            ctx["result"] = {
                "columns": result.columns,
                "column_info": columns,
                "rows": [[json_value(v) for v in r] for r in rows],
                "sql": result.sql,
                "elapsed_ms": round(result.elapsed_ms, 2),
                "row_count": len(rows),
                "shown": len(shown),
                "sorted_by": [{"column": columns[i]["name"], "descending": d} for i, d in (order or [])][:1],
                "note": result.note,
                "warnings": list(result.warnings),
                "total": (
                    {
                        "columns": result.total.columns,
                        "rows": [[json_value(v) for v in r] for r in result.total.rows],
                    }
                    if result.total is not None
                    else None
                ),
            }
            ctx["_cells"] = [[cell_text(c, v) for c, v in zip(columns, r, strict=True)] for r in shown]
            ctx["_raw"] = [[json_value(v) for v in r] for r in shown]
            ctx["chart"] = charts.chart_spec(columns, rows, params.get("chart") or "")
            shared = [(k, v) for k, v in params.multi_items() if k != "format"]
            ctx["share_url"] = "/query?" + urlencode(shared)
            ctx["csv_url"] = "/query?" + urlencode([*shared, ("format", "csv")])
        except MetricmindError as exc:
            ctx["error"], status = exc.to_dict(), status_of(exc)
    return render(request, "query.html", ctx, status)


@router.get("/query/dimensions")
def query_dimensions(request: Request) -> Response:
    """The dimension tree for the picked metrics (htmx fragment or JSON)."""
    params = request.query_params
    metrics = [m for m in params.getlist("metrics") if m]
    ctx = {
        "dimension_tree": fields.dimension_tree(state(request).project, metrics),
        "form": {"group_by": params.getlist("group_by")},
    }
    return render(request, "_dims.html", ctx)


@api_router.get("/dimensions/{name}/values")
def dimension_values(
    request: Request,
    user: Anyone,
    name: Annotated[str, Path(max_length=200, description="a dimension, e.g. customer__segment")],
    q: Annotated[str, Query(max_length=200, description="only values containing this text (any case)")] = "",
    limit: Annotated[int, Query(ge=1, le=1000, description="at most this many values")] = 100,
) -> dict[str, Any]:
    """The distinct values a categorical dimension has in the warehouse, sorted (for filter pickers).

    The SQL is built by the compiler as a sqlglot tree; ``q`` is a string literal in it, never SQL text.
    ``more`` says there are values beyond ``limit``.
    """
    st = state(request)
    project = st.project
    sql = dimension_values_sql(project.model, project.compiler_dialect(), name, contains=q, limit=limit)
    t0 = time.perf_counter()
    cache: dict[str, Any] = st.cache.setdefault("values", {})
    hit = cache.get(sql)
    if hit is None or hit[0] is not project.model:
        with st.lock:
            rows = project.warehouse.run(sql).rows
        values = [str(r[0]) for r in rows]
        if len(cache) > 500:
            cache.clear()
        cache[sql] = (project.model, values)
    else:
        values = hit[1]
    return {
        "dimension": name,
        "q": q,
        "values": values[:limit],
        "more": len(values) > limit,
        "elapsed_ms": round((time.perf_counter() - t0) * 1000, 2),
    }
