"""The analysis pages: attribution, MRR movements, lifecycle and cohorts on the project's canonical data.

Each page runs one ``metricmind.analyses`` analysis in project mode (the same numbers as ``metricmind analyze``),
draws it with the vendored ECharts (``charts.echarts_spec``: grouped bars, stacked bars with a line, heatmaps),
shows its tables with a CSV link each (``?format=csv&table=N``) and answers JSON (``?format=json``). Options
live in the URL (``start``, ``end``, ``models``, ``half_life``, ``by``, ``measure``). Pages only read: results
are cached per (analysis, options, warehouse file signature), so a page shown again costs a lookup.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from metricmind.analyses import MODELS
from metricmind.analyses.asked import side_by_side
from metricmind.analyses.extract import analyze_warehouse
from metricmind.analyses.reading import LABELS, narrate_attribution
from metricmind.analyses.tables import result_tables
from metricmind.errors import MetricmindError
from metricmind.interfaces.web import analysis_charts
from metricmind.interfaces.web.core import BadRequest, WebState, render, state
from metricmind.interfaces.web.runner import to_csv

router = APIRouter(include_in_schema=False)

PAGES = {
    "attribution": "Attribution",
    "mrr-movements": "MRR movements",
    "lifecycle": "Lifecycle",
    "cohorts": "Cohorts",
}
MEASURES = ("revenue", "conversions")
CACHE_SIZE = 64
CACHE_TTL_S = 60.0
"""Without a warehouse file to watch (a server database), a cached result lives this long."""

Day = Annotated[str | None, Query(max_length=10, pattern=r"^(\d{4}-\d{2}-\d{2})?$")]
"""A day, or empty (a form's blank date field): the data's first or last day."""
_cache: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
_cache_lock = threading.Lock()


def warehouse_signature(st: WebState) -> tuple[Any, ...]:
    """What changes when the warehouse's data may have: its file's path, size and mtime, else the minute."""
    path = getattr(st.project.warehouse, "path", None)
    if isinstance(path, str) and path and path != ":memory:":
        try:
            info = os.stat(path)
            return (path, info.st_size, info.st_mtime_ns)
        except OSError:
            pass
    return ("ttl", int(time.time() // CACHE_TTL_S))


def run_cached(st: WebState, analysis: str, options: dict[str, Any]) -> dict[str, Any]:
    """The analysis result for ``options``, computed once per warehouse state (a small LRU cache)."""
    key = (id(st), analysis, tuple(sorted((k, str(v)) for k, v in options.items())), warehouse_signature(st))
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    with st.lock:
        result = analyze_warehouse(analysis, st.project.warehouse, st.project.dialect, **options)
    with _cache_lock:
        _cache[key] = result
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return result


def _models(values: list[str]) -> list[str] | None:
    names = [m.strip() for v in values for m in v.split(",") if m.strip()]
    return names or None


def _cell(column: str, value: Any, percent: bool) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if percent:
        return f"{value * 100:.1f}%"
    if isinstance(value, int) or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.4f}"


def _is_percent(analysis: str, title: str, column: str) -> bool:
    if column in ("nrr", "grr", "logo_retention", "revenue_retention"):
        return True
    return (
        analysis == "cohorts" and "retention" in title.lower() and column[:1] == "m" and column[1:].isdigit()
    )


def page_tables(analysis: str, result: dict[str, Any], base: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The result's tables with formatted cells and a CSV link each."""
    out = []
    for i, (title, columns, rows) in enumerate(result_tables(analysis, result)):
        flags = [_is_percent(analysis, title, c) for c in columns]
        out.append(
            {
                "title": title,
                "columns": columns,
                "rows": rows,
                "csv_url": "?" + urlencode([*base, ("format", "csv"), ("table", str(i))]),
                "_cells": [
                    [_cell(c, v, f) for c, v, f in zip(columns, row, flags, strict=True)] for row in rows
                ],
            }
        )
    return out


def _respond(
    request: Request,
    analysis: str,
    options: dict[str, Any],
    params: list[tuple[str, str]],
    extra: dict[str, Any],
) -> Response:
    st = state(request)
    fmt = request.query_params.get("format")
    result = run_cached(st, analysis, options)
    tables = page_tables(analysis, result, params)
    if fmt == "csv":
        index = request.query_params.get("table", "0")
        if not index.isdigit() or int(index) >= len(tables):
            raise BadRequest(
                f"table={index!r} is not a table of this page",
                hint=f"Use table=0 … {len(tables) - 1}.",
            )
        table = tables[int(index)]
        name = f"{analysis}-{index}.csv"
        return PlainTextResponse(
            to_csv(table["columns"], table["rows"]),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    ctx: dict[str, Any] = {
        "analysis": analysis,
        "title": PAGES[analysis],
        "params": {k: v for k, v in options.items() if v is not None},
        "result": result,
        "tables": tables,
        "_pages": PAGES,
        "_charts": analysis_charts.charts(analysis, result, extra.get("measure", "revenue")),
        "_query": dict(params),
        "_json_url": "?" + urlencode([*params, ("format", "json")]),
    }
    ctx.update(extra)
    return render(request, "analysis.html", ctx)


@router.get("/analyses")
def analyses_index() -> Response:
    """The analyses start at attribution."""
    return RedirectResponse("/analyses/attribution", status_code=307)


@router.get("/analyses/attribution")
def attribution_page(
    request: Request,
    start: Day = None,
    end: Day = None,
    models: Annotated[list[str], Query(max_length=200)] = [],  # noqa: B006 - FastAPI reads the default
    half_life: Annotated[str | None, Query(max_length=12)] = None,
    by: Annotated[str | None, Query(pattern="^(month|quarter)?$")] = None,
    measure: Annotated[str, Query(pattern="^(revenue|conversions)$")] = "revenue",
) -> Response:
    """Attribution: every model side by side per channel (grouped bars, revenue or conversions), the reading."""
    start, end, by = start or None, end or None, by or None
    half = _half_life(half_life)
    names = _models(models)
    options = {"start": start, "end": end, "models": names, "half_life_days": half, "by": by}
    params = _params(start=start, end=end, models=",".join(names) if names else None, half_life=half, by=by)
    measure_params = [*params, ("measure", measure)] if measure != "revenue" else params
    result = run_cached(state(request), "attribution", options)
    extra = {
        "measure": measure,
        "reading": narrate_attribution(result, measure),
        "_models": [(m, LABELS.get(m, m), not names or m in names) for m in MODELS],
        "_measure_urls": {m: "?" + urlencode([*params, ("measure", m)]) for m in MEASURES},
    }
    return _respond(request, "attribution", options, measure_params, extra)


@router.get("/analyses/mrr-movements")
def mrr_page(request: Request, start: Day = None, end: Day = None) -> Response:
    """MRR movements: new, reactivation, expansion, contraction and churned MRR per month; NRR and GRR."""
    start, end = start or None, end or None
    return _respond(request, "mrr-movements", {"start": start, "end": end}, _params(start=start, end=end), {})


@router.get("/analyses/lifecycle")
def lifecycle_page(request: Request, start: Day = None, end: Day = None) -> Response:
    """Lifecycle: new, retained, resurrected and churned users per month with the quick ratio."""
    start, end = start or None, end or None
    return _respond(request, "lifecycle", {"start": start, "end": end}, _params(start=start, end=end), {})


@router.get("/analyses/cohorts")
def cohorts_page(request: Request, start: Day = None, end: Day = None) -> Response:
    """Cohorts: logo and revenue retention triangles by month since signup (heatmaps)."""
    start, end = start or None, end or None
    return _respond(request, "cohorts", {"start": start, "end": end}, _params(start=start, end=end), {})


def _half_life(text: str | None) -> float | None:
    """The ``half_life`` option: blank is the default (7 days); else a number of days, > 0."""
    if not text or not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise BadRequest(
            f"half_life {text!r} is not a number", hint="Write days, e.g. half_life=7."
        ) from None
    if not 0 < value <= 3650:
        raise BadRequest(
            f"half_life {text!r} is out of range", hint="Use a number of days above 0, up to 3650."
        )
    return value


def _params(**values: Any) -> list[tuple[str, str]]:
    return [(k, f"{v:g}" if isinstance(v, float) else str(v)) for k, v in values.items() if v is not None]


def answer_question(request: Request, asked: dict[str, Any]) -> dict[str, Any]:
    """The Ask box's answer to an attribution question: the models side by side, the reading, the chart
    and the analysis page's URL; ``{"error": …}`` when it cannot be computed (no journey in the dates).
    """
    st = state(request)
    names = list(asked.get("models") or []) or None
    options = {"start": asked.get("start"), "end": asked.get("end"), "models": names}
    measure = str(asked.get("measure") or "revenue")
    params = _params(
        start=asked.get("start"),
        end=asked.get("end"),
        models=",".join(names) if names and names != list(MODELS) else None,
        measure=measure if measure != "revenue" else None,
    )
    try:
        result = run_cached(st, "attribution", {**options, "half_life_days": None, "by": None})
    except MetricmindError as exc:
        return {"error": exc.to_dict(), "url": "/analyses/attribution?" + urlencode(params)}
    if measure == "revenue" and not result["total_revenue"]:
        measure = "conversions"
    columns, rows = side_by_side(result, measure)
    return {
        "kind": "attribution",
        "measure": measure,
        "columns": columns,
        "rows": rows,
        "reading": narrate_attribution(result, measure),
        "url": "/analyses/attribution?" + urlencode(params),
        "_cells": [[_cell(c, v, False) for c, v in zip(columns, row, strict=True)] for row in rows],
        "_chart": analysis_charts.attribution_chart(result, measure),
    }


def warm(st: WebState) -> None:
    """Compute each page with its default options (``serve`` warms up with this): the first visit is a lookup.

    A project without the canonical tables is left alone: its pages report the problem.
    """
    for analysis in PAGES:
        options: dict[str, Any] = {"start": None, "end": None}
        if analysis == "attribution":
            options |= {"models": None, "half_life_days": None, "by": None}
        try:
            run_cached(st, analysis, options)
        except MetricmindError:
            continue
