"""Values that are numbers, said after their dimension's noun: "win rate on level 1 vs level 2", "tickets at tier
3", "attempts on stage 4".

A number is no value on its own (it is an amount, a year, a limit), but right after a word that names a
dimension whose values hold that number (the warehouse's values of ``level_number`` are "1", "2", …) it is that
value. Several of one dimension set against each other ("level 1 vs level 2", "level 1 or 2") are read as the
other values are: filtered to them and grouped by the dimension; one alone is a filter, and the noun is no
breakdown.
"""

from __future__ import annotations

from metricmind.resolve.phrasings import VS_WORDS
from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.resolution import Filter

SIDE_WORDS = frozenset({*VS_WORDS, "or", "and", "v"})
"""Words that list or set numbered values side by side ("level 1 vs level 2", "levels 1 and 2")."""


class _NumberedReading(_ReadingBase):
    """The pass reading "<dimension noun> <number>" as the dimension's value."""

    def numbered_values(self) -> None:
        """Read "<dimension noun> <number>" as the dimension's value (see the module)."""
        res = self.res
        if not res.answerable or not res.metrics:
            return
        found: dict[str, list[tuple[int, int, str]]] = {}
        dim: tuple[str, int] | None = None
        for k, t in enumerate(self.tokens):
            if not t.norm.isdigit() or self.used[k] or k == 0:
                if not (t.norm in SIDE_WORDS and dim is not None):
                    dim = self.numbered_dimension(k) if k + 1 < len(self.tokens) else None
                continue
            if dim is None or t.norm not in self.lex.dims[dim[0]].values:
                dim = None
                continue
            found.setdefault(dim[0], []).append(
                (dim[1] if self.tokens[k - 1].norm not in SIDE_WORDS else k - 1, k, t.norm)
            )
        for name, said in found.items():
            if any(f.field == name for f in res.filters):
                continue
            values = tuple(dict.fromkeys(v for _, _, v in said))
            for start, k, _ in said:
                self.claim(start, k + 1)  # the number and its noun or the side word before it
            first, last = said[0][0], said[-1][1] + 1
            res.filters.append(Filter(name, "=" if len(values) == 1 else "in", values))
            self.span("filters", first, last, f"{name}={','.join(values)}", "numbered value")
            grouped = [g for g in res.spans.get("group_by", []) if g.target == name]
            if len(values) == 1:
                res.group_by = [g for g in res.group_by if g[0] != name]
                res.spans["group_by"] = [g for g in res.spans.get("group_by", []) if g.target != name]
            elif not grouped and name not in [g[0] for g in res.group_by]:
                res.group_by.append((name, None))  # ("level 1 vs level 2": side by side)

    def numbered_dimension(self, k: int) -> tuple[str, int] | None:
        """The dimension the words ending at ``k`` name ("level", "term months") and where they begin, when
        every metric reaches it and its values are numbers.
        """
        for first in (k - 1, k):
            if first < 0 or any(t.norm.isdigit() for t in self.tokens[first : k + 1]):
                continue
            key = tuple(self.stems[first : k + 1])
            dims = {e.target for e in self.lex.lookup(key) if e.kind == "dimension"}
            dims = {
                d for d in dims if d in self.lex.dims and any(v.isdigit() for v in self.lex.dims[d].values)
            }
            if len(dims) == 1:
                name = dims.pop()
                return (name, first) if all(self.r.reachable(m, name) for m in self.res.metrics) else None
        return None
