"""A party's attribute the metric's own rows also record: "invoiced to self-pay patients" is the invoice's payer
type, not the patient's.

A value read before an entity's noun ("self pay patients", "vintage sellers") is read on that entity's
dimension. When the metric's own semantic model has a dimension of the same name holding the same value
(``invoice__payer_type`` beside ``patient__payer_type``), the fact kept the attribute as it was when the row
happened (the patient's is today's): the reading takes the metric's own record of it.
"""

from __future__ import annotations

from metricmind.resolve.lexicon import Entry, Lexicon
from metricmind.spec.names import SEP


def own_record(own: list[Entry], entries: list[Entry], lex: Lexicon, local: set[str]) -> list[Entry]:
    """The entries of ``entries`` on a model of ``local`` (the models every metric reads) with the field name of
    an entry of ``own`` (the noun's entity's), else none.
    """
    fields = {_field(e) for e in own}
    out = []
    for e in entries:
        name = e.target.split("=", 1)[0]
        info = lex.dims.get(name)
        if e not in own and info is not None and info.model in local and _field(e) in fields:
            out.append(e)
    return out


def _field(e: Entry) -> str:
    return e.target.split("=", 1)[0].split(SEP, 1)[-1]
