"""A ratio over the month before ("expansion MRR as a percent of last month's closing MRR", "churned MRR as a
percentage of MRR at the start of the month"): the denominator read one month back, by MetricFlow's
``offset_window: 1 month`` on a derived metric's input (``num / nullif(den_prev, 0)``).

"Last month's", "the previous month's", "the prior month's" move any denominator one month back; "at the
start of the month", "start-of-month" and "opening" do so only for a point-in-time denominator (a month-end
snapshot: the value at the start of a month is the one at the previous month's end); of a flow they are
left unread (the caller refuses). A rule that only says so ("Closing MRR is the total MRR at the end of the
previous month", "Start-of-month MRR is the MRR at the previous month's end") is covered. Pure.
"""

from __future__ import annotations

import re
from typing import Any

from metricmind.define.distinctper import said_words
from metricmind.define.items import meta_of
from metricmind.define.proposal import Definition, NewMeasure, RuleReading
from metricmind.spec.model import Model

#: The month before, said of the denominator.
PRIOR = re.compile(
    r"\b(?:(?:the\s+)?(?:last|previous|prior|preceding)\s+month'?s?|(?:at\s+)?the\s+(?:start|beginning)\s+of\s+"
    r"(?:the|each|every)\s+month|start[- ]of[- ](?:the[- ])?month|opening)\b",
    re.IGNORECASE,
)
#: Of these, the ones that mean a point in time (the value at the month's start).
AT_START = re.compile(r"\b(?:start|beginning|opening)\b", re.IGNORECASE)
#: A rule that says the denominator is read at the previous month's end.
_PRIOR_RULE = re.compile(
    r"\b(?:previous|prior|last|preceding)\s+month'?s?\s+(?:end|close|closing)\b|"
    r"\bend\s+of\s+the\s+(?:previous|prior|last|preceding)\s+month\b",
    re.IGNORECASE,
)
#: Words such a rule may use beside the denominator's own words.
_RULE_WORDS = frozenset(
    said_words(
        """
        start month opening closing close end total previous prior last preceding means mean is are
        value level balance day
        """
    )
)


def without_prior(text: str) -> str:
    """``text`` without the words of the month before, and the "closing" they qualify ("last month's closing
    MRR": the month-end value, which a snapshot is).
    """
    if PRIOR.search(text) is None:
        return text
    return re.sub(r"\bclosing\b", " ", PRIOR.sub(" ", text), flags=re.IGNORECASE)


def prior_of(text: str) -> tuple[str, bool] | None:
    """(the denominator's text without the words of the month before, whether they name a point in time),
    or None when it says no month before.
    """
    m = PRIOR.search(text)
    if m is None:
        return None
    rest = " ".join(without_prior(text).split())
    return rest.strip(" ,'") or text, bool(AT_START.search(m.group(0)))


def offset_item(definition: Definition, num: dict[str, Any], den: dict[str, Any]) -> dict[str, Any]:
    """The derived metric: the numerator's part over the denominator's part one month back."""

    def ref(part: dict[str, Any], alias: str) -> dict[str, Any]:
        out = {k: v for k, v in part.items() if k in ("name", "filter")}
        return {**out, "alias": alias}

    return {
        "name": definition.name,
        "label": definition.name.replace("_", " ").capitalize(),
        "description": definition.text,
        "type": "derived",
        "type_params": {
            "expr": "part_now / nullif(part_month_before, 0)",
            "metrics": [
                ref(num, "part_now"),
                {**ref(den, "part_month_before"), "offset_window": "1 month"},
            ],
        },
        "config": {"meta": meta_of(definition, "ratio")},
    }


def point_in_time(
    model: Model, part: dict[str, Any], measures: list[NewMeasure], new: list[dict[str, Any]]
) -> bool:
    """The part's metric is a month-end value (every measure it reads is semi-additive over time)."""
    name = str(part.get("name"))
    if name in model.metrics:
        found = [model.measures[n] for n in model.measures_of(name) if n in model.measures]
        return bool(found) and all(m.non_additive is not None for m in found)
    item = next((m for m in new if m.get("name") == name), None)
    measure = (item or {}).get("type_params", {}).get("measure")
    measure = measure.get("name") if isinstance(measure, dict) else measure
    if measure in model.measures:
        return model.measures[measure].non_additive is not None
    made = next((m.measure for m in measures if m.measure.get("name") == measure), None)
    return made is not None and "non_additive_dimension" in made


def cover_prior_rules(readings: list[RuleReading], den_text: str) -> list[RuleReading]:
    """``readings`` with each unread rule that only says the denominator is the previous month's end
    read as covered.
    """
    own = set(said_words(den_text)) | _RULE_WORDS
    out = []
    for r in readings:
        if r.status == "unread" and not r.text.startswith("(") and _PRIOR_RULE.search(r.text):
            if set(said_words(r.text)) <= own:
                r = RuleReading(
                    r.text, "covered", 0.75, "the denominator is read at the previous month's end"
                )
        out.append(r)
    return out
