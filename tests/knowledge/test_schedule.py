"""The nightly schedule of ``metricmind serve --nightly-at``: next run times and a real background run."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from metricmind.knowledge.schedule import NightlySchedule, next_run, parse_time


def test_parse_time() -> None:
    assert parse_time("02:00") == dt.time(2, 0)
    assert parse_time(" 23:59:30 ") == dt.time(23, 59, 30)
    for bad in ("2am", "25:00", "", "1:2:3:4"):
        with pytest.raises(ValueError, match="HH:MM"):
            parse_time(bad)


def test_next_run_is_strictly_later() -> None:
    at = dt.time(2, 0)
    assert next_run(dt.datetime(2026, 6, 30, 1, 59), at) == dt.datetime(2026, 6, 30, 2, 0)
    assert next_run(dt.datetime(2026, 6, 30, 2, 0), at) == dt.datetime(2026, 7, 1, 2, 0)
    assert next_run(dt.datetime(2026, 12, 31, 23, 0), at) == dt.datetime(2027, 1, 1, 2, 0)


def test_runs_in_the_background_and_survives_a_failure() -> None:
    ran = threading.Event()
    calls: list[int] = []

    def job() -> None:
        calls.append(1)
        ran.set()
        raise RuntimeError("warehouse down")

    # a clock one second before the scheduled time (a real wait of one second, at any hour of the day)
    schedule = NightlySchedule(job, dt.time(2, 0), clock=lambda: dt.datetime(2026, 6, 30, 1, 59, 59)).start()
    try:
        assert ran.wait(5), "the job did not run"
    finally:
        schedule.stop()
    assert calls and schedule.last_error == "warehouse down"
