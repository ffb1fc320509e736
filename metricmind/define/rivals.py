"""Two metrics the definition names alike ("IAP revenue" names `iap_revenue`, labelled "IAP Revenue
(gross)", and `iap_net_revenue`, "IAP Revenue (net)"): the words that tell them apart ("gross", "net"),
when the definition and its rules say neither, make the choice a guess, never a confident answer.
"""

from __future__ import annotations

from metricmind.define.proposal import Definition
from metricmind.define.words import stems
from metricmind.spec.model import Metric

#: Words that tell nothing apart.
_GLUE = frozenset("the of a an and or in for by per to from on at with our".split())


def _words(metric: Metric) -> set[str]:
    return _stems(f"{metric.name} {metric.label}")


def _stems(text: str) -> set[str]:
    return set(stems(text.lower().replace("_", " ").replace("-", " "))) - _GLUE


def unsaid_difference(top: Metric, second: Metric, definition: Definition) -> tuple[str, str] | None:
    """(a word only ``top`` has, a word only ``second`` has) by name and label, when each has one and the
    definition and its rules say none of them; None otherwise (one of them is the plainer name, or the
    words say which).
    """
    mine, theirs = _words(top) - _words(second), _words(second) - _words(top)
    if not mine or not theirs:
        return None
    said = _stems(" ".join((definition.name, definition.text, *definition.rules)))
    if (mine | theirs) & said:
        return None
    return sorted(mine)[0], sorted(theirs)[0]
