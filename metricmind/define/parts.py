"""Helpers for a proposal's new parts: the values a ratio's part names, the words its own measure
explains, the filter a metric on the same column keeps, a rule's clause per part, and the documented
expression converting contract amounts to monthly.
"""

from __future__ import annotations

import re

from metricmind.define import rules as rulebook
from metricmind.define.money import is_money, vocab
from metricmind.define.terms import Term
from metricmind.define.words import GLUE, bare_time_name, lexicon, stems
from metricmind.spec.model import Metric, Model, SemanticModel

SNAPSHOT_WORDS = frozenset("end live month active paying paid".split())


#: Months in one billing period, by billing interval value.
INTERVAL_MONTHS = {"annual": 12, "yearly": 12, "year": 12, "semiannual": 6, "quarterly": 3, "quarter": 3}


def part_values(model: Model, text: str, ctx: rulebook.Context) -> list[tuple[str, str]]:
    """Values a ratio's part names ("Card collections"), not words that name a metric ("events")."""
    lx = lexicon(model)
    found, _ = rulebook.values_in(text, ctx)
    out = []
    for dim, value in found:
        key = stems(value.lower().replace("_", " "))
        if any(e.kind == "metric" and e.source in ("name", "label") for e in lx.lookup(key)):
            continue
        out.append((dim, value))
    return out


def explained(model: Model, homes: list[str], base: Metric | None) -> set[str]:
    """Words a part's own measure explains (its metric's names, its model's columns, entities, grains)."""
    texts: list[str] = []
    if base is not None:
        texts += [base.name, base.label, *(str(s) for s in base.meta.get("synonyms") or ())]
    for h in homes:
        sm = model.semantic_models[h]
        texts += [sm.name, *(e.name for e in sm.entities), *(ms.name for ms in sm.measures)]
        texts += [ms.expr for ms in sm.measures if re.fullmatch(r"[a-z_][a-z0-9_]*", ms.expr)]
        if base is not None:  # the event its rows are dated by ("room nights stayed": stay_date)
            for ms in sm.measures:
                if base.measure is not None and ms.name == base.measure.name and ms.agg_time_dimension:
                    said = ms.agg_time_dimension.split("_")
                    texts += [*said, *(f"{w}ed" for w in said), *(f"{w}d" for w in said if w.endswith("e"))]
    for ds in model.canonical_datasets.values():
        texts += [ds.grain]
    words = set(SNAPSHOT_WORDS)
    for t in texts:
        words.update(stems(t.lower().replace("_", " ").replace("-", " ")))
    return words


def own_words(base: Metric | None, term: Term | None) -> set[str]:
    """Stems that name a part's own metric (name, label, synonyms) or column and entity counted."""
    own: set[str] = set()
    if base is not None:
        measure = [base.measure.name] if base.type.value == "simple" and base.measure is not None else []
        for t in (base.name, base.label, *(str(s) for s in base.meta.get("synonyms") or ()), *measure):
            own.update(stems(t.lower().replace("_", " ").replace("-", " ")))
    if term is not None:
        own.update(stems(term.expr.replace("_", " ")))
        if term.counted:
            own.update(stems(term.counted.replace("_", " ")))
    return own


def home_words(model: Model, base: Metric) -> set[str]:
    """Stems that name the rows a metric reads: its measures' semantic models' primary entities and the
    time dimensions that date them ("invoices issued" of ``billed_amount``: invoice, issued).
    """
    out: set[str] = set()
    for name in model.measures_of(base.name):
        ms = model.measures.get(name)
        if ms is None:
            continue
        sm = model.semantic_models[ms.semantic_model]
        out.update(stems((sm.primary or "").replace("_", " ")))
        if ms.agg_time_dimension:
            out.update(stems(bare_time_name(ms.agg_time_dimension).replace("_", " ")))
    return out


def strip_own(text: str, base: Metric | None, term: Term | None) -> str:
    """``text`` without the words that name the part's own metric or column ("active customers at the
    start" for ``active_customers_at_start``): the rest may name values to filter on.
    """
    own = own_words(base, term)
    words = [w for w in re.split(r"[\s-]+", text) if w]
    # a word is the metric's only when all of it is: "Booking.com" (booking, com) is a value that shares a
    # word with `bookings`, not the metric's name, and stays to be read as a filter
    kept = [w for w in words if not _all_own(w, own)]
    return " ".join(kept)


def _all_own(word: str, own: set[str]) -> bool:
    """Every stem of ``word`` (one token of the text) names the part's own metric, or is glue."""
    said = set(stems(word.lower().replace("_", " ")))
    return bool(said & own) and said <= own | GLUE


def kin(model: Model, term: Term) -> Metric | None:
    """A simple metric aggregating the same column of the same table the same way (its filter is part of
    what that column means: "credit only on converting touches"), an unfiltered one, then certified, first.
    """
    source = model.semantic_models[term.sm]
    found = []
    for m in model.metrics.values():
        if m.type.value != "simple" or m.measure is None or m.meta.get("status") == "deprecated":
            continue
        ms = model.measures.get(m.measure.name)
        if ms is None or ms.expr != term.expr or ms.agg.value != term.agg:
            continue
        if model.semantic_models[ms.semantic_model].relation != source.relation:
            continue
        found.append(m)
    # a metric of the same column without a filter says the filter is one variant, not what the column
    # means (`loans_funded` beside `charged_off_loans`): no filter is kept then
    found.sort(key=lambda m: (bool(_filters(m)), m.meta.get("status") != "certified", m.name))
    return found[0] if found else None


def _filters(m: Metric) -> list[str]:
    return [w.sql for w in m.filter] + [w.sql for w in (m.measure.filter if m.measure else ())]


def clause_for(rule: str, text: str) -> str:
    """The clause of a rule that speaks of one part of a ratio ("Refunds by refund date, collections by
    payment date" → "Refunds by refund date" for the part "Money refunded"); a rule of one clause as is,
    and "" when it has several clauses and none shares a word with the part.
    """
    clauses = [c.strip() for c in re.split(r"[,;]|\band\b", rule) if c.strip()]
    if len(clauses) < 2 or sum(" by " in f" {c.lower()} " for c in clauses) < 2:
        return rule
    words = {w[:5] for w in stems(text.lower()) if len(w) > 2}
    scored = [(len({w[:5] for w in stems(c.lower()) if len(w) > 2} & words), c) for c in clauses]
    best = max(scored)
    return best[1] if best[0] > 0 and [s for s, _ in scored].count(best[0]) == 1 else ""


def monthly_expression(sm: SemanticModel, column: str) -> tuple[str, str] | None:
    """(SQL, what it says) converting ``column`` to a monthly amount by the model's billing interval
    ("annual contracts as monthly": ÷ 12 for annual, ÷ 3 for quarterly), or None without one.
    """
    for d in sm.dimensions:
        values = [str(v) for v in d.meta.get("values") or ()]
        longer = [v for v in values if INTERVAL_MONTHS.get(v.lower(), 1) > 1]
        if d.type != "categorical" or not longer:
            continue
        col = d.expr or d.name
        cases = " ".join(f"when {col} = '{v}' then {column} / {INTERVAL_MONTHS[v.lower()]}" for v in longer)
        said = ", ".join(f"÷ {INTERVAL_MONTHS[v.lower()]} when {d.name} is {v}" for v in longer)
        return f"case {cases} else {column} end", f"{column} as a monthly amount ({said})"
    return None


def same_unit(model: Model, base: Metric, text: str) -> bool:
    """``text`` asks for money exactly when ``base`` is in currency (said only by its description)."""
    money = bool(set(stems(text.lower())) & vocab(model)[0])
    return money == is_money(model, base)


def root_of(word: str) -> str:
    """``word`` without an inflection ("refunded", "refunds" → "refund")."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def named_fully(base: Metric, text: str) -> bool:
    """``text`` holds one of ``base``'s own phrases whole (its name, label or a synonym)."""
    said = tuple(root_of(w) for w in stems(text.lower().replace("-", " ").replace("_", " ")))
    for phrase in (base.name.replace("_", " "), base.label, *map(str, base.meta.get("synonyms") or ())):
        key = tuple(root_of(w) for w in stems(phrase.lower().replace("-", " ")))
        if key and any(said[i : i + len(key)] == key for i in range(len(said) - len(key) + 1)):
            return True
    return False


def _noun_forms(words: tuple[str, ...]) -> set[tuple[str, ...]]:
    """A participle's phrase said as a noun: ("signed", "up") → ("sign", "up"); ("charged", "off") →
    ("charge", "off"), ("charg", "off"). Only phrases of two words or more (one word alone is too loose).
    """
    if len(words) < 2 or not any(w.endswith("ed") and len(w) > 4 for w in words):
        return set()
    out: set[tuple[str, ...]] = {()}
    for w in words:
        forms = {w[:-2], w[:-1]} if w.endswith("ed") and len(w) > 4 else {w}
        out = {(*o, f) for o in out for f in forms}
    return out - {words}


def time_dims(model: Model, homes: list[str]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """The time dimensions of ``homes`` with the phrases (stems) that name each."""
    out: dict[str, tuple[tuple[str, ...], ...]] = {}
    for h in homes:
        for d in model.semantic_models[h].dimensions:
            if d.type == "time":
                phrases = {stems(d.name.replace("_", " ")), stems(d.label)} | {
                    stems(str(s)) for s in d.meta.get("synonyms") or ()
                }
                bare = stems(bare_time_name(d.name).replace("_", " "))
                if bare and bare != stems(d.name.replace("_", " ")):  # "solved" for solved_ts
                    phrases.add(bare)
                phrases |= _noun_forms(bare)  # "sign up" (a "sign-up month") for signed_up_at
                out[d.name] = tuple(sorted(p for p in phrases if p))
    return out
