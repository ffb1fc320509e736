"""A rule that names values of the catalog's dimensions, read as a filter: one dimension's values kept or
dropped, with every doubt said (words left over, another dimension's name, a comparison a filter cannot
say, an alias of several dimensions, a value the catalog has only as another word); a state over history
on a snapshot, a metric's name or unknown words beside the value leave it unread.
"""

from __future__ import annotations

import re
from dataclasses import replace

from metricmind.define.columns import column_reading
from metricmind.define.columns import column_words as _phrases
from metricmind.define.flagvalue import flag_valued
from metricmind.define.proposal import RuleReading
from metricmind.define.rulecover import is_live
from metricmind.define.rulecues import CHOSEN, COMPARED, GENERIC_NAMES, OTHER_NAME, POSITIVE
from metricmind.define.ruleforms import RENAMED, STRUCTURE, combination, metric_named, renamed, several
from metricmind.define.rulevalues import Context, Read, find_dimension, is_state, predicate_for
from metricmind.define.words import USE_VERBS, content, known, stems, verbs_in, vocabulary
from metricmind.spec.model import EntityType
from metricmind.spec.names import SEP


def filter_read(
    text: str,
    low: str,
    words: tuple[str, ...],
    found: list[tuple[str, str]],
    leftover: list[str],
    negative: bool,
    ctx: Context,
) -> Read:
    """The rule read as a filter on the values ``found`` (``leftover``: its words no value explains)."""
    dims = {d for d, _ in found}
    if len(dims) > 1 and not negative and (POSITIVE.search(low) or _only_names(low, leftover, dims)):
        read = several(
            text, low, found, leftover, ctx
        )  # "Only the create action on dashboards", "action create, feature api"
        if read.reading.status == "filter" and not POSITIVE.search(low):  # no "only": a person checks
            read.reading = replace(read.reading, confidence=min(read.reading.confidence, 0.7))
        return read
    if len(dims) > 1 and negative:
        joint = combination(text, low, words, found, leftover, ctx)
        if joint is not None:  # "Don't count creates in the api feature": rows with both values drop
            return joint
    if len(dims) > 1:
        return Read(
            RuleReading(
                text,
                "unread",
                0.2,
                f"names values of several dimensions ({', '.join(sorted(dims))}); write one rule each",
            )
        )
    dim = dims.pop()
    values = tuple(v for _, v in found)
    if not negative and not POSITIVE.search(low) and _every(low, dim):  # "any platform, web included"
        return Read(RuleReading(text, "noop", 0.8, f"includes every {dim}; restricts nothing"))
    if (
        dim.rsplit(SEP, 1)[-1] == "status"
        and ctx.snapshot
        and all(is_live(v, ctx) for v in values)
        and not negative
        and _every_live(dim, values, ctx)
    ):
        return Read(
            RuleReading(
                text,
                "covered",
                0.75,
                "a state over history: the snapshot counts what is live at each month's end (by its "
                "start and end dates), not today's status, which would rewrite the past",
            )
        )
    if ctx.snapshot and is_state(dim):
        return Read(
            RuleReading(
                text,
                "unread",
                0.1,
                f"a state over history: {dim} holds only today's state, and filtering a month-end "
                "snapshot by it would rewrite the past; the state at each month's end is not in the catalog",
            ),
            dimension=dim,
        )
    metric = metric_named(words, ctx)
    if metric:
        return Read(
            RuleReading(
                text,
                "unread",
                0.1,
                f"names the metric `{metric}` (an amount of its own), not only {dim}: a filter on "
                f"{dim} would drop rows, which may not be what the rule means; rephrase it as a filter "
                "or a formula",
            ),
            dimension=dim,
        )
    valued = flag_valued(text, low, found, leftover)
    if valued is not None:  # "the borrower's KYC verified flag is false" (flagvalue.py)
        return valued
    held = verbs_in(low) & USE_VERBS  # "tickets owned by the Tier 2 team": the rows' own holder
    strange = [w for w in leftover if not known(w, vocabulary(ctx.model)) and w not in held]
    on_column = column_reading(text, words, negative, ctx.table, ctx.table_values) if strange else None
    if on_column is not None and set(strange) <= _phrases({ctx.table: ctx.table_values}):
        return Read(on_column[0], negative=negative, column_sql=on_column[1])
    if strange or STRUCTURE.search(low):
        return Read(
            RuleReading(
                text,
                "unread",
                0.1,
                f"names {dim} but also {', '.join(repr(w) for w in strange) or 'the parts of a ratio'}, "
                "which the catalog does not know; a filter would say less than the rule",
            ),
            dimension=dim,
        )
    predicate = predicate_for(dim, values, negative)
    verb = "drops" if negative else "keeps only"
    shown = ", ".join(v for v in values if v not in ("true", "false"))
    what = f"{dim} = {values[0]}" if len(values) == 1 else f"{dim} in {shown}"
    conf = 0.9 if not leftover else 0.7
    if leftover:  # every word of the rule is read or reported: the reason names those it did not read
        what += f" (the filter does not read {', '.join(repr(w) for w in dict.fromkeys(leftover))})"
    anything = set(stems(" ".join(re.findall(r"\b(?:any|every|all|each) (\w+)", low))))
    elsewhere = [w for w in other_names(leftover, dim, ctx) if w not in anything]
    if elsewhere:  # "Only the seo_docs campaign": a channel's value, but the rule speaks of campaigns
        conf = OTHER_NAME
        what += (
            f", but the rule also says {', '.join(map(repr, elsewhere))}, the name of another "
            "dimension or column: check that it means this one"
        )
    comparing = COMPARED.search(low) if leftover else None
    if comparing:  # "Only invoices paid after their due date" without the table's columns: not is_paid
        conf = min(conf, OTHER_NAME)
        what += f", but the rule compares ({comparing.group(0)!r} …), which a filter on {dim} does not say"
    if ctx.chosen:
        conf = min(conf, CHOSEN)
        what += f", but {ctx.chosen[0]}"
    other = renamed(text, found, ctx)
    if other:
        conf, what = RENAMED, f"{what}, but {other}"
    return Read(
        RuleReading(text, "filter", conf, f"{verb} {what}", predicate),
        dimension=dim,
        values=values,
        negative=negative,
    )


def table_words(ctx: Context) -> set[str]:
    """Words that name the source's rows (its semantic models and entities: "invoices", "subscriptions")."""
    out = set(stems(ctx.table.rsplit(".", 1)[-1].replace("_", " ")))
    for name in ctx.home:
        sm = ctx.model.semantic_models.get(name)
        if sm is not None:
            out.update(stems(sm.name.replace("_", " ")))
            for e in sm.entities:
                out.update(stems(e.name.replace("_", " ")))
    return out


def other_names(leftover: list[str], dim: str, ctx: Context) -> list[str]:
    """Leftover words of a rule that name a dimension other than ``dim``, or a column of the source's
    table that is no dimension ("campaign" beside a channel's value).
    """
    own = set(stems(dim.rsplit(SEP, 1)[-1].replace("_", " ")))
    found = find_dimension(ctx.model, dim)
    if found is not None:  # its own other words ("paid" is a trial flag's "no")
        for aliases in (found.meta.get("value_aliases") or {}).values():
            for a in aliases or ():
                own.update(stems(str(a).lower().replace("-", " ")))
    names: set[str] = set()
    for sm in ctx.model.semantic_models.values():
        for d in sm.dimensions:
            if d.type == "categorical":
                names.update(stems(d.name.replace("_", " ")))
    for column in ctx.table_values:
        names.update(stems(column.replace("_", " ")))
    rows = {  # "only tickets of Enterprise accounts" of a ticket count: the rows themselves, no other name
        w
        for h in ctx.home
        if h in ctx.model.semantic_models
        for e in ctx.model.semantic_models[h].entities
        if e.type is EntityType.PRIMARY
        for w in stems(e.name.replace("_", " "))
    }
    names -= own | GENERIC_NAMES | rows
    return [w for w in leftover if w in names]


def _every(low: str, dim: str) -> bool:
    """The rule says "any/every/all <the dimension's name>" ("on any platform, web included"): every value
    of it counts, the one it names among them.
    """
    named = {w.rstrip("s") for w in stems(dim.rsplit(SEP, 1)[-1].replace("_", " ")) if len(w) > 2}
    said = {w.rstrip("s") for w in stems(" ".join(re.findall(r"\b(?:any|every|all|each) (\w+)", low)))}
    return bool(named & said)


def _only_names(low: str, leftover: list[str], dims: set[str]) -> bool:
    """Every word a rule says besides its values names one of their dimensions ("action create, feature
    dashboards"): the values are the rule, with no verb that could say otherwise ("count as new").
    """
    if re.search(r"\b(as|is|are|was|were|means?|count\w*|treat\w*|becomes?|became)\b", low):
        return False
    names = {w.rstrip("s") for d in dims for w in stems(d.rsplit(SEP, 1)[-1].replace("_", " "))}
    return all(w.rstrip("s") in names for w in leftover)


def _every_live(dim: str, values: tuple[str, ...], ctx: Context) -> bool:
    """``values`` hold every state the snapshot source says it counts: "only active and past_due" restates
    `mrr` (active and past-due subscriptions); "only past_due" keeps part of it, which the month-end
    snapshot cannot say (today's status would rewrite the past), so it is never covered.
    """
    info = ctx.lexicon.dims.get(SEP.join(dim.split(SEP)[-2:]))
    declared = [str(v) for v in info.values] if info is not None else []
    kept = [  # the source's clauses that keep rows ("Counts active and past-due …"), not "trials are excluded"
        clause for text in ctx.covering for clause in re.split(r"[;.,]", text) if not _DROPS.search(clause)
    ]
    said = {w for clause in kept for w in content(clause.replace("-", " "))}
    live = {v for v in declared if set(content(v.replace("_", " ").replace("-", " "))) <= said}
    return live <= set(values)


_DROPS = re.compile(r"\b(?:exclud\w*|except\w*|not|never|no(?!-\w)|without|drop\w*|ignor\w*)\b", re.I)
