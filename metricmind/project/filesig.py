"""A file's signature with its write-ahead log: what keys a read that must never be stale."""

from __future__ import annotations

from pathlib import Path


def file_signature(path: Path, wal: Path) -> tuple[tuple[int, int], ...] | None:
    """Modification time (ns) and size of ``path`` and, when it exists, of its write-ahead log ``wal``.

    Any committed write to a SQLite or DuckDB file changes one of them. None when ``path`` itself is
    missing.
    """
    out = []
    for file in (path, wal):
        try:
            stat = file.stat()
        except OSError:
            if file == path:
                return None
            continue
        out.append((stat.st_mtime_ns, stat.st_size))
    return tuple(out)
