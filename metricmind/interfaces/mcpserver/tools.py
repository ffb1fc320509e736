"""Every MCP tool, as plain methods of ``Tools`` over a ``Project``; ``register`` adds them to a server.

Read-only by default: no tool writes to the project except ``record_feedback``, which needs the server
to hold a user's token (``metricmind mcp`` reads it from ``$METRICMIND_TOKEN``). It appends to
``<project>/metricmind/feedback.jsonl`` and, for a correction, teaches the token's user a word: it
applies to that user at once and to everyone once an approver approves it (``Project.learn``).
``define_metric`` (module ``define``) writes only with ``save=true``: a draft change, as an editor. The
user always comes from the token, never from an argument. Every query goes through ``Project.run``
(``source="mcp"``), so the project's listeners (catalog, query log) record it.

List arguments also accept a JSON list in a string or a comma-separated string; object arguments
also accept a JSON object in a string (Claude Desktop tends to send both as strings).
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations

from metricmind.errors import MetricmindError, PermissionDenied, QueryError
from metricmind.interfaces.mcpserver import define
from metricmind.interfaces.mcpserver import formatting as fmt
from metricmind.interfaces.mcpserver.catalogtools import CatalogTools
from metricmind.interfaces.mcpserver.querytools import QueryTools
from metricmind.interfaces.mcpserver.toolbase import Resolution, Resolver
from metricmind.resolve.feedback import Feedback, parse_correction

__all__ = ["TOOLS", "WRITES", "Resolution", "Resolver", "Tools", "register"]


class Tools(CatalogTools, QueryTools):
    """The tools of one server (``ToolBase`` holds the project, lock, users and feedback store)."""

    # -- feedback ------------------------------------------------------------------------------
    def record_feedback(
        self,
        question: str,
        verdict: str,
        query: dict[str, Any] | str | None = None,
        correction: str | None = None,
        phrase: str | None = None,
        target: str | None = None,
        user: str | None = None,
        expected: dict[str, Any] | str | None = None,
    ) -> str:
        """Record whether an answer was right; a correction teaches you a word (shared after review).

        Needs the server to be started with a user's token (the user comes from the token). Appends to
        <project>/metricmind/feedback.jsonl and, when the verdict is "incorrect" and the correction names
        a phrase and what it meant, teaches that word: it applies to you at once, and to everyone once
        another person approves it in review. A phrase that is already a name is refused.

        Args:
            question: The question that was answered.
            verdict: "correct" or "incorrect".
            query: The query that answered it (object or JSON string).
            correction: What was wrong, e.g. "by 'area' I meant <entity>__<dimension>".
            phrase: The misunderstood words (instead of parsing correction), e.g. "area".
            target: The metric, dimension or dimension=value they mean, e.g. <entity>__<dimension>.
            user: Leave out: the token says who you are (another name is refused).
            expected: With verdict "incorrect": the query that would have been right (object or JSON, as
                the "query" of resolve_question). Memory then answers this question, and ones like it,
                that way: for you at once, for everyone once an approver reviews the note.
        """
        writer = self._writer(user)
        verdict = verdict.strip().lower()
        resolved = fmt.mapping(query, "query")
        learned: list[dict[str, Any]] = []
        pair: tuple[str, str] | None = None
        explicit = bool(phrase or target)
        if explicit:
            if not (phrase and target):
                raise QueryError(
                    "pass both phrase and target", hint="e.g. phrase='area', target='<entity>__<dimension>'."
                )
            pair = (phrase, target)
        else:
            pair = parse_correction(correction)
        if explicit and verdict != "incorrect":
            raise QueryError(
                "a word is learned only from an incorrect answer",
                hint="Pass verdict='incorrect' with the correction.",
            )
        entry = Feedback(  # checks the verdict and the question before anything is written
            question=question, verdict=verdict, query=resolved, correction=correction or None, user=writer
        )
        note = ""
        if pair is not None and verdict == "incorrect":
            try:
                with self._lock:
                    word = self.project.learn(writer, pair[0], pair[1], question=question)
            except MetricmindError as exc:
                if explicit:
                    raise
                note = f"# not learned: {exc}"
            else:
                learned.append({k: word[k] for k in ("id", "kind", "phrase", "target", "state")})
        entry = dataclasses.replace(entry, learned=[{k: str(v) for k, v in w.items()} for w in learned])
        right = fmt.mapping(expected, "expected")
        remembered: dict[str, Any] = {"note": None}
        with self._lock:
            try:
                remembered = self.project.answer_feedback(question, verdict, user=writer, expected=right)
            except MetricmindError:
                if right is not None:
                    raise  # a correction that cannot be kept is an error; a verdict alone is not
            self.feedback.append(entry)
        lines = [f"recorded feedback {entry.id} ({verdict}) by {writer} in {self.feedback.path}"]
        if remembered["note"]:
            lines.append(
                f"remembered for {writer} at once: reflexion note #{remembered['note']} answers {question!r} "
                f"and questions like it with the expected query; it applies to everyone once an approver "
                f"reviews it (metricmind learn review {remembered['note']})"
            )
        for w in learned:
            lines.append(
                f"learned for {writer} at once: '{w['phrase']}' → {w['target']} ({w['kind']}); word #{w['id']} "
                f"is {w['state'].replace('_', ' ')}: it applies to everyone once another person approves it "
                f"(metricmind vocabulary approve {w['id']})"
            )
        if note:
            lines.append(note)
        return "\n".join(lines)

    def _writer(self, claimed: str | None) -> str:
        """The token's user; ``PermissionDenied`` without a token or when another user is claimed."""
        if self.writer is None:
            raise PermissionDenied(
                "record_feedback writes to the project, and this server has no token",
                hint="Start it with a user's token: METRICMIND_TOKEN=<token> metricmind mcp (or --token-env "
                "VAR); an admin creates one with: metricmind users add NAME --role editor. "
                "The read-only tools work without one.",
            )
        if claimed and claimed.strip() and claimed.strip() != self.writer:
            raise PermissionDenied(
                f"this server writes as '{self.writer}' (the user of its token), not as '{claimed.strip()}'",
                hint="Leave out `user`: the token says who you are.",
            )
        return self.writer


TOOLS: tuple[str, ...] = (
    "list_metrics",
    "describe_metrics",
    "get_dimension_values",
    "resolve_question",
    "query_metrics",
    "explain_query",
    "analyze",
    "define_metric",
    "record_feedback",
)
"""Every tool, in the order clients list them."""
WRITES: frozenset[str] = frozenset({"record_feedback"})
"""Tools that write (the feedback file and the token user's learned words); they need a token."""


def register(server: MCPServer, tools: Tools, *, feedback: bool = True) -> None:
    """Add every tool of ``tools`` to ``server`` (without ``record_feedback`` when ``feedback`` is off)."""
    for name in TOOLS:
        if name == define.NAME:  # reads, and writes a draft only with save=true (its own module)
            define.register(
                server, define.DefineTool(tools.project, tools._lock, tools.writer, saving=feedback)
            )
            continue
        if name in WRITES and not feedback:
            continue
        writes = name in WRITES
        method = getattr(tools, name)
        server.add_tool(
            fmt.guard(method),
            name=name,
            description=inspect.cleandoc(method.__doc__ or ""),
            annotations=ToolAnnotations(
                read_only_hint=not writes,
                destructive_hint=False,
                idempotent_hint=not writes,
                open_world_hint=False,
            ),
            structured_output=False,
        )
