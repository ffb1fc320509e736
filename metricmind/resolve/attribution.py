"""Attribution phrasing: "which channel gets the credit for new MRR", "new MRR attributed to email",
"credited to paid social under last-touch".

The catalog's attribution metrics are found by their labels ("New MRR, first-touch attribution"): the part
before the comma is the metric they attribute (new MRR), the words before "attribution" the model
("first touch"). A question about that metric that speaks of credit or attribution is read as the
attribution metric of the model it names, or of ``DEFAULT_MODEL`` when it names none (and a note says so).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from metricmind.resolve.text import Token, stems
from metricmind.spec.model import Model

CREDIT_WORDS = frozenset(
    {"attributed", "attribution", "attribute", "credit", "credits", "credited", "touches", "touch"}
) | {"attributable"}  # ("new mrr attributable to paid search")
DEFAULT_MODEL = ("last", "touch")
"""The model assumed when a question names none: the one most teams report by default."""


@dataclass(frozen=True)
class Attribution:
    """One attribution metric: what it attributes and under which model."""

    metric: str
    base: str
    model: tuple[str, ...]


def attribution_metrics(
    model: Model, lookup_metric: Callable[[tuple[str, ...]], str | None]
) -> list[Attribution]:
    """The catalog's attribution metrics, from labels such as "New MRR, first-touch attribution".

    ``lookup_metric`` gives the metric a phrase's stems name (for the part before the comma).
    """
    out: list[Attribution] = []
    for name, metric in model.metrics.items():
        label = metric.label or ""
        if "," not in label or not label.lower().rstrip().endswith("attribution"):
            continue
        head, tail = label.split(",", 1)
        base = lookup_metric(stems(head))
        words = tuple(w for w in stems(tail) if w != "attribution")
        if base is not None and words:
            out.append(Attribution(name, base, words))
    return out


def read_model(
    tokens: list[Token], found: list[Attribution]
) -> tuple[Attribution | None, tuple[int, int] | None]:
    """The attribution metric whose model the question names, and where; (None, None) when it names none."""
    norms = [t.norm for t in tokens]
    for a in found:
        k = len(a.model)
        for i in range(len(norms) - k + 1):
            if tuple(norms[i : i + k]) == a.model:
                return a, (i, i + k)
    return None, None


LIST_JOINTS = frozenset({"and", "or", "vs", "versus", "plus"})


def listed_models(
    question: str, tokens: list[Token], found: list[Attribution]
) -> list[tuple[Attribution, int, int]]:
    """Several catalog models named in one list ("first touch and last touch", "first, last and linear
    attributed"), each with the tokens it takes; a model's last word may be left to the list's end (the
    shared noun: "first and last touch"). Empty unless two or more models are listed together and the
    list names a whole model of two words or ends at a credit word ("attributed", "attribution").
    """
    norms = [t.norm for t in tokens]

    def at(i: int) -> tuple[Attribution, int, bool] | None:
        for a in found:  # the whole model first ("last touch"), then its first word alone ("last")
            if tuple(norms[i : i + len(a.model)]) == a.model:
                return a, i + len(a.model), len(a.model) > 1
        for a in found:
            if len(a.model) > 1 and norms[i] == a.model[0]:
                return a, i + 1, False
        return None

    def joint(i: int) -> int | None:
        """The index after the list joint following token ``i - 1`` (a comma, "and", "or"), or None."""
        if i >= len(tokens):
            return None
        gap = question[tokens[i - 1].end : tokens[i].start]
        if norms[i] in LIST_JOINTS:
            return i + 1
        return i if any(c in gap for c in ",/&") else None

    i = 0
    while i < len(tokens):
        chain: list[tuple[Attribution, int, int]] = []
        whole = False
        k = i
        while k < len(tokens) and (hit := at(k)) is not None:
            a, end, full = hit
            chain.append((a, k, end))
            whole = whole or full
            nxt = joint(end)
            if nxt is None:
                k = end
                break
            k = nxt
        models = {a.metric for a, _, _ in chain}
        ends_at_credit = k < len(tokens) and norms[k] in CREDIT_WORDS
        if len(models) >= 2 and (whole or ends_at_credit):
            return chain
        i = (chain[0][1] if chain else i) + 1
    return []


def speaks_of_credit(tokens: list[Token]) -> bool:
    """Whether the question asks about credit or attribution."""
    return any(t.norm in CREDIT_WORDS for t in tokens)


CUES = frozenset({"under", "using", "with", "via", "per", "on"})
OTHER_MODELS = ("markov", "shapley", "position based", "u shaped", "time decay")
"""Models the analysis (``metricmind.analyses``) computes and no catalog metric holds."""


def wants_analysis(tokens: list[Token], where: tuple[int, int] | None) -> bool:
    """Whether the question asks for an attribution analysis rather than a catalog metric: a model the
    catalog lacks ("Markov"), several or all models, the noun "attribution" with no model, or a model
    after a cue ("under last touch", "using linear"). Those are for ``read_analysis`` (analysisrequest).
    """
    norms = [t.norm for t in tokens]
    text = " " + " ".join(norms) + " "
    if any(f" {m} " in text for m in OTHER_MODELS) or " models " in text:
        return True
    if where is None:
        return "attribution" in norms
    j = where[0] - 1
    while j >= 0 and norms[j] in ("the", "a"):
        j -= 1
    return j >= 0 and norms[j] in CUES
