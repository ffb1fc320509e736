"""The MCP tool ``define_metric``: draft a metric from a conversation (the definition agent, docs/define.md).

It answers with the proposal as compact JSON — each suggestion with its confidence and reason, the rules
read and unread, the metric, its YAML and ``preview_sql`` (by ``metric_time__month``), or the refusal with
the closest metrics. Nothing is run on the warehouse. ``save=true`` writes the metric as a **draft**
change in the catalog's review queue (never published: an approver decides), as the user of the
server's token, who must be an editor; a refusal, an unread rule or a viewer's token writes nothing.
"""

from __future__ import annotations

import inspect
import json
import threading
from collections.abc import Sequence
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations

from metricmind.catalog.definitions import to_yaml
from metricmind.catalog.workflow import Role
from metricmind.define import Definition, Package, Proposal, confirmed, generate, write_package
from metricmind.errors import MetricmindError, PermissionDenied, QueryError
from metricmind.interfaces.mcpserver import formatting as fmt
from metricmind.knowledge import gitops
from metricmind.project import Project

NAME = "define_metric"
MAX_DIMENSIONS = 40
"""Dimensions listed by name in the answer (the rest are counted)."""
MAX_SOURCES = 10
"""Candidate sources in the answer, best first."""


class DefineTool:
    """``define_metric`` over a project: ``writer`` is the token's user (None without a token);
    ``saving`` is False when the server was started so that no tool writes (``--no-feedback``).
    """

    def __init__(
        self, project: Project, lock: threading.RLock, writer: str | None, *, saving: bool = True
    ) -> None:
        self.project = project
        self.lock = lock
        self.writer = writer
        self.saving = saving

    def define_metric(
        self,
        name: str,
        definition: str,
        rules: list[str] | str | None = None,
        save: bool = False,
        build: bool = False,
        confirm: bool = False,
    ) -> str:
        """Draft a new metric from plain English: the proposal, and with save=true a draft for review.

        Reads the definition and each business rule against the catalog (dimensions, values, existing
        metrics) and answers JSON: similar metrics ("reuse it?"), the measure and time dimension, each
        rule read (with its SQL predicate) or unread, the proposed metric, its YAML and preview_sql (the
        SQL by month; not run), or a refusal with the nearest value or the closest metrics. Show the
        person the rules read and unread before saving.

        Args:
            name: The new metric's name, lower_snake_case (e.g. subscription_value).
            definition: One line: what it measures (e.g. "Total value of active subscriptions per month").
            rules: Business rules in plain English: a list, a JSON list, or one rule per line
                (e.g. ["Exclude trial subscriptions", "Only count active and past_due status"]).
            save: true writes the metric as a draft change in the review queue (never published; needs
                the server to hold an editor's token). Nothing is written on a refusal or an unread rule.
            build: With save, run dbt build of the metric's package on its review branch first (the project
                must be in git); nothing is saved unless every model and test passes.
            confirm: The person read the proposal's doubts (a "(doubt)" item among the unread rules, when
                the agent is unsure the metric computes what the definition means) and confirms it; only
                then can an uncertain proposal be saved. Show the doubts and ask before passing it.
        """
        proposal = self.project.analyze_definition(
            Definition(name.strip(), definition.strip(), tuple(rule_list(rules)))
        )
        if confirm:
            proposal = confirmed(proposal, self.writer or "")
        answer = summarize(proposal)
        answer.update(self.package_summary(proposal))
        if build and not save:
            raise QueryError("build needs save=true", hint="Pass save=true with build=true.")
        if save:
            answer["saved"] = self._save(proposal, build=build)
        else:
            answer["saved"] = None
        return json.dumps(answer, default=str, ensure_ascii=False)

    def _save(self, proposal: Proposal, *, build: bool = False) -> dict[str, Any]:
        if not self.saving:
            raise PermissionDenied(
                "this server was started so that no tool writes (--no-feedback); nothing was written",
                hint="Call define_metric without save to see the proposal, or restart the server without "
                "--no-feedback.",
            )
        if self.writer is None:
            raise PermissionDenied(
                "saving a draft writes to the catalog, and this server has no token; nothing was written",
                hint="Start it with an editor's token: METRICMIND_TOKEN=<token> metricmind mcp; an admin "
                "creates one with: metricmind users add NAME --role editor.",
            )
        if proposal.refused or proposal.metric is None:
            closest = ", ".join(s.name for s in proposal.similar[:3])
            raise QueryError(
                f"{proposal.refused or 'no_data'}: {proposal.message}; nothing was written",
                hint="Rephrase the definition or the rules" + (f", or reuse {closest}." if closest else "."),
            )
        if proposal.unread:
            raise QueryError(
                f"{len(proposal.unread)} rule(s) could not be read: "
                + "; ".join(repr(r.text) for r in proposal.unread)
                + "; nothing was written",
                hint="Rephrase them over the catalog's dimensions and values (get_dimension_values), or leave "
                'them out; a "(doubt)" item is the agent\'s: show the doubts and, if the person confirms, '
                "call again with confirm=true.",
            )
        needs_parts = bool(proposal.new_measures or proposal.new_model or proposal.new_metrics)
        git = gitops.in_repository(self.project.root)
        if build and not git:
            raise QueryError(
                f"building the package needs its review branch, and {self.project.root} is not in a git "
                "repository; nothing was written",
                hint="Save without build, or put the project in git (git init, then commit it).",
            )
        if needs_parts and not git:
            raise QueryError(
                f"{proposal.metric['name']!r} needs a new measure or dbt model, which go on a review branch, "
                f"and {self.project.root} is not in a git repository; nothing was written",
                hint="Put the project in git (git init, then commit it) and save again.",
            )
        with self.lock:
            catalog = self.project.catalog
            role = catalog.role(self.writer)
            if not role.at_least(Role.EDITOR):
                raise PermissionDenied(
                    f"'{self.writer}' (the token's user) is a {role.value}; saving a draft needs an editor; "
                    "nothing was written",
                    hint="An admin gives the role: metricmind users add NAME --role editor.",
                )
            package = self._package(proposal, learn=True) if git else None
        if package is not None:  # git and the catalog, outside the warehouse lock
            written = write_package(
                package,
                self.project.root,
                catalog,
                self.writer,
                build=build,
                settings=self.project.settings,
                proposal=proposal,
            )
            change, branch, built = written["change"], written["branch"], _build_summary(written["build"])
            note = (
                f"a draft in the review queue, its package ({len(written['files'])} files) on branch "
                f"{branch}: submit it for review (web /review or the API); approving builds it with dbt"
            )
        else:
            change, branch, built = catalog.create_draft(self.writer, proposal.metric), None, None
            note = (
                "a draft in the review queue (the project is not in git: no package branch); submit it "
                "for review (web /review or the API); an approver publishes it"
            )
        return {
            "change": change.get("id"),
            "state": change.get("state"),
            "author": change.get("author"),
            "branch": branch,
            "build": built,
            "note": note,
        }

    def _package(self, proposal: Proposal, *, learn: bool) -> Package:
        project = self.project
        return generate(
            proposal,
            project,
            max_hops=int(project.setting("max_join_hops")),
            run_sql=(lambda sql: [tuple(r) for r in project.warehouse.run(sql).rows]) if learn else None,
        )

    def package_summary(self, proposal: Proposal) -> dict[str, Any]:
        """The files and dbt tests ``save`` would write (no SQL run), or why it cannot be generated."""
        if proposal.refused or proposal.metric is None:
            return {}
        try:
            package = self._package(proposal, learn=False)
        except MetricmindError as exc:
            return {"package_error": exc.message}
        return {
            "package": {
                "files": sorted(package.files),
                "tests": [{"name": c.name, "what": c.what} for c in package.checks],
                "problems": list(package.problems),
            }
        }


def _build_summary(build: dict[str, Any] | None) -> dict[str, Any] | None:
    """The result of dbt build, compact: ok, the summary line, the failed nodes."""
    if not build:
        return None
    return {"ok": build.get("ok"), "summary": build.get("summary"), "failed": build.get("failed")}


def summarize(proposal: Proposal) -> dict[str, Any]:
    """The proposal as the tool answers it: compact, every suggestion with confidence and reason."""
    data = proposal.to_dict()
    out: dict[str, Any] = {
        "name": proposal.definition.name,
        "refused": proposal.refused,
        "message": proposal.message or None,
    }
    if proposal.refused:
        out["closest_metrics"] = [s.name for s in proposal.similar[:5]]
    out["similar"] = [_short(s) for s in data["similar"]]
    out["sources"] = [
        _short(s) for s in data["sources"][:MAX_SOURCES]
    ]  # ranked by use when the graph has any
    out["measure"] = _short(data["measure"]) if data["measure"] else None
    out["time_dimension"] = _short(data["time_dimension"]) if data["time_dimension"] else None
    out["rules"] = [
        {
            k: r[k]
            for k in ("text", "status", "confidence", "reason", "predicate", "suggestion")
            if r[k] is not None
        }
        for r in data["rules"]
    ]
    out["rules_read"] = [r.text for r in proposal.rules if r.status != "unread"]
    out["rules_unread"] = [r.text for r in proposal.unread]
    out["assumptions"] = data["assumptions"]
    out["confidence"] = proposal.confidence  # below 0.6 a "(doubt)" item is unread until confirmed
    out["doubts"] = list(proposal.doubts)
    out["dimensions"] = [d["name"] for d in data["dimensions"][:MAX_DIMENSIONS]]
    out["excluded_dimensions"] = [
        {"name": d["name"], "reason": d["reason"]} for d in data["excluded_dimensions"][:MAX_DIMENSIONS]
    ]
    out["checks"] = data["checks"]
    for key in ("new_measures", "new_model", "new_metrics"):
        if data[key]:
            out[key] = data[key]
    out["metric"] = proposal.metric
    out["yaml"] = to_yaml(proposal.metric) if proposal.metric is not None else None
    out["preview_sql"] = proposal.preview_sql
    out["elapsed_ms"] = proposal.elapsed_ms
    return out


def _short(s: dict[str, Any]) -> dict[str, Any]:
    out = {k: s[k] for k in ("name", "confidence", "reason")}
    if s.get("detail", {}).get("status"):
        out["status"] = s["detail"]["status"]
    return out


def rule_list(value: Sequence[str] | str | None) -> list[str]:
    """Rules from a list, a JSON list in a string, or one rule per line (commas stay: they are words)."""
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            parsed = fmt.json_list(text, "rules", 'Write ["Exclude trials", "Only one region"].')
            return rule_list(parsed if isinstance(parsed, list) else [str(parsed)])
        return [line.strip() for line in text.splitlines() if line.strip()]
    return [str(r).strip() for r in value if str(r).strip()]


def register(server: MCPServer, tool: DefineTool) -> None:
    """Add ``define_metric`` to ``server`` (it writes only with ``save=true``)."""
    method = tool.define_metric
    server.add_tool(
        fmt.guard(method),
        name=NAME,
        description=inspect.cleandoc(method.__doc__ or ""),
        annotations=ToolAnnotations(
            read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False
        ),
        structured_output=False,
    )
