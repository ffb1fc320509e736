"""Time phrases → half-open date ranges ``[start, end)`` against an ``as_of`` day.

The phrases are those of the demo catalog (``last quarter``, ``last 30 days``, ``since March``,
``Q4 2024``, ``first half of 2024``, ``YTD`` …) and their usual variants. Weeks start on Monday;
the fiscal year is the calendar year. "Last N weeks/months/quarters/years" are the N complete units
before the current one; "last N days" are the N days before ``as_of``; "this quarter", "YTD" and
"since …" run through ``as_of`` (so they end the day after it).

Patterns run on the lower-cased words of the question joined by single spaces; a match is mapped
back to the tokens (and so to character spans) it covers. Earlier patterns win overlaps.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from metricmind.resolve.text import NUMBER_WORDS, Token

UNITS = ("day", "week", "month", "quarter", "year")

_MONTHS = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}


def month_number(word: str) -> int | None:
    """The month a word names (``"apr"`` → 4), or None."""
    return _MONTHS.get(word)


_ORD = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}

M = r"(?P<m>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")"
Y = r"(?P<y>20\d\d)"
N = r"(?P<n>\d{1,3}|" + "|".join(NUMBER_WORDS) + r")"
U = r"(?P<u>day|week|month|quarter|year)s?"
LAST = r"(?:last|past|previous|prior|trailing|rolling|preceding)"
CMP = r"(?:vs|versus|compared (?:to|with)|compare (?:to|with)|against|relative to|than)"


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


# -- calendar arithmetic ------------------------------------------------------------------------
def unit_start(day: dt.date, unit: str) -> dt.date:
    """The first day of the ``unit`` that contains ``day`` (weeks start on Monday)."""
    if unit == "day":
        return day
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return dt.date(day.year, 1, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months (clamped to the month's last day)."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def shift(day: dt.date, unit: str, n: int) -> dt.date:
    """``day`` moved by ``n`` units."""
    if unit == "day":
        return day + dt.timedelta(days=n)
    if unit == "week":
        return day + dt.timedelta(weeks=n)
    return add_months(day, n * {"month": 1, "quarter": 3, "year": 12}[unit])


def whole(start: dt.date, unit: str) -> tuple[dt.date, dt.date]:
    """The whole ``unit`` starting at ``start``."""
    return start, shift(start, unit, 1)


def _year(text: str | None, as_of: dt.date) -> int:
    if not text:
        return as_of.year
    value = int(text)
    return value if value >= 100 else 2000 + value


def _latest_month(month: int, as_of: dt.date) -> dt.date:
    """The most recent 1st of ``month`` on or before ``as_of``."""
    year = as_of.year if month <= as_of.month else as_of.year - 1
    return dt.date(year, month, 1)


def _latest_quarter(q: int, as_of: dt.date) -> dt.date:
    start = dt.date(as_of.year, 3 * q - 2, 1)
    return start if start <= as_of else dt.date(as_of.year - 1, 3 * q - 2, 1)


def _g(m: re.Match[str], name: str) -> str:
    """Group ``name`` of ``m`` ('' when the pattern has no such group or it did not take part)."""
    return m.groupdict().get(name) or ""


def _n(text: str) -> int:
    return int(text) if text.isdigit() else NUMBER_WORDS[text]


def _iso(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# -- patterns -----------------------------------------------------------------------------------
Range = tuple[dt.date, dt.date]
Handler = Callable[[re.Match[str], dt.date], tuple[Range, str | None]]


def _through(start: dt.date, as_of: dt.date) -> Range:
    return start, as_of + dt.timedelta(days=1)


def _explicit_days(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    return (_iso(_g(m, "a")), _iso(_g(m, "b")) + dt.timedelta(days=1)), None


def _month_span(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    m1, m2 = _MONTHS[_g(m, "m1")], _MONTHS[_g(m, "m2")]
    y2 = _year(_g(m, "y2"), as_of) if _g(m, "y2") else None
    y1 = _year(_g(m, "y1"), as_of) if _g(m, "y1") else (y2 - (m1 > m2) if y2 else None)
    if y1 is None:
        first = _latest_month(m1, as_of)
        y1 = first.year
    if y2 is None:
        y2 = y1 + (m2 < m1)
    return (dt.date(y1, m1, 1), shift(dt.date(y2, m2, 1), "month", 1)), "month"


def _half(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    which = _g(m, "h")
    h = 1 if which in ("1", "first", "1st") else 2
    rel = _g(m, "rel")
    year = _year(_g(m, "y"), as_of) if _g(m, "y") else as_of.year - (1 if rel == "last" else 0)
    start = dt.date(year, 1 if h == 1 else 7, 1)
    return (start, shift(start, "month", 6)), "half"


def _latest_half(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    start = dt.date(as_of.year, 1 if _g(m, "h") in ("1", "first", "1st") else 7, 1)
    if start > as_of:
        start = dt.date(as_of.year - 1, start.month, 1)
    return (start, shift(start, "month", 6)), "half"


def _quarter(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    q = int(_g(m, "q")) if _g(m, "q").isdigit() else _ORD[_g(m, "q")]
    if _g(m, "y"):
        start = dt.date(_year(_g(m, "y"), as_of), 3 * q - 2, 1)
    else:
        start = _latest_quarter(q, as_of)
    return whole(start, "quarter"), "quarter"


def _rel_year(m: re.Match[str], as_of: dt.date) -> int:
    """The year "this year" or "last year" names (group ``rel``)."""
    return as_of.year - (0 if _g(m, "rel") == "this" else 1)


def _quarter_of_rel_year(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    q = int(_g(m, "q2")) if _g(m, "q2") else _ORD[_g(m, "q")]
    return whole(dt.date(_rel_year(m, as_of), 3 * q - 2, 1), "quarter"), "quarter"


def _month_of_rel_year(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    return whole(dt.date(_rel_year(m, as_of), _MONTHS[_g(m, "m")], 1), "month"), "month"


def _month_year(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    return whole(dt.date(_year(_g(m, "y"), as_of), _MONTHS[_g(m, "m")], 1), "month"), "month"


def _month_day_year(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    day = dt.date(_year(_g(m, "y"), as_of), _MONTHS[_g(m, "m")], int(_g(m, "d")))
    return whole(day, "day"), "day"


def _since_unit(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    return _through(unit_start(as_of, _g(m, "u")), as_of), _g(m, "u")


def _since_last(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    return _through(shift(unit_start(as_of, _g(m, "u")), _g(m, "u"), -1), as_of), _g(m, "u")


def _since_year(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    return _through(dt.date(int(_g(m, "y")), 1, 1), as_of), "year"


def _since_month(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    month = _MONTHS[_g(m, "m")]
    start = dt.date(int(_g(m, "y")), month, 1) if _g(m, "y") else _latest_month(month, as_of)
    return _through(start, as_of), "month"


def _since_quarter(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    q = int(_g(m, "q"))
    start = dt.date(int(_g(m, "y")), 3 * q - 2, 1) if _g(m, "y") else _latest_quarter(q, as_of)
    return _through(start, as_of), "quarter"


def _since_day(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    return _through(_iso(_g(m, "a")), as_of), "day"


def _since_month_day(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    """``since June 1st``: from that day (the latest one on or before ``as_of``) through ``as_of``."""
    day = dt.date(_year(_g(m, "y"), as_of), _MONTHS[_g(m, "m")], int(_g(m, "d")))
    if not _g(m, "y") and day > as_of:
        day = day.replace(year=day.year - 1)
    return _through(day, as_of), "day"


def _last_n(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    n, unit = _n(_g(m, "n")), _g(m, "u")
    if unit == "day":
        return (as_of - dt.timedelta(days=n), as_of), "day"
    current = unit_start(as_of, unit)
    return (shift(current, unit, -n), current), unit


def _last_unit(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    unit = _g(m, "u")
    current = unit_start(as_of, unit)
    return (shift(current, unit, -1), current), unit


def _to_date(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    abbrev = {"wtd": "week", "mtd": "month", "qtd": "quarter", "ytd": "year"}
    unit = _g(m, "u") or _g(m, "u2") or _g(m, "u3") or abbrev.get(_g(m, "abbr") or "", "year")
    return _through(unit_start(as_of, unit), as_of), unit


def _today(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    return whole(as_of, "day"), "day"


def _yesterday(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    back = 2 if _g(m, "before") else 1
    return whole(as_of - dt.timedelta(days=back), "day"), "day"


def _in_year(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    return whole(dt.date(_year(_g(m, "y"), as_of), 1, 1), "year"), "year"


def _one_day(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    return whole(_iso(_g(m, "a")), "day"), "day"


def _bare_month(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    return whole(_latest_month(_MONTHS[_g(m, "m")], as_of), "month"), "month"


ISO = r"\d{4}-\d{2}-\d{2}"
_M1 = M.replace("?P<m>", "?P<m1>")
_M2 = M.replace("?P<m>", "?P<m2>")
_PATTERNS: list[tuple[str, Handler]] = [
    (rf"(?:from|between) (?P<a>{ISO}) (?:to|and|through|until|till|thru) (?P<b>{ISO})", _explicit_days),
    (
        rf"(?:from|between) {_M1}(?: (?P<y1>20\d\d))? (?:to|and|through|until|till|thru) {_M2}(?: (?P<y2>20\d\d))?",
        _month_span,
    ),
    # "jan-mar" (the hyphen splits it), "march through may 2025": a span of months without "from"
    (
        rf"{_M1}(?: (?P<y1>20\d\d))? (?:to |through |thru |till |until )?{_M2}(?: (?P<y2>20\d\d))?",
        _month_span,
    ),
    (rf"(?:the )?(?P<h>first|second|1st|2nd) half (?:of )?(?:{Y}|(?P<rel>this|last) year)", _half),
    (r"h(?P<h>[12]) (?:of )?(?:the )?(?P<rel>this|last) year", _half),
    (r"h(?P<h>[12]) (?:of )?(?:fy ?)?(?P<y>20\d\d|\d\d)\b", _half),
    (rf"{Y} h(?P<h>[12])", _half),
    (r"h(?P<h>[12])", _latest_half),
    (r"the (?P<h>first|second|1st|2nd) half\b(?! of)", _latest_half),  # "each month of the first half"
    # "q1 this year", "may last yr", "the third quarter of last year": a period of a year said relatively
    (
        r"(?:(?:the )?(?P<q>first|second|third|fourth|1st|2nd|3rd|4th) quarter|q(?P<q2>[1-4]))"
        r" (?:of )?(?:the )?(?P<rel>this|last|previous|prior) year",
        _quarter_of_rel_year,
    ),
    (rf"{M} (?:of )?(?:the )?(?P<rel>this|last|previous|prior) year", _month_of_rel_year),
    (rf"(?:the )?(?P<q>first|second|third|fourth|1st|2nd|3rd|4th) quarter(?: of)?(?: {Y})?", _quarter),
    (r"q(?P<q>[1-4])(?: of)?(?: fy)? (?P<y>20\d\d|\d\d)\b", _quarter),
    (rf"{Y} q(?P<q>[1-4])", _quarter),
    (r"q(?P<q>[1-4])", _quarter),
    (r"since (?:the )?(?:start|beginning) of (?:the |this )?(?P<u>week|month|quarter|year)", _since_unit),
    (rf"since (?:the )?(?:start |beginning )?(?:of )?{Y}", _since_year),
    # before the bare month: "since June 1st" is the day
    (rf"since (?:the )?{M} (?P<d>\d{{1,2}})(?: ?(?:st|nd|rd|th))?(?: {Y})?", _since_month_day),
    (rf"since (?:the )?(?:start |beginning )?(?:of )?{M}(?: {Y})?", _since_month),
    (rf"since q(?P<q>[1-4])(?: {Y})?", _since_quarter),
    (rf"since (?P<a>{ISO})", _since_day),
    (r"since (?:the )?(?:last|previous|prior) (?P<u>week|month|quarter|year)", _since_last),
    (rf"{M} (?P<d>\d{{1,2}})(?: ?(?:st|nd|rd|th))? {Y}", _month_day_year),
    (rf"{M}(?: of)? {Y}", _month_year),
    (rf"(?:in |over |for |during )?(?:the )?{LAST} {N} (?:full |complete |whole |calendar )?{U}", _last_n),
    (rf"(?:in |over |for |during )?(?:the )?{LAST} (?:full |complete |calendar |fiscal )?{U}", _last_unit),
    (
        r"(?:(?:this|current|the current) (?P<u>week|month|quarter|year)(?: to date| so far)?"
        r"|(?P<u2>week|month|quarter|year) to date|so far this (?P<u3>week|month|quarter|year)"
        r"|(?P<abbr>wtd|mtd|qtd|ytd))",
        _to_date,
    ),
    (r"(?:the )?(?P<before>day before )?yesterday", _yesterday),
    # ("current" before a noun of the catalog, "current clients", is blocked by ``notime``: which, not when)
    (
        r"today|right now|as of now|at the moment|currently"
        r"|current|now",
        _today,
    ),
    (rf"(?:on )?(?P<a>{ISO})", _one_day),
    (r"(?:fy|fiscal year|fiscal) ?(?P<y>20\d\d|\d\d)\b", _in_year),
    (Y, _in_year),
    (rf"(?:(?<=in )|(?<=during )|(?<=for )|(?<=of )|(?<=since )){M}", _bare_month),
    # "how many accounts did we end may with", "we closed april at": a month ended, closed or begun is that
    # month (even "may": a verb of ending before it is no modal)
    (
        r"(?:(?<=end )|(?<=ended )|(?<=ending )|(?<=close )|(?<=closed )|(?<=closing )|(?<=finish )"
        rf"|(?<=finished )|(?<=start )|(?<=started )|(?<=begin )|(?<=began )){M}",
        _bare_month,
    ),
    # "jun vs may", "may versus april": a month compared is a month, even "may"
    (rf"(?:(?<=vs )|(?<=versus )|(?<=against )){M}", _bare_month),
    # "expansion mrr may yoy", "signups may mom", "… in the month of may": a modal is never followed by a
    # comparison, nor ends the question
    (
        rf"{M}(?= (?:vs|versus|against|yoy|mom|qoq|wow|year over year|year on year|month over month)\b)",
        _bare_month,
    ),
    (rf"{M}(?=\s*$)", _bare_month),
    (rf"(?!may\b){M}", _bare_month),
]
_COMPILED = [(re.compile(rf"\b(?:{p})\b"), h) for p, h in _PATTERNS]

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
    r"|(?:vs|versus|compared (?:to|with)|against) (?:the )?(?:(?:day|week|month|quarter|year|one|period) before"
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
            unit = _g(m, "u") if _g(m, "u") and _g(m, "u") != "period" else None
            hits.append(TimeHit(*span, kind="comparison", comparison="previous_period", unit=unit))
    for pattern, handler in _COMPILED:
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
    return sorted(hits, key=lambda h: h.first)


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
