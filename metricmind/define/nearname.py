"""A proper name that no value is, made of words of several values of one dimension: ``unknown_value``
naming the nearest values, never a rule left unread with no reason.

"Parcels booked from the Rotterdam Centrum hub": no hub is named so; 'Rotterdam Waalhaven' says Rotterdam and
'Amsterdam Centrum' says Centrum. Each word matches a value, none matches the name. An unread rule in which
nothing of the catalog was found that says such a name (two or three capitalised words) is refused as
``unknown_value`` with the values that share its words, so the person picks the one meant; so is one
capitalised word that is a word of several values and no value itself ("only Galaxy phones": 'Galaxy A55',
'Galaxy S24', …). Pure.
"""

from __future__ import annotations

import re

from metricmind.define.build import refuse
from metricmind.define.proposal import Proposal
from metricmind.define.words import observed
from metricmind.spec.model import Model
from metricmind.spec.names import SEP

#: Two or three capitalised words in a row (a proper name).
_NAME = re.compile(r"\b([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){1,2})\b")
#: A capitalised word inside a sentence (a brand or a model family: "only Galaxy phones").
_WORD = re.compile(r"(?<=[a-z,]\s)([A-Z][a-z][\w'-]+)\b")
#: How a rule in which nothing of the catalog was found is explained (``rulefound``).
NOTHING_FOUND = "no dimension or value of the catalog found"


def _values(model: Model) -> dict[str, list[str]]:
    """Every dimension's values (declared, then observed), by ``entity__name``."""
    out: dict[str, list[str]] = {}
    for sm in model.semantic_models.values():
        for d in sm.dimensions:
            key = f"{sm.primary}{SEP}{d.name}"
            out[key] = [str(v) for v in d.meta.get("values") or ()]
    for key, vs in observed(model).items():
        out.setdefault(key, [])
        out[key] += [str(v) for v in vs if str(v) not in out[key]]
    return out


def _says(text: str, value: str) -> bool:
    """``text`` says ``value`` whole (any case, spaces or underscores alike)."""
    pattern = r"[\s_-]+".join(re.escape(w) for w in re.split(r"[\s_-]+", value) if w)
    return re.search(rf"(?<!\w){pattern}(?!\w)", text, re.IGNORECASE) is not None


def _words(value: str) -> set[str]:
    return {w for w in re.split(r"[\s_\-./]+", value.lower()) if w}


def near_values(text: str, values: dict[str, list[str]]) -> tuple[str, str, list[str]] | None:
    """(name said, dimension, nearest values) for a proper name of ``text`` that is no value of a dimension
    whose values hold each of its words; None when there is none, or the name is a value.
    """
    for m in _NAME.finditer(text):
        name = m.group(1)
        said = _words(name)
        if len(said) < 2:
            continue
        if any(said <= _words(v) for vs in values.values() for v in vs):
            continue  # the name is a value (or in one): read elsewhere
        for dim, vs in sorted(values.items()):
            sharing = [v for v in vs if _words(v) & said]
            if sharing and said <= {w for v in sharing for w in _words(v)} and len(sharing) > 1:
                return name, dim, sharing[:5]
    for m in _WORD.finditer(text):  # "only Galaxy phones": a word of several models, none of them
        word = m.group(1).lower()
        if any(word in _words(v) and _says(text, v) for vs in values.values() for v in vs):
            continue  # "the Tier 1 team": the value itself is said
        for dim, vs in sorted(values.items()):
            sharing = [v for v in vs if word in _words(v)]
            if len(sharing) > 1 and len(sharing) < len(vs):
                return m.group(1), dim, sharing[:5]
    return None


def refuse_near_name(proposal: Proposal, model: Model) -> None:
    """Refuse as ``unknown_value`` an unread rule or definition that says a name no value is."""
    if proposal.refused:
        return
    unread = [r.text for r in proposal.unread if r.reason.startswith(NOTHING_FOUND)]
    if not unread:
        return
    values = _values(model)
    for text in unread:
        found = near_values(text, values)
        if found is None:
            continue
        name, dim, nearest = found
        refuse(
            proposal,
            "unknown_value",
            f"{dim} has no value {name!r}; the nearest values share its words: "
            f"{', '.join(repr(v) for v in nearest)}. Say which one is meant, or list them.",
        )
        return
