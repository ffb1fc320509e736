"""Rules that say how to count, convert or scale rather than which rows to keep."""

from __future__ import annotations

import re

from metricmind.define.dating import dated_forms
from metricmind.define.nearer import every_value
from metricmind.define.pairs import compares
from metricmind.define.proposal import RuleReading
from metricmind.define.rulecover import (
    conversion_words,
)
from metricmind.define.rulecues import (
    CONVERT,
    EQUIVALENT,
    INCLUDE,
    NEGATIVE,
    NOOP,
    OTHER_NAME,
    POSITIVE,
    negated_conversion,
)
from metricmind.define.rulefilter import table_words
from metricmind.define.ruleforms import (
    EXCEPT,
    mixed,
    scale_of,
    treated,
)
from metricmind.define.rulevalues import (
    Context,
    Read,
    values_of,
)
from metricmind.define.timerules import time_rule


def counted(text: str, low: str, words: tuple[str, ...], negative: bool, ctx: Context) -> Read | None:
    """A rule that says how rows are counted or mapped ("Treat bank transfers as wire", "Count every invoice")
    rather than which; None otherwise.
    """
    mapped = treated(text, low, ctx) if not CONVERT.search(low) else None
    if mapped is not None:  # "Treat bank transfers as wire payments"
        return mapped
    if INCLUDE.search(low) and not negative and not POSITIVE.search(low):
        dated = time_rule(low, words, ctx) if re.match(r"\s*count\w*\b", low) else None
        if dated:  # "Count invoices by the month they were paid": a date, not an inclusion
            return Read(RuleReading(text, "time", 0.85, f"dates the metric by {dated}"), time_dimension=dated)
        if dated_forms(low) and not _counts_values(
            low, words, ctx
        ):  # "Count each ticket when it was resolved"
            return Read(
                RuleReading(
                    text,
                    "unread",
                    0.0,
                    "dates the metric by an event no time dimension names; name the date ('by solved date')",
                )
            )
        counted = _counts_values(low, words, ctx)
        if counted and re.search(r"\b(all|every|any|whether|regardless|either)\b", low):
            return Read(  # "Count every invoice, card or wire": all of them, or only those two?
                RuleReading(
                    text,
                    "noop",
                    OTHER_NAME,
                    f"read as restricting nothing, but it names {', '.join(counted)}: check that it does not "
                    "keep only those",
                )
            )
        if not counted and not compares(low):  # "Count each returning customer …": a filter below
            return Read(RuleReading(text, "noop", 0.8, "includes rows; restricts nothing"))
    return None


def converted(text: str, low: str, words: tuple[str, ...], negative: bool, ctx: Context) -> Read | None:
    """A rule of conversion, of "no matter", of exceptions or of a scale ("as a fraction"); None otherwise."""
    if negated_conversion(low):  # "Use the full contract amount, not the monthly equivalent"
        return Read(
            RuleReading(text, "noop", 0.8, "the amounts as they are, not converted; restricts nothing")
        )
    if CONVERT.search(low):
        said = next((c for c in ctx.covering if EQUIVALENT.search(c)), None)
        other = conversion_words(low, said, ctx, table_words(ctx)) if said else []
        if said and not other:
            return Read(RuleReading(text, "covered", 0.8, f"already part of the source: {said!r}"))
        if said:  # "Convert MRR to EUR at the month-end rate" is no monthly equivalent of annual contracts
            return Read(
                RuleReading(
                    text,
                    "unread",
                    0.0,
                    f"a conversion of {', '.join(map(repr, other))}, which the source's own conversion "
                    f"({said!r}) does not say and the catalog has no expression for",
                )
            )
        return Read(
            RuleReading(text, "unread", 0.0, "a conversion of amounts the catalog has no expression for")
        )
    if NOOP.search(low):
        found, _ = values_of(words, ctx)
        ctx.ambiguous.clear()
        ctx.chosen.clear()
        found = [(d, v) for d, v in found if v.lower() not in ("true", "false")]
        named_values = [f"{d} = {v}" for d, v in found]
        every = {d: every_value(ctx.model, d) for d in {d for d, _ in found}}
        if len(named_values) > 1 and any(
            not all_ <= {v for d2, v in found if d2 == d} for d, all_ in every.items()
        ):  # "All starts count: new, upgrade, downgrade": every start, or only those three?
            return Read(
                RuleReading(
                    text,
                    "noop",
                    OTHER_NAME,
                    f"read as restricting nothing, but it names {', '.join(named_values)}: check that it does not "
                    "keep only those",
                )
            )
        return Read(RuleReading(text, "noop", 0.8, "says how to count, restricts nothing"))
    cut = EXCEPT.search(low)
    if cut is not None and not NEGATIVE.search(low[: cut.start()]):
        both = mixed(text, low, ctx)
        if both is not None:
            return both
    scale = scale_of(low)
    if scale is not None:
        what = "a fraction from 0 to 1" if scale == 1 else "a percentage from 0 to 100"
        return Read(RuleReading(text, "noop", 0.8, f"the value is {what}"), scale=scale)
    return None


def _counts_values(low: str, words: tuple[str, ...], ctx: Context) -> list[str]:
    """A rule that says what is counted ("Count each returning customer …", "Count only EMEA accounts")
    and names values: it restricts the rows (a filter), never "includes rows" — unless it adds ("too",
    "as well", "also").
    """
    if not re.match(r"\s*count\w*\b", low) or re.search(r"\b(too|as well|also)\b", low):
        return []
    found, _ = values_of(words, ctx)
    ctx.ambiguous.clear()
    ctx.chosen.clear()
    return [f"{d} = {v}" for d, v in found]
