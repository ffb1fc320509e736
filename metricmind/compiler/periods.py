"""Calendar arithmetic on dates (weeks start on Monday), used to align time ranges to grains.

>>> import datetime as dt
>>> floor(dt.date(2024, 5, 17), Grain.QUARTER)
datetime.date(2024, 4, 1)
>>> ceil(dt.date(2024, 5, 17), Grain.MONTH)
datetime.date(2024, 6, 1)
>>> shift(dt.date(2024, 3, 31), -1, "month")
datetime.date(2024, 2, 29)
"""

from __future__ import annotations

import calendar
import datetime as dt

from metricmind.spec.model import Grain

_SUB_DAY_SECONDS = {"hour": 3600, "minute": 60, "second": 1}


def floor(day: dt.date, grain: Grain) -> dt.date:
    """The first day of the ``grain`` period containing ``day`` (a day itself for sub-day grains)."""
    if grain is Grain.DAY or grain.sub_day:
        return day
    if grain is Grain.WEEK:
        return day - dt.timedelta(days=day.weekday())
    if grain is Grain.MONTH:
        return day.replace(day=1)
    if grain is Grain.QUARTER:
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return dt.date(day.year, 1, 1)


def ceil(day: dt.date, grain: Grain) -> dt.date:
    """``day`` if it starts a ``grain`` period, else the start of the next period."""
    start = floor(day, grain)
    return start if start == day else shift(start, 1, grain.value)


def shift(day: dt.date, count: int, unit: str) -> dt.date:
    """``day`` moved by ``count`` units (month arithmetic clamps to the month's last day, like SQL)."""
    unit = unit.rstrip("s")
    if unit in _SUB_DAY_SECONDS:  # a day bound moved by hours: the whole days it may reach
        days = -(-abs(count) * _SUB_DAY_SECONDS[unit] // 86400)
        return day + dt.timedelta(days=days if count >= 0 else -days)
    if unit == "day":
        return day + dt.timedelta(days=count)
    if unit == "week":
        return day + dt.timedelta(weeks=count)
    months = {"month": 1, "quarter": 3, "year": 12}[unit] * count
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))
