"""Sync the catalog's index with the project's YAML (the source of truth).

New definitions take their status from ``config.meta.status`` (datasets: ``certification``), else
published. Later, a status changed in the YAML wins; otherwise the catalog's own (certified, deprecated
in the catalog) is kept. A definition whose content changed gets a new version with its diff; one no
longer in the YAML leaves the index (its history stays).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from metricmind.catalog import definitions as defs
from metricmind.catalog.fingerprint import meaning
from metricmind.catalog.records import add_version, audit_event
from metricmind.catalog.schema import definitions
from metricmind.catalog.usage import now
from metricmind.catalog.workflow import Status, status_of
from metricmind.spec.model import Model

Key = tuple[str, str]


def scan(root: Path, model: Model) -> dict[Key, dict[str, Any]]:
    """What the YAML holds: ``(kind, name) → {label, category, owner, description, file, item, hash,
    yaml_status}`` for every metric and canonical dataset of ``model``.
    """
    found: dict[Key, dict[str, Any]] = {}
    for kind in ("metric", "dataset"):
        raw = defs.read_items(root, defs.files_of(model, kind), kind)
        objs: dict[str, Any] = dict(model.metrics if kind == "metric" else model.canonical_datasets)
        for name, obj in objs.items():
            file, item = raw.get(name, (obj.file, {"name": name}))
            if kind == "metric":
                yaml_status = obj.meta.get("status")
                info = {
                    "label": obj.label or "",
                    "category": obj.category,
                    "owner": obj.owner,
                    "description": obj.description or str(obj.meta.get("definition") or ""),
                }
            else:
                yaml_status = obj.certification or None
                info = {"label": "", "category": "", "owner": obj.owner, "description": obj.description}
            found[(kind, name)] = {
                **info,
                "file": file,
                "item": item,
                "hash": defs.digest(item),
                "yaml_status": str(yaml_status) if yaml_status else None,
                "meaning": meaning(model, kind, name, root),
            }
    return found


def apply(
    conn: sa.Connection,
    found: dict[Key, dict[str, Any]],
    project: str,
    decertified: list[dict[str, Any]] | None = None,
) -> dict[str, list[str]]:
    """Bring the index in line with ``found`` (in the caller's transaction); what was added, updated, removed.

    A certified definition whose meaning (``catalog.fingerprint``) is no longer the certified one, changed
    in the YAML without review, drops to published with an audit entry ``decertify``; each such drop is
    appended to ``decertified`` (kind, name, owner, version, file) so the caller can tell its owner.
    """
    report: dict[str, list[str]] = {"added": [], "updated": [], "removed": []}
    at = now()
    rows = {(r.kind, r.name): r for r in conn.execute(sa.select(definitions))}
    for key, new in found.items():
        kind, name = key
        where = (definitions.c.kind == kind, definitions.c.name == name)
        row = rows.get(key)
        if row is None:
            status = status_of(new["yaml_status"])
            conn.execute(
                sa.insert(definitions).values(
                    kind=kind,
                    name=name,
                    label=new["label"],
                    category=new["category"],
                    owner=new["owner"],
                    description=new["description"],
                    status=status.value,
                    certified=status is Status.CERTIFIED,
                    certified_fingerprint=new["meaning"] if status is Status.CERTIFIED else None,
                    version=1,
                    yaml_hash=new["hash"],
                    yaml_status=new["yaml_status"],
                    file=new["file"],
                    in_project=True,
                    updated_at=at,
                )
            )
            number = add_version(conn, kind, name, 1, new["item"], "git", None, at)
            if number != 1:  # the definition existed before and was removed: keep counting
                conn.execute(sa.update(definitions).where(*where).values(version=number))
            report["added"].append(f"{kind}:{name}")
            continue
        values: dict[str, Any] = {}
        version = int(row.version)
        if row.yaml_hash != new["hash"] or not row.in_project:
            version = add_version(conn, kind, name, int(row.version) + 1, new["item"], "git", None, at)
            values.update(version=version, yaml_hash=new["hash"], in_project=True)
            report["updated"].append(f"{kind}:{name}")
        if new["yaml_status"] != row.yaml_status:
            values["yaml_status"] = new["yaml_status"]
            if new["yaml_status"]:
                status = status_of(new["yaml_status"])
                values.update(status=status.value, certified=status is Status.CERTIFIED)
                if status is Status.CERTIFIED:  # certified in git, as the YAML now reads
                    values["certified_fingerprint"] = new["meaning"]
        elif row.status == Status.CERTIFIED.value and row.certified_fingerprint != new["meaning"]:
            if row.certified_fingerprint is None:  # certified before fingerprints were kept
                values["certified_fingerprint"] = new["meaning"]
            else:
                values.update(status=Status.PUBLISHED.value, certified=False, certified_fingerprint=None)
                dropped = {
                    "kind": kind,
                    "name": name,
                    "owner": new["owner"],
                    "version": version,
                    "file": new["file"],
                    "reason": "what it computes changed outside review; certify the new version to "
                    "restore the badge",
                }
                audit_event(
                    conn,
                    None,
                    "decertify",
                    kind,
                    name,
                    Status.CERTIFIED.value,
                    Status.PUBLISHED.value,
                    dropped,
                )
                if decertified is not None:
                    decertified.append(dropped)
        for col in ("label", "category", "owner", "description", "file"):
            if getattr(row, col) != new[col] and new[col] is not None:
                values[col] = new[col]
        if values:
            conn.execute(sa.update(definitions).where(*where).values(**values, updated_at=at))
    for key, row in rows.items():
        if key not in found and row.in_project:
            conn.execute(
                sa.update(definitions)
                .where(definitions.c.id == row.id)
                .values(in_project=False, updated_at=at)
            )
            report["removed"].append(f"{key[0]}:{key[1]}")
    if any(report.values()):
        audit_event(conn, None, "sync", "project", project, None, None, report)
    return report
