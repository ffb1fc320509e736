"""Put a generated package into a project as a draft change on a review branch; build it; guard approval.

``write_package`` commits the package's files to the branch ``metricmind/define/<name>`` (made from the
checked-out branch in a scratch worktree: the user's checkout is never touched) and saves the metric as a
draft change in the catalog (the same workflow as the Define form). A record of the package (branch,
commit, dbt selection, last build) is kept in the state folder (``packages/<name>.json``). Any failure
removes the branch and the record: the project is as it was.

``check_approval`` is the catalog's approval hook (``Catalog.approval_checks``): approving the change of a
generated package runs its ``dbt build`` on the branch again (the data may have changed since it was
written), refuses with dbt's output when a model or test fails, and merges the branch into the base
branch (so the package's files land with the metric the catalog publishes).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from metricmind import config
from metricmind.catalog import definitions as defs
from metricmind.catalog.workflow import Action, change_step
from metricmind.define.generate import GenerateError
from metricmind.define.proposal import Proposal
from metricmind.errors import MetricmindError
from metricmind.export import BuildResult, Package
from metricmind.export import build as dbt_build
from metricmind.knowledge import gitops

BRANCH_PREFIX = "metricmind/define/"


class PackageBlocked(MetricmindError):
    """A generated package's dbt build failed: its change cannot be approved."""

    code = "dbt_failed"


class CatalogLike(Protocol):
    """The catalog calls ``write_package`` and ``check_approval`` use (``metricmind.catalog.Catalog``)."""

    def create_draft(self, user: str, definition: dict[str, Any], kind: str = "metric") -> dict[str, Any]:
        """Save a draft change."""

    def change(self, change_id: int) -> dict[str, Any]:
        """One change."""

    def role(self, user: str) -> Any:
        """The user's role."""


def definition_of(package: Package, proposal: Proposal | None) -> dict[str, Any]:
    """The definition the package was made from: ``{"name", "text", "rules"}`` (from the proposal, else the
    package's pattern entry).
    """
    if proposal is not None:
        d = proposal.definition
        return {"name": d.name, "text": d.text, "rules": list(d.rules)}
    return {
        "name": package.name,
        "text": str(package.pattern.get("definition") or ""),
        "rules": [str(r) for r in package.pattern.get("rules") or ()],
    }


def yaml_sha(metric: dict[str, Any]) -> str:
    """A digest of a metric definition as the catalog stores it (tells a stale package from a current one)."""
    return hashlib.sha256(defs.item_text(metric).encode("utf-8")).hexdigest()


def branch_for(name: str) -> str:
    """The review branch of the package of metric ``name``."""
    return BRANCH_PREFIX + name


def record_path(root: Path, name: str) -> Path:
    """Where the record of metric ``name``'s package is kept (in the state folder)."""
    return config.state_dir(root) / "packages" / f"{name}.json"


def read_record(root: Path, name: str) -> dict[str, Any] | None:
    """The record of metric ``name``'s package, or None."""
    path = record_path(root, name)
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def save_record(root: Path, record: dict[str, Any]) -> None:
    """Write the record of a package (atomically, in the state folder)."""
    path = record_path(root, str(record["name"]))
    config.ensure_state_dir(config.state_dir(root))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def scratch_copies(settings: dict[str, Any] | None) -> list[str]:
    """Files to copy from the checkout into a build worktree: a DuckDB warehouse inside the project.

    dbt then builds into that copy, never into the warehouse the web server and CLI read.
    """
    if str(config.resolve("warehouse.type", settings)) != "duckdb":
        return []
    path = str(config.resolve("warehouse.path", settings) or "")
    return [path] if path and not os.path.isabs(path) else []


def write_package(
    package: Package,
    root: str | os.PathLike[str],
    catalog: CatalogLike,
    user: str,
    *,
    build: bool = False,
    settings: dict[str, Any] | None = None,
    executable: str | None = None,
    proposal: Proposal | None = None,
) -> dict[str, Any]:
    """Commit ``package`` to its review branch and save its metric as a draft change (editor).

    Args:
        package: From ``generate``; one with ``problems`` is refused.
        root: The project folder (in a git repository).
        catalog: The project's catalog.
        user: Who writes it (an editor or above).
        build: Run ``dbt build`` of the package on the branch first; nothing is kept unless it passes.
        settings: The project's settings (``dbt.executable``, the warehouse to copy for the build).
        executable: The dbt executable (overrides the setting).
        proposal: The proposal the package was generated from (its definition and the rules as read are
            kept in the record, so an edit of the draft regenerates the package the same way).

    Returns:
        ``{"change", "branch", "base", "commit", "files", "selection", "build"}``.

    Raises:
        GenerateError: The package has problems, or a package of that name is already on review.
        PackageBlocked: ``build`` and dbt failed (with its output); nothing was kept.
        MetricmindError: Git or the catalog failed; nothing was kept.
    """
    project = Path(root).resolve()
    if package.problems:
        raise GenerateError(
            f"the package of {package.name!r} cannot be written: " + "; ".join(package.problems),
            hint="Nothing was written. Rephrase the rules over the catalog's dimensions and values.",
        )
    change_step(Action.CREATE, None, role=catalog.role(user), actor=user)
    branch = branch_for(package.name)
    if gitops.branch_exists(gitops.toplevel(project), branch):
        raise GenerateError(
            f"a package of {package.name!r} is already on review (branch {branch})",
            hint=f"Approve or reject its change, or delete the branch: git branch -D {branch}",
        )
    base = gitops.current_branch(project)
    record: dict[str, Any] = {
        "name": package.name,
        "branch": branch,
        "base": base,
        "selection": package.selection,
        "files": sorted(package.files),
        "change_id": None,
        "build": None,
        "built": build,
        "definition": definition_of(package, proposal),
        "readings": [dataclasses.asdict(r) for r in proposal.rules] if proposal is not None else [],
        "doubts": list(proposal.doubts) if proposal is not None else [],
        "yaml_sha": yaml_sha(package.metric),
    }
    created = False
    try:
        with gitops.worktree(project, branch, base) as wt:
            created = True
            for rel, text in package.files.items():
                target = wt / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
            commit = gitops.commit(
                wt, f"define: metric {package.name} (generated package, draft)", paths=sorted(package.files)
            )
            record["commit"] = commit
            if build:
                result = build_in(project, wt, package.selection, settings, executable)
                record["build"] = build_record(result, commit)
                if not result.ok:
                    raise PackageBlocked(
                        f"dbt build of the package of {package.name!r} failed:\n" + failure_text(result),
                        hint="Nothing was written. Fix the data or the definition and try again.",
                    )
        change = catalog.create_draft(user, package.metric)
        record["change_id"] = change["id"]
        save_record(project, record)
    except BaseException:
        if created:
            gitops.git(project, "branch", "-D", branch, check=False)
        record_path(project, package.name).unlink(missing_ok=True)
        raise
    return {
        "change": change,
        "branch": branch,
        "base": base,
        "commit": record["commit"],
        "files": sorted(package.files),
        "selection": package.selection,
        "build": record["build"],
    }


def build_branch(
    root: str | os.PathLike[str],
    branch: str,
    selection: Sequence[str],
    *,
    settings: dict[str, Any] | None = None,
    executable: str | None = None,
) -> BuildResult:
    """``dbt build --select selection`` of ``branch`` in a scratch worktree (a copy of a DuckDB warehouse)."""
    project = Path(root).resolve()
    with gitops.worktree(project, branch, branch, reset=False) as wt:
        return build_in(project, wt, selection, settings, executable)


def build_in(
    project: Path,
    wt: Path,
    selection: Sequence[str],
    settings: dict[str, Any] | None,
    executable: str | None,
) -> BuildResult:
    """``dbt build --select selection`` in the worktree ``wt`` (a DuckDB warehouse copied in first)."""
    for rel in scratch_copies(settings):
        src = project / rel
        if src.exists():
            (wt / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, wt / rel)
    packages = project / "dbt_packages"  # installed by `dbt deps`, not in git
    if packages.is_dir() and not (wt / "dbt_packages").exists():
        shutil.copytree(packages, wt / "dbt_packages", symlinks=True)
    profiles = wt if (wt / "profiles.yml").exists() else config.resolve("profiles_dir", settings)
    target = config.resolve("dbt.target", settings)
    return dbt_build(
        wt,
        list(selection),
        executable=executable,
        profiles_dir=profiles,
        target=str(target) if target else None,
        settings=settings,
    )


def build_record(result: BuildResult, commit: str | None) -> dict[str, Any]:
    """A build result as the record keeps it, with the commit built."""
    data = result.to_dict()
    data["commit"] = commit
    return data


def failure_text(result: BuildResult) -> str:
    """The summary of dbt's output and the compiled SQL of each failed node."""
    lines = [result.summary()]
    for node in result.failed:
        if node.compiled_sql:
            lines.append(f"-- {node.name}:\n{node.compiled_sql.strip()}")
    return "\n".join(lines)


def check_approval(
    catalog: CatalogLike,
    change_id: int,
    user: str,
    *,
    root: str | os.PathLike[str],
    settings: dict[str, Any] | None = None,
) -> Callable[[], None] | None:
    """The approval hook: build a generated package's branch and merge it, or refuse with dbt's output.

    Changes that are not a generated package's pass untouched (``None``). The approver's right to approve
    is checked first, so nothing is built or merged for an approval the catalog would refuse. Returns the
    undo of the merge (the catalog calls it when the approval fails afterwards, e.g. governance refuses).

    Raises:
        PackageBlocked: A model or test of the package failed (the message holds dbt's output).
        PermissionDenied, WorkflowError: The approval itself is not allowed.
    """
    change = catalog.change(change_id)
    if change.get("kind") != "metric":
        return None
    project = Path(root).resolve()
    record = read_record(project, str(change["name"]))
    if record is None or record.get("change_id") != change_id or record.get("merged"):
        return None
    change_step(
        Action.APPROVE,
        change["state"],
        role=catalog.role(user),
        actor=user,
        author=change["author"],
        editors=list(change.get("editors") or []),
    )
    branch = str(record["branch"])
    if record.get("yaml_sha") and record["yaml_sha"] != yaml_sha(defs.from_text(str(change["yaml"]))):
        raise PackageBlocked(
            f"change #{change_id} ({change['name']}) cannot be approved: the package on branch {branch} was "
            "generated from another version of its definition",
            hint="Edit the change (its package is regenerated on the branch), submit it, then approve.",
        )
    if not gitops.branch_exists(gitops.toplevel(project), branch):
        raise PackageBlocked(
            f"change #{change_id} ({change['name']}) cannot be approved: its review branch {branch} is gone",
            hint="Edit the change to generate its package again, or reject it.",
        )
    head = gitops.git(project, "rev-parse", branch)
    result = build_branch(project, branch, record["selection"], settings=settings)
    record["build"] = build_record(result, head)
    save_record(project, record)
    if not result.ok:
        raise PackageBlocked(
            f"change #{change_id} ({change['name']}) cannot be approved: its dbt build failed\n"
            + failure_text(result),
            hint=f"Fix the data or the package on branch {branch}, then approve again.",
        )
    base = str(record["base"])
    before = gitops.git(project, "rev-parse", base)
    merged = gitops.merge(project, branch, base, f"Merge generated package {change['name']}")
    gitops.git(project, "branch", "-D", branch, check=False)
    record["merged"] = merged
    save_record(project, record)

    def undo() -> None:
        """The approval failed after the merge (the catalog or governance refused): take the merge back."""
        if gitops.current_branch(project) == base:
            gitops.git(project, "reset", "-q", "--keep", before)
        else:
            gitops.git(project, "branch", "-f", base, before)
        gitops.git(project, "branch", "-f", branch, head, check=False)
        record.pop("merged", None)
        save_record(project, record)

    return undo
