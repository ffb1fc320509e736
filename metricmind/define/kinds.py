"""Measure kinds beyond one aggregation or a plain ratio: a per-entity denominator ("events per active
account": the distinct accounts in the numerator's own rows), a difference of two measures ("cash
collected minus refunds paid back", each part dated by its own time dimension), a scale the definition
states ("in per cent") and a grain it states ("one journey per customer, not per touch").
"""

from __future__ import annotations

import re
from typing import Any

from metricmind.define.extend import extend
from metricmind.define.proposal import NewMeasure
from metricmind.define.sums import subject_side
from metricmind.define.termcolumns import entities_named
from metricmind.define.terms import Term
from metricmind.define.words import GLUE, content, lexicon, stems
from metricmind.spec.model import Model

#: Words around an entity that say "the ones with activity" and nothing else ("active accounts").
ACTIVE = frozenset("active engaged distinct unique number count different".split())
#: A grain said in words ("one journey per converting customer, not per touch"): an average over rows
#: de-duplicated to that grain, which a measure over the table's own rows is not.
GRAIN = re.compile(r"\b(?:one|a single) [a-z]+ per [a-z]+|\bnot per [a-z]+|\bper [a-z]+ [a-z]+, not\b", re.I)
#: "X minus Y", "X less Y", "X net of Y" (a difference of two measures).
MINUS = re.compile(
    r"^(?P<num>.+?)\s+(?:minus|less|net of|after subtracting|with .{1,30} subtracted)\s+(?P<den>.+)$", re.I
)


#: The definition's own words on the scale of a ratio: a percentage from 0 to 100, or a fraction.
TEXT_PERCENT = re.compile(r"\b0 ?(?:-|–|to|and) ?100\b|\bin per ?cent\b", re.I)  # not "as a percentage of"
TEXT_FRACTION = re.compile(r"\b0 ?(?:-|–|to|and) ?1\b(?![\d.])|\bas a fraction\b|\bas a decimal\b", re.I)


def text_scale(text: str) -> float | None:
    """100 when the definition asks for a percentage from 0 to 100, 1 for a fraction, else None."""
    percent, fraction = bool(TEXT_PERCENT.search(text)), bool(TEXT_FRACTION.search(text))
    if percent == fraction:
        return None
    return 100.0 if percent else 1.0


def per_entity(model: Model, home: str | None, time: str | None, text: str) -> Term | None:
    """The denominator of "X per active account" read as the distinct accounts among X's own rows:
    ``text`` names one entity ("active accounts", "distinct customers") and nothing else, and the
    numerator's semantic model ``home`` holds that entity as a foreign key. None otherwise.
    """
    if home is None or time is None or home not in model.semantic_models:
        return None
    sm = model.semantic_models[home]
    words = stems(text.lower().replace("-", " ").replace("_", " "))
    named = entities_named(model, words, lexicon(model))
    if len(named) != 1:
        return None
    at, entity = named[0]
    rest = [w for i, w in enumerate(words) if i != at and w not in GLUE and w not in ACTIVE]
    if rest or entity == sm.primary:
        return None
    key = next((e.expr for e in sm.entities if e.name == entity), None)
    if key is None:
        return None
    said = set(words) & ACTIVE
    return Term(
        home,
        "count_distinct",
        key,
        time,
        False,
        f"count_distinct({key}) in {sm.relation.rsplit('.', 1)[-1]}: the {entity}s that have the numerator's "
        "own rows in the period (not the month-end snapshot of active ones)",
        # "active" may also mean a live subscription: a doubt unless only "distinct" was said
        0.7 if said - {"distinct", "unique", "number", "count", "different"} else 0.75,
        entity,
        False,
    )


def difference(text: str) -> tuple[str, str] | None:
    """(minuend, subtrahend) of "X minus Y" (after a "Net cash in:" lead), else None."""
    body = text.strip().rstrip(".")
    if ":" in body:
        body = body.split(":", 1)[1].strip()
    m = MINUS.match(body)
    if m is None:
        return None
    left, right = m.group("num").strip(" ,"), m.group("den").strip(" ,")
    if not content(left) or not content(right):
        return None
    return left, right


#: A dating clause inside a part ("(by paid date)", ", by refund date").
DATED = re.compile(r"\s*(?:\((by [^()]+)\)|,\s*(by [^,()]+))")


def undated(text: str) -> tuple[str, list[str]]:
    """``text`` without its dating clauses, and those clauses as rules ("by paid date")."""
    found = [a or b for a, b in DATED.findall(text)]
    bare = PAID_BACK.sub(r"\1", DATED.sub("", text)).strip()
    return bare, [f.strip() for f in found]


#: A verb with its particle that names the act, not a state ("refunds paid back", "credits given out").
PAID_BACK = re.compile(r"\b(\w+)\s+(?:paid|given|sent|handed)\s+(?:back|out)\b", re.I)


def assign(rules: list[str], left: str, right: str) -> tuple[list[str], list[str]]:
    """The rules of each part of a difference or a sum: a rule whose subject is one part's words ("IAP is
    gross …") goes to that part; a rule that dates ("Refunds by the date they were refunded") to the part
    it shares more words with; every other rule to both.
    """

    def words(text: str) -> set[str]:
        return {w[:5] for w in stems(text.lower()) if len(w) > 2 and w not in GLUE}

    mine: tuple[list[str], list[str]] = ([], [])
    for r in rules:
        side = subject_side(r, left, right)
        if side is not None:  # "IAP is gross in USD": the part it is said of
            mine[side].append(r)
            continue
        if " by " not in f" {r.lower()} ":
            mine[0].append(r)
            mine[1].append(r)
            continue
        a, b = len(words(r) & words(left)), len(words(r) & words(right))
        if a != b:
            mine[0 if a > b else 1].append(r)
        else:
            mine[0].append(r)
            mine[1].append(r)
    return mine


def difference_metric(
    name: str, text: str, meta: dict[str, Any], left: dict[str, Any], right: dict[str, Any], op: str = "-"
) -> dict[str, Any]:
    """The derived metric ``left - right`` over the two parts (each with its own filter; a month
    without rows of one part counts it as 0).
    """
    a, b = left["name"], right["name"]
    refs = [{k: v for k, v in p.items() if k in ("name", "filter")} for p in (left, right)]
    if a == b:  # the same metric with two filters: alias them apart
        refs[0]["alias"], refs[1]["alias"] = f"{a}_left", f"{a}_right"
        a, b = f"{a}_left", f"{a}_right"
    return {
        "name": name,
        "label": name.replace("_", " ").capitalize(),
        "description": text,
        "type": "derived",
        "type_params": {"expr": f"coalesce({a}, 0) {op} coalesce({b}, 0)", "metrics": refs},
        "config": {"meta": meta},
    }


#: A rule that says which rows a word of the definition means by a column's value ("A trial converted when
#: its status is trial_converted", "Converted means the outcome is converted").
DEFINING = re.compile(
    r"^(?:an? |the )?(?:[a-z-]+ )?(?P<word>[a-z]+)\s+(?:when|if|once|means(?: that)?)\s+"
    r"(?:its|their|the|it|they)\s+(?P<what>[a-z_ ]+?\s+(?:is|are|equals|=)\s+[a-z_'-]+)$",
    re.I,
)


def defining(rule: str) -> tuple[str, str] | None:
    """(word, "column is value") of a rule saying which rows a word means, else None."""
    m = DEFINING.match(rule.strip().rstrip(".").lower())
    if m is None:
        return None
    what = re.sub(r"\s+(?:is|are|equals|=)\s+", " ", m.group("what")).replace("'", "")
    return m.group("word"), what


def defined_filter(model: Model, what: str, reachable: set[str]) -> tuple[str, str] | None:
    """(dimension, predicate) for "status trial_converted": the one reachable categorical dimension named
    by the column words whose declared values hold the value exactly; None when not exactly one.
    """
    col, _, value = what.strip().rpartition(" ")
    key = col.strip().replace(" ", "_")
    found: dict[str, str] = {}
    for sm in model.semantic_models.values():
        for d in sm.dimensions:
            values = {str(v).lower(): str(v) for v in d.meta.get("values") or ()}
            name = f"{sm.primary}__{d.name}"
            if d.type == "categorical" and value in values and key and key in d.name and name in reachable:
                found[name] = values[value]
    if len(found) != 1:
        return None
    name, exact = next(iter(found.items()))
    if not re.fullmatch(r"[A-Za-z0-9_ -]+", exact):
        return None
    return name, f"{{{{ Dimension('{name}') }}}} = '{exact}'"


def word_in(word: str, text: str) -> bool:
    """``word`` (or a form of it: "converted", "converting", "conversion") is said in ``text``."""
    head = word.lower()[:6]
    return any(
        w.startswith(head) or head.startswith(w[:6]) and len(w) >= 5
        for w in re.findall(r"[a-z]+", text.lower())
    )


def dated_by(model: Model, measure: str) -> str:
    """The time dimension ``measure`` is dated by ("" when it is no measure of ``model``)."""
    ms = model.measures.get(measure)
    return ms.agg_time_dimension if ms is not None else ""


def flow_home(
    model: Model, side: dict[str, Any], measures: list[NewMeasure], metrics: list[dict[str, Any]]
) -> tuple[str | None, str | None]:
    """(semantic model, time dimension) of a part that reads one flow measure (no snapshot), else Nones."""
    extended = extend(
        model,
        new_measures=[(m.semantic_model, m.measure) for m in measures],
        new_metrics=[m for m in metrics if m["type"] == "simple"],
    )
    if side["name"] not in extended.metrics:
        return None, None
    names = extended.measures_of(side["name"])
    found = [extended.measures[n] for n in names if n in extended.measures]
    if len(found) != 1 or found[0].non_additive is not None:
        return None, None
    return found[0].semantic_model, found[0].agg_time_dimension


def without_word(text: str, word: str) -> str:
    """``text`` without ``word`` and its relative clause words ("trials that converted" → "trials")."""
    kept = [w for w in text.split() if not word_in(word, w)]
    while kept and kept[-1].lower() in ("that", "which", "who", "where"):
        kept.pop()
    while kept and kept[0].lower() in ("that", "which", "who", "where"):
        kept.pop(0)
    return " ".join(kept)
