"""The feedback store: verdicts on answers, one JSON object per line in ``<project>/metricmind/feedback.jsonl``.

The file is append-only. Each record is written with one ``write`` on a file opened with ``O_APPEND``
under an exclusive ``flock``, then flushed to disk, so concurrent servers never interleave lines and a
crash leaves at most one incomplete last line (which ``entries`` skips).

A correction such as ``by 'area' I meant customer__region`` is parsed by ``parse_correction`` into a
phrase and a target; the tool layer checks the target against the project and teaches the resolver.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from metricmind.appendlog import append_line
from metricmind.errors import QueryError

Verdict = Literal["correct", "incorrect"]
VERDICTS: tuple[str, ...] = ("correct", "incorrect")
RELATIVE_PATH = Path("metricmind") / "feedback.jsonl"


@dataclass(frozen=True)
class Feedback:
    """One verdict on one answer."""

    question: str
    verdict: str
    query: dict[str, Any] | None = None
    correction: str | None = None
    user: str | None = None
    learned: list[dict[str, str]] = field(default_factory=list)
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    time: str = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise QueryError(
                f"verdict {self.verdict!r} is not one of {', '.join(VERDICTS)}",
                hint="Pass verdict='correct' or verdict='incorrect'.",
            )
        if not self.question.strip():
            raise QueryError("the question is empty", hint="Pass the question the answer was for.")

    def to_dict(self) -> dict[str, Any]:
        """The JSON object stored on one line."""
        return asdict(self)


class FeedbackStore:
    """Append and read the feedback file of one project."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def of(cls, project_root: Path) -> FeedbackStore:
        """The store of the project at ``project_root``."""
        return cls(project_root / RELATIVE_PATH)

    def append(self, entry: Feedback) -> Feedback:
        """Append ``entry`` atomically (one locked ``O_APPEND`` write, flushed to disk)."""
        data = (json.dumps(entry.to_dict(), ensure_ascii=False, default=str) + "\n").encode()
        append_line(self.path, data, durable=True)
        return entry

    def entries(self) -> list[dict[str, Any]]:
        """Every complete record, oldest first (a torn last line is skipped)."""
        if not self.path.exists():
            return []
        out: list[dict[str, Any]] = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                out.append(value)
        return out


_QUOTE = r"""["'‘’“”`]?"""
_WORDS = r"""[^"'‘’“”`]+?"""
_PATTERNS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"^\s*by\s+{_QUOTE}(?P<phrase>{_WORDS}){_QUOTE}\s+i\s+meant\s+{_QUOTE}(?P<target>[\w.]+){_QUOTE}",
        rf"^\s*{_QUOTE}(?P<phrase>{_WORDS}){_QUOTE}\s+(?:means|meant|should\s+be|should\s+map\s+to|refers\s+to)\s+{_QUOTE}(?P<target>[\w.]+){_QUOTE}",
        rf"^\s*{_QUOTE}(?P<phrase>{_WORDS}){_QUOTE}\s*(?:->|=>|=|:)\s*{_QUOTE}(?P<target>[\w.]+){_QUOTE}",
    )
)


def parse_correction(text: str | None) -> tuple[str, str] | None:
    """``(phrase, target)`` from a correction like ``by 'area' I meant customer__region``, else ``None``.

    >>> parse_correction("by 'area' I meant customer__region")
    ('area', 'customer__region')
    >>> parse_correction("'paying accounts' means active_customers")
    ('paying accounts', 'active_customers')
    >>> parse_correction("the numbers look off") is None
    True
    """
    if not text:
        return None
    for pattern in _PATTERNS:
        match = pattern.search(text.strip())
        if match:
            phrase = " ".join(match["phrase"].split()).lower()
            target = match["target"].rstrip(".")
            if phrase and target:
                return phrase, target
    return None
