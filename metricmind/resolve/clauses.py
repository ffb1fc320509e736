"""The request inside a long, polite question, and the context around it.

People who write full sentences wrap the request in context: "For the board pack I need ARR by segment",
"We're deciding whether to invest more in the mobile apps, so could you show me active users per
platform", "Quick context: we shipped a new alerts UX in April. Can you give me alerts events by week",
"… broken down by region if possible". The request is the clause a request opens ("can you", "could
you", "I need", "I want to see", "wants to know", "show me", …: English grammar, not any catalog's
words), or, with no such opener, the sentence that asks (ends with "?" or starts with a question word).
Everything else is context:

- the lead-in before the opener (a purpose phrase, a sentence of its own, a subject: "Our agency");
- the other sentences;
- a closing condition of the request's sentence ("if possible", "if you can", "when you get a chance").

``request_only`` blanks the context with spaces (so every character offset still points into the question
as typed) and names what it blanked. The resolver reads the question both ways and keeps the request-only
reading only when it is strictly better (answerable where the whole was not, or more confident): a
lead-in that is the request's own ("For Q2, can you show me MRR") reads as well in the whole question, so
the whole question wins the tie and its dates stay; words or dates of a context clause ("we shipped … in
April") neither refuse the question nor leak into it. A request that is nonsense stays refused: the
request alone is read by the same passes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPENER = re.compile(
    r"""\b(?:
        (?:can|could|would|will)\s+(?:you|u|someone|somebody|i|we)\b
      | (?:i|we)(?:\s+would|\s+'d|'d|’d)?\s+(?:really\s+)?(?:need|want|like|love)\b
      | (?:i'm|i’m|im|i\s+am|we're|we’re|we\s+are)\s+(?:looking\s+for|after|hoping\s+to\s+see)\b
      | wants?\s+to\s+(?:know|see|understand|find\s+out|look\s+at)\b
      | (?:show|give|tell|send|get|pull|share|find)\s+(?:me|us)\b
      | please\s+(?:show|give|pull|send|share|list|break)\b
      | let\s+me\s+(?:see|know)\b
    )""",
    re.X | re.I,
)
"""Words that open a request ("can you show me", "I need", "our agency wants to know")."""

_ASKS = re.compile(r"^\s*(?:how|what|which|who|where|when|why|is|are|did|does|do|was|were)\b", re.I)
"""A sentence that asks by its first word."""

_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=\S)")
"""Where one sentence ends and the next begins (a full stop, question or exclamation mark, then a space)."""

_CONDITION = re.compile(
    r"""[,;]?\s*\b(?:
        if\s+(?:possible|you\s+can|you\s+could|you\s+have|that's|that\s+is|it's|it\s+is|there's|feasible|easy)
      | when(?:ever)?\s+you\s+(?:can|get|have)
      | as\s+soon\s+as
      | (?:thanks|thank\s+you|cheers|thx|ty)\b
    )[^.?!]*[.?!]*\s*$""",
    re.X | re.I,
)
"""A closing condition or thanks at the end of the request ("… by region if possible.")."""


_BARE_LEAD = re.compile(
    r"^\s*(?:for|in|on|at|among|across|within|with|ahead\s+of|before|after|regarding|re|about|as)\b(?!.*\b(?:i|we|they|he|she|you|i'm|we're|it's)\b)",
    re.I,
)
"""A lead-in that is a phrase, not a sentence ("For the board pack", "For our Japanese customers"): it may
qualify the request, so the resolver keeps it when it names who is asked about."""


@dataclass(frozen=True)
class RequestOnly:
    """A question with its context blanked (same length, same offsets), the context's text, and the lead-in
    when it is a bare phrase (no subject of its own) that may qualify the request.
    """

    text: str
    context: tuple[str, ...]
    bare_lead: str | None = None


def _sentences(question: str) -> list[tuple[int, int]]:
    """Character ranges of the question's sentences; a piece of fewer than four words ("e.g. MRR",
    "q1 vs q4") is no sentence of its own and stays with the one before (or after, when first).
    """
    cuts = [0] + [m.end() for m in _SENTENCE_END.finditer(question)] + [len(question)]
    pieces = list(zip(cuts, cuts[1:], strict=False))
    out: list[tuple[int, int]] = []
    for a, b in pieces:
        if out and (len(question[a:b].split()) < 4 or len(question[out[-1][0] : out[-1][1]].split()) < 4):
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _request_sentence(question: str, sentences: list[tuple[int, int]]) -> int | None:
    """The index of the sentence that holds the request: the first with an opener followed by words, else
    the one that asks (a question mark or a question word), when exactly one does.
    """
    for k, (a, b) in enumerate(sentences):
        m = _OPENER.search(question, a, b)
        if m is not None and len(question[m.end() : b].split()) >= 2:
            return k
    asking = [
        k
        for k, (a, b) in enumerate(sentences)
        if question[a:b].rstrip().endswith("?") or _ASKS.match(question[a:b])
    ]
    return asking[0] if len(asking) == 1 else None


def request_only(question: str) -> RequestOnly | None:
    """The question with its context blanked, or None when it has none (one plain request)."""
    sentences = _sentences(question)
    k = 0 if len(sentences) == 1 else _request_sentence(question, sentences)
    if k is None:
        return None
    a, b = sentences[k]
    opener = _OPENER.search(question, a, b)
    if opener is not None and len(question[opener.end() : b].split()) >= 2:
        a = opener.start()  # the lead-in before "can you …" is context
    cond = _CONDITION.search(question, a, b)
    if cond is not None and len(question[a : cond.start()].split()) >= 2:
        b = cond.start()  # "… if possible": a condition of the asking, not of the question
    if a == 0 and b == len(question):
        return None
    blanked = " " * a + question[a:b] + " " * (len(question) - b)
    context = tuple(
        part
        for part in (question[:a].strip(" ,;:-–—"), question[b:].strip(" ,;:-–—.?!"))
        if part and any(ch.isalnum() for ch in part)
    )
    if not context:
        return None
    lead = question[sentences[k][0] : a]
    return RequestOnly(blanked, context, lead if lead.strip() and _BARE_LEAD.match(lead) else None)
