"""An analyst's words for the shape of the data, not its content: "number of rows in the touches table", "one row
per method", "filtering out rows where …", "i.e.", "e.g.". They name no concept a catalog measures: a count of
rows is the count of what the table holds, a row per value a breakdown by it (which the words after "per" say).
Read as nothing, unless the catalog itself has the word (closed-class English, not any catalog's words).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from metricmind.resolve.text import Token

DATA_NOUNS = frozenset({"row", "rows", "table", "tables", "column", "columns", "dataset", "datasets"})
"""Nouns for the data's shape ("rows", "the … table")."""
ABBREVIATIONS = (("i", "e"), ("e", "g"))
"""Latin abbreviations written with dots ("i.e.", "e.g."): their letters are punctuation, not words."""


def data_words(tokens: Sequence[Token], question: str, vocabulary: Collection[str]) -> list[int]:
    """The positions of the data-shape nouns the catalog does not use, and of the letters of "i.e."/"e.g."."""
    out = [k for k, t in enumerate(tokens) if t.norm in DATA_NOUNS and t.stem not in vocabulary]
    for k in range(len(tokens) - 1):
        a, b = tokens[k], tokens[k + 1]
        if (a.norm, b.norm) in ABBREVIATIONS and question[a.end : b.start] == ".":
            out += [k, k + 1]
    return sorted(set(out))
