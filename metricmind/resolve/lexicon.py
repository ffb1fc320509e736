"""The words a project answers to: metric, dimension and value phrases, from the model and learned.

Phrases come from names, labels, ``config.meta`` synonyms, dimension ``values`` and
``value_aliases``, and learned words (``metricmind.resolve.vocabulary``): the project's shared
vocabulary and a person's own words. Each phrase is stored as its tuple of stems. A learned phrase
never overrides one of the model's exact phrases (``EXACT_SOURCES``) for something else.
"""

from __future__ import annotations

import logging
import os
import re
from collections import defaultdict
from typing import Any

from metricmind.resolve.countries import country_names
from metricmind.resolve.entities import unmodelled_entities
from metricmind.resolve.everyday import EVERYDAY_WORDS
from metricmind.resolve.flagcore import flag_cores
from metricmind.resolve.labelheads import label_heads
from metricmind.resolve.labelparts import label_sides
from metricmind.resolve.lexiconflags import add_flags, is_flag
from metricmind.resolve.observedruns import loose_phrases
from metricmind.resolve.phraseindex import LINKING
from metricmind.resolve.phraseindex import DimInfo as DimInfo  # the names the resolver's modules import
from metricmind.resolve.phraseindex import Entry as Entry
from metricmind.resolve.phraseindex import Lexicon as Lexicon
from metricmind.resolve.regionwords import region_aliases
from metricmind.resolve.stepnames import step_phrases
from metricmind.resolve.text import GENERIC, stems
from metricmind.resolve.todatehead import to_date_heads
from metricmind.resolve.usstates import state_names
from metricmind.spec.model import Model
from metricmind.spec.names import SEP
from metricmind.spec.vocabulary import VOCABULARY_FILE, read_words
from metricmind.wordtables import numbers_between

log = logging.getLogger(__name__)

LEARNED_PATH = VOCABULARY_FILE
"""The shared vocabulary file, relative to the project root."""
GROUP_SEP = "|"
"""Between the values of one entry that names several ("mobile apps" → ``platform=ios|android``)."""
EXACT_SOURCES = frozenset({"name", "label", "synonym", "value", "alias", "entity", "observed"})
"""Where a phrase names something exactly: a learned word with the same phrase is refused."""

COMMON_WORDS = EVERYDAY_WORDS
"""(The name ``define`` imports; the resolver reads each catalog's own everyday words, ``everyday``.)"""


def build_lexicon(
    model: Model,
    learned: dict[str, dict[str, str]] | None = None,
    observed: dict[str, list[str]] | None = None,
) -> Lexicon:
    """Index every phrase of ``model``, the learned ones, and values observed in the warehouse.

    ``observed`` maps a dimension to its distinct values (for dimensions that declare none); each value
    is indexed with its underscores as spaces, and a multi-word value also by each run of two or more of
    its words that no other value of that dimension shares ("linkedin abm" → linkedin_abm_enterprise).
    """
    lex = Lexicon()
    for m in model.metrics.values():
        lex.add(m.name.replace("_", " "), Entry("metric", m.name, "name"))
        *head, last = m.name.split("_")
        if len(head) >= 2 and (last in STATISTIC_WORDS or _PERCENTILE.fullmatch(last)):
            # "first_response_time_p50" said the English way round: "p50 first response time"
            lex.add(f"{last} {' '.join(head)}", Entry("metric", m.name, "name"))
        if m.label:
            lex.add(re.sub(r"\(.*?\)", " ", m.label), Entry("metric", m.name, "label"))
            inner = " ".join(re.findall(r"\((.*?)\)", m.label))
            if inner:  # "First response time (median)": the words in brackets tell twins apart, said
                outer = re.sub(r"\(.*?\)", " ", m.label)  # before the rest or after it
                lex.add(f"{outer} {inner}", Entry("metric", m.name, "label"))
                lex.add(f"{inner} {outer}", Entry("metric", m.name, "label"))
        for syn in _strings(m.meta.get("synonyms")):
            lex.add(syn, Entry("metric", m.name, "synonym"))
        for said, source in (
            (m.name.replace("_", " "), "name"),
            (re.sub(r"\(.*?\)", " ", m.label or ""), "label"),
        ):
            front = _TO_DATE_LAST.fullmatch(said.replace("-", " ").strip().lower())
            if front:  # "revenue_mtd" said the English way round too: "mtd revenue", "month-to-date revenue"
                lex.add(f"{front.group(2)} {front.group(1)}", Entry("metric", m.name, source))
    for phrase, metric in to_date_heads(model).items():
        if not lex.lookup(stems(phrase)):
            lex.add(phrase, Entry("metric", metric, "reduced"))  # "revenue ytd": Service Revenue YTD
    _add_word_aliases(lex, model)
    for phrase, metric in step_phrases(model).items():
        if not lex.lookup(tuple(stems(phrase))):
            lex.add(phrase, Entry("metric", metric, "reduced"))  # "visit to order %": the conversion's steps
        for kind in ("rate", "conversion", "conversion rate"):
            if not lex.lookup(tuple(stems(f"{phrase} {kind}"))):
                lex.add(f"{phrase} {kind}", Entry("metric", metric, "label"))  # ("free to paid rate")
    # "churn rate" also answers to "churn": the phrase without its generic words, when unambiguous.
    reduced: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for key, entries in list(lex.phrases.items()):
        core = tuple(w for w in key if w not in GENERIC)
        while core and core[0] in LINKING:  # "number of customers" → "customers", never "of customers"
            core = core[1:]
        while core and core[-1] in LINKING:
            core = core[:-1]
        if core and core != key:
            for e in entries:
                reduced[core].add(e.target)
    full = {tuple(sorted(set(k))): {e.target for e in v} for k, v in lex.phrases.items()}
    for core, targets in reduced.items():
        clash = full.get(tuple(sorted(set(core))), set()) - targets
        if len(targets) == 1 and not lex.lookup(core) and not clash:
            lex.add(" ".join(core), Entry("metric", next(iter(targets)), "reduced"))

    unmodelled = unmodelled_entities(model)
    qualified: dict[str, set[str]] = {}  # "seller category": the entity and the head noun of its dimension
    sibling: dict[tuple[str, str], set[str]] = {}  # "signup source": a word of a sibling column and the head
    for sm in model.semantic_models.values():
        primary = sm.primary
        if not primary:
            continue
        for d in sm.dimensions:
            if d.type != "categorical" or is_flag(d.name):
                continue
            name = f"{primary}{SEP}{d.name}"
            values = tuple(str(v) for v in _strings(d.meta.get("values")))
            declared = d.meta.get("value_aliases") or {}
            lex.dims[name] = DimInfo(
                name,
                sm.name,
                d.label or d.name.replace("_", " "),
                values,
                conformed=not sm.measures,
                aliases=tuple(
                    (str(v), tuple(_strings(a))) for v, a in declared.items() if isinstance(declared, dict)
                ),
            )
            words = d.name.split("_")
            lex.add(" ".join(words), Entry("dimension", name, "name"))
            lex.add(f"{primary.replace('_', ' ')} {' '.join(words)}", Entry("dimension", name, "name"))
            if d.label:
                lex.add(d.label, Entry("dimension", name, "label"))
                for side in label_sides(d.label):  # "Donor / recipient operator": "recipient operator"
                    if not lex.lookup(stems(side)):
                        lex.add(side, Entry("dimension", name, "label"))
            for syn in _strings(d.meta.get("synonyms")):
                lex.add(syn, Entry("dimension", name, "synonym"))
            if len(words) > 1 and words[-1] in TIME_UNITS and not lex.lookup(stems(" ".join(words[:-1]))):
                # "term_months" answers to "term" ("avg loan size by term"), never to "month"
                lex.add(" ".join(words[:-1]), Entry("dimension", name, "head"))
            if len(words) > 1 and words[-1] not in TIME_UNITS:
                # (a head word that is a unit of time, "term_months", never takes "by month" from the grain)
                lex.add(words[-1], Entry("dimension", name, "head"))
                qualified.setdefault(f"{primary.replace('_', ' ')} {words[-1]}", set()).add(name)
                # a word of a sibling column qualifies the head ("signup source": the source of the model
                # whose ``signup_at`` it is, not the visits' utm_source)
                for other in sm.dimensions:
                    for w in other.name.split("_"):
                        if other is not d and w not in _TIME_SUFFIXES and len(w) > 2 and w not in words:
                            sibling.setdefault((w, words[-1]), set()).add(name)
            for v in values:
                lex.add(v.replace("_", " "), Entry("value", f"{name}={v}", "value"))
                short = numbered_short(v)
                if short is not None and short not in aliased_words(d.meta):
                    lex.add(short, Entry("value", f"{name}={v}", "alias"))  # "t1" for "Tier 1"
            aliases = d.meta.get("value_aliases") or {}
            if isinstance(aliases, dict):
                for v, alias_list in aliases.items():
                    for alias in _strings(alias_list):
                        lex.add(alias, Entry("value", f"{name}={v}", "alias"))
            for phrase, members in _groups(d.meta, values).items():
                lex.add(phrase, Entry("value", f"{name}={GROUP_SEP.join(members)}", "alias"))
            if d.name == "name":
                lex.add(primary.replace("_", " "), Entry("dimension", name, "entity"))
            elif d.name.endswith("_name") and d.name[: -len("_name")] in unmodelled:
                # "shipper_name" on the parcels of a shipper with no model of its own: the shipper's name
                lex.add(d.name[: -len("_name")].replace("_", " "), Entry("dimension", name, "entity"))
    for phrase, names in _kind_phrases(lex).items():
        if len(names) == 1 and not lex.lookup(stems(phrase)):
            lex.add(phrase, Entry("dimension", next(iter(names)), "alias"))
    for phrase, names in qualified.items():
        if len(names) == 1 and not lex.lookup(stems(phrase)):
            lex.add(phrase, Entry("dimension", next(iter(names)), "alias"))
    for name, seen in (observed or {}).items():
        info = lex.dims.get(name) or _entity_info(model, name)
        if info is None or info.values:
            continue
        lex.dims[name] = DimInfo(info.name, info.model, info.label, tuple(seen), info.conformed)
        runs: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for v, spoken in country_names(list(seen)).items():  # "Germany" for DE in a column of codes
            for said in spoken:
                lex.add(said, Entry("value", f"{name}={v}", "alias"))
        if not country_names(list(seen)):
            for v, state in state_names(list(seen)).items():  # "Texas" for TX in a column of US states
                lex.add(state, Entry("value", f"{name}={v}", "alias"))
        for v in seen:
            if not any(c.isalpha() for c in v):
                continue  # a bare number ("top 5 customers") is an amount or a count, never a value seen
            lex.add(v.replace("_", " "), Entry("value", f"{name}={v}", "observed"))
            short = numbered_short(v)
            if short is not None and not lex.lookup(stems(short)):
                lex.add(short, Entry("value", f"{name}={v}", "alias"))  # "t1" for "Tier 1"
            vwords = stems(v.replace("_", " "))
            for size in range(2, len(vwords)):
                for i in range(len(vwords) - size + 1):
                    runs[vwords[i : i + size]].add(v)
        for run, owners in runs.items():
            if len(owners) == 1 and not _known_but_as(lex, run, next(iter(owners))):
                lex.add(" ".join(run), Entry("value", f"{name}={next(iter(owners))}", "observed"))
        said_values = [v for v in seen if any(c.isalpha() for c in v)]
        for said, v in loose_phrases(said_values, lambda w: bool(lex.lookup(stems(w)))).items():
            # "monthly newsletter", "retargeting": a value said loosely (``observedruns``)
            if not _known_but_as(lex, stems(said), v):
                lex.add(said, Entry("value", f"{name}={v}", "observed"))
    for (qualifier, noun), owners_of in sibling.items():
        # only a word that names nothing itself ("paid" is a value: "paid channels" stays those values)
        said = f"{qualifier} {noun}"
        if len(owners_of) == 1 and not lex.lookup(stems(qualifier)) and not lex.lookup(stems(said)):
            lex.add(said, Entry("dimension", next(iter(owners_of)), "alias"))
    add_flags(lex, model)
    for word, target in flag_cores(model, lex.dims, lambda w: bool(lex.lookup(stems(w)))):
        lex.add(word, Entry("value", target, "alias"))  # "on weekends": the weekend-night flag
    _add_entities_and_measures(lex, model)
    for name, info in list(lex.dims.items()):  # "european accounts": EMEA, where a region is said so
        for v, places in region_aliases(info.values).items():
            for place in places:
                if not lex.lookup(stems(place)):
                    lex.add(place, Entry("value", f"{name}={v}", "alias"))
    for head_word, headed in label_heads(model, lambda w: bool(lex.lookup(stems(w)))).items():
        for dim in headed:  # "by line": the dimension labelled "Line of business"
            lex.add(head_word, Entry("dimension", dim, "head"))
    for kind, table in (learned or {}).items():
        for phrase, target in table.items():
            exact = {e.target for e in lex.lookup(stems(phrase)) if e.source in EXACT_SOURCES}
            if exact - {target}:
                lex.refused.append((phrase, target))  # a learned word never overrides a name
                log.warning("learned phrase %r → %s ignored: it names %s", phrase, target, sorted(exact))
                continue
            lex.add(phrase, Entry(kind, target, "learned"))
    return lex


KIND_NOUNS = ("type", "kind", "category", "class")
"""Nouns that say a breakdown is by what sort of thing a dimension holds: "by action type" is by the
``action`` dimension when no dimension of the catalog is called that."""


def _kind_phrases(lex: Lexicon) -> dict[str, set[str]]:
    """A categorical dimension's own name or label followed by a kind noun ("action type", "platform
    category"), with the dimensions each phrase would name; never an entity's name ("customer type" is no
    customer name) nor a name that already ends in a kind noun.
    """
    out: dict[str, set[str]] = defaultdict(set)
    for name, info in lex.dims.items():
        column = name.split(SEP)[-1]
        if column == "name":
            continue
        for said in {column.replace("_", " "), info.label.lower()}:
            if not said or said.split()[-1] in KIND_NOUNS:
                continue
            for noun in KIND_NOUNS:
                out[f"{said} {noun}"].add(name)
    return out


def _entity_info(model: Model, name: str) -> DimInfo | None:
    """The key of a semantic model of dimensions only (``hub`` of the hubs), as a dimension whose values are
    the warehouse's keys ("RTM vs AMSW"), or None when ``name`` is no such entity.
    """
    sm = next((s for s in model.semantic_models.values() if s.primary == name and SEP not in name), None)
    if sm is None or sm.measures or not sm.dimensions or any(d.name == "name" for d in sm.dimensions):
        return None
    return DimInfo(name, sm.name, name.replace("_", " "), conformed=True)


def _groups(meta: dict[str, Any], values: tuple[str, ...]) -> dict[str, list[str]]:
    """Phrases that name several values at once, as a data team declares them in ``config.meta``:

    - ``value_groups``: ``{mobile apps: [ios, android]}``;
    - ``value_order``: ``{by: list price, low: [cheapest], high: [most expensive]}`` when ``values`` are
      listed from low to high: "cheapest" is the first value, "two cheapest" (or "2 cheapest") the first
      two, "most expensive" the last, and so on.
    """
    out: dict[str, list[str]] = {}
    groups = meta.get("value_groups") or {}
    if isinstance(groups, dict):
        for phrase, members in groups.items():
            found = [v for v in _strings(members) if v in values]
            if phrase and found:
                out[str(phrase)] = found
    order = meta.get("value_order") or {}
    if isinstance(order, dict) and len(values) > 1:
        for end in ("low", "high"):
            for phrase in _strings(order.get(end)):
                for n in range(1, len(values)):
                    members = list(values[:n] if end == "low" else values[-n:])
                    if n == 1:
                        out[phrase] = members
                    else:
                        out[f"{n} {phrase}"] = members
                        if n < len(_NUMBER_NAMES):  # "twelve cheapest" and up: digits only
                            out[f"{_NUMBER_NAMES[n]} {phrase}"] = members
    return out


#: "zero" to "eleven", indexed by their number ("two cheapest").
_NUMBER_NAMES = ("zero", *numbers_between(1, 11))


_TIME_SUFFIXES = frozenset({"at", "ts", "date", "time", "day", "on", "is", "has", "was"})
"""Words of a column name that say how it is kept, not what it is (``signup_at``: "signup")."""


def _add_word_aliases(lex: Lexicon, model: Model) -> None:
    """A one-word synonym of a one-word metric ("apps" for ``applications``) is a word for that word: the
    catalog's other metric phrases holding it answer to the synonym in its place ("app to loan conversion"
    for ``application_to_loan_conversion``, "approved apps"), unless that phrase names something already.
    """
    aliases: dict[str, set[str]] = defaultdict(set)
    for m in model.metrics.values():
        names = {stems(t) for t in (m.name.replace("_", " "), m.label or "") if t}
        word = next((k[0] for k in names if len(k) == 1), None)
        if word is None:
            continue
        for syn in _strings(m.meta.get("synonyms")):
            alias = stems(syn)
            if len(alias) == 1 and alias[0] != word:
                aliases[word].add(alias[0])
    for key, entries in list(lex.phrases.items()):
        exact = [e for e in entries if e.kind == "metric" and e.source in ("name", "label")]
        if len(key) < 2 or not exact:
            continue
        for k, w in enumerate(key):
            for said in aliases.get(w, ()):
                other: tuple[str, ...] = (*key[:k], said, *key[k + 1 :])
                if not lex.lookup(other):
                    for e in exact:
                        lex.add(" ".join(other), Entry("metric", e.target, "synonym"))


def _add_entities_and_measures(lex: Lexicon, model: Model) -> None:
    """Words a project without the demo's conventions still answers to, when nothing else has them:

    - an entity with no ``name`` dimension is a breakdown by its key ("top 3 agents by solved tickets"),
      also where its word is the last of another dimension's name (the routes' ``hub`` beside the parcels'
      ``delivery_hub``: the reachable one is read, the entity itself first where both are);
    - a measure used by exactly one metric, unfiltered, names it ("open tickets" → ``backlog``).
    """
    named = {e.target.split(SEP, 1)[0] for es in lex.phrases.values() for e in es if e.source == "entity"}
    for sm in model.semantic_models.values():
        primary = sm.primary
        if not primary or primary in named or not sm.dimensions:
            continue
        words = primary.replace("_", " ")
        known = lex.lookup(stems(words))
        if all(e.kind == "dimension" and e.source in ("head", "key") for e in known):
            lex.add(
                words, Entry("dimension", primary, "key")
            )  # a bare noun: grouped only after "by", "top 3"
    users: dict[str, list[str]] = defaultdict(list)
    for m in model.metrics.values():
        if m.type == "simple" and m.measure is not None:
            users[m.measure.name].append("" if m.filter else m.name)
    for measure, metrics in users.items():
        said = measure.replace("_", " ")
        known = lex.lookup(stems(said))
        if len(metrics) != 1 or not metrics[0]:
            continue
        if not known and set(stems(said)) <= set(stems(metrics[0].replace("_", " "))):
            continue  # "markov new mrr" of markov_attributed_new_mrr: the name's own words, nothing new
        if all(e.target == metrics[0] and e.source == "reduced" for e in known):
            lex.phrases[stems(said)] = []  # the measure's own name, not a shortened one ("sla breaches")
            lex.add(said, Entry("metric", metrics[0], "alias"))


STATISTIC_WORDS = frozenset(
    "avg average mean median total sum count min max minimum maximum rate share pct ratio".split()
)
"""Words a metric name may end with that English puts first ("time_avg": "avg time")."""
_PERCENTILE = re.compile(r"p\d{1,2}")
_TO_DATE_LAST = re.compile(r"(.+?)\s+([wmqy]td|(?:week|month|quarter|year)\s+to\s+date)")


TIME_UNITS = frozenset(
    "day days week weeks month months quarter quarters year years hour hours minute minutes".split()
)
"""Units of time: the last word of a dimension's name that is one ("term_months") is no head noun."""


def numbered_short(value: str) -> str | None:
    """How people shorten a value of words and a number: the words' initials and the number ("Tier 1" →
    "t1", "Level 2 support" → None: the number must end it). None for any other value.
    """
    words = value.replace("_", " ").replace("-", " ").split()
    if len(words) < 2 or not words[-1].isdigit() or not all(w.isalpha() for w in words[:-1]):
        return None
    return "".join(w[0] for w in words[:-1]).lower() + words[-1]


def aliased_words(meta: dict[str, Any]) -> set[str]:
    """Every alias a dimension declares for its values, lower case."""
    aliases = meta.get("value_aliases") or {}
    if not isinstance(aliases, dict):
        return set()
    return {a.lower() for listed in aliases.values() for a in _strings(listed)}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None and str(v).strip()]
    return []


# -- learned synonyms ---------------------------------------------------------------------------
def read_learned(root: str | os.PathLike[str]) -> dict[str, dict[str, str]]:
    """The shared (approved) words of the project at ``root``: ``{"metric": {phrase: target}, ...}``.

    Read from ``metricmind/vocabulary.yml`` (and the old ``learned_synonyms.yml``); a damaged file
    gives no words and a warning in the log, never an error.
    """
    out: dict[str, dict[str, str]] = {}
    for word in read_words(root):
        out.setdefault(word.kind, {})[word.phrase] = word.target
    return out


def _known_but_as(lex: Lexicon, words: tuple[str, ...], value: str) -> bool:
    """Whether ``words`` already name something other than the observed ``value`` (the same campaign seen
    on another model's dimension is no other thing: "leadgen" says it on the ad spend and on the touches).
    """
    return any(
        not (e.source == "observed" and e.target.split("=", 1)[-1] == value) for e in lex.lookup(words)
    )
