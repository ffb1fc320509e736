"""Run the nightly job once a day at a fixed local time, in a background thread of a long-lived process
(``metricmind serve --nightly-at 02:00``). Cron, Airflow or Dagster calling ``metricmind nightly`` is the
same job; this is for teams that run only the server. A failed run is logged and retried the next day.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any

from metricmind.errors import MetricmindError

log = logging.getLogger(__name__)


def parse_time(text: str) -> dt.time:
    """``"02:00"`` or ``"2:30:15"`` → a time of day; ``ValueError`` with the expected form otherwise."""
    try:
        parts = [int(p) for p in text.strip().split(":")]
        if not 2 <= len(parts) <= 3:
            raise ValueError
        return dt.time(parts[0], parts[1], parts[2] if len(parts) == 3 else 0)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{text!r} is not a time of day; write HH:MM, e.g. 02:00") from exc


def next_run(now: dt.datetime, at: dt.time) -> dt.datetime:
    """The first moment at ``at`` strictly after ``now`` (same timezone as ``now``)."""
    candidate = now.replace(hour=at.hour, minute=at.minute, second=at.second, microsecond=0)
    return candidate if candidate > now else candidate + dt.timedelta(days=1)


class NightlySchedule:
    """Calls ``job`` every day at ``at`` (local time) until ``stop()``."""

    def __init__(
        self,
        job: Callable[[], Any],
        at: dt.time,
        *,
        clock: Callable[[], dt.datetime] = dt.datetime.now,
    ) -> None:
        self.job, self.at, self.clock = job, at, clock
        self.runs = 0
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="metricmind-nightly", daemon=True)

    def start(self) -> NightlySchedule:
        """Start the background thread."""
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop waiting (a run in progress finishes first)."""
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            now = self.clock()
            wait = (next_run(now, self.at) - now).total_seconds()
            if self._stop.wait(wait):
                return
            try:
                self.job()
                self.last_error = None
            except MetricmindError as exc:  # expected (another run holds the lock …): no traceback
                self.last_error = str(exc)
                log.warning("the nightly job did not run: %s", exc)
            except Exception as exc:  # a failed night must not stop the server
                self.last_error = str(exc)
                log.exception("the nightly job failed; it runs again tomorrow")
            self.runs += 1
