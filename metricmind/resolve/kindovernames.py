"""A word shared by several names and one kind: "the beauty webshops" are the health & beauty vertical.

"Hoek Beauty" and "Zeeland Beauty" are two shippers' names; ``health_beauty`` is the vertical (the kind of
shop) whose words hold the same word. Said before a plural noun ("the beauty webshops", "beauty shippers"),
the word names the kind, not the shops that happen to carry it in their name (the others of that kind would
be silently left out). ``kind_of`` gives the one value of a categorical dimension that is not a name whose
words hold the word, when the group sharing it is a dimension of names; otherwise None.
"""

from __future__ import annotations

from collections.abc import Mapping

from metricmind.spec.names import SEP


def is_name(dimension: str) -> bool:
    """Whether ``dimension`` holds names (``shipper_name``, ``customer__name``), not kinds."""
    attr = dimension.rsplit(SEP, 1)[-1]
    return attr == "name" or attr.endswith("_name")


def _words(value: str) -> list[str]:
    return [w for w in value.lower().replace("-", "_").replace(" ", "_").split("_") if w]


def kind_of(
    word: str, named: str, values: Mapping[str, tuple[str, ...]], reaches: set[str]
) -> tuple[str, str] | None:
    """The one (dimension, value) among ``reaches`` whose value holds ``word`` and whose dimension holds
    kinds, when the group of ``named`` (a dimension of names) shares it.

    >>> vals = {"p__shipper_name": ("Hoek Beauty", "Zeeland Beauty"), "p__vertical": ("fashion", "health_beauty")}
    >>> kind_of("beauty", "p__shipper_name", vals, {"p__vertical"})
    ('p__vertical', 'health_beauty')
    >>> kind_of("beauty", "p__vertical", vals, {"p__shipper_name"}) is None
    True
    """
    if not is_name(named):
        return None
    found = [
        (dim, v)
        for dim in sorted(reaches)
        if dim != named and not is_name(dim)
        for v in values.get(dim, ())
        if word in _words(v)
    ]
    return found[0] if len(found) == 1 else None
