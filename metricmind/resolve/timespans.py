"""Calendar arithmetic and the time patterns: each pattern with the half-open range ``[start, end)`` it means.

``COMPILED`` is the ordered list of (pattern, handler) ``find_time`` (``metricmind.resolve.timephrases``) runs
on a question's joined words; a handler maps a match and the ``as_of`` day to a range and its unit. Weeks
start on Monday; the fiscal year is the calendar year.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from metricmind.wordtables import NUMBER_WORDS

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
    """The start of the latest quarter ``q`` said bare ("q1"): one that has begun and is at least half over,
    else the year before's (on 6 January "q1" is last year's, a quarter of six days has no figures yet).
    """
    start = dt.date(as_of.year, 3 * q - 2, 1)
    return (
        start
        if _mostly_past(start, shift(start, "month", 3), as_of)
        else dt.date(as_of.year - 1, 3 * q - 2, 1)
    )


def _mostly_past(start: dt.date, end: dt.date, as_of: dt.date) -> bool:
    """Whether the period ``[start, end)`` has begun by ``as_of`` and at least half of it has passed."""
    return start <= as_of and (as_of - start) * 2 >= end - start


def match_group(m: re.Match[str], name: str) -> str:
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
    return (_iso(match_group(m, "a")), _iso(match_group(m, "b")) + dt.timedelta(days=1)), None


def _month_span(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    m1, m2 = _MONTHS[match_group(m, "m1")], _MONTHS[match_group(m, "m2")]
    y2 = _year(match_group(m, "y2"), as_of) if match_group(m, "y2") else None
    y1 = _year(match_group(m, "y1"), as_of) if match_group(m, "y1") else (y2 - (m1 > m2) if y2 else None)
    if y1 is None:
        first = _latest_month(m1, as_of)
        y1 = first.year
    if y2 is None:
        y2 = y1 + (m2 < m1)
    return (dt.date(y1, m1, 1), shift(dt.date(y2, m2, 1), "month", 1)), "month"


def _half(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    which = match_group(m, "h")
    h = 1 if which in ("1", "first", "1st") else 2
    rel = match_group(m, "rel")
    year = (
        _year(match_group(m, "y"), as_of) if match_group(m, "y") else as_of.year - (1 if rel == "last" else 0)
    )
    start = dt.date(year, 1 if h == 1 else 7, 1)
    return (start, shift(start, "month", 6)), "half"


def _latest_half(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    start = dt.date(as_of.year, 1 if match_group(m, "h") in ("1", "first", "1st") else 7, 1)
    if not _mostly_past(start, shift(start, "month", 6), as_of):  # (as ``_latest_quarter``)
        start = dt.date(as_of.year - 1, start.month, 1)
    return (start, shift(start, "month", 6)), "half"


def _quarter(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    q = int(match_group(m, "q")) if match_group(m, "q").isdigit() else _ORD[match_group(m, "q")]
    if match_group(m, "y"):
        start = dt.date(_year(match_group(m, "y"), as_of), 3 * q - 2, 1)
    else:
        start = _latest_quarter(q, as_of)
    return whole(start, "quarter"), "quarter"


def _rel_year(m: re.Match[str], as_of: dt.date) -> int:
    """The year "this year" or "last year" names (group ``rel``)."""
    return as_of.year - (0 if match_group(m, "rel") == "this" else 1)


def _quarter_of_rel_year(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    q = int(match_group(m, "q2")) if match_group(m, "q2") else _ORD[match_group(m, "q")]
    return whole(dt.date(_rel_year(m, as_of), 3 * q - 2, 1), "quarter"), "quarter"


def _month_of_rel_year(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    return whole(dt.date(_rel_year(m, as_of), _MONTHS[match_group(m, "m")], 1), "month"), "month"


def _month_year(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    return whole(
        dt.date(_year(match_group(m, "y"), as_of), _MONTHS[match_group(m, "m")], 1), "month"
    ), "month"


def _month_day_year(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    day = dt.date(_year(match_group(m, "y"), as_of), _MONTHS[match_group(m, "m")], int(match_group(m, "d")))
    return whole(day, "day"), "day"


def _since_unit(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    return _through(unit_start(as_of, match_group(m, "u")), as_of), match_group(m, "u")


def _since_last(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    return _through(
        shift(unit_start(as_of, match_group(m, "u")), match_group(m, "u"), -1), as_of
    ), match_group(m, "u")


def _since_year(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    return _through(dt.date(int(match_group(m, "y")), 1, 1), as_of), "year"


def _since_month(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    month = _MONTHS[match_group(m, "m")]
    start = (
        dt.date(int(match_group(m, "y")), month, 1) if match_group(m, "y") else _latest_month(month, as_of)
    )
    return _through(start, as_of), "month"


def _since_quarter(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    q = int(match_group(m, "q"))
    start = (
        dt.date(int(match_group(m, "y")), 3 * q - 2, 1) if match_group(m, "y") else _latest_quarter(q, as_of)
    )
    return _through(start, as_of), "quarter"


def _since_day(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    return _through(_iso(match_group(m, "a")), as_of), "day"


def _since_month_day(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    """``since June 1st``: from that day (the latest one on or before ``as_of``) through ``as_of``."""
    day = dt.date(_year(match_group(m, "y"), as_of), _MONTHS[match_group(m, "m")], int(match_group(m, "d")))
    if not match_group(m, "y") and day > as_of:
        day = day.replace(year=day.year - 1)
    return _through(day, as_of), "day"


def _last_n(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    n, unit = _n(match_group(m, "n")), match_group(m, "u")
    if unit == "day":
        return (as_of - dt.timedelta(days=n), as_of), "day"
    current = unit_start(as_of, unit)
    return (shift(current, unit, -n), current), unit


def _units_ago(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    """``2 months ago``, ``the week before last``: that whole unit, counted back from the current one."""
    unit = match_group(m, "u")
    back = _n(match_group(m, "n")) if match_group(m, "n") else 2
    return whole(shift(unit_start(as_of, unit), unit, -back), unit), unit


def _fortnight(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    """``the last fortnight``: the two complete weeks before this one."""
    current = unit_start(as_of, "week")
    return (shift(current, "week", -2), current), "week"


def _fortnight_ago(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    """``a fortnight ago``: two weeks ago, the whole week before last."""
    return whole(shift(unit_start(as_of, "week"), "week", -2), "week"), "week"


def _last_unit(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    unit = match_group(m, "u")
    current = unit_start(as_of, unit)
    return (shift(current, unit, -1), current), unit


def _to_date(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    abbrev = {"wtd": "week", "mtd": "month", "qtd": "quarter", "ytd": "year"}
    unit = (
        match_group(m, "u")
        or match_group(m, "u2")
        or match_group(m, "u3")
        or abbrev.get(match_group(m, "abbr") or "", "year")
    )
    return _through(unit_start(as_of, unit), as_of), unit


def _said_day(m: re.Match[str], as_of: dt.date) -> dt.date:
    """The day "<d> <month> [<year>]" names: the latest such day on or before ``as_of`` without a year."""
    month, day = _MONTHS[match_group(m, "m")], int(match_group(m, "d"))
    if match_group(m, "y"):
        return dt.date(int(match_group(m, "y")), month, day)
    said = dt.date(as_of.year, month, day)
    return said if said <= as_of else dt.date(as_of.year - 1, month, day)


def _period_ended(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    end = _said_day(m, as_of) + dt.timedelta(days=1)
    unit = match_group(m, "u")
    months = {"month": 1, "quarter": 3, "half": 6, "year": 12}[unit]
    return (add_months(end, -months), end), ("month" if unit == "half" else unit)


def _as_at_day(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    day = _said_day(m, as_of)
    if (day + dt.timedelta(days=1)).day == 1:  # the month's last day: the month's closing balance
        return whole(day.replace(day=1), "month"), "month"
    return whole(day, "day"), "day"


def _year_end(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    return whole(dt.date(as_of.year - 1, 12, 1), "month"), "month"


def _end_of(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    """``the end of last year`` / ``of 2024`` / ``of last quarter``: the closing month of that period."""
    if match_group(m, "y"):
        return whole(dt.date(int(match_group(m, "y")), 12, 1), "month"), "month"
    current = unit_start(as_of, match_group(m, "u"))
    return whole(shift(current, "month", -1), "month"), "month"


def _today(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    return whole(as_of, "day"), "day"


def _yesterday(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    back = 2 if match_group(m, "before") else 1
    return whole(as_of - dt.timedelta(days=back), "day"), "day"


def _in_year(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    return whole(dt.date(_year(match_group(m, "y"), as_of), 1, 1), "year"), "year"


def _one_day(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    return whole(_iso(match_group(m, "a")), "day"), "day"


def _bare_month(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    return whole(_latest_month(_MONTHS[match_group(m, "m")], as_of), "month"), "month"


ISO = r"\d{4}-\d{2}-\d{2}"
_M1 = M.replace("?P<m>", "?P<m1>")
_M2 = M.replace("?P<m>", "?P<m2>")
_PATTERNS: list[tuple[str, Handler]] = [
    # "for the quarter ended 30 June 2024", "the year ending 31 Dec 2025": the period that closes on that day
    (
        rf"(?:for )?(?:the )?(?P<u>month|quarter|year|half) (?:ended|ending|to) (?P<d>\d{{1,2}})(?:st|nd|rd|th)? {M}"
        rf"(?: {Y})?",
        _period_ended,
    ),
    # "as at 31 May", "as of 30 September 2025": a balance on that day (its month when the day ends it)
    (rf"(?:as (?:at|of) |on )(?P<d>\d{{1,2}})(?:st|nd|rd|th)? {M}(?: {Y})?", _as_at_day),
    # "as of year end", "at the end of the year": the last month of the latest year ended (a snapshot's close)
    (r"(?:the )?(?:end of the year|year[ -]?end)", _year_end),
    # "as at the end of last year", "at the end of 2024", "end of last quarter": that period's closing month
    # ("each month end of 2025": every month's close, the year's range)
    (
        rf"(?<!month )(?<!quarter )(?<!week )(?:the )?end of (?:the )?(?:{LAST} (?P<u>year|quarter|month)|{Y})",
        _end_of,
    ),
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
    (r"the (?P<h>first|second|1st|2nd) half\b(?! of)", _latest_half),
    (
        r"the (?P<h>first|second|1st|2nd) half of the year\b",
        _latest_half,
    ),  # the latest such half  # "each month of the first half"
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
    # "the week before last", "2 months ago": one whole unit counted back (a day "ago" is that day)
    (r"(?:in |during )?the (?P<u>day|week|month|quarter|year) before (?:the )?last", _units_ago),
    (rf"(?:in |during )?{N} {U} ago", _units_ago),
    (rf"(?:in |over |for |during )?(?:the )?{LAST} (?:full |complete |whole )?fortnight", _fortnight),
    (r"(?:in |during )?(?:a|one) fortnight ago", _fortnight_ago),
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
COMPILED = [(re.compile(rf"\b(?:{p})\b"), h) for p, h in _PATTERNS]
