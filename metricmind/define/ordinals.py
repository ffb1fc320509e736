"""Rules that keep first rows only and later rows only of the same things: a contradiction, refused as one.

"Only loans that are the borrower's first loan with us" with "only borrowers who already had an earlier loan
with us (not their first)", or "only retakes: a learner's second or later attempt" with "count only first
attempts": each rule alone reads (a flag ``is_first_loan``, an ``attempt_number``), or one is left unread or
refused for a value it does not find ("later"), which hides why nothing can be answered: the two keep no
row in common. Two restricting rules ("only", "just", "exclusively") about the same rows (a word of both),
one keeping first ones and the other second, later, repeat or not-first ones, are refused as
``contradictory_rules`` with both named. Pure and deterministic.
"""

from __future__ import annotations

import re

from metricmind.define.build import refuse
from metricmind.define.proposal import Proposal
from metricmind.define.words import content

#: A rule that restricts rows.
_ONLY = re.compile(r"\b(only|just|exclusively|solely)\b", re.IGNORECASE)
#: Rows that come after the first ("second or later", "retakes", "not their first", "an earlier loan").
_LATER = re.compile(
    r"\b(second|third|later|subsequent|repeat\w*|retake\w*|retr(?:y|ies)|returning|"
    r"(?:not|never)\s+(?:[\w']+\s+){0,2}first|already\s+had|earlier\s+\w+)\b",
    re.IGNORECASE,
)
#: The first rows.
_FIRST = re.compile(r"\bfirst\b", re.IGNORECASE)
#: Words of the cues themselves (never the rows both rules are about).
_CUE_WORDS = frozenset(
    "only just exclusively solely first second third later subsequent repeat retake retakes retry retries "
    "returning earlier already had count counts counted not never".split()
)


def _keeps_first(text: str) -> bool:
    return bool(_FIRST.search(text)) and not _LATER.search(text)


def _keeps_later(text: str) -> bool:
    return bool(_LATER.search(text))


def _rows(text: str) -> set[str]:
    """The content words of ``text`` that are no cue, each without a plural s."""
    return {w[:-1] if w.endswith("s") and len(w) > 3 else w for w in content(text)} - _CUE_WORDS


def clash(rules: tuple[str, ...]) -> tuple[str, str] | None:
    """Two restricting rules about the same rows, one keeping the first ones, the other later ones."""
    restricting = [r for r in rules if _ONLY.search(r)]
    for a in restricting:
        if not _keeps_first(a):
            continue
        for b in restricting:
            if b is not a and _keeps_later(b) and _rows(a) & _rows(b):
                return a, b
    return None


def refuse_ordinal_clash(proposal: Proposal) -> None:
    """Refuse ``proposal`` as ``contradictory_rules`` when its rules keep first and later rows only."""
    if proposal.refused == "contradictory_rules":
        return
    found = clash(proposal.definition.rules)
    if found is None:
        return
    first, later = found
    refuse(
        proposal,
        "contradictory_rules",
        f"rules {first!r} and {later!r} contradict: the first keeps only the first ones, the second only "
        "later ones; together they keep nothing. Keep one of them.",
    )
