"""Values a question names that the first reading left unexplained (issue 14).

A catalog value that is also an everyday word ("email", "api", "dashboards") counts as a filter in the
first reading only in context (next to its dimension, after "via", set against another value). When the
reading is otherwise complete and such a word is still unexplained, leaving it out would answer an
unfiltered question without a word ("new MRR for email", "users touching the api", "how much activity
did dashboards get"). This pass reads it as a filter of a dimension every metric reaches.

A word that is a distinctive part of one value's name ("competitor" in ``switched_competitor``) counts
too, after a cue that names a cause or a destination ("left for a competitor", "because of pricing").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from metricmind.resolve.lexicon import Entry
from metricmind.resolve.reading import _Pick
from metricmind.resolve.text import Token
from metricmind.resolve.thresholds import verbish

CUE_TAILS = (
    "because of",
    "due to",
    "because",
    "via",
    "through",
    "from",
    "left for",
    "went to",
    "moved to",
    "for",
)
"""Words after which a part of a value's name is that value ("left for a competitor", "installs from tiktok")."""
ARTICLES = frozenset({"a", "an", "the", "our", "their", "its", "his", "her", "some"})
MIN_PART = 5
"""Parts of value names shorter than this ("paid", "bank") are too common to stand for the value."""


def left_values(
    picks: Iterable[_Pick],
    used: list[bool],
    choose: Callable[[list[Entry]], str | None],
) -> list[tuple[_Pick, str, str]]:
    """(candidate, dimension, value) for each unexplained value phrase, longest first, of the dimension
    ``choose`` picks among those every metric reaches.
    """
    out: list[tuple[_Pick, str, str]] = []
    taken = list(used)
    for c in sorted(picks, key=lambda c: (-(c.last - c.first), c.first)):
        if any(taken[c.first : c.last]):
            continue
        entries = [e for e in c.entries if e.kind == "value"]
        dim = choose(entries) if entries else None
        if dim is None:
            continue
        value = next(e.target.split("=", 1)[1] for e in entries if e.target.split("=", 1)[0] == dim)
        out.append((c, dim, value))
        for k in range(c.first, c.last):
            taken[k] = True
    return sorted(out, key=lambda x: x[0].first)


def after_cue(tokens: list[Token], i: int) -> bool:
    """Whether a cue of cause or destination stands before ``i`` (articles skipped)."""
    j = i - 1
    while j >= 0 and tokens[j].norm in ARTICLES:
        j -= 1
    before = " ".join(t.norm for t in tokens[max(0, j - 1) : j + 1])
    return j >= 0 and any(before == cue or before.endswith(" " + cue) for cue in CUE_TAILS)


def value_part(word: str, values: dict[str, tuple[str, ...]]) -> tuple[str, str] | None:
    """The one (dimension, value) whose name of several words has ``word`` as a part ("competitor" in
    ``switched_competitor``, "tiktok" in ``tiktok_ads``), when no other value of any dimension has it as the
    one value of its dimension with it: a dimension where several values share the part (campaigns
    ``dd_tiktok_ios_q2``, ``gq_tiktok_android_q3``) names a group there, not a value.
    """
    if len(word) < MIN_PART or verbish(word):
        return None
    found: set[tuple[str, str]] = set()
    for dim, vals in values.items():
        mine = []
        for v in vals:
            parts = v.lower().replace("-", "_").replace(" ", "_").split("_")
            if len(parts) > 1 and any(len(p) >= MIN_PART and word in (p, p + "s") for p in parts):
                mine.append(v)
        if len(mine) == 1:
            found.add((dim, mine[0]))
    return next(iter(found)) if len(found) == 1 else None
