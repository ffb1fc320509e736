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
- a closing condition of the request's sentence ("if possible", "if you can", "when you get a chance");
- a greeting ended by "!" before the question ("hi team!", "morning folks!").

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

from metricmind.resolve.asides import set_apart

_VERB = (
    r"(?:\s+(?:please|pls|kindly|quickly|just|also))?"
    r"(?:\s+(?:pull|put|get|dig|send|share|give|show|tell|find|run|grab|fetch|look|see|check|provide|prepare"
    r"|compile|have|know|understand|confirm|calculate|compute|work\s+out|figure\s+out|break\s+down)"
    r"(?:\s+(?:me|us))?(?:\s+(?:together|up|out|over|at|into))?)?"
)
"""The verb of the asking right after an opener ("could you pull together …"): asking, not asked."""

_OPENER = re.compile(
    r"""\b(?:
        (?:can|could|would)\s+(?:you|u|someone|somebody)\b
      | (?:can|could|may)\s+(?:i|we)\s+(?:see|get|have)\b
      | (?:would|is)\s+it\s+(?:be\s+)?possible\s+to\b
      | (?:i|we|and|so)(?:\s+would|\s+'d|'d|’d)?\s+(?:really\s+)?(?:need|want|like|love)(?:\s+to)?\b
      | (?:i|we)(?:'m|’m|\s+am|'re|’re|\s+are)?\s+(?:curious|wondering|wonder|unsure|not\s+sure)(?:\s+(?:about|as\s+to))?\b
      | (?:i'm|i’m|im|i\s+am|we're|we’re|we\s+are)\s+(?:looking\s+for|after|hoping\s+to\s+see)\b
      | wants?\s+to\s+(?:know|see|understand|find\s+out|look\s+at)\b
      | (?:she|he|ceo|cfo|coo|cto|boss)\s+wants\b(?!\s+to\b)
      | (?:is|are|was|were|keeps?|kept)\s+asking(?:\s+(?:me|us))?(?:\s+(?:for|about))?\b
      | (?:show|give|tell|send|get|pull|share|find)\s+(?:me|us)\b
      | please\b
      | let\s+me\s+(?:see|know)\b
    )"""
    + _VERB,
    re.X | re.I,
)
"""Words that open a request ("can you show me", "I need", "our agency wants to know")."""

_ASKS = re.compile(
    r"^\s*(?:how|what|which|who|where|when(?!\s+(?:you|u)\b)|why|is|are|did|does|do|was|were)\b", re.I
)
"""A sentence that asks by its first word ("when you get a moment, …" asks nothing: a condition)."""

_GOES_ON = re.compile(r"^\s*(?:also|and|plus|then|additionally|oh and|p\.?s\.?)\b", re.I)
"""A sentence that goes on with the request before it ("Also, split it by segment too.")."""

_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=\S)")
"""Where one sentence ends and the next begins (a full stop, question or exclamation mark, then a space)."""

_CONDITION = re.compile(
    r"""[,;]?\s*\b(?:
        if\s+(?:possible|you\s+can|you\s+could|you\s+have|that'?s|that\s+is|it'?s|it\s+is|there'?s|feasible|easy)
      | when(?:ever)?\s+you\s+(?:can|get|have)
      | as\s+soon\s+as
      | (?:thanks|thank\s+you|cheers|thx|ty)\b
      | for\s+(?:her|his)\s+(?:[a-z]+\s+)?(?:call|meeting|deck|presentation|update|review|prep|sync|pitch|talk
            |slides|memo|offsite|briefing)\b(?:\s*,\s*(?:thanks|thank\s+you|cheers|thx|ty)\b)?
      | (?:before|by|ahead\s+of)\s+(?:the\s+|her\s+|his\s+|my\s+|our\s+)?\d{1,2}(?::\d\d)?\s*(?:am|pm)\b
      | (?:would|could|can|will)\s+(?:you|u)\s+(?:mind\s+)?(?:check|checking|confirm|confirming|look|looking|help)\b
      | (?:too|as\s+well)(?=\s*[.?!]*\s*$)
    )[^.?!,]*[.?!]*\s*$""",
    re.X | re.I,
)
"""A closing condition or thanks at the end of the request ("… by region if possible.")."""


_MID_CONDITION = re.compile(
    r"(?<=,)\s*(?:if\s+possible|if\s+you\s+can|where\s+possible|ideally|if\s+it's\s+easy"
    r"|(?:for|as\s+part\s+of)\s+(?:a|an|my|our|the\s+(?:board|team|deck|meeting|review|report))\b[^,.?!]{0,40})\s*,",
    re.I,
)
"""A condition or purpose set off by commas inside the request ("Also, if possible, split it by segment", "I
need, for a planning doc, …")."""

_BARE_LEAD = re.compile(
    r"^\s*(?:for|in|on|at|among|across|within|with|ahead\s+of|before|after|regarding|re|about|as)\b(?!.*\b(?:i|we|they|he|she|you|i'm|we're|it's)\b)",
    re.I,
)
"""A lead-in that is a phrase, not a sentence ("For the board pack", "For our Japanese customers"): it may
qualify the request, so the resolver keeps it when it names who is asked about."""


_GREETING = re.compile(r"^\s*(?!(?:how|what|which|who|where|when|why)\b)(?:[^\W\d_]+[\s,]*){1,4}!+\s*", re.I)
"""A greeting before the question, ended by "!" ("hi team!", "morning folks!"): a few words, none a number."""


@dataclass(frozen=True)
class RequestOnly:
    """A question with its context blanked (same length, same offsets), the context's text, and the lead-in
    when it is a bare phrase (no subject of its own) that may qualify the request.
    """

    text: str
    context: tuple[str, ...]
    bare_lead: str | None = None
    aside: bool = False
    """Set apart by punctuation alone (``asides``): no value the whole question's reading applies may be lost."""


def _sentences(question: str) -> list[tuple[int, int]]:
    """Character ranges of the question's sentences; a piece of fewer than four words ("e.g. MRR",
    "q1 vs q4") is no sentence of its own and stays with the one before (or after, when first).
    """
    cuts = [0] + [m.end() for m in _SENTENCE_END.finditer(question)] + [len(question)]
    pieces = list(zip(cuts, cuts[1:], strict=False))
    out: list[tuple[int, int]] = []
    for a, b in pieces:
        if out and (
            len(question[a:b].split()) < 4
            or len(question[out[-1][0] : out[-1][1]].split()) < 4
            or _GOES_ON.match(question[a:b])
        ):
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _opener(question: str, a: int, b: int) -> re.Match[str] | None:
    """The first opener of the sentence ``a``..``b`` with a request of two words or more after it (none
    inside a sentence that asks by its first word: "how many customers will we sign", "what do you see").
    """
    if _ASKS.match(question[a:b]):
        return None
    for m in _OPENER.finditer(question, a, b):
        if len(question[m.end() : b].split()) >= 2:
            return m
    return None


def _asks(question: str, a: int, b: int) -> bool:
    """Whether the sentence ``a``..``b`` asks: a question mark, or a question word first."""
    return question[a:b].rstrip().endswith("?") or bool(_ASKS.match(question[a:b]))


_ASIDE = re.compile(r"(?::|\s[-–—]|,)\s+(?=(?:how|what|which|who|where|when|why|whats|what's)\b)", re.I)
"""A lead-in ended by a colon, dash or comma before a question word ("The sales team is asking: what's
our NRR", "Just to double check the deck, what was MRR …")."""


def _one(question: str, a: int, b: int) -> RequestOnly | None:
    """The sentence ``a``..``b`` as the request (its lead-in and closing condition blanked too)."""
    start = a
    opener = _opener(question, a, b)
    if opener is not None:
        a = opener.end()  # "… can you pull together": the lead-in and the asking are context
    else:
        asides = list(_ASIDE.finditer(question, a, b))
        if asides:
            a = asides[-1].end()  # the last one: the question asked after every lead-in
    cond = _CONDITION.search(question, a, b)
    if cond is not None and len(question[a : cond.start()].split()) >= 2:
        b = cond.start()  # "… if possible": a condition of the asking, not of the question
    if a == 0 and b == len(question):
        return None
    inside = _MID_CONDITION.sub(lambda m: " " * len(m.group(0)), question[a:b])
    blanked = " " * a + inside + " " * (len(question) - b)
    asked_from = opener.start() if opener is not None else a  # (the opener itself is no context)
    context = tuple(
        part
        for part in (question[:asked_from].strip(" ,;:-–—"), question[b:].strip(" ,;:-–—.?!"))
        if part and any(ch.isalnum() for ch in part)
    )
    lead = question[start:asked_from]
    return RequestOnly(blanked, context, lead if lead.strip() and _BARE_LEAD.match(lead) else None)


def request_candidates(question: str) -> list[RequestOnly]:
    """Readings of the question as one request with its context blanked, most likely first: each sentence
    that asks with an opener ("Can you give me …?"), then one that asks, then one with an opener; a
    sentence that does neither is never the request. A question of one sentence is its own candidate.
    """
    sentences = _sentences(question)
    ranked: list[tuple[int, int]] = []
    for k, (a, b) in enumerate(sentences):
        opener, asks = _opener(question, a, b) is not None, _asks(question, a, b)
        if opener or asks or len(sentences) == 1:
            ranked.append((0 if opener and asks else 1 if asks else 2, k))
    out: list[RequestOnly] = []
    hello = _GREETING.match(question)
    if hello is not None and hello.end() < len(question):
        said = hello.group(0)
        out.append(RequestOnly(" " * len(said) + question[len(said) :], (said.strip(" !,"),)))
    for _, k in sorted(ranked)[:4]:
        one = _one(question, *sentences[k])
        if one is not None:
            out.append(one)
    taken = {c.text for c in out}
    for a, b in set_apart(
        question
    ):  # "quick one before the LP update: arr yoy", "total invoiced - finance …"
        blanked = " " * a + question[a:b] + " " * (len(question) - b)
        context = tuple(
            p.strip(" ,;:-–—.?!") for p in (question[:a], question[b:]) if any(ch.isalnum() for ch in p)
        )
        if blanked not in taken:
            out.append(RequestOnly(blanked, context, aside=True))
    return out


def request_only(question: str) -> RequestOnly | None:
    """The most likely request of the question with its context blanked, or None (one plain request)."""
    found = request_candidates(question)
    return found[0] if found else None


_INCLUSIVE = re.compile(
    r"""\(\s*[^()]*?[,;]\s*(?:and\s+|or\s+)?
        (?:all\s+of\s+(?:it|them|that|those)|all\s+(?:kinds|types|channels)|everything|etc\.?|and\s+so\s+on
          |and\s+the\s+rest|the\s+(?:lot|works)|whatever)\s*\)""",
    re.X | re.I,
)
"""A parenthesis listing examples that ends by saying all of them count ("(emails, ads, events, all of it)")."""


def without_inclusive_lists(question: str) -> str:
    """``question`` with each parenthesis of examples that ends "all of it" (``_INCLUSIVE``) blanked, its
    characters kept in place: the list says what the total takes in, never a filter or another metric.
    """
    return _INCLUSIVE.sub(lambda m: " " * len(m.group(0)), question)
