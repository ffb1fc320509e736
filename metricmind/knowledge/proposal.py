"""What mining finds: a ``Proposal`` (a change to the semantic layer, with its evidence) and ``Mined``.

A proposal's id is stable across runs (its kind letter and a hash of what it proposes), so a pattern
found again every night is the same proposal in the store.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

PREFIX = {
    "metric": "M",
    "dimension": "D",
    "deprecation": "X",
    "template": "T",
    "dashboard": "B",
    "rollup": "R",
}
_WORD = re.compile(r"[^a-z0-9]+")


def proposal_id(kind: str, key: str) -> str:
    """A short, stable id: kind letter and 7 hex digits of the key's hash (``M-1a2b3c4``)."""
    return f"{PREFIX[kind]}-{hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:7]}"


@dataclass
class Proposal:
    """One proposed change to the semantic layer.

    Attributes:
        kind: ``metric``, ``dimension`` or ``deprecation``.
        key: What it proposes, independent of names and runs (two patterns computing the same thing share it).
        name: The metric or dimension name.
        confidence: 0–1.
        summary: One line for lists.
        changes: The YAML edits that implement it (see ``yamledit.apply``).
        evidence: Calls, users, fingerprints, sample queries, notes.
    """

    kind: str
    key: str
    name: str
    confidence: float
    summary: str
    changes: list[dict[str, Any]]
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """The stable id."""
        return proposal_id(self.kind, self.key)

    def payload(self) -> dict[str, Any]:
        """JSON-ready body kept in the store."""
        return {"summary": self.summary, "changes": self.changes, "evidence": self.evidence}


@dataclass
class Mined:
    """Everything one mining pass found."""

    proposals: list[Proposal]
    popular: dict[str, list[dict[str, Any]]]
    trending: list[dict[str, Any]]
    window: tuple[str, str]
    history_days: int


def slug(text: str) -> str:
    """``text`` as a lower snake_case name part (``value`` when nothing is left)."""
    return _WORD.sub("_", text.lower()).strip("_") or "value"
