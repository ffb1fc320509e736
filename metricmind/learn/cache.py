"""The result cache arm: answers keyed by the compiled SQL *and* the warehouse's data version.

Exploration must never change a number. A cached answer is the plain plan's own answer for the same
SQL text on the same data: the key is ``sha256(sql) + data_version`` (for DuckDB the file signature
``path:mtime_ns:size`` that :class:`metricmind.project.Project` computes), so once the data changes
every old entry misses, and is dropped on sight. No data version (a server warehouse without one) →
nothing is cached. Entries are evicted least-recently-used past ``max_entries`` or ``max_rows``.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CachedAnswer:
    """One stored answer: the columns and rows the warehouse returned for the SQL on that data."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    data_version: str
    elapsed_ms: float
    types: tuple[str, ...] = ()


class ResultCache:
    """An in-process LRU cache of answers; thread-safe.

    Args:
        max_entries: Entries kept at most.
        max_rows: Answers with more rows than this are not cached (they would crowd out the rest).
    """

    def __init__(self, max_entries: int = 512, max_rows: int = 100_000) -> None:
        self.max_entries = max_entries
        self.max_rows = max_rows
        self._entries: OrderedDict[str, CachedAnswer] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.stale = 0

    @staticmethod
    def key(sql: str) -> str:
        """The entry key of ``sql`` (its exact text: different SQL never shares an answer)."""
        return hashlib.sha256(sql.encode()).hexdigest()

    def get(self, sql: str, data_version: str | None) -> CachedAnswer | None:
        """The answer stored for ``sql`` on ``data_version``, or None (a stale entry is dropped)."""
        if not data_version:
            return None
        key = self.key(sql)
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            if found.data_version != data_version:
                del self._entries[key]
                self.stale += 1
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def peek(self, sql: str, data_version: str | None) -> bool:
        """Whether a current answer for ``sql`` is stored (counts nothing, moves nothing)."""
        if not data_version:
            return False
        with self._lock:
            found = self._entries.get(self.key(sql))
        return found is not None and found.data_version == data_version

    def put(
        self,
        sql: str,
        data_version: str | None,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        elapsed_ms: float,
        types: Sequence[str] = (),
    ) -> bool:
        """Store the plain plan's answer; False when it is not cached (no data version, too many rows)."""
        if not data_version or len(rows) > self.max_rows:
            return False
        answer = CachedAnswer(
            tuple(columns), tuple(tuple(r) for r in rows), data_version, elapsed_ms, tuple(types)
        )
        with self._lock:
            self._entries[self.key(sql)] = answer
            self._entries.move_to_end(self.key(sql))
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return True

    def clear(self) -> None:
        """Drop every entry and the counters."""
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = self.stale = 0

    def __len__(self) -> int:
        return len(self._entries)

    def stats(self) -> dict[str, Any]:
        """Entries, hits, misses, stale drops and the hit rate."""
        looked = self.hits + self.misses
        return {
            "entries": len(self._entries),
            "hits": self.hits,
            "misses": self.misses,
            "stale": self.stale,
            "hit_rate": round(self.hits / looked, 4) if looked else 0.0,
        }
