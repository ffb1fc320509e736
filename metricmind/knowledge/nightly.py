"""The nightly job: fold new log records into the graph, mine proposals, write the review branch, announce it.

Every step is idempotent and the run is keyed by its date, so a run killed at any point and started
again ends in the same state: records are folded from a high-water mark in transactions, proposals are
upserted by key (rejected and approved ones are never proposed again), the branch is rebuilt from the
base branch with commits dated by the run (same content, same commits), and announcements are sent
once per date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from metricmind.errors import Level, MetricmindError
from metricmind.knowledge import gitops, notify, yamledit
from metricmind.knowledge.lock import nightly_lock
from metricmind.knowledge.mining import Mined, Miner, Proposal
from metricmind.knowledge.process import Processor
from metricmind.knowledge.schema import proposals, runs
from metricmind.knowledge.settings import resolve
from metricmind.knowledge.store import insert
from metricmind.knowledge.sync import sync
from metricmind.spec import rules
from metricmind.spec.loader import load
from metricmind.spec.model import Model

STEPS = ("process", "mine", "record", "branch", "notify", "done")
KIND_TITLE = {
    "metric": "New metrics",
    "dimension": "New dimensions",
    "deprecation": "Deprecation candidates",
    "template": "Query templates (learned)",
    "dashboard": "Dashboards (learned)",
    "rollup": "Rollups to materialize (learned)",
}
#: A step run after mining (the nightly learner, wired by the project layer): proposals and a summary.
Extra = Callable[[str], tuple[list[Proposal], dict[str, Any]]]


@dataclass
class Context:
    """What the job needs to know about the project (the facade fills it in).

    Attributes:
        root: The project folder (inside a git repository).
        model: The loaded model.
        settings: The project's settings (``metricmind.yml``).
        dialect: The dialect compiled SQL and the YAML use.
        schema: Schema of unqualified table names.
        govern: Runs the governance validator for the run's date (the project wires it): its report as
            JSON, put in the run's summary and its review document.
        gate: Checks a worktree holding approved proposals before it is merged; raising refuses the
            approval (the project wires the governance validator).
        dbt: Finds the dbt executable for ``--dbt-build`` (the project wires the ``dbt.executable``
            setting, ``$METRICMIND_DBT``, then PATH); without it, ``dbt`` on PATH.
    """

    root: Path
    model: Model
    settings: dict[str, Any]
    dialect: str = "duckdb"
    schema: str | None = None
    govern: Callable[[str], dict[str, Any]] | None = None
    gate: Callable[[Path], None] | None = None
    dbt: Callable[[], str] | None = None

    def setting(self, name: str) -> Any:
        """A ``knowledge.*`` setting."""
        return resolve(name, self.settings)

    def base_branch(self) -> str:
        """Where proposals start from and approvals land."""
        return str(self.setting("knowledge.base_branch") or gitops.current_branch(self.root))

    def miner(self, processor: Processor) -> Miner:
        """A miner with the configured thresholds."""
        assert processor.index is not None
        return Miner(
            processor.index,
            min_calls=int(self.setting("knowledge.min_calls")),
            window_days=int(self.setting("knowledge.window_days")),
            deprecate_after_days=int(self.setting("knowledge.deprecate_after_days")),
            trend_days=int(self.setting("knowledge.trend_days")),
        )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _set_run(engine: sa.Engine, as_of: str, **values: Any) -> None:
    with engine.begin() as conn:
        stmt = insert(conn, runs)
        row = {"as_of": as_of, "status": "running", "step": "", "started_at": _now(), **values}
        update = {k: stmt.excluded[k] for k in values}
        conn.execute(
            stmt.on_conflict_do_update(index_elements=["as_of"], set_=update)
            if update
            else stmt.on_conflict_do_nothing(),
            row,
        )


def record(engine: sa.Engine, mined: list[Proposal], as_of: str) -> list[str]:
    """Upsert mined proposals; the ids still pending (decided ones are left alone and not proposed again)."""
    pending: list[str] = []
    with engine.begin() as conn:
        for p in mined:
            row = conn.execute(
                sa.select(proposals.c.id, proposals.c.status).where(proposals.c.key == p.key)
            ).first()
            if row is None:
                conn.execute(
                    sa.insert(proposals).values(
                        id=p.id,
                        key=p.key,
                        kind=p.kind,
                        name=p.name,
                        status="pending",
                        confidence=p.confidence,
                        payload=p.payload(),
                        first_run=as_of,
                        last_run=as_of,
                        created_at=_now(),
                    )
                )
                pending.append(p.id)
            elif row.status == "pending":
                conn.execute(
                    sa.update(proposals)
                    .where(proposals.c.id == row.id)
                    .values(name=p.name, confidence=p.confidence, payload=p.payload(), last_run=as_of)
                )
                pending.append(row.id)
    return pending


def model_errors(root: Path, dialect: str) -> set[str]:
    """Error messages of the project at ``root`` (loader and semantic rules)."""
    result = load(root)
    issues = list(result.issues) + rules.check(result.model, dialect=dialect)
    return {f"{i.file}:{i.message}" for i in issues if i.level is Level.ERROR}


def governance_markdown(report: dict[str, Any] | None) -> list[str]:
    """The review document's governance section (``metricmind govern``'s findings), or nothing."""
    if not report:
        return []
    if "findings" not in report:
        return [
            "## Governance",
            "",
            f"Not checked: {report.get('message', 'the validator did not run')}.",
            "",
        ]
    out = [
        "## Governance",
        "",
        f"`metricmind govern`: {report['errors']} error(s), {report['warnings']} warning(s)"
        + (f" (as of {report['as_of']})" if report.get("as_of") else "")
        + ".",
        "",
    ]
    for f in report["findings"]:
        where = f"{f['file']}:{f['line']}" if f.get("file") and f.get("line") else f.get("file") or ""
        out.append(f"- **{f['level']}** `{f['code']}`{' ' + where if where else ''}: {f['message']}")
    out.append("")
    return out


def proposal_markdown(
    as_of: str,
    items: list[dict[str, Any]],
    mined: Mined | None,
    base: str,
    branch: str,
    governance: dict[str, Any] | None = None,
) -> str:
    """The review document, written like a pull-request description."""
    counts = {k: sum(1 for i in items if i["kind"] == k) for k in KIND_TITLE}
    out = [
        f"# Semantic layer proposals for {as_of}",
        "",
        f"The nightly job read the query log ({mined.window[0]} to {mined.window[1]}) and proposes "
        if mined
        else "The nightly job proposes ",
    ]
    out[-1] += (
        f"{counts['metric']} new metric(s), {counts['dimension']} new dimension(s) and "
        f"{counts['deprecation']} deprecation(s). Each item is one commit on `{branch}`; approve or reject "
        f"items one by one — approved items are merged into `{base}`:"
    )
    out += [
        "",
        "```",
        "metricmind proposals list",
        "metricmind proposals show ID",
        "metricmind proposals approve ID …",
        "metricmind proposals reject ID …",
        "```",
        "",
    ]
    for kind, title in KIND_TITLE.items():
        chosen = [i for i in items if i["kind"] == kind]
        if not chosen:
            continue
        out += [f"## {title}", ""]
        for item in chosen:
            payload = item["payload"]
            ev = payload["evidence"]
            out += [
                f"### `{item['id']}` {item['name']} — confidence {item['confidence']:.2f}",
                "",
                payload["summary"] + ".",
                "",
            ]
            if ev.get("calls"):
                out.append(
                    f"Seen {ev['calls']} times in the window, from {len(ev.get('users', []))} user(s), "
                    f"{len(ev.get('fingerprints', []))} query pattern(s)."
                )
            if kind == "deprecation":
                out.append(f"Not used by any logged query since {ev.get('unused_since')}.")
            if ev.get("dimensions"):
                out.append("Grouped by: " + ", ".join(f"`{d}`" for d in ev["dimensions"]) + ".")
            if ev.get("metrics") and kind == "dimension":
                out.append("Used with: " + ", ".join(f"`{m}`" for m in ev["metrics"]) + ".")
            out += [
                "",
                "```yaml",
                yaml.safe_dump(payload["changes"], sort_keys=False, width=100).rstrip(),
                "```",
            ]
            for sql in ev.get("sample_queries", [])[:2]:
                out += [
                    "",
                    "<details><summary>Sample query</summary>",
                    "",
                    "```sql",
                    sql.strip(),
                    "```",
                    "",
                    "</details>",
                ]
            if payload.get("invalid"):
                out += ["", "**Not applied:** " + "; ".join(payload["invalid"])]
            out.append("")
    if mined is not None:
        out += ["## Popularity", ""]
        for what, ranked in mined.popular.items():
            if ranked:
                out.append(f"- {what}: " + ", ".join(f"`{r['name']}` ({r['uses']})" for r in ranked[:10]))
        out += ["", "## Trending metrics", ""]
        if mined.trending:
            for t in mined.trending:
                growth = "new" if t["growth"] is None else f"+{t['growth'] * 100:.0f}%"
                out.append(
                    f"- `{t['name']}`: {t['recent']} uses in the last period vs {t['prior']} before ({growth})"
                )
        else:
            out.append("None this time.")
        out.append("")
    out += governance_markdown(governance)
    return "\n".join(out)


def write_branch(
    ctx: Context,
    items: list[dict[str, Any]],
    mined: Mined | None,
    as_of: str,
    governance: dict[str, Any] | None = None,
) -> tuple[str, str | None, list[str]]:
    """Rebuild the proposal branch: one commit per item, then PROPOSAL.md. Branch, head commit, invalid ids."""
    base = ctx.base_branch()
    branch = f"{ctx.setting('knowledge.branch_prefix')}-{as_of}"
    date = f"{as_of}T06:00:00+0000"
    proposals_file = str(ctx.setting("knowledge.proposals_file"))
    invalid: list[str] = []
    with gitops.worktree(ctx.root, branch, base) as wt:
        baseline = model_errors(wt, ctx.dialect)
        for item in items:
            changes = item["payload"]["changes"]
            try:
                touched = yamledit.apply(wt, changes, proposals_file)
                problems = sorted(model_errors(wt, ctx.dialect) - baseline)
            except MetricmindError as exc:
                touched, problems = [], [exc.message]
            if problems:
                gitops.git(wt, "checkout", "--", ".")
                gitops.git(wt, "clean", "-fdq", "--", ".")
                item["payload"]["invalid"] = problems[:3]
                invalid.append(item["id"])
                continue
            gitops.commit(
                wt, f"proposal {item['id']}: {item['payload']['summary']}", date=date, paths=touched
            )
        (wt / "PROPOSAL.md").write_text(proposal_markdown(as_of, items, mined, base, branch, governance))
        head = gitops.commit(wt, f"proposals for {as_of}: review document", date=date, paths=["PROPOSAL.md"])
        head = gitops.git(wt, "rev-parse", "HEAD") if head is None else head
    return branch, head, invalid


def _items(engine: sa.Engine, ids: list[str]) -> list[dict[str, Any]]:
    if not ids:
        return []
    with engine.connect() as conn:
        rows = conn.execute(sa.select(proposals).where(proposals.c.id.in_(ids))).all()
    order = {kind: n for n, kind in enumerate(KIND_TITLE)}
    items = [dict(r._mapping) for r in rows]
    items.sort(key=lambda i: (order.get(i["kind"], len(order)), -i["confidence"], i["name"]))
    return items


def run(
    engine: sa.Engine,
    ctx: Context,
    *,
    as_of: dt.date | None = None,
    announce: bool = True,
    on_step: Callable[[str], None] | None = None,
    wait: float = 0.0,
    extra: Extra | None = None,
) -> dict[str, Any]:
    """Run the nightly job for ``as_of`` (default today); a summary of what it did.

    ``extra`` (the nightly learner) runs after mining, inside the lock; its proposals are recorded and
    reviewed with the mined ones and its summary is the summary's ``learn``.

    One run at a time per project (``metricmind.knowledge.lock``): when another run holds the lock
    (cron and ``serve --nightly-at`` at once), this one waits up to ``wait`` seconds, then raises
    ``NightlyBusy`` naming the other run's pid and start, having touched nothing.
    """
    with nightly_lock(ctx.root, wait=wait, engine=engine):
        return _run(engine, ctx, as_of=as_of, announce=announce, on_step=on_step, extra=extra)


def _run(
    engine: sa.Engine,
    ctx: Context,
    *,
    as_of: dt.date | None,
    announce: bool,
    on_step: Callable[[str], None] | None,
    extra: Extra | None = None,
) -> dict[str, Any]:
    day = (as_of or dt.date.today()).isoformat()
    step = on_step or (lambda _name: None)
    _set_run(engine, day)
    _set_run(engine, day, status="running", step="process")
    processor = Processor(ctx.model, ctx.schema, ctx.dialect)
    assert processor.index is not None
    with engine.begin() as conn:
        sync(conn, processor.index, processor.ids)
    folded = processor.run(engine)
    step("process")
    mined = ctx.miner(processor).mine(engine, dt.date.fromisoformat(day))
    learned: dict[str, Any] | None = None
    if extra is not None:
        more, learned = extra(day)
        mined.proposals.extend(more)
    step("mine")
    governance = _govern(ctx, day)
    pending_ids = record(engine, mined.proposals, day)
    step("record")
    items = _items(engine, pending_ids)
    branch: str | None = None
    head: str | None = None
    if not items:
        stale = f"{ctx.setting('knowledge.branch_prefix')}-{day}"
        if gitops.branch_exists(ctx.root, stale) and gitops.current_branch(ctx.root) != stale:
            gitops.git(ctx.root, "branch", "-D", stale)
    else:
        branch, head, invalid = write_branch(ctx, items, mined, day, governance)
        with engine.begin() as conn:
            for item in items:
                values: dict[str, Any] = {"branch": branch}
                if item["id"] in invalid:
                    values["payload"] = item["payload"]
                conn.execute(sa.update(proposals).where(proposals.c.id == item["id"]).values(**values))
    _set_run(engine, day, step="branch", branch=branch, commit=head)
    step("branch")
    summary: dict[str, Any] = {
        "as_of": day,
        "processed": folded,
        "proposals": [
            {
                "id": i["id"],
                "kind": i["kind"],
                "name": i["name"],
                "confidence": i["confidence"],
                "summary": i["payload"]["summary"],
            }
            for i in items
        ],
        "branch": branch,
        "commit": head,
        "window": list(mined.window),
        "history_days": mined.history_days,
        "popular": mined.popular,
        "trending": mined.trending,
    }
    if learned is not None:
        summary["learn"] = learned
    if governance is not None:
        summary["governance"] = governance
    notified = _announce(engine, ctx, day, summary, items, mined) if announce and branch else {}
    summary["notified"] = notified
    step("notify")
    _set_run(engine, day, status="done", step="done", finished_at=_now(), summary=_summary_for_store(summary))
    step("done")
    return summary


def _govern(ctx: Context, day: str) -> dict[str, Any] | None:
    """The governance report of the run (None when not wired; ``{"error", "message"}`` when it failed)."""
    if ctx.govern is None:
        return None
    try:
        return ctx.govern(day)
    except MetricmindError as exc:
        return {"error": exc.code, "message": exc.message}


def _summary_for_store(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if k not in ("popular", "trending")}


def _announce(
    engine: sa.Engine,
    ctx: Context,
    day: str,
    summary: dict[str, Any],
    items: list[dict[str, Any]],
    mined: Mined,
) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(sa.select(runs.c.notified).where(runs.c.as_of == day)).first()
    done: dict[str, Any] = dict(row[0] or {}) if row else {}
    branch = str(summary["branch"])
    base = ctx.base_branch()
    repo = ctx.setting("knowledge.github_repo")
    if repo and "github" not in done:
        remote = ctx.setting("knowledge.git_remote")
        if remote:
            gitops.git(ctx.root, "push", "--force", "-q", str(remote), f"{branch}:{branch}")
        body = proposal_markdown(day, items, mined, base, branch, summary.get("governance"))
        done["github"] = notify.open_pull_request(
            str(ctx.setting("knowledge.github_api")),
            str(repo),
            ctx.setting("knowledge.github_token"),
            head=branch,
            base=base,
            title=f"Semantic layer proposals for {day} ({len(items)} items)",
            body=body,
        )
        _set_run(engine, day, notified=done)
    webhook = ctx.setting("knowledge.slack_webhook")
    if webhook and "slack" not in done:
        lines = [f"*metricmind nightly {day}*: {len(items)} proposal(s) on branch `{branch}`"]
        lines += [f"• `{i['id']}` {i['payload']['summary']}" for i in items[:10]]
        pr = done.get("github", {}).get("url")
        if pr:
            lines.append(f"Review: {pr}")
        notify.slack(str(webhook), "\n".join(lines))
        done["slack"] = {"sent": True}
        _set_run(engine, day, notified=done)
    return done
