"""A rule saying what something is not: "Plan changes aren't cancellations", "Refunds are not revenue".

"X are not Y" leaves X out of what Y counts: the rows to drop are X's. When only Y names values of the
catalog (``cancellations``: status canceled) and X names none ("plan changes"), a filter read from the
rule drops Y itself, the very rows the metric counts: a confident wrong number. Such a reading is
replaced by an unread item that says why; "Trials are not paying customers" (X names trials) reads as
before.
"""

from __future__ import annotations

import re

from metricmind.define.proposal import RuleReading
from metricmind.define.rulevalues import Context, Read, values_in

#: "X are not Y", "X aren't Y", "X is not a Y", "X don't count as Y", "X do not count as Y".
_COPULA = re.compile(
    r"^\s*(?P<x>.+?)\s+(?:(?:are|is)\s+not|aren't|isn't|(?:do|does)\s+not\s+count\s+as|"
    r"(?:don't|doesn't)\s+count\s+as)\s+(?:an?\s+|the\s+)?(?P<y>.+?)\s*\.?\s*$",
    re.IGNORECASE,
)


def misread_copula(text: str, read: Read, ctx: Context) -> Read:
    """``read`` unless it is a filter dropping only what the Y of "X are not Y" names (module docstring)."""
    if read.reading.status != "filter" or not read.values:
        return read
    m = _COPULA.match(text)
    if m is None:
        return read
    x_found, _ = values_in(m.group("x"), ctx)
    y_found, _ = values_in(m.group("y"), ctx)
    if x_found or not y_found:
        return read
    return Read(
        RuleReading(
            text,
            "unread",
            0.0,
            f"says {m.group('x').strip()!r} are not {m.group('y').strip()!r}, but only the latter names values "
            f"({', '.join(f'{d} = {v}' for d, v in y_found)}): dropping them would drop what is counted; "
            f"name the rows {m.group('x').strip()!r} means by a value of the catalog",
        )
    )
