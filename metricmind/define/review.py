"""A generated package through review: an edit regenerates it on its branch; a rejection archives the branch.

``regenerate`` is what an edit of a generated package's draft change does (``Catalog.edit_checks``, wired by
``Project``): the package made again from the edited definition replaces the one on the review branch (the
files it no longer has removed, a semantic-model file it no longer edits restored as the base has it), in a
new commit that names the editor and the change, with ``dbt build`` run again when the package was built
before. What is approved is then what was reviewed (``check_approval`` refuses a package generated from
another version of the definition). When the edit fails, the branch and the record are put back.

``close_rejected`` is what a rejection does (``Catalog.after_reject``): the review branch is archived as
``refs/rejected/metricmind/define/NAME/change-ID-vVERSION`` (the commit stays reachable, ``git log`` of the
ref shows it) and the branch deleted; the project's own branches are untouched. Editing the rejected change
generates its package on a new branch from the base.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from metricmind.define.generate import GenerateError
from metricmind.define.proposal import Proposal
from metricmind.define.writer import (
    PackageBlocked,
    build_in,
    build_record,
    definition_of,
    failure_text,
    read_record,
    save_record,
    yaml_sha,
)
from metricmind.export import Package
from metricmind.knowledge import gitops

REJECTED_PREFIX = "refs/rejected/"


def rejected_ref(branch: str, change_id: int, version: int) -> str:
    """Where the branch of a rejected change is archived."""
    return f"{REJECTED_PREFIX}{branch}/change-{change_id}-v{version}"


def regenerate(
    package: Package,
    root: str | os.PathLike[str],
    *,
    user: str,
    change_id: int,
    proposal: Proposal | None = None,
    settings: dict[str, Any] | None = None,
    executable: str | None = None,
) -> Callable[[], None]:
    """Replace the package on its review branch with ``package`` (an edit of change ``change_id``).

    The branch is recreated from the base when it is gone (the change was rejected, its branch archived).
    When the package was built before (``write_package(build=True)`` or an earlier regeneration that
    built), ``dbt build`` runs again on the branch and a failure refuses the edit.

    Returns:
        The undo: puts the branch and the record back as they were (the catalog calls it when the edit
        itself fails afterwards).

    Raises:
        GenerateError: The package has problems (a rule unread); nothing changed.
        PackageBlocked: Its rebuild failed (with dbt's output).
        MetricmindError: Git failed. In every case the branch and the record are as they were.
    """
    project = Path(root).resolve()
    record = read_record(project, package.name)
    if record is None:
        raise GenerateError(f"no generated package of {package.name!r} is on review")
    if package.problems:
        raise GenerateError(
            f"the edit of change #{change_id} cannot regenerate the package of {package.name!r}: "
            + "; ".join(package.problems),
            hint="Nothing was changed. Rephrase the rules over the catalog's dimensions and values.",
        )
    before = dict(record)
    branch, base = str(record["branch"]), str(record["base"])
    repo = gitops.toplevel(project)
    existed = gitops.branch_exists(repo, branch)
    head = gitops.git(project, "rev-parse", branch) if existed else None

    def undo() -> None:
        if head is not None:
            gitops.git(project, "branch", "-f", branch, head)
        else:
            gitops.git(project, "branch", "-D", branch, check=False)
        save_record(project, before)

    try:
        with gitops.worktree(project, branch, branch if existed else base, reset=not existed) as wt:
            fork = gitops.git(wt, "merge-base", "HEAD", base)
            old = [str(f) for f in record.get("files") or ()]
            for rel in sorted(set(old) - set(package.files)):
                _restore(wt, fork, rel)
            for rel, text in package.files.items():
                target = wt / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
            paths = sorted(set(old) | set(package.files))
            message = (
                f"define: metric {package.name} regenerated after {user} edited change #{change_id}"
                if existed
                else f"define: metric {package.name} (generated package, draft, after change #{change_id} "
                "was rejected and edited)"
            )
            commit = gitops.commit(wt, message, paths=paths) or gitops.git(wt, "rev-parse", "HEAD")
            record.update(
                commit=commit,
                files=sorted(package.files),
                selection=package.selection,
                yaml_sha=yaml_sha(package.metric),
                definition=definition_of(package, proposal),
                build=None,
            )
            if proposal is not None:
                record["readings"] = [dataclasses.asdict(r) for r in proposal.rules]
            record.pop("rejected", None)
            record.setdefault("edits", []).append(
                {"change": change_id, "by": user, "commit": commit, "at": _now()}
            )
            if record.get("built"):
                result = build_in(project, wt, package.selection, settings, executable)
                record["build"] = build_record(result, commit)
                if not result.ok:
                    raise PackageBlocked(
                        f"the edit of change #{change_id} is refused: dbt build of the regenerated package "
                        f"of {package.name!r} failed:\n" + failure_text(result),
                        hint="Nothing was changed. Fix the definition or the data and edit again.",
                    )
        save_record(project, record)
    except BaseException:
        undo()
        raise
    return undo


def close_rejected(root: str | os.PathLike[str], change: dict[str, Any]) -> dict[str, Any] | None:
    """Archive the review branch of a rejected generated package's change and delete the branch.

    Returns:
        ``{"change", "branch", "archived_as", "commit"}``, or None when the change has no package branch.

    Raises:
        MetricmindError: Git failed (the branch is then left where it was).
    """
    project = Path(root).resolve()
    record = read_record(project, str(change["name"]))
    if record is None or record.get("change_id") != change["id"] or record.get("merged"):
        return None
    branch = str(record["branch"])
    repo = gitops.toplevel(project)
    if not gitops.branch_exists(repo, branch):
        return None
    head = gitops.git(project, "rev-parse", branch)
    ref = rejected_ref(branch, int(change["id"]), int(change.get("version") or 0))
    gitops.git(project, "update-ref", ref, head)
    try:
        gitops.git(project, "branch", "-D", branch)
    except BaseException:
        gitops.git(project, "update-ref", "-d", ref, check=False)
        raise
    record["rejected"] = {"ref": ref, "commit": head, "at": _now(), "reason": change.get("reason")}
    save_record(project, record)
    return {"change": change["id"], "branch": branch, "archived_as": ref, "commit": head}


def _restore(wt: Path, fork: str, rel: str) -> None:
    """``rel`` as the base has it (a file the package no longer edits), or removed (one it added)."""
    if gitops.git(wt, "ls-tree", "--name-only", fork, "--", rel):
        gitops.git(wt, "checkout", fork, "--", rel)
    else:
        (wt / rel).unlink(missing_ok=True)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
