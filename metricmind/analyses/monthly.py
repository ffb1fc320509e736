"""Monthly panels: who was active (or had MRR) in which month, as sorted flat arrays.

The months of a panel are the whole history: nothing before the first month is known. Only positive values
are kept (a month with MRR 0 is the same as a missing one), one entry per (entity, month), sorted by entity
then month, so "the same entity's previous active month" is the previous entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from metricmind.analyses.journeys import BoolArray, FloatArray, IntArray
from metricmind.analyses.periods import month_label


@dataclass(frozen=True, eq=False)
class MonthlyPanel:
    """Positive values per (entity, month) over a window of consecutive months.

    Attributes:
        first_month: Month index of the window's first month.
        n_months: Number of months in the window.
        entity: Entity code of each entry (sorted, then by month).
        month: Month offset (0 = first month) of each entry.
        value: The value (MRR, or 1 for activity), > 0.
    """

    first_month: int
    n_months: int
    entity: IntArray
    month: IntArray
    value: FloatArray

    @classmethod
    def build(
        cls, first_month: int, n_months: int, entity: IntArray, month: IntArray, value: FloatArray
    ) -> MonthlyPanel:
        """Keep positive values, sort by (entity, month); (entity, month) pairs must be unique."""
        entity = np.asarray(entity, dtype=np.int64)
        month = np.asarray(month, dtype=np.int64)
        value = np.asarray(value, dtype=np.float64)
        keep = value > 0
        if not keep.all():
            entity, month, value = entity[keep], month[keep], value[keep]
        if len(entity) > 1:
            step = np.diff(entity)
            if not np.all((step > 0) | ((step == 0) & (np.diff(month) > 0))):
                order = np.lexsort((month, entity))
                entity, month, value = entity[order], month[order], value[order]
        return cls(first_month, n_months, entity, month, value)

    @property
    def labels(self) -> list[str]:
        """``YYYY-MM`` of every month of the window."""
        return [month_label(self.first_month + i) for i in range(self.n_months)]

    @cached_property
    def has_previous(self) -> BoolArray:
        """Whether the same entity has an earlier entry."""
        out = np.zeros(len(self.entity), dtype=np.bool_)
        out[1:] = self.entity[1:] == self.entity[:-1]
        return out

    @cached_property
    def previous_month(self) -> IntArray:
        """Month of the entity's previous entry (-10 when none)."""
        out = np.full(len(self.entity), -10, dtype=np.int64)
        out[1:] = self.month[:-1]
        return np.where(self.has_previous, out, -10)

    @cached_property
    def previous_value(self) -> FloatArray:
        """Value of the entity's previous entry when it is the month before, else 0."""
        out = np.zeros(len(self.entity))
        out[1:] = self.value[:-1]
        return np.where(self.has_previous & (self.previous_month == self.month - 1), out, 0.0)

    @cached_property
    def next_is_following_month(self) -> BoolArray:
        """Whether the entity's next entry is in the following month."""
        out = np.zeros(len(self.entity), dtype=np.bool_)
        out[:-1] = (self.entity[1:] == self.entity[:-1]) & (self.month[1:] == self.month[:-1] + 1)
        return out

    def per_month(self, weights: FloatArray | BoolArray, months: IntArray | None = None) -> FloatArray:
        """Sum ``weights`` per month of the window (``months`` defaults to each entry's month)."""
        w = np.asarray(weights, dtype=np.float64)
        if months is None:  # entries' own months are always inside the window
            return np.bincount(self.month, weights=w, minlength=self.n_months).astype(np.float64)
        inside = (months >= 0) & (months < self.n_months)
        return np.bincount(months[inside], weights=w[inside], minlength=self.n_months)[
            : self.n_months
        ].astype(np.float64)
