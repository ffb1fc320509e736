"""Values said as a group by the words they share: "all the saas summit campaigns", "every roadshow campaign".

A rule may name several values of a dimension (or of a table's column) at once by the words they have in
common and the dimension's name after "all / every / any / each (the)": the values holding those words
(``saas_summit_2023``, ``saas_summit_2024``) when at least two do and none is only those words (then the
words name that one value). The values are those the catalog declares or the warehouse holds
(``words.observing``); a dimension whose values are unknown is read through its table's columns instead
(``define.columns``), with the same ``group``.
"""

from __future__ import annotations

from metricmind.define.words import stems
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
