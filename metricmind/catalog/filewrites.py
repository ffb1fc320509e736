"""Approved YAML reaches the project in one recoverable step.

An approval, inside its store transaction, renders the file's new text, checks that the project loads
with it (in a scratch copy: the project itself is not touched yet), writes it to a *staged* file beside
its target (``.<file>.<change>.pending``, which the loader never reads) and records a ``cat_file_writes``
row (target, staged file, text) with the approval, the new version and the audit entries. Only after that
transaction commits is the staged file renamed into place and the row deleted.

A crash before the commit leaves the store and the YAML as they were (at most an orphan staged file,
removed later). A crash after it leaves the row, and :func:`recover` (run when the catalog opens, on
every sync and before every approval) finishes the rename, or writes the recorded text when the staged
file is gone. So after any crash a change is either approved, with its audit entries and its file
written, or still in review with its file unchanged: never a file published "by git" with no approval.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from metricmind.catalog.definitions import Rendered
from metricmind.catalog.records import audit_event
from metricmind.catalog.schema import changes, file_writes
from metricmind.catalog.usage import now
from metricmind.errors import Issue, Level, SpecError
from metricmind.spec import rules
from metricmind.spec.loader import PROJECT_FILE, SKIP_DIRS, LoadResult, discover, load
from metricmind.spec.model import Model

#: Suffix of staged files; they start with a dot, so neither the loader nor git's usual globs see them.
SUFFIX = ".pending"
#: A staged file with no row that is older than this is an orphan of a crash before commit (seconds).
ORPHAN_AGE_S = 60.0
#: Files the loader reads besides the semantic YAML (dbt's project and profiles), copied with it.
DBT_FILES = ("dbt_project.yml", "profiles.yml")
#: PostgreSQL advisory lock key that serializes approvals across processes (SQLite: BEGIN IMMEDIATE).
APPROVAL_LOCK = 0x6D6D_6361_7401


def checked_model(root: Path, change: Rendered) -> Model:
    """The project as it would load with ``change`` applied, loaded from a scratch copy of its YAML.

    Raises ``SpecError`` listing the errors the change would add (errors the project already has, in
    other objects, do not block an approval); the project is not touched.
    """
    found = discover(root)
    with tempfile.TemporaryDirectory(prefix="metricmind-approve-") as tmp:
        scratch = Path(tmp) / root.resolve().name  # same folder name: same default project name
        scratch.mkdir()
        for src in [*found.yaml_files, *(root / name for name in (PROJECT_FILE, *DBT_FILES))]:
            if src.exists():
                dst = scratch / src.relative_to(root)
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dst)
        target = scratch / change.path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(change.text, encoding="utf-8")
        result = load(scratch)
    errors = _errors(result)
    if errors:  # only now load the project as it is, to tell new errors from old ones
        known = {(i.file, i.message) for i in _errors(load(root))}
        added = [i for i in errors if (i.file, i.message) not in known]
        if added:
            raise SpecError(added)
    return result.model


def _errors(result: LoadResult) -> list[Issue]:
    issues = list(result.issues) + rules.check(result.model)
    return [i for i in issues if i.level is Level.ERROR]


def staged_path(path: Path, change_id: int) -> Path:
    """Where the new text of ``path`` waits for its approval to commit."""
    return path.with_name(f".{path.name}.{change_id}{SUFFIX}")


def _write_durably(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def stage(
    conn: sa.Connection, root: Path, change: Rendered, change_id: int, relative: str
) -> tuple[int, Path]:
    """Write the staged file and record the pending write in the caller's transaction; its row id, file."""
    staged = staged_path(change.path, change_id)
    _write_durably(staged, change.text)
    result = conn.execute(
        sa.insert(file_writes).values(
            change_id=change_id,
            path=relative,
            staged=str(staged.relative_to(root)),
            text=change.text,
            at=now(),
        )
    )
    pk = result.inserted_primary_key
    return (int(pk[0]) if pk is not None else 0), staged


def put_in_place(root: Path, relative: str, staged: str, text: str) -> None:
    """Rename the staged file onto its target; when another process did it already, or the staged file
    is gone, make sure the target holds ``text``.
    """
    path = root / relative
    try:
        os.replace(root / staged, path)
    except FileNotFoundError:
        pass
    current = path.read_text(encoding="utf-8") if path.exists() else None
    if current != text:
        tmp = path.with_name(f".{path.name}.tmp")
        _write_durably(tmp, text)
        os.replace(tmp, path)
    _sync_dir(path.parent)


def finish(engine: sa.Engine, root: Path, row_id: int, relative: str, staged: str, text: str) -> None:
    """Put a committed write in place and forget it (a failure leaves the row for ``recover``)."""
    put_in_place(root, relative, staged, text)
    with engine.begin() as conn:
        conn.execute(sa.delete(file_writes).where(file_writes.c.id == row_id))


def recover(conn: sa.Connection, root: Path) -> list[str]:
    """Finish every write a crash left between commit and rename (in the caller's transaction); the files."""
    done: list[str] = []
    for row in conn.execute(sa.select(file_writes).order_by(file_writes.c.id)).all():
        put_in_place(root, row.path, row.staged, row.text)
        conn.execute(sa.delete(file_writes).where(file_writes.c.id == row.id))
        change = conn.execute(
            sa.select(changes.c.kind, changes.c.name).where(changes.c.id == row.change_id)
        ).first()
        kind, name = (change.kind, change.name) if change is not None else ("file", str(row.path))
        detail = {"change": row.change_id, "file": row.path, "approved_at": row.at.isoformat()}
        audit_event(conn, None, "finish_write", kind, name, None, None, detail)
        done.append(str(row.path))
    return done


def remove_orphans(root: Path, pending: set[str], age_s: float = ORPHAN_AGE_S) -> list[str]:
    """Delete staged files no row names that are older than ``age_s`` (a crash before commit); their names."""
    removed: list[str] = []
    cutoff = time.time() - age_s
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".")]
        for name in filenames:
            if not (name.startswith(".") and name.endswith(SUFFIX)):
                continue
            path = Path(dirpath) / name
            rel = str(path.relative_to(root))
            try:
                if rel not in pending and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed.append(rel)
            except OSError:
                continue
    return removed


def lock_approvals(conn: sa.Connection) -> None:
    """Serialize approvals across processes on PostgreSQL (SQLite's ``BEGIN IMMEDIATE`` already does)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPROVAL_LOCK})
