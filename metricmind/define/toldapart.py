"""Which of several dimensions a value a rule names is meant, read from the catalog itself.

A value can be a value of several reachable dimensions (``valuepick.value_named`` then leaves the rule unread):

* **one dimension on two paths**: the rows' own ``policy_term__sales_channel`` and the same-named
  ``policy_term__quote__sales_channel`` one join further (a copy of the column a fact keeps from where it
  came from). The nearer one is the rows' own: "agent-sold policies" are the policies sold by agents.
* **a word of one dimension's description**: "Texas risks only" of ``state`` ("where the risk … is
  located") and ``customer__home_state`` (no word of the rule): the description the rule speaks in.

Anything else (two dimensions of different names on unrelated paths, or the rule's words in both
descriptions) stays ambiguous, as before: a guess is never read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from metricmind.define.words import GLUE, content, stems
from metricmind.spec.model import Dimension, Entity, Model
from metricmind.spec.names import SEP

if TYPE_CHECKING:
    from metricmind.define.rulecontext import Context

#: Words too common in descriptions to tell two dimensions apart ("the customer's", "only").
_PLAIN = frozenset({"only", "all", "every", "each", "other", "any", "value", "values", "one", "two"})


def told_apart(
    key: tuple[str, ...], hits: list[tuple[str, str, bool]], ctx: Context
) -> list[tuple[str, str]]:
    """The one (dimension, value) of ``hits`` the catalog says is meant, as a one-item list (a note on
    the choice in ``ctx.chosen``); empty when it does not say.
    """
    near = nearest_paths(hits)
    if len({n for n, _ in near}) == 1:
        dropped = sorted({n for n, _, _ in hits} - {near[0][0]})
        ctx.chosen.append(
            f"{' '.join(key)!r} is also a value of {', '.join(dropped)}, the same dimension one join further; "
            f"read as the nearer {near[0][0]}"
        )
        return near[:1]
    described = _described(key, near, ctx)
    if described is not None:
        (dim, value), word = described
        others = sorted({n for n, _ in near} - {dim})
        ctx.chosen.append(
            f"{' '.join(key)!r} is also a value of {', '.join(others)}; read as {dim}, whose description "
            f"says {word!r} as the rule does"
        )
        return [(dim, value)]
    return []


def nearest_paths(hits: list[tuple[str, str, bool]]) -> list[tuple[str, str]]:
    """``hits`` without those a nearer hit of the same dimension name and value makes redundant: a path
    that only extends another's entity path (``a__b__state`` beside ``a__state``).
    """
    pairs = list(dict.fromkeys((n, v) for n, v, _ in hits))
    out = []
    for name, value in pairs:
        *path, dim = name.split(SEP)
        shadowed = any(
            v == value and o != name and o.rsplit(SEP, 1)[-1] == dim and _extends(path, o.split(SEP)[:-1])
            for o, v in pairs
        )
        if not shadowed:
            out.append((name, value))
    return out


def _extends(path: list[str], shorter: list[str]) -> bool:
    """``path`` is ``shorter`` followed by more entities."""
    return len(path) > len(shorter) and path[: len(shorter)] == shorter


def _described(
    key: tuple[str, ...], pairs: list[tuple[str, str]], ctx: Context
) -> tuple[tuple[str, str], str] | None:
    """The one pair whose dimension's label or description shares a content word of the rule (not the
    value's own words, nor a word every candidate's text holds), with that word; None otherwise.
    """
    names = {w for sm in ctx.model.semantic_models.values() for w in _names_of(sm.name, sm.entities)}
    said = {
        w
        for w in ctx.said
        if w not in key and w not in GLUE and w not in _PLAIN and w not in names and len(w) > 2
    }
    if not said or len(pairs) < 2:
        return None
    texts = {}
    for name, _ in pairs:
        dim = dimension_of(ctx.model, name)
        if dim is None:
            return None
        texts[name] = set(stems(" ".join(content(f"{dim.label} {dim.description}"))))
    common = set.intersection(*texts.values())
    found = [(p, sorted((texts[p[0]] & said) - common)) for p in pairs]
    named = [(p, w) for p, w in found if w]
    if len(named) != 1:
        return None
    return named[0][0], named[0][1][0]


def _names_of(model: str, entities: tuple[Entity, ...]) -> set[str]:
    """The words of a semantic model's name and its entities' (the rows a rule speaks of, never a choice)."""
    return set(stems(" ".join([model, *(e.name for e in entities)]).replace("_", " ")))


def dimension_of(model: Model, name: str) -> Dimension | None:
    """The dimension a reachable name (``policy_term__quote__state``) ends with, on the semantic model
    whose primary entity is its owner (``quote``); None when no one model says.
    """
    *path, dim_name = name.split(SEP)
    if not path:
        return None
    owner = path[-1]
    found = [
        d
        for sm in model.semantic_models.values()
        if any(e.name == owner and e.type.is_key for e in sm.entities)
        for d in sm.dimensions
        if d.name == dim_name
    ]
    return found[0] if len(found) == 1 else None
