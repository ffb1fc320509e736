"""A rule read by its shape (``shaped``): what it compares, lists, windows or defines, before any value it names."""

from __future__ import annotations

from dataclasses import replace

from metricmind.define.columns import comparison_reading
from metricmind.define.describedlist import described_list
from metricmind.define.pairs import NEGATED_OPERATOR, compared_flag, pair_reading
from metricmind.define.proposal import RuleReading
from metricmind.define.rulecover import (
    live_rule,
)
from metricmind.define.rulecues import (
    COMPARISON_WORDS,
    DEFINES,
    NEGATIVE,
    OTHER_NAME,
)
from metricmind.define.rulefilter import table_words
from metricmind.define.ruleforms import (
    value_means,
)
from metricmind.define.rulevalues import (
    Context,
    Read,
    values_of,
)
from metricmind.define.statistics import statistic_reading
from metricmind.define.windows import window_rule
from metricmind.define.words import known, stems


def shaped(text: str, low: str, words: tuple[str, ...], negative: bool, ctx: Context) -> Read | None:
    """A rule read by its shape before its values: a state kept live, a statistic, a column compared with a
    number, a described list, a window of days, a word defined, two columns compared; None otherwise.
    """
    live = live_rule(text, low, words, ctx)
    if live is not None:
        return live
    stat = statistic_reading(text, ctx.statistic)
    if stat is not None:  # "average, not median"
        return Read(stat)
    compared = (
        comparison_reading(text, low, ctx.table, ctx.table_numeric, negative) if ctx.table_numeric else None
    )
    if compared is not None:  # "A discount means a discount percentage above zero": discount_pct > 0
        found, leftover = values_of(words, ctx)
        if (
            not found and not ctx.ambiguous
        ):  # a value beside it ("Enterprise invoices …") is read the usual way
            read_words = set(stems(compared[1].lower().replace("_", " "))) | COMPARISON_WORDS
            extra = [w for w in leftover if w not in read_words and not known(w, frozenset(table_words(ctx)))]
            reading = compared[0]
            if extra:  # words the comparison does not read: a doubt
                reading = replace(
                    reading,
                    confidence=OTHER_NAME,
                    reason=f"{reading.reason}; but the rule also says {', '.join(map(repr, extra))}",
                )
            return Read(reading, negative=negative, column_sql=compared[1])
    listed = described_list(text, ctx)
    if listed is not None:  # "direct means our website, the call centre, …": channel_group's "direct (…)"
        return listed
    windowed = window_rule(text, low, ctx)
    if windowed is not None:  # "first paid date no more than 30 days after the sign-up date" (windows.py)
        return windowed
    meant = value_means(text, low, ctx) if DEFINES.search(low) else None
    if meant is not None:  # "Enterprise means the customer's segment, not the plan tier": which dimension
        return meant
    if DEFINES.search(low):  # "Late means the payment date is after the due date": a word, not a filter
        return Read(
            RuleReading(
                text,
                "unread",
                0.0,
                "defines a word rather than keeping or dropping values; say it as a filter over the "
                "catalog's dimensions",
            )
        )
    # "paid no later than the due date" is paid_at <= due_at: its "no" is the operator's, not a negation
    pair_negative = bool(NEGATIVE.search(NEGATED_OPERATOR.sub(" ", low)))
    paired = (
        pair_reading(text, low, ctx.table, ctx.table_columns, ctx.model, pair_negative)
        if ctx.table_columns
        else None
    )
    if paired is not None:  # "Only invoices paid after their due date": paid_at > due_at (define/pairs.py)
        found, _ = values_of(words, ctx)
        found = [
            f for f in found if not compared_flag(f, paired[1])
        ]  # "paid" of paid_at is no is_paid filter
        if not found and not ctx.ambiguous:  # a value beside it is read the usual way, never dropped
            return Read(paired[0], negative=pair_negative, column_sql=paired[1])
    return None
