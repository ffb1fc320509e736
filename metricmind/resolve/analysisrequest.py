"""Attribution questions: "Show me the attribution of new MRR by channel for Q1 using all models".

The resolver reads such a question as a metric query (new MRR by acquisition channel) and would ignore
"attribution" and "models". ``read_analysis`` recognises an attribution request and marks the resolution
as an analysis (``Resolution.analysis``: ``{"kind": "attribution", "models", "start", "end", "measure"}``),
which ``metricmind ask --run``, the web Ask box and MCP ``resolve_question`` run with ``metricmind.analyses``
and answer with the models side by side and the reading. The dates come from the resolver's time range.

What counts as an attribution request: the words attribution / attribute(d) / credit(ed); "which (or what)
channels drive"; "all (attribution) models" / "every model"; a named model (first touch, last touch, linear,
position-based, U-shaped, time decay, Shapley, Markov) after "under", "using", "with", "via", "per" or "on",
or before "model"; or two models named. A question the catalog answers as a metric stays a metric query
unless it asks for all models: one that groups by something other than a channel or time ("linear
attribution by campaign"), or reads an attributed metric ("first touch attributed new MRR by channel", the
demo's ``*_attributed_new_mrr``) without asking about models (a cued model, "with the Shapley model", or
two models named, "time decay and U-shaped attribution", make it an analysis request).
"""

from __future__ import annotations

import re

from metricmind.resolve.resolution import Resolution, Span
from metricmind.spec.model import Model
from metricmind.spec.names import METRIC_TIME

ATTRIBUTION_MODELS = (
    "first_touch",
    "last_touch",
    "linear",
    "position_based",
    "time_decay",
    "shapley",
    "markov",
)
"""The seven models of ``metricmind.analyses.MODELS`` (a sibling package; a test keeps them equal)."""

_MODEL_WORDS = {
    # "first and last touch", "first, last and linear": a model's first word in a list of models
    "first_touch": r"first[\s-]*touch|first(?=\s*(?:,|and|or|&|/)\s*(?:last|linear)\b)",
    "last_touch": r"last[\s-]*touch|last(?=\s*(?:,|and|or|&|/)\s*(?:first|linear)\b)",
    "linear": r"linear",
    "position_based": r"position[\s-]*based|u[\s-]*shaped",
    "time_decay": r"time[\s-]*decay",
    "shapley": r"shapley",
    "markov": r"markov",
}
_STRONG = re.compile(
    r"\b(attribution|attribut(?:e|ed|es|ing)|credit(?:s|ed)?|"
    r"(?:which|what) (?:marketing )?channels? (?:drive|drives|driv(?:e|ing)|bring|brings|convert)|"
    r"channels? (?:that|which) (?:drive|drives|bring|convert))\b"
)
_ALL = re.compile(r"\b(?:all|every|each)(?: (?:the|of the))?(?: (?:seven|7))?(?: attribution)? models?\b")
_BEFORE = re.compile(r"\b(?:under|using|with|via|per|on)\s+(?:the\s+|a\s+)?$")
_AFTER = re.compile(r"[\s-]+(?:attribution\s+)?models?\b")
_CONVERSIONS = re.compile(r"\b(conversions?|signups?|sign[\s-]ups?|customers?|deals?)\b")
_REVENUE = re.compile(r"\b(revenue|mrr|arr|bookings?|money)\b")


def _named_models(text: str) -> list[tuple[str, re.Match[str], bool]]:
    """Models named in ``text``: (model, match, cued), cued when a cue is next to it (``under last touch``,
    ``the linear model``).
    """
    found = []
    for model, words in _MODEL_WORDS.items():
        match = re.search(rf"\b(?:{words})\b", text)
        if match is not None:
            cued = bool(_BEFORE.search(text[: match.start()]) or _AFTER.match(text[match.end() :]))
            found.append((model, match, cued))
    return found


def _explains(note: str, claimed: set[str]) -> bool:
    """Whether ``note`` is the resolver's "ignored 'models'" about a word the analysis request reads."""
    found = re.match(r"ignored (?:unknown word )?'([^']*)'$", note)
    return found is not None and found.group(1).lower() in claimed


def _catalog_answers(res: Resolution, models_asked: bool, question: str) -> bool:
    """The catalog answers it as a metric: an attributed metric was read ("first touch attributed new MRR")
    and the question does not ask about models (none cued, fewer than two named), or a dimension other than
    a channel or time is grouped by ("linear attribution by campaign").
    """
    attributed = [m for m in res.metrics if "attribut" in m]
    if attributed and not models_asked:
        return True
    if len(attributed) == 1 and any("channel" in f.field and f.op == "=" for f in res.filters):
        return True  # "credited to paid social under last-touch": one model's credit to one channel
    if (
        len(attributed) >= 2
        and re.search(r"\battributed\b", question)
        and not re.search(r"\battribution\b", question)
        and not any(cued for _, _, cued in _named_models(question))
    ):
        return True  # "first and last touch attributed new MRR": each model's metric ("attribution of": analysis)
    return any(name != METRIC_TIME and "channel" not in name for name, _ in res.group_by)


def attribution_modelled(model: Model) -> bool:
    """Whether the catalog models marketing attribution: it has attribution metrics (labels such as "New MRR,
    first-touch attribution", as ``attribution.attribution_metrics`` reads them). A support desk's "which
    channels drive the most tickets" is then a ranking of its own channels, never an attribution analysis.
    """
    return any(
        "," in (m.label or "") and (m.label or "").lower().rstrip().endswith("attribution")
        for m in model.metrics.values()
    )


def read_analysis(question: str, res: Resolution, catalog: Model) -> Resolution:
    """Mark ``res`` as an attribution analysis when ``question`` asks for one and the catalog models
    attribution (``attribution_modelled``); else return it unchanged.

    Args:
        question: The question as asked.
        res: The resolver's reading of it (its time range gives the analysis's dates).
        catalog: The catalog the question is about.

    Returns:
        ``res``, with ``analysis`` set (and answerable) when the question is an attribution request.
    """
    if not attribution_modelled(catalog):
        return res
    text = question.lower()
    strong = _STRONG.search(text)
    every = _ALL.search(text)
    named = _named_models(text)
    if not (strong or every or named):
        return res
    models_asked = len(named) >= 2 or any(cued for _, _, cued in named)
    if not (strong or every or models_asked):
        return (
            res  # a model named alone must be about credit: "new MRR under last touch", not "a linear trend"
        )
    if not every and res.answerable and _catalog_answers(res, models_asked, question.lower()):
        return res
    models = [m for m in ATTRIBUTION_MODELS if m in {name for name, _, _ in named}]
    if every or not models:
        models = list(ATTRIBUTION_MODELS)
    revenue = _REVENUE.search(text)
    conversions = _CONVERSIONS.search(text)
    measure = "conversions" if conversions and not revenue else "revenue"
    rng = res.time_range
    res.analysis = {
        "kind": "attribution",
        "models": models,
        "start": rng[0].isoformat() if rng else None,
        "end": rng[1].isoformat() if rng else None,
        "measure": measure,
    }
    for match in (strong, every):
        if match is not None:
            res.span(
                "analysis",
                Span(question[match.start() : match.end()], match.start(), match.end(), "attribution"),
            )
    for model, match, _ in named:
        first, last = match.span()
        res.span("analysis", Span(question[first:last], first, last, model, "model"))
    claimed = {w for span in res.spans.get("analysis", []) for w in re.findall(r"[a-z]+", span.text.lower())}
    res.notes = [n for n in res.notes if not _explains(n, claimed)]
    if strong or every:  # the words the metric reading left unexplained are explained now
        res.confidence = max(res.confidence, 0.9)
    if not res.answerable:  # "which channels drive signups?" names no metric the catalog knows: fine here
        res.answerable = True
        res.reason = None
        res.nearest = []
        res.confidence = 0.7
    res.notes.append(
        "an attribution analysis: run it with the analyze tool (metricmind analyze attribution); "
        f"models {', '.join(models)}"
    )
    return res
