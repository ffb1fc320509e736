"""One nightly run at a time per project: ``nightly.lock`` in its state folder (``<project>/.metricmind``).

Cron and ``metricmind serve --nightly-at`` may start the job at the same moment; two runs at once would
rebuild the same proposal branch in the same worktree. The lock is an exclusive ``flock`` on the file,
which the kernel releases when its process ends, however it ends (``kill -9`` included): a lock file left
behind by a dead process is never a held lock. The file also tells who holds it (pid, host, since when),
for the message the second run prints. Where ``flock`` does not exist (Windows), the file is created
exclusively and a lock whose pid is no longer alive on this host is taken over (stale).

On a PostgreSQL store, shared by hosts that each have their own state folder, the run also holds a
PostgreSQL advisory lock (``metricmind.storage.advisory``, key ``metricmind:nightly``), which the server
releases when the run's session ends, however it ends: two runs never interleave across hosts either.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from metricmind import config
from metricmind.errors import MetricmindError
from metricmind.storage.advisory import LockHeld, advisory_lock

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = ".metricmind/nightly.lock"  # where it is by default, relative to the project


class NightlyBusy(MetricmindError):
    """Another nightly run of the same project holds the lock."""

    code = "busy"


def lock_path(root: Path) -> Path:
    """The lock file of the project at ``root`` (in its state folder, ``config.state_dir``)."""
    return config.state_dir(root) / "nightly.lock"


def holder(path: Path) -> dict[str, Any]:
    """What the lock file says about its holder (``pid``, ``host``, ``since``); empty when unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _busy(path: Path) -> NightlyBusy:
    who = holder(path)
    if not who:  # the holder took the lock an instant ago and is writing its name
        time.sleep(0.1)
        who = holder(path)
    host = f" on {who['host']}" if who.get("host") and who.get("host") != socket.gethostname() else ""
    return NightlyBusy(
        f"another nightly run holds the lock since {who.get('since', 'an unknown time')}, "
        f"pid {who.get('pid', 'unknown')}{host} ({path})",
        hint="This run did nothing. The nightly job is idempotent: let the other run finish, or run it "
        "again later (`metricmind nightly --wait SECONDS` waits for the lock).",
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stamp() -> str:
    return json.dumps(
        {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        }
    )


def _try_flock(path: Path) -> int | None:
    assert fcntl is not None
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    os.ftruncate(fd, 0)
    os.write(fd, _stamp().encode())
    os.fsync(fd)
    return fd


def _try_exclusive(path: Path) -> int | None:
    """Without ``flock``: create the file exclusively; take over a lock whose process is gone."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        who = holder(path)
        same_host = who.get("host") in (None, socket.gethostname())
        if same_host and isinstance(who.get("pid"), int) and not _alive(int(who["pid"])):
            path.unlink(missing_ok=True)  # stale: its process died without releasing it
            return _try_exclusive(path)
        return None
    os.write(fd, _stamp().encode())
    return fd


STORE_LOCK = "metricmind:nightly"  # the advisory lock's name on a PostgreSQL store


@contextmanager
def nightly_lock(
    root: Path, *, wait: float = 0.0, poll: float = 0.5, engine: sa.Engine | None = None
) -> Iterator[Path]:
    """Hold the project's nightly lock for the ``with`` block; the lock file.

    Args:
        root: The project folder.
        wait: Seconds to wait for a run holding the lock to finish (0: do not wait).
        poll: Seconds between two tries while waiting.
        engine: The store; on PostgreSQL its advisory lock is held too (runs on other hosts).

    Raises:
        NightlyBusy: Another run holds the lock (after ``wait`` seconds), naming its pid and start.
    """
    path = lock_path(root)
    config.ensure_state_dir(path.parent)
    attempt = _try_flock if fcntl is not None else _try_exclusive
    deadline = time.monotonic() + max(wait, 0.0)
    fd = attempt(path)
    while fd is None:
        if time.monotonic() >= deadline:
            raise _busy(path)
        time.sleep(min(poll, max(deadline - time.monotonic(), 0.0)) or poll)
        fd = attempt(path)
    try:
        if engine is None:
            yield path
        else:
            with _store_lock(engine, max(deadline - time.monotonic(), 0.0), poll):
                yield path
    finally:
        if fcntl is None:
            path.unlink(missing_ok=True)
        os.close(fd)  # releases the flock


@contextmanager
def _store_lock(engine: sa.Engine, wait: float, poll: float) -> Iterator[None]:
    try:
        with advisory_lock(engine, STORE_LOCK, purpose="nightly", wait=wait, poll=poll):
            yield
    except LockHeld as exc:
        raise NightlyBusy(
            f"another nightly run holds the store's lock: {exc.holder or 'a session that just ended'} "
            f"({engine.url.render_as_string(hide_password=True)})",
            hint="This run did nothing. The nightly job is idempotent: let the other run (perhaps on "
            "another host) finish, or run it again later (`metricmind nightly --wait SECONDS`).",
        ) from exc


__all__ = ["LOCK_FILE", "NightlyBusy", "holder", "lock_path", "nightly_lock"]
