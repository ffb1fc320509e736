"""The error tree and the validation ``Issue``.

Every error names the input, says where it is, and suggests a fix::

    MetricmindError
     ├── SpecError            the project YAML is invalid (carries every Issue found)
 ├── EmptyProjectError    the project folder defines no semantic model (says what was looked for)
     ├── QueryError           a MetricQuery cannot be answered
     │    ├── UnknownNameError     a metric, dimension or entity that does not exist ("did you mean")
     │    ├── JoinError            no join path, or an ambiguous one
     │    │    └── FanOutError     only a one-to-many / foreign↔foreign path: groups would overlap
     │    ├── UnavailableError     a metric the project defines but could not load (names the root cause)
     │    └── FilterError          a where filter that does not parse or names unknown columns
     ├── WarehouseError       the database refused or failed a statement
     └── StoreError           a catalog / log store operation failed (the store is left as it was)
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


class Level(str, enum.Enum):
    """How serious an issue is."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Issue:
    """One finding about the input: what, where, and how to fix it."""

    level: Level
    message: str
    file: str | None = None
    line: int | None = None
    hint: str | None = None
    code: str = "invalid"

    def location(self) -> str:
        """``file:line`` or just the file, or an empty string."""
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        return self.file or ""

    def __str__(self) -> str:
        where = self.location()
        text = f"{self.level.value}: {where + ': ' if where else ''}{self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready view of the issue."""
        return {
            "level": self.level.value,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "hint": self.hint,
            "code": self.code,
        }


def with_hint(message: str, hint: str | None) -> str:
    """``message`` and ``hint`` as sentences: "The file does not exist. Build it first."."""
    if not hint:
        return message
    text = message.rstrip()
    stop = "" if text.endswith((".", "!", "?", ":")) else "."
    return f"{text}{stop} {hint}"


class MetricmindError(Exception):
    """Base class of every error metricmind raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return with_hint(self.message, self.hint)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready view: the shape every interface returns for errors."""
        return {"error": self.code, "message": self.message, "hint": self.hint}


class SpecError(MetricmindError):
    """The project YAML is invalid; ``issues`` holds everything found, not only the first."""

    code = "invalid_spec"

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = tuple(issues)
        errors = [i for i in self.issues if i.level is Level.ERROR]
        lines = "\n".join(f"  {i}" for i in errors)
        super().__init__(f"the project has {len(errors)} error(s):\n{lines}")

    def to_dict(self) -> dict[str, object]:  # noqa: D102
        return {**super().to_dict(), "issues": [i.to_dict() for i in self.issues]}


class EmptyProjectError(MetricmindError):
    """The project folder defines no semantic model: nothing could be answered."""

    code = "empty_project"


class QueryError(MetricmindError):
    """A MetricQuery that cannot be answered as asked."""

    code = "invalid_query"


class UnknownNameError(QueryError):
    """A name that the project does not define; ``suggestions`` holds the closest ones."""

    code = "unknown_name"

    def __init__(self, kind: str, name: str, known: Iterable[str], *, context: str = "") -> None:
        self.kind = kind
        self.name = name
        self.suggestions = tuple(closest(name, known))
        hint = f"Did you mean {', '.join(repr(s) for s in self.suggestions)}?" if self.suggestions else None
        if not self.suggestions:
            hint = f"Run `metricmind list {kind}s` to see what exists."
        super().__init__(f"unknown {kind} '{name}'{context}.", hint=hint)

    def to_dict(self) -> dict[str, object]:  # noqa: D102
        return {**super().to_dict(), "suggestions": list(self.suggestions)}


class UnavailableError(QueryError):
    """A name the project defines, left out of the loaded project because of a problem in its YAML.

    ``cause`` is the root problem (with file and line), which may be in another object the name uses.
    """

    code = "unavailable"

    def __init__(self, message: str, cause: Issue) -> None:
        self.cause = cause
        where = cause.location()
        text = f"{message}: {cause.message}{f' ({where})' if where else ''}."
        first = (cause.hint or "").strip()
        if first and first[-1] not in ".?!":
            first += "."
        hint = f"{first[:1].upper()}{first[1:]} " if first else ""
        super().__init__(text, hint=hint + "Run `metricmind validate` to see every problem.")

    def to_dict(self) -> dict[str, object]:  # noqa: D102
        return {**super().to_dict(), "cause": self.cause.to_dict()}


class JoinError(QueryError):
    """No join path reaches a dimension, or more than one does."""

    code = "join_error"


class FanOutError(JoinError):
    """A dimension reachable only through a join that is not many-to-one: its groups would overlap.

    ``path`` is the join path (``trials → customers → touchpoints``); ``suggestions`` the reachable
    names the user may mean; ``name`` the refused name and ``why`` the hop that is not many-to-one.
    """

    code = "fan_out"

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        path: str = "",
        suggestions: tuple[str, ...] = (),
        name: str = "",
        why: str = "",
    ) -> None:
        super().__init__(message, hint=hint)
        self.path = path
        self.suggestions = suggestions
        self.name = name
        self.why = why

    def in_filter(self, text: str) -> FanOutError:
        """The same refusal worded for a where filter (``text``) that names the dimension."""
        mean = f"Did you mean {', '.join(repr(s) for s in self.suggestions)}? " if self.suggestions else ""
        return FanOutError(
            f"filter {text!r}: '{self.name}' has several values for one row (reached only along "
            f"{self.path}, and {self.why}), so the filter would keep a row when any one of them matches",
            hint=f"{mean}Filter on a dimension with one value per row, or on a metric per entity "
            "({{ Metric('orders', group_by=['customer']) }} > 0); to filter on membership, ask for it: "
            "--overlapping-groups (CLI), allow_overlap=True (MetricQuery, REST, MCP).",
            path=self.path,
            suggestions=self.suggestions,
            name=self.name,
            why=self.why,
        )

    def to_dict(self) -> dict[str, object]:  # noqa: D102
        return {**super().to_dict(), "path": self.path, "suggestions": list(self.suggestions)}


class FilterError(QueryError):
    """A where filter that does not parse, names unknown things, or is not allowed."""

    code = "invalid_filter"


class ExpressionError(QueryError):
    """An ``expr`` (measure, dimension, entity, derived metric) outside the expression allow-list."""

    code = "invalid_expression"


class QuestionTooLongError(QueryError):
    """A question longer than the resolver reads (``metricmind.resolve.MAX_QUESTION_CHARS``)."""

    code = "question_too_long"

    def __init__(self, length: int, limit: int) -> None:
        self.length = length
        self.limit = limit
        super().__init__(
            f"the question is {length:,} characters long; questions are limited to {limit:,} characters",
            hint="Ask one thing at a time, in a sentence or two.",
        )

    def to_dict(self) -> dict[str, object]:  # noqa: D102
        return {**super().to_dict(), "length": self.length, "limit": self.limit}


class WarehouseError(MetricmindError):
    """The warehouse failed to run a statement."""

    code = "warehouse_error"


class StoreError(MetricmindError):
    """A store operation failed; nothing was written."""

    code = "store_error"


class ConflictError(StoreError):
    """Someone else changed the object first; reload and try again."""

    code = "conflict"


class PermissionDenied(MetricmindError):
    """The user's role does not allow the action."""

    code = "forbidden"


def closest(name: str, known: Iterable[str], n: int = 3) -> list[str]:
    """The names in ``known`` closest to ``name``: fuzzy matches first, then shared-suffix matches."""
    pool = sorted(set(known))
    found = difflib.get_close_matches(name, pool, n=n, cutoff=0.6)
    if len(found) < n:
        tail = name.rsplit("__", 1)[-1]
        for candidate in pool:
            if candidate not in found and candidate.rsplit("__", 1)[-1] == tail:
                found.append(candidate)
            if len(found) >= n:
                break
    return found


@dataclass
class IssueList:
    """An accumulator used by validators: add issues, never stop at the first one."""

    items: list[Issue] = field(default_factory=list)

    def error(
        self,
        message: str,
        file: str | None = None,
        line: int | None = None,
        hint: str | None = None,
        code: str = "invalid",
    ) -> None:
        """Record an error."""
        self.items.append(Issue(Level.ERROR, message, file, line, hint, code))

    def warning(
        self,
        message: str,
        file: str | None = None,
        line: int | None = None,
        hint: str | None = None,
        code: str = "warning",
    ) -> None:
        """Record a warning."""
        self.items.append(Issue(Level.WARNING, message, file, line, hint, code))

    @property
    def errors(self) -> list[Issue]:
        """Only the errors."""
        return [i for i in self.items if i.level is Level.ERROR]
