"""How the Explorer shows values: numbers by the metric's unit, time by the column's grain, labels by name.

The same rules are applied in the browser (``static/chart.js``, ``Intl.NumberFormat``) for chart axes and
tooltips; CSV and JSON keep the raw values.

>>> format_number(49330.29, "currency")
'$49,330.29'
>>> time_label(dt.date(2025, 4, 1), "quarter")
'Q2 2025'
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from metricmind.spec.model import Metric
from metricmind.spec.names import METRIC_TIME, SEP

GRAINS = ("day", "week", "month", "quarter", "year")
UNITS = ("currency", "percent", "ratio", "count", "number")
"""``meta.unit`` values: ``percent`` is already ×100 (12.5 → 12.5%), ``ratio`` is a share (0.125 → 12.5%)."""

_UNIT_ALIASES = {
    "money": "currency",
    "usd": "currency",
    "eur": "currency",
    "gbp": "currency",
    "%": "percent",
    "pct": "percent",
    "percentage": "percent",
    "share": "ratio",
    "rate": "ratio",
    "fraction": "ratio",
    "integer": "count",
    "int": "count",
}
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


def unit_of(metric: Metric | None) -> str:
    """The metric's unit (``config.meta.unit``, normalised to one of ``UNITS``); ``number`` when unknown."""
    if metric is None:
        return "number"
    raw = str(metric.meta.get("unit") or "").strip().lower()
    unit = _UNIT_ALIASES.get(raw, raw)
    return unit if unit in UNITS else "number"


def currency_of(metric: Metric | None) -> str:
    """The ISO currency code of a currency metric (``meta.currency``, else USD)."""
    code = str((metric.meta.get("currency") if metric else None) or "USD").strip().upper()
    return code if len(code) == 3 and code.isalpha() else "USD"


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) or math.isinf(out) else out


def _grouped(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return "0" if text in ("-0", "-0.0", "-0.00") else text


def format_number(value: Any, unit: str = "number", currency: str = "USD") -> str:
    """A table cell: ``$49,330.29``, ``12.5%``, ``1,204``; empty for NULL, the text itself when not a number."""
    if value is None:
        return ""
    num = _number(value)
    if num is None:
        return str(value)
    if unit == "currency":
        symbol = _SYMBOLS.get(currency, currency + " ")
        sign = "-" if num < 0 else ""
        decimals = 0 if abs(num) >= 100_000 else 2
        return f"{sign}{symbol}{_grouped(abs(num), decimals)}"
    if unit in ("percent", "ratio"):
        pct = num * 100 if unit == "ratio" else num
        return f"{_grouped(pct, 1)}%"
    if unit == "count":
        return _grouped(num, 0) if num == int(num) else _grouped(num, 1)
    if num == int(num) and abs(num) < 1e15:
        return _grouped(num, 0)
    decimals = 2 if abs(num) >= 1 else 4
    return _grouped(num, decimals).rstrip("0").rstrip(".")


def format_compact(value: Any, unit: str = "number", currency: str = "USD") -> str:
    """An axis label: ``$49k``, ``1.2M``, ``12%``."""
    num = _number(value)
    if num is None:
        return "" if value is None else str(value)
    if unit in ("percent", "ratio"):
        pct = num * 100 if unit == "ratio" else num
        return f"{pct:.0f}%" if pct == int(pct) or abs(pct) >= 10 else f"{pct:.1f}%"
    a = abs(num)
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= size:
            text = f"{num / size:.1f}".replace(".0", "") + suffix
            break
    else:
        text = f"{num:.0f}" if num == int(num) else f"{num:.2f}".rstrip("0").rstrip(".")
    if unit == "currency":
        symbol = _SYMBOLS.get(currency, currency + " ")
        return f"-{symbol}{text[1:]}" if text.startswith("-") else f"{symbol}{text}"
    return text


def grain_of(column: str) -> str | None:
    """The grain a time column is truncated to: ``metric_time__quarter`` → quarter; bare ``metric_time`` → day."""
    if column == METRIC_TIME:
        return "day"
    last = column.rsplit(SEP, 1)[-1]
    return last if SEP in column and last in GRAINS else None


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def time_label(value: Any, grain: str | None) -> str:
    """A period as people say it: ``2025-04-03``, ``2025-W14``, ``Apr 2025``, ``Q2 2025``, ``2025``."""
    day = _as_date(value)
    if day is None:
        return "" if value is None else str(value)
    if grain == "year":
        return str(day.year)
    if grain == "quarter":
        return f"Q{(day.month - 1) // 3 + 1} {day.year}"
    if grain == "month":
        return day.strftime("%b %Y")
    if grain == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


def humanise(name: str) -> str:
    """``acquisition_channel`` → ``Acquisition channel``."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else name
