"""Append-only line files shared by several writers (the feedback file, the execution spool).

A record is written with one locked ``O_APPEND`` write, so concurrent writers never interleave lines;
a writer that crashed mid-line leaves a torn last line, which the next record does not swallow (it
starts on a new line) and readers skip. Standard library only: importable from any layer.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def locked(path: Path, flags: int) -> Iterator[int]:
    """``path`` opened with ``flags`` under an exclusive ``flock``; yields the descriptor."""
    fd = os.open(path, flags, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # closing releases the lock


def append_line(path: Path, data: bytes, *, durable: bool = False) -> None:
    """Append one line (``data`` ends with a newline); ``durable`` also flushes it to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with locked(path, os.O_RDWR | os.O_APPEND | os.O_CREAT) as fd:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if durable:
            os.fsync(fd)
