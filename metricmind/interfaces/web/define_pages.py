"""The Define page in plain English: name, definition and rules → the proposal, Accept / Modify / Manual per
suggestion, a live preview on the warehouse, Save as draft. Every route answers JSON too.

The hand-written form (measure, SQL, filter) stays at ``/define/advanced`` with its own routes in
``pages.py`` (``/define/suggest``, ``POST /define/preview``, ``POST /define``).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from metricmind.catalog.definitions import parse_definition, to_yaml
from metricmind.define import Proposal
from metricmind.errors import MetricmindError
from metricmind.interfaces.web import charts, define_form, define_save, explore, views
from metricmind.interfaces.web.core import render, state, to_json
from metricmind.interfaces.web.guard import Editor
from metricmind.project import Project, json_value
from metricmind.project.suggest import define_example

router = APIRouter(include_in_schema=False)


@router.get("/define")
def define_page(request: Request) -> Response:
    """Define a metric in plain English; with ``name``, ``definition`` and ``rule`` in the URL, the proposal."""
    st = state(request)
    params = request.query_params
    definition = define_form.read_definition(params)
    ctx: dict[str, Any] = {
        "form": {"name": definition.name, "definition": definition.text, "rules": list(definition.rules)},
        # built from the project's own first certified (else published) described metric; None without one
        "example": define_example(st.project.model),
        "measures": sorted(st.project.model.measures),
        "dimensions": [
            d.name for d in views.all_dimensions(st) if d.type != "time" and d.name.count("__") == 1
        ],
    }
    if definition.name or definition.text:
        proposal = define_form.propose(st.project, definition)
        ctx.update(define_form.sections(proposal))
        ctx["time_options"] = define_form.time_options(st.project, proposal)
    return render(request, "define_agent.html", ctx)


@router.get("/define/proposal")
def define_proposal(request: Request) -> Response:
    """The proposal for ``name``, ``definition`` and ``rule`` (an htmx fragment, or JSON); nothing is run."""
    st = state(request)
    definition = define_form.read_definition(request.query_params)
    proposal = define_form.propose(st.project, definition)
    ctx = define_form.sections(proposal)
    ctx["measures"] = sorted(st.project.model.measures)
    ctx["time_options"] = define_form.time_options(st.project, proposal)
    return render(request, "_define_proposal.html", ctx)


@router.post("/define/live")
async def define_live(request: Request, user: Editor) -> Response:
    """The chosen metric's SQL by month, run on the warehouse (not saved); editors (it runs SQL)."""
    st = state(request)
    form = await request.form()
    proposal = define_form.propose(st.project, define_form.read_definition(form))
    choices = define_form.read_choices(form)
    metric = define_form.build_metric(st.project, proposal, choices, preview=True)
    parse_definition(metric)
    ran = await run_in_threadpool(_locked_preview, st.lock, st.project, metric, proposal)
    ctx = _preview_context(metric, ran)
    try:
        ctx["package"] = define_save.package_for(
            st.project, proposal, metric, choices, learn=False, preview=True
        ).to_dict()
    except MetricmindError as exc:
        ctx["package_error"] = exc.to_dict()
    return render(request, "_define_live.html", ctx)


@router.post("/define/draft")
async def define_draft(request: Request, user: Editor) -> Response:
    """Save the chosen metric as a draft change (editors); refused, with nothing written, on a refusal,
    an unread rule without a typed filter, or anything that does not compile.
    """
    st = state(request)
    form = await request.form()
    proposal = define_form.propose(st.project, define_form.read_definition(form))
    choices = define_form.read_choices(form)
    metric = define_form.build_metric(st.project, proposal, choices)
    parse_definition(metric)
    if not define_form.needs_package(proposal):
        define_form.metric_sql(st.project, metric)  # compiles, or nothing is written
    saved = await run_in_threadpool(  # git and dbt take seconds: other requests go on meanwhile
        define_save.save,
        st.project,
        st.need_catalog(),
        proposal,
        metric,
        choices,
        user.name,
        build=_flag(form.get("build")),
        lock=st.lock,
    )
    ctx = {**saved, "change": to_json(saved["change"]), "yaml": to_yaml(metric), "metric": metric}
    return render(request, "_define_saved.html", ctx, 201)


def _locked_preview(
    lock: AbstractContextManager[Any], project: Project, metric: dict[str, Any], proposal: Proposal
) -> dict[str, Any]:
    """The preview run under the warehouse lock (in a worker thread: the event loop goes on)."""
    with lock:
        return define_form.run_preview(project, metric, proposal)


def _flag(value: Any) -> bool:
    return str(value or "").strip().lower() in ("1", "true", "on", "yes")


def _preview_context(metric: dict[str, Any], ran: dict[str, Any]) -> dict[str, Any]:
    name = str(metric.get("name") or "draft")
    unit = str((metric.get("config") or {}).get("meta", {}).get("unit") or "number")
    columns = [
        {"name": ran["columns"][0], "label": "Month", "kind": "time", "grain": "month"},
        {"name": name, "label": str(metric.get("label") or name), "kind": "metric", "unit": unit},
    ]
    rows = ran["rows"]
    return {
        "metric": metric,
        "yaml": to_yaml(metric),
        "sql": ran["sql"],
        "columns": ran["columns"],
        "rows": [[json_value(v) for v in r] for r in rows],
        "row_count": ran["row_count"],
        "elapsed_ms": ran["elapsed_ms"],
        "chart": charts.chart_spec(columns, rows, "line"),
        "_cells": [
            [explore.cell_text(c, v) for c, v in zip(columns, r, strict=True)]
            for r in rows[: define_form.MAX_ROWS_SHOWN]
        ],
    }
