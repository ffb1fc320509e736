"""The Ask box: a question → the resolved query (with the words behind each part), a link that opens it
in the query builder to adjust and run, and feedback that can teach the resolver a phrase.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from metricmind.errors import MetricmindError, QuestionTooLongError, UnknownNameError
from metricmind.interfaces.web.core import BadRequest, render, require, state, to_json
from metricmind.interfaces.web.guard import Anyone
from metricmind.resolve import MAX_QUESTION_CHARS, Resolver, add_synonym
from metricmind.resolve.feedback import Feedback, FeedbackStore

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["ask"])

MAX_QUESTION = MAX_QUESTION_CHARS  # resolving is CPU-bound and open to anonymous people: refused up front


def load_resolver(project: Any) -> Resolver | None:
    """The project's question resolver, or None when it cannot be built (a malformed synonyms file)."""
    try:
        return Resolver.for_project(project.model, project.root, values=project.dimension_values())
    except (MetricmindError, OSError):
        return None


def _as_of(text: str | None) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise BadRequest(f"as_of {text!r} is not a date", hint="Use YYYY-MM-DD.") from exc


def query_url(query: dict[str, Any] | None) -> str | None:
    """The query builder URL that reproduces (and runs) a resolved query."""
    if not query:
        return None
    params: list[tuple[str, str]] = [("metrics", m) for m in query.get("metrics") or []]
    for g in query.get("group_by") or []:
        if g.startswith("metric_time__"):
            params.append(("grain", g.split("__", 1)[1]))
        else:
            params.append(("group_by", g))
    params += [("where", w) for w in query.get("where") or []]
    for key in ("start", "end", "limit"):
        if query.get(key) is not None:
            params.append((key, str(query[key])))
    params += [("order_by", o) for o in query.get("order_by") or []]
    return "/query?" + urlencode(params)


def marked(question: str, spans: dict[str, list[dict[str, Any]]]) -> list[dict[str, str]]:
    """The question cut into plain and highlighted pieces (each piece names the part it was read as)."""
    cuts = sorted(
        ((s["start"], s["end"], part, str(s["target"])) for part, ss in spans.items() for s in ss),
        key=lambda c: c[0],
    )
    out: list[dict[str, str]] = []
    pos = 0
    for start, end, part, target in cuts:
        if start < pos:
            continue
        if start > pos:
            out.append({"text": question[pos:start], "part": "", "target": ""})
        out.append({"text": question[start:end], "part": part, "target": target})
        pos = end
    if pos < len(question):
        out.append({"text": question[pos:], "part": "", "target": ""})
    return out


def resolve(request: Request, q: str, as_of: str | None) -> dict[str, Any]:
    """The page context of one question."""
    if len(q) > MAX_QUESTION:
        raise QuestionTooLongError(len(q), MAX_QUESTION)
    resolver = request.app.state.resolver()
    ctx: dict[str, Any] = {
        "q": q,
        "as_of": as_of or "",
        "available": resolver is not None,
        "resolution": None,
    }
    if q.strip() and resolver is not None:
        data = resolver.resolve(q, as_of=_as_of(as_of)).to_dict()
        ctx["resolution"] = data
        ctx["pieces"] = marked(q, data["spans"])
        ctx["query_url"] = query_url(data.get("query"))
        ctx["comparison_url"] = query_url(data.get("comparison_query"))
    return ctx


@router.get("/ask")
def ask_page(request: Request, q: str = "", as_of: str | None = None) -> Response:
    """Ask a question; see how each word was read, then adjust and run it in the query builder."""
    return render(request, "ask.html", resolve(request, q, as_of))


@api_router.get("/ask")
def ask_api(request: Request, q: str, as_of: str | None = None) -> Any:
    """Resolve a question (the ``metricmind ask --json`` shape, with ``query_url`` for the explorer)."""
    ctx = resolve(request, q, as_of)
    if not ctx["available"]:
        raise MetricmindError(
            "the question resolver is not available", hint="Check the project's synonyms file."
        )
    data = dict(ctx["resolution"] or {})
    data["query_url"] = ctx.get("query_url")
    return to_json(data)


@router.post("/ask/feedback")
def ask_feedback(
    request: Request,
    user: Anyone,
    q: str = Form(..., max_length=MAX_QUESTION),
    verdict: str = Form(..., max_length=20),
    phrase: str = Form("", max_length=200),
    target: str = Form("", max_length=300),
    as_of: str = Form("", max_length=20),
) -> Response:
    """Record a verdict on an answer; an editor's correction (phrase → target) teaches the resolver."""
    st = state(request)
    learned: list[dict[str, str]] = []
    phrase, target = " ".join(phrase.split()).lower(), target.strip()
    if verdict == "incorrect" and phrase and target:
        require(request, "editor")  # learning writes a file of the project
        kind = _kind(st, request.app.state.resolver(), target)
        add_synonym(st.project.root, kind, phrase, target)
        learned.append({"kind": kind, "phrase": phrase, "target": target})
        request.app.state.search_reset()
    FeedbackStore.of(st.project.root).append(
        Feedback(question=q, verdict=verdict, user=user.name if user else None, learned=learned)
    )
    query = urlencode({"q": q, **({"as_of": as_of} if as_of else {}), "thanks": "1"})
    return RedirectResponse(f"/ask?{query}", status_code=303)


def _kind(st: Any, resolver: Any, target: str) -> str:
    """``metric``, ``dimension`` or ``value`` (``dimension=value``) for a known target."""
    model = st.project.model
    dims = dict(resolver.lex.dims) if resolver is not None else {}
    if target in model.metrics:
        return "metric"
    if target in dims:
        return "dimension"
    name, _, value = target.partition("=")
    if value and name in dims and (not dims[name].values or value in dims[name].values):
        return "value"
    raise UnknownNameError("metric or dimension", target, [*model.metrics, *dims])
