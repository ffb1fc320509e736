"""Trending metrics on the catalog surfaces: the last nightly learner's list, read back cheaply.

The nightly learner (:mod:`metricmind.project.nightlearn`) marks the metrics used more this week than
the week before and keeps them in the memory store (checkpoint ``trending``).
:meth:`TrendingMixin.trending_metrics` reads that list for the web catalog, ``metricmind list metrics``
and MCP ``list_metrics``: one indexed row, read at most once a minute per project (nothing is
recomputed per page), and an empty list — never an error — when learning is off (``learn.enabled``),
the store is missing, corrupt or unreachable, no nightly has run, or the last one is more than a week
old.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from metricmind.project.learning import enabled
from metricmind.project.state import ProjectState

#: Where a project keeps the list it read (``project.__dict__``) and when: ``(monotonic time, list)``.
TRENDING_CACHE = "_trending_cache"
#: Seconds a read list is kept before the store is read again (a nightly run elsewhere shows within it).
TRENDING_TTL_S = 60.0
#: A nightly list older than this is no longer "this week".
TRENDING_MAX_AGE = dt.timedelta(days=7)


def describe(uses: int, before: int) -> str:
    """``used 14 times this week, 4 the week before`` (``none the week before`` for a new one)."""
    times = "once" if uses == 1 else f"{uses} times"
    return f"used {times} this week, {before if before else 'none'} the week before"


def _entry(item: dict[str, Any], as_of: str | None, days: int) -> dict[str, Any] | None:
    try:
        uses, before = int(item["recent"]), int(item.get("prior") or 0)
        name = str(item["name"])
    except (KeyError, TypeError, ValueError):
        return None
    return {
        "name": name,
        "uses": uses,
        "uses_before": before,
        "ratio": round(uses / before, 2) if before else None,
        "new": before == 0,
        "since": str(item.get("since") or as_of or "") or None,
        "as_of": as_of,
        "days": days,
        "summary": describe(uses, before),
    }


class TrendingMixin(ProjectState):
    """``trending_metrics``: what the last nightly learner marked trending."""

    def trending_metrics(self, *, fresh: bool = False) -> list[dict[str, Any]]:
        """The metrics the last nightly learner marked trending, most used first.

        Each is ``{"name", "uses" (this week), "uses_before" (the week before), "ratio" (uses ÷
        uses_before, None when new), "new", "since" (the first nightly, in an unbroken run, that
        marked it), "as_of" (the last nightly's day), "days" (the window, 7), "summary"}`` — only
        metrics the project still defines. Read from the store at most every ``TRENDING_TTL_S``
        seconds (``fresh`` reads now). Empty, never an error, without learning, a readable store or a
        nightly of the last week.
        """
        cached = self.__dict__.get(TRENDING_CACHE)
        if not fresh and cached is not None and time.monotonic() - cached[0] < TRENDING_TTL_S:
            return [dict(t) for t in cached[1]]
        found = self._read_trending()
        self.__dict__[TRENDING_CACHE] = (time.monotonic(), found)
        return [dict(t) for t in found]

    def _read_trending(self) -> list[dict[str, Any]]:
        if not enabled(self):  # type: ignore[arg-type]
            return []
        from metricmind.learn.trending import read_checkpoint

        url = self.setting("store.url")
        read = read_checkpoint(str(url) if url else f"sqlite:///{self.state_dir / 'store.db'}")
        if read is None:
            return []
        state, saved_at = read
        if dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - saved_at > TRENDING_MAX_AGE:
            return []
        as_of = str(state["as_of"]) if state.get("as_of") else None
        days = int(state.get("days") or 7)
        items = state.get("metrics") if isinstance(state.get("metrics"), list) else []
        out = [e for i in items or [] if isinstance(i, dict) and (e := _entry(i, as_of, days)) is not None]
        out = [e for e in out if e["name"] in self.model.metrics]
        return sorted(out, key=lambda e: (-e["uses"], e["name"]))
