"""A rule that lists what a group word means, read by a dimension's own description of that value.

"Direct means our website, the call centre, walk-ins and corporate direct": no value of the catalog is
"our website", but a dimension may describe its values in words of the project's own ("channel_group:
direct (our website, call centre, walk-ins, corporate direct), ota or gds"). When the word the rule defines
is a value described that way and the rule lists the same items as its description (every item, in any
order, stems compared), the rule keeps that value. A list that differs by one item is not read here: the
person's group is not the catalog's, and the rule stays for the other readers (or unread).
"""

from __future__ import annotations

import re

from metricmind.define.proposal import RuleReading
from metricmind.define.rulevalues import Context, Read, find_dimension, predicate_for
from metricmind.define.words import stems
from metricmind.spec.names import SEP

#: "W means A, B and C", "W is A, B or C", "W covers …", "by W we mean …".
_RULE = re.compile(
    r"^\s*(?:by\s+)?(?P<word>[\w'-]+(?:\s+[\w'-]+)?)\s+(?:we\s+mean|means?|is|are|includes?|covers?|=|:)\s+"
    r"(?P<items>.+?)\s*\.?\s*$",
    re.I,
)
#: A value and the parenthesis describing it in a dimension's description: "direct (our website, …)".
_DESCRIBED = re.compile(r"(?P<value>[\w-]+)\s*\((?P<inner>[^()]+)\)")
_LEAD = frozenset("our the a an all any".split())
#: How a listed item may be said with a plural or a hyphen ("walk-ins" of "walk-in").
_CONFIDENCE = 0.8


def _items(text: str) -> frozenset[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()
    for part in re.split(r",|;|\band\b|\bor\b|&|/", text.lower()):
        words = [w for w in stems(part.replace("-", " ").replace("_", " ")) if w not in _LEAD]
        if words:
            out.add(tuple(words))
    return frozenset(out)


def described_list(text: str, ctx: Context) -> Read | None:
    """The filter a rule that lists a described value's items reads, or ``None``."""
    m = _RULE.match(text)
    if m is None:
        return None
    word = stems(m.group("word").lower().replace("-", " ").replace("_", " "))
    listed = _items(m.group("items"))
    if not listed:
        return None
    hits: list[tuple[str, str]] = []
    for name in sorted(ctx.reachable, key=lambda n: (n.count(SEP), n)):
        dim = find_dimension(ctx.model, name)
        if dim is None or dim.type != "categorical" or not dim.description:
            continue
        for d in _DESCRIBED.finditer(dim.description):
            value = d.group("value")
            if (
                stems(value.lower().replace("_", " ").replace("-", " ")) == word
                and _items(d.group("inner")) == listed
            ):
                hits.append((name, value))
    tails = {n.rsplit(SEP, 1)[-1] for n, _ in hits}
    if len(tails) != 1 or len({v for _, v in hits}) != 1:
        return None  # none, or several dimensions describe it so: another reader (or unread)
    name, value = hits[0]
    return Read(
        RuleReading(
            text,
            "filter",
            _CONFIDENCE,
            f"the rule lists what {name.rsplit(SEP, 1)[-1]}'s description says {value!r} is: keeps only "
            f"{name} = {value}",
            predicate_for(name, (value,), False),
        ),
        dimension=name,
        values=(value,),
    )
