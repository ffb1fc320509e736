"""Words a reading set aside that name something else in the catalog (issue 14, calibration features).

Two confident wrong answers on the third foreign round read a word the catalog names otherwise:

- **a described word that heads another metric**: "how much cash came in from borrowers in h1 and how much of
  that was interest" read "interest" from the description of ``collections`` (the cash collected, principal
  and interest) while ``interest_income`` begins with it; the word read loosely was the other metric asked;
- **chat that names a value**: "ceo's on a call with the voda people - how many numbers did we lose to them"
  set the lead-in aside as chat (context), and "voda" with it, a clipped ``Vodafone``: the value asked.

Each is a feature of the finished answer (its ``ask --json`` shape, the question's words and the catalog's
values and metrics' names and labels, ``misreads.Catalog``), measured by ``bench/resolve_calibration.py --fit``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from metricmind.resolve.everyday import EVERYDAY_WORDS
from metricmind.resolve.text import FILLERS, Token, stem, stems, tokenize
from metricmind.resolve.words import GRAMMAR

if TYPE_CHECKING:
    from metricmind.resolve.misreads import Catalog

MetricHeads = frozenset[tuple[str, str]]
"""(stem, metric): the first and last words of each metric's name and label."""

_DESCRIBED = frozenset({"description", "meaning"})
_CONTEXT = re.compile(r"^read '(.+)' as context$")
_LEAD_MARKS = (" - ", ": ", " – ", " — ")
MIN_CLIP = 4
"""The fewest letters of a chat word read as a value's clipped start ("voda" for Vodafone; not "app")."""


def metric_heads(labels: Mapping[str, str]) -> MetricHeads:
    """The head words of each metric (name → label): the first and last stems of its name and its label."""
    out: set[tuple[str, str]] = set()
    for name, label in labels.items():
        for words in (stems(name.replace("_", " ")), stems(label or "")):
            for w in words[:1] + words[-1:]:
                if w.isalpha() and w not in FILLERS:
                    out.add((w, name))
    return frozenset(out)


def dropped_features(question: str, answer: dict[str, Any], catalog: Catalog) -> set[str]:
    """The dropped-word features of an answerable answer to ``question``."""
    spans: dict[str, list[dict[str, Any]]] = answer.get("spans") or {}
    out: set[str] = set()
    metrics = {str(m) for m in answer.get("metrics") or []}
    if _described_heads_other(spans.get("metrics", []), metrics, catalog.heads):
        out.add("described word heads another metric")
    if _chat_names_value(question, answer.get("notes") or [], spans, answer.get("filters") or [], catalog):
        out.add("chat names a value")
    return out


def _described_heads_other(
    metric_spans: Sequence[dict[str, Any]], answered: set[str], heads: MetricHeads
) -> bool:
    """A metric span read from a description whose word is the head word of a metric not answered (and of no
    metric answered: "paying" read from ``paying_accounts``' description is its own word).
    """
    own = {h for h, m in heads if m in answered}
    for s in metric_spans:
        if str(s.get("how") or "") not in _DESCRIBED:
            continue
        for w in stems(str(s["text"])):
            if w not in own and any(h == w and m not in answered for h, m in heads):
                return True
    return False


def _chat_words(question: str, notes: Iterable[str], spans: dict[str, list[dict[str, Any]]]) -> list[Token]:
    """The words set aside as chat: those of a "read '…' as context" note, and a lead-in before a dash or colon
    no span reads.
    """
    tokens = tokenize(question)
    low = question.lower()
    out: list[Token] = []
    for note in notes:
        m = _CONTEXT.match(note)
        at = low.find(m.group(1).lower()) if m else -1
        if m and at >= 0:
            out += [t for t in tokens if at <= t.start and t.end <= at + len(m.group(1))]
    every = [s for found in spans.values() for s in found]
    for mark in _LEAD_MARKS:
        at = question.find(mark)
        if at > 0:
            before = [t for t in tokens if t.end <= at]
            if not any(int(s["start"]) < at for s in every):
                out += before
            break
    return out


def _chat_names_value(
    question: str,
    notes: Iterable[str],
    spans: dict[str, list[dict[str, Any]]],
    filters: Sequence[dict[str, Any]],
    catalog: Catalog,
) -> bool:
    """A word set aside as chat that is a catalog value's word or its clipped start ("voda": Vodafone), of a
    value no filter applies (not "android users - … active users on android").
    """
    applied = {
        w for f in filters for v in [f.get("value"), *(f.get("values") or [])] if v for w in stems(str(v))
    }
    words = {w for v in catalog.values for w in v if w.isalpha()} - applied
    for t in _chat_words(question, notes, spans):
        w = t.norm
        if not w.isalpha() or w in FILLERS or w in GRAMMAR or w in EVERYDAY_WORDS or stem(w) in GRAMMAR:
            continue  # ("quick one before the LP update": an everyday word some catalog has as a value)
        if len(w) < 3:
            continue
        if stem(w) in words or (len(w) >= MIN_CLIP and any(v.startswith(w) for v in words)):
            return True
    return False
