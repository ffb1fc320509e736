"""Passes for time and grain: ranges and comparisons, "by month", "per week" (the order pass, "top 5",
"biggest first", is ``orderreading``'s, below this one).
"""

from __future__ import annotations

import datetime as dt

from metricmind.resolve.orderreading import _OrderReading
from metricmind.resolve.resolution import Span
from metricmind.resolve.text import number, tokenize
from metricmind.resolve.timephrases import TimeHit, comparison_range
from metricmind.resolve.timespans import UNITS, shift, unit_start
from metricmind.resolve.words import (
    ASC_WORDS,
    DESC_WORDS,
    GRAIN_ADJ,
    GROUP_WORDS,
    GROWTH_WORDS,
    TREND_WORDS,
)
from metricmind.spec.names import METRIC_TIME

RATE_VERBS = frozenset(
    "worth pay pays paying paid spend spends spending cost costs costing earn earns bring brings".split()
)
"""Verbs of what something is worth or costs: a grain right after them is the rate ("worth per month")."""


POP_UNITS = {"wow": "week", "mom": "month", "qoq": "quarter", "dod": "day"}
"""The period-on-period abbreviations and the unit each compares."""


class _TimeOrderReading(_OrderReading):
    """The time and grain passes (the order pass is ``orderreading._OrderReading``)."""

    def read_time(self, hits: list[TimeHit]) -> None:
        res = self.res
        for h in hits:
            if h.kind == "future":
                self.span("time_range", h.first, h.last, "future")
                res.refuse(
                    f"'{self.text(h.first, h.last).text}' asks about the future; metricmind reports measured "
                    "values, it does not forecast",
                    [],
                )
                return
        ranges = [h for h in hits if h.kind == "range"]
        comps = [h for h in hits if h.kind == "comparison"]
        contrast = any(
            t.norm in ("compare", "compared", "comparing", "versus", "vs", "against") for t in self.tokens
        )
        if len(ranges) == 2 and not comps and contrast:
            # "compare Q1 and Q2 2026": the later one answered, the earlier one compared with
            comps = [TimeHit(ranges[0].first, ranges[0].last, "comparison", ranges[0].start, ranges[0].end)]
            ranges = ranges[1:]
        if len(ranges) == 1 and not comps:
            ranges = self.two_sides(ranges[0])
        if len(ranges) == 2 and not comps and self.change_between(ranges[0], ranges[1]):
            # "how did usage change from april to may": May, against the period before it
            comps = [TimeHit(ranges[0].first, ranges[0].last, "comparison", ranges[0].start, ranges[0].end)]
            ranges = ranges[1:]
        if len(ranges) == 2 and ranges[0].end == ranges[1].start:
            a, b = ranges
            joined = " ".join(t.norm for t in self.tokens[a.last : b.first])
            if joined in ("and", "to", "through", "thru", "until", "till"):
                # "2025 and 2026": one range covering both
                ranges = [TimeHit(a.first, b.last, "range", a.start, b.end, a.unit)]
                self.claim(a.first, b.last)
        if len(ranges) > 1:
            named = " and ".join(f"'{self.text(h.first, h.last).text}'" for h in ranges)
            res.refuse(
                f"the question names two time ranges ({named})",
                [{"kind": "hint", "name": "ask for one range, or compare them with 'vs'", "label": ""}],
            )
            return
        if ranges:
            h = ranges[0]
            assert h.start is not None and h.end is not None
            if h.start > res.as_of:
                # "new customers in q3 2025" asked on 18 June 2025: every day of the range is still to come
                self.span("time_range", h.first, h.last, "future")
                res.refuse(
                    f"'{self.text(h.first, h.last).text}' is after {res.as_of.isoformat()}: it asks about the "
                    "future; metricmind reports measured values, it does not forecast",
                    [],
                )
                return
            res.time_range = (h.start, h.end)
            res.time_unit = h.unit
            self.span("time_range", h.first, h.last, f"{h.start.isoformat()}..{h.end.isoformat()}")
        if comps:
            c = comps[0]
            if c.start is not None and c.end is not None:
                other = (c.start, c.end)
                if res.time_range is not None and other[0] >= res.time_range[1]:
                    # "2024 vs 2025": the later period is the answer, the earlier one the comparison
                    other, res.time_range = res.time_range, other
                if res.time_range is None:
                    res.comparison = "previous_period"
                else:
                    res.comparison = self.kind_of(other)
                    unit = res.time_unit or ""
                    to_date = unit in UNITS and res.time_range[1] == res.as_of + dt.timedelta(days=1)
                    if (
                        to_date
                        and c.unit == unit
                        and other
                        == comparison_range(
                            unit_start(res.time_range[0], unit),
                            shift(unit_start(res.time_range[0], unit), unit, 1),
                            "previous_period",
                            unit,
                        )
                    ):
                        # "this year compared to last year": the same days of the previous one
                        other = comparison_range(*res.time_range, "previous_period", unit)
                        res.comparison = "same_period_last_year" if unit == "year" else "previous_period"
                res.comparison_range = other
            else:
                res.comparison = c.comparison
                if res.time_range is None and not res.uses_time and c.unit in UNITS:
                    if self.same_unit(c) is not None:
                        unit = (
                            self.same_unit(c) or "year"
                        )  # "the same quarter last year": this quarter to date
                    elif c.comparison == "same_period_last_year" or c.unit == "year":
                        unit = "year"
                    else:
                        unit = c.unit or "month"
                    res.time_range = (unit_start(res.as_of, unit), res.as_of + dt.timedelta(days=1))
                    res.time_unit = unit
                elif res.time_range is None and not res.uses_time and self.tokens[c.first].norm in POP_UNITS:
                    # "applications wow", no period named: the last whole week on the one before (a guess)
                    unit = POP_UNITS[self.tokens[c.first].norm]
                    end = unit_start(res.as_of, unit)
                    res.time_range, res.time_unit = (shift(end, unit, -1), end), unit
                    res.confidence -= 0.25
                    res.notes.append(f"no period named: the last whole {unit} on the one before")
            self.span("comparison", c.first, c.last, res.comparison or "")
            if res.time_range is None and res.comparison_range is not None:
                # "MRR vs last month": the current period to date against the one named
                unit = c.unit or "month"
                res.time_range = (unit_start(res.as_of, unit), res.as_of + dt.timedelta(days=1))
                res.time_unit = unit
                res.comparison_range = comparison_range(*res.time_range, "previous_period", unit)
                if c.unit == "year" and unit_start(res.as_of, "year") != unit_start(
                    c.start or res.as_of, "year"
                ):
                    res.comparison = "same_period_last_year"
        elif (res.time_range is not None and not res.uses_time) or (res.uses_time and res.comparison is None):
            # "how did MRR grow last quarter": that period on the one before
            growth = [
                i
                for i, t in enumerate(self.tokens)
                if not self.used[i]
                and t.stem in GROWTH_WORDS
                and not (res.uses_time and t.norm.startswith("mov"))
            ]  # ("how trials moved week by week": each period's level, the trend; "climbing" compares)
            if growth and res.uses_time:
                # "how fast is ARR climbing each month this year": the monthly series shows the climb, each
                # period beside the one before; no period is compared with another ("month over month" is)
                self.claim(growth[0], growth[0] + 1)
                res.notes.append("growth read as the trend over the periods asked")
            elif growth:
                res.comparison = "previous_period"
                self.claim(growth[0], growth[0] + 1)
                self.span("comparison", growth[0], growth[0] + 1, "previous_period", "growth word")
        elif res.time_range is None and not res.uses_time:
            # "how fast is MRR growing", no period named: the monthly trend, each month on the one before
            growth = [
                i
                for i, t in enumerate(self.tokens)
                if not self.used[i] and t.stem in GROWTH_WORDS and not t.norm.startswith("mov")
            ]  # ("accounts that move to a cheaper plan": a move between values, no growth)
            if growth and self.order_word is not None:
                # "which plan increased MRR the most": a ranking of change the catalog reads as one of level
                self.claim(growth[0], growth[0] + 1)
                res.confidence -= 0.25
                res.notes.append("ranked by the level, not by its change: no period named to compare")
            elif growth:
                res.group_by.append((METRIC_TIME, "month"))
                self.claim(growth[0], growth[0] + 1)
                self.span("group_by", growth[0], growth[0] + 1, f"{METRIC_TIME}__month", "growth word")
                res.notes.append("no period named: growth read as the monthly trend")

    def two_sides(self, h: TimeHit) -> list[TimeHit]:
        """A range of exactly two periods said as its ends ("from april to may") split into the two, when a
        growth word asks how something changed between them; ``[h]`` otherwise.
        """
        unit = h.unit
        if unit is None or unit not in UNITS or h.start is None or h.end is None:
            return [h]
        mid = shift(h.start, unit, 1)
        if shift(mid, unit, 1) != h.end:
            return [h]
        joins = [k for k in range(h.first + 1, h.last - 1) if self.tokens[k].norm in ("to", "and")]
        if len(joins) != 1:
            return [h]
        k = joins[0]
        a = TimeHit(h.first, k, "range", h.start, mid, unit)
        b = TimeHit(k + 1, h.last, "range", mid, h.end, unit)
        return [a, b] if self.change_between(a, b) else [h]

    def change_between(self, a: TimeHit, b: TimeHit) -> bool:
        """Whether two back-to-back periods of one unit joined by "to" or "and" ("from april to may", "between
        q4 and q1") are the two sides of a change a growth word asks about ("how did … change"), not one range.
        """
        if a.end != b.start or a.unit is None or a.unit != b.unit or a.unit not in UNITS:
            return False
        if " ".join(t.norm for t in self.tokens[a.last : b.first]) not in ("to", "and"):
            return False
        return any(not self.used[i] and t.stem in GROWTH_WORDS for i, t in enumerate(self.tokens))

    def kind_of(self, named: tuple[dt.date, dt.date]) -> str:
        rng = self.res.time_range
        assert rng is not None
        if named == comparison_range(*rng, "same_period_last_year"):
            return "same_period_last_year"
        return "previous_period"

    def custom_grains(self) -> set[str]:
        """The time spine's custom granularities (``fiscal_quarter``)."""
        spine = self.r.model.time_spine
        return {name for name, _ in spine.custom_granularities} if spine else set()

    def names_a_thing(self, i: int) -> bool:
        """Whether the grain adjective at ``i`` is part of a thing's name ("our monthly newsletter", "the weekly
        digest"): after "our"/"the", before a word that names a value and no metric.
        """
        if (
            i == 0
            or i + 1 >= len(self.tokens)
            or self.tokens[i - 1].norm not in ("our", "the", "their", "my")
        ):
            return False
        kinds = {e.kind for e in self.lex.lookup((self.stems[i + 1],))}
        metric = any(
            e.kind == "metric"
            for n in range(1, 5)
            for e in self.lex.lookup(tuple(self.stems[i + 1 : i + 1 + n]))
        )
        return "value" in kinds and not metric

    def read_grain_and_order(self, hits: list[TimeHit]) -> None:
        res = self.res
        toks = self.tokens
        grain: tuple[str, int] | None = None
        for i, t in enumerate(toks):
            if self.used[i]:
                continue
            w = t.norm
            unit = GRAIN_ADJ.get(w) or (t.stem if t.stem in UNITS else None)
            if unit is None:
                continue
            if w in GRAIN_ADJ and self.names_a_thing(i):
                self.claim(i, i + 1)  # "our monthly newsletter": which newsletter, not a breakdown by month
                continue
            if w in GRAIN_ADJ:
                grain = grain or (unit, i)
                self.claim(i, i + 1)
                continue
            j = self.prev_word(i)
            before = toks[j].norm if j >= 0 else ""
            after = toks[i + 1].norm if i + 1 < len(toks) else ""
            custom = f"{before}_{unit}"
            if before and custom in self.custom_grains() and not self.used[j]:
                # "by fiscal quarter": a custom granularity of the time spine
                grain = grain or (custom, j)
                self.claim(j, i + 1)
                self.group_idx.append(i)
                continue
            if (
                before in GROUP_WORDS | DESC_WORDS | ASC_WORDS | {"a", "every"}
                or after == "by"
                or (number(before) is not None)
            ):
                grain = grain or (unit, i)
                self.claim(i, i + 1)
                self.group_idx.append(i)
                if after == "by" and i + 2 < len(toks) and toks[i + 2].stem == t.stem:
                    self.claim(i + 1, i + 3)
        trend = [i for i, t in enumerate(toks) if not self.used[i] and t.norm in TREND_WORDS]
        over_time = [
            i
            for i in range(len(toks) - 1)
            if toks[i].norm == "over" and toks[i + 1].norm == "time" and not self.used[i]
        ]
        if grain is None and (trend or over_time):
            k = (trend or over_time)[0]
            # "trend over the last 4 quarters": the range's own unit, months for years or no range
            units = [
                h.unit for h in hits if h.kind == "range" and h.unit in ("day", "week", "month", "quarter")
            ]
            grain = (units[0] if units else "month", k)
        for k in trend:
            self.claim(k, k + 1)
        for k in over_time:
            self.claim(k, k + 2)
        if grain is None:
            grain = self.each_of_range(hits)
        if grain is None:
            for h in hits:
                if (
                    h.kind == "comparison"
                    and h.start is None
                    and h.unit in UNITS
                    and self.same_unit(h) is None  # "the same quarter last year": one quarter, compared
                    and all(x.kind != "range" or self.spans_several(x, h.unit or "") for x in hits)
                ):
                    grain = (h.unit or "month", h.first)
        if grain is not None:
            res.group_by.append((METRIC_TIME, grain[0]))
            self.span("group_by", grain[1], grain[1] + 1, f"{METRIC_TIME}__{grain[0]}", "grain")
        self.read_order()

    def each_of_range(self, hits: list[TimeHit]) -> tuple[str, int] | None:
        """A range of several units said as "each of" / "every one of" them ("churned MRR in each of the
        last six months"): one row per unit, the range's own grain.
        """
        for h in hits:
            if h.kind != "range" or h.unit not in UNITS or not self.spans_several(h, h.unit or ""):
                continue
            j = h.first - 1
            while j >= 0 and self.tokens[j].norm in ("the", "those", "these"):
                j -= 1
            if j >= 1 and self.tokens[j].norm == "of" and self.tokens[j - 1].norm in ("each", "every", "one"):
                k = j - 1 if self.tokens[j - 1].norm != "one" else j - 2
                if k >= 0 and self.tokens[k].norm in ("each", "every"):
                    self.claim(k, j + 1)
                    return (h.unit or "month", h.last - 1)
        return None

    def grain_of_rate(self) -> None:
        """A grain said of what something is worth or costs ("what's an average account worth to us per
        month", "what does each customer pay a month"): the rate the one metric read is already kept in (its
        own words say monthly: ARPA is MRR per account), not a breakdown by month. The verb is read with it.
        """
        res = self.res
        grains = [g for g in res.spans.get("group_by", []) if g.how == "grain"]
        if len(res.metrics) != 1 or len(grains) != 1 or len(res.group_by) != 1:
            return
        g = grains[0]
        i = self.token_at.get(g.start)
        if i is None or i < 2 or self.tokens[i - 1].norm not in ("per", "a", "each", "every"):
            return
        j = i - 2
        while j >= 0 and self.tokens[j].norm in ("to", "for", "us", "me", "them", "on", "average"):
            j -= 1
        unit = res.group_by[0][1] or ""
        if j < 0 or self.tokens[j].norm not in RATE_VERBS or not self.kept_per(res.metrics[0], unit):
            return
        res.group_by = []
        res.spans["group_by"] = []
        self.used[j] = True
        res.spans["metrics"] = [
            *res.spans.get("metrics", []),
            Span(g.text, g.start, g.end, res.metrics[0], "rate"),
        ]

    def kept_per(self, metric: str, unit: str) -> bool:
        """Whether a metric's own words, or those of a one-word metric named in them ("Average MRR per
        paying customer": MRR, "Monthly recurring revenue"), say it is kept per ``unit`` (monthly).
        """
        said = {unit, *(adj for adj, u in GRAIN_ADJ.items() if u == unit)}
        models = self.r.model.metrics
        seen: set[str] = set()
        todo = [metric]
        while todo:
            m = todo.pop()
            if m in seen or m not in models:
                continue
            seen.add(m)
            meta = models[m].meta
            syn = meta.get("synonyms")
            text = " ".join(
                [models[m].label or "", models[m].description or "", str(meta.get("definition") or "")]
                + ([str(x) for x in syn] if isinstance(syn, list) else [])
            )
            words = {t.norm for t in tokenize(text)}
            if words & said:
                return True
            todo.extend(w for w in words if w in models and "_" not in w)
        return False

    def same_unit(self, h: TimeHit) -> str | None:
        """The unit a comparison names after "same" ("the same quarter last year" → quarter), if any."""
        words = [t.stem for t in self.tokens[h.first : h.last]]
        for a, b in zip(words, words[1:], strict=False):
            if a == "same" and b in UNITS:
                return str(b)
        return None

    def spans_several(self, h: TimeHit, unit: str) -> bool:
        """Whether a range holds several ``unit``s ("month over month this year": by month)."""
        if h.start is None or h.end is None or unit not in UNITS:
            return False
        return shift(unit_start(h.start, unit), unit, 1) < h.end
