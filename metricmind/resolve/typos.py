"""Typed words read as the catalog's words: typos and shortenings fixed before the passes, and the
corrections named (each at a cost in confidence) once the reading is done.
"""

from __future__ import annotations

from dataclasses import replace

from metricmind.resolve.exclusion import CUE_SPELLING
from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.spelling import in_context
from metricmind.resolve.text import FILLERS, number
from metricmind.resolve.words import GRAMMAR

TIME_WORDS = frozenset(
    """day week month quarter year days weeks months quarters years yesterday today previous last
    january february march april june july august september october november december""".split()
)
"""Time words whose typos are fixed where the time phrases read them ("last quater", "febuary")."""
TYPO_PENALTY = 0.1
"""Confidence a word read as another costs (``spelling``): the metric and breakdown passes take it too."""


class _TypoReading(_ReadingBase):
    """The spelling passes of a reading."""

    def correct_typos(self) -> None:
        unread: list[int] = []
        for t in self.tokens:
            s = t.stem
            if (
                s in self.lex.vocabulary
                or s in FILLERS
                or s in GRAMMAR
                or number(s) is not None
                or not s.isalpha()
            ):
                continue
            fixed = self.r.correct(s)
            if fixed in TIME_WORDS:
                fixed = self.phrase_prefix(t.index, s) or fixed  # "gross merch value": merchandise, not March
            if fixed is not None:
                self.stems[t.index] = fixed
                self.fuzzy.add(t.index)
                english = self.r.speller.dictionary
                slip = t.norm not in english  # "deadline" is a word of its own, never "decline" mistyped
                grammar = fixed in GRAMMAR and bool(english) and slip
                if (fixed in CUE_SPELLING and slip) or (
                    (fixed in TIME_WORDS or grammar) and fixed not in self.lex.vocabulary
                ):
                    # "last quater", "not couting web", "ranekd": the time phrases, the exclusion cues and the
                    # grammar (order, comparison) read the words as typed, so the word is fixed there too
                    self.tokens[t.index] = replace(t, norm=fixed, stem=fixed)
            else:
                unread.append(t.index)
        for k in unread:
            found = in_context(
                self.r.speller,
                self.stems[k],
                self.stems[k - 1] if k > 0 else None,
                self.stems[k + 1] if k + 1 < len(self.stems) else None,
                lambda key: bool(self.lex.lookup(key)),
                lambda word: any(e.kind == "dimension" for e in self.lex.lookup((word,))),
            )
            if found is not None:
                self.stems[k] = found.word
                self.fuzzy.add(k)

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
