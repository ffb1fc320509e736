"""Idioms of keeping records that name no concept: "customers on the books", "accounts on our roster".

"how many enterprise customers were on the books at the end of Q1" asks for the customers there were then;
"books" there is no bookings metric (read so, the question was answered with new MRR at 0.55, and "how many
customers were on the books in March" at 0.8). The idiom says only that the things counted were held, which
the count already means: its words are read as nothing (closed-class English, not any catalog's words).
"""

from __future__ import annotations

from collections.abc import Sequence

from metricmind.resolve.text import Token

HELD = frozenset({"books", "roster", "record", "records", "file"})
"""The nouns after "on (the/our)" that say a thing is kept, not what it is."""
DETERMINERS = frozenset({"the", "our", "their", "its"})


def record_idioms(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """The token ranges of "on (the|our) books"-like idioms in ``tokens``."""
    out: list[tuple[int, int]] = []
    for i, t in enumerate(tokens):
        if t.norm != "on":
            continue
        j = i + 1
        if j < len(tokens) and tokens[j].norm in DETERMINERS:
            j += 1
        if j < len(tokens) and tokens[j].norm in HELD and (j > i + 1 or tokens[j].norm in ("record", "file")):
            out.append((i, j + 1))
    return out
