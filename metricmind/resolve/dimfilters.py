"""Breakdowns and filters of a reading: dimensions named, values kept or left out, values set side by side."""

from __future__ import annotations

from metricmind.resolve.entities import one_value
from metricmind.resolve.exclusion import (
    continues_list,
    stray_cue,
    weak_cue,
)
from metricmind.resolve.leftovers import _LeftoverReading
from metricmind.resolve.lexicon import GROUP_SEP
from metricmind.resolve.phrasings import VS_WORDS, WHICH_MORE
from metricmind.resolve.reading import _Pick
from metricmind.resolve.resolution import Filter, Span
from metricmind.resolve.text import FILLERS, stems
from metricmind.resolve.wholevalue import whole_values
from metricmind.resolve.words import (
    CONTRAST,
    CONTRAST_PAIRS,
)
from metricmind.spec.names import METRIC_TIME, SEP

STRAY_CUE_PENALTY = 0.3
"""An exclusion word whose scope was not traced to a value kept: answered below 0.8, or asked back."""


class _FilterReading(_LeftoverReading):
    """The passes for dimensions and filters."""

    # -- time, grain, order --------------------------------------------------------------------
    # -- dimensions and filters ----------------------------------------------------------------
    def read_dimensions(self, picks: list[_Pick]) -> None:
        res = self.res
        value_dims = {e.target.split("=", 1)[0]: p for p in picks if p.kind == "value" for e in p.entries}
        for p in picks:
            if p.kind != "dimension":
                continue
            if any(e.target in value_dims for e in p.entries) and not self.in_group_context(p.first):
                continue  # "the EMEA region": the value filters, the dimension only names it
            j = self.prev_word(p.first, frozenset())
            if j >= 0 and self.tokens[j].norm == "all":
                self.claim(p.first, p.last)
                continue  # "all industries but education": the dimension only frames the exclusion
            if self.entity_after_value(p):
                self.claim(p.first, p.last)
                continue  # "Aussie companies", "enterprise accounts": who, not a breakdown by name
            name, why = self.choose(p.entries)
            if name is None:
                assert why is not None
                res.refuse(why, self.dims_for_metrics(self.text(p.first, p.last).text))
                return
            if p.fuzzy:
                res.confidence -= 0.1
            self.drop_owner_before(p, name)  # "by course level": the course's level, one breakdown
            if name not in [n for n, _ in res.group_by]:
                res.group_by.append((name, None))
                self.group_idx.append(p.last - 1)
                self.span(
                    "group_by",
                    p.first,
                    p.last,
                    name,
                    "typo" if p.fuzzy else min(e.rank for e in p.entries) >= 5 and "head" or "",
                )

    def drop_owner_before(self, p: _Pick, name: str) -> None:
        """A breakdown right before ``p`` whose word is only a noun of the entity that ``name`` is a dimension
        of ("by course level", "by hotel brand", "by account region"): the entity says whose attribute it is,
        so it is no breakdown of its own (never across "and" or a comma: "by course and level" is two).
        """
        entity = name.split("__", 1)[0]
        if "__" not in name or p.first < 1 or self.set_apart(p.first - 1, p.first):
            return
        # the dimension the entity's own noun reads as: its name ("hotel brand": the property's name, then brand)
        named = {e.target for e in self.lex.lookup((entity,)) if e.kind == "dimension"}
        named |= {d for d in self.lex.dims if d.startswith(entity + "__") and d.endswith(("name", "title"))}
        at = self.tokens[p.first - 1].start
        before = [s for s in self.res.spans.get("group_by", []) if s.start == at and s.target in named]
        if len(before) != 1 or before[0].target == name:
            return
        self.res.group_by = [g for g in self.res.group_by if g[0] != before[0].target]
        self.res.spans["group_by"] = [s for s in self.res.spans["group_by"] if s is not before[0]]
        self.group_idx = [k for k in self.group_idx if k != p.first - 1]

    def read_origin(self) -> None:
        """Questions like "where do our new customers come from?": grouped by their source dimension."""
        norms = [t.norm for t in self.tokens]
        if "where" not in norms or "from" not in norms or any(n != METRIC_TIME for n, _ in self.res.group_by):
            return
        if norms.index("from") < norms.index("where"):
            return  # SQL's "select count(*) from sessions where …": a table and a condition, no origin asked
        entries = [e for e in self.lex.lookup(("source",)) if e.kind == "dimension"]
        name, _ = self.choose(entries) if entries else (None, None)
        if name is not None:
            i = norms.index("where")
            self.claim(i, i + 1)
            self.claim(norms.index("from"), norms.index("from") + 1)
            self.res.group_by.append((name, None))
            self.span("group_by", i, i + 1, name, "where from")

    def read_filters(self, picks: list[_Pick]) -> None:
        res = self.res
        chosen: dict[tuple[str, bool], list[str]] = {}
        said: dict[tuple[str, bool], int] = {}  # values named one by one (a group is one)
        firsts: dict[tuple[str, bool], int] = {}  # where each list of values begins
        prev: tuple[int, str, bool] | None = None
        for p in picks:
            if p.kind != "value":
                continue
            words = tuple(self.stems[p.first : p.last])
            name, why = self.choose(whole_values(self.agreeing(p, picks), words))  # ("antwerpen": the city)
            if name is None:
                name, why = self.choose(self.agreeing(p, picks))
            if name is None and p.last - p.first == 1 and self.prefix_of_values(p.last):
                self.used[p.first] = False  # "paid channels": read below as the values "paid" begins
                continue
            if name is None:
                assert why is not None
                res.refuse(why, self.dims_for_metrics(self.text(p.first, p.last).text))
                return
            value = next(e.target.split("=", 1)[1] for e in p.entries if e.target.split("=", 1)[0] == name)
            if self.restates(p):
                continue  # "paid invoice revenue", "without anything paid by card": the metric says it already
            negated = self.negated(p.first, p.last)
            if negated and self.other_metric_meant(p):
                continue  # "the total, not the new ones": which metric is meant, no filter
            if any(
                s.how in ("paid", "conversion") and s.start == self.tokens[p.first].start
                for s in res.spans.get("metrics", [])
            ):
                continue  # "customers paying us over 20k monthly": the verb names what they pay (MRR); a
                # conversion's event ("% of trialists ended up paying"): the rate's own rows, no value
            weak = None if negated else weak_cue(self.tokens, p.first, p.last)
            if weak is not None and self.polarity is None:
                self.polarity = (p.first, p.last, *weak)
            if (
                not negated
                and prev is not None
                and prev[1] == name
                and continues_list(self.tokens, prev[0], p.first)
            ):
                negated = prev[2]  # "w/o LATAM and APAC": the exclusion runs over the list
            stray = None if negated else stray_cue(self.tokens, p.first, self.used)
            if stray is not None:
                res.confidence -= STRAY_CUE_PENALTY  # the worst error is reading an exclusion as a filter
                res.notes.append(
                    f"'{self.tokens[stray].text}' may leave out '{self.text(p.first, p.last).text}'; read as kept"
                )
            members = value.split(GROUP_SEP)
            left = chosen.get((name, True), [])
            if (
                prev is not None
                and prev[1] == name
                and prev[2]
                and prev[0] == p.first
                and len(members) > 1
                and left
                and left[-1] in members
                and self.prefixed_non(p.first)
            ):
                # "non-apple phones": the phones that are not Apple's, the group without the member
                chosen[(name, True)] = left[:-1]
                kept = chosen.setdefault((name, False), [])
                kept.extend(v for v in members if v != left[-1] and v not in kept)
                said[(name, False)] = said.get((name, False), 0) + 1
                firsts.setdefault((name, False), p.first)
                self.span("filters", p.first, p.last, f"{name}={value}", "narrowed")
                prev = (p.last, name, False)
                continue
            if (
                prev is not None
                and prev[1] == name
                and prev[2] == negated
                and prev[0] == p.first
                and len(members) > 1
                and set(chosen.get((name, negated), [])[-1:]) <= set(members)
                and chosen.get((name, negated))
            ):
                # "android phones": a member said right before its group narrows it to that member
                self.span("filters", p.first, p.last, f"{name}{'!=' if negated else '='}{value}", "narrowed")
                prev = (p.last, name, negated)
                continue
            prev = (p.last, name, negated)
            values = chosen.setdefault((name, negated), [])
            said[(name, negated)] = said.get((name, negated), 0) + 1
            if said[(name, negated)] == 1:
                firsts[(name, negated)] = p.first
            for v in value.split(GROUP_SEP):  # a group of values ("mobile apps" → ios, android)
                if v not in values:
                    values.append(v)
            self.span("filters", p.first, p.last, f"{name}{'!=' if negated else '='}{value}")
        if self.polarity is not None:
            first, last, a, b = self.polarity
            res.refuse(
                f"unclear whether '{self.text(first, last).text}' is left out or kept "
                f"('{self.text(a, b).text}'): say 'excluding' or 'only'",
                [],
            )
            return
        norms = [t.norm for t in self.tokens]
        contrast = (
            any(n in CONTRAST for n in norms)
            or any(pair in CONTRAST_PAIRS for pair in zip(norms, norms[1:], strict=False))
            or ("or" in norms and any(n in WHICH_MORE for n in norms))
        )
        for (name, negated), values in chosen.items():
            if not values:
                continue
            side_by_side = (
                (contrast or self.bare_list(firsts[(name, negated)]))
                and not negated
                and said[(name, negated)] > 1
            )
            if side_by_side:
                for t in self.tokens:  # ("SMB or Enterprise: which churns at a higher rate": the contrast)
                    if t.norm in WHICH_MORE and not self.used[t.index]:
                        self.used[t.index] = True
                for k, pair in enumerate(zip(norms, norms[1:], strict=False)):
                    if pair in CONTRAST_PAIRS:  # ("how does EMEA stack up against APAC")
                        self.claim(k, k + 2)
            if side_by_side and name not in [n for n, _ in res.group_by]:
                res.group_by.append((name, None))  # "EMEA vs NA": side by side
                info = self.lex.dims.get(name)
                if info is not None and set(info.values) == {"true", "false"} <= set(values):
                    continue  # "verified vs unverified": both sides of a yes/no are all its rows
            if negated:
                res.filters.append(
                    Filter(name, "!=", (values[0],))
                    if len(values) == 1
                    else Filter(name, "not in", tuple(values))
                )
            elif len(values) == 1:
                res.filters.append(Filter(name, "=", (values[0],)))
            else:
                res.filters.append(Filter(name, "in", tuple(values)))

    def other_metric_meant(self, p: _Pick) -> bool:
        """Whether the value at ``p``, left out and followed by "ones" ("not the new ones"), with an entity
        noun of the question names a metric not read ("new customers"): it says which count is not meant.
        """
        if p.last >= len(self.tokens) or self.tokens[p.last].norm not in ("ones", "one"):
            return False
        said = " ".join(t.norm for t in self.tokens[p.first : p.last])
        nouns = {t.norm for t in self.tokens if t.stem in self.r.texts.entity_words}
        for noun in nouns:
            named = {e.target for e in self.lex.lookup(stems(f"{said} {noun}")) if e.kind == "metric"}
            if named and not named & set(self.res.metrics):
                self.used[p.last] = True
                self.span("aside", p.first, p.last + 1, sorted(named)[0], "not meant")
                return True
        return False

    def prefixed_non(self, group_first: int) -> bool:
        """Whether the value right before the group starting at ``group_first`` is said with a "non-" prefix
        ("non-apple phones", "non ios devices"), the word before it being "non".
        """
        k = group_first - 1
        while k > 0 and self.tokens[k - 1].norm not in ("non", "not") and group_first - k < 3:
            k -= 1
        return k > 0 and self.tokens[k - 1].norm == "non"

    def yes_no_sides(self) -> None:
        """A yes/no dimension set against its other side ("autopay vs not on autopay", "first loans vs
        repeat loans", "repeat vs first-time buyers"): both sides are all its rows, so the answer is grouped
        by it, unfiltered; the other side's words (one or two, not read as anything) are read with it.
        """
        res = self.res
        for s in list(res.spans.get("filters", [])):
            name = s.target.split("=", 1)[0].rstrip("!")
            info = self.lex.dims.get(name)
            at = [t.index for t in self.tokens if s.start <= t.start < s.end]
            if info is None or set(info.values) != {"true", "false"} or not at:
                continue
            side = self.other_side(at[0], at[-1])
            if side is None:
                continue
            for k in side:
                self.used[k] = True
            res.filters = [f for f in res.filters if f.field != name]
            res.spans["filters"] = [x for x in res.spans.get("filters", []) if not x.target.startswith(name)]
            if name not in [n for n, _ in res.group_by]:
                res.group_by.append((name, None))
                self.span("group_by", at[0], at[-1] + 1, name, "yes/no sides")

    def filtered_entity_as_metric(self) -> None:
        """A second metric read from a synonym that is only the entity a filter describes, right after it
        ("resolution rate for high and urgent priority tickets": the tickets are the priority's own entity,
        not ticket volume beside the rate): dropped.
        """
        res = self.res
        if len(res.metrics) < 2:
            return
        for s in list(res.spans.get("metrics", [])):
            at = [t.index for t in self.tokens if s.start <= t.start < s.end]
            # ("german vs dutch sellers, units sold": the sellers' noun shared by active sellers is who too)
            if (
                s.how not in ("synonym", "shared noun")
                or len(at) != 1
                or self.stems[at[0]] not in self.r.entities.nouns
            ):
                continue
            noun = self.stems[at[0]]
            ends = [
                self.token_at.get(f.start, -1)
                for f in res.spans.get("filters", [])
                if f.end <= s.start and f.target.split(SEP, 1)[0] == noun
            ]
            own = [x for x in res.spans.get("metrics", []) if x.target == s.target]
            if any(0 < at[0] - k <= 2 for k in ends) and len(own) == 1 and s.target in res.metrics:
                res.metrics.remove(s.target)
                res.spans["metrics"] = [x for x in res.spans["metrics"] if x is not s]

    def filtered_metric_as_filter(self) -> None:
        """A metric defined for one value, said after "for"/"among"/"on" beside another metric ("csat for
        urgent tickets": ``urgent_ticket_volume`` is tickets where the priority is urgent): the other metric
        for that value, not the two side by side, when every other metric reaches the dimension.
        """
        res = self.res
        if len(res.metrics) < 2:
            return
        for s in list(res.spans.get("metrics", [])):
            first = self.token_at.get(s.start)
            if first is None or s.target not in res.metrics or len(res.metrics) < 2:
                continue
            j = self.prev_word(first)
            if j < 0 or self.tokens[j].norm not in ("for", "among", "on", "amongst"):
                continue
            value = one_value(self.r.model, s.target)
            rest = [m for m in res.metrics if m != s.target]
            if value is None or not all(self.r.reachable(m, value[0]) for m in rest):
                continue
            res.metrics = rest
            res.spans["metrics"] = [x for x in res.spans["metrics"] if x.target != s.target]
            res.filters.append(Filter(value[0], "=", (value[1],)))
            res.span("filters", Span(s.text, s.start, s.end, f"{value[0]}={value[1]}", "metric's value"))

    def other_side(self, first: int, last: int) -> list[int] | None:
        """The positions of the words set against a yes/no value at ``first``..``last`` by a versus word
        right after or before it (with "not"/"the"/"on" between); None when none is.
        """
        toks, skip = self.tokens, ("not", "the", "on", "non", "a", "an")
        k = last + 1
        if k + 1 < len(toks) and toks[k + 1].norm in VS_WORDS and self.stems[k] in self.r.entities.nouns:
            k += 1  # "autopay customers vs not": whose yes/no it is, then the other side
        if k < len(toks) and toks[k].norm in VS_WORDS:
            j = k + 1
            while j < len(toks) and toks[j].norm in skip:
                j += 1
            side = list(range(k, j))
            while j < len(toks) and len(side) < k - last + 3 and not self.used[j]:
                if self.stems[j] in self.r.entities.nouns:
                    side.append(j)  # "first loans vs repeat loans": who the other side is
                    break
                side.append(j)
                j += 1
            return list(range(last + 1, k)) + side if side[1:] else None
        k = first - 1
        while k >= 0 and toks[k].norm in skip:
            k -= 1
        if k >= 1 and toks[k].norm in VS_WORDS:
            side = list(range(k, first))
            j = k - 1
            while j >= 0 and len(side) < first - k + 2 and not self.used[j]:
                if self.stems[j] in self.r.entities.nouns or self.stems[j] in FILLERS:
                    break
                side.append(j)
                j -= 1
            return side
        return None

    def bare_list(self, first: int) -> bool:
        """Values listed right after the metric's words, with no word tying them to it as a condition
        ("new customers referral or partner"): the groups to see side by side, not one filter.
        """
        j = first - 1
        return j >= 0 and any(
            x.start <= self.tokens[j].start < x.end for x in self.res.spans.get("metrics", [])
        )
