"""A yes/no flag named with the value it must have ("the borrower's KYC verified flag is false",
"is_autopay = true", "refunded set to no"): the flag kept on that side.

The words besides the flag's own must say only that it is a flag and which value (``flag``, ``column``,
``is``, ``false``, ``yes`` …); anything else leaves the rule to the usual readers, which report it.
"""

from __future__ import annotations

import re

from metricmind.define.proposal import RuleReading
from metricmind.define.rulevalues import Read, predicate_for

#: "is false", "= true", "set to no", "equals yes", "is not true": the value said after the flag.
SAID = re.compile(
    r"(?:\bis|\bare|=+|\bequals?|\bset to|\bof)\s+(?P<not>not\s+)?(?P<value>true|false|yes|no)\b(?!\s*\w)"
)
#: Words that say only "the flag" and its value.
PLAIN = frozenset(
    "flag flags column field value set to is are equal equals of the a an true false yes no not its their "
    "only".split()
)
#: Confidence of a flag read with its value said.
CONFIDENCE = 0.8


def flag_valued(text: str, low: str, found: list[tuple[str, str]], leftover: list[str]) -> Read | None:
    """The rule read as keeping one side of the one flag ``found`` names, by the value said after it;
    None when it names anything else or says no value that way.
    """
    if len(found) != 1 or found[0][1] not in ("true", "false"):
        return None
    m = SAID.search(low.strip().rstrip("."))
    if m is None or any(w not in PLAIN and not w.isdigit() for w in leftover):
        return None
    if len(re.findall(r"\b(?:true|false|yes|no|not|never)\b", low)) != 1 + bool(m.group("not")):
        return None  # "not … is false": two negations, read by no one here
    dim, named = found[0]
    yes = (m.group("value") in ("true", "yes")) != bool(m.group("not"))
    keeps_true = yes == (named == "true")
    predicate = predicate_for(dim, ("true",), not keeps_true)
    side = "true" if keeps_true else "false"
    return Read(
        RuleReading(text, "filter", CONFIDENCE, f"keeps only {dim} = {side} (the value said)", predicate),
        dimension=dim,
        values=("true",),
        negative=not keeps_true,
    )
