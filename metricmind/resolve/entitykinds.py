"""Who an entity noun's modifiers say: "MRR from big companies", "new MRR from banks and payment companies".

People restrict a metric to a kind of customer by words before the noun for them, words no catalog value is:
"big companies" (the Enterprise segment, whose aliases say "large companies"), "banks and payment companies"
(the Fintech industry), "online stores" (Retail). Left to the other passes, such a modifier was unread (the
question refused for a word the catalog lacks) or read as a breakdown ("payment" names the payment method).

After a restricting word ("from", "among", "with", "at"), a run of up to four words nothing has read yet (no
catalog metric or value among them; "and"/"&"/"or" may join them) before a plural noun that is either a noun
for the party the business serves ("companies", "accounts", "firms") or a noun the catalog does not know
("webshops") is compared, as one phrase, by meaning with each value of the party's dimensions, each said by
its words and by each of its catalog aliases alone (a value scores its best text). Both sides say the party
by one noun ("companies"), so "tiny accounts" meets "small companies" and not "large accounts" for the
shared noun. The phrase is read as the best value only when it is at cosine ``FLOOR`` or more and ``MARGIN``
ahead of the next value ("mid-sized firms" is as near SMB as Enterprise: left as it was); a superlative
("our biggest customers") ranks, and is never read so. The reading costs ``PENALTY`` (an answer below 0.8)
and is named in the notes; a metric that cannot be filtered by the value's dimension refuses the question.

Without the embeddings extra (or with ``$METRICMIND_RESOLVE_MEANING=off``) nothing is read so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from metricmind.resolve.entities import PARTY_WORDS
from metricmind.resolve.reading import _Pick, _ReadingBase
from metricmind.resolve.resolution import Filter
from metricmind.resolve.text import FILLERS, stem
from metricmind.resolve.valuevectors import named, similarities
from metricmind.resolve.words import GRAMMAR

FLOOR = 0.6
"""The least cosine between the phrase and a text of the value ("big companies" and "large companies": 0.94)."""
MARGIN = 0.12
"""How far that value must lead the next one ("big companies" meets "small companies" at 0.79)."""
PENALTY = 0.25
"""What reading a kind of customer by meaning costs."""
QUALIFIERS = frozenset({"from", "among", "amongst", "at", "with"})
ARTICLES = frozenset({"the", "our", "a", "an", "any", "all", "those", "these"})
JOINERS = frozenset({"and", "&", "or"})
COMPANY_WORDS = frozenset({*PARTY_WORDS, *(stem(w) for w in PARTY_WORDS), "firm", "business", "businesses"})
"""Nouns for the party whatever the catalog calls it (closed-class English, not any catalog's words)."""
NOUN = "companies"
"""The one noun both sides say the party by."""
MAX_MODIFIERS = 4


@dataclass(frozen=True)
class KindRead:
    """A kind of customer read by meaning: the words, the value and how sure."""

    first: int
    last: int
    field: str
    value: str
    top: float
    lead: float


class _EntityKindReading(_ReadingBase):
    """The pass that reads modifiers of an entity noun as a value of the entity's dimensions."""

    kinds_read: list[KindRead]

    def read_entity_kinds(self, cands: list[_Pick]) -> None:
        """Find and claim the kinds of customer said by modifiers (see the module); kept for ``settle_kinds``."""
        self.kinds_read = []
        party = self.r.entities.party
        if party is None or len(self.tokens) < 3:
            return
        # words a value of the party's own dimensions reads ("enterprise accounts") are left to the value passes;
        # another entity's value or a loose metric word ("banks" for bank transfers, "payment") is no kind
        covered = {
            k
            for c in cands
            for e in c.entries
            if e.kind == "value" and e.target.startswith(f"{party}__")
            for k in range(c.first, c.last)
        }
        heads = {  # "new customers", "active accounts": a metric's phrase ends at the noun
            c.last - 1 for c in cands if c.last - c.first > 1 and any(e.kind == "metric" for e in c.entries)
        }
        known = {k for c in cands for k in range(c.first, c.last)}  # (any catalog phrase)
        for h, t in enumerate(self.tokens):
            if self.used[h] or not t.norm.isalpha() or t.norm == self.stems[h] or not t.norm.endswith("s"):
                continue
            if named(t.text) or h in covered or h in heads:
                continue
            company = self.stems[h] in COMPANY_WORDS or t.norm in COMPANY_WORDS
            if not company and (self.stems[h] in self.lex.vocabulary or self.lex.lookup((self.stems[h],))):
                continue
            # a noun the catalog lacks after catalog words ("search engines") is the loose values' to read
            first = self.modifiers_before(h, covered if company else covered | known)
            if first is None:
                continue
            found = self.kind_of_party(party, [*range(first, h + 1)])
            if found is None:
                continue
            # (a noun the catalog has for the party stays, to say whose the filter is; "firms" is read with it)
            last = h if company and self.stems[h] in self.lex.vocabulary else h + 1
            self.claim(first, last)
            self.kinds_read.append(KindRead(first, last, *found))

    def modifiers_before(self, h: int, covered: set[int]) -> int | None:
        """The first of the modifiers before the noun at ``h`` after a restricting word; None if none fit."""
        j, mods = h - 1, 0
        while j >= 0 and h - j <= MAX_MODIFIERS + 1:
            w = self.tokens[j]
            if self.used[j] or w.norm in QUALIFIERS or w.norm in ARTICLES or not self.joined(j):
                break
            if j in covered or w.norm.endswith("est") or w.stem in self.party_value_words:
                return None  # a catalog value or metric reads it; "our biggest customers" ranks them
            if w.norm not in JOINERS:
                if not w.norm.isalpha() or w.norm in FILLERS or w.stem in GRAMMAR or w.norm in GRAMMAR:
                    return None
                mods += 1
            j -= 1
        first = j + 1
        while first < h and self.tokens[first].norm in JOINERS:
            first += 1
        while j >= 0 and not self.used[j] and self.tokens[j].norm in ARTICLES:
            j -= 1
        if mods == 0 or j < 0 or self.used[j] or self.tokens[j].norm not in QUALIFIERS:
            return None
        return first

    @cached_property
    def party_value_words(self) -> frozenset[str]:
        """Stems of the words of the party's values and of their aliases that name no company ("paid search",
        "organic"): a modifier holding one ("search engines") names values the value passes read, alone or as
        a group ("large companies" is compared by meaning: "large firms" is the same kind).
        """
        party = self.r.entities.party
        out: set[str] = set()
        for name, info in self.lex.dims.items():
            if party is None or not name.startswith(f"{party}__"):
                continue
            aliases = dict(info.aliases)
            for v in info.values:
                for text in (v, *aliases.get(v, ())):
                    words = {stem(w) for w in re.split(r"[\s_\-]+", text.lower()) if w}
                    if not words & COMPANY_WORDS:
                        out |= words
        return frozenset(out)

    def joined(self, i: int) -> bool:
        """Whether the word at ``i`` and the next are in one clause (no mark between them)."""
        gap = self.res.question[self.tokens[i].end : self.tokens[i + 1].start]
        return not any(c in gap for c in ",:;!?()—–") and " - " not in gap

    def kind_of_party(self, party: str, at: list[int]) -> tuple[str, str, float, float] | None:
        """The value of ``party``'s dimensions the words at ``at`` mean, its cosine and lead (see the module)."""
        cands: list[tuple[str, str]] = []
        texts: list[str] = []
        for name, info in self.lex.dims.items():
            if not name.startswith(f"{party}__") or set(info.values) <= {"true", "false"}:
                continue
            aliases = dict(info.aliases)
            for v in info.values:
                for text in (v.replace("_", " "), *aliases.get(v, ())):
                    cands.append((name, v))
                    texts.append(_one_noun(text))
        if len({v for _, v in cands}) < 2:
            return None
        said = " ".join(
            NOUN
            if self.stems[k] in COMPANY_WORDS or self.tokens[k].norm in COMPANY_WORDS
            else self.tokens[k].norm
            for k in at
        )
        scores = similarities(texts, said)
        if scores is None:
            return None
        best: dict[tuple[str, str], float] = {}
        for c, s in zip(cands, scores, strict=True):
            best[c] = max(best.get(c, -1.0), float(s))
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        (field, value), top = ranked[0]
        second = next((s for (_, v), s in ranked[1:] if v != value), 0.0)
        if top < FLOOR or top - second < MARGIN:
            return None
        return field, value, top, top - second

    def settle_kinds(self) -> None:
        """Filter by the kinds read once the metrics are known (or refuse: a metric cannot be filtered so)."""
        res = self.res
        for k in self.kinds_read:
            said = self.text(k.first, k.last).text
            if any(f.field == k.field for f in res.filters):
                continue
            far = [m for m in res.metrics if not self.r.reachable(m, k.field)]
            if far:
                res.refuse(
                    f"'{said}' reads as {k.field} = {k.value}; {far[0]} cannot be filtered by {k.field}"
                )
                return
            res.filters.append(Filter(k.field, "=", (k.value,)))
            self.span("filters", k.first, k.last, f"{k.field}={k.value}", "meaning")
            res.confidence -= PENALTY
            res.notes.append(
                f"read '{said}' as {k.field} = {k.value} by meaning (similarity {k.top:.2f}, "
                f"{k.lead:.2f} ahead of the next value)"
            )


_NOUNS = re.compile(r"\b(?:compan(?:y|ies)|accounts?|customers?|clients?|firms?|logos?|business(?:es)?)\b")


def _one_noun(text: str) -> str:
    """``text`` with its nouns for the party said as ``NOUN`` ("large accounts" → "large companies")."""
    return _NOUNS.sub(NOUN, text.lower())
