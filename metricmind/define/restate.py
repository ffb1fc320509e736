"""Rules that only restate how the proposed metric computes ("Median of days to pay", "AOV = GMV / number
of orders", "net of refunds: subtract each paid invoice's refunded amount").

Such a rule names no value to keep or drop: it says the arithmetic the proposal already does. It was left
unread (no dimension or value found), which blocked writing a metric that computes exactly that. A rule is
read as covered only when

- it states an operation (a symbol ``= / ÷ × + -`` or a word: subtract, net of, divided, median, average …);
- every content word of it is a word of the definition, of a part's own text, of the columns aggregated, or
  of the names and labels of the metrics the proposal reads;
- every word that names a value or a yes/no flag of the catalog ("paid") is also said by the definition, a
  part's text or a rule read as a filter: a restriction said only in the restating rule is not dropped.

Anything else stays unread.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from metricmind.define.proposal import RuleReading
from metricmind.define.statistics import ASKS_OTHER
from metricmind.define.words import content, lexicon
from metricmind.spec.model import Model

#: An operation stated in a rule.
OPERATION = re.compile(
    r"[=/÷×+]|\s[-−]\s|\b(subtract\w*|deduct\w*|minus|net of|less|divided|over|plus|add(?:ed|ing)?|"
    r"sum of|median|average|avg|mean|total of|number of|count of|max(?:imum)?|min(?:imum)?|largest|"
    r"smallest|percentile|p\d\d|x|times|multipl\w*)\b",
    re.IGNORECASE,
)
#: Words of the operation itself (content words that say how, never what).
OPERATION_WORDS = frozenset(
    "subtract subtracted subtracting deduct deducted net add added adding max maximum min minimum largest "
    "smallest percentile divide x times multiplied multiply".split()
)
#: Statuses a restating rule may replace.
UNREAD = "unread"


def flagged(model: Model, word: str) -> bool:
    """``word`` names a value or a yes/no flag of the catalog (a rule with it may restrict rows)."""
    for entry in lexicon(model).lookup((word,)):
        if entry.kind == "value":
            return True
        if entry.kind == "dimension" and entry.target.rsplit("__", 1)[-1].startswith(("is_", "has_")):
            return True
    return False


#: A rule or a metric's own rule that leaves rows out ("trials excluded", "not refunded").
NEGATIVE = re.compile(
    r"\b(exclud\w*|not|no|non|without|except\w*|never|ignor\w*|leav\w* out|left out)\b", re.I
)


def restates(model: Model, rule: str, explained: set[str], said: set[str], own: Iterable[str] = ()) -> bool:
    """Whether ``rule`` only restates the computation whose words are ``explained``; ``said`` are the
    words the definition, the parts and the filters read say (a value word must be among them, or be said
    with the same polarity by a rule or description of the metric read, ``own``: "ARR = month-end MRR x 12,
    trials excluded" on `arr`, whose MRR excludes trials).
    """
    if rule.startswith("(") or not OPERATION.search(rule):
        return False
    words = content(rule)
    if not words:
        return False
    for w in words:
        if w in OPERATION_WORDS:
            continue
        if _own_says(w, rule, own):  # the metric read already says it, the same way
            continue
        if not _within(w, explained):
            return False
        if flagged(model, w) and not _within(w, said):
            return False
    return True


def _own_says(word: str, rule: str, own: Iterable[str]) -> bool:
    """A sentence of the metric's own rules says ``word`` leaving rows out as ``rule`` does (or keeping)."""
    negative = bool(NEGATIVE.search(rule))
    for text in own:
        for sentence in re.split(r"[.;]\s+", text):
            if _within(word, set(content(sentence))) and bool(NEGATIVE.search(sentence)) == negative:
                return True
    return False


def own_rules(model: Model, names: Iterable[str], depth: int = 3) -> list[str]:
    """The business rules, definitions and descriptions of the metrics ``names`` and of those they read."""
    out: list[str] = []
    for name in names:
        metric = model.metrics.get(name)
        if metric is None:
            continue
        out += [str(r) for r in metric.meta.get("business_rules") or ()]
        out += [metric.description, str(metric.meta.get("definition") or "")]
        parts = [metric.numerator, metric.denominator, *metric.inputs]
        if depth > 1:
            out += own_rules(model, [p.name for p in parts if p is not None], depth - 1)
    return out


def _within(word: str, words: set[str]) -> bool:
    if word in words:
        return True
    return any(len(word) >= 4 and len(w) >= 4 and (w.startswith(word) or word.startswith(w)) for w in words)


def words_of(texts: Iterable[str]) -> set[str]:
    """Content stems of ``texts`` (underscores split words)."""
    out: set[str] = set()
    for t in texts:
        out.update(content(t))
    return out


#: A rule bounding rows by a number ("only stars = 5", "at least 3 nights"): never a restatement.
BOUNDS = re.compile(
    r"(?:[=<>]|\b(?:at least|at most|above|below|over|under|more than|less than|fewer than|or more|or less|"
    r"or higher|or lower|and above|and below|and up)\b)\s*-?\d|\d\s*(?:\+|or more|or less|or higher|"
    r"or lower|and above|and below|and up)\b",
    re.IGNORECASE,
)


def cover_restating(
    model: Model,
    readings: list[RuleReading],
    explained: set[str],
    said: set[str],
    what: str,
    own: Iterable[str] = (),
) -> list[RuleReading]:
    """``readings`` with each unread rule that restates the computation (``what``) read as covered."""
    said = said | words_of(r.text for r in readings if r.status == "filter")
    out = []
    for r in readings:
        if (
            r.status == UNREAD
            and r.suggestion is None
            and not r.reason.startswith(ASKS_OTHER)  # "max, not sum" of a sum: another statistic
            and not BOUNDS.search(r.text)  # "only stars = 5": a number bounds rows, restates nothing
            and restates(model, r.text, explained, said, own)
        ):
            r = RuleReading(r.text, "covered", 0.75, f"restates how the metric computes: {what}")
        out.append(r)
    return out


def metric_words(model: Model, names: Iterable[str]) -> set[str]:
    """Words of the metrics ``names`` (name, label, synonyms) and of the columns their measures aggregate."""
    texts: list[str] = []
    for name in names:
        texts.append(name)
        metric = model.metrics.get(name)
        if metric is None:
            continue
        texts += [metric.label, *(str(s) for s in metric.meta.get("synonyms") or ())]
        parts = [metric.numerator, metric.denominator, *metric.inputs]
        texts += [p.name for p in parts if p is not None]  # "AOV = GMV / number of orders": gmv, orders
        for p in parts:
            sub = model.metrics.get(p.name) if p is not None else None
            if sub is not None:
                texts += [sub.label, *(str(s) for s in sub.meta.get("synonyms") or ())]
        for measure in model.measures_of(name):
            ms = model.measures.get(measure)
            if ms is not None:
                texts += [ms.name, ms.expr]
    return words_of(texts)
