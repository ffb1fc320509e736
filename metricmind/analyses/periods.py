"""Months and timestamps: ``YYYY-MM`` labels, month indexes and zone-aware ISO timestamps (UTC).

A month is handled as an integer index ``year * 12 + month - 1`` so that "the previous month" is ``i - 1``.
A timestamp must carry its zone (``Z`` or ``+01:00``): a timestamp without one is refused, because the
calendar month (and the time-decay weight) of a local time is unknown.
"""

from __future__ import annotations

import datetime as dt
import re

from metricmind.errors import MetricmindError

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class AnalysisInputError(MetricmindError):
    """The input of an analysis is invalid; the message names the row (``journeys[3].touchpoints[0].ts``)."""

    code = "invalid_input"


def month_index(text: object, where: str) -> int:
    """The index of a ``YYYY-MM`` label.

    Raises:
        AnalysisInputError: ``text`` is not a ``YYYY-MM`` string.
    """
    match = MONTH_RE.match(text) if isinstance(text, str) else None
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise AnalysisInputError(
            f"{where} is {text!r}, not a month", hint="Write months as 'YYYY-MM', e.g. '2026-01'."
        )
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def month_label(index: int) -> str:
    """The ``YYYY-MM`` label of a month index."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_of_date(value: dt.date) -> int:
    """The month index of a date (or of a datetime, taken in UTC when it carries a zone)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc)
    return value.year * 12 + value.month - 1


def parse_timestamp(text: object, where: str, *, allow_date: bool = False) -> dt.datetime:
    """A zone-aware ISO 8601 timestamp, converted to UTC.

    Args:
        text: The value read from the input.
        where: Where it is (``journeys[3].touchpoints[0].ts``), for the error message.
        allow_date: Accept a bare ``YYYY-MM-DD`` date as midnight UTC (lifecycle activity, where only the
            calendar month matters).

    Raises:
        AnalysisInputError: Not a string, not ISO 8601, or without a zone.
    """
    if not isinstance(text, str):
        raise AnalysisInputError(
            f"{where} is {text!r}, not a timestamp string",
            hint="Write timestamps as ISO 8601 with a zone, e.g. '2026-01-05T10:00:00Z'.",
        )
    if allow_date and DATE_RE.match(text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            pass
        else:
            return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise AnalysisInputError(
            f"{where} is {text!r}, not an ISO 8601 timestamp",
            hint="Write timestamps as ISO 8601 with a zone, e.g. '2026-01-05T10:00:00Z'.",
        ) from None
    if value.tzinfo is None or DATE_RE.match(text):
        raise AnalysisInputError(
            f"{where} is {text!r}, a timestamp without a time zone",
            hint="Add the zone it was recorded in, e.g. '2026-01-05T10:00:00Z' for UTC or '+01:00'.",
        )
    return value.astimezone(dt.timezone.utc)


def epoch_seconds(value: dt.datetime) -> float:
    """Seconds since 1970-01-01 UTC of a zone-aware datetime."""
    return value.timestamp()
