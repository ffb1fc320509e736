"""A sum of two parts ("IAP revenue plus ad revenue"): each part is built alone, then added, as a difference
is subtracted (``combine.difference_of``). A rule that names one part as its subject ("IAP is gross …",
"ad revenue is the mediation revenue") is that part's, not both parts'. Pure and deterministic.
"""

from __future__ import annotations

import re

from metricmind.define.words import GLUE, content, stems

PLUS = re.compile(r"^(?P<num>.+?)\s+(?:plus|added to)\s+(?P<den>.+)$", re.I)

#: A rule whose subject is a word of the definition ("IAP is gross in USD", "ad revenue is the …").
_SUBJECT = re.compile(r"^(?:the\s+)?(?P<subject>[\w\s-]{1,40}?)\s+(?:is|are|means|counts?)\s", re.I)


def total(text: str) -> tuple[str, str] | None:
    """(left, right) of "X plus Y" (after a "Total income:" lead), else None."""
    body = text.strip().rstrip(".")
    if ":" in body:
        body = body.split(":", 1)[1].strip()
    m = PLUS.match(body)
    if m is None:
        return None
    left, right = m.group("num").strip(" ,"), m.group("den").strip(" ,")
    if not content(left) or not content(right):
        return None
    return left, right


def _words(text: str) -> set[str]:
    return {w for w in stems(text.lower().replace("-", " ").replace("_", " ")) if w not in GLUE}


def subject_side(rule: str, left: str, right: str) -> int | None:
    """0 or 1 when ``rule``'s subject names the words of one side only ("IAP is …" of "IAP revenue plus ad
    revenue": the left), else None.
    """
    m = _SUBJECT.match(rule.strip())
    if m is None:
        return None
    said = _words(m.group("subject"))
    if not said:
        return None
    mine, theirs = said <= _words(left), said <= _words(right)
    if mine == theirs:
        return None
    return 0 if mine else 1
