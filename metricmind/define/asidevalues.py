"""A rule whose words say a kind of rows and whose parenthesis names the values it means ("ignore people just
looking at things (views)", "Leave out the big plans (Enterprise and Pro)"): read as the rule's own verb on
those values ("ignore views"), when the words outside the parenthesis do not read on their own.

Only a trailing parenthesis that names values and negates nothing, after a rule that begins by keeping or
dropping ("only", "exclude", "ignore", "leave out", ...), is read so; the filter is the one the verb and the
values read exactly (one dimension, no word left over), at a confidence below ``CONFIDENT`` with a reason
that says the words outside were taken as meaning those values. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from metricmind.define.rulecues import ASIDE, NEGATIVE
from metricmind.define.rulevalues import Context, Read

#: The verb a rule begins with, kept for the values in its parenthesis.
_VERB = re.compile(
    r"^\s*(?P<verb>only|just|exclude|excluding|ignore|ignoring|drop|leave out|remove|skip|without|"
    r"don't count|do not count|keep only|count only)\b",
    re.IGNORECASE,
)
#: The confidence of such a reading: a person checks that the words mean those values.
ASIDE_VALUES_CONFIDENCE = 0.7
#: A filter read at least this surely is the values' reading (no word left over).
_EXACT = 0.9


def by_aside(text: str, ctx: Context, read: Callable[[str, Context], Read]) -> Read | None:
    """The rule as its verb on the values its trailing parenthesis names, else None."""
    m = ASIDE.search(text)
    verb = _VERB.match(text)
    if m is None or verb is None or not text[: m.start()].strip():
        return None
    aside = m.group(1).strip()
    if not aside or NEGATIVE.search(aside) or re.search(r"\d", aside):
        return None
    inner = read(f"{verb.group('verb')} {aside}", ctx)
    reading = inner.reading
    if reading.status != "filter" or not inner.dimension or inner.others or inner.column_sql:
        return None
    if reading.confidence < _EXACT:
        return None
    return replace(
        inner,
        reading=replace(
            reading,
            text=text,
            confidence=ASIDE_VALUES_CONFIDENCE,
            reason=f"{reading.reason}: the parenthesis {m.group(0).strip()!r} says which rows the words mean",
        ),
    )
