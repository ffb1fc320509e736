"""A yes/no dimension's words read as a second metric beside the one asked: "collections for late payments"
(``late_payments`` counts the payments whose ``is_late`` is true), "gross revenue, refunded only" (``refunds``),
"avg stars for completed attempts" (``levels_completed``), "avg order value for gift orders".

When the words of one metric of several are a yes/no dimension's own words (its name less ``is_``/``has_``…, with
its entity's noun or not), said where a condition stands (after "for", "from", "among", "on", "of", a marking
verb, or before "only"), and every other metric reaches the dimension, they say which rows of the other metric
are meant: the flag's ``true`` (its ``false`` after "non", "not", "excluding", "without"). Read from the catalog's
names; the cue words are closed-class English.
"""

from __future__ import annotations

from metricmind.resolve.flagcues import MARK_VERBS, ONLY
from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.resolution import Filter, Span
from metricmind.resolve.text import stems
from metricmind.spec.names import SEP

CONDITION = frozenset({"for", "from", "among", "amongst", "on", "of", "with", "as"} | MARK_VERBS)
"""Words after which a flag's words say which rows are meant."""
NEGATING = frozenset({"non", "not", "excluding", "except", "without", "un"})
"""Words before a flag's words that say its other side."""


class _FlagMetricReading(_ReadingBase):
    """The pass reading a flag's words, taken for a second metric, as the flag."""

    def flag_said_as_metric(self) -> None:
        """Turn a metric read from a yes/no dimension's words into that dimension's filter (see the module)."""
        res = self.res
        if len(res.metrics) < 2 or not res.answerable:
            return
        for s in list(res.spans.get("metrics", [])):
            first = self.token_at.get(s.start)
            if first is None or s.target not in res.metrics or len(res.metrics) < 2:
                continue
            last = first
            while last < len(self.tokens) and self.tokens[last].end <= s.end:
                last += 1
            rest = [m for m in res.metrics if m != s.target]
            flag = self.flag_of(set(self.stems[first:last]), rest)
            if flag is None or not self.conditioned(first, last):
                continue
            j = self.prev_word(first)
            value = "false" if j >= 0 and self.tokens[j].norm in NEGATING else "true"
            res.metrics = rest
            res.spans["metrics"] = [x for x in res.spans["metrics"] if x is not s]
            res.filters = [f for f in res.filters if f.field != flag]
            res.filters.append(Filter(flag, "=", (value,)))
            res.span("filters", Span(s.text, s.start, s.end, f"{flag}={value}", "flag's words"))
            res.notes.append(f"read '{s.text}' as {flag} = {value}, not the metric {s.target}")

    def flag_of(self, said: set[str], metrics: list[str]) -> str | None:
        """The one yes/no dimension every metric of ``metrics`` reaches whose words ``said`` holds, and nothing
        else than them and its entity's noun.
        """
        found: list[str] = []
        for name in sorted(self.r.yes_no):
            entity, column = name.split(SEP, 1)
            words = column.split("_", 1)[1] if column.startswith(("is_", "has_", "was_", "had_")) else column
            own = set(stems(words.replace("_", " ")))
            if not own or not (said & own) or not said <= own | set(stems(entity.replace("_", " "))):
                continue
            if all(self.r.reachable(m, name) for m in metrics):
                found.append(name)
        return found[0] if len(found) == 1 else None

    def conditioned(self, first: int, last: int) -> bool:
        """Whether the words ``first``..``last`` stand where a condition does: after a condition word (or a
        negating one), or before "only".
        """
        j = self.prev_word(first)
        if j >= 0 and (self.tokens[j].norm in CONDITION or self.tokens[j].norm in NEGATING):
            return True
        return last < len(self.tokens) and self.tokens[last].norm in ONLY
