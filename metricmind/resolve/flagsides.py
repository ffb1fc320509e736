"""Both sides of a yes/no dimension named in the words of its name or label: "iap revenue first purchases vs
repeat purchases" (``is_first_purchase``, "First purchase"), "d1 retention organic vs paid installs"
(``is_organic``, "Organic install"), "parcels delivered first time vs not".

The words before the versus word are the flag's own words (its name after ``is_``/``has_``, and its label),
at least one of them no entity's noun; the words after it are the other side (one word, "not", and the noun
again). Both sides together are all the rows, so the answer is the metric grouped by the flag, unfiltered:
what the side words were read as before (a metric such as ``paid_installs`` or ``new_payers``, a value such
as the media source ``organic``) is dropped, when another metric is left that reaches the flag. The names
come from the catalog; only the grammar (versus words, "not") is English's.
"""

from __future__ import annotations

import re

from metricmind.resolve.phrasings import VS_WORDS
from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.resolution import Span
from metricmind.resolve.text import stems
from metricmind.resolve.words import GRAMMAR
from metricmind.spec.names import SEP

FLAG_PREFIXES = ("is_", "was_", "has_", "had_")
"""How a yes/no column's name begins (``is_organic``, ``has_marketing_consent``)."""
NEGATIONS = ("not", "non")
"""The other side said as the first side denied ("first time vs not")."""
FLAG_SIDES_PENALTY = 0.1
"""Both sides read from the flag's own words: sure of the breakdown, the side words a paraphrase."""


class _FlagSidesReading(_ReadingBase):
    """The pass reading "<flag words> vs <other side>" as a breakdown by the flag."""

    def flag_sides(self) -> None:
        """Group by the yes/no dimension whose words the side before a versus word says (see the module)."""
        res = self.res
        if not res.answerable or not res.metrics:
            return
        for v, t in enumerate(self.tokens):
            if t.norm not in VS_WORDS or v == 0 or v + 1 >= len(self.tokens):
                continue
            found = self.flag_before(v)
            if found is None:
                continue
            name, first, words = found
            last = self.other_side_end(v, words)
            if last is None:
                continue
            start, end = self.tokens[first].start, self.tokens[last - 1].end

            def inside(s: Span, start: int = start, end: int = end) -> bool:
                return start <= s.start and s.end <= end

            if any(inside(s) and s.how == "shared noun" for s in res.spans.get("metrics", [])):
                continue  # "new vs churned mrr": each side with the noun after it is a metric, two of them
            if self.metric_each_side(start, self.tokens[v].start, end):
                continue  # "ports in vs ports out": two metrics by their names, not the flag "port in"
            gone = {s.target for s in res.spans.get("metrics", []) if inside(s)}
            kept = [m for m in res.metrics if m not in gone]
            if not kept or not all(self.r.reachable(m, name) for m in kept):
                continue
            res.metrics = kept
            dropped = {
                s.target.split("=", 1)[0].rstrip("!") for s in res.spans.get("filters", []) if inside(s)
            }
            for part in ("metrics", "filters", "group_by"):
                if part in res.spans:
                    res.spans[part] = [s for s in res.spans[part] if not inside(s)]
            res.filters = [f for f in res.filters if f.field not in dropped | {name}]
            res.group_by = [(n, g) for n, g in res.group_by if n not in dropped]
            if name not in [n for n, _ in res.group_by]:
                res.group_by.append((name, None))
            self.claim(first, last)
            self.span("group_by", first, last, name, "yes/no sides")
            res.confidence -= FLAG_SIDES_PENALTY
            return

    def metric_each_side(self, start: int, middle: int, end: int) -> bool:
        """Whether a metric read by its own name or label stands on each side of the versus word."""
        named = [s for s in self.res.spans.get("metrics", []) if s.how in ("name", "label")]
        before = any(start <= s.start and s.end <= middle for s in named)
        return before and any(middle < s.start < end for s in named)

    def flag_before(self, v: int) -> tuple[str, int, set[str]] | None:
        """The one yes/no dimension whose words are the (up to three) words before ``v``, the first of them,
        and the flag's words; None when none or several fit.
        """
        nouns = self.r.entities.nouns
        fits: list[tuple[str, int, set[str]]] = []
        for name, (named, words) in self.flag_words().items():
            first = v
            while first > 0 and v - first < 3 and self.stems[first - 1] in words:
                first -= 1
            own = [self.stems[k] for k in range(first, v)]
            if any(w not in nouns and (w not in GRAMMAR or w in named) for w in own):
                fits.append((name, first, words))
        most = [f for f in fits if f[1] == min(x[1] for x in fits)]  # (the flag that explains the most words)
        return most[0] if len(most) == 1 else None

    def other_side_end(self, v: int, words: set[str]) -> int | None:
        """The end of the other side after the versus word at ``v``: "not", or one word, then the flag's noun
        if said again ("repeat purchases", "paid installs"); None when no word is there.
        """
        toks = self.tokens
        k = v + 1
        if toks[k].norm in NEGATIONS:
            k += 1
        elif toks[k].norm.isalpha() and (toks[k].norm not in GRAMMAR or self.noun_at(k + 1, words)):
            k += 1  # ("repeat purchases", "paid installs", "first orders")
        else:
            return None
        return k + 1 if self.noun_at(k, words) else k

    def noun_at(self, k: int, words: set[str]) -> bool:
        """Whether the word at ``k`` is the flag's noun said again: one of its words or an entity's noun."""
        return k < len(self.tokens) and (self.stems[k] in words or self.stems[k] in self.r.entities.nouns)

    def flag_words(self) -> dict[str, tuple[set[str], set[str]]]:
        """Every yes/no dimension of the catalog (``entity__is_x``): the stems of its name, and of its name and
        label ("first" of ``is_first_purchase`` is its own word, though a word of ordering elsewhere).
        """
        out: dict[str, tuple[set[str], set[str]]] = {}
        for sm in self.r.model.semantic_models.values():
            if not sm.primary:
                continue
            for d in sm.dimensions:
                if d.type != "categorical" or not d.name.startswith(FLAG_PREFIXES):
                    continue
                named = " ".join(d.name.split("_")[1:])
                label = " ".join(re.findall(r"[a-z0-9]+", (d.label or "").lower()))
                out[f"{sm.primary}{SEP}{d.name}"] = (set(stems(named)), set(stems(f"{named} {label}")))
        return out
