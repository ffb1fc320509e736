"""A metric of two parts: a ratio ("X divided by Y", "share of X that Y"), a difference ("X minus Y"), and
a ratio scaled to a percentage. Each part is built by ``part.build_part``.
"""

from __future__ import annotations

import re
from typing import Any

from metricmind.define.fit import TAIL
from metricmind.define.items import meta_of, ratio_item
from metricmind.define.kinds import (
    assign,
    defined_filter,
    defining,
    difference_metric,
    flow_home,
    per_entity,
    undated,
    without_word,
    word_in,
)
from metricmind.define.part import Parts, build_part
from metricmind.define.population import one_sided, population_of, stray_values
from metricmind.define.priorperiod import cover_prior_rules, offset_item, point_in_time, prior_of
from metricmind.define.proposal import Definition, Proposal, RuleReading
from metricmind.define.ratiorestate import kept, restating
from metricmind.define.redate import part_dates
from metricmind.define.shape import join_filters
from metricmind.define.terms import find_term
from metricmind.define.valuepart import values_only
from metricmind.define.words import lexicon, stems
from metricmind.spec.joingraph import JoinGraph
from metricmind.spec.model import Model

#: The denominator said of the numerator's own rows: "the customers those touches reached".
THOSE = re.compile(
    r"\b(?:those|these|the same|such)\s+(?!(?:month|day|week|quarter|year|period|date|time)s?\b)[a-z]+",
    re.IGNORECASE,
)


def ratio(
    definition: Definition,
    model: Model,
    shape: tuple[str, str, str, int | None],
    common: list[str],
    dated: tuple[str, ...],
    parts: Parts,
    proposal: Proposal,
    columns: dict[str, dict[str, str]] | None,
) -> dict[str, Any] | str:
    """A ratio of two parts (``fit.structure``'s shape), each built by ``build_part``; why not, else."""
    lx = lexicon(model)
    context = " ".join([definition.text, *definition.rules])
    num_text, den_text, qualifier, rule_at = shape
    said = {r: d for r in common if (d := defining(r)) and word_in(d[0], f"{num_text} {qualifier}")}
    if len(said) > 1:
        return "two rules say which rows the numerator's words mean"
    if said:  # "A trial converted when its status is trial_converted": the numerator's own filter
        common = [r for r in common if r not in said]
    restated = restating(model, common, f"{num_text} {qualifier}", den_text) if rule_at is None else []
    common = [
        r for r in common if r not in restated
    ]  # "the guest's tier is Gold or Platinum": the numerator's
    population = population_of(definition.text) if rule_at is not None else ""
    if rule_at is not None:  # a value of the definition neither part nor its population says is not dropped
        stray = stray_values(model, definition.text, [num_text, den_text, qualifier, population, *common])
        if stray:
            return (
                f"the definition names {', '.join(map(repr, stray))}, which neither part of the rule's ratio "
                "says; say in the rule which part it filters"
            )
    prior = prior_of(den_text)  # "… of last month's closing MRR": the denominator one month back
    if prior is not None:
        den_text = prior[0]
    sides: list[dict[str, Any]] = []
    for role, text, extra in (("numerator", num_text, qualifier), ("denominator", den_text, "")):
        if said and role == "numerator":  # "trials that converted" → trials, with the rule's filter
            text = without_word(text, next(iter(said.values()))[0]) or text
            extra = without_word(extra, next(iter(said.values()))[0]) if extra else ""
            extra = "" if extra == qualifier and word_in(next(iter(said.values()))[0], extra) else extra
        if role == "numerator" and not said and values_only(model, text):  # "Wire transfers as a % of …"
            text, extra = den_text, f"{text} {extra}".strip()  # the denominator's rows of those values
        text, own_dates = part_dates(text)  # "paid invoice amount by paid date": the part's own date
        term = find_term(model, text, f"{text} {extra} {context}", lx, columns, (*own_dates, text, *dated))
        if term is None and sides:  # "events per active account": the accounts among the events
            term = per_entity(model, *flow_home(model, sides[0], parts.measures, parts.metrics), text)
        made = build_part(
            definition,
            model,
            f"{definition.name}_{role}",
            text,
            term,
            extra,
            [*own_dates, *common],
            parts,
            proposal,
            population,
        )
        if isinstance(made, str):
            return f"the {role} ({text!r}): {made}"
        if role == "denominator" and _back(text, num_text):  # "… the customers those touches reached"
            carried = _carried(model, sides[0], made, parts)
            if isinstance(carried, str):
                return f"the denominator ({text!r}) {carried}"
            made = carried
        if said and role == "numerator":
            home = flow_home(model, made, parts.measures, parts.metrics)[0]
            reach = JoinGraph(model, max_hops=4).reachable_names(home) if home else set()
            found = defined_filter(model, next(iter(said.values()))[1], reach)
            if found is None:
                return f"the rule {next(iter(said))!r} names no one value the numerator's rows reach"
            made["filter"] = join_filters([f for f in (made.get("filter"), found[1]) if f])
            said = {r: (d[0], found[1]) for r, d in said.items()}
        sides.append(made)
    if THOSE.search(den_text) and sides[0].get("filter") != sides[1].get("filter"):
        # "… divided by the distinct customers those touches reached": the numerator's own rows
        homes = [flow_home(model, side, parts.measures, parts.metrics) for side in sides]
        if homes[0][0] is None or homes[0] != homes[1] or not sides[0].get("filter"):
            return (
                f"the denominator ({den_text!r}) counts the numerator's rows ('those'), but they are not read "
                "on the same rows; say its filter"
            )
        sides[1]["filter"] = join_filters([f for f in (sides[0].get("filter"), sides[1].get("filter")) if f])
    restatements = [kept(model, r, sides[0]) for r in restated]
    if not all(restatements):
        return f"a rule restates values of the numerator ({num_text!r}) that its filter does not keep"
    if prior is None and _same(sides[0], sides[1], parts):  # one month back it is another value
        return f"the numerator ({num_text!r}) reads the same as the denominator ({den_text!r})"
    lopsided = one_sided(model, definition.text, *sides) if rule_at is not None else []
    if lopsided:  # "Booking.com no-show rate" + "no-shows divided by all Booking.com reservations"
        return (
            f"the definition names {', '.join(map(repr, lopsided))}, which the denominator keeps and the "
            "numerator does not: say it for both parts"
        )
    if prior is None and _inside(sides[1], sides[0]):
        return (
            f"the denominator ({den_text!r}) reads as a part of the numerator ({num_text!r}): the "
            "ratio would never be below 1; name the denominator's own metric"
        )
    if prior is not None and prior[1] and not point_in_time(model, sides[1], parts.measures, parts.metrics):
        return f"the denominator ({den_text!r}) is read at the month's start, but it is no month-end value"
    if prior is not None:
        metric = offset_item(definition, sides[0], sides[1])
        proposal.rules = cover_prior_rules(proposal.rules, den_text)
    else:
        metric = ratio_item(definition, sides[0], sides[1])
    proposal.rules += [r for r in restatements if r is not None]
    for r, (word, predicate) in said.items():
        proposal.rules.append(
            RuleReading(
                r, "filter", 0.8, f"says which rows the numerator's {word!r} are: {predicate}", predicate
            )
        )
    if rule_at is not None:
        proposal.rules.insert(
            rule_at,
            RuleReading(
                definition.rules[rule_at],
                "covered",
                0.8,
                f"states the ratio: {num_text!r} ÷ {den_text!r}"
                if not qualifier
                else f"states the ratio: the rows of {den_text!r} that are {qualifier!r} ÷ all of them",
            ),
        )
    return metric


#: The denominator's rows said as the numerator's ("the customers those touches reached"): not a time.
BACK = re.compile(r"\b(?:those|these)\s+(?P<rows>\w+)", re.I)


def _back(den_text: str, num_text: str) -> bool:
    """The denominator says "those" / "these" of a noun the numerator says ("the customers those touches
    reached" after "spend of paid search touches"), never of anything else ("including those on trials").
    """
    said = set(stems(num_text.lower().replace("-", " ")))
    return any(set(stems(m.group("rows").lower())) & said for m in BACK.finditer(den_text))


def _carried(model: Model, num: dict[str, Any], den: dict[str, Any], parts: Parts) -> dict[str, Any] | str:
    """The denominator with the numerator's filter, when it counts "those" rows of the numerator (the same
    semantic model): "paid search spend per customer those touches reached" divides by the customers of
    the paid search touches, not of every touch. Why not, when the filter cannot be carried.
    """
    own = model.metrics.get(str(num["name"]))
    if own is not None and (own.filter or (own.measure and own.measure.filter)):
        return "says the numerator's rows, whose metric filters on its own: say the filter in a rule"
    keep = str(num.get("filter") or "")
    if not keep or keep in str(den.get("filter") or ""):
        return den
    home = flow_home(model, num, parts.measures, parts.metrics)[0]
    if home is None or home != flow_home(model, den, parts.measures, parts.metrics)[0]:
        return "says the numerator's rows, but counts rows of another table: say its filter in a rule"
    return dict(den, filter=join_filters([f for f in (den.get("filter"), keep) if f]))


def difference_of(
    definition: Definition,
    model: Model,
    minus: tuple[str, str],
    rules: list[str],
    parts: Parts,
    proposal: Proposal,
    columns: dict[str, dict[str, str]] | None,
    op: str = "-",
) -> dict[str, Any] | str:
    """A difference ("X minus Y"): each part built alone (its own rules and date), then subtracted (with
    ``op`` "+", a sum: "X plus Y", added).
    """
    lx = lexicon(model)
    sides = []
    for role, said, own in zip(("left", "right"), minus, assign(rules, *minus), strict=True):
        text, dates = undated(TAIL.sub("", said))  # "…, monthly" is the period, not a value
        own = [*dates, *own]
        term = find_term(model, text, " ".join([text, *own]), lx, columns, (text, *own))
        made = build_part(
            definition, model, f"{definition.name}_{role}", text, term, "", own, parts, proposal
        )
        if isinstance(made, str):
            return f"the {role} part ({text!r}): {made}"
        sides.append(made)
    if _same(sides[0], sides[1], parts):
        return f"{minus[0]!r} reads the same as {minus[1]!r}: the {'sum' if op == '+' else 'difference'} is doubtful"
    return difference_metric(
        definition.name, definition.text, meta_of(definition, None), sides[0], sides[1], op
    )


def percent(definition: Definition, ratio: dict[str, Any], parts: Parts) -> dict[str, Any]:
    """The ratio × 100 ("a number from 0 to 100"): the ratio becomes a new metric, read by a derived one."""
    inner = f"{definition.name}_fraction"
    item = dict(ratio, name=inner, label=inner.replace("_", " ").capitalize())
    item["description"] = f"{definition.text} (as a fraction; part of `{definition.name}`)"
    parts.metrics.append(item)
    return {
        "name": definition.name,
        "label": ratio["label"],
        "description": definition.text,
        "type": "derived",
        "type_params": {"expr": f"100.0 * {inner}", "metrics": [{"name": inner}]},
        "config": {"meta": meta_of(definition, "percent")},
    }


def _inside(den: dict[str, Any], num: dict[str, Any]) -> bool:
    """The denominator is the numerator's metric with more filters (a subset of the numerator's rows)."""
    if den["name"] != num["name"]:
        return False
    own, more = str(num.get("filter") or ""), str(den.get("filter") or "")
    return bool(more) and more != own and own in more


def _same(num: dict[str, Any], den: dict[str, Any], parts: Parts) -> bool:
    """Both parts compute the same thing (a ratio of 1): a qualifier was not read."""
    if num.get("filter") != den.get("filter"):
        return False
    if num["name"] == den["name"]:
        return True
    items = {m["name"]: m for m in parts.metrics}
    measures = {
        m.measure["name"]: (
            m.semantic_model,
            m.measure["agg"],
            m.measure["expr"],
            m.measure["agg_time_dimension"],
        )
        for m in parts.measures
    }
    if parts.model is not None:
        for item in parts.model.semantic_model["measures"]:
            measures[item["name"]] = (parts.model.name, item["agg"], item["expr"], item["agg_time_dimension"])
    a, b = items.get(num["name"]), items.get(den["name"])
    if a is None or b is None or a.get("filter") != b.get("filter"):
        return False
    ma, mb = a["type_params"]["measure"], b["type_params"]["measure"]
    return ma == mb or (ma in measures and measures.get(ma) == measures.get(mb))
