"""A dimension said by the head noun of its label: "by line" for ``line_of_business`` labelled "Line of business",
"by event" for ``catastrophe_code`` labelled "CAT event".

A label of several words names its column the way people do; its head noun (the word before "of", else the last
word) is how a breakdown is said in short. The head is indexed only when no phrase of the catalog already answers
to it, when it is no unit of time, and when every dimension whose label has that head is one column's copies
(the same name on several models, "line_of_business" on the quotes and on the policy terms): the word is the
catalog's own, never a guess between two columns.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from metricmind.resolve.phraseindex import LINKING
from metricmind.resolve.words import GRAMMAR, QUALIFIER_BEFORE
from metricmind.spec.model import Model
from metricmind.spec.names import SEP

_UNITS = frozenset("day days week weeks month months quarter quarters year years date time".split())
_FLAG_PREFIXES = ("is_", "was_", "has_", "had_")
_CLOSED = GRAMMAR | QUALIFIER_BEFORE | LINKING
"""Closed-class words: a label that ends in one ("Plan paid for") has no head noun there."""


def label_head(label: str) -> str | None:
    """The head noun of a label of two words or more ("Line of business" → "line", "CAT event" → "event")."""
    words = re.findall(r"[a-z0-9]+", re.sub(r"\(.*?\)", " ", label.lower()))
    if len(words) < 2 or {"or", "and"} & set(words):
        return None  # ("Web or mobile" names two values, not the column)
    head = words[words.index("of") - 1] if "of" in words[1:] else words[-1]
    return None if head in _UNITS or head in _CLOSED or len(head) < 3 else head


def label_heads(model: Model, known: Callable[[str], bool]) -> dict[str, list[str]]:
    """Each label head no phrase of the catalog answers to (``known``), with the categorical dimensions
    (``entity__name``) it names; a head shared by two differently named columns is left out.
    """
    found: dict[str, list[str]] = {}
    columns: dict[str, set[str]] = {}
    for sm in model.semantic_models.values():
        primary = sm.primary
        if not primary:
            continue
        for d in sm.dimensions:
            if d.type != "categorical" or not d.label or d.name.startswith(_FLAG_PREFIXES):
                continue
            head = label_head(d.label)
            if head is None or head in d.name.split("_")[-1:]:
                continue  # ("Payment type" on payment_type: its name's head already says it)
            found.setdefault(head, []).append(f"{primary}{SEP}{d.name}")
            columns.setdefault(head, set()).add(d.name)
    return {h: names for h, names in found.items() if len(columns[h]) == 1 and not known(h)}
