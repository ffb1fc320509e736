"""The REST API under ``/api`` (OpenAPI at ``/docs``): metrics, dimensions, datasets, queries, definitions,
audit and usage. Reads are open; writes need ``Authorization: Bearer <token>`` and a role.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from metricmind.define import Definition
from metricmind.interfaces.web import drafts, views
from metricmind.interfaces.web.core import BadRequest, VersionRequired, state, to_json
from metricmind.interfaces.web.guard import Anyone, Approver, Editor
from metricmind.interfaces.web.runner import run_query, to_csv
from metricmind.spec.query import MetricQuery

router = APIRouter(prefix="/api", tags=["api"])

ChangeId = Annotated[int, Path(ge=1, le=drafts.MAX_ID, description="a change's id")]
Name = Annotated[str, Path(max_length=drafts.MAX_NAME, description="a metric or dataset name")]


class QueryBody(BaseModel):
    """A metric query (the ``MetricQuery`` fields) and, for compile, a dialect."""

    metrics: list[str] = Field(..., examples=[["<metric>"]])
    group_by: list[str] = Field(default_factory=list, examples=[["metric_time__month"]])
    where: list[str] = Field(
        default_factory=list, examples=[["{{ Dimension('<entity>__<dimension>') }} = '<value>'"]]
    )
    start: str | None = Field(None, examples=["2025-01-01"])
    end: str | None = Field(None, examples=["2026-01-01"])
    order_by: list[str] = Field(default_factory=list, examples=[["metric_time__month"]])
    limit: int | None = Field(None, ge=0, le=drafts.MAX_ID)
    allow_overlap: bool = Field(
        False,
        description="Allow dimensions reached only through one-to-many joins (overlapping groups); the "
        "answer then carries overlapping_groups, note and the true total.",
    )
    dialect: str | None = Field(None, examples=["snowflake"])

    def query(self) -> MetricQuery:
        """The ``MetricQuery``."""
        return MetricQuery.build(
            self.metrics,
            self.group_by,
            self.where,
            self.start,
            self.end,
            self.order_by,
            self.limit,
            self.allow_overlap,
        )


class DefinitionBody(BaseModel):
    """A metric definition: the MetricFlow ``metrics:`` item (``definition``), or the Define form's fields."""

    definition: dict[str, Any] | None = None
    form: dict[str, Any] | None = None
    expected_version: int | None = Field(None, ge=0, le=drafts.MAX_ID)
    submit: bool = False


class ReasonBody(BaseModel):
    """A reason (rejections, deprecations) and the version the reviewer saw."""

    reason: str = Field("", max_length=drafts.MAX_TEXT)
    expected_version: int | None = Field(None, ge=0, le=drafts.MAX_ID)


def definition_of(request: Request, body: DefinitionBody) -> dict[str, Any]:
    """The definition in ``body`` (built from the form fields when given those)."""
    if body.definition:
        return drafts.check_lengths(body.definition)
    if body.form:
        return drafts.definition_from_form({**body.form, "_known": state(request).project.model.metrics})
    raise BadRequest("send a definition or form", hint='{"definition": {"name": ..., "type": ...}}')


@router.get("/me")
def me(request: Request, user: Anyone) -> dict[str, Any]:
    """Who the token belongs to (``null`` when anonymous)."""
    return {"user": user.to_dict() if user else None}


@router.get("/metrics")
def list_metrics(
    request: Request, category: str | None = None, status: str | None = None, trending: bool = False
) -> dict[str, Any]:
    """Every metric grouped by category, with status, owner, usage this month and trending figures."""
    return to_json(views.catalog_view(state(request), category, status, trending))  # type: ignore[no-any-return]


@router.get("/metrics/{name}")
def get_metric(request: Request, name: Name) -> dict[str, Any]:
    """A metric: definitions, rules, owner, status, history, usage, dimensions, tables, SQL per dialect."""
    return to_json(views.metric_view(state(request), name))  # type: ignore[no-any-return]


@router.get("/metrics/{name}/dimensions")
def metric_dimensions(request: Request, name: Name) -> dict[str, Any]:
    """The dimensions a metric can be sliced by."""
    state(request).project.metric(name)
    return views.dimensions_view(state(request), name)


@router.get("/dimensions")
def list_dimensions(request: Request, metric: str | None = None) -> dict[str, Any]:
    """Every group-by name (or those of one metric)."""
    return views.dimensions_view(state(request), metric)


@router.get("/search")
def search(request: Request, q: str = "", limit: int = Query(20, ge=1, le=200)) -> dict[str, Any]:
    """Typo-tolerant search over names, labels, synonyms and definitions."""
    return to_json(views.search_view(state(request), request.app.state.search(), q, limit))  # type: ignore[no-any-return]


@router.get("/datasets")
def list_datasets(request: Request) -> dict[str, Any]:
    """Canonical datasets."""
    return to_json(views.datasets_view(state(request)))  # type: ignore[no-any-return]


@router.get("/datasets/{name}")
def get_dataset(request: Request, name: Name) -> dict[str, Any]:
    """One canonical dataset and the metrics that read it."""
    return to_json(views.dataset_dict(state(request), name))  # type: ignore[no-any-return]


@router.post("/query/compile")
def compile_query(request: Request, body: QueryBody, user: Anyone) -> dict[str, Any]:
    """The SQL of a query for a dialect (default: the project's)."""
    st = state(request)
    query = body.query()
    with st.lock:
        sql = st.project.compile(query, body.dialect)
    return {"query": query.to_dict(), "dialect": body.dialect or st.project.dialect, "sql": sql}


@router.post("/query/run")
def run(request: Request, body: QueryBody, user: Anyone) -> dict[str, Any]:
    """Compile and run a query: columns, rows, SQL and timings."""
    result = run_query(state(request), body.query(), user.name if user else None)
    return {"query": result.query.to_dict(), **result.to_dict()}


@router.get("/query", response_model=None)
def run_get(request: Request, user: Anyone, format: str = "json") -> Any:
    """Run the query in the query string (the Explorer's shareable URL parameters); ``format=csv`` too."""
    query, _ = views.query_from_params(request.query_params)
    if query is None:
        raise BadRequest("no metrics given", hint="Add ?metrics=<metric> (see /api/metrics)")
    result = run_query(state(request), query, user.name if user else None)
    if format == "csv":
        return PlainTextResponse(to_csv(result.columns, result.rows), media_type="text/csv")
    return {"query": query.to_dict(), **result.to_dict()}


@router.get("/suggest")
def suggest(request: Request, text: str = "") -> dict[str, Any]:
    """Data sources for a new metric, ranked from the warehouse schema and canonical datasets."""
    return {"text": text, "sources": drafts.suggest_sources(state(request).project, text)}


class DefineBody(BaseModel):
    """A metric in plain English: its name, a one-line definition and business rules (docs/define.md)."""

    name: str = Field(max_length=drafts.MAX_NAME)
    definition: str = Field(max_length=drafts.MAX_TEXT)
    rules: list[Annotated[str, Field(max_length=drafts.MAX_TEXT)]] = Field(
        default_factory=list, max_length=100
    )


@router.post("/define/analyze")
def define(request: Request, body: DefineBody, user: Anyone) -> dict[str, Any]:
    """The definition agent's proposal (nothing saved, nothing run): sources, measure, rules read, SQL."""
    project = state(request).project
    proposal = project.analyze_definition(Definition(body.name, body.definition, tuple(body.rules)))
    yaml_text = drafts.to_yaml(proposal.metric) if proposal.metric is not None else None
    return {"proposal": to_json(proposal.to_dict()), "yaml": yaml_text}


@router.post("/definitions/preview")
def preview(request: Request, body: DefinitionBody, user: Editor) -> dict[str, Any]:
    """Compile and run a definition without saving it (editor: a preview runs the draft's SQL)."""
    st = state(request)
    definition = definition_of(request, body)
    with st.lock:
        return to_json(drafts.preview(st.project, definition))  # type: ignore[no-any-return]


@router.get("/definitions")
def list_definitions(request: Request, state_: str | None = Query(None, alias="state")) -> dict[str, Any]:
    """Proposed definitions (drafts, in review, approved, rejected)."""
    cat = state(request).need_catalog()
    changes = cat.changes(state_) if state_ else cat.changes()
    return {"changes": to_json(list(changes))}


@router.post("/definitions", status_code=201)
def create_definition(request: Request, body: DefinitionBody, user: Editor) -> dict[str, Any]:
    """Create a draft (editor); with ``submit``, also submit it for review."""
    st = state(request)
    definition = definition_of(request, body)
    drafts.parse_definition(definition)
    cat = st.need_catalog()
    change = cat.create_draft(user.name, definition)
    if body.submit:
        change = cat.submit(views.get(change, "id"), user.name, expected_version=views.get(change, "version"))
    return {"change": to_json(change)}


@router.get("/definitions/{change_id}")
def get_definition(request: Request, change_id: ChangeId) -> dict[str, Any]:
    """One proposed definition with its diff."""
    return {"change": to_json(state(request).need_catalog().change(change_id))}


@router.put("/definitions/{change_id}")
def edit_definition(
    request: Request, change_id: ChangeId, body: DefinitionBody, user: Editor
) -> dict[str, Any]:
    """Replace a draft's definition (editor); ``expected_version`` (required) guards against lost updates."""
    if body.expected_version is None:
        raise VersionRequired(
            f"PUT /api/definitions/{change_id} needs expected_version: without it the edit would overwrite "
            "whatever changed since you read the draft",
            hint=f"GET /api/definitions/{change_id}, then send its version as expected_version.",
        )
    definition = definition_of(request, body)
    drafts.parse_definition(definition)
    st = state(request)
    with st.lock:  # a generated package's draft is regenerated, its range check learned on the warehouse
        change = st.need_catalog().edit(
            change_id, user.name, definition, expected_version=body.expected_version
        )
    return {"change": to_json(change)}


@router.post("/definitions/{change_id}/submit")
def submit(
    request: Request, change_id: ChangeId, user: Editor, body: ReasonBody | None = None
) -> dict[str, Any]:
    """Submit a draft for review (editor)."""
    version = body.expected_version if body else None
    return {
        "change": to_json(
            state(request).need_catalog().submit(change_id, user.name, expected_version=version)
        )
    }


@router.post("/definitions/{change_id}/approve")
def approve(
    request: Request, change_id: ChangeId, user: Approver, body: ReasonBody | None = None
) -> dict[str, Any]:
    """Approve a definition in review (approver): it is written to the project's YAML and published."""
    st = state(request)
    version = body.expected_version if body else None
    change = st.need_catalog().approve(change_id, user.name, expected_version=version)
    st.reload()
    request.app.state.search_reset()
    return {"change": to_json(change)}


@router.post("/definitions/{change_id}/reject")
def reject(request: Request, change_id: ChangeId, body: ReasonBody, user: Approver) -> dict[str, Any]:
    """Reject a definition in review (approver), with a reason."""
    change = (
        state(request)
        .need_catalog()
        .reject(change_id, user.name, body.reason, expected_version=body.expected_version)
    )
    return {"change": to_json(change)}


@router.post("/{kind}/{name}/certify")
def certify(request: Request, kind: str, name: Name, user: Approver) -> dict[str, Any]:
    """Certify a metric (``/api/metrics/x/certify``) or a canonical dataset (approver)."""
    result = state(request).need_catalog().certify(_kind(kind), name, user.name)
    return {"result": to_json(result)}


class DeprecateBody(ReasonBody):
    """A deprecation: its reason, the successor to use instead, and the sunset date (YYYY-MM-DD)."""

    successor: str | None = Field(None, max_length=256)
    sunset: str | None = Field(None, max_length=10)


@router.post("/{kind}/{name}/deprecate")
def deprecate(request: Request, kind: str, name: Name, body: DeprecateBody, user: Approver) -> dict[str, Any]:
    """Deprecate a metric or a canonical dataset (approver), with a reason, a successor and a sunset date;
    queries of a deprecated metric then answer with a warning naming them.
    """
    result = (
        state(request)
        .need_catalog()
        .deprecate(_kind(kind), name, user.name, body.reason, successor=body.successor, sunset=body.sunset)
    )
    return {"result": to_json(result)}


def _kind(kind: str) -> str:
    if kind not in ("metrics", "datasets"):
        raise BadRequest(f"cannot certify {kind!r}", hint="Use /api/metrics/NAME/… or /api/datasets/NAME/…")
    return "metric" if kind == "metrics" else "dataset"


@router.get("/audit")
def audit(
    request: Request, limit: int = Query(100, ge=1, le=1000), subject: str | None = None
) -> dict[str, Any]:
    """The audit log, newest first."""
    events = state(request).need_catalog().audit(limit=limit, subject=subject)
    return {"events": to_json(list(events))}


@router.get("/usage")
def usage(request: Request, limit: int = Query(20, ge=1, le=200)) -> dict[str, Any]:
    """The most used metrics this month."""
    cat = state(request).need_catalog()
    return {"top": to_json(list(cat.top_metrics(limit)))}


@router.get("/usage/{name}")
def usage_of(request: Request, name: Name) -> dict[str, Any]:
    """One metric's usage: this month, 30 daily counts and the trend."""
    state(request).project.metric(name)
    return {"metric": name, **views.usage_view(state(request), name)}
