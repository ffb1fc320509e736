"""Yes/no dimensions as the catalog has them, and their filters said one way: "non-refunded purchases",
"orders excluding repeat orders", "couriers that were not active" leave the ``true`` rows out, which on a column of
yes or no is its ``false`` (``is_refunded = false``), the form a person writes and the compiler filters on.

A yes/no dimension is a categorical one named as a flag (``is_``, ``has_``, ``was_``, ``had_``) or whose values
are ``true`` and ``false`` (``would_recommend``). Read from each catalog; no project's words.
"""

from __future__ import annotations

from collections.abc import Iterable

from metricmind.resolve.phraseindex import DimInfo
from metricmind.resolve.resolution import Filter
from metricmind.spec.model import Model
from metricmind.spec.names import SEP

FLAG_PREFIXES = ("is_", "has_", "was_", "had_")
"""How a yes/no column's name begins."""
_OTHER = {"true": "false", "false": "true"}


def yes_no_dims(model: Model, dims: dict[str, DimInfo]) -> frozenset[str]:
    """Every yes/no dimension (``entity__is_x``) of the catalog: named as a flag, or of values true and false."""
    out = {
        name for name, info in dims.items() if info.values and {v.lower() for v in info.values} == set(_OTHER)
    }
    for sm in model.semantic_models.values():
        if not sm.primary:
            continue
        for d in sm.dimensions:
            if d.type == "categorical" and d.name.startswith(FLAG_PREFIXES):
                out.add(f"{sm.primary}{SEP}{d.name}")
    return frozenset(out)


def said_positively(filters: Iterable[Filter], flags: frozenset[str]) -> list[Filter]:
    """``filters`` with each yes/no filter that leaves one side out (``!= true``, ``not in (false)``) said as
    the other side kept (``= false``); every other filter as it is.

    >>> said_positively([Filter("seller__is_verified", "!=", ("true",))], frozenset({"seller__is_verified"}))
    [Filter(field='seller__is_verified', op='=', values=('false',), metric=None)]
    """
    out: list[Filter] = []
    for f in filters:
        value = f.values[0].lower() if len(f.values) == 1 else ""
        if f.metric is None and f.field in flags and f.op in ("!=", "not in") and value in _OTHER:
            f = Filter(f.field, "=", (_OTHER[value],))
        out.append(f)
    return out


def flag_spelt_values(flags: frozenset[str], dims: dict[str, DimInfo]) -> frozenset[str]:
    """The values (``entity__dim=value``) spelt as a yes/no dimension of the same entity ("invoice__status=paid"
    beside ``invoice__is_paid``): said where a yes/no value is asked for ("paid only"), they are read as well.
    """
    words: dict[str, set[str]] = {}
    for flag in flags:
        entity, column = flag.split(SEP, 1)
        said = column.split("_", 1)[1] if column.startswith(FLAG_PREFIXES) else column
        words.setdefault(entity, set()).add(said.replace("_", " "))
    return frozenset(
        f"{name}={value}"
        for name, info in dims.items()
        if name not in flags
        for value in info.values
        if value.replace("_", " ").lower() in words.get(name.split(SEP, 1)[0], ())
    )
