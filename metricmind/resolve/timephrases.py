"""Time phrases → half-open date ranges ``[start, end)`` against an ``as_of`` day.

The phrases are those of the demo catalog (``last quarter``, ``last 30 days``, ``since March``,
``Q4 2024``, ``first half of 2024``, ``YTD`` …) and their usual variants. Weeks start on Monday;
the fiscal year is the calendar year. "Last N weeks/months/quarters/years" are the N complete units
before the current one; "last N days" are the N days before ``as_of``; "this quarter", "YTD" and
"since …" run through ``as_of`` (so they end the day after it).

Patterns run on the lower-cased words of the question joined by single spaces; a match is mapped
back to the tokens (and so to character spans) it covers. Earlier patterns win overlaps. The patterns,
the ranges they mean and the calendar arithmetic are ``metricmind.resolve.timespans``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from metricmind.resolve.closingdays import CLOSING
from metricmind.resolve.text import Token
from metricmind.resolve.timespans import CMP, COMPILED, UNITS, add_months, match_group, shift, unit_start
from metricmind.wordtables import numbers_between


@dataclass(frozen=True)
class TimeHit:
    """One time phrase found in a question."""

    first: int  # first token index
    last: int  # one past the last token index
    kind: str  # range | comparison | future
    start: dt.date | None = None
    end: dt.date | None = None
    unit: str | None = None
    comparison: str | None = None  # previous_period | same_period_last_year


_SO_FAR = re.compile(r" (?:so far|to date|thus far)\b")
_FUTURE = re.compile(
    r"\b(?:(?:next|upcoming|coming) (?:\d+ |[a-z]+ )?(?:days?|weeks?|months?|quarters?|years?)|tomorrow"
    r"|forecasts?|forecasted|forecasting|projected|projections?|predict|predicted|predictions?"
    r"|will|going to be|expected to be)\b"
)
_YOY = re.compile(
    r"\b(?:year over year|year on year|yoy|y o y|a year (?:ago|earlier|before)"
    r"|(?:the )?same (?:period|time|quarter|month|week|day) (?:last|previous|prior|a) year(?: ago)?"
    r"|(?:the )?same (?:period|time|quarter|month|week|day) (?:of|in) (?:the )?(?:last|previous|prior) year)\b"
)
_POP = re.compile(
    r"\b(?:(?P<u>day|week|month|quarter|period) (?:over|on) (?:day|week|month|quarter|period)"
    r"|qoq|mom|wow|pop|dod|sequential(?:ly)?|(?:the )?(?:previous|prior|preceding) period"
    # "this quarter vs last", "vs the quarter before": the period before, its unit left unsaid
    r"|(?:vs|versus|compared (?:to|with)|against|than) (?:the )?(?:(?:day|week|month|quarter|year|one|period) before"
    # "last 4 wks vs the 4 wks before", "… vs the 3 before that": the same span just before, counted again
    r"|(?:\d+|" + "|".join(numbers_between(2, 12)) + r")(?: (?:days|weeks|months|quarters|years))?"
    r" (?:before|prior|preceding|earlier)(?: that| it| those| them)?"
    r"|(?:last|previous|prior)(?! (?:\d|day|week|month|quarter|year|one|two|three|four|five|six|full|calendar"
    r"|fiscal|h[12]|q[1-4]|half|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|[a-z]+ (?:day|week|month|quarter|year)))))\b"
)
_CMP_BEFORE = re.compile(
    rf"\b{CMP}(?: the)?$"
    r"|\b(?:change|changed|growth|grew|grow|increase|increased|decrease|decreased|drop|dropped|up|down)"
    r" (?:since|from)(?: the)?$"
)


def find_time(tokens: list[Token], as_of: dt.date, blocked: set[int] | None = None) -> list[TimeHit]:
    """Every time phrase of the question, left to right (ranges, comparisons, future references).

    Tokens in ``blocked`` (already read as something else) are never part of a time phrase.
    """
    text, starts = _joined(tokens)
    taken: list[bool] = [i in (blocked or ()) for i in range(len(tokens))]
    hits: list[TimeHit] = []

    def claim(m: re.Match[str]) -> tuple[int, int] | None:
        first = _token_at(starts, m.start())
        last = _token_at(starts, m.end() - 1) + 1
        if any(taken[first:last]):
            return None
        for i in range(first, last):
            taken[i] = True
        return first, last

    for m in _FUTURE.finditer(text):
        span = claim(m)
        if span:
            hits.append(TimeHit(*span, kind="future"))
    for m in _YOY.finditer(text):
        span = claim(m)
        if span:
            hits.append(TimeHit(*span, kind="comparison", comparison="same_period_last_year", unit="year"))
    for m in _POP.finditer(text):
        span = claim(m)
        if span:
            unit = match_group(m, "u") if match_group(m, "u") and match_group(m, "u") != "period" else None
            hits.append(TimeHit(*span, kind="comparison", comparison="previous_period", unit=unit))
    for pattern, handler in (*CLOSING, *COMPILED):  # (a period said by its closing day first)
        for m in pattern.finditer(text):
            try:
                (start, end), unit = handler(m, as_of)
            except (ValueError, KeyError, OverflowError):
                continue
            if start >= end:
                continue
            span = claim(m)
            if span is None:
                continue
            # the words just before ("compared to the …"): the longest such phrase has three words, so
            # four tokens suffice; slicing at a token start keeps the search linear in the question
            before = text[starts[max(0, span[0] - 4)] : m.start()].rstrip()
            kind = "comparison" if _CMP_BEFORE.search(before) else "range"
            so_far = _SO_FAR.match(text[m.end() : m.end() + 12])
            if kind == "range" and start <= as_of < end and so_far is not None:
                # "q2 so far", "fy25 to date": the period up to and including as_of
                end = as_of + dt.timedelta(days=1)
                k = span[1]
                while k < len(tokens) and starts[k] < m.end() + so_far.end():
                    taken[k] = True
                    k += 1
                span = (span[0], k)
            hits.append(TimeHit(*span, kind=kind, start=start, end=end, unit=unit))
    return _before_named(sorted(hits, key=lambda h: h.first), tokens)


_BEFORE_WORDS = frozenset({"previous", "prior", "preceding"})
_UNITS = frozenset({"day", "week", "month", "quarter", "year"})


def _before_named(hits: list[TimeHit], tokens: list[Token]) -> list[TimeHit]:
    """A period set against one named before it ("March vs the previous month", "q1 compared with the prior
    quarter"): "the previous <unit>" is the period before that one (a comparison), not the one before today.
    """
    out: list[TimeHit] = []
    for h in hits:
        words = [t.norm for t in tokens[h.first : h.last] if t.norm not in ("the", "in", "for")]
        if (
            h.kind == "comparison"
            and h.start is not None
            and len(words) == 2
            and words[0] in _BEFORE_WORDS
            and words[1] in _UNITS
            and any(o.kind == "range" and o.start is not None for o in out)
        ):
            h = TimeHit(h.first, h.last, kind="comparison", unit=words[1], comparison="previous_period")
        out.append(h)
    return out


def _joined(tokens: list[Token]) -> tuple[str, list[int]]:
    parts: list[str] = []
    starts: list[int] = []
    pos = 0
    for t in tokens:
        starts.append(pos)
        parts.append(t.norm)
        pos += len(t.norm) + 1
    return " ".join(parts), starts


def _token_at(starts: list[int], char: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= char:
            lo = mid
        else:
            hi = mid - 1
    return lo


def comparison_range(
    start: dt.date, end: dt.date, comparison: str, unit: str | None = None
) -> tuple[dt.date, dt.date]:
    """The range a comparison refers to: the period before, or the same period a year earlier.

    A range that starts on a boundary of its unit moves back by the whole units it spans (this
    quarter to date → the same days of the previous quarter); any other range by its length in days.
    """
    if comparison == "same_period_last_year":
        return add_months(start, -12), add_months(end, -12)
    unit = "month" if unit == "half" else unit
    if unit in UNITS and start == unit_start(start, unit):
        k = 1
        while shift(start, unit, k) < end:
            k += 1
        return shift(start, unit, -k), shift(end, unit, -k)
    days = (end - start).days
    return start - dt.timedelta(days=days), start
