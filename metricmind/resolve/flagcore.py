"""A yes/no dimension said by its one word of substance, without its model's own noun: "on weekends" for
``is_weekend_night`` on the room nights (the word "night" is the model's own, so "weekend" says the flag). Read from
the catalog's names; only a word of five letters or more that names nothing else, and no word of order or time.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from metricmind.spec.model import Model
from metricmind.spec.names import SEP

_PLAIN = frozenset(
    {"first", "second", "third", "last", "final", "early", "later", "recent", "current", "active"}
)
"""Words of order, time or state too common to stand alone for a flag."""


def flag_cores(model: Model, dims: Collection[str], named: Callable[[str], bool]) -> list[tuple[str, str]]:
    """Each flag's one core word (its name's words less its model's entity words) with the flag's ``true`` value
    target, for the flags among ``dims`` whose word ``named`` says names nothing yet.
    """
    out: list[tuple[str, str]] = []
    for sm in model.semantic_models.values():
        primary = sm.primary
        if not primary:
            continue
        own = set(primary.split("_"))
        for d in sm.dimensions:
            words = d.name.split("_")
            if d.type != "categorical" or words[0] not in ("is", "has", "was", "had"):
                continue
            core = [w for w in words[1:] if w not in own]
            name = f"{primary}{SEP}{d.name}"
            if len(core) != 1 or len(core) == len(words) - 1 or name not in dims:
                continue  # (only a flag whose name holds its model's own noun: "weekend night" on nights)
            word = core[0]
            if len(word) < 5 or word in _PLAIN or named(word):
                continue
            out.append((word, f"{name}=true"))
    return out
