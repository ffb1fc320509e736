"""Backup and restore of the whole store as a portable, versioned JSON-lines archive.

One archive holds every table of the store (catalog, vocabulary, knowledge graph and query log, memory,
and any table an extension added), whatever the database: a SQLite store restores into PostgreSQL and
back. The format (``FORMAT``, version ``VERSION``), one JSON document per line, gzip-compressed when
the file name ends in ``.gz``:

1. a header: ``{"format", "version", "created_at", "source", "revisions", "tables"}``, where
   ``revisions`` are the store's Alembic revisions and ``tables`` maps each table, in an order that
   respects foreign keys, to its columns and their kinds (``datetime``, ``date``, ``bytes`` as base64,
   ``json``, ``decimal`` as text, or ``plain``);
2. one line per row: ``{"t": table, "r": [values in the header's column order]}``;
3. a trailer: ``{"end": true, "rows": {table: count}}``. An archive without it is truncated and refused.

The backup reads one snapshot (a ``REPEATABLE READ`` transaction on PostgreSQL, a read transaction on
SQLite), so it can run while servers write. The restore reads and checks the whole archive before it
writes, migrates the target to this version's schema, refuses a target holding any row unless
``force``, and writes everything in one transaction: a failure leaves the target's rows as they were.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from metricmind.errors import StoreError
from metricmind.storage.migrate import alembic_config, current_heads, upgrade

FORMAT = "metricmind-backup"
VERSION = 1
VERSION_TABLE = "alembic_version"
BATCH = 1000


def _open(path: Path, mode: str, *, gz: bool | None = None) -> IO[str]:
    if path.suffix == ".gz" if gz is None else gz:
        return gzip.open(path, mode + "t", encoding="utf-8")  # type: ignore[return-value]
    return path.open(mode, encoding="utf-8")


def kind(column: sa.Column[Any]) -> str:
    """How a column's values are written: by its type."""
    t = column.type
    if isinstance(t, sa.DateTime):
        return "datetime"
    if isinstance(t, sa.Date):
        return "date"
    if isinstance(t, sa.LargeBinary | sa.types._Binary):
        return "bytes"
    if isinstance(t, sa.JSON):
        return "json"
    if isinstance(t, sa.Numeric) and not isinstance(t, sa.Float):
        return "decimal"
    return "plain"


def encode(value: Any, how: str) -> Any:
    """A value as JSON."""
    if value is None or how in ("plain", "json"):
        return value
    if how == "bytes":
        return base64.b64encode(bytes(value)).decode()
    if how in ("datetime", "date"):
        return value.isoformat()
    return str(value)


def decode(value: Any, how: str) -> Any:
    """A JSON value back as the column's Python value."""
    if value is None or how in ("plain", "json"):
        return value
    if how == "bytes":
        return base64.b64decode(value)
    if how == "datetime":
        return dt.datetime.fromisoformat(value)
    if how == "date":
        return dt.date.fromisoformat(value)
    return decimal.Decimal(value)


def tables(engine: sa.Engine, known: sa.MetaData | None = None) -> list[sa.Table]:
    """The store's tables in foreign-key order: declared ones as declared, others as reflected."""
    found = sa.MetaData()
    found.reflect(engine)
    chosen = [
        known.tables[name] if known is not None and name in known.tables else table
        for name, table in found.tables.items()
        if name != VERSION_TABLE
    ]
    return list(sa.schema.sort_tables(chosen))


def _snapshot(conn: sa.Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN")  # one read transaction: a snapshot in WAL mode


def backup(engine: sa.Engine, path: Path, known: sa.MetaData | None = None) -> dict[str, int]:
    """Write every table of the store at ``engine`` to ``path``; the row count of each table."""
    chosen = tables(engine, known)
    counts: dict[str, int] = {}
    tmp = path.with_name(path.name + ".partial")
    with engine.connect() as conn, _open(tmp, "w", gz=path.suffix == ".gz") as out:
        _snapshot(conn)
        header = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "source": engine.dialect.name,
            "revisions": sorted(current_heads(engine)) if chosen else [],
            "tables": {t.name: {c.name: kind(c) for c in t.columns} for t in chosen},
        }
        out.write(json.dumps(header) + "\n")
        for table in chosen:
            kinds = [kind(c) for c in table.columns]
            n = 0
            order = list(table.primary_key.columns)  # (json columns cannot be ordered on PostgreSQL)
            rows = conn.execution_options(yield_per=BATCH).execute(sa.select(table).order_by(*order))
            for row in rows:
                values = [encode(v, k) for v, k in zip(row, kinds, strict=True)]
                out.write(json.dumps({"t": table.name, "r": values}, separators=(",", ":")) + "\n")
                n += 1
            counts[table.name] = n
        out.write(json.dumps({"end": True, "rows": counts}) + "\n")
        conn.rollback()
    tmp.replace(path)
    return counts


def read_header(path: Path) -> dict[str, Any]:
    """The archive's header, checked; ``StoreError`` naming the file when it is not an archive we read."""
    try:
        with _open(path, "r") as src:
            header = json.loads(src.readline() or "null")
    except (OSError, ValueError, EOFError) as exc:
        raise StoreError(
            f"{path} is not a metricmind backup: {exc}", hint="Pass a file `metricmind backup` wrote."
        ) from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise StoreError(f"{path} is not a metricmind backup", hint="Pass a file `metricmind backup` wrote.")
    if header.get("version") != VERSION:
        raise StoreError(
            f"{path} is a backup of format version {header.get('version')}; this metricmind reads {VERSION}",
            hint="Restore it with the metricmind version that wrote it, or a newer one.",
        )
    return header


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    with _open(path, "r") as src:
        src.readline()
        for number, line in enumerate(src, start=2):
            try:
                item = json.loads(line)
            except ValueError as exc:
                raise StoreError(
                    f"{path}:{number}: not JSON ({exc})", hint="The archive is damaged; use another backup."
                ) from exc
            item["_line"] = number
            yield item


def check(path: Path) -> dict[str, Any]:
    """Read the whole archive once: its header, after checking every line and the trailer's counts."""
    header = read_header(path)
    counts: dict[str, int] = {}
    end: dict[str, Any] | None = None
    for item in _rows(path):
        if item.get("end"):
            end = item
            continue
        name = str(item.get("t"))
        if end is not None or name not in header["tables"] or len(item["r"]) != len(header["tables"][name]):
            raise StoreError(
                f"{path}:{item['_line']}: a row that does not belong to the archive's tables",
                hint="The archive is damaged; use another backup.",
            )
        counts[name] = counts.get(name, 0) + 1
    if end is None:
        raise StoreError(f"{path} is truncated (no end marker)", hint="Use a complete backup.")
    if {k: v for k, v in end["rows"].items() if v} != counts:
        raise StoreError(f"{path}: row counts differ from its end marker", hint="Use a complete backup.")
    return header


def _check_revisions(engine: sa.Engine, header: dict[str, Any], path: Path) -> None:
    scripts = ScriptDirectory.from_config(alembic_config(engine))
    unknown = [r for r in header["revisions"] if _revision(scripts, r) is None]
    if unknown:
        raise StoreError(
            f"{path} was written by a newer metricmind (store revisions {', '.join(unknown)} unknown here)",
            hint="Upgrade metricmind to the version that wrote the backup, then restore.",
        )


def _revision(scripts: ScriptDirectory, rev: str) -> Any:
    try:
        return scripts.get_revision(rev)
    except Exception:  # alembic raises several kinds for an unknown id
        return None


def restore(
    engine: sa.Engine, path: Path, known: sa.MetaData | None = None, *, force: bool = False
) -> dict[str, int]:
    """Load the archive at ``path`` into the store at ``engine``; the rows written per table.

    Raises:
        StoreError: The archive is damaged, truncated or from a newer version; the target holds rows
            (without ``force``); or a write failed (nothing was changed).
    """
    header = check(path)
    _check_revisions(engine, header, path)
    upgrade(engine)
    target = {t.name: t for t in tables(engine, known)}
    for name, columns in header["tables"].items():
        missing = [c for c in columns if name not in target or c not in target[name].c]
        if missing:
            raise StoreError(
                f"{path}: table {name} column(s) {', '.join(missing)} do not exist in this store's schema",
                hint="Restore with the metricmind version that wrote the backup.",
            )
    order = list(target.values())
    try:
        with engine.begin() as conn:
            held = {
                t.name: n
                for t in order
                if (n := conn.execute(sa.select(sa.func.count()).select_from(t)).scalar())
            }
            if held and not force:
                raise StoreError(
                    f"the target store is not empty ({', '.join(f'{k}: {v} rows' for k, v in sorted(held.items()))})",
                    hint="Restore into an empty store, or pass --force to replace what it holds.",
                )
            for table in reversed(order):
                conn.execute(sa.delete(table))
            written = _load(conn, path, header, target)
            if conn.dialect.name == "postgresql":
                _reset_sequences(conn, order)
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(
            f"restoring {path} failed: {exc.__class__.__name__}: {str(exc).splitlines()[0]}",
            hint="Nothing was changed in the target store.",
        ) from exc
    return written


def _load(
    conn: sa.Connection, path: Path, header: dict[str, Any], target: dict[str, sa.Table]
) -> dict[str, int]:
    written: dict[str, int] = {}
    batch: list[dict[str, Any]] = []
    current: str | None = None

    def flush() -> None:
        if batch and current is not None:
            conn.execute(sa.insert(target[current]), batch)
            written[current] = written.get(current, 0) + len(batch)
            batch.clear()

    for item in _rows(path):
        if item.get("end"):
            break
        if item["t"] != current or len(batch) >= BATCH:
            flush()
            current = item["t"]
        cols = header["tables"][item["t"]]
        batch.append({c: decode(v, cols[c]) for c, v in zip(cols, item["r"], strict=True)})
    flush()
    return written


def _reset_sequences(conn: sa.Connection, order: list[sa.Table]) -> None:
    """PostgreSQL: move each serial key's sequence past the restored ids."""
    for table in order:
        keys = list(table.primary_key.columns)
        if len(keys) == 1 and isinstance(keys[0].type, sa.Integer):
            col = keys[0].name
            conn.execute(
                sa.text(
                    f'SELECT setval(pg_get_serial_sequence(:t, :c), COALESCE(MAX("{col}"), 0) + 1, false) '
                    f'FROM "{table.name}"'
                ),
                {"t": table.name, "c": col},
            )


__all__ = ["FORMAT", "VERSION", "backup", "check", "read_header", "restore", "tables"]
