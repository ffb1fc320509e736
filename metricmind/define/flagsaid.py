"""Every yes/no flag a proposal applies traces to a word of the input that says it, and only it.

"Loss ratio for the home line" applied `line_of_business = 'home'` and `is_multi_line = true`: "line" was
read twice, once for the home line and once as the flag's word, a plausible wrong metric. A flag the
proposal adds (not one a catalog metric it reuses already filters on) must trace to a word of the input
(its name, definition and rules) that:

- is one of the flag's distinctive words: of its column name without ``is_``/``has_``/``was_``, its label,
  description, synonyms and value aliases; a word shared with the dimension of another filter applied is
  not distinctive ("line" of `is_multi_line` beside `line_of_business`), nor are glue words, nor the
  entity words of a description ("policy" of "holds both a motor and a home policy");
- no other applied thing already consumed: a value another filter keeps ("home"), or a word of a catalog
  metric or measure the proposal reads (each word of the input explains at most one applied thing).

A flag that does not trace leaves the text that applied it unread, with a reason naming the flag: never
answered. Legitimate readings stay: "members" of `is_loyalty_member`, "KYC" of `is_kyc_verified`,
"verified sellers" of `is_verified`, "autopay" of `is_autopay`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from typing import Any

import sqlglot
from sqlglot import exp

from metricmind.define.flagwords import root
from metricmind.define.honoured import DEFINITION, UNHONOURED, _catalog_texts, _literals, _strings
from metricmind.define.proposal import Proposal, RuleReading
from metricmind.define.unapplied import _names
from metricmind.define.words import GLUE, lexicon, stems
from metricmind.spec.model import Model
from metricmind.spec.names import SEP

#: How the name of a yes/no flag begins.
_PREFIXES = ("is_", "has_", "was_", "flag_")
#: Words that say nothing of a flag even in its own name or label ("on" of `is_on_time`: run together).
_EMPTY = frozenset("a an the of and or in on at by to for with is are be was were it its".split())
#: A column or dimension name of a filter (``Dimension('customer__is_multi_line')``, ``t.is_late``).
_IDENT = re.compile(r"[a-z_][a-z0-9_]*")
#: A dimension a filter compares with a text value (``{{ Dimension('x__line') }} = 'home'``, ``status in (``).
_COMPARED = re.compile(
    r"([a-z_][a-z0-9_]*)'?[^'=<>!]{0,40}?\s*(?:=|<>|!=|\bin\b|\blike\b|\bilike\b)\s*\(?\s*'", re.IGNORECASE
)


def flag_unsaid(proposal: Proposal, model: Model) -> None:
    """Mark unread the text that applied a yes/no flag no free, distinctive word of the input says."""
    if proposal.refused or proposal.metric is None:
        return
    own = _strings(_parts(proposal))
    catalog = _catalog_texts(model, _names([proposal.metric, proposal.new_metrics]))
    declared = {d.name for _, d in model.iter_dimensions()}  # `has_none` of a model's own SQL is no flag
    flags = sorted((_flags(own) - _flags(catalog)) & declared)
    if not flags:
        return
    d = proposal.definition
    texts = [d.text, *d.rules, d.name.replace("_", " ")]
    said = _input_words(texts)
    consumed = _consumed(proposal, model, texts, own + catalog)
    consumed -= _repeated([d.text, *d.rules])  # "paid search … first paid subscription": two words
    dims = {c for c in _compared(own + catalog) if not _is_flag(c)} | _flags(own + catalog)
    unsaid: list[str] = []
    for flag in sorted(flags, key=lambda f: len(_distinctive(model, f, dims - {f}) & said)):
        free = (_distinctive(model, flag, dims - {flag}) & said) - consumed
        if not free:
            unsaid.append(flag)
            continue
        consumed.add(sorted(free)[0])  # the word explains this flag only
    for flag in unsaid:
        _unread(proposal, flag)


def _repeated(texts: list[str]) -> set[str]:
    """The forms said twice or more in ``texts``: one occurrence may explain another applied thing."""
    seen: Counter[str] = Counter()
    for t in texts:
        for w in stems(t.lower().replace("_", " ").replace("-", " ")):
            seen.update({w, root(w)})
    return {w for w, n in seen.items() if n > 1}


def _parts(proposal: Proposal) -> list[Any]:
    """The filters and expressions the proposal itself adds."""
    parts: list[Any] = [proposal.metric, proposal.new_metrics, [m.measure for m in proposal.new_measures]]
    if proposal.new_model is not None:
        parts.append(_conditions(proposal.new_model.sql))
    return parts


def _conditions(sql: str) -> list[str]:
    """The conditions of a model's SQL (its where, join and case clauses): a column it only selects is not
    applied.
    """
    try:
        trees = [t for t in sqlglot.parse(sql, read="duckdb") if t is not None]
    except sqlglot.errors.SqlglotError:
        return [sql]
    kinds = (exp.Where, exp.Join, exp.If, exp.Having)
    return [node.sql() for tree in trees for node in tree.find_all(*kinds)]


def _is_flag(name: str) -> bool:
    return name.startswith(_PREFIXES)


def _flags(texts: list[str]) -> set[str]:
    """The yes/no flag columns (``is_multi_line``) ``texts`` read, by their last name part."""
    out: set[str] = set()
    for t in texts:
        for ident in _IDENT.findall(t.lower()):
            name = ident.rsplit(SEP, 1)[-1]
            if _is_flag(name) and len(name) > 4:
                out.add(name)
    return out


def _compared(texts: list[str]) -> set[str]:
    """The dimensions (last name part) ``texts`` compare with a text value."""
    return {m.group(1).lower().rsplit(SEP, 1)[-1] for t in texts for m in _COMPARED.finditer(t)}


def _forms(text: str, glue: frozenset[str] = _EMPTY) -> set[str]:
    """Each word of ``text`` but ``glue`` as its stem and its root ("referred", "referral": refer)."""
    out: set[str] = set()
    for w in stems(text.lower().replace("_", " ").replace("-", " ")):
        if w and w not in glue:
            out |= {w, root(w)}
    return out


def _input_words(texts: list[str]) -> set[str]:
    """The forms of every word of the input, and of two or three adjacent words run together ("auto pay":
    autopay, "on time": ontime), and a word said negated without its prefix ("unverified": verified).
    """
    out: set[str] = set()
    for t in texts:
        out |= _forms(t)
        for w in re.findall(r"\b(?:un|non)([a-z]{4,})", t.lower()):  # "unverified sellers": not verified
            out |= _forms(w)
        words = re.findall(r"[a-z0-9]+", t.lower())
        for size in (2, 3):
            runs = ("".join(words[i : i + size]) for i in range(len(words) - size + 1))
            out |= {r for r in runs if len(r) > 4}
    return out


def _dimension_words(model: Model, name: str) -> set[str]:
    """The forms of a dimension's name and label (every dimension of that name)."""
    out = _forms(name)
    for _, d in model.iter_dimensions():
        if d.name == name:
            out |= _forms(d.label)
    return out


def _distinctive(model: Model, flag: str, others: set[str]) -> set[str]:
    """The words that say the flag ``flag`` and no dimension of ``others``."""
    tail = flag.split("_", 1)[1]
    words = _forms(tail) | {tail.replace("_", "")}  # "on time" of `is_on_time`: glue words run together
    entities = {w for sm in model.semantic_models.values() for w in _forms(sm.name)}
    entities |= {w for sm in model.semantic_models.values() for e in sm.entities for w in _forms(e.name)}
    for _, d in model.iter_dimensions():
        if d.name != flag:
            continue
        words |= _forms(d.label)
        words |= {w for t in (str(s) for s in d.meta.get("synonyms") or ()) for w in _forms(t)}
        aliases = (d.meta.get("value_aliases") or {}).values()
        words |= {w for v in aliases for a in v or () for w in _forms(str(a))}
        words |= _forms(d.description, GLUE) - entities  # "first" is a flag's word in its name only
    for other in others:
        words -= _dimension_words(model, other)
    return {w for w in words if len(w) > 1}


def _consumed(proposal: Proposal, model: Model, texts: list[str], applied: list[str]) -> set[str]:
    """The words of the input another applied thing explains: the values other filters keep (as the lexicon
    reads them), and the words of the catalog's metrics and measures the proposal reads.
    """
    values = {v.lower() for v in _literals(applied)}
    out: set[str] = set()
    for v in values:
        out |= _forms(v)
    lx = lexicon(model)
    for t in texts:
        words = stems(t.lower().replace("-", " ").replace("_", " "))
        for size in (1, 2, 3):
            for i in range(len(words) - size + 1):
                key = tuple(words[i : i + size])
                for e in lx.lookup(key):
                    kept = {x.lower() for x in e.target.partition("=")[2].split("|")}
                    if e.kind == "value" and kept & values:
                        out |= _forms(" ".join(key))
    names = [n for n in _names([proposal.metric, proposal.new_metrics]) if n in model.metrics]
    for name in names:
        m = model.metrics[name]
        out |= _forms(f"{m.name} {m.label}")
        for measure in model.measures_of(name):
            out |= _forms(measure)
    return out


def _unread(proposal: Proposal, flag: str) -> None:
    """Mark unread the reading whose filter applied ``flag`` (else the definition), naming the flag."""
    why = (
        f"the metric applies the yes/no flag `{flag}`, which no word of the definition or its rules says "
        "(each word explains one filter): remove it, or say it"
    )
    readings = list(proposal.rules)
    at = next((i for i, r in enumerate(readings) if flag in (r.predicate or "")), None)
    if at is None:
        readings.append(RuleReading(DEFINITION + proposal.definition.text, "unread", 0.0, why))
    else:
        readings[at] = replace(readings[at], status="unread", confidence=0.0, reason=why)
    proposal.rules = readings
    proposal.confidence = min(proposal.confidence, UNHONOURED)
    proposal.doubts.append(why)
