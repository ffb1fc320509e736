"""Reviewing proposals: list, show, approve (merge into the base branch with real git), reject (remembered).

Approving builds a branch from the base branch with the accepted items' YAML changes (one commit
each), checks the project still loads without errors, and merges it with a merge commit. Rejected
items keep their key in the store, so the nightly job never proposes them again.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from metricmind.errors import MetricmindError, UnknownNameError
from metricmind.knowledge import gitops, yamledit
from metricmind.knowledge.nightly import Context, model_errors
from metricmind.knowledge.schema import proposals

STATUSES = ("pending", "approved", "rejected")


def _row(r: Any) -> dict[str, Any]:
    d = dict(r._mapping)
    for k in ("created_at", "decided_at"):
        if d.get(k) is not None:
            d[k] = d[k].isoformat()
    return d


def list_proposals(
    engine: sa.Engine, status: str | None = None, kind: str | None = None
) -> list[dict[str, Any]]:
    """Proposals (newest run first), optionally of one status and kind; without payloads, with evidence
    counts (``calls``, ``users``, ``samples``).
    """
    stmt = sa.select(proposals).order_by(
        proposals.c.last_run.desc(), proposals.c.kind, proposals.c.confidence.desc(), proposals.c.id
    )
    if status:
        stmt = stmt.where(proposals.c.status == status)
    if kind:
        stmt = stmt.where(proposals.c.kind == kind)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    out = []
    for r in rows:
        d = _row(r)
        payload = d.pop("payload")
        evidence = payload.get("evidence") or {}
        d["summary"] = payload["summary"]
        d["calls"] = int(evidence.get("calls") or 0)
        d["users"] = len(evidence.get("users") or [])
        d["samples"] = len(evidence.get("sample_queries") or [])
        out.append(d)
    return out


def show(engine: sa.Engine, proposal_id: str) -> dict[str, Any]:
    """One proposal with its changes and evidence."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(proposals).where(proposals.c.id == proposal_id)).first()
        if row is None:
            every = [r[0] for r in conn.execute(sa.select(proposals.c.id))]
            raise UnknownNameError("proposal", proposal_id, every)
    return _row(row)


def _fetch(engine: sa.Engine, ids: Sequence[str]) -> list[dict[str, Any]]:
    items = [show(engine, i) for i in dict.fromkeys(ids)]
    decided = [i["id"] for i in items if i["status"] != "pending"]
    if decided:
        raise MetricmindError(
            f"already decided: {', '.join(decided)}",
            hint="Only pending proposals can be approved or rejected.",
        )
    return items


def _decide(engine: sa.Engine, ids: list[str], status: str, by: str | None, reason: str | None) -> None:
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(
            sa.update(proposals)
            .where(proposals.c.id.in_(ids), proposals.c.status == "pending")
            .values(status=status, decided_at=now, decided_by=by, reason=reason)
        )


def reject(
    engine: sa.Engine, ids: Sequence[str], *, by: str | None = None, reason: str | None = None
) -> dict[str, Any]:
    """Reject pending proposals; they are remembered and not proposed again."""
    items = _fetch(engine, ids)
    _decide(engine, [i["id"] for i in items], "rejected", by, reason)
    return {"rejected": [i["id"] for i in items]}


def approve(
    engine: sa.Engine,
    ctx: Context,
    ids: Sequence[str],
    *,
    by: str | None = None,
    dbt_build: bool = False,
) -> dict[str, Any]:
    """Merge the changes of pending proposals ``ids`` into the base branch; optionally run ``dbt build``."""
    items = _fetch(engine, ids)
    base = ctx.base_branch()
    branch = f"{ctx.setting('knowledge.branch_prefix')}-approved-{'-'.join(sorted(i['id'] for i in items))}"[
        :200
    ]
    proposals_file = str(ctx.setting("knowledge.proposals_file"))
    with gitops.worktree(ctx.root, branch, base) as wt:
        baseline = model_errors(wt, ctx.dialect)
        for item in items:
            touched = yamledit.apply(wt, item["payload"]["changes"], proposals_file)
            gitops.commit(wt, f"{item['kind']} {item['name']} (proposal {item['id']})", paths=touched)
        problems = sorted(model_errors(wt, ctx.dialect) - baseline)
        if problems:
            raise MetricmindError(
                "the approved changes leave the project with errors: " + "; ".join(problems[:3]),
                hint="Reject the conflicting proposal, or fix the YAML and approve again.",
            )
        if ctx.gate is not None:  # governance: a merge that adds an error is refused, nothing merged
            ctx.gate(wt)
    ids_text = ", ".join(i["id"] for i in items)
    merged = gitops.merge(ctx.root, branch, base, f"Merge approved proposals {ids_text}")
    gitops.git(ctx.root, "branch", "-D", branch, check=False)
    _decide(engine, [i["id"] for i in items], "approved", by, None)
    result: dict[str, Any] = {"approved": [i["id"] for i in items], "merged_into": base, "commit": merged}
    if dbt_build:
        result["dbt"] = run_dbt_build(ctx)
    return result


def run_dbt_build(ctx: Context) -> dict[str, Any]:
    """Run ``dbt build`` in the project folder (which must be a dbt project)."""
    if not (ctx.root / "dbt_project.yml").exists():
        raise MetricmindError("--dbt-build needs a dbt project", hint=f"{ctx.root} has no dbt_project.yml.")
    exe = ctx.dbt() if ctx.dbt is not None else shutil.which("dbt")
    if exe is None:
        raise MetricmindError(
            "dbt is not installed", hint="pip install dbt-core and your adapter (e.g. dbt-duckdb)."
        )
    done = subprocess.run([exe, "build"], cwd=ctx.root, capture_output=True, text=True, check=False)
    tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
    if done.returncode != 0:
        raise MetricmindError(
            "dbt build failed after the merge: " + " | ".join(tail),
            hint="The merge stays; fix and re-run dbt.",
        )
    return {"returncode": done.returncode, "output": tail}
