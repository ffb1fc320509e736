"""Metamorphic rewrites of one rule at a time (``perturb.py`` calls them; ``bench/define_perturb.py --foreign``).

They target the ways a rule is silently misread on another company's project:

- ``negate:postfix`` / ``negate:excl`` / ``negate:clause`` (sensitivity): a drop said after its object ("X do
  not count"), as "excl. X", or as the definition's own "…, excluding X" clause, made a keep ("Only X"); the
  answer must move.
- ``drop:rule`` / ``drop:clause`` (sensitivity, ``dropped`` names what went): one rule, or the definition's
  "excluding …" clause, left out; the answer must move unless the rule removes nothing on the data (a *weak*
  case: it cannot tell a reading that ignores the rule) or was read as restating the source (*unmoved*).
- ``paraphrase:FORM`` (invariance): a rule said another way ("Exclude X" → "X are not counted", "Only X" →
  "Keep only X", "the A is B" → "the A must be B", "each X once per month" → "each X is counted once a
  month"); the answer must not move.
- ``date:FORM`` (invariance): the date said another way ("by arrival month" → "by the month of arrival",
  "by created date" → "dated by the created date", "in the month the loan was funded" → "by the month the
  loan was funded"); the answer must not move.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import replace

from metricmind.define import Definition

#: A drop said before its object ("Exclude X", "excl. X", "Leave out X").
_DROP_BEFORE = re.compile(
    r"^(?:exclude|excluding|excl\.|leave out|leaving out|not counting|don't count|do not count|ignore|omit|"
    r"remove|drop|without|filter out)\s+(?P<rest>.+)$",
    re.I,
)
#: A drop said after its object ("refunded purchases do not count", "checks are left out").
_DROP_AFTER = re.compile(
    r"^(?P<rest>[^:;,]+?)\s+(?:do not|don't|does not|doesn't)\s+count$|"
    r"^(?P<rest2>[^:;,]+?)\s+(?:are|is)\s+(?:left out|excluded|not counted)$",
    re.I,
)
_KEEP = re.compile(r"^(?:only|just)\s+(?P<rest>.+)$|^(?P<rest2>.+?)\s+only$", re.I)
#: The definition's own drop clause ("…, excluding debt consolidation loans", "…, excl. low priority").
_CLAUSE = re.compile(
    r"(?P<lead>\s*(?:,|;|\s-|\s–)\s*|\s+)(?P<cue>excluding|excl\.|not counting|leaving out|except)\s+"
    r"(?P<rest>[^,;()]+?)\s*$",
    re.I,
)
_IS = re.compile(r"^(?P<a>the\s+[\w' ]+?)\s+is\s+(?P<b>[\w' .-]+)$", re.I)
_ONCE = re.compile(
    r"^(?:count\s+)?(?:each|every|an?)\s+(?P<x>\w+)\s+(?:counts?\s+|counted\s+)?once\s+per\s+month$", re.I
)
_BY_DATE = re.compile(
    r"^(?P<lead>.*?)\bby\s+(?:the\s+)?(?P<x>[\w-]+(?: [\w-]+)?)\s+(?P<unit>date|month)(?P<tail>\s*,.*)?$",
    re.I,
)
_IN_MONTH = re.compile(
    r"^(?P<lead>.*?)\b(?:counted\s+|count\s+(?:them|it)\s+)?in\s+the\s+month\s+(?P<x>(?:of\s+)?[\w' -]+?)$",
    re.I,
)
#: Words that say a rule is a comparison, a ratio or a definition: never paraphrased or negated as a filter.
_NOT_A_FILTER = re.compile(r"\b(means?|divided|per|=|share|fraction|percentage|average|sum|total)\b", re.I)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _low(text: str) -> str:
    first = text.split(" ", 1)[0]
    return text if first[1:2].isupper() else text[:1].lower() + text[1:]


def _with_rule(d: Definition, i: int, new: str) -> Definition:
    return replace(d, rules=(*d.rules[:i], new, *d.rules[i + 1 :]))


def _plain(rest: str) -> bool:
    """A drop's or keep's object that names rows, no comparison or definition."""
    return not _NOT_A_FILTER.search(rest) and len(rest.split()) <= 6


def negations(d: Definition) -> Iterator[tuple[str, Definition]]:
    """A drop said after its object, as "excl.", or as the definition's clause, made a keep."""
    for i, r in enumerate(d.rules):
        said = r.strip().rstrip(".")
        after = _DROP_AFTER.match(said)
        before = _DROP_BEFORE.match(said)
        if after:
            rest = after.group("rest") or after.group("rest2")
            if _plain(rest):
                yield "negate:postfix", _with_rule(d, i, f"Only {_low(rest)}")
                break
        elif before and before.group(0).lower().startswith("excl.") and _plain(before.group("rest")):
            yield "negate:excl", _with_rule(d, i, f"Only {before.group('rest')}")
            break
    m = _CLAUSE.search(d.text)
    if m and m.start() > 0 and _plain(m.group("rest")):
        yield (
            "negate:clause",
            replace(d, text=f"{d.text[: m.start()]}{m.group('lead')}only {m.group('rest')}"),
        )


def drops(d: Definition) -> Iterator[tuple[str, Definition, str]]:
    """Each rule left out, and the definition's "excluding …" clause left out: (kind, variant, what went)."""
    for i, r in enumerate(d.rules):
        yield "drop:rule", replace(d, rules=(*d.rules[:i], *d.rules[i + 1 :])), r
    m = _CLAUSE.search(d.text)
    if m and m.start() > 0:
        yield "drop:clause", replace(d, text=d.text[: m.start()]), m.group(0).strip(" ,;-–")


def paraphrases(d: Definition, rng: random.Random) -> Iterator[tuple[str, Definition]]:
    """One rule of each shape said another way (the first of each shape)."""
    done: set[str] = set()
    for i, r in enumerate(d.rules):
        said = r.strip().rstrip(".")
        before, after, keep = _DROP_BEFORE.match(said), _DROP_AFTER.match(said), _KEEP.match(said)
        is_, once = _IS.match(said), _ONCE.match(said)
        if before and "drop" not in done and _plain(before.group("rest")):
            form = rng.choice(("{} are not counted", "{} are left out", "{} do not count"))
            done.add("drop")
            yield "paraphrase:drop-after", _with_rule(d, i, _cap(form.format(_low(before.group("rest")))))
        elif after and "drop" not in done:
            rest = after.group("rest") or after.group("rest2")
            if _plain(rest):
                done.add("drop")
                yield "paraphrase:drop-before", _with_rule(d, i, f"Exclude {_low(rest)}")
        elif keep and "keep" not in done and _plain(keep.group("rest") or keep.group("rest2")):
            rest = keep.group("rest") or keep.group("rest2")
            form = rng.choice(("Keep only {}", "Count only {}"))
            done.add("keep")
            yield "paraphrase:keep", _with_rule(d, i, form.format(_low(rest)))
        elif is_ and "is" not in done and not _NOT_A_FILTER.search(said):
            done.add("is")
            yield "paraphrase:must-be", _with_rule(d, i, f"{_cap(is_.group('a'))} must be {is_.group('b')}")
        elif once and "once" not in done:
            done.add("once")
            yield "paraphrase:once", _with_rule(d, i, f"Each {once.group('x')} is counted once a month")


def redates(d: Definition, rng: random.Random) -> Iterator[tuple[str, Definition]]:
    """The first date said as "by X date|month" or "in the month …" (a rule, else the definition) said
    another way."""
    for i, text in enumerate((*d.rules, d.text)):
        new = _redate(text.strip().rstrip("."), rng)
        if new is None:
            continue
        kind, said = new
        if i < len(d.rules):
            yield kind, _with_rule(d, i, _cap(said))
        else:
            yield kind, replace(d, text=_cap(said))
        return


def _redate(text: str, rng: random.Random) -> tuple[str, str] | None:
    if re.search(r"\b(not|never)\b", text, re.I):
        return None  # "by completion, not enrollment": a date set against another, said as it is
    m = _BY_DATE.match(text)
    if m:
        lead, x, tail = m.group("lead"), m.group("x"), m.group("tail") or ""
        if m.group("unit").lower() == "month":
            return "date:month-of", f"{lead}by the month of {x}{tail}"
        return "date:dated-by", f"{lead}dated by the {x} date{tail}"
    m = _IN_MONTH.match(text)
    if m:
        return "date:by-the-month", f"{m.group('lead')}by the month {m.group('x')}"
    return None
