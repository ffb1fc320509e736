"""A kind of thing named where a value stands, read as the value it means: "new MRR from banks".

"revenue from banks" names no value of the catalog, yet the industry ``Fintech`` is what it means; left
unread, the question was answered over every customer with the word ignored (a silently wrong number).
After a word that restricts the metric ("from", "among", "with", "at"), a common noun in the plural that
nothing read is compared by meaning (the offline embedding model, as in ``kindvalues``) with every value,
with its catalog aliases, of the dimensions every metric read reaches. It is read as the nearest value only
when that value is at cosine ``FLOOR`` or more and ``MARGIN`` ahead of the next value (the same value of a
conformed dimension counts once); the reading costs ``PENALTY`` (an answer below the 0.8 of a sure one) and
is named in the notes. Otherwise the noun is refused as a value the catalog does not know.

Without the embeddings extra (or with ``$METRICMIND_RESOLVE_MEANING=off``) nothing is read so.
"""

from __future__ import annotations

import numpy as np

from metricmind.resolve.describe import key as word_key
from metricmind.resolve.embedscore import enabled
from metricmind.resolve.lexicon import Entry
from metricmind.resolve.reading import _Pick, _ReadingBase
from metricmind.resolve.resolution import Filter
from metricmind.resolve.text import FILLERS
from metricmind.resolve.toldbymetric import metric_prose, told_by
from metricmind.resolve.valuevectors import named, similarities, value_text
from metricmind.resolve.words import GRAMMAR

FLOOR = 0.55
"""The least cosine between the noun and the value it is read as ("banks" and Fintech: 0.58)."""
MARGIN = 0.15
"""How far that value must lead the next distinct value ("startups" is no Starter plan: 0.53, and
"big companies" is as near SMB as Enterprise)."""
NAMED_FLOOR = 0.3
"""The least cosine between words said before a dimension's name and the value of it they are read as (the
dimension is said, so only its own values compete): "csv download" and ``reports_export``, 0.34."""
NAMED_MARGIN = 0.12
PENALTY = 0.25
"""What reading a noun as a value by meaning costs."""
RUN = 5
"""The most unread words before a dimension's noun read as said of a metric ("after we pay the instructors")."""
QUALIFIERS = frozenset({"from", "among", "amongst", "at", "with"})
ARTICLES = frozenset({"the", "our", "a", "an", "any", "all"})


class _MeaningValueReading(_ReadingBase):
    """The leftover pass's reading of a kind of thing in a value's place."""

    def qualifier_noun(self, i: int) -> bool:
        """Whether the unread word at ``i`` is a plural common noun right after a restricting word
        ("from banks", "among the universities"), with nothing read right after it but time.
        """
        t = self.tokens[i]
        if not t.norm.isalpha() or len(t.norm) < 4 or t.norm == self.stems[i] or not t.norm.endswith("s"):
            return False
        if named(t.text) and i > 0:
            return False  # a name ("Nordics") is asked back, never guessed
        j = i - 1
        while j >= 0 and not self.used[j] and self.tokens[j].norm in ARTICLES:
            j -= 1
        return j >= 0 and not self.used[j] and self.tokens[j].norm in QUALIFIERS

    def value_by_meaning(self, i: int) -> bool:
        """Read the noun at ``i`` as the value it means (see the module); whether it was."""
        res = self.res
        if not enabled() or not res.metrics:
            return False
        taken = {f.field for f in res.filters}
        names = [
            n for n in self.lex.dims if n not in taken and all(self.r.reachable(m, n) for m in res.metrics)
        ]
        found = self.nearest_value(self.tokens[i].norm, names, FLOOR, MARGIN)
        if found is None:
            return False
        entries = [
            Entry("value", f"{n}={found[0]}", "alias") for n in names if found[0] in self.lex.dims[n].values
        ]
        field, _ = self.choose(entries)
        if field is None:
            return False
        self.filter_by_meaning(i, i + 1, field, *found)
        return True

    def nearest_value(
        self, said: str, names: list[str], floor: float, margin: float
    ) -> tuple[str, float, float] | None:
        """The value of the dimensions ``names`` nearest ``said`` by meaning, its cosine and its lead over the
        next distinct value; None unless it is at ``floor`` or more and ``margin`` ahead.
        """
        cands: list[str] = []
        texts: list[str] = []
        for name in names:
            info = self.lex.dims[name]
            if set(info.values) <= {"true", "false"}:
                continue
            aliases = dict(info.aliases)
            for v in info.values:
                cands.append(v)
                texts.append(value_text(v, aliases.get(v, ())))
        if len(set(cands)) < 2:
            return None
        scores = similarities(texts, said)
        if scores is None:
            return None
        order = [int(k) for k in np.argsort(-scores)]
        value, top = cands[order[0]], float(scores[order[0]])
        second = next((float(scores[k]) for k in order[1:] if cands[k] != value), 0.0)
        if top < floor or top - second < margin:
            return None
        return value, top, top - second

    def filter_by_meaning(
        self, first: int, last: int, field: str, value: str, top: float, lead: float
    ) -> None:
        """Filter by ``field = value``, read by meaning from the words ``first``..``last``."""
        res = self.res
        res.filters.append(Filter(field, "=", (value,)))
        self.claim(first, last)
        self.span("filters", first, last, f"{field}={value}", "meaning")
        res.confidence -= PENALTY
        res.notes.append(
            f"read '{self.text(first, last).text}' as {field} = {value} by meaning (similarity {top:.2f}, "
            f"{lead:.2f} ahead of the next value)"
        )

    def named_values(self, picks: list[_Pick]) -> str | None:
        """Words nothing read right before a dimension's name outside a breakdown ("events on the csv download
        feature"): a value of that dimension, named with it. Read by meaning among its values (``NAMED_FLOOR``,
        ``NAMED_MARGIN``), the breakdown dropped; otherwise why the question is refused (never grouped by it).
        """
        res = self.res
        grouped = {n for n, _ in res.group_by}
        for p in picks:
            if p.kind != "dimension":
                continue
            field = next((e.target for e in p.entries if e.target in grouped), None)
            if field is not None and self.told_around(p, field):
                continue  # "net iap after store fees": the metric's own description, no breakdown, no value
            first = p.first
            while (
                first > 0
                and not self.used[first - 1]
                and self.content_word(first - 1)
                and self.joined(first - 1)
            ):
                first -= 1
            # ("nrr by customer funding stage": a word after the entity of a breakdown names the breakdown)
            entity_first = first > 0 and self.stems[first - 1] in self.r.entities.nouns
            if field is None or first == p.first or self.in_group_context(first - (1 if entity_first else 0)):
                continue
            said = self.text(first, p.first).text
            info = self.lex.dims.get(field)
            found = self.nearest_value(said, [field], NAMED_FLOOR, NAMED_MARGIN) if info else None
            if found is None:
                return f"'{said}' is not a known value of {field}"
            res.group_by = [(n, g) for n, g in res.group_by if n != field]
            self.claim(p.first, p.last)
            self.filter_by_meaning(first, p.first, field, *found)
        return None

    def told_around(self, p: _Pick, field: str) -> bool:
        """Read the unread words of one clause right before the dimension ``p`` (and the unknown head noun
        right after it) as said of a metric read, when its description holds them (``toldbymetric``): the
        breakdown by ``field`` dropped. Whether they were.
        """
        res = self.res
        first = p.first
        while first > 0 and p.first - first < RUN and not self.used[first - 1] and self.joined(first - 1):
            first -= 1
        if first == p.first or self.in_group_context(first) or self.in_group_context(p.first):
            return False
        before = [t.norm for t in self.tokens[first : p.first]]
        noun = [t.norm for t in self.tokens[p.first : p.last]]
        told = told_by(self.r.texts, metric_prose(self.r.model), res.metrics, before, noun)
        if told is None:
            return False
        last = p.last + self.head_noun_after(p.last)  # ("store fees": the compound's head, no catalog word)
        last = self.listed_in_description(told, last)  # ("… store fees and refunds": its description's too)
        res.group_by = [(n, g) for n, g in res.group_by if n != field]
        res.spans["group_by"] = [s for s in res.spans.get("group_by", []) if s.target != field]
        self.claim(first, last)
        self.span("metrics", first, last, told, "description")
        res.notes.append(f"read '{self.text(first, last).text}' as said of {told} in its description")
        return True

    def listed_in_description(self, told: str, last: int) -> int:
        """Past "and <word>" right after ``last`` when the word is one of ``told``'s description and was read as
        another metric ("net iap after store fees and refunds": the refunds the net revenue is after, no
        second metric); the new end of the run.
        """
        res = self.res
        k = last + 1
        if k >= len(self.tokens) or self.tokens[last].norm not in ("and", "&"):
            return last
        own = self.r.texts.weights.get(told, {})
        t = self.tokens[k]
        spans = [s for s in res.spans.get("metrics", []) if s.start == t.start and s.target != told]
        if word_key(t.norm) not in own or len(spans) != 1 or spans[0].end != t.end:
            return last
        other = spans[0].target
        if any(s.target == other for s in res.spans.get("metrics", []) if s is not spans[0]):
            return last
        res.metrics = [m for m in res.metrics if m != other]
        res.spans["metrics"] = [s for s in res.spans["metrics"] if s is not spans[0]]
        return k + 1

    def head_noun_after(self, i: int) -> bool:
        """Whether the word at ``i`` is an unread word the catalog does not know, in the clause of the word
        before it: the head noun of a compound whose first noun the catalog knows ("store fees").
        """
        if i >= len(self.tokens) or self.used[i] or not self.joined(i - 1) or not self.content_word(i):
            return False
        return self.stems[i] not in self.lex.vocabulary and not self.lex.lookup((self.stems[i],))

    def joined(self, i: int) -> bool:
        """Whether the word at ``i`` and the next are in one clause (no mark between: "quick q: industries")."""
        gap = self.res.question[self.tokens[i].end : self.tokens[i + 1].start]
        return not any(c in gap for c in ",:;!()—–") and " - " not in gap

    def content_word(self, i: int) -> bool:
        t = self.tokens[i]
        return t.norm.isalpha() and t.norm not in FILLERS and t.stem not in GRAMMAR and t.norm not in GRAMMAR
