"""A quoted value compared with a column: ``payment_method = 'ach'``, ``plan in ('pro', 'team')``.

A comparison written as SQL compares stored values: ``payment_method = 'ach'`` keeps the rows whose
column holds the text ``ach``. When no dimension stores that text and the catalog only lists it as
another word for a stored value (``ach`` for ``bank_transfer``), translating it would answer a different
question than the one written (the comparison, run as written, keeps no row). The agent refuses and
names the stored value the catalog relates it to, so the person writes that value if it is what they mean.
"""

from __future__ import annotations

import re

from metricmind.define.words import stems
from metricmind.resolve.lexicon import Lexicon
from metricmind.spec.names import SEP

#: ``column = 'x'``, ``column != 'x'``, ``column <> 'x'``, ``column in ('x', 'y')``, ``column not in (…)``.
_COMPARED = re.compile(
    r"\b(?P<column>[a-z][a-z0-9_]*)\s*(?:=|!=|<>|\bnot\s+in\b|\bin\b|\bnot\b)\s*\(?\s*"
    r"(?P<literals>'[^']*'(?:\s*,\s*'[^']*')*)",
    re.IGNORECASE,
)
_LITERAL = re.compile(r"'([^']*)'")


def compared(text: str) -> list[tuple[str, str]]:
    """(column, literal) of each quoted value compared with a column in ``text``.

    >>> compared("count(invoice_id) where payment_method = 'ach', by issued_at month")
    [('payment_method', 'ach')]
    >>> compared("plan in ('pro', 'team') and the 'best' customers")
    [('plan', 'pro'), ('plan', 'team')]
    """
    return [
        (m.group("column"), lit)
        for m in _COMPARED.finditer(text)
        for lit in _LITERAL.findall(m.group("literals"))
    ]


def _normal(value: str) -> str:
    return re.sub(r"[\s_-]+", " ", value.strip().lower())


def alias_literal(texts: list[str], lexicon: Lexicon) -> tuple[str, str, str, str] | None:
    """(column, literal, dimension, stored value) of the first quoted literal compared with a column that no
    dimension stores and that the catalog knows only as another word for a stored value (module docstring).
    """
    stored = {_normal(v) for info in lexicon.dims.values() for v in info.values}
    for text in texts:
        for column, literal in compared(text):
            if not literal.strip() or _normal(literal) in stored:
                continue
            entries = [e for e in lexicon.lookup(stems(_normal(literal))) if e.kind == "value"]
            if not entries or any(e.source == "value" for e in entries):
                continue
            pairs = [e.target.partition("=")[::2] for e in entries]
            own = [(d, v) for d, v in pairs if d.rsplit(SEP, 1)[-1] == column.lower()] or pairs
            dim, value = own[0]
            return column, literal, dim, value
    return None


def alias_message(column: str, literal: str, dim: str, value: str) -> str:
    """Why a quoted alias is refused, and the stored value to write instead."""
    shown = " or ".join(repr(v) for v in value.split("|"))
    return (
        f"{dim} stores no value {literal!r}: `{column} = '{literal}'` compares stored values and would keep "
        f"no row; the catalog lists {literal!r} as another word for {shown} (write {column} = "
        f"{shown} if that is what you mean)"
    )
