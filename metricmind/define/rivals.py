"""Two metrics the definition names alike ("IAP revenue" names `iap_revenue`, labelled "IAP Revenue
(gross)", and `iap_net_revenue`, "IAP Revenue (net)"): the words that tell them apart ("gross", "net"),
when the definition and its rules say neither, make the choice a guess, never a confident answer.
"""

from __future__ import annotations

from metricmind.define.proposal import Definition
from metricmind.define.rank import Candidate
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
    if not mine or not theirs or plainer(top, second, definition):
        return None
    said = _stems(" ".join((definition.name, definition.text, *definition.rules)))
    if (mine | theirs) & said:
        return None
    return sorted(mine)[0], sorted(theirs)[0]


def plainer(top: Metric, second: Metric, definition: Definition) -> bool:
    """``top``'s name is said word for word and ``second``'s name adds a word the definition never says
    ("IAP revenue" names `iap_revenue`, not `iap_net_revenue`, whatever their labels' parentheses say):
    the catalog's plain name is the one the words name.
    """
    said = _stems(" ".join((definition.text, *definition.rules)))
    mine, theirs = _stems(top.name), _stems(second.name)
    return bool(mine) and mine <= said and bool(theirs - said) and mine < theirs


def names_only_metric(definition: Definition, metric: Metric, column: str) -> bool:
    """The definition says ``metric``'s name word for word and no word of ``column`` besides ("IAP revenue"
    of `iap_revenue` against the column ``net_revenue_usd``): the words name the metric, not the column.
    """
    said = _stems(" ".join((definition.text, *definition.rules)))
    name = _stems(metric.name)
    return bool(name) and name <= said and not (_stems(column) & (said - name))


def plain_name_first(definition: Definition, ranked: list[Candidate], floor: float) -> list[Candidate]:
    """``ranked`` with the runner-up first when both are named by the definition, the runner-up's name is
    the plainer one, said word for word, and the top one was named by no word that name does not say
    ("IAP revenue": `iap_revenue` before `iap_net_revenue`, which its label "IAP Revenue (net)" made look
    said). A top named by more words stays first ("Net MRR change …": `net_new_mrr`, whose synonym says
    "net MRR change", before `mrr`, which only "MRR" names).
    """
    if len(ranked) < 2 or ranked[1].score < floor:
        return ranked
    top, second = ranked[0], ranked[1]
    if not all("the definition says" in c.reason for c in (top, second)):
        return ranked
    if not top.phrase or not _stems(top.phrase) <= _stems(second.metric.name):
        return ranked
    if not plainer(second.metric, top.metric, definition):
        return ranked
    return [second, top, *ranked[2:]]
