"""Words of a definition: content stems, the project's vocabulary, and the cues that pick a measure.

Stems come from the resolver's tokenizer (``metricmind.resolve.text``), so "subscriptions" meets
"subscription" the way a question does.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from metricmind.resolve.lexicon import Lexicon, build_lexicon
from metricmind.resolve.text import stems as _stems
from metricmind.spec.model import Model

#: English words that carry no meaning for picking a source: articles, prepositions, time words, verbs of
#: counting. A content word outside these and outside the project's vocabulary is an unknown word.
GLUE = frozenset(
    """
    a an the of and or in on at by per for to with through via is are as be been being was were it its their them they
    this that these those each every all any some no not none than then there from into over under up down
    out off about after before during since until till while when whose who which what where how many much
    more most less least very so such only just also too still yet ever again once same other another own
    month months monthly day days daily week weeks weekly quarter year years yearly period periods date dates
    time times end ends start starts beginning first last previous next current today now live living
    total totals sum number numbers count counts counted counting amount amounts value values level
    distinct unique different once twice share proportion percentage percent ratio rate divided by times
    twelve twelfth plus minus average mean median overall whole entire
    do does did done doing have has had having get gets got make makes made take takes taken give given
    use used using come comes came go goes went happen happened occur occurred anything something nothing
    thing things one ones two three dollar dollars money
    still just exactly least most at-least except excluding exclude excluded only without include including
    leave leaving out apart besides aside whether either neither nor but both everything everyone
    anyone anybody everybody across book books force
    our ours we us my mine i me your yours you his her he she someone somebody people folks
    plain simple basic straight regular normal usual typical actual real
    proper full fully simply plainly basically actually really roughly just approximately
    entirely completely altogether wholly whatsoever
    give gives gave giving express expresses expressed expressing show shows showed shown showing
    want wants wanted need needs needed see sees saw seen call calls called treat treats treated
    consider considers considered report reports reported track tracks tracked compute computes computed
    calculate calculates calculated say says said tell tells told know knows knew think like
    etc eg ie e.g i.e between unweighted whatever whichever whoever regardless irrespective
    """.split()
)
#: Words that grade rather than name ("our big customers"): no unknown word (nothing is refused for them),
#: but explained only by a filter the definition says they mean ("By big customers I mean the Enterprise
#: segment"); otherwise they lower the confidence like any word the metric does not explain.
SOFT = frozenset(
    "big bigger biggest small smaller smallest large larger largest huge tiny key main major important "
    "top best worst strategic premium core".split()
)
#: Everyday abbreviations, read as the words they stand for ("avg days", "subs cancelled", "5 pct").
ABBREVIATIONS = (
    (re.compile(r"\bavg\b\.?", re.IGNORECASE), "average"),
    (re.compile(r"\bsubs\b", re.IGNORECASE), "subscriptions"),
    (re.compile(r"\bsub\b", re.IGNORECASE), "subscription"),
    (re.compile(r"\bpct\b|\bper cent\b", re.IGNORECASE), "percent"),
    (re.compile(r"\bno\. of\b|\bnum\.? of\b", re.IGNORECASE), "number of"),
    (re.compile(r"\bqty\b", re.IGNORECASE), "quantity"),
    (re.compile(r"\bcusts\b", re.IGNORECASE), "customers"),
    (re.compile(r"\bcust\b", re.IGNORECASE), "customer"),
    (re.compile(r"\bexcl\b\.?", re.IGNORECASE), "excluding"),
    (re.compile(r"\bincl\b\.?", re.IGNORECASE), "including"),
    (re.compile(r"\bw/o\b", re.IGNORECASE), "without"),
    (re.compile(r"(?<![\w/])w/(?=\s)", re.IGNORECASE), "with"),
    (re.compile(r"\bvia\b", re.IGNORECASE), "through"),
    # "mean days to pay", "the mean of": the statistic, not the verb ("I mean", "mean that", "means")
    (
        re.compile(
            r"(?<!\bi )(?<!\bwe )(?<!\byou )(?<!\bthey )(?<!\bto )\bmean\b(?!\s+(?:that|by|the|a|an|it)\b)",
            re.IGNORECASE,
        ),
        "average",
    ),
    # "outside the web app", "outside APAC": every value but those (a negative cue the readers know)
    (re.compile(r"\boutside(?: of)?\b", re.IGNORECASE), "other than"),
)


#: A parenthesis of examples ("(failed payment, business closed etc)", "(e.g. price)"): illustrations,
#: not words the metric must explain.
EXAMPLES = re.compile(
    r"\((?:[^()]*\b(?:etc|and so on)\b\.?[^()]*|\s*(?:e\.g\.|eg\b|i\.e\.|for example|such as|like)[^()]*)\)",
    re.IGNORECASE,
)


def without_examples(text: str) -> str:
    """``text`` without parentheses of examples (``EXAMPLES``)."""
    return EXAMPLES.sub(" ", text)


#: "non-trial", "non wire", "non-cancelled": the negation of the word it is glued to (read as "not …"),
#: except the numeric ones the column readers know ("non-zero", "non-negative") and the word said both
#: ways ("paying and non-paying", which the audit reads as either way).
NON_PREFIX = re.compile(
    r"\bnon[- ](?!(?:zero|negative|positive|null|empty|blank)\b)(?P<word>[a-z][\w]*)", re.IGNORECASE
)


def _non(match: re.Match[str]) -> str:
    before = match.string[: match.start()].lower().split()
    if len(before) >= 2 and before[-1] in ("and", "or") and before[-2] == match.group("word").lower():
        return match.group(0)
    return f"not {match.group('word')}"


def expand(text: str) -> str:
    """``text`` with everyday abbreviations written out (``ABBREVIATIONS``) and "non-X" read as "not X"."""
    for pattern, words in ABBREVIATIONS:
        text = pattern.sub(words, text)
    return NON_PREFIX.sub(_non, text)


#: Phrases that put a value at a point in time (a month's end): "at the end of the month", "as of the last
#: day", "on the books", "live on", "in force", "end-of-month", "month close". Shared by the ranking (which
#: also reads "active … per month" as a snapshot) and the reader of new measures (``terms``).
POINT_IN_TIME = (
    r"at (the )?end of|end of (the|each|every|a) month|month(?:'?s)?[- ]end|end[- ]of[- ]month|\beom\b|"
    r"as of|as at|live (at|on|as)|still \w+ (at|on)|"
    r"(on|at|as of) (the )?(last|final|closing) day|(last|final) day of (the|each|every|a) month|"
    r"month'?s (last|final) day|(close|closing) of (the|each|every|a) month|month(-|'s | )close|"
    r"on the books|in force"
)
SNAPSHOT = re.compile(
    rf"\b({POINT_IN_TIME}|at month end|active \w+( \w+)? (per|each|every|a) month|outstanding)\b",
    re.IGNORECASE,
)
#: A division stated in words (the ranking's cue for a ratio, a rate or an average).
RATIO = re.compile(
    r"\b(share of|proportion of|percentage of|percent of|fraction of|divided by|out of(?! (?:a|an|our|one of our)\b)|relative to|"
    r"ratio|(?<!run )rate|retention|average|(?<!\bi )(?<!\bwe )(?<!\byou )mean(?! that| by| the)|per (?!month|day|week|quarter|year|"
    r"each|every|calendar)\w+)\b|%",
    re.IGNORECASE,
)
DISTINCT = re.compile(
    r"\b(distinct|unique|different|each \w+ (is )?(only )?(counted )?once|once (per|each|a)|"
    r"(counted|count) (only )?once|no (\w+ )?(counted )?twice|deduplicated)\b",
    re.IGNORECASE,
)


#: A verb form used as a verb ("worked with", "holding at least", "begun in"): it says what the rows did,
#: the nouns around it say which data; never an unknown word of its own.
_VERB_USE = re.compile(
    r"\b([a-z]+(?:ed|ing)|begun|become|became|held|done|made|gone|run|ran)\s+"
    r"(?:with|at|on|in|to|into|from|for|by|a|an|the|any|some|their|its|one|more|over|up|out|through|"
    r"onto|under|within|during|after|before)\b",
    re.IGNORECASE,
)


#: Verbs that say a row was used or held ("worked with integrations", "holding a subscription"): the rows'
#: own existence explains them. Any other verb ("cancelled of their own choice") stays unexplained.
USE_VERBS = frozenset(
    """
    work worked working works hold holding held holds own owned owning owns have having has had
    utilize utilized utilizing handle handled handling handles assign assigned assigning assigns
    belong belonged belonging belongs earn earned earning earns generate generated generating generates
    """.split()
)


#: A verb that puts a date in the period ("whose first paid day falls in the month"): it says when.
_DATING = re.compile(r"\b(falls?|fell|lands?|landed)\s+(?:in|within|during)\b", re.IGNORECASE)


def verbs_in(text: str) -> set[str]:
    """The stems of verbs ``text`` uses as verbs ("whose users worked with integrations" → work)."""
    return {s for m in _VERB_USE.finditer(text) for s in stems(m.group(1).lower())} | dating_verbs(text)


def dating_verbs(text: str) -> set[str]:
    """The stems of verbs that date a row in the period ("falls in the month"): explained by the date."""
    return {s for m in _DATING.finditer(text) for s in stems(m.group(1).lower())}


@functools.lru_cache(maxsize=65536)
def stems(text: str) -> tuple[str, ...]:
    """The resolver's stems of ``text``, memoized (the same phrases are stemmed for every definition)."""
    return _stems(text)


def content(text: str) -> list[str]:
    """The stems of ``text`` without glue words (underscores split words).

    >>> content("Total value of active subscriptions per month")
    ['active', 'subscription']
    """
    return [s for s in stems(text.replace("_", " ")) if s not in GLUE and not s.isdigit()]


def known(word: str, vocab: frozenset[str]) -> bool:
    """``word`` (a stem) or a simple inflection of it ("upgrading" → "upgrade") is in ``vocab``."""
    forms = {word}
    if word.endswith("ily") and len(word) > 5:  # "involuntarily" → "involuntary"
        forms.add(word[:-3] + "y")
    for suffix in ("ing", "ed", "d", "s", "es", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            forms |= {base, base + "e"}
    return bool(forms & vocab)


def stem_set(texts: Iterable[str]) -> set[str]:
    """Every content stem of ``texts``."""
    out: set[str] = set()
    for t in texts:
        out.update(content(t))
    return out


_CACHE: dict[int, tuple[Any, frozenset[str]]] = {}
_LEXICONS: dict[int, tuple[Any, Lexicon]] = {}


@dataclass(frozen=True)
class Observed(Model):
    """A project's model with the values its warehouse holds for the dimensions that declare none
    (``Project.dimension_values()``, by entity__name): rules name them as they name declared values ("only
    completed orders" in a project whose YAML lists no order statuses).

    The values travel with the model handed to ``analyze`` (``observing``), never in a registry beside
    it: two analyses read the same words whatever ran before them in the process.
    """

    observed: dict[str, list[str]] = field(default_factory=dict, hash=False, compare=False)


def observing(model: Model, values: dict[str, list[str]] | None) -> Model:
    """``model`` carrying ``values`` (``Observed``); ``model`` itself when it already carries them, and the
    plain model when there are none.
    """
    if observed(model) == (values or {}):
        return model
    base = {f.name: getattr(model, f.name) for f in fields(Model)}
    return Observed(**base, observed=dict(values)) if values else Model(**base)


def observed(model: Model) -> dict[str, list[str]]:
    """The warehouse's values of ``model``'s dimensions that declare none (``observing``), by entity__name."""
    return model.observed if isinstance(model, Observed) else {}


def lexicon(model: Model) -> Lexicon:
    """The resolver's lexicon of ``model`` (its names, values and aliases), built once per model."""
    hit = _LEXICONS.get(id(model))
    if hit is not None and hit[0] is model:
        return hit[1]
    if len(_LEXICONS) > 16:
        _LEXICONS.clear()
    found = build_lexicon(model, observed=observed(model))
    _LEXICONS[id(model)] = (model, found)
    return found


#: A time column's name without its suffix ("started_at", "start_date", "startedTs" → started/start).
TIME_SUFFIX = re.compile(r"_(at|ts|tstamp|date|time|timestamp|dt|on)$", re.IGNORECASE)


def bare_time_name(name: str) -> str:
    """A time column's name in snake case without its time suffix: ``solvedTs`` → ``solved``."""
    return TIME_SUFFIX.sub("", re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)).lower()


#: Prefixes that say a yes/no column's "no" in one word ("unverified", "inactive", "nonbillable").
OPPOSITE_PREFIXES = ("un", "in", "non")


def opposites(flag: str) -> list[str]:
    """The one-word opposites of a yes/no column named ``is_<word>`` ("is_verified" → "unverified" …);
    none for a longer name.
    """
    prefix, _, rest = flag.partition("_")
    if prefix not in ("is", "has", "was") or not rest or "_" in rest:
        return []
    return [f"{p}{rest}" for p in OPPOSITE_PREFIXES]


def vocabulary(model: Model) -> frozenset[str]:
    """Every stem the project's YAML uses: names, labels, descriptions, synonyms, values, rules, columns."""
    hit = _CACHE.get(id(model))
    if hit is not None and hit[0] is model:
        return hit[1]
    texts: list[str] = []
    for m in model.metrics.values():
        texts += [m.name, m.label, m.description, str(m.meta.get("definition") or "")]
        texts += [str(s) for s in m.meta.get("synonyms") or ()]
        texts += [str(r) for r in m.meta.get("business_rules") or ()]
    for sm in model.semantic_models.values():
        texts += [sm.name, sm.description, sm.relation]
        for e in sm.entities:
            texts += [e.name, e.expr, e.description]
        for d in sm.dimensions:
            texts += [d.name, d.label, d.description, d.expr, *opposites(d.name)]
            texts += [str(s) for s in d.meta.get("synonyms") or ()]
            texts += [str(v) for v in d.meta.get("values") or ()]
            texts += observed(model).get(f"{sm.primary}__{d.name}", [])
            for v, aliases in (d.meta.get("value_aliases") or {}).items():
                texts += [str(v), *(str(a) for a in aliases or ())]
            texts += [str(g) for g in (d.meta.get("value_groups") or {})]
        for ms in sm.measures:
            texts += [ms.name, ms.label, ms.description, ms.expr]
    for ds in model.canonical_datasets.values():
        texts += [ds.name, ds.description, ds.grain, *ds.core_attributes]
    found = frozenset(stem_set(texts))
    if len(_CACHE) > 16:
        _CACHE.clear()
    _CACHE[id(model)] = (model, found)
    return found
