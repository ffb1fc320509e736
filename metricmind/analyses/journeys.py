"""Journeys as flat numpy arrays, sorted once: the shared input of every attribution model.

A journey is a customer's ordered touchpoints and whether (and when, and for how much) it converted.
Touches are stored flat, one entry per touch, grouped by journey and sorted by timestamp with a stable
sort (ties keep their input order), so each model is a few vectorised passes over the arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from metricmind.analyses.periods import AnalysisInputError

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


SHORT_JOURNEY = 32
"""Journeys up to this many touches, given grouped, are sorted in place by parallel transposition rounds."""


def touch_order(journey: IntArray, ts: FloatArray) -> IntArray | None:
    """The stable order by (journey, ts), or None when the touches are already in it.

    Touches usually arrive grouped by journey (the file format nests them; the warehouse query orders them)
    and only need sorting within each journey. For short journeys that is done with odd-even transposition
    rounds over all journeys at once (stable: only strictly out-of-order neighbours swap; a journey of n
    touches is sorted after n rounds); otherwise with ``np.lexsort``, which is stable too.
    """
    if len(ts) < 2:
        return None
    step = np.diff(journey)
    same = step == 0
    if bool(np.all((step > 0) | (same & (np.diff(ts) >= 0)))):
        return None
    if bool(np.all(step >= 0)):
        longest = int(np.bincount(journey - journey[0]).max())
        if longest <= SHORT_JOURNEY:
            order = np.arange(len(ts), dtype=np.int64)
            keys = ts.copy()
            pairs = [np.flatnonzero(same[parity::2]) * 2 + parity for parity in (0, 1)]
            quiet = 0
            for round_ in range(longest + 1):
                left = pairs[round_ % 2]
                left = left[keys[left] > keys[left + 1]]
                if len(left):
                    quiet = 0
                    right = left + 1
                    keys[left], keys[right] = keys[right], keys[left].copy()
                    order[left], order[right] = order[right], order[left].copy()
                else:
                    quiet += 1
                    if quiet == 2:
                        break
            return order
    return np.lexsort((ts, journey)).astype(np.int64)


@dataclass(frozen=True, eq=False)
class Journeys:
    """Touchpoints of many journeys, grouped by journey and sorted by time within each.

    Attributes:
        channels: Channel names, sorted; a touch's ``channel`` code indexes this tuple.
        journey: Journey index of each touch (non-decreasing).
        channel: Channel code of each touch.
        ts: Timestamp of each touch, seconds since the epoch (UTC).
        converted: Whether each journey converted.
        revenue: Revenue of each journey (used only when it converted).
        conversion_ts: Conversion timestamp of each journey, NaN when unknown (the last touch is used).
        ids: The journeys' ids, in journey-index order.
    """

    channels: tuple[str, ...]
    journey: IntArray
    channel: IntArray
    ts: FloatArray
    converted: BoolArray
    revenue: FloatArray
    conversion_ts: FloatArray
    ids: tuple[str, ...]

    @classmethod
    def build(
        cls,
        channels: tuple[str, ...],
        journey: IntArray,
        channel: IntArray,
        ts: FloatArray,
        converted: BoolArray,
        revenue: FloatArray,
        conversion_ts: FloatArray | None = None,
        ids: tuple[str, ...] | None = None,
    ) -> Journeys:
        """Sort the touches by (journey, timestamp, input order) and check every journey has a touch.

        Args:
            channels: Channel names; must be sorted and unique.
            journey: Journey index of each touch, ``0 .. len(converted) - 1``, in any order.
            channel: Channel code of each touch.
            ts: Timestamp of each touch (epoch seconds).
            converted: One flag per journey.
            revenue: One amount per journey.
            conversion_ts: One timestamp per journey or NaN; default all NaN.
            ids: Journey ids; default ``"0", "1", ...``.

        Raises:
            AnalysisInputError: A journey without touchpoints, or arrays of different lengths.
        """
        n_journeys = len(converted)
        journey = np.asarray(journey, dtype=np.int64)
        channel = np.asarray(channel, dtype=np.int64)
        ts = np.asarray(ts, dtype=np.float64)
        if not (len(journey) == len(channel) == len(ts)) or len(revenue) != n_journeys:
            raise AnalysisInputError(
                "journey arrays have different lengths", hint="Pass one entry per touch."
            )
        if list(channels) != sorted(set(channels)):
            raise AnalysisInputError("channels must be sorted and unique", hint="Pass sorted(set(names)).")
        counts = (
            np.bincount(journey, minlength=n_journeys) if len(journey) else np.zeros(n_journeys, np.int64)
        )
        if len(counts) > n_journeys or (n_journeys and counts.min() == 0):
            empty = int(np.argmin(counts)) if len(counts) == n_journeys else n_journeys
            raise AnalysisInputError(
                f"journeys[{empty}] has no touchpoints",
                hint="Every journey needs at least one touchpoint; drop the empty ones.",
            )
        order = touch_order(journey, ts)
        if order is not None:
            journey, channel, ts = journey[order], channel[order], ts[order]
        return cls(
            channels=tuple(channels),
            journey=journey,
            channel=channel,
            ts=ts,
            converted=np.asarray(converted, dtype=np.bool_),
            revenue=np.asarray(revenue, dtype=np.float64),
            conversion_ts=(
                np.full(n_journeys, np.nan)
                if conversion_ts is None
                else np.asarray(conversion_ts, dtype=np.float64)
            ),
            ids=ids if ids is not None else tuple(str(i) for i in range(n_journeys)),
        )

    @property
    def n_journeys(self) -> int:
        """How many journeys (converted or not)."""
        return len(self.converted)

    @cached_property
    def lengths(self) -> IntArray:
        """Number of touches of each journey."""
        return np.bincount(self.journey, minlength=self.n_journeys).astype(np.int64)

    @cached_property
    def starts(self) -> IntArray:
        """Offset of each journey's first touch in the flat arrays."""
        starts = np.zeros(self.n_journeys, dtype=np.int64)
        np.cumsum(self.lengths[:-1], out=starts[1:])
        return starts

    @cached_property
    def position(self) -> IntArray:
        """0-based position of each touch within its journey."""
        return np.arange(len(self.journey), dtype=np.int64) - self.starts[self.journey]

    def subset(self, keep: BoolArray) -> Journeys:
        """The journeys where ``keep`` is true (already sorted; indexes renumbered)."""
        new_index = np.cumsum(keep) - 1
        touch_keep = keep[self.journey]
        return Journeys(
            channels=self.channels,
            journey=new_index[self.journey[touch_keep]].astype(np.int64),
            channel=self.channel[touch_keep],
            ts=self.ts[touch_keep],
            converted=self.converted[keep],
            revenue=self.revenue[keep],
            conversion_ts=self.conversion_ts[keep],
            ids=tuple(i for i, k in zip(self.ids, keep.tolist(), strict=True) if k),
        )
