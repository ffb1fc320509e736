"""A group word said after values it groups ("Android phones", where the project groups ios and android as
"phones"): the group only says what kind the named values are, so the filter keeps the named ones, not the
whole group. "Android and iOS phones" keeps both; "phones" alone keeps the group; "web and phones" keeps
web and the group (web is no phone). Pure and deterministic.
"""

from __future__ import annotations

GroupHit = tuple[int, int, str, tuple[str, ...]]  # (position, length, dimension, members)
ListedHit = tuple[int, str, str]  # (position, dimension, value)


def qualified_members(group_hits: list[GroupHit], listed_hits: list[ListedHit]) -> set[tuple[str, str]]:
    """The (dimension, value) pairs a group word brought beyond the values said right before it of its own
    dimension, when every value said of that dimension is one of its members.
    """
    out: set[tuple[str, str]] = set()
    for at, _, dim, members in group_hits:
        said = [(a, v) for a, d, v in listed_hits if d == dim]
        if not said or any(v not in members for _, v in said) or any(a > at for a, _ in said):
            continue
        named = {v for _, v in said}
        out |= {(dim, v) for v in members if v not in named}
    return out
