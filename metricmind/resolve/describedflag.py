"""A yes/no dimension named by its description: "lesson views from company seat learners only".

A data team writes what a yes/no dimension means ("Yes when the learner sits on a company account's seat"
for ``learner__is_b2b``); people say it in those words ("company seat learners") rather than its label ("B2B
learner"). Read word by word, "company" becomes a breakdown by company and the question is refused. A run
of two or more words in one clause, unread or read only as a breakdown no "by" asked for, whose content
words all stand in the description of one yes/no dimension every metric reaches (two of them at least,
besides its entity's own noun), is that dimension's ``true``; the breakdowns read from those words are
dropped. Read from each project's catalog, no project's words.
"""

from __future__ import annotations

import re

from metricmind.resolve.describe import key
from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.resolution import Filter
from metricmind.resolve.words import GRAMMAR
from metricmind.spec.names import SEP

_WORD = re.compile(r"[^\W_]+")
RUN = 4
"""The most words of one such run."""
NEGATIONS = frozenset({"not", "non", "no", "without", "excluding", "except"})
_PROSE = frozenset(
    "yes true false when whether the and that who which with has have had its their sits only one".split()
)


def _said(word: str) -> bool:
    """Whether ``word`` can carry a dimension's meaning (nouns such as "company" included)."""
    return word.isalpha() and len(word) >= 3 and word not in GRAMMAR and word not in _PROSE


class _DescribedFlagReading(_ReadingBase):
    """The pass over a yes/no dimension said in its description's words."""

    def flag_descriptions(self) -> dict[str, set[str]]:
        """Every yes/no dimension every metric reaches → the coarse keys of its description's words."""
        out: dict[str, set[str]] = {}
        for name, info in self.lex.dims.items():
            if not info.values or not set(info.values) <= {"true", "false"}:
                continue
            if not all(self.r.reachable(m, name) for m in self.res.metrics):
                continue
            sm = self.r.model.semantic_models.get(info.model)
            dim = sm.dimension(name.rsplit(SEP, 1)[-1]) if sm else None
            if dim is None or not dim.description:
                continue
            out[name] = {key(w) for w in _WORD.findall(dim.description.lower()) if _said(w)}
        return out

    def read_described_flag(self) -> None:
        """Read a run of description words as a yes/no dimension's ``true`` (see the module)."""
        res = self.res
        if not res.answerable or not res.metrics:
            return
        grouped = {g for g, _ in res.group_by}  # ("direct debit vs not": both sides, already a breakdown)
        flags = {
            n: w
            for n, w in self.flag_descriptions().items()
            if not any(f.field == n for f in res.filters) and n not in grouped
        }
        if not flags:
            return
        asked = {
            s.target for s in res.spans.get("group_by", []) if self.in_group_context(self.token_of(s.start))
        }
        free = [not self.used[i] or self.grouped_only(i, asked) for i in range(len(self.tokens))]
        best: tuple[int, int, int, str] | None = None
        for first in range(len(self.tokens)):
            for last in range(first + 2, min(len(self.tokens), first + RUN) + 1):
                if not all(free[first:last]) or any(self.broken_at(k) for k in range(first, last - 1)):
                    continue
                if first > 0 and self.tokens[first - 1].norm in NEGATIONS:
                    continue
                words = [t.norm for t in self.tokens[first:last] if _said(t.norm)]
                for name, keys in flags.items():
                    entity = key(name.split(SEP, 1)[0])
                    said = [key(w) for w in words if key(w) != entity]
                    if len(said) >= 2 and all(k in keys for k in said):
                        found = (len(said), -(last - first), first, name)
                        if best is None or found[:2] > best[:2]:
                            best = found
        if best is not None:
            n, size, first, name = best
            self.take_flag(first, first - size, name)

    def token_of(self, start: int) -> int:
        return next((t.index for t in self.tokens if t.start == start), 0)

    def grouped_only(self, i: int, asked: set[str]) -> bool:
        """Whether the word at ``i`` was read only as a breakdown no group word asked for."""
        t = self.tokens[i]
        spans = [s for part, ss in self.res.spans.items() for s in ss if s.start <= t.start < s.end]
        return bool(spans) and all(
            s in self.res.spans.get("group_by", []) and s.target not in asked for s in spans
        )

    def broken_at(self, k: int) -> bool:
        gap = self.res.question[self.tokens[k].end : self.tokens[k + 1].start]
        return any(c in gap for c in ",;:!?()") or " - " in gap

    def take_flag(self, first: int, last: int, name: str) -> None:
        res = self.res
        lo, hi = self.tokens[first].start, self.tokens[last - 1].end
        gone = [s for s in res.spans.get("group_by", []) if lo <= s.start and s.end <= hi]
        res.spans["group_by"] = [s for s in res.spans.get("group_by", []) if s not in gone]
        for target in {s.target for s in gone}:
            if not any(s.target == target for s in res.spans["group_by"]):
                res.group_by = [g for g in res.group_by if g[0] != target]
        res.filters.append(Filter(name, "=", ("true",)))
        self.claim(first, last)
        self.span("filters", first, last, f"{name}=true", "description")
        res.confidence -= 0.1
        res.notes.append(f"read '{self.text(first, last).text}' as {name} = true, by its description")
