"""A request set off from its context by a colon, a dash or closing brackets, whatever its first word: "quick one
before the LP update: arr yoy at q1 close" (the lead-in, then the request), "total invoiced for q1 - finance wants
it tied out to the crm", "F&B revenue Q4 excluding Bristol (different currency)" (the request, then a remark). ``clauses`` offers these as further readings of the request
alone; the resolver keeps one only when it reads strictly better than the whole question (English punctuation,
not any catalog's words).
"""

from __future__ import annotations

import re

_LEAD = re.compile(r":\s+")
"""A colon ending a lead-in (followed by a space: never a time such as 10:30)."""
_REMARK = re.compile(r"\s+[-–—]+\s+")
"""A dash with spaces around it, setting a remark apart."""
_BRACKETED = re.compile(r"\s*\(([^()]*)\)[\s.!?]*$")
"""A remark in brackets closing the question ("… excluding Bristol (different currency)")."""
_BREAKDOWN = re.compile(r"\b(?:by|per|split|broken)\b", re.I)
"""Words that ask for a breakdown: a part holding one is never context."""


def set_apart(question: str) -> list[tuple[int, int]]:
    """Character ranges of the request when a colon ends a lead-in before it, or a dash sets a remark apart
    after it (``_apart``).
    """
    out: list[tuple[int, int]] = []
    lead = _LEAD.search(question)
    if lead is not None and _apart(question[: lead.start()], question[lead.end() :]):
        out.append((lead.end(), len(question)))
    remark = _REMARK.search(question)
    if remark is not None and _apart(question[remark.end() :], question[: remark.start()]):
        out.append((0, remark.start()))
    bracket = _BRACKETED.search(question)
    if bracket is not None and _apart(bracket.group(1), question[: bracket.start()]):
        out.append(
            (0, bracket.start())
        )  # "F&B revenue Q4 excluding Bristol (different currency)": why, not what
    return out


def _apart(context: str, request: str) -> bool:
    """Whether ``context`` may be set apart from ``request``: two words or more each, and no breakdown asked in
    the context ("arr last month - for the board, by headcount": the breakdown is the request's own).
    """
    return _words(request) >= 2 and _words(context) >= 2 and not _BREAKDOWN.search(context)


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def read_whole(context: tuple[str, ...], notes: list[str]) -> bool:
    """Whether the whole question's reading explained every word of the ``context`` set apart (no note of it
    says it ignored one of them): "viewers vs admins: …" names who is asked about, while "… - need it for the
    credit committee" is chat whatever a word of it might match.
    """
    words = {w.lower() for part in context for w in re.findall(r"\w+", part)}
    quoted = {w.lower() for n in notes if n.startswith("ignored") for w in re.findall(r"'([^']+)'", n)}
    return not (words & quoted)
