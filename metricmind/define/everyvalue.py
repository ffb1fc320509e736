"""Values said as a group by the words they share ("all the saas summit campaigns"), and names written as
one identifier that the catalog does not have ("linkedin_retargeting").

A rule may name several values of a dimension (or of a table's column) at once by the words they have in
common and the dimension's name after "all / every / any / each (the)": the values holding those words
(``saas_summit_2023``, ``saas_summit_2024``) when at least two do and none is only those words (then the
words name that one value). The values are those the catalog declares or the warehouse holds
(``words.observing``); a dimension whose values are unknown is read through its table's columns instead
(``define.columns``), with the same ``group``.

A name written as one identifier (``linkedin_retargeting``, ``roadshow_2021``) that names nothing in the
catalog is a value the person believes exists: no value is read from a part of it (``retargeting``, a loose
name of ``meta_retargeting``), so the rule is refused or unread as naming an unknown value. Likewise a value
read by part of its words beside a word of another value of the same dimension ("LinkedIn retargeting":
``linkedin_leadgen``'s and ``meta_retargeting``'s) names a value that combines two: it is not read (``mixed``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from metricmind.define.words import GLUE, stems
from metricmind.resolve.lexicon import Lexicon
from metricmind.spec.names import SEP

#: The words that say "every value of the group".
EVERY = frozenset({"all", "every", "any", "each"})
#: The most words the shared part may have ("all the saas summit emea campaigns").
MOST_SHARED = 3


def phrase(value: str) -> tuple[str, ...]:
    """A value's words as stems (``saas_summit_2024`` → saas, summit, 2024)."""
    return stems(value.lower().replace("_", " ").replace("-", " "))


def _contains(words: tuple[str, ...], key: tuple[str, ...]) -> bool:
    n = len(key)
    return n > 0 and any(words[i : i + n] == key for i in range(len(words) - n + 1))


def spans(words: tuple[str, ...], name: tuple[str, ...]) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, shared words) of each "all / every (the) W <name>" in ``words``: the run from the
    quantifier to the end of ``name``, and W (one to ``MOST_SHARED`` words).
    """
    out: list[tuple[int, int, tuple[str, ...]]] = []
    if not name:
        return out
    for i, w in enumerate(words):
        if w not in EVERY:
            continue
        j = i + 1 + (i + 1 < len(words) and words[i + 1] == "the")
        for k in range(j + 1, min(j + MOST_SHARED, len(words)) + 1):
            if words[k : k + len(name)] == name:
                out.append((i, k + len(name), words[j:k]))
    return out


def group(shared: tuple[str, ...], values: tuple[str, ...] | list[str]) -> list[str]:
    """The values holding the words ``shared``, when at least two do and none is only those words."""
    found = [v for v in values if _contains(phrase(v), shared)]
    if len(found) >= 2 and all(phrase(v) != shared for v in found):
        return found
    return []


def every_named(
    words: tuple[str, ...], lexicon: Lexicon, reachable: set[str]
) -> list[tuple[int, int, str, tuple[str, ...]]]:
    """(start, size, reachable dimension, values) of each group of values said by their shared words and
    their dimension's name ("all the saas summit campaigns" → touchpoint__campaign in (saas_summit_2023,
    saas_summit_2024)). The dimension is named by its name, label or a synonym, or by the last word of its
    name ("channels" of ``application_channel``); a name that more than one reachable dimension answers
    with a group is not read.
    """
    out: list[tuple[int, int, str, tuple[str, ...]]] = []
    for size in (2, 1):
        for n in range(len(words) - size + 1):
            name = words[n : n + size]
            dims = {
                e.target
                for e in lexicon.lookup(name)
                if e.kind == "dimension" and e.source in ("name", "label", "synonym")
            }
            if size == 1:  # "all the app channels": application_channel, by the last word of its name
                dims |= {d for d in lexicon.dims if d.rsplit(SEP, 1)[-1].endswith(f"_{name[0]}")}
            for start, end, shared in spans(words, name):
                if any(s < end and start < s + z for s, z, _, _ in out):
                    continue
                hits = []
                for dim in sorted(dims):
                    info = lexicon.dims.get(dim)
                    reach = _reachable(dim, reachable)
                    members = group(shared, info.values) if info is not None and reach else []
                    if members:
                        hits.append((reach, tuple(sorted(members))))
                if len(hits) == 1:
                    out.append((start, end - start, hits[0][0], hits[0][1]))
    return out


def _reachable(dim: str, reachable: set[str]) -> str:
    if dim in reachable:
        return dim
    tail = SEP + dim
    return min((n for n in reachable if n.endswith(tail)), key=len, default="")


_IDENTIFIER = re.compile(r"\b[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+\b")


def unknown_names(
    raw: str, words: tuple[str, ...], known: Callable[[tuple[str, ...]], bool]
) -> list[tuple[int, int]]:
    """(start, size) in ``words`` of each name written as one identifier in ``raw`` (``linkedin_retargeting``)
    that is not ``known`` as a whole (by the lexicon: no value, dimension, metric or other catalog name).
    """
    out: list[tuple[int, int]] = []
    for m in _IDENTIFIER.finditer(raw):
        said = phrase(m.group(0))
        if len(said) < 2 or known(said) or not any(c.isalpha() for c in m.group(0)):
            continue
        n = len(said)
        out += [(i, n) for i in range(len(words) - n + 1) if words[i : i + n] == said]
    return out


def splits(start: int, size: int, names: list[tuple[int, int]]) -> bool:
    """The run ``start``, ``size`` lies across or inside one of ``names`` without being all of it."""
    return any(start < s + n and s < start + size and (start, size) != (s, n) for s, n in names)


def mixed(words: tuple[str, ...], span: tuple[int, int], dim: str, value: str, lexicon: Lexicon) -> bool:
    """A value read from part of its words ("retargeting" of ``meta_retargeting``) beside a word of another
    value of the same dimension that is none of its own ("LinkedIn retargeting": ``linkedin_leadgen``'s):
    the words name a value that combines two, which the dimension does not have.
    """
    start, size = span
    own, said = phrase(value), words[start : start + size]
    if said == own or not _contains(own, said):  # said in full, or by an alias ("late" of past_due)
        return False
    info = lexicon.dims.get(SEP.join(dim.split(SEP)[-2:]))
    if info is None:
        return False
    others = {w for v in info.values if v != value for w in phrase(v)} - set(own)
    beside = [words[j] for j in (start - 1, start + size) if 0 <= j < len(words)]
    return any(w in others and w not in GLUE for w in beside)
