"""A value typed clipped beside another value of its dimension: "dental v physio" is dental vs physiotherapy.

A word no catalog phrase is (a word of a description may be: "physios"), of at least ``MIN_CLIP`` letters, that begins exactly one one-word value of a
dimension (three letters or more left over) is that value when it stands across "vs", "or" or "and" from
another value of the same dimension: the listing says which dimension the clipped word belongs to. Alone
("physio revenue") it is left as typed: an English word may begin a value by chance.
"""

from __future__ import annotations

from dataclasses import replace

from metricmind.resolve.phraseindex import Lexicon
from metricmind.resolve.text import Token, stem

MIN_CLIP = 4
LISTING = frozenset({"vs", "versus", "against", "or", "and"})


def unclipped_values(tokens: list[Token], lex: Lexicon) -> list[Token]:
    """``tokens`` with each clipped value listed beside a value of its dimension spelt out."""
    out = list(tokens)
    for i, t in enumerate(tokens):
        if len(t.norm) < MIN_CLIP or not t.norm.isalpha() or lex.lookup((t.stem,)):
            continue
        listed = _listed_dims(tokens, i, lex)
        fits = [
            v
            for d in listed
            for v in lex.dims[d].values
            if v.isalpha() and v.lower().startswith(t.norm) and len(v) - len(t.norm) >= 3
        ]
        if len(fits) == 1:
            word = fits[0].lower()
            out[i] = replace(t, norm=word, stem=stem(word))
    return out


def _listed_dims(tokens: list[Token], i: int, lex: Lexicon) -> set[str]:
    """The dimensions of the values standing across a listing word from ``i`` ("dental v physio")."""
    dims: set[str] = set()
    for j, k in ((i - 1, i - 2), (i + 1, i + 2)):
        if 0 <= min(j, k) and max(j, k) < len(tokens) and tokens[j].norm in LISTING:
            for e in lex.lookup((tokens[k].stem,)):
                name = e.target.split("=", 1)[0]
                if e.kind == "value" and name in lex.dims:
                    dims.add(name)
    return dims
