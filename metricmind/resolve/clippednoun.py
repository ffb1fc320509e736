"""An entity's noun typed without its vowels: "appts" for appointments, "pts" for patients.

Clinic, ops and sales chat clips the nouns it types all day to their consonants ("appt", "pts", "prcls"). A
token is read as one of the catalog's entity nouns when it is not a catalog word (or the catalog also says the
noun: ``appt_dt`` beside appointments), every letter after its first is a consonant (``y`` counts as a vowel:
"gym", "sync" are words), it keeps the noun's first letter, the consonant after it and its last letter, its
letters come in the noun's order (a trailing "s" is the plural), and exactly one entity noun fits ("ent" is no
event, "csm" no customer, "ctr" no customer either). One typed in capitals is an acronym ("RTS": returned to
sender, never routes).
"""

from __future__ import annotations

from dataclasses import replace

from metricmind.resolve.text import Token, stem
from metricmind.spec.model import Model

_VOWELS = frozenset("aeiouy")


def entity_nouns(model: Model) -> frozenset[str]:
    """The one-word names of the catalog's entities that have a semantic model of their own."""
    return frozenset(
        sm.primary for sm in model.semantic_models.values() if sm.primary and sm.primary.isalpha()
    )


def unclipped(
    tokens: list[Token], nouns: frozenset[str], vocabulary: frozenset[str] | set[str]
) -> list[Token]:
    """``tokens`` with each clipped entity noun spelt out (the token's characters kept)."""
    out = []
    for t in tokens:
        word = None if t.text.isupper() else _noun_of(t.norm, nouns)  # ("RTS": an acronym, never routes)
        if word is None or (t.stem in vocabulary and stem(word) not in vocabulary):
            out.append(t)  # (a catalog word stays, unless the catalog also says the noun it clips: "appt_dt")
        else:
            out.append(replace(t, norm=word, stem=stem(word)))
    return out


def _noun_of(short: str, nouns: frozenset[str]) -> str | None:
    if len(short) < 3 or not short.isalpha() or _VOWELS & set(short[1:]):
        return None
    plural = short.endswith("s")
    core = short[:-1] if plural else short
    fits = [n for n in nouns if len(core) < len(n) and _clips(core, n)]
    if len(fits) != 1:
        return None
    return fits[0] + "s" if plural else fits[0]


def _clips(core: str, noun: str) -> bool:
    """Whether ``core`` keeps ``noun``'s first letter, its first consonant after it and its last letter, with
    every letter in the noun's order ("appt" of appointment, "prcl" of parcel; never "ent" of event, whose
    consonant after the "e" is a "v", nor "csm" of customer, which ends in "r").
    """
    after = next((c for c in noun[1:] if c not in _VOWELS), "")
    return core[0] == noun[0] and core[1] == after and core[-1] == noun[-1] and _in_order(core, noun)


def _in_order(short: str, word: str) -> bool:
    """Whether the letters of ``short`` appear in ``word`` in order."""
    it = iter(word)
    return all(c in it for c in short)
