"""Locks held by the store's database server: PostgreSQL session-level advisory locks.

A file lock (``flock``) keeps two processes of one host apart; processes on several hosts that share
one PostgreSQL store need a lock the server holds. ``pg_try_advisory_lock`` takes one on a connection
of its own (autocommit, so no transaction stays open while the lock is held); the server releases it
when that session ends, however it ends: an explicit unlock, a closed connection, or a client killed
with ``kill -9`` (its socket closes). The holding session names itself in ``application_name``
(``metricmind <purpose> pid=… host=…``), which is what a refused caller is told.

On any other database (SQLite) :func:`advisory_lock` holds nothing and yields ``False``: the caller's
file lock is the lock there, since a SQLite file is only ever shared by the processes of one host.
"""

from __future__ import annotations

import hashlib
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from metricmind.errors import StoreError


class LockHeld(StoreError):
    """Another session holds the advisory lock; ``holder`` says who (``application_name`` and since)."""

    code = "busy"

    def __init__(self, message: str, *, hint: str | None = None, holder: str = "") -> None:
        super().__init__(message, hint=hint)
        self.holder = holder


def lock_key(name: str) -> int:
    """The signed 64-bit key PostgreSQL's advisory locks take, derived from ``name``."""
    digest = hashlib.sha256(name.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def holder(engine: sa.Engine, name: str) -> str:
    """Who holds the lock ``name`` (the session's ``application_name``, client address and start)."""
    key = lock_key(name)
    sql = sa.text(
        "SELECT a.application_name, a.client_addr::text, a.backend_start FROM pg_locks l "
        "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
        "AND l.classid::bigint = :hi AND l.objid::bigint = :lo AND l.objsubid = 1"
    )
    unsigned = key & 0xFFFFFFFFFFFFFFFF
    with engine.connect() as conn:
        row = conn.execute(sql, {"hi": unsigned >> 32, "lo": unsigned & 0xFFFFFFFF}).first()
    if row is None:
        return ""
    app, addr, since = row
    return f"{app or 'a session'} from {addr or 'a local socket'} since {since:%Y-%m-%d %H:%M:%S %Z}".strip()


@contextmanager
def advisory_lock(
    engine: sa.Engine, name: str, *, purpose: str = "lock", wait: float = 0.0, poll: float = 0.5
) -> Iterator[bool]:
    """Hold the advisory lock ``name`` for the ``with`` block (PostgreSQL); ``True`` when one is held.

    Args:
        engine: The store's engine; not PostgreSQL → no lock, yields ``False``.
        name: What is locked (hashed into the lock's key), e.g. ``metricmind:nightly``.
        purpose: Put in the holding session's ``application_name``, for the refusal message.
        wait: Seconds to wait for the holder to release it (0: try once).
        poll: Seconds between two tries.

    Raises:
        LockHeld: Another session holds it after ``wait`` seconds (the message names the holder).
    """
    if engine.dialect.name != "postgresql":
        yield False
        return
    key = lock_key(name)
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        label = f"metricmind {purpose} pid={os.getpid()} host={socket.gethostname()}"[:63]
        conn.execute(sa.text("SELECT set_config('application_name', :v, false)"), {"v": label})
        deadline = time.monotonic() + max(wait, 0.0)
        try_lock = sa.text("SELECT pg_try_advisory_lock(:k)")
        while not conn.execute(try_lock, {"k": key}).scalar():
            if time.monotonic() >= deadline:
                who = holder(engine, name)
                raise LockHeld(
                    f"{name} is held by another session: {who or 'one that just ended'}",
                    hint="Wait for it to finish, or pass a longer wait.",
                    holder=who,
                )
            time.sleep(min(poll, max(deadline - time.monotonic(), 0.01)))
    except BaseException:
        conn.close()
        raise
    try:
        yield True
    finally:
        try:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            conn.execute(sa.text("SELECT set_config('application_name', '', false)"))
        except sa.exc.SQLAlchemyError:
            conn.invalidate()  # the session is gone, and the lock with it
        conn.close()


__all__ = ["LockHeld", "advisory_lock", "holder", "lock_key"]
