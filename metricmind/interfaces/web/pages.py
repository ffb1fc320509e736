"""The Metric Explorer pages (Jinja2 + htmx). Every page answers JSON too (``?format=json`` or
``Accept: application/json``) with the same data the template shows.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from metricmind.interfaces.web import charts, drafts, explore, views
from metricmind.interfaces.web.core import (
    COOKIE,
    render,
    state,
    to_json,
    user_for_token,
)
from metricmind.interfaces.web.guard import Anyone, Approver, Editor
from metricmind.project import json_value

router = APIRouter(include_in_schema=False)
ChangeId = Annotated[int, Path(ge=1, le=drafts.MAX_ID)]
Name = Annotated[str, Path(max_length=drafts.MAX_NAME)]


@router.get("/")
def catalog_page(
    request: Request,
    q: str = "",
    category: str | None = None,
    status: str | None = None,
    trending: bool = False,
) -> Response:
    """Catalog: metrics grouped by category with counts, status and trending badges, owners, usage this
    month, and the metrics trending this week (``trending=1``: only those).
    """
    st = state(request)
    ctx = views.catalog_view(st, category, status, trending)
    if q:
        ctx["search"] = views.search_view(st, request.app.state.search(), q)
    ctx["q"] = q
    ctx["all_categories"] = sorted({m.category or "Uncategorized" for m in st.project.model.metrics.values()})
    ctx["all_statuses"] = sorted(
        {str(m.meta.get("status") or "draft") for m in st.project.model.metrics.values()}
    )
    return render(request, "catalog.html", ctx)


@router.get("/search")
def search_page(request: Request, q: str = "") -> Response:
    """Search results (an htmx fragment under the search box, or JSON)."""
    ctx = views.search_view(state(request), request.app.state.search(), q)
    return render(request, "_search_results.html", ctx)


@router.get("/metrics/{name}")
def metric_page(request: Request, name: Name) -> Response:
    """A metric: definitions, business rules, owner, status, history, usage, dimensions, tables, SQL."""
    ctx = views.metric_view(state(request), name)
    ctx["sparkline"] = charts.sparkline(ctx["usage"]["daily"])
    ctx["query_url"] = "/query?" + urlencode({"metrics": name, "grain": "month"})
    return render(request, "metric.html", ctx)


# -- define -----------------------------------------------------------------------------------------------
def _form_dict(form: Any, known: Any) -> dict[str, Any]:
    out: dict[str, Any] = {k: v for k, v in form.items() if k != "dimensions"}
    out["dimensions"] = form.getlist("dimensions")
    out["_known"] = known
    return out


@router.get("/define/advanced")
def define_page(request: Request) -> Response:
    """Define New Metric by hand: the form (editors save; anyone may preview). ``/define`` is in plain English."""
    st = state(request)
    ctx = {
        "categories": sorted({m.category for m in st.project.model.metrics.values() if m.category}),
        "dimensions": [
            d.name for d in views.all_dimensions(st) if d.type != "time" and d.name.count("__") == 1
        ],
        "certifications": list(drafts.CERTIFICATION),
        "measures": sorted(st.project.model.measures),
        "example_metrics": sorted(st.project.model.metrics)[:2],  # placeholders from this catalog
    }
    return render(request, "define.html", ctx)


@router.get("/define/suggest")
def define_suggest(request: Request, name: str = "", definition: str = "", label: str = "") -> Response:
    """Suggested sources for the typed name and definition (htmx fragment or JSON)."""
    sources = drafts.suggest_sources(state(request).project, f"{name} {label} {definition}")
    return render(request, "_suggestions.html", {"sources": sources})


@router.post("/define/preview")
async def define_preview(request: Request, user: Editor) -> Response:
    """Values of the draft before saving (htmx fragment or JSON); editors (a preview runs the draft)."""
    st = state(request)
    form = await request.form()
    definition = drafts.definition_from_form(_form_dict(form, st.project.model.metrics))
    with st.lock:
        ctx = drafts.preview(st.project, definition)
    name = str(definition.get("name") or "draft")
    meta = (definition.get("config") or {}).get("meta") or {}
    unit = str(meta.get("unit") or "number")
    columns = [
        {"name": ctx["columns"][0], "label": "Month", "kind": "time", "grain": "month"},
        {"name": name, "label": str(definition.get("label") or name), "kind": "metric", "unit": unit},
    ]
    ctx["chart"] = charts.chart_spec(columns, ctx["rows"], "line")
    ctx["_cells"] = [[explore.cell_text(c, v) for c, v in zip(columns, r, strict=True)] for r in ctx["rows"]]
    ctx["rows"] = [[json_value(v) for v in r] for r in ctx["rows"]]
    return render(request, "_preview.html", ctx)


@router.post("/define")
async def define_save(request: Request, user: Editor) -> Response:
    """Save as draft (``action=draft``) or submit for review (``action=submit``); editors only."""
    st = state(request)
    form = await request.form()
    definition = drafts.definition_from_form(_form_dict(form, st.project.model.metrics))
    drafts.parse_definition(definition)
    cat = st.need_catalog()
    change = cat.create_draft(user.name, definition)
    if form.get("action") == "submit":
        change = cat.submit(views.get(change, "id"), user.name, expected_version=views.get(change, "version"))
    ctx = {"change": to_json(change), "yaml": drafts.to_yaml(definition)}
    return render(request, "_saved.html", ctx, 201)


# -- review, audit, datasets ----------------------------------------------------------------------------
@router.get("/review")
def review_page(request: Request, state_: str | None = None) -> Response:
    """Review queue: definitions in review with their diffs; approve/reject for approvers."""
    st = state(request)
    cat = st.need_catalog()
    wanted = request.query_params.get("state") or "in_review"
    changes = to_json(list(cat.changes(wanted)))
    words = to_json(st.project.vocabulary.entries(wanted))
    return render(request, "review.html", {"state": wanted, "changes": changes, "words": words})


Version = Annotated[int | None, Form(ge=0, le=drafts.MAX_ID)]
Reason = Annotated[str, Form(max_length=drafts.MAX_TEXT)]


@router.post("/review/{change_id}/approve")
def review_approve(
    request: Request, change_id: ChangeId, user: Approver, expected_version: Version = None
) -> Response:
    """Approve from the review page (approvers): the definition is published."""
    st = state(request)
    change = st.need_catalog().approve(change_id, user.name, expected_version=expected_version)
    st.reload()
    request.app.state.search_reset()
    return _done(request, change, "approve")


@router.post("/review/{change_id}/reject")
def review_reject(
    request: Request,
    change_id: ChangeId,
    user: Approver,
    reason: Reason = "",
    expected_version: Version = None,
) -> Response:
    """Reject from the review page (approvers), with the reason typed next to the button."""
    change = (
        state(request).need_catalog().reject(change_id, user.name, reason, expected_version=expected_version)
    )
    return _done(request, change, "reject")


@router.post("/review/{change_id}/submit")
def review_submit(
    request: Request, change_id: ChangeId, user: Editor, expected_version: Version = None
) -> Response:
    """Submit a draft for review from the review page (editors)."""
    change = state(request).need_catalog().submit(change_id, user.name, expected_version=expected_version)
    return _done(request, change, "submit")


def _done(request: Request, change: Any, action: str) -> Response:
    return render(request, "_change_done.html", {"change": to_json(change), "action": action})


@router.get("/audit")
def audit_page(
    request: Request,
    subject: str | None = Query(None, max_length=1000),
    limit: int = Query(200, ge=1, le=10_000),
) -> Response:
    """The audit log, newest first."""
    events = to_json(list(state(request).need_catalog().audit(limit=limit, subject=subject)))
    return render(request, "audit.html", {"events": events, "subject": subject})


@router.get("/datasets")
def datasets_page(request: Request) -> Response:
    """Canonical datasets."""
    return render(request, "datasets.html", views.datasets_view(state(request)))


@router.get("/datasets/{name}")
def dataset_page(request: Request, name: Name) -> Response:
    """One canonical dataset."""
    return render(request, "dataset.html", {"dataset": views.dataset_dict(state(request), name)})


# -- login ------------------------------------------------------------------------------------------------
@router.get("/login")
def login_page(request: Request, token: str | None = None, next: str = "/") -> Response:
    """Sign in with a token (``/login?token=…`` signs in directly: the link the demo prints).

    Opened from another site (``Sec-Fetch-Site`` cross-site or same-site), the link only fills the form:
    a page must not sign this browser in as someone else without the person clicking Sign in.
    """
    if token and request.headers.get("sec-fetch-site") not in ("cross-site", "same-site"):
        return _sign_in(request, token, next)
    return render(request, "login.html", {"next": next, "error": None, "token": token or ""})


@router.post("/login")
def login_submit(
    request: Request,
    user: Anyone,
    token: str = Form("", max_length=512),
    next: str = Form("/", max_length=2000),
) -> Response:
    """Sign in: sets the ``metricmind_token`` cookie."""
    return _sign_in(request, token.strip(), next)


def _sign_in(request: Request, token: str, next: str) -> Response:
    user = user_for_token(state(request), token) if token else None
    if user is None:
        return render(
            request,
            "login.html",
            {
                "next": next,
                "token": "",
                "error": {"error": "unauthorized", "message": "that token is not valid", "hint": None},
            },
            401,
        )
    response = RedirectResponse(local_path(next), status_code=303)
    secure = request.url.scheme == "https"  # served over TLS: the cookie never travels in clear
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=secure, max_age=30 * 24 * 3600)
    return response


def local_path(target: str) -> str:
    r"""``target`` when it is a path on this server, else ``/`` (a sign-in never redirects off-site).

    Browsers read ``/\evil.example`` (a backslash) as ``//evil.example``, and drop tabs and newlines from URLs, so a
    backslash or a control character anywhere is refused along with schemes and ``//`` hosts.
    """
    parts = urlsplit(target)
    if not target.startswith("/") or parts.scheme or parts.netloc or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return "/"
    return target


@router.get("/logout")
def logout(request: Request) -> Response:
    """Sign out."""
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE)
    return response
