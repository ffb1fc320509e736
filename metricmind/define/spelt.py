"""A value said in business words rather than as stored: "electric cargo bikes" (or "cargo e-bikes") for
``e_cargo_bike``, "pay as you go" for ``payg``.

``entries(key, lexicon)`` is the lexicon's own lookup, and when that names no value, the values whose stored
words the phrase spells out: each word of the value said in full or as its abbreviation ("e" for "electric",
at most ``SHORT`` letters, the start of the word said), a value of one run of initials said word by word
("payg"), the words in another order ("cargo e-bike"). Catalog-general: the value's own letters, no list
of words. A phrase that spells out two values of one dimension names neither (never a guess).
"""

from __future__ import annotations

from itertools import permutations

from metricmind.define.words import GLUE, stems
from metricmind.resolve.lexicon import Lexicon
from metricmind.resolve.phraseindex import Entry
from metricmind.spec.names import SEP

#: The longest abbreviation of a word a value may hold ("e" of electric, "promo" of promotion).
SHORT = 5
#: The fewest words an acronym value ("payg", "bnpl") is said in: three letters are too often a code ("GOA").
ACRONYM_WORDS = 4
#: The most words a spelt-out value has (its permutations are tried).
MOST_WORDS = 4

_INDEX: dict[int, tuple[Lexicon, list[tuple[tuple[str, ...], str]]]] = {}


def entries(key: tuple[str, ...], lexicon: Lexicon) -> list[Entry]:
    """``lexicon.lookup(key)``, or, when that names no value, the values ``key`` spells out (``spelt``)."""
    found = lexicon.lookup(key)
    if any(e.kind == "value" for e in found) or len(key) < 2:
        return found
    return found + spelt(key, lexicon)


def spelt(key: tuple[str, ...], lexicon: Lexicon) -> list[Entry]:
    """The values of ``lexicon``'s dimensions that ``key`` spells out, at most one per dimension."""
    per_dim: dict[str, list[str]] = {}
    for words, target in _values(lexicon):
        if words != key and spells(key, words):
            dim, _, value = target.partition("=")
            per_dim.setdefault(dim, []).append(value)
    return [Entry("value", f"{d}={vs[0]}", "alias") for d, vs in per_dim.items() if len(vs) == 1]


def spells(said: tuple[str, ...], value: tuple[str, ...]) -> bool:
    """``said`` spells out a value stored as the words ``value``: by initials ("pay as you go" → payg), or
    word for word in any order, each value word said as itself or in full from its abbreviation.
    """
    if len(value) == 1 and len(said) >= ACRONYM_WORDS and len(said) == len(value[0]):
        return value[0].isalpha() and said[0] not in GLUE and "".join(w[0] for w in said) == value[0]
    if len(said) != len(value) or len(said) > MOST_WORDS:
        return False
    return any(_pairs(said, order) for order in permutations(value))


def _pairs(said: tuple[str, ...], value: tuple[str, ...]) -> bool:
    """Each word of ``said`` is the value word beside it, or that word's abbreviation written out; at least
    one word is said as stored.
    """
    same = 0
    for s, v in zip(said, value, strict=True):
        if s == v:
            same += 1
        elif not (len(v) <= SHORT and len(s) >= len(v) + 2 and s.startswith(v) and s not in GLUE):
            return False
    return same > 0


def _values(lexicon: Lexicon) -> list[tuple[tuple[str, ...], str]]:
    """Every (value's words, "dimension=value") of ``lexicon``'s dimensions, built once per lexicon."""
    hit = _INDEX.get(id(lexicon))
    if hit is not None and hit[0] is lexicon:
        return hit[1]
    if len(_INDEX) > 16:
        _INDEX.clear()
    out = [
        (stems(v.lower().replace("_", " ").replace("-", " ")), f"{name}={v}")
        for name, info in lexicon.dims.items()
        if SEP in name  # a dimension of an entity, never the entity's own keys
        for v in info.values
        if any(c.isalpha() for c in v) and not (v.isupper() and len(v) <= SHORT)  # "GOA": a code, no phrase
    ]
    _INDEX[id(lexicon)] = (lexicon, out)
    return out
