"""A dating rule whose event is the source's own rows said in other words ("month is the month the review
was written" of reviews dated by ``reviewed_at``): when the rows' semantic model has one time dimension
only, that date is the one meant, whatever verb says it happened. With two or more dates the verb must
name one (``dating.py``), never a guess.
"""

from __future__ import annotations

import re

from metricmind.define.proposal import RuleReading
from metricmind.define.rulevalues import Context, Read
from metricmind.define.words import stems

#: "the month the review was written", "the day each order got shipped", "month in which the ticket was
#: raised": the rows' noun and a verb of what happened to them.
SAID = re.compile(
    r"\b(?:month|day|date) (?:that |when |in which |on which )?(?:the |its |their |each |a |an )?"
    r"(?P<noun>[a-z]+) (?:was|were|is|are|got|gets|has been|had been) (?:first )?(?P<verb>[a-z]+)\b"
)
#: Confidence of the one date read through another verb: a person checks the verb means it.
CONFIDENCE = 0.7


def only_date(text: str, low: str, ctx: Context) -> Read | None:
    """The rule read as the source rows' one date; None when it names other rows or they have several."""
    m = SAID.search(low)
    if m is None:
        return None
    noun = stems(m.group("noun"))
    for name in sorted(ctx.home):
        sm = ctx.model.semantic_models.get(name)
        if sm is None or not sm.primary or stems(sm.primary.replace("_", " ")) != noun:
            continue
        times = [d.name for d in sm.dimensions if d.type == "time"]
        if len(times) != 1 or times[0] not in ctx.time_dims:
            return None
        why = (
            f"dates the metric by {times[0]}, the one date of {sm.name} ({m.group('noun')} "
            f"{m.group('verb')}: its only date)"
        )
        return Read(RuleReading(text, "time", CONFIDENCE, why), time_dimension=times[0])
    return None
