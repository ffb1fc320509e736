"""Chat around a question: a greeting before it or an aside after it, set apart by punctuation.

Busy people wrap a question in chat: "hi team! dau by day this week", "invoices last month - for the board
deck", "trial starts by plan, when you get a sec", "mrr by region (for the offsite)". A clause at either end
of the question, set apart by a mark that ends a clause, whose words no pass read and which holds none of
the words the resolver reads meaning from (no number, no grammar word other than filler, no exclusion cue,
no catalog word) is chat: its words are neither unexplained words that cost confidence nor a concept the
catalog lacks. The rules are English punctuation and closed-class words, not any catalog's words:

- a closing aside opens with a filler word that is not a list, comparison or breakdown word ("for the
  board deck", "when you get a sec", "if you have time", "need it for QBR") — a trailing "gross margin too"
  or "and headcount" is still a concept asked for;
- a greeting before "!" is at most four words with no question word ("hi team!", "morning all!"), and so
  is a lead-in before a dash or colon ("quick q - …", "for the board: …").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from metricmind.resolve.text import FILLERS, Token, number

CLAUSE_MARKS = (" - ", " – ", " — ", ",", "!", "(", ";", ":")
"""Marks that end a clause before a closing aside."""
NOT_ASIDE = frozenset(
    """and or plus also vs versus compared against relative than by per across each every all any both
    either other only with without within in on at from of over during between among""".split()
)
"""Filler words that carry a question on rather than open an aside ("…, and by region", "…, in EMEA")."""
ASKING = frozenset({"how", "what", "which", "who", "whats", "hows", "where"})
MAX_ASIDE = 8
"""The most words a closing aside has (a longer clause is part of the question)."""
MAX_GREETING = 4


def closing_aside(
    question: str,
    tokens: Sequence[Token],
    used: Sequence[bool],
    meaningful: Callable[[Token], bool],
) -> set[int]:
    """The words of a closing aside (see the module), or none. ``meaningful`` says whether a token is a
    word the resolver reads meaning from (a catalog or grammar word, an exclusion cue).
    """
    cut = max((question.rfind(mark) for mark in CLAUSE_MARKS), default=-1)
    if cut <= 0:
        return set()
    after = [t for t in tokens if t.start > cut]
    if not after or len(after) > MAX_ASIDE or len(after) == len(tokens):
        return set()
    first = after[0].norm
    if first not in FILLERS or first in NOT_ASIDE or first in ASKING:
        return set()
    if any(used[t.index] or number(t.norm) is not None or meaningful(t) for t in after):
        return set()
    return {t.index for t in after}


INTERJECTIONS = frozenset(
    "okay ok okey um umm uh uhh er erm hmm well hey yeah yes alright anyway so right".split()
)
"""Words that open a spoken question and say nothing of it ("okay how many …", "um so what was …")."""


def spoken_markers(tokens: Sequence[Token], used: Sequence[bool]) -> set[int]:
    """Interjections nothing read at the start of the question ("okay so how many …") and "I mean" anywhere
    ("… i mean the total"): how people talk, no part of what they ask.
    """
    out: set[int] = set()
    for t in tokens:
        if used[t.index] or t.norm not in INTERJECTIONS:
            break
        out.add(t.index)
    for a, b in zip(tokens, tokens[1:], strict=False):
        if a.norm == "i" and b.norm == "mean" and not used[a.index] and not used[b.index]:
            out |= {a.index, b.index}
    return out


def lead_in(question: str, tokens: Sequence[Token], used: Sequence[bool]) -> set[int]:
    """Words before a dash or colon that nothing read and that ask nothing ("quick q - …", "for the board:
    …"), at most four, or none ("how are gadgets doing - …" asks about gadgets: not chat).
    """
    for mark in (" - ", ": ", " – ", " — "):
        at = question.find(mark)
        if at > 0:
            before = [t for t in tokens if t.end <= at]
            asks = any(t.norm in ASKING for t in before)
            if before and not any(used[t.index] for t in before) and len(before) <= MAX_GREETING and not asks:
                return {t.index for t in before}
    return set()


def greeting(question: str, tokens: Sequence[Token], used: Sequence[bool]) -> set[int]:
    """The words before a leading "!" that nothing read and that ask nothing ("hi team!"), or none."""
    at = question.find("!")
    if at <= 0:
        return set()
    before = [t for t in tokens if t.end <= at]
    if not before or len(before) > MAX_GREETING or len(before) == len(tokens):
        return set()
    if any(used[t.index] or t.norm in ASKING or number(t.norm) is not None for t in before):
        return set()
    return {t.index for t in before}
