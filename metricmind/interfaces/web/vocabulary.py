"""Learned words on the web: the review queue's buttons and ``/api/vocabulary``.

A word applies to its author at once and to everyone once an approver other than its author approves it
(``Project.learn`` / ``Project.approve_word``; see docs/ask.md). Reads are open; each write names its
role (``Editor``, ``Approver``), and the store enforces the rest (only the author edits, submits or
removes a word that is theirs alone; nobody approves their own word; a shared word takes an approver
to remove).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from metricmind.interfaces.web import drafts
from metricmind.interfaces.web.core import render, state, to_json
from metricmind.interfaces.web.guard import Approver, Editor

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["vocabulary"])

WordId = Annotated[int, Path(ge=1, le=drafts.MAX_ID, description="a learned word's id")]
MAX_PHRASE = 200
MAX_TARGET = 300


class WordBody(BaseModel):
    """A word to teach: ``phrase`` means ``target`` (a metric, a dimension, or ``dimension=value``)."""

    phrase: str = Field(..., max_length=MAX_PHRASE, examples=["recurring dosh"])
    target: str = Field(..., max_length=MAX_TARGET, examples=["<metric>"])
    submit: bool = Field(True, description="submit it for review at once (else it stays yours alone)")


class TargetBody(BaseModel):
    """A new target for one's own word."""

    target: str = Field(..., max_length=MAX_TARGET, examples=["customer__region"])


class ReasonBody(BaseModel):
    """Why a word is rejected."""

    reason: str = Field("", max_length=drafts.MAX_TEXT)


def _reset(request: Request) -> None:
    """Words changed: rebuild the cached resolver on the next question."""
    request.app.state.search_reset()


# -- review page buttons ---------------------------------------------------------------------------
@router.post("/review/vocabulary/{word_id}/approve")
def review_approve(request: Request, word_id: WordId, user: Approver) -> Response:
    """Approve a learned word from the review page (approvers, not its author): everyone's from now on."""
    word = state(request).project.approve_word(word_id, user.name)
    _reset(request)
    return render(request, "_word_done.html", {"word": to_json(word), "action": "approve"})


@router.post("/review/vocabulary/{word_id}/reject")
def review_reject(
    request: Request,
    word_id: WordId,
    user: Approver,
    reason: Annotated[str, Form(max_length=drafts.MAX_TEXT)] = "",
) -> Response:
    """Reject a learned word from the review page (approvers); it stays its author's own."""
    word = state(request).project.vocabulary.reject(word_id, user.name, reason)
    return render(request, "_word_done.html", {"word": to_json(word), "action": "reject"})


# -- API -------------------------------------------------------------------------------------------
@api_router.get("/vocabulary")
def list_words(
    request: Request,
    state_: Annotated[str | None, Query(alias="state", max_length=16)] = None,
    author: Annotated[str | None, Query(max_length=128)] = None,
) -> dict[str, Any]:
    """Learned words (of one state: draft, in_review, approved, rejected; of one author), newest first,
    and ``shared``: the shared words as ``metricmind/vocabulary.yml`` holds them.
    """
    vocabulary = state(request).project.vocabulary
    return {
        "words": to_json(vocabulary.entries(state_, author)),
        "shared": [w.to_dict() for w in vocabulary.shared()],
    }


@api_router.post("/vocabulary", status_code=201)
def learn(request: Request, body: WordBody, user: Editor) -> dict[str, Any]:
    """Teach a word (editor): it applies to you at once and, submitted, to everyone once approved."""
    word = state(request).project.learn(user.name, body.phrase, body.target, submit=body.submit)
    return {"word": to_json(word)}


@api_router.put("/vocabulary/{word_id}")
def edit(request: Request, word_id: WordId, body: TargetBody, user: Editor) -> dict[str, Any]:
    """Point your own word at another target; it goes back to review."""
    return {"word": to_json(state(request).project.edit_word(word_id, user.name, body.target))}


@api_router.post("/vocabulary/{word_id}/submit")
def submit(request: Request, word_id: WordId, user: Editor) -> dict[str, Any]:
    """Submit your own draft word for review."""
    return {"word": to_json(state(request).project.vocabulary.submit(word_id, user.name))}


@api_router.post("/vocabulary/{word_id}/approve")
def approve(request: Request, word_id: WordId, user: Approver) -> dict[str, Any]:
    """Approve a word in review (approver, not its author): it applies to everyone."""
    word = state(request).project.approve_word(word_id, user.name)
    _reset(request)
    return {"word": to_json(word)}


@api_router.post("/vocabulary/{word_id}/reject")
def reject(request: Request, word_id: WordId, body: ReasonBody, user: Approver) -> dict[str, Any]:
    """Reject a word in review (approver), with a reason; it stays its author's own."""
    return {"word": to_json(state(request).project.vocabulary.reject(word_id, user.name, body.reason))}


@api_router.delete("/vocabulary/{word_id}")
def remove(request: Request, word_id: WordId, user: Editor) -> dict[str, Any]:
    """Remove a word: your own while it is yours alone; a shared one needs an approver."""
    word = state(request).project.vocabulary.remove(word_id, user.name)
    _reset(request)
    return {"word": to_json(word), "removed": True}
