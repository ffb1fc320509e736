"""The knowledge graph and the nightly job's proposals in the Explorer (``metricmind.knowledge.service``).

Pages: ``/graph`` (counts, most used tables, metrics, dimensions and query patterns, best join path),
``/graph/metrics/{name}`` (what a metric depends on), ``/graph/tables/{name}`` (what depends on a table),
``/proposals`` and ``/proposals/{id}`` (review: approvers approve, which merges into the project's git
repository, or reject with a reason). The same data is under ``/api/graph/…`` and ``/api/proposals…``.

One ``Knowledge`` per app, opened on first use on the catalog's store (``store.url``, else the project's
SQLite file); every query the web UI runs is recorded in its query log.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import yaml
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from metricmind.errors import ConflictError, MetricmindError
from metricmind.interfaces.web.core import Unavailable, User, WebState, render, state, to_json
from metricmind.interfaces.web.guard import Approver
from metricmind.knowledge import gitops, graph
from metricmind.knowledge.ingest import Recorder
from metricmind.knowledge.service import Knowledge
from metricmind.storage import default_url

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["knowledge"])

log = logging.getLogger(__name__)

CRITERIA = graph.CRITERIA
RANKED = ("tables", "metrics", "dimensions", "queries")
STATUSES = ("pending", "approved", "rejected")
KINDS = {"metric": "new metric", "dimension": "new dimension", "deprecation": "deprecation"}


class Graph:
    """The app's ``Knowledge``, opened on first use, following the project when it is reloaded."""

    def __init__(self, st: WebState) -> None:
        self.st = st
        self._lock = threading.Lock()
        self._knowledge: Knowledge | None = None
        self._recorder: Recorder | None = None
        self._warned = False

    def get(self) -> Knowledge:
        """The service, its context on the current project (definitions change when proposals merge)."""
        project = self.st.project
        with self._lock:
            if self._knowledge is None:
                url = project.setting("store.url") or default_url(project.root)
                schema = project.setting("warehouse.schema")
                self._knowledge = Knowledge(
                    str(url),
                    project.root,
                    project.model,
                    project.settings,
                    project.dialect,
                    str(schema) if schema else None,
                )
            ctx = self._knowledge.context
            if ctx.model is not project.model:
                ctx.model, ctx.settings = project.model, project.settings
            ctx.govern, ctx.gate = project.govern_day, project.proposal_gate  # governance (docs/govern.md)
            ctx.dbt = project.dbt_executable  # --dbt-build runs the dbt metricmind is set to use
            return self._knowledge

    def record(self, execution: Any) -> None:
        """A ``Project.listeners`` callback: the execution goes to the query log; a failure never fails it."""
        try:
            recorder = self._recorder
            if recorder is None:
                k = self.get()
                recorder = self._recorder = Recorder(k.engine, k.context.dialect, k.context.schema)
            recorder.record_execution(execution)
        except Exception as exc:  # recording is best effort: the query already ran
            # Warn once (a read-only store would otherwise warn on every query), then keep trying quietly.
            log.log(
                logging.DEBUG if self._warned else logging.WARNING, "could not record the execution: %s", exc
            )
            self._warned = True

    def close(self) -> None:
        """Release the store's connections."""
        with self._lock:
            if self._knowledge is not None:
                self._knowledge.close()


def install(app: Any, st: WebState) -> Graph:
    """Give ``app`` its ``Graph`` (``app.state.knowledge``) and record the project's executions with it."""
    holder = Graph(st)
    app.state.knowledge = holder
    st.project.listeners.append(holder.record)
    return holder


def knowledge(request: Request) -> Knowledge:
    """The app's ``Knowledge``."""
    holder: Graph = request.app.state.knowledge
    return holder.get()


def git_status(st: WebState) -> dict[str, Any]:
    """Whether proposals can be approved here: the project must be in a git repository."""
    try:
        gitops.toplevel(st.project.root)
    except MetricmindError as exc:
        return {"ok": False, "message": exc.message, "hint": exc.hint}
    return {"ok": True, "message": None, "hint": None}


# -- views ----------------------------------------------------------------------------------------------
def overview(k: Knowledge, limit: int, days: int | None) -> dict[str, Any]:
    """Counts and the most used tables, metrics, dimensions and query patterns (one refresh)."""
    k.refresh()
    top = {what: graph.top(k.engine, what, limit=limit, days=days)["items"] for what in RANKED}
    return {"summary": graph.summary(k.engine), "top": top, "limit": limit, "days": days}


def change_yaml(change: dict[str, Any]) -> str:
    """One YAML change of a proposal as the YAML it adds or edits."""
    body = {k: v for k, v in change.items() if k != "op"}
    return yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)


def proposal_view(k: Knowledge, proposal_id: str) -> dict[str, Any]:
    """One proposal, its changes rendered as YAML and its evidence."""
    item = k.proposal(proposal_id)
    payload = item.get("payload") or {}
    changes = [{"op": c.get("op", ""), "yaml": change_yaml(c)} for c in payload.get("changes") or []]
    return {"proposal": item, "changes": changes, "evidence": payload.get("evidence") or {}}


def _pending(k: Knowledge, proposal_id: str) -> dict[str, Any]:
    item = k.proposal(proposal_id)
    if item["status"] != "pending":
        raise ConflictError(
            f"proposal {proposal_id} is already {item['status']}",
            hint="Only pending proposals can be approved or rejected.",
        )
    return item


def _git_required(st: WebState) -> None:
    git = git_status(st)
    if not git["ok"]:
        raise Unavailable(f"proposals cannot be approved: {git['message']}", hint=git["hint"])


def approve(request: Request, proposal_id: str, user: User, dbt_build: bool = False) -> dict[str, Any]:
    """Approve one proposal as ``user`` (an approver): merge its YAML into the project's repository."""
    st = state(request)
    k = knowledge(request)
    _pending(k, proposal_id)
    _git_required(st)
    result = k.approve([proposal_id], by=user.name, dbt_build=dbt_build)
    st.reload()  # the merged YAML is in the checkout now
    request.app.state.search_reset()
    return result


def reject(request: Request, proposal_id: str, user: User, reason: str | None) -> dict[str, Any]:
    """Reject one proposal as ``user`` (an approver); the nightly job never proposes it again."""
    k = knowledge(request)
    _pending(k, proposal_id)
    return k.reject([proposal_id], by=user.name, reason=(reason or "").strip() or None)


# -- pages ----------------------------------------------------------------------------------------------
@router.get("/graph")
def graph_page(
    request: Request,
    limit: int = Query(10, ge=1, le=100),
    days: int | None = Query(None, ge=1, le=36_500),
    source: str = "",
    target: str = "",
    by: str = "usage",
) -> Response:
    """The graph: counts, most used tables/metrics/dimensions/queries, and the best join path finder."""
    k = knowledge(request)
    ctx = overview(k, limit, days)
    ctx.update(path_context(k, source, target, by, refresh=False))
    ctx["criteria"] = list(CRITERIA)
    return render(request, "graph.html", ctx)


def path_context(k: Knowledge, source: str, target: str, by: str, *, refresh: bool = True) -> dict[str, Any]:
    """The path finder's form values and, when both tables are given, the path or the error."""
    ctx: dict[str, Any] = {"source": source, "target": target, "by": by, "path": None, "path_error": None}
    if source.strip() and target.strip():
        try:
            if refresh:
                k.refresh()
            ctx["path"] = graph.best_path(k.engine, source.strip(), target.strip(), by)
        except MetricmindError as exc:
            ctx["path_error"] = exc.to_dict()
    return ctx


@router.get("/graph/path")
def graph_path_fragment(request: Request, source: str = "", target: str = "", by: str = "usage") -> Response:
    """The path finder's result (an htmx fragment under the form)."""
    return render(request, "_graph_path.html", path_context(knowledge(request), source, target, by))


@router.get("/graph/metrics/{name}")
def graph_metric_page(request: Request, name: str) -> Response:
    """What a metric depends on: input metrics, tables, columns, canonical datasets, dimensions used."""
    data = knowledge(request).depends(name)
    return render(request, "graph_node.html", {"mode": "metric", "name": name, "node": data})


@router.get("/graph/tables/{name}")
def graph_table_page(request: Request, name: str) -> Response:
    """What depends on a table: metrics, dimensions, canonical datasets, queries, join partners."""
    data = knowledge(request).impact(name)
    return render(request, "graph_node.html", {"mode": "table", "name": data["table"], "node": data})


@router.get("/proposals")
def proposals_page(request: Request, status: str | None = "pending", kind: str | None = None) -> Response:
    """The nightly job's proposals (pending by default; ``status=all`` for every one)."""
    st = state(request)
    wanted = None if status in (None, "", "all") else status
    items = knowledge(request).proposals(wanted, kind or None)
    ctx = {
        "status": wanted or "all",
        "kind": kind or "",
        "statuses": list(STATUSES),
        "kinds": KINDS,
        "proposals": items,
        "count": len(items),
        "git": git_status(st),
    }
    return render(request, "proposals.html", ctx)


@router.get("/proposals/{proposal_id}")
def proposal_page(request: Request, proposal_id: str) -> Response:
    """One proposal: its YAML changes and evidence; approve or reject for approvers."""
    ctx = proposal_view(knowledge(request), proposal_id)
    ctx["kinds"] = KINDS
    ctx["git"] = git_status(state(request))
    return render(request, "proposal.html", ctx)


@router.post("/proposals/{proposal_id}/approve")
def proposal_approve_form(request: Request, proposal_id: str, user: Approver) -> Response:
    """Approve from the page (an htmx fragment saying what happened)."""
    result = approve(request, proposal_id, user)
    return render(request, "_proposal_done.html", {"id": proposal_id, "status": "approved", "result": result})


@router.post("/proposals/{proposal_id}/reject")
def proposal_reject_form(
    request: Request, proposal_id: str, user: Approver, reason: str = Form("", max_length=10_000)
) -> Response:
    """Reject from the page, with the reason typed next to the button."""
    result = reject(request, proposal_id, user, reason)
    ctx = {"id": proposal_id, "status": "rejected", "result": result, "reason": reason}
    return render(request, "_proposal_done.html", ctx)


# -- API ------------------------------------------------------------------------------------------------
class ApproveBody(BaseModel):
    """Options of an approval."""

    dbt_build: bool = False


class RejectBody(BaseModel):
    """Why a proposal is rejected."""

    reason: str | None = Field(None, max_length=10_000)


@api_router.get("/graph/summary")
def api_summary(request: Request) -> Any:
    """Node and edge counts by kind."""
    return to_json(knowledge(request).summary())


@api_router.get("/graph/top")
def api_top(
    request: Request,
    what: str = "tables",
    limit: int = Query(10, ge=1, le=100),
    days: int | None = Query(None, ge=1, le=36_500),
) -> Any:
    """The most used ``tables``, ``metrics``, ``dimensions`` or ``queries`` (uses, avg ms, last used)."""
    return to_json(knowledge(request).top(what, limit=limit, days=days))


@api_router.get("/graph/path")
def api_path(request: Request, source: str, target: str, by: str = "usage") -> Any:
    """The best join path between two tables, ``by`` usage, speed or canonical datasets."""
    return to_json(knowledge(request).path(source, target, by))


@api_router.get("/graph/metrics/{name}")
def api_depends(request: Request, name: str) -> Any:
    """What a metric depends on."""
    return to_json(knowledge(request).depends(name))


@api_router.get("/graph/tables/{name}")
def api_impact(request: Request, name: str) -> Any:
    """What depends on a table."""
    return to_json(knowledge(request).impact(name))


@api_router.get("/proposals")
def api_proposals(request: Request, status: str | None = None, kind: str | None = None) -> Any:
    """Proposals, newest run first (``status``: pending, approved, rejected; ``kind``: metric, …)."""
    items = knowledge(request).proposals(status or None, kind or None)
    return to_json({"proposals": items, "count": len(items), "git": git_status(state(request))})


@api_router.get("/proposals/{proposal_id}")
def api_proposal(request: Request, proposal_id: str) -> Any:
    """One proposal with its YAML changes and evidence."""
    return to_json(knowledge(request).proposal(proposal_id))


@api_router.post("/proposals/{proposal_id}/approve")
def api_approve(request: Request, proposal_id: str, user: Approver, body: ApproveBody | None = None) -> Any:
    """Approve (approvers): merge the proposal's YAML into the project's git repository."""
    return to_json(approve(request, proposal_id, user, dbt_build=bool(body and body.dbt_build)))


@api_router.post("/proposals/{proposal_id}/reject")
def api_reject(request: Request, proposal_id: str, user: Approver, body: RejectBody | None = None) -> Any:
    """Reject (approvers), with an optional reason."""
    return to_json(reject(request, proposal_id, user, body.reason if body else None))


__all__ = ["Graph", "api_router", "install", "router"]
