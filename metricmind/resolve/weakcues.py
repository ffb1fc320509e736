"""Weak catalog cues in a finished reading: a part of the answer that rests on one loose clue (issue 14).

A metric, filter or breakdown read by its name, label, synonym or value is read on the catalog's own word. Some
readings rest on less: a breakdown found by the head noun of a label ("by line", ``labelheads``), a list item
whose head noun was said before it ("return premium and net written", ``elidedhead``), a metric found through
its description's words (``describedwords``, ``meaningvalues``), a value matched loosely (a typo fixed, a word
several values begin with or share, a sibling value: "webinar" read as the channel ``events``), a yes/no flag
read from its column's name (``flagmetric``, ``flagcues``), an idiom glossed into plain words (``jargon``), a
duration asked (``durationasked``). Each is a calibration feature, named from the answer alone (its spans and the
question's words, no catalog), so the readings of any day's code carry it (``bench/resolve_first_contact.py``).

**One weak cue** is the structural one: a metric or a filter whose every span is one weak cue and nothing
else, no exact name, label, synonym or value of the catalog behind it and no second cue that agrees; **one loose
cue** the same with the cues first contact found over-confident (``LOOSE``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from metricmind.resolve.countries import NAMES
from metricmind.resolve.durationasked import duration_phrase
from metricmind.resolve.jargon import IDIOMS
from metricmind.resolve.loosevalues import DEMONYMS
from metricmind.resolve.regionwords import REGION_WORDS
from metricmind.resolve.text import Token, stems, tokenize
from metricmind.resolve.usstates import STATES

WEAK_HOWS: dict[str, str] = {
    "head": "label head",
    "elided head": "elided head",
    "description": "described",
    "meaning": "by meaning",
    "prefix": "value matched loosely",
    "word of a value": "value matched loosely",
    "shared word": "value matched loosely",
    "typo": "typo",
    "flag's words": "flag from its name",
    "flag's entity": "flag from its name",
}
"""A span's ``how`` (set where the reading is made) → the weak cue it is."""
LOOSE = frozenset({"label head", "value matched loosely"})
"""The weak cues of ``one loose cue``: those whose confident first-contact readings were right less often than
the rest (19 of 25 and 22 of 33, against 664 of 752; ``bench/resolve_calibration.py``). A typo fixed, a
description read and a flag read from its name were right about as often as any (40 of 45, 60 of 69, 5 of 6);
an elided head noun, a reading by meaning and a gloss had no confident first-contact reading to judge them by."""
_ONE_VALUE = re.compile(r"^[a-z0-9_]+(?:!=|=)(.+)$")
_YES_NO = frozenset({"true", "false"})


def weak_features(question: str, answer: dict[str, Any]) -> set[str]:
    """The weak cues of an answer in its ``ask --json`` shape, each a feature (``cue:<kind>``), ``one weak cue``
    when a metric or a filter rests on one of them alone, ``one loose cue`` when on one of ``LOOSE``.
    """
    spans: dict[str, list[dict[str, Any]]] = answer.get("spans") or {}
    tokens = tokenize(question)
    out: set[str] = set()
    for part in ("metrics", "filters", "group_by"):
        for s in spans.get(part, []):
            kind = cue(part, s, tokens)
            if kind is not None:
                out.add(f"cue:{kind}")
    if duration_phrase(tokens) is not None:
        out.add("cue:duration asked")
    if one_weak_cue(spans, tokens):
        out.add("one weak cue")
    if one_weak_cue(spans, tokens, LOOSE):
        out.add("one loose cue")
    return out


def cue(part: str, span: dict[str, Any], tokens: Sequence[Token]) -> str | None:
    """The weak cue one span rests on (``None`` for the catalog's own word)."""
    how = str(span.get("how") or "")
    if how in WEAK_HOWS:
        return WEAK_HOWS[how]
    if part == "metrics" and _glossed(span, tokens):
        return "gloss"
    if part == "filters" and not how:
        return value_cue(str(span["text"]), str(span["target"]))
    return None


def value_cue(said: str, target: str) -> str | None:
    """How a filter's words meet its value (``field=value``): ``None`` when they share a stem or name the place
    the value is or codes ("germany" or "german" for ``DE``, "california" for ``CA``, "asia pacific" for
    ``APAC``); a flag's yes/no value said by the flag's words; else the value matched loosely ("webinar" for
    ``events``, "antwerp" for "Antwerpen Noord", "middle east" for ``EMEA``).
    """
    m = _ONE_VALUE.match(target)
    if m is None or "|" in m.group(1):
        return None  # a list, a threshold, a group of values: read by rules of their own
    value = m.group(1)
    if value.lower() in _YES_NO:
        return "flag from its name"
    words = said.lower().strip()
    if set(stems(said)) & set(stems(value.replace("_", " "))):
        return None
    return None if _place_of(words, value) else "value matched loosely"


def _place_of(words: str, value: str) -> bool:
    """Whether ``words`` name the place ``value`` is (its code, its name, a region's own acronym)."""
    low = value.lower()
    if words == low or STATES.get(value) == words or words in REGION_WORDS.get(low, ()):
        return True
    if DEMONYMS.get(words, "").lower() == low:
        return True  # ("german" for Germany: the country's own adjective)
    return any(
        words in names or words == code.lower()
        for code, names in NAMES.items()
        if code == value or names[0] == low
    )


def _glossed(span: dict[str, Any], tokens: Sequence[Token]) -> bool:
    """Whether a metric's words are an idiom read as the plain words it stands for ("book of business")."""
    a, b = int(span["start"]), int(span["end"])
    inside = tuple(t.norm for t in tokens if a <= t.start < b)
    return any(
        inside[i : i + len(idiom)] == idiom for idiom in IDIOMS for i in range(len(inside) - len(idiom) + 1)
    )


def one_weak_cue(
    spans: dict[str, list[dict[str, Any]]], tokens: Sequence[Token], kinds: frozenset[str] | None = None
) -> bool:
    """Whether a metric or a filter rests on one weak cue (of ``kinds``, default any): its only span is a weak
    cue (a second span for the same target, of any kind, is a second cue that agrees).
    """
    for part in ("metrics", "filters"):
        by: dict[str, list[dict[str, Any]]] = {}
        for s in spans.get(part, []):
            by.setdefault(str(s["target"]), []).append(s)
        for found in by.values():
            kind = cue(part, found[0], tokens) if len(found) == 1 else None
            if kind is not None and (kinds is None or kind in kinds):
                return True
    return False
