"""A dimension named with a word that is none of its values ("the Platinum plan"): ``unknown_value`` finds it,
``no_value`` / ``no_value_among`` say why it is refused.
"""

from __future__ import annotations

import difflib
import re

from metricmind.define.rulecontext import RULE_GLUE
from metricmind.define.words import GLUE
from metricmind.resolve.lexicon import Lexicon


def unknown_value(
    texts: list[tuple[str, ...]], lexicon: Lexicon, unknown: set[str] | None = None
) -> tuple[str, str, str] | None:
    """(dimension, word, nearest value) for a text naming a dimension ("the Platinum plan") with a word
    that is none of its values; with ``unknown``, only those words count.
    """
    for words in texts:
        hit = _unknown_in(words, lexicon, unknown)
        if hit:
            return hit
    return None


#: Adverbs beside a dimension's name that never name one of its values ("summed over titles, never …").
_ADVERBS = frozenset({"never", "always", "ever", "sometimes", "often"})


def _unknown_in(
    words: tuple[str, ...], lexicon: Lexicon, unknown: set[str] | None
) -> tuple[str, str, str] | None:
    for size in range(min(3, len(words)), 0, -1):
        for i in range(len(words) - size + 1):
            entries = lexicon.lookup(words[i : i + size])
            if any(e.kind != "dimension" or e.source in ("entity", "head") for e in entries):
                continue  # an ambiguous word ("customer") names no dimension for sure
            for entry in entries:
                info = lexicon.dims.get(entry.target)
                if info is None or not info.values:
                    continue
                near = [words[j] for j in (i - 1, i + size) if 0 <= j < len(words)]
                rest = [
                    w
                    for w in near
                    if w not in GLUE
                    and w not in RULE_GLUE
                    and w not in _ADVERBS
                    and (unknown is None or w in unknown)
                ]
                if not rest:
                    continue
                word = rest[0]
                lowered = {v.lower(): v for v in info.values}
                holding = [v for low, v in lowered.items() if word in re.split(r"[\W_]+", low)]
                close = difflib.get_close_matches(word, list(lowered), n=1, cutoff=0.0)
                return (
                    entry.target,
                    word,
                    holding[0] if holding else lowered[close[0]] if close else info.values[0],
                )
    return None


def no_value(dim: str, word: str, nearest: str) -> str:
    """Why ``word`` is refused as a value of ``dim``: the nearest value named only when it is near (a word
    of it, or spelled alike: "Enterprize"); a far-off one ("madrid" → "Harbor Bristol Harbourside") is no
    suggestion.
    """
    low = nearest.lower()
    if word in re.split(r"[\W_]+", low) or difflib.SequenceMatcher(None, word, low).ratio() >= 0.6:
        return f"{dim} has no value {word!r}; nearest is {nearest!r}"
    return f"{dim} has no value {word!r}, nor one spelled like it"


def no_value_among(dim: str, word: str, nearest: str, lexicon: Lexicon) -> str:
    """``no_value`` with the dimension's values listed (up to six) when none is near."""
    said = no_value(dim, word, nearest)
    info = lexicon.dims.get(dim)
    if "nearest is" in said or info is None or not info.values:
        return said
    shown = ", ".join(repr(v) for v in list(info.values)[:6]) + (", …" if len(info.values) > 6 else "")
    return f"{said} (its values: {shown})"
