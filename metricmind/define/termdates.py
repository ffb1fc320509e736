"""Which time dimension a definition's words date by ("by payment month", "the month they ended", "whose
first paid day falls in the month", "counted on the day the subscription ended"): the dating clauses of
the texts (``dating_texts``) and the time dimension of one semantic model they name (``time_of``). Split
from ``terms.py``, which picks the semantic model a new measure is on.
"""

from __future__ import annotations

import re

from metricmind.define.words import GLUE, stems
from metricmind.spec.model import SemanticModel


def _words(text: str) -> tuple[str, ...]:
    return stems(text.lower().replace("-", " ").replace("_", " "))


def time_of(sm: SemanticModel, words: tuple[str, ...]) -> tuple[str, str] | None:
    """The time dimension of ``sm`` the words date by ("by payment month", "the month they ended")."""
    best: tuple[int, str, str] | None = None
    own = {w for e in sm.entities for w in _words(e.name)}  # "subscription start": the start, of any date
    for d in sm.dimensions:
        if d.type != "time":
            continue
        phrases = {d.name.replace("_", " "), d.label, *(str(s) for s in d.meta.get("synonyms") or ())}
        for phrase in phrases:
            key = [p for p in _words(phrase) if p not in GLUE and p not in {"date", "month", "time"} | own]
            if key and all(verb_hit(k, words) for k in key) and (best is None or len(key) > best[0]):
                best = (len(key), d.name, phrase)
    return (best[1], best[2]) if best else None


def verb_hit(key: str, words: tuple[str, ...]) -> bool:
    """``key`` (a word of a time dimension's name) said by ``words`` in any of its forms ("paid" by
    "payment", "ended" by "end", "started" by "start").
    """
    forms = {key, key[:-1] if key.endswith("e") else key, key[:4]}
    if key in ("paid", "payment", "pay"):
        forms |= {"paid", "pay", "payment"}
    if key in ("end", "ended", "cancellation"):
        forms |= {"end", "ended"}
    return any(w in forms or (len(w) >= 4 and w[:4] in forms and key[:4] == w[:4]) for w in words)


def dating_texts(texts: tuple[str, ...]) -> list[str]:
    """The parts of ``texts`` that name a date: after "by" ("Date by payment date", "by the month they
    were paid"), explicit "date by" rules first; text without "by" names none.
    """
    first: list[str] = []
    rest: list[str] = []
    for t in texts:
        low = t.lower().replace("divided by", "÷").replace("multiplied by", "×")
        if " by " not in f" {low} ":
            continue
        tail = re.split(r",\s*not\b", low.rsplit("by ", 1)[-1])[0]
        (first if re.match(r"\s*(date[sd]?|dated|counted) by\b", low) else rest).append(tail)
        # an earlier "by" clause up to its comma ("by month paid, for invoices not paid by card")
        rest += [re.split(r"[,;(]", t)[0] for t in re.split(r"\bby ", low)[1:-1]]
    for t in texts:  # "whose first paid day falls in the month"
        first += [m.group(1) for m in DATE_IN.finditer(t.lower())]
    for t in texts:  # "counted on the day the subscription ended"
        first += [m.group(1) for m in COUNTED_ON.finditer(t.lower())]
    return first + rest


#: A date named as the one that falls in the period ("whose first paid day falls in the month").
#: "counted on the day the subscription ended", "dated on the date it was paid".
COUNTED_ON = re.compile(
    r"\b(?:counted|dated|recorded|booked) (?:on|in) ((?:the )?(?:day|date|month) [a-z ]+)"
)
DATE_IN = re.compile(
    r"\b((?:[a-z]+ ){1,3}(?:date|day))\s+(?:falls?|fell|lands?|landed|is|was|happens?|occurs?)\s+"
    r"(?:in|within|during)\b"
)
