"""A value read through a loose alias where the same rows hold a value that says the word itself.

"Webinar touches" can be read through the alias "webinars" of ``channel = events``; the same touchpoints
also carry ``campaign = webinar_series``, whose own name says "webinar". The alias is then no safe reading:
the proposal keeps it only as a doubt a person settles (``nearer``), never as a confident filter. The other
values of the same dimension count too ("refinance" an alias of ``debt_consolidation`` beside
``auto_refinance``). Only the dimensions of the same entity's rows are compared (the categorical dimensions of the semantic models whose
primary entity it is), with their declared values and the values the warehouse holds (``observed``).
"""

from __future__ import annotations

from metricmind.define.words import GLUE, observed, stems
from metricmind.resolve.lexicon import Lexicon
from metricmind.spec.model import Model
from metricmind.spec.names import SEP

_CACHE: dict[int, tuple[Model, dict[str, list[tuple[str, tuple[str, ...]]]]]] = {}


def _values(model: Model) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """Each entity → [(entity__dimension = value, the value's stems)] of its own rows' categorical dimensions."""
    hit = _CACHE.get(id(model))
    if hit is not None and hit[0] is model:
        return hit[1]
    seen = observed(model)
    out: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for sm in model.semantic_models.values():
        if not sm.primary:
            continue
        for d in sm.dimensions:
            if d.type != "categorical":
                continue
            name = f"{sm.primary}{SEP}{d.name}"
            for v in [*(d.meta.get("values") or ()), *seen.get(name, [])]:
                text = str(v)
                if text.lower() in ("true", "false"):
                    continue
                out.setdefault(sm.primary, []).append(
                    (f"{name} = {text}", stems(text.lower().replace("_", " ").replace("-", " ")))
                )
    if len(_CACHE) > 16:
        _CACHE.clear()
    _CACHE[id(model)] = (model, out)
    return out


def nearer(model: Model, dim: str, value: str, key: tuple[str, ...]) -> str | None:
    """The reason ``key`` (stems said) read as ``dim = value`` is in doubt: ``value`` does not say ``key``
    itself (an alias), and another value of the same rows (of this or another dimension) does. None otherwise.
    """
    if value.lower() in ("true", "false") or stems(value.lower().replace("_", " ").replace("-", " ")) == key:
        return None
    said = set(key) - GLUE
    if not said:
        return None
    entity = dim.rsplit(SEP, 1)[0].rsplit(SEP, 1)[-1]
    for other, words in _values(model).get(entity, []):
        if other != f"{dim} = {value}" and said <= set(words):
            return (
                f"{' '.join(key)!r} is {dim} = {value} only by an alias, and the same rows hold {other}, "
                "which says it: check which one is meant"
            )
    return None


def alias_doubt(
    model: Model, lexicon: Lexicon, words: tuple[str, ...], dim: str, values: tuple[str, ...]
) -> str:
    """Why a rule's filter ``dim`` in ``values`` may read the wrong dimension: a phrase of ``words`` (one or
    two stems) names a value of it only by an alias while the same rows hold a value that says the phrase
    ("Only webinar touches": channel ``events`` by its alias, campaign ``webinar_series`` by name). "" if none.
    """
    for size in (2, 1):
        for i in range(len(words) - size + 1):
            key = words[i : i + size]
            for e in lexicon.lookup(key):
                if e.kind != "value" or e.source not in ("alias", "synonym"):
                    continue
                target, _, vs = e.target.partition("=")
                if target != dim:
                    continue
                for v in vs.split("|"):
                    if v in values and (why := nearer(model, dim, v, key)):
                        return why
    return ""


def every_value(model: Model, dim: str) -> set[str]:
    """The values of ``dim`` (``entity__name``) the catalog declares or the warehouse holds."""
    entity = dim.rsplit(SEP, 1)[0].rsplit(SEP, 1)[-1]
    return {
        other.partition(" = ")[2]
        for other, _ in _values(model).get(entity, [])
        if other.startswith(f"{dim} = ")
    }
