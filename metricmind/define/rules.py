"""Business rules in plain English → ``{{ Dimension(...) }}`` filters, deterministically.

The grammar (cue words in ``rulecues.py``, filters in ``rulefilter.py``, what the source already does in
``rulecover.py``): a rule says *only* (keep), *exclude / except / not / without* (drop) or *include* (keep
everything) about values of the catalog's own dimensions ("only active and past_due", "EMEA only",
"exclude trials", "not refunded"); values are found with the resolver's lexicon (names, values, value
aliases) and yes/no flags (``is_trial``, ``is_paid``) by their names and synonyms. "Date by X" picks the
time dimension. A rule the chosen source already applies (said in its own business rules) is *covered*.
Anything else is *unread*: shown to the person, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import replace

from metricmind.define.asidevalues import by_aside
from metricmind.define.copula import misread_copula
from metricmind.define.currencyrule import charged_in, unit_rule
from metricmind.define.definedword import defined_word
from metricmind.define.fanout import fanned_out
from metricmind.define.kept import kept
from metricmind.define.nearer import alias_doubt
from metricmind.define.onlynot import only_not
from metricmind.define.rulecount import converted, counted
from metricmind.define.rulecover import (
    DROPS_OWN,
    drops_own,
    keeps_yes,
    only_keeps,
    source_denies,
    source_excludes,
    yes_kept,
)
from metricmind.define.rulecues import (
    ASIDE,
    ASIDE_CONFIDENCE,
    CHOSEN,
    CONVERT,
    COVERED_NEGATIVE,
    EQUIVALENT,
    INCLUDE,
    NEGATIVE,
    OTHER_NAME,
    PAREN,
    POSITIVE,
    SIDE_SUBJECT,
    SWITCH,
    WHERE,
    uncontract,
)
from metricmind.define.ruledate import dated, dated_after, named_month_of
from metricmind.define.rulefilter import other_names
from metricmind.define.ruleforms import (
    RENAMED,
    apply_treated,
    check_which,
    renamed,
    scale_of,
)
from metricmind.define.rulefound import found_read, unfound_read
from metricmind.define.ruleshape import shaped
from metricmind.define.rulevalues import (
    Context,
    Flag,
    Read,
    flags_of,
    names_flag,
    no_value_among,
    predicate_for,
    unknown_value,
    values_in,
    values_of,
)
from metricmind.define.timerules import time_in
from metricmind.define.twoclauses import split_reading
from metricmind.define.words import EXAMPLES, stems
from metricmind.resolve.lexicon import Lexicon

__all__ = [
    "CHOSEN",
    "CONVERT",
    "DROPS_OWN",
    "COVERED_NEGATIVE",
    "EQUIVALENT",
    "INCLUDE",
    "NEGATIVE",
    "OTHER_NAME",
    "POSITIVE",
    "RENAMED",
    "Context",
    "Flag",
    "Read",
    "apply_treated",
    "check_which",
    "flags_of",
    "names_flag",
    "other_names",
    "predicate_for",
    "read_rule",
    "scale_of",
    "renamed",
    "source_denies",
    "source_excludes",
    "time_in",
    "no_value_among",
    "unknown_value",
    "values_in",
]


def read_rule(text: str, ctx: Context) -> Read:
    """Read one rule against ``ctx``; a filter keeping what the source itself leaves out ("Only trial
    subscriptions" on `mrr`, whose rule excludes trials) carries ``contradicts`` (nothing would be left).
    """
    unit = unit_rule(text, ctx)  # "use the USD amount at finance's rate": the figure's unit, no filter
    if unit is not None:
        return unit
    read = misread_copula(text, _read(text, ctx), ctx)  # "Plan changes aren't cancellations"
    read = only_not(text, ctx, _read, read) or read  # "Follow-ups only, not first appointments"
    if read.reading.status == "filter":  # "Only iOS and Android; web does not count": each clause its own
        read = split_reading(text, ctx, _read) or read
    if read.reading.status == "unread" and read.reading.suggestion is None:
        read = (
            _without_aside(text, ctx) or defined_word(text, ctx, _read) or by_aside(text, ctx, _read) or read
        )
    inner = PAREN.search(text)
    if inner and read.reading.status == "filter" and not EXAMPLES.search(text):
        named, _ = values_of(stems(inner.group(1).lower().replace("-", " ").replace("_", " ")), ctx)
        cue = NEGATIVE.search(inner.group(1)) or SWITCH.search(inner.group(1))
        if named and cue:  # "Exclude card payments (but keep wire)": the parenthesis may say the other way
            read.reading = replace(
                read.reading,
                confidence=min(read.reading.confidence, OTHER_NAME),
                reason=f"{read.reading.reason}, but the parenthesis {inner.group(0)!r} names a value too: "
                "check that it keeps or drops what the filter does",
            )
    if (
        read.reading.status == "filter"
        and read.dimension
        and read.values
        and read.reading.confidence > RENAMED
    ):
        loose = alias_doubt(
            ctx.model,
            ctx.lexicon,
            stems(text.lower().replace("-", " ").replace("_", " ")),
            read.dimension,
            read.values,
        )
        if loose:  # "Only webinar touches": channel `events` by an alias, campaign `webinar_series` by name
            read.reading = replace(
                read.reading, confidence=RENAMED, reason=f"{read.reading.reason}, but {loose}"
            )
    if read.reading.status == "filter" and not read.negative and read.dimension and not read.others:
        keys = list(ctx.keys)
        read.contradicts = next((c for _, key in keys if (c := source_excludes(key, ctx))), None)
        if read.contradicts is None and keeps_yes(read.values, read.negative):  # "only trials" of paying rows
            read.contradicts = source_denies(read.dimension, ctx)
    if read.reading.status == "filter" and read.others and not read.tied and read.contradicts is None:
        if only_keeps(read):  # "refunded purchases by iOS players" of a source that leaves refunds out
            read.contradicts = next(
                (c for _, key in list(ctx.keys) if (c := source_excludes(key, ctx))), None
            )
        read.contradicts = read.contradicts or next(  # "trials in APAC" of paying rows: each flag kept yes
            (c for d in read.others if yes_kept(read, d) and (c := source_denies(d, ctx))), None
        )
    if read.reading.status == "filter" and read.dimension and not read.others and read.contradicts is None:
        read.contradicts = drops_own(read, list(ctx.keys), ctx.own_name)
    return fanned_out(text, read, ctx) or read  # "orders from sellers in Germany": one order, many sellers


def _without_aside(text: str, ctx: Context) -> Read | None:
    """The rule read without a trailing parenthesis that names no value and negates nothing (a reason
    given, not a condition); its reason says the aside was not read. None when that does not read either.
    """
    m = ASIDE.search(text)
    if m is None or not text[: m.start()].strip():
        return None
    aside = m.group(1).lower()
    found, _ = values_of(stems(aside.replace("-", " ").replace("_", " ")), ctx)
    if NEGATIVE.search(aside) or found or ctx.ambiguous or re.search(r"\d", aside):
        return None
    read = _read(text[: m.start()], ctx)
    if read.reading.status not in ("filter", "covered", "noop", "time"):
        return None
    read.reading = replace(
        read.reading,
        text=text,
        confidence=min(read.reading.confidence, ASIDE_CONFIDENCE),
        reason=f"{read.reading.reason} (the aside {m.group(0).strip()!r} says why; not read)",
    )
    return read


#: The words that open a value stored with a negation in it ("not_home", "no_show", "non_profit").
VALUE_NEGATIONS = frozenset({"not", "no", "non", "never", "without"})


def negated_values(low: str, lx: Lexicon) -> str:
    """``low`` with each value whose own words begin with a negation ("not home" of `not_home`) written as one
    word, its length kept: the negation is the value's, not the rule's ("attempts whose outcome was not home"
    keeps them).
    """
    for key, entries in lx.phrases.items():
        if len(key) < 2 or key[0] not in VALUE_NEGATIONS or not any(e.kind == "value" for e in entries):
            continue
        pattern = r"\b" + r"[\s_-]+".join(map(re.escape, key)) + r"(?:e?s)?\b"
        low = re.sub(pattern, lambda m: re.sub(r"\W", "_", m.group(0)), low, flags=re.IGNORECASE)
    return low


def _read(text: str, ctx: Context) -> Read:
    ctx.ambiguous.clear()
    ctx.chosen.clear()
    ctx.raw = charged_in(text, ctx)  # "charged in euros": the EUR the currency column holds
    low = WHERE.sub(  # "… excluded from both the EMEA part and the total": where, not what
        "", SIDE_SUBJECT.sub("", uncontract(ctx.raw.lower()))
    )
    negative = bool(NEGATIVE.search(negated_values(low, ctx.lexicon)))
    words = stems(low.replace("-", " ").replace("_", " "))
    named_month = named_month_of(low, ctx)
    return (  # each stage reads the rule or passes it on (None): the first reading wins
        kept(text, low, words, ctx)  # "refunded payments still count": keeps rows, never a filter
        or shaped(text, low, words, negative, ctx)
        or dated(text, low, negative, named_month, ctx)
        or counted(text, low, words, negative, ctx)
        or converted(text, low, words, negative, ctx)
        or dated_after(text, low, words, named_month, ctx, _read)
        or found_read(text, low, words, negative, ctx)
        or unfound_read(text, low, words, negative, ctx)
    )
