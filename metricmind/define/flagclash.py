"""A yes/no flag the definition keeps one side of while a rule keeps the other ("Players with a purchase
that was refunded" with a rule read as dropping refunded purchases): a contradiction shown as unread,
never the rule's side quietly winning over the definition's words.

Values of other dimensions are checked by ``implied._against``; this reads the flags it leaves aside.
"""

from __future__ import annotations

from metricmind.define.proposal import RuleReading
from metricmind.define.rulevalues import Read


def keeps_yes(read: Read) -> bool | None:
    """Whether a filter rule on a yes/no flag keeps its yes rows (True), its no rows (False), or neither
    surely (None: not a filter, no flag, several values).
    """
    if read.reading.status != "filter" or not read.dimension or read.others or read.column_sql:
        return None
    if len(read.values) != 1 or read.values[0] not in ("true", "false"):
        return None
    return (read.values[0] == "true") != read.negative


def flag_against(text: str, said: dict[str, set[bool]], rules: list[Read]) -> Read | None:
    """An unread reading of the definition ``text`` when it keeps one side of a flag (``said``: flag →
    the sides its words keep, True for yes) and a rule keeps only the other side; None otherwise.
    """
    for r in rules:
        side = keeps_yes(r)
        if side is None or r.dimension is None:
            continue
        mine = said.get(r.dimension, set())
        if len(mine) == 1 and side not in mine:
            flag = r.dimension
            return Read(
                RuleReading(
                    f"(in the definition) {text}",
                    "unread",
                    0.0,
                    f"the definition keeps {flag} = {'true' if side is False else 'false'}, but rule "
                    f"{r.reading.text!r} keeps only {flag} = {'true' if side else 'false'}: say which",
                )
            )
    return None
