"""Row-level pieces of the catalog store, each inside the caller's transaction: the optimistic transition
of a change, versions with their diffs, audit events, and the JSON views of rows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from metricmind.catalog import definitions as defs
from metricmind.catalog.schema import audit, changes, definitions, versions
from metricmind.catalog.usage import now
from metricmind.catalog.workflow import Status, Step
from metricmind.errors import ConflictError, UnknownNameError


def change_row(conn: sa.Connection, change_id: int) -> Any:
    """The change's row; an unknown id is ``UnknownNameError``."""
    row = conn.execute(sa.select(changes).where(changes.c.id == change_id)).first()
    if row is None:
        raise UnknownNameError("change", str(change_id), [], context=" (no change has that id)")
    return row


def check_version(row: Any, expected: int | None) -> None:
    """``ConflictError`` when the change is no longer at the version the user saw."""
    if expected is not None and int(expected) != int(row.version):
        raise ConflictError(
            f"change #{row.id} is at version {row.version}, not {expected}: someone changed it first "
            f"(it is now {row.state})",
            hint="Reload the change and try again.",
        )


def transition(conn: sa.Connection, row: Any, step: Step, expected: int | None, **values: Any) -> None:
    """Move the change to ``step.to_state`` iff it is still at the version read (optimistic lock).

    One ``UPDATE … WHERE id = :id AND version = :v AND state = :s``: of two concurrent writers exactly
    one updates a row; the other gets ``ConflictError``.
    """
    version = int(expected) if expected is not None else int(row.version)
    done = conn.execute(
        sa.update(changes)
        .where(changes.c.id == row.id, changes.c.version == version, changes.c.state == row.state)
        .values(state=step.to_state, version=changes.c.version + 1, updated_at=now(), **values)
    )
    if done.rowcount != 1:
        raise ConflictError(
            f"change #{row.id} was changed by someone else (expected version {version})",
            hint="Reload the change and try again.",
        )


def latest_text(conn: sa.Connection, kind: str, name: str, before: int | None = None) -> str:
    """The YAML of the newest version (older than ``before`` when given), or an empty string."""
    q = sa.select(versions.c.yaml).where(versions.c.kind == kind, versions.c.name == name)
    if before is not None:
        q = q.where(versions.c.version < before)
    found = conn.execute(q.order_by(versions.c.version.desc()).limit(1)).scalar()
    return str(found or "")


def add_version(
    conn: sa.Connection,
    kind: str,
    name: str,
    version: int,
    item: dict[str, Any],
    author: str,
    change_id: int | None,
    at: dt.datetime,
) -> int:
    """Store a published version with its diff from the one before; its number (``version`` or later)."""
    before = latest_text(conn, kind, name)
    text = defs.item_text(item)
    taken = conn.execute(
        sa.select(sa.func.max(versions.c.version)).where(versions.c.kind == kind, versions.c.name == name)
    ).scalar()
    number = max(version, int(taken or 0) + 1)
    conn.execute(
        sa.insert(versions).values(
            kind=kind,
            name=name,
            version=number,
            yaml=text,
            diff=defs.diff(before, text, f"{kind}/{name}"),
            author=author,
            change_id=change_id,
            created_at=at,
        )
    )
    return number


def audit_event(
    conn: sa.Connection,
    user: str | None,
    action: str,
    kind: str,
    subject: str,
    from_state: str | None,
    to_state: str | None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one event to the audit log."""
    conn.execute(
        sa.insert(audit).values(
            at=now(),
            user_name=user,
            action=action,
            kind=kind,
            subject=subject,
            from_state=from_state,
            to_state=to_state,
            detail=detail or None,
        )
    )


def audit_step(
    conn: sa.Connection, user: str | None, step: Step, kind: str, subject: str, detail: dict[str, Any]
) -> None:
    """Append the event of a workflow step."""
    audit_event(conn, user, step.action.value, kind, subject, step.from_state, step.to_state, detail)


def publish_definition(
    conn: sa.Connection,
    kind: str,
    name: str,
    definition: dict[str, Any],
    version: int,
    file: str,
    at: dt.datetime,
) -> None:
    """Index a just-published definition (insert or update its row), status published."""
    meta = dict((definition.get("config") or {}).get("meta") or {})
    values: dict[str, Any] = {
        "label": str(definition.get("label") or ""),
        "category": str(meta.get("category") or ("" if kind == "dataset" else "Uncategorized")),
        "owner": str(meta.get("owner") or definition.get("owner") or ""),
        "description": str(definition.get("description") or meta.get("definition") or ""),
        "status": Status.PUBLISHED.value,
        "certified": False,
        "version": version,
        "yaml_hash": defs.digest(definition),
        "yaml_status": str(meta.get("status")) if kind == "metric" else definition.get("certification"),
        "file": file,
        "in_project": True,
        "updated_at": at,
    }
    done = conn.execute(
        sa.update(definitions).where(definitions.c.kind == kind, definitions.c.name == name).values(**values)
    )
    if done.rowcount == 0:
        conn.execute(sa.insert(definitions).values(kind=kind, name=name, **values))


def change_dict(conn: sa.Connection, row: Any) -> dict[str, Any]:
    """A change as JSON-ready data, with its definition and its diff against what was published before."""
    base = latest_text(conn, row.kind, row.name, row.published_version or None)
    return {
        "id": row.id,
        "kind": row.kind,
        "name": row.name,
        "state": row.state,
        "author": row.author,
        "editors": list(row.editors or []),
        "version": row.version,
        "reviewer": row.reviewer,
        "reason": row.reason,
        "published_version": row.published_version,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "definition": defs.from_text(row.yaml),
        "yaml": row.yaml,
        "diff": defs.diff(base, row.yaml, f"{row.kind}/{row.name}"),
    }


def definition_dict(row: Any) -> dict[str, Any]:
    """A definition's index row as JSON-ready data."""
    return {
        "kind": row["kind"],
        "name": row["name"],
        "label": row["label"],
        "category": row["category"],
        "owner": row["owner"],
        "description": row["description"],
        "status": row["status"],
        "certified": bool(row["certified"]),
        "version": row["version"],
        "file": row["file"],
        "updated_at": row["updated_at"],
        "successor": row.get("successor"),
        "sunset": row.get("sunset"),
    }


def relative(root: Path, path: Path) -> str:
    """``path`` relative to ``root`` when inside it."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
