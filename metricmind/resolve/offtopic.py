"""Questions that name a metric but ask something no metric measures (the last checks of a reading).

- a duration: "how many days do customers take to pay", "how long do trials last", when no metric read
  is about time taken;
- a change to how something looks: "make the touchpoints more blue", "turn revenue green";
- a ratio over a metric the catalog lacks: "return on ad spend", "yield on spend".

Each is refused with its reason: reading the metric alone would answer another question.
"""

from __future__ import annotations

import re

from metricmind.resolve.reading import _Pick, _ReadingBase

DURATION_UNITS = frozenset(
    "second seconds minute minutes hour hours day days week weeks month months year years".split()
)
"""Units a duration is counted in ("how many days …")."""
DURATION_NAME = re.compile(
    r"(?<![-\d] )(?<![-\d])(?<!per )(?<!all )(?<!on )\b(?:time|times|hours|minutes|seconds|days|weeks|duration|"
    r"durations|lead|latency|lag|tenure|age|cycle)\b(?!-)"
)
"""Words of a metric's name or label that make it a time taken ("First response time", "Courier hours",
"Average Lead Time (days)"); never a unit after a number or "per" ("trailing 7 days", "Stops per hour")
nor "on-time" (a share of parcels), "all time" or "time-decay" (a model)."""
DURATION_TEXT = re.compile(
    r"\b(?:seconds?|minutes?|hours?|days?|weeks?|months?|time)\s+(?:between|from|until|till|to|taken|spent)\b"
)
"""A unit followed by the events it runs between in a metric's description ("Days between booking and
arrival", "minutes until an agent first replies"); a day something is counted on ("counted on the day of
delivery") or a window ("within 30 days of") is no time taken."""
ELAPSED_AFTER = frozenset({"from", "between", "to", "until", "till", "taken"})
"""Words after "time" that make it the time between two events ("time from booking to delivery")."""
ELAPSED_BEFORE = frozenset({"avg", "average", "mean", "median", "typical", "elapsed"})
"""Words before "time" that make it a duration ("avg time")."""
LOOK_VERBS = frozenset({"make", "turn", "paint", "colour", "color", "recolor", "recolour"})
"""Verbs that ask to change how something looks ("make the chart blue")."""
LEADING = frozenset({"the", "a", "an", "our", "my", "this", "that", "these", "those", "all"})
RATIO_NOUNS = frozenset({"return", "returns", "roi", "yield", "payback"})
"""Nouns that make a ratio over the metric after "on" ("return on ad spend")."""


class _OffTopicReading(_ReadingBase):
    """Checks for a question that names a metric but asks something else of it."""

    def off_topic(self, picks: list[_Pick]) -> str | None:
        """Why the question asks what no metric read measures, or None."""
        metrics = [p for p in picks if p.kind == "metric"]
        if not metrics or not self.res.metrics:
            return None
        return self.duration_asked() or self.look_asked(metrics) or self.ratio_asked(metrics)

    def duration_asked(self) -> str | None:
        """'how many days …', 'how long …' when no metric read is about time taken."""
        toks = self.tokens
        for i in range(len(toks) - 2):
            if toks[i].norm != "how" or self.used[i + 1]:
                continue
            asked = toks[i + 1].norm == "long" or (
                toks[i + 1].norm == "many"
                and toks[i + 2].norm in DURATION_UNITS
                and (not self.used[i + 2] or self.read_as_metric(i + 2))
            )  # ("how many days does it take": a unit no metric's description word stands in for)
            if asked and not any(self.timed(m) for m in self.res.metrics):
                said = " ".join(t.text for t in toks[i : i + (2 if toks[i + 1].norm == "long" else 3)])
                return f"'{said}' asks how long something takes; no metric in the catalog measures that"
        for i, t in enumerate(toks):
            # "avg time from application to decision", "time to first attempt": the time between two events
            unit = t.norm in DURATION_UNITS  # "days between invoice issue and payment": a time taken too
            if (
                (t.norm != "time" and not unit)
                or self.used[i]
                or any(self.timed(m) for m in self.res.metrics)
            ):
                continue
            after = toks[i + 1].norm if i + 1 < len(toks) else ""
            before = toks[i - 1].norm if i > 0 else ""
            if (after in ELAPSED_AFTER and not (unit and after == "to")) or (
                not unit and before in ELAPSED_BEFORE
            ):
                said = " ".join(
                    x.text for x in toks[max(i - 1, 0) if before in ELAPSED_BEFORE else i : i + 2]
                )
                return f"'{said}' asks how long something takes; no metric in the catalog measures that"
        return None

    def read_as_metric(self, i: int) -> bool:
        """Whether word ``i`` is part of a metric's span (read from its description, say)."""
        start = self.tokens[i].start
        return any(s.start <= start < s.end for s in self.res.spans.get("metrics", []))

    def timed(self, metric: str) -> bool:
        """Whether ``metric`` measures a time taken (its label, else its name, or its description says so)."""
        m = self.r.model.metrics.get(metric)
        if m is None:
            return False
        named = (m.label or m.name.replace("_", " ")).lower()
        return bool(DURATION_NAME.search(named) or DURATION_TEXT.search((m.description or "").lower()))

    def look_asked(self, metrics: list[_Pick]) -> str | None:
        """'make the touchpoints more blue': a verb of changing before the metric, words nothing read after."""
        for p in metrics:
            j = p.first - 1
            while j >= 0 and self.tokens[j].norm in LEADING and not self.used[j]:
                j -= 1
            if j < 0 or self.used[j] or self.tokens[j].norm not in LOOK_VERBS:
                continue
            rest = range(p.last, len(self.tokens))
            if any(self.used[k] for k in rest):
                continue  # "make mrr by region": the words after the metric are read
            unknown = [
                k for k in rest if self.stems[k] not in self.lex.vocabulary and self.tokens[k].norm.isalpha()
            ]
            if unknown:
                said = " ".join(t.text for t in self.tokens[j : len(self.tokens)])
                return f"'{said}' asks to change how something looks, not a question about a metric"
        return None

    def ratio_asked(self, metrics: list[_Pick]) -> str | None:
        """'return on ad spend': a ratio noun joined by "on" to the metric, which the catalog lacks."""
        for p in metrics:
            j = p.first - 1
            if j < 1 or self.used[j] or self.tokens[j].norm != "on":
                continue
            k = j - 1
            if self.tokens[k].norm in RATIO_NOUNS:  # (read or not: "yield" is no word of spend)
                said = " ".join(t.text for t in self.tokens[k : p.last])
                return f"'{said}' is a ratio over a metric that no metric of the catalog computes"
        return None
