"""Periods said by a day of the calendar, as a finance controller says them: "for the quarter ended 30 June 2024",
"the six months to 31 March", "as at 31 May", "on 15 March".

* A period *ended* (or *ending*, *to*, *through*) on a day is the whole period of that length whose last day it is:
  "the quarter ended 30 June 2024" is ``[2024-04-01, 2024-07-01)``, "the twelve months to 31 March" the year
  before April.
* A balance *as at* (or *as of*) the last day of a month is that month's figure, as "at the end of May" is; *as
  at* any other day, and a day said alone after "on", is that day.
* A day said without its year is the latest such day on or before the day of asking.
* "second half of the year" with no article before it (a list item: "…, second half of the year") is the latest
  such half, as "the second half of the year" is.

The patterns (``CLOSING``) run before the general ones of ``timespans`` in ``timephrases.find_time``; they are
closed-class English and the calendar, no catalog's words.
"""

from __future__ import annotations

import datetime as dt
import re

from metricmind.resolve.timespans import Handler, Range, add_months, match_group, month_number

_MONTH_WORDS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|sept|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec"
)
_DAY_MONTH = rf"(?P<d1>[0-3]?\d)(?: (?:st|nd|rd|th))? (?:of )?(?P<m1>{_MONTH_WORDS})"
_MONTH_DAY = rf"(?P<m2>{_MONTH_WORDS}) (?P<d2>[0-3]?\d)(?: (?:st|nd|rd|th))?"
DATE = rf"(?:{_DAY_MONTH}|{_MONTH_DAY})(?: (?P<y>20\d\d))?"
"""A day of the calendar, day first ("30 june 2024", "31st of may") or month first ("june 30 2024")."""

PERIOD_MONTHS = {
    "month": 1,
    "quarter": 3,
    "half": 6,
    "half year": 6,
    "year": 12,
    "fiscal year": 12,
    "financial year": 12,
    "fy": 12,
}
"""The length in months of each period a controller closes."""
_COUNTED = {"one": 1, "two": 2, "three": 3, "six": 6, "nine": 9, "twelve": 12}
_UNITS = {1: "month", 3: "quarter", 12: "year"}


def said_day(m: re.Match[str], as_of: dt.date) -> dt.date:
    """The day ``m`` (a ``DATE`` match) names: with no year, the latest such day on or before ``as_of``."""
    month = month_number(match_group(m, "m1") or match_group(m, "m2"))
    day = int(match_group(m, "d1") or match_group(m, "d2"))
    if month is None:
        raise ValueError("no month")
    year = match_group(m, "y")
    if year:
        return dt.date(int(year), month, day)
    found = dt.date(as_of.year, month, day)
    return found if found <= as_of else dt.date(as_of.year - 1, month, day)


def _ended(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    """The period of the length said whose last day is the day said."""
    kind = match_group(m, "k")
    counted = match_group(m, "n")
    months = PERIOD_MONTHS[kind] if kind else int(counted) if counted.isdigit() else _COUNTED[counted]
    end = said_day(m, as_of) + dt.timedelta(days=1)
    return (add_months(end, -months), end), _UNITS.get(months)


def _as_at(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    """A balance as at a month's last day: that month; as at any other day: that day."""
    day = said_day(m, as_of)
    end = day + dt.timedelta(days=1)
    if end.day == 1:
        return (day.replace(day=1), end), "month"
    return (day, end), "day"


def _on_day(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    day = said_day(m, as_of)
    return (day, day + dt.timedelta(days=1)), "day"


def _latest_half(m: re.Match[str], as_of: dt.date) -> tuple[Range, str | None]:
    start = dt.date(as_of.year, 1 if match_group(m, "h") in ("first", "1st") else 7, 1)
    if start > as_of:
        start = dt.date(as_of.year - 1, start.month, 1)
    return (start, add_months(start, 6)), "half"


_PERIOD = (
    r"(?:(?P<k>month|quarter|half year|half|year|fiscal year|financial year|fy)"
    r"|(?P<n>\d{1,2}|one|two|three|six|nine|twelve) months?)"
)
_CLOSED = r"(?:ended|ending|ends|end|closed|closing|to|through|thru|up to)"
_PATTERNS: list[tuple[str, Handler]] = [
    (rf"(?:for |in |over |during )?(?:the )?{_PERIOD} {_CLOSED} (?:on )?(?:the )?{DATE}", _ended),
    (rf"(?:as (?:at|of)|at (?:the )?close of|at) (?:the )?{DATE}", _as_at),
    (rf"(?:on|for) (?:the )?{DATE}", _on_day),
    (rf"{_DAY_MONTH} (?P<y>20\d\d)", _on_day),
    (r"(?<!the )(?P<h>first|second|1st|2nd) half of the year", _latest_half),
]
CLOSING = [(re.compile(rf"\b(?:{p})\b"), h) for p, h in _PATTERNS]
"""The patterns of this module, compiled, for ``find_time`` to run before the general ones."""
