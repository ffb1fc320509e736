"""Values named as a group: a place that holds several country values ("our South American customers",
"the Middle East"), and a word several values of one dimension share ("search engines, paid or organic" →
``organic_search``, ``paid_search``; "the LinkedIn campaigns" → every campaign with that word).

Both read only the project's own values (declared ``meta.values`` or those the warehouse holds); the places
come from a table of general knowledge (``places``), never from the demo.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import replace

from metricmind.resolve.kindovernames import kind_of
from metricmind.resolve.lexicon import Entry
from metricmind.resolve.ownrecord import own_record
from metricmind.resolve.places import (
    SAID,
    countries_in,
    is_country_dimension,
    part_of_region,
    place_at,
)
from metricmind.resolve.reading import _Pick, _ReadingBase
from metricmind.resolve.resolution import Filter
from metricmind.resolve.text import FILLERS
from metricmind.resolve.words import SOURCE_WORDS

PLACE_OVER_REGION = 0.75
"""The most a reading carries that reads a place as its countries over the region value the data team
declared for it: the declared alias may be what the asker meant ("Asia" for APAC)."""
Side = tuple[str, tuple[str, ...], bool]
"""One side of "vs": a dimension, its values, and whether another pass read them."""
PAIR_WORDS = frozenset({"vs", "versus", "against", "v"})
"""Words that set two values against each other."""
LIST_WORDS = frozenset({"or", "and", "both", "either", "whether"})
"""Words between the members of a list of narrowing words ("paid or organic")."""


def value_words(value: str) -> list[str]:
    """The words of a value (``organic_search`` → organic, search)."""
    return [w for w in value.lower().replace("-", "_").replace(" ", "_").split("_") if w]


def sharing(word: str, values: tuple[str, ...]) -> list[str]:
    """The values that hold ``word`` as one of their words, when two or more do."""
    found = [v for v in values if word in value_words(v)]
    return found if len(found) >= 2 else []


class _ValueGroupReading(_ReadingBase):
    """Passes that read a group of values named by one word or a place."""

    def read_places(self, values: dict[str, tuple[str, ...]], negated: Callable[[int], bool]) -> None:
        """A place holding several country values ("South American", "the Middle East") is those countries
        (``in``), unless the place is most of a region value it is declared an alias of ("Europe" for EMEA:
        that value stands). What another pass read in the place's words (a region, "American" as the US)
        gives way to it.
        """
        res = self.res
        # the country of the entity the question names ("european sellers"), else of the party served
        said = set(self.stems)
        country_dims = sorted(
            (d for d, vals in values.items() if is_country_dimension(vals)),
            key=lambda d: (d.split("__", 1)[0] not in said, self.r.entities.rank(d)),
        )
        if not country_dims:
            return
        norms = [t.norm for t in self.tokens]
        i = 0
        while i < len(norms):
            found = place_at(norms, i)
            if found is None:
                i += 1
                continue
            place, end = found
            first, i = i, end
            start, stop = self.tokens[first].start, self.tokens[end - 1].end
            dim = country_dims[0]
            inside = countries_in(place, values[dim])
            overlapping = [s for s in res.spans.get("filters", []) if s.start < stop and start < s.end]
            fields = {field_of(s.target) for s in overlapping}
            if not inside:
                if fields - {dim}:
                    # "african customers" read as EMEA, which holds no African country: not a confident answer
                    res.notes.append(
                        f"no {dim} value lies in {place}; read as the declared {sorted(fields)[0]}"
                    )
                    res.confidence = min(res.confidence, PLACE_OVER_REGION)
                continue
            self.drop_place_noun(end)
            regional = [f for f in fields if f != dim and self.region_of(f, place, values[dim])]
            if any(f != dim for f in fields) and not regional:
                continue  # a region the place is most of ("Europe" → EMEA): the declared value stands
            if fields and all(f == dim for f in fields) and len(inside) == 1:
                self.claim(first, end)  # a single country already read ("north american": the US)
                continue
            if regional:
                # the data team's region for the place holds more than it: say so, a little less sure
                res.notes.append(
                    f"read '{self.text(first, end).text}' as its countries, not the wider {regional[0]}"
                )
                res.confidence = min(res.confidence - 0.1, PLACE_OVER_REGION)
            res.filters = [f for f in res.filters if f.field not in fields]
            res.spans["filters"] = [s for s in res.spans.get("filters", []) if s not in overlapping]
            neg = negated(first)
            op = ("!=" if neg else "=") if len(inside) == 1 else ("not in" if neg else "in")
            res.filters.append(Filter(dim, op, tuple(inside)))
            self.claim(first, end)
            self.span("filters", first, end, f"{dim} {op} {', '.join(inside)}", "place")

    def drop_place_noun(self, k: int) -> None:
        """A breakdown read from the noun right after a place ("the gulf region") only says what the place is."""
        if k >= len(self.tokens):
            return
        at = self.tokens[k].start
        noun = [s for s in self.res.spans.get("group_by", []) if s.start <= at < s.end]
        if noun:
            self.res.spans["group_by"] = [s for s in self.res.spans["group_by"] if s not in noun]
            gone = {s.target for s in noun} - {s.target for s in self.res.spans["group_by"]}
            self.res.group_by = [g for g in self.res.group_by if g[0] not in gone]

    def read_partial_pairs(self, values: dict[str, tuple[str, ...]]) -> None:
        """Two values set against each other, one or both by a word only that value has ("ios vs android
        applications": ``ios_app``, ``android_app``; "personal vs debt consolidation"): both, and a
        breakdown by their dimension.
        """
        res = self.res
        for k in range(1, len(self.tokens) - 1):
            if self.tokens[k].norm not in PAIR_WORDS:
                continue
            left, right = self.side_values(k - 1, values), self.side_values(k + 1, values)
            pairs = [
                (a, b) for a in left for b in right if a[0] == b[0] and not (a[2] and b[2])
            ]  # (two values read already are the reading's own business)
            pairs = self.nearest_pairs(pairs)
            if len({a[0] for a, _ in pairs}) != 1:
                continue
            (dim_a, vals_a, _), (_, vals_b, _) = pairs[0]
            both = tuple(dict.fromkeys((*vals_a, *vals_b)))
            res.filters = [f for f in res.filters if f.field != dim_a or f.metric is not None]
            res.spans["filters"] = [s for s in res.spans.get("filters", []) if field_of(s.target) != dim_a]
            res.filters.append(Filter(dim_a, "in", both))
            self.claim(k - 1, k + 2)
            self.span("filters", k - 1, k + 2, f"{dim_a} in {', '.join(both)}", "set against")
            if dim_a not in {n for n, _ in res.group_by}:
                res.group_by.append((dim_a, None))
                self.span("group_by", k - 1, k + 2, dim_a, "set against")

    def nearest_pairs(self, pairs: list[tuple[Side, Side]]) -> list[tuple[Side, Side]]:
        """Of pairs on several dimensions ("personal vs auto": the loan's product or the application's), those
        on the dimension fewest joins from the metrics.
        """
        if len({a[0] for a, _ in pairs}) < 2:
            return pairs
        far = {a[0]: max((self.r.distance(m, a[0]) for m in self.res.metrics), default=0) for a, _ in pairs}
        least = min(far.values())
        return [(a, b) for a, b in pairs if far[a[0]] == least]

    def side_values(
        self, i: int, values: dict[str, tuple[str, ...]]
    ) -> list[tuple[str, tuple[str, ...], bool]]:
        """What one side of "vs" may name: a filter read there (``True``: read before), or, per dimension, the
        one value that has the word (``False``).
        """
        t = self.tokens[i]
        if self.used[i]:
            return [
                (f.field, f.values, True)
                for f in self.res.filters
                if f.metric is None
                and f.op in ("=", "in")
                and any(
                    s.start <= t.start < s.end and field_of(s.target) == f.field
                    for s in self.res.spans.get("filters", [])
                )
            ]
        if t.norm in FILLERS or len(t.norm) < 3:
            return []
        owners = [(d, [v for v in vals if t.norm in value_words(v)]) for d, vals in values.items()]
        return [(d, tuple(vs), False) for d, vs in owners if len(vs) == 1]

    def read_source_word(self, values: dict[str, tuple[str, ...]], negated: Callable[[int], bool]) -> None:
        """Where something came from, named by a word only one value has, among several words of that value
        ("tickets in through the contact form": ``web_form``), after "via", "through" or "from" with at most
        one word of its own before it: that value.
        """
        res = self.res
        for i, t in enumerate(self.tokens):
            if self.used[i] or len(t.norm) < 4 or not t.norm.isalpha() or t.norm in FILLERS:
                continue
            owners = [
                (d, v)
                for d, vals in values.items()
                for v in vals
                if len(value_words(v)) > 1 and t.norm in value_words(v)
            ]
            if len(owners) != 1 or any(f.field == owners[0][0] for f in res.filters):
                continue
            j, before = i - 1, []
            while j >= 0 and not self.used[j] and self.tokens[j].norm in ("the", "our", "a", "an"):
                j -= 1
            if (
                j >= 0
                and not self.used[j]
                and self.tokens[j].norm not in SOURCE_WORDS
                and self.tokens[j].stem not in self.lex.vocabulary
            ):
                before = [j]  # one word of its own ("contact form")
                j -= 1
                while j >= 0 and not self.used[j] and self.tokens[j].norm in ("the", "our", "a", "an"):
                    j -= 1
            if j < 0 or self.tokens[j].norm not in SOURCE_WORDS:
                continue
            dim, value = owners[0]
            neg = negated(i)
            res.filters.append(Filter(dim, "!=" if neg else "=", (value,)))
            first = before[0] if before else i
            self.claim(first, i + 1)
            self.span("filters", first, i + 1, f"{dim}{'!=' if neg else '='}{value}", "word of a value")
            res.confidence -= 0.1  # one word of the value, not its name
            res.notes.append(f"read '{self.text(first, i + 1).text}' as {value}")

    def align_listed(self) -> None:
        """Values listed together ("dutch and british sellers") are of one dimension: the one the last of
        them was read as, nearest the noun that says whose they are (not the party's country for the first
        and the seller's for the second).
        """
        res = self.res
        spans = sorted(
            (s for s in res.spans.get("filters", []) if s.how != "threshold"), key=lambda s: s.start
        )
        for a, b in zip(spans, spans[1:], strict=False):
            between = res.question[a.end : b.start].strip(" ,").lower()
            fa, fb = field_of(a.target), field_of(b.target)
            info = self.lex.dims.get(fb)
            if between not in ("and", "or", "&", "") or fa == fb or info is None:
                continue
            moved = [f for f in res.filters if f.field == fa and f.metric is None and f.op in ("=", "in")]
            if len(moved) != 1 or not set(moved[0].values) <= set(info.values):
                continue
            res.filters = [
                Filter(fb, moved[0].op, moved[0].values) if f is moved[0] else f for f in res.filters
            ]
            res.spans["filters"] = [
                replace(s, target=fb + s.target[len(fa) :]) if s is a else s for s in res.spans["filters"]
            ]

    def region_of(self, field: str, place: str, countries: tuple[str, ...]) -> bool:
        """Whether ``field`` is a dimension of regions whose value the place is only a small part of."""
        info = self.lex.dims.get(field)
        if info is None:
            return False
        return any(
            place_in(place, aliases) and part_of_region(place, list(aliases), countries)
            for _, aliases in info.aliases
        )

    def read_shared_words(self, values: dict[str, tuple[str, ...]], negated: Callable[[int], bool]) -> None:
        """A word several values of one dimension share, unread, before a plural noun or its dimension's
        name ("search engines", "the linkedin campaigns"): every value with that word; words listed next to
        it that are words of some of them ("search engines, paid or organic") narrow it to those.
        """
        res = self.res
        for i, t in enumerate(self.tokens):
            if self.used[i] or t.norm in FILLERS:
                continue
            nxt = self.tokens[i + 1] if i + 1 < len(self.tokens) else None
            for dim, vals in values.items():
                group = sharing(t.norm, vals)
                if not group or any(f.field == dim for f in res.filters):
                    continue
                noun = nxt is not None and (
                    any(e.target == dim for e in self.lex.lookup((nxt.stem,)) if e.kind == "dimension")
                    or not (self.used[i + 1] or nxt.norm == nxt.stem or nxt.norm in FILLERS)
                )
                if not noun and not negated(i):
                    continue  # "search" alone is no group ("except search" is); "search engines" is
                kind = kind_of(t.norm, dim, values, self.reached_of(values)) if noun else None
                if (
                    kind is not None
                ):  # "the beauty webshops": the health & beauty vertical, not two shops' names
                    dim, group = kind[0], [kind[1]]
                last, narrowed = self.narrowing(i + 2 if noun else i + 1, group)
                last = max(last, i + 2 if noun else i + 1)
                chosen = narrowed or group
                neg = negated(i)
                op = ("!=" if neg else "=") if len(chosen) == 1 else ("not in" if neg else "in")
                res.filters.append(Filter(dim, op, tuple(chosen)))
                self.claim(i, last)
                # the noun after the word ("campaigns") was read as a breakdown: it only says what the values
                # are; a breakdown said elsewhere ("per channel for the paid channels") stays
                said = [
                    s
                    for s in res.spans.get("group_by", [])
                    if noun and nxt is not None and s.start <= nxt.start < s.end
                ]
                if said:
                    res.spans["group_by"] = [s for s in res.spans["group_by"] if s not in said]
                    for gone in {
                        dim,
                        *(s.target for s in said),
                    }:  # (the names' dimension, a kind read instead)
                        if not any(s.target == gone for s in res.spans["group_by"]):
                            res.group_by = [g for g in res.group_by if g[0] != gone]
                self.span("filters", i, last, f"{dim} {op} {', '.join(chosen)}", "shared word")
                break

    def reached_of(self, values: dict[str, tuple[str, ...]]) -> set[str]:
        """The dimensions of ``values`` every metric read reaches."""
        return {d for d in values if all(self.r.reachable(m, d) for m in self.res.metrics)}

    def narrowing(self, k: int, group: list[str]) -> tuple[int, list[str]]:
        """The members of ``group`` named by a list of their other words starting at ``k`` ("paid or
        organic"), and the index after the list; none when no such list follows.
        """
        chosen: list[str] = []
        last = k
        while k < len(self.tokens):
            w = self.tokens[k].norm
            if w in LIST_WORDS:
                k += 1
                continue
            members = [v for v in group if w in value_words(v)]
            if not members or self.used[k]:
                break
            chosen += [v for v in members if v not in chosen]
            k += 1
            last = k
        return last, [v for v in group if v in chosen]

    def agreeing(self, p: _Pick, picks: list[_Pick]) -> list[Entry]:
        """A value of several dimensions ("Enterprise": segment or plan) listed with a value of only one
        of them ("Enterprise vs SMB") means that one.
        """
        dims = {e.target.split("=", 1)[0] for e in p.entries}
        if len(dims) < 2:
            return p.entries
        lo = bisect_left([q.first for q in picks], p.first - 8)  # picks are in question order
        others = [
            {e.target.split("=", 1)[0] for e in o.entries}
            for o in picks[lo : lo + 16]
            if o is not p and o.kind == "value" and abs(o.first - p.last) <= 4 and abs(p.first - o.last) <= 4
        ]
        for o in others:
            if len(o) == 1 and o <= dims:
                return [e for e in p.entries if e.target.split("=", 1)[0] in o]
        # "the enterprise segment", "enterprise plan": the value of the dimension the next word names
        if p.last < len(self.tokens):
            named = {e.target for e in self.lex.lookup((self.stems[p.last],)) if e.kind == "dimension"}
            own = [e for e in p.entries if e.target.split("=", 1)[0] in named]
            if own:
                return own
        # "vintage sellers", "enterprise new accounts": the value of the dimension whose entity one of the next
        # two words names (in any of its nouns)
        for k in range(p.last, min(p.last + 2, len(self.tokens))):
            after = self.stems[k]
            entity = self.r.texts.entity_of.get(after, after) if after in self.r.entities.nouns else after
            own = [e for e in p.entries if e.target.split("__", 1)[0] in (after, entity)]
            if own and self.reached(own):
                return self.own_record(own, p.entries) or own
            if own and self.reached(p.entries) and self.linked(own, p.entries):
                # "platinum members stayed": the member's tier is out of the metric's reach, the guest's
                # loyalty tier (the same value) is not: read there, a guess (another entity's field)
                self.res.confidence = min(self.res.confidence, 0.75)
                note = f"read '{self.text(p.first, p.last).text}' on a dimension the metrics reach"
                if note not in self.res.notes:
                    self.res.notes.append(note)
                return p.entries
            if own:
                return own  # "german parcels" for km driven: the parcels' country, out of reach (refused)
        return p.entries

    def own_record(self, own: list[Entry], entries: list[Entry]) -> list[Entry]:
        """The metric's own record of the noun's attribute ("invoiced to self pay patients": the invoice's
        payer type), when its rows keep one (``ownrecord``).
        """
        metrics = self.res.metrics
        if not metrics:
            return []
        local = set.intersection(*(self.r.sources(m) for m in metrics))
        return own_record(own, entries, self.lex, local)

    def linked(self, own: list[Entry], entries: list[Entry]) -> bool:
        """Whether the noun's entity (a member) refers to the entity of every other dimension of the value
        (the guest the member is): the same party, its field read where the metrics reach it.
        """
        mine = {e.target.split("__", 1)[0] for e in own}
        others = {e.target.split("__", 1)[0] for e in entries} - mine
        refers = {
            x.name for sm in self.r.model.semantic_models.values() if sm.primary in mine for x in sm.entities
        }
        return bool(others) and others <= refers

    def reached(self, entries: list[Entry]) -> bool:
        """Whether one of ``entries``' dimensions is reachable from every metric read (or none is read)."""
        metrics = self.res.metrics
        return any(all(self.r.reachable(m, e.target.split("=", 1)[0]) for m in metrics) for e in entries)


def place_in(place: str, aliases: tuple[str, ...]) -> bool:
    """Whether one of ``aliases`` names ``place`` (or its adjective)."""
    return any(SAID.get(tuple(a.lower().replace("-", " ").split())) == place for a in aliases)


def field_of(target: str) -> str:
    """The dimension a filter's span names (``customer__region!=EMEA`` → ``customer__region``)."""
    found = re.match(r"[A-Za-z0-9_]+", target)
    return found.group(0) if found else target
