"""What the governance validator reports: findings (level, code, subject, where, hint) and the report.

The JSON shape (``Report.to_dict``) is the contract CI in a user's project reads::

    {"ok": false, "errors": 1, "warnings": 0, "as_of": "2026-07-01T00:00:00",
     "checks": ["lineage", "metadata", "grain", "joins", "freshness"],
     "findings": [{"level": "error", "code": "reads_raw_source", "message": "...",
                   "dataset": null, "semantic_model": "trials", "metrics": ["trial_starts"],
                   "file": "models/marts/fct_trials.sql", "line": 3, "hint": "..."}]}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from metricmind.errors import Level

#: Every finding code, what it means (docs/govern.md lists the same).
CODES: dict[str, str] = {
    "reads_raw_source": "a model behind a metric reads a raw source, not a canonical dataset",
    "reads_staging": "a model behind a metric reads a staging model",
    "unknown_input": "a model behind a metric reads a table that is neither a model nor a canonical dataset",
    "model_sql_missing": "the SQL file of a model behind a metric cannot be found",
    "missing_owner": "a canonical dataset has no owner",
    "missing_sla": "a canonical dataset has no SLA or no freshness_hours in it",
    "missing_grain": "a canonical dataset declares no primary_key (its grain cannot be proven)",
    "missing_table": "a canonical dataset's table is not in the warehouse",
    "grain_not_unique": "a canonical dataset's primary key repeats in the warehouse",
    "join_fanout": "a key joined to many-to-one repeats in the warehouse: joins would fan out",
    "stale": "a canonical dataset's newest row is older than its SLA allows",
    "no_freshness_column": "a canonical dataset has no time column to check its freshness with",
    "check_failed": "a warehouse check could not run",
}


@dataclass(frozen=True)
class Finding:
    """One governance finding: what is wrong, about which object, where, and how to fix it."""

    level: Level
    code: str
    message: str
    dataset: str | None = None
    semantic_model: str | None = None
    metrics: tuple[str, ...] = ()
    file: str | None = None
    line: int | None = None
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        """True for errors (they fail CI and block approvals)."""
        return self.level is Level.ERROR

    def keys(self) -> set[tuple[str, str, str, str]]:
        """Identities of this finding that do not depend on wording: one per metric it touches (an
        approval that adds a metric behind a raw source makes a new finding even if the model had one).
        """
        base = (self.code, self.dataset or "", self.semantic_model or "")
        return {(*base, m) for m in self.metrics} if self.metrics else {(*base, "")}

    def location(self) -> str:
        """``file:line``, the file alone, or an empty string."""
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        return self.file or ""

    def subject(self) -> str:
        """The dataset, semantic model or metrics the finding is about, for the text output."""
        if self.dataset:
            return f"dataset {self.dataset}"
        if self.semantic_model:
            return f"semantic model {self.semantic_model}"
        return ", ".join(f"metric {m}" for m in self.metrics)

    def __str__(self) -> str:
        where = self.location()
        text = f"{self.level.value}[{self.code}] {where + ': ' if where else ''}{self.message}"
        if self.metrics:
            shown = ", ".join(self.metrics[:8]) + (
                f" and {len(self.metrics) - 8} more" if len(self.metrics) > 8 else ""
            )
            text += f" (metrics: {shown})"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """The JSON view of one finding."""
        return {
            "level": self.level.value,
            "code": self.code,
            "message": self.message,
            "dataset": self.dataset,
            "semantic_model": self.semantic_model,
            "metrics": list(self.metrics),
            "file": self.file,
            "line": self.line,
            "hint": self.hint,
        }


@dataclass
class Report:
    """Everything one governance run found, and which checks ran."""

    findings: list[Finding] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    as_of: str | None = None

    @property
    def errors(self) -> list[Finding]:
        """The findings of level error."""
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        """The findings of level warning."""
        return [f for f in self.findings if f.level is Level.WARNING]

    @property
    def ok(self) -> bool:
        """True when nothing is an error."""
        return not self.errors

    def new_errors(self, before: Report) -> list[Finding]:
        """Errors of this report that ``before`` did not have (what a change made)."""
        known = {k for f in before.errors for k in f.keys()}
        return [f for f in self.errors if not f.keys() <= known]

    def to_dict(self) -> dict[str, Any]:
        """The JSON view (see the module docstring)."""
        return {
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "as_of": self.as_of,
            "checks": list(self.checks),
            "findings": [f.to_dict() for f in self.findings],
        }

    def text(self) -> str:
        """The human report: one paragraph per finding, then a summary line."""
        lines = [str(f) for f in self.findings]
        summary = (
            f"governance: {len(self.errors)} error(s), {len(self.warnings)} warning(s) "
            f"({', '.join(self.checks)}{'; as of ' + self.as_of if self.as_of else ''})"
        )
        return "\n".join([*lines, summary])
