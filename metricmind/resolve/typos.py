"""Typed words read as the catalog's words: typos and shortenings fixed before the passes, and the
corrections named (each at a cost in confidence) once the reading is done.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from metricmind.resolve.describednouns import described_nouns
from metricmind.resolve.exclusion import CUE_SPELLING
from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.regional import american
from metricmind.resolve.spelling import in_context
from metricmind.resolve.text import _LEMMAS, FILLERS, distance, number, stem, typo_limit
from metricmind.resolve.timespans import UNITS
from metricmind.resolve.words import GRAMMAR, LOSE_VERBS, WIN_VERBS

TIME_WORDS = frozenset(
    """day week month quarter year days weeks months quarters years yesterday today previous last
    january february march april june july august september october november december""".split()
)
"""Time words whose typos are fixed where the time phrases read them ("last quater", "febuary")."""
SPOKEN = frozenset(
    {
        *FILLERS,
        *WIN_VERBS,
        *LOSE_VERBS,
        *_LEMMAS,
        *"before after single just alone compare compared previous prior earlier later".split(),
    }
)
"""Everyday words of questions the speller reads a slip as when no catalog or grammar word is near: a slip
in one ("befre", "geneate", "peopke") is that word (or what it stands for: "clents" → customer), not an
unexplained word that makes the question refused."""
PLURAL_UNITS = frozenset(UNITS)
"""Time units whose typed plural is kept when the slip is fixed ("last 3 montgs" → months)."""
TYPO_PENALTY = 0.1
"""Confidence a word read as another costs (``spelling``): the metric and breakdown passes take it too."""


def doer_of(typed: str, fixed: str, english: Collection[str]) -> bool:
    """Whether ``typed`` is an English word naming who does ``fixed`` ("reviewer" of "review", "renters" of
    "rent"): a noun of its own, not a slip of the catalog's word.
    """
    if typed not in english and typed.removesuffix("s") not in english:
        return False
    return any(typed.removesuffix(end) == fixed for end in ("er", "ers", "r", "rs"))


def unit_slip(word: str) -> str | None:
    """The one time unit ``word`` is a slip of, in the singular or the plural ("moths" → month)."""
    limit = typo_limit(word)
    near = {u for u in UNITS for said in (u, u + "s") if limit and distance(word, said, limit) <= limit}
    return next(iter(near)) if len(near) == 1 else None


class _TypoReading(_ReadingBase):
    """The spelling passes of a reading."""

    def correct_typos(self) -> None:
        unread: list[int] = []
        weak: list[int] = []
        typed = [t.stem for t in self.tokens]
        described = described_nouns(self.r.model)
        for t in self.tokens:
            s = t.stem
            if s in described and s not in self.lex.vocabulary and self.own_word(t.index):
                # "shops" where the catalog describes "Seller shops": the sellers, said in the business's word
                said = described[s] + ("s" if t.norm != s else "")
                self.stems[t.index] = stem(said)
                self.tokens[t.index] = replace(t, norm=said, stem=stem(said))
                continue
            if (
                s in self.lex.vocabulary
                or s in FILLERS
                or s in GRAMMAR
                or s in SPOKEN
                or t.norm in SPOKEN
                or number(s) is not None
                or not s.isalpha()
            ):
                continue
            us = american(t.norm, lambda w: stem(w) in self.lex.vocabulary)
            if us is not None:  # "cheque payments", "seat utilisation": the same word, spelt the American way
                self.stems[t.index] = stem(us)
                self.tokens[t.index] = replace(t, norm=us, stem=stem(us))
                continue
            if s.endswith("s") and s[:-1] in self.lex.vocabulary:
                self.stems[t.index] = s[
                    :-1
                ]  # "skus": the plural of a catalog word the light stem keeps whole
                continue
            fixed = self.r.correct(s)
            if fixed is None and t.norm != s:
                # the stem of a slip can hide the word ("invoies" → "invoy"): the word as typed, then singular
                fixed = self.r.correct(t.norm) or self.r.correct(t.norm.removesuffix("s"))
                fixed = fixed or self.r.speller.plural(t.norm)  # ("moths": one edit from months)
            counted = t.index > 0 and number(self.tokens[t.index - 1].norm) is not None
            if fixed is None and counted:
                fixed = unit_slip(t.norm)  # "last 6 moths": after a number, a unit (not "mouths")
            if fixed is not None and self.doer_of_metric(t.norm, fixed):
                unread.append(t.index)  # "reviewer": who reviews, a word of its own, never "reviews" mistyped
                continue
            if fixed in TIME_WORDS:
                fixed = self.phrase_prefix(t.index, s) or fixed  # "gross merch value": merchandise, not March
            if fixed is not None:
                self.stems[t.index] = _LEMMAS.get(fixed, fixed)  # ("clents" → clients → customer)
                self.fuzzy.add(t.index)
                english = self.r.speller.dictionary
                # "deadline" is a word of its own, never "decline" mistyped; a unit after a number is one
                slip = t.norm not in english or (counted and fixed in PLURAL_UNITS)
                grammar = (fixed in GRAMMAR or fixed in SPOKEN) and bool(english) and slip
                if not slip:
                    weak.append(
                        t.index
                    )  # an English word read as another ("stats"): the context may say better
                if (
                    (fixed in CUE_SPELLING and slip)
                    or (fixed in PLURAL_UNITS and slip)
                    or (fixed in GRAMMAR and grammar)
                    or ((fixed in TIME_WORDS or grammar) and fixed not in self.lex.vocabulary)
                ):
                    # "last quater", "not couting web", "ranekd": the time phrases, the exclusion cues and the
                    # grammar (order, comparison) read the words as typed, so the word is fixed there too
                    said = fixed + "s" if fixed in PLURAL_UNITS and t.norm.endswith("s") else fixed
                    self.tokens[t.index] = replace(t, norm=said, stem=self.stems[t.index])
            else:
                unread.append(t.index)
        for k in sorted(unread + weak):
            found = in_context(
                self.r.speller,
                typed[k],
                self.stems[k - 1] if k > 0 else None,
                self.stems[k + 1] if k + 1 < len(self.stems) else None,
                lambda key: bool(self.lex.lookup(key)),
                lambda word: any(e.kind == "dimension" for e in self.lex.lookup((word,))),
            )
            if found is not None:
                self.stems[k] = found.word
                self.fuzzy.add(k)

    def own_word(self, k: int) -> bool:
        """Whether the word at ``k`` is in no catalog phrase, alone or with the word beside it (a value's phrase
        such as "key accounts" keeps its words, never read as an entity's described noun).
        """
        s = self.tokens[k].stem
        around: list[tuple[str, ...]] = [(s,)]
        if k > 0:
            around.append((self.tokens[k - 1].stem, s))
        if k + 1 < len(self.tokens):
            around.append((s, self.tokens[k + 1].stem))
        return not any(self.lex.lookup(key) for key in around)

    def doer_of_metric(self, typed: str, fixed: str) -> bool:
        """Whether ``typed`` names who does what a metric counts ("reviewer" of the metric "reviews"): no slip.
        A doer of a value's word is that value's party ("retailers": the industry Retail) and is read so.
        """
        found = self.lex.lookup((fixed,))
        metric_only = bool(found) and all(e.kind == "metric" for e in found)
        return metric_only and doer_of(typed, fixed, self.r.speller.dictionary)

    def phrase_prefix(self, k: int, word: str) -> str | None:
        """The catalog word ``word`` begins, when with the words around it it makes a catalog phrase ("gross
        merch value" → gross merchandise value): read so before a time word one letter away (March).
        """
        whole = self.r.speller.prefix(word)
        if whole is None:
            return None
        around = [
            (*self.stems[max(0, k - 2) : k], whole, *self.stems[k + 1 : k + 3]),
            (*self.stems[max(0, k - 1) : k], whole, *self.stems[k + 1 : k + 2]),
            (*self.stems[max(0, k - 1) : k], whole),
            (whole, *self.stems[k + 1 : k + 2]),
        ]
        return whole if any(len(key) > 1 and self.lex.lookup(tuple(key)) for key in around) else None

    def note_corrections(self) -> None:
        """Say which typed words the reading took as other words ("read 'regn' as region"), each at a cost
        in confidence (those read as a metric or a breakdown have paid it where they were read).
        """
        used = [s for spans in self.res.spans.values() for s in spans]
        for k in sorted(self.fuzzy):
            t = self.tokens[k]
            within = [s for s in used if s.start <= t.start and t.end <= s.end]
            if within:
                self.res.notes.append(f"read '{t.text}' as {self.stems[k]}")
            if within and all(s.how != "typo" for s in within):
                self.res.confidence -= TYPO_PENALTY  # a value or a time word (a metric or breakdown paid)
