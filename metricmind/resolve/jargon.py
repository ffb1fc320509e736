"""Sales and investor idioms read as the plain words they stand for: "book of business" is the recurring revenue
a company holds, "marketing dollars" its marketing spend, dollars "deployed" dollars spent; "getting worse" is
"worsening" (a change asked). The plain words are
then read against the catalog like any others (so "book of business in annual terms" is the annual recurring
revenue where a catalog has one). A glossary of English business idioms, not of any catalog's words: an idiom
whose words the catalog itself uses (a metric named "book of business") is kept as typed.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from metricmind.resolve.text import Token, stem

IDIOMS: dict[tuple[str, ...], str] = {
    ("book", "of", "business"): "recurring revenue",
    ("books", "of", "business"): "recurring revenue",
    ("marketing", "dollars"): "marketing spend",
    ("dollars", "deployed"): "spend",
    ("spend", "deployed"): "spend",
    ("getting", "worse"): "worsening",  # how something changes, said with "get"
    ("getting", "better"): "improving",
    ("got", "worse"): "worsened",
    ("got", "better"): "improved",
}
"""Idioms (lower-case words) and the plain words they stand for."""
LONGEST = max(len(k) for k in IDIOMS)


def plain_words(tokens: list[Token], vocabulary: Collection[str]) -> list[Token]:
    """``tokens`` with each idiom of ``IDIOMS`` replaced by its plain words (spanning the idiom's characters);
    an idiom every word of which the catalog knows (``vocabulary``, stems) stays as typed.
    """
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        for size in range(min(LONGEST, len(tokens) - i), 1, -1):
            said = tuple(t.norm for t in tokens[i : i + size])
            plain = IDIOMS.get(said)
            if plain is not None and not all(stem(w) in vocabulary for w in said if len(w) > 2):
                first, last = tokens[i], tokens[i + size - 1]
                out += [
                    replace(first, norm=w, stem=stem(w), start=first.start, end=last.end)
                    for w in plain.split()
                ]
                i += size
                break
        else:
            out.append(tokens[i])
            i += 1
    return out
