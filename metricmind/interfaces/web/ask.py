"""The Ask box: a question → the resolved query (with the words behind each part), a link that opens it
in the query builder to adjust and run, and feedback that can teach the signed-in editor a word (theirs at
once, everyone's after review: ``Project.learn``).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from metricmind.errors import MetricmindError, QuestionTooLongError
from metricmind.interfaces.web import analyses
from metricmind.interfaces.web.core import BadRequest, current_user, render, require, state, to_json
from metricmind.interfaces.web.guard import Anyone
from metricmind.interfaces.web.runner import run_query
from metricmind.project import Project
from metricmind.resolve import MAX_QUESTION_CHARS, Resolver
from metricmind.resolve.feedback import Feedback, FeedbackStore
from metricmind.resolve.narrate import Rows, narrate
from metricmind.resolve.resolution import Resolution
from metricmind.spec.vocabulary import VOCABULARY_FILE

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["ask"])

MAX_QUESTION = MAX_QUESTION_CHARS  # resolving is CPU-bound and open to anonymous people: refused up front


def load_resolver(project: Any) -> Resolver | None:
    """The project's question resolver (shared words only), or None when it cannot be built."""
    try:
        resolver: Resolver = project.resolver()
        return resolver
    except (MetricmindError, OSError):
        return None


def vocabulary_signature(root: Path) -> tuple[int, int] | None:
    """When and how big the shared vocabulary file is (None without one): a change rebuilds the resolver."""
    try:
        stat = (root / VOCABULARY_FILE).stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def resolver_for(request: Request) -> Resolver | None:
    """The resolver for this request: the shared one, or one with the signed-in user's own words."""
    shared: Resolver | None = request.app.state.resolver()
    user = current_user(request)
    st = state(request)
    if user is None or shared is None or st.catalog is None:
        return shared
    if not st.project.vocabulary.own(user.name):
        return shared
    own: Resolver = st.project.resolver(user.name)
    return own


def _expected(text: str) -> dict[str, Any] | None:
    """The right query of a correction (JSON), or None."""
    if not text.strip():
        return None
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise BadRequest(
            f"expected is not JSON: {exc}", hint='Send a query, e.g. {"metrics": ["<metric>"]}.'
        ) from exc
    if not isinstance(value, dict):
        raise BadRequest(
            "expected is not a JSON object", hint='Send a query, e.g. {"metrics": ["<metric>"]}.'
        )
    return value


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


def example_question(project: Project) -> str:
    """A question this project's own catalog answers, for the empty form: its first metric by its first
    categorical dimension, last quarter against the same quarter last year.
    """
    metrics = sorted(project.model.metrics.values(), key=lambda m: m.name)
    for m in metrics:
        try:
            dims = [d.name for d in project.dimensions(m.name) if d.type == "categorical"]
        except MetricmindError:
            continue
        if dims:
            by = dims[0].split("__")[-1].replace("_", " ")
            return f"{m.label or m.name} by {by} last quarter vs the same quarter last year"
    return f"{metrics[0].label or metrics[0].name} last month" if metrics else "a metric by a dimension"


def resolve(request: Request, q: str, as_of: str | None) -> dict[str, Any]:
    """The page context of one question."""
    if len(q) > MAX_QUESTION:
        raise QuestionTooLongError(len(q), MAX_QUESTION)
    resolver = resolver_for(request)
    ctx: dict[str, Any] = {
        "q": q,
        "as_of": as_of or "",
        "available": resolver is not None,
        "resolution": None,
        "example_question": example_question(state(request).project),
    }
    if q.strip() and resolver is not None:
        user = current_user(request)
        asked = state(request).project.ask(
            q, as_of=_as_of(as_of), user=user.name if user else None, source="web", resolver=resolver
        )
        res = asked.resolution
        data = res.to_dict()
        warnings = state(request).project.deprecation_warnings(data.get("metrics") or [])
        if warnings:
            data["warnings"] = warnings
        ctx["resolution"] = data
        if res.answerable and res.analysis is None:
            ctx["answer"] = answer(request, res)
        ctx["pieces"] = marked(q, data["spans"])
        ctx["query_url"] = query_url(data.get("query"))
        ctx["comparison_url"] = query_url(data.get("comparison_query"))
        if data.get("analysis") and data["answerable"]:
            ctx["analysis"] = analyses.answer_question(request, data["analysis"])
    return ctx


def answer(request: Request, res: Resolution) -> str | None:
    """The answer as an analyst gives it (the reading in words, the figures with totals, the change
    against the comparison period or across a trend, the dates spelled out, the assumptions), or None
    when the query cannot run here.
    """
    st, who = state(request), current_user(request)
    user = who.name if who else None
    main, comparison = res.metric_query(), res.metric_query(comparison=True)
    if main is None:
        return None
    try:
        result = run_query(st, main, user)
        before = run_query(st, comparison, user) if comparison is not None else None
    except MetricmindError:
        return None  # the resolved query is still shown, with the link to run it in the query builder
    return narrate(
        res,
        st.project.model,
        Rows(result.columns, result.rows),
        Rows(before.columns, before.rows) if before is not None else None,
    )


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
    if ctx.get("answer"):
        data["answer"] = ctx["answer"]
    if ctx.get("analysis"):
        data["analysis_answer"] = ctx["analysis"]  # an attribution question, answered (see analyses.py)
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
    expected: str = Form("", max_length=4000),
) -> Response:
    """Record a verdict on an answer; an editor's correction (phrase → target) teaches them a word.

    The word applies to the signed-in editor at once and is submitted for review; it applies to everyone
    once an approver other than them approves it. A phrase that is already a name is refused.
    ``expected`` (the right query as JSON, with verdict ``incorrect``) leaves a reflexion note in memory,
    governed the same way (``metricmind learn review``).
    """
    st = state(request)
    learned: list[dict[str, str]] = []
    entry = Feedback(question=q, verdict=verdict, user=user.name if user else None)  # checks the verdict
    taught: dict[str, str] = {}
    right = _expected(expected)
    if right is not None:
        editor = require(request, "editor")  # a correction changes answers: an editor's, reviewed for others
        note = st.project.answer_feedback(q, verdict, user=editor.name, expected=right, as_of=_as_of(as_of))
        taught["noted"] = str(note["note"])
    else:
        try:
            st.project.answer_feedback(q, verdict, user=entry.user, as_of=_as_of(as_of))
        except MetricmindError:
            pass  # a verdict alone is kept in the feedback file even when the memory is down
    if verdict == "incorrect" and phrase.strip() and target.strip():
        editor = require(request, "editor")  # teaching stores a word in the catalog
        word = st.project.learn(editor.name, phrase, target, question=q)
        learned.append({k: str(word[k]) for k in ("id", "kind", "phrase", "target", "state")})
        taught = {"taught": str(word["id"])}
    FeedbackStore.of(st.project.root).append(
        Feedback(question=entry.question, verdict=entry.verdict, user=entry.user, learned=learned)
    )
    params = {"q": q, **({"as_of": as_of} if as_of else {}), "thanks": "1", **taught}
    return RedirectResponse(f"/ask?{urlencode(params)}", status_code=303)
