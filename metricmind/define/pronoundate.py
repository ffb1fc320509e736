"""A date said by a pronoun and a verb that names no date ("…, counted on the day they were made"): the
definition's reader finds no time dimension in it, and the metric would be dated by its own date in
silence. It is read only when the chosen metric, measure or time dimension says the verb itself (the
`bookings_made` metric, described "Reservations counted on the day they were made"); otherwise it is an
unread item: a person names the date.
"""

from __future__ import annotations

import re

from metricmind.define.proposal import Proposal, RuleReading
from metricmind.define.words import stems
from metricmind.spec.model import Model

_PRONOUN_DATE = re.compile(
    r"(?:\b(?:date|day|month|week)\s+(?:that\s+|when\s+|on\s+which\s+|in\s+which\s+)?|"
    r"\b(?:count(?:ed|s)?|book(?:ed|s)?|record(?:ed|s)?|dated?|report(?:ed|s)?)(?:\s+(?:it|them))?\s+when\s+)"
    r"(?:they|it)\s+"
    r"(?:(?:were|was|got|are|is|first)\s+)*(?P<verb>[a-z]+)\b",
    re.I,
)
#: Participles the dating forms read themselves ("the day it was paid" names ``paid_at``): -ed and -id.
_READ = re.compile(r"(?:ed|id)$")
_GENERIC = frozenset(
    "made placed created recorded logged registered happened occurred done sold taken given sent".split()
)


def flag_pronoun_date(proposal: Proposal, model: Model, text: str) -> None:
    """An unread item when ``text`` dates its rows by "the day they were <verb>" and nothing the proposal
    reads says that verb.
    """
    if proposal.metric is None:
        return
    m = _PRONOUN_DATE.search(text)
    if m is None:
        return
    verb = m.group("verb").lower()
    if verb not in _GENERIC and _READ.search(verb):
        dated_by = proposal.time_dimension.name if proposal.time_dimension else ""
        if not dated_by or set(stems(verb)) <= set(stems(dated_by.replace("_", " "))):
            return  # "the day it was paid": the dating forms read it, and the metric is dated so
    said: list[str] = []
    meta = (proposal.metric.get("config") or {}).get("meta") or {}
    base = model.metrics.get(str(meta.get("based_on") or ""))
    if base is not None:
        said += [base.name, base.label or "", base.description or ""]
    if proposal.measure is not None and proposal.measure.name in model.measures:
        ms = model.measures[proposal.measure.name]
        said += [ms.name, ms.description or ""]
    if proposal.time_dimension is not None:
        said.append(proposal.time_dimension.name)
    words = set(stems(" ".join(said).lower().replace("_", " ")))
    if set(stems(verb)) <= words:
        return
    dated = proposal.time_dimension.name if proposal.time_dimension else "its measure's own date"
    proposal.rules.append(
        RuleReading(
            f"(in the definition) {text}",
            "unread",
            0.1,
            f"counts by {m.group(0)!r}, which names no date of the catalog (the metric would be dated by "
            f"{dated}); name the date in a rule",
        )
    )
