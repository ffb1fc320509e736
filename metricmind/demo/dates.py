"""Vectorised calendar arithmetic on day numbers (days since 1970-01-01, int64) and seeded streams.

The generators keep dates as ``int64`` day numbers and timestamps as ``int64`` microseconds; Arrow turns
them into DATE and TIMESTAMP columns without a Python loop.
"""

from __future__ import annotations

import datetime as dt
import zlib

import numpy as np
import numpy.typing as npt
import pyarrow as pa

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

EPOCH = dt.date(1970, 1, 1)
US_PER_DAY = 86_400_000_000
NONE = -1  # the "no date" marker inside int64 day arrays


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream for one part of the generator (stable when other parts change)."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def day(date: dt.date) -> int:
    """The day number of ``date``."""
    return (date - EPOCH).days


def to_date(number: int) -> dt.date:
    """The date of day number ``number``."""
    return EPOCH + dt.timedelta(days=int(number))


def month_of(days: Ints) -> Ints:
    """Month numbers (months since 1970-01) of day numbers."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def month_start(months: Ints | int) -> Ints:
    """Day number of the first day of each month number."""
    return np.asarray(months, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def days_in_month(months: Ints | int) -> Ints:
    """Number of days of each month number."""
    m = np.asarray(months, dtype=np.int64)
    return month_start(m + 1) - month_start(m)


def day_of_month(days: Ints) -> Ints:
    """Day of month (1-31) of day numbers."""
    return days - month_start(month_of(days)) + 1


def add_months(days: Ints, months: Ints | int, anchor: Ints | None = None) -> Ints:
    """Shift day numbers by whole months, keeping the day of month (clipped to the month's length).

    Args:
        days: Day numbers to shift.
        months: Months to add (scalar or per element).
        anchor: Day of month to land on instead of each day's own (billing anchors).
    """
    target = month_of(days) + np.asarray(months, dtype=np.int64)
    dom = day_of_month(days) if anchor is None else anchor
    return month_start(target) + np.minimum(dom, days_in_month(target)) - 1


def weekday(days: Ints) -> Ints:
    """ISO weekday index, Monday = 0 … Sunday = 6."""
    return (days + 3) % 7


def date_array(days: Ints) -> pa.Array:
    """An Arrow DATE column from day numbers; ``NONE`` becomes null."""
    mask = days == NONE
    return pa.array(days.astype("datetime64[D]"), type=pa.date32(), mask=mask if mask.any() else None)


def timestamp_array(micros: Ints, mask: Bools | None = None) -> pa.Array:
    """An Arrow TIMESTAMP column (microseconds, no time zone) from int64 microseconds."""
    use_mask = mask if mask is not None and mask.any() else None
    return pa.array(micros.astype("datetime64[us]"), type=pa.timestamp("us"), mask=use_mask)


def labels(codes: npt.NDArray[np.integer], values: tuple[str, ...], mask: Bools | None = None) -> pa.Array:
    """An Arrow string column from integer codes into ``values``; masked rows become null."""
    indices = pa.array(
        codes.astype(np.int32), type=pa.int32(), mask=mask if mask is not None and mask.any() else None
    )
    return pa.DictionaryArray.from_arrays(indices, pa.array(values, type=pa.string())).cast(pa.string())


def pick(rng: np.random.Generator, weights: npt.ArrayLike, size: int) -> Ints:
    """``size`` draws of indices with the given relative weights."""
    w = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(w), size=size, p=w / w.sum()).astype(np.int64)


def pick_rows(rng: np.random.Generator, weights: Floats) -> Ints:
    """One draw per row of a weight matrix (rows need not be normalised)."""
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cum[:, -1]
    drawn: Ints = np.minimum((cum < u[:, None]).sum(axis=1), weights.shape[1] - 1).astype(np.int64)
    return drawn
