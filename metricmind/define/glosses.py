"""Values a dimension's description explains in parentheses, read as other words for them.

"motor (personal auto) or home (homeowners)" of ``line_of_business`` says that "homeowners" policies are
the ``home`` ones; "agent (independent agents), online (our website)" of a channel that "our website" is
``online``. Each gloss becomes a ``value_aliases`` entry of the dimension (the lexicon reads them as the
YAML's own), unless the dimension already has it.

Read only when the word before the parenthesis is one of the dimension's values (declared, or observed in
the warehouse) and the parenthesis is one short phrase: a list ("Northeast (PA, NJ, NY)": the members of a
region, not other names for it), a value of the dimension itself, or a phrase the definition's reading
rewrites ("non-refundable" is read "not refundable", a negation) is never an alias.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from metricmind.define.words import expand, observed
from metricmind.spec.model import Dimension, Model, SemanticModel
from metricmind.spec.names import SEP

#: A word and the parenthesis right after it: "home (homeowners)".
_GLOSS = re.compile(r"(?<![\w-])([A-Za-z0-9_]+)\s*\(([^()]+)\)")
#: The longest gloss read, in words (a sentence in parentheses explains more than a name).
_MAX_WORDS = 4

_CACHE: dict[int, tuple[Model, Model]] = {}


def glossed(model: Model) -> Model:
    """``model`` with the glosses of its dimensions' descriptions as value aliases (the same object when
    it has none); kept per model, so its lexicon is built once.
    """
    held = _CACHE.get(id(model))
    if held is not None and held[0] is model:
        return held[1]
    seen = observed(model)
    changed: dict[str, SemanticModel] = {}
    for sm in model.semantic_models.values():
        dims = tuple(_with_glosses(d, _values(sm, d, seen)) for d in sm.dimensions)
        if dims != sm.dimensions or any(a.meta != b.meta for a, b in zip(dims, sm.dimensions, strict=True)):
            changed[sm.name] = replace(sm, dimensions=dims)
    out = replace(model, semantic_models={**model.semantic_models, **changed}) if changed else model
    if len(_CACHE) > 16:
        _CACHE.clear()
    _CACHE[id(model)] = (model, out)
    return out


def glosses(description: str, values: list[str]) -> dict[str, list[str]]:
    """The glosses ``description`` gives of ``values``: ``{value: [phrase, …]}``."""
    known = {v.lower(): v for v in values}
    out: dict[str, list[str]] = {}
    for m in _GLOSS.finditer(description or ""):
        value = known.get(m.group(1).lower())
        phrase = m.group(2).strip()
        if value is None or re.search(r"[,;:/]", phrase) or len(phrase.split()) > _MAX_WORDS:
            continue
        if phrase.lower() in known or not re.search(r"[A-Za-z]", phrase) or expand(phrase) != phrase:
            continue  # "(non-refundable)" reads as "not refundable": a negation, never a value's name
        out.setdefault(value, []).append(phrase)
    return out


def _values(sm: SemanticModel, d: Dimension, seen: dict[str, list[str]]) -> list[str]:
    declared = d.meta.get("values")
    if isinstance(declared, list) and declared:
        return [str(v) for v in declared]
    return [str(v) for v in seen.get(f"{sm.primary}{SEP}{d.name}", [])] if sm.primary else []


def _with_glosses(d: Dimension, values: list[str]) -> Dimension:
    if d.type != "categorical" or not d.description or not values:
        return d
    found = glosses(d.description, values)
    if not found:
        return d
    aliases: dict[str, Any] = dict(d.meta.get("value_aliases") or {})
    for value, phrases in found.items():
        had = [str(a) for a in aliases.get(value) or ()]
        aliases[value] = had + [p for p in phrases if p.lower() not in {a.lower() for a in had}]
    return replace(d, meta={**d.meta, "value_aliases": aliases})
