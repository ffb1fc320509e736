"""A threshold said with its unit and a verb: "learners who watched more than 300 minutes".

The amount's unit ("minutes", "hours", "nights", "km") and the verb before the threshold ("watched",
"stayed", "drove") together name what is measured, though neither is a metric's phrase alone: the catalog's
"Watch Time (minutes)" (``watch_minutes``) holds both. ``unit_metric`` reads, among the simple metrics, the
one whose name, label or synonyms hold the unit word and whose words (description included) hold the
verb in one of its forms; one such metric is the threshold's, none or several no reading. Read from each
project's catalog (``describe``), no project's words.
"""

from __future__ import annotations

from metricmind.resolve.describe import PHRASE_WEIGHT, MetricTexts, content, key
from metricmind.resolve.text import Token
from metricmind.spec.model import Model


def unit_metric(
    tokens: list[Token], used: list[bool], first: int, last: int, model: Model, texts: MetricTexts
) -> tuple[str, int, int] | None:
    """The simple metric the unit right after the threshold ``first``..``last`` and the verb right before it
    name together, with the positions of that verb and unit; None unless exactly one metric fits.
    """
    verb, unit = first - 1, last
    if verb < 0 or unit >= len(tokens) or used[unit]:  # (the verb may be read already: "how many … watched")
        return None
    said_verb, said_unit = tokens[verb].norm, tokens[unit].norm
    if not (content(said_verb) and content(said_unit) and said_unit.isalpha()):
        return None
    v, u = key(said_verb), key(said_unit)
    found = [
        m
        for m, mm in model.metrics.items()
        if mm.type.value == "simple"
        and texts.weights.get(m, {}).get(u, 0.0) >= PHRASE_WEIGHT
        and v in texts.weights.get(m, {})
    ]
    return (found[0], verb, unit) if len(found) == 1 else None
