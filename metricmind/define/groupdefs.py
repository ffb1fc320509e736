"""A value group defined by the text itself: "mobile = iOS or web", "mobile means iOS and web",
"bulky parcels (size L and XL)".

The catalog may name a group of values (``value_groups``/aliases: "mobile" → ios|android); when a rule or a
definition says what the group word means, with values of the same dimension after it, the values it lists
are what the person means. Unioning the catalog's members with them would count rows the person left out
("mobile = iOS or web" read as ios, android and web); the listed values replace the catalog's group.

A group word said beside other values without saying what it means ("mobile or web platforms") is a union
and is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from metricmind.define.words import stems

#: The group word and what it is said to mean: "X = …", "X: …", "X means …", "X (…)", "by X we mean …".
DEFINES = re.compile(
    r"^(?P<head>.*?\b(?P<group>[\w][\w\s'-]{0,40}?))\s*"
    r"(?:=|:|\bmeans?\b|\bmeaning\b|\bis\b|\bare\b|\bincludes?\b|\bcovers?\b|\bstands? for\b|\brefers? to\b|\()"
    r"\s*(?P<rest>.+)$",
    re.IGNORECASE,
)


def defined_group(raw: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(stems before the defining word, stems after it) when ``raw`` says what a word means, else None.

    >>> defined_group("mobile = iOS or web")
    (('mobile',), ('io', 'or', 'web'))
    """
    m = DEFINES.match(raw.strip())
    if m is None or not m.group("head").strip():
        return None
    return stems(m.group("head").lower().replace("-", " ")), stems(m.group("rest").lower().replace("-", " "))


def dropped_members(
    group_hits: list[tuple[int, int, str, tuple[str, ...]]],
    listed_hits: list[tuple[int, str, str]],
    left_at: list[int],
    raw: str,
) -> set[tuple[str, str]]:
    """The (dimension, value) pairs a group word brought that the text's own definition of it leaves out.

    ``group_hits`` are (position, length, dimension, members) of group words, ``listed_hits`` (position,
    dimension, value) of values said one by one, ``left_at`` the positions of words left unread, positions
    in the stems of ``raw``. Nothing is dropped unless ``raw`` defines a group word (it stands before the
    defining word) with values of its dimension listed after it, every word of the list read.
    """
    parts = defined_group(raw)
    if parts is None:
        return set()
    head = len(parts[0])
    if any(j >= head for j in left_at):  # "vans = diesel vans and cargo bikes": a value not read
        return set()
    listed: dict[str, set[str]] = {}
    for at, dim, value in listed_hits:
        if at >= head:
            listed.setdefault(dim, set()).add(value)
    out: set[tuple[str, str]] = set()
    for at, size, dim, members in group_hits:
        if at + size <= head and dim in listed:
            out |= {(dim, v) for v in members if v not in listed[dim]}
    return out


#: Up to two words and the parenthesis after them: "bulky parcels (size L and XL)".
_BEFORE_PARENTHESIS = re.compile(r"(?P<words>\b[\w'-]+(?:\s+[\w'-]+)?)\s*\((?P<inside>[^()]+)\)")


def parenthesized(text: str) -> list[tuple[str, str]]:
    """(up to two words, the parenthesis right after them) of ``text``: "bulky parcels (size L and XL)"
    → ("bulky parcels", "size L and XL").
    """
    return [(m.group("words"), m.group("inside")) for m in _BEFORE_PARENTHESIS.finditer(text)]


def defined_words(text: str, is_value: Callable[[tuple[str, ...]], bool]) -> set[str]:
    """Stems of the words a parenthesis right after them defines by values ("bulky parcels (size L and
    XL)": "bulky", "parcel"): a word of the person's for a set of values the catalog holds, not a value
    the catalog lacks. ``is_value`` says whether stems name a value of a dimension.
    """
    out: set[str] = set()
    for words, inside in parenthesized(text):
        said = stems(inside.lower().replace("-", " "))
        if any(is_value((w,)) for w in said) or any(is_value(said[i : i + 2]) for i in range(len(said) - 1)):
            out.update(stems(words.lower().replace("-", " ")))
    return out


Named = tuple[list[tuple[str, str, tuple[str, ...]]], list[str]]


def ungrouped(text: str, read: Callable[[str], Named]) -> str:
    """``text`` without each group word that a parenthesis right after it defines by values of the same
    dimension ("green vehicles (e-vans only)" → "vehicles (e-vans only)"): the parenthesis says which
    values are meant, never the catalog's whole group. ``read`` gives (dimension, value, phrase) for the
    values a text names and the words it left unread; a parenthesis with words unread is left alone (it may
    name what the catalog spells otherwise: "cargo bikes" for e_cargo_bike).
    """
    out = text
    for words, inside in parenthesized(text):
        phrases: dict[tuple[str, tuple[str, ...]], int] = {}
        for dim, _, key in read(words)[0]:
            phrases[(dim, key)] = phrases.get((dim, key), 0) + 1
        groups = [(dim, key) for (dim, key), n in phrases.items() if n > 1]  # one phrase, several values
        named, left = read(inside)
        if left:
            continue
        listed = {dim for dim, _, _ in named}
        for dim, key in groups:
            if dim not in listed:
                continue
            spoken = re.search(r"[\s_-]+".join(map(re.escape, key)) + r"\w*", words, re.IGNORECASE)
            if spoken is not None:
                cut = words[: spoken.start()] + words[spoken.end() :]
                out = out.replace(f"{words}", cut, 1)
    return out
