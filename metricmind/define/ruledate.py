"""A rule that dates the metric ("by paid date", "the month it was settled"): which time dimension, or why
none is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from metricmind.define.datedfilter import dated_filter
from metricmind.define.dating import dated_forms
from metricmind.define.proposal import RuleReading
from metricmind.define.rulecues import (
    NEGATIVE,
    several_conditions,
)
from metricmind.define.rulevalues import (
    Context,
    Read,
    values_of,
)
from metricmind.define.timerules import is_own_event, time_rule
from metricmind.define.words import bare_time_name, stems
from metricmind.spec.names import SEP

#: Why a rule of several clauses is not read as one of them.
MANY_SAID = "states a condition of several clauses, each to be said as its own rule; none is read as"


def _values_beside_date(words: tuple[str, ...], time_dim: str, ctx: Context) -> list[str]:
    """The values (no yes/no flag) a dating rule names besides its date ("… of the webinar series
    campaign, by touch date": campaign = webinar_series), as ``dimension = value``.
    """
    own = set(stems(time_dim.replace("_", " ")))
    rest = tuple(w for w in words if w not in own)
    found, _ = values_of(rest, ctx)
    ctx.ambiguous.clear()
    return [f"{d} = {v}" for d, v in found if v.lower() not in ("true", "false")]


def _dating(text: str, low: str, confidence: float, reason: str, dimension: str) -> Read:
    """A rule read as the metric's date; unread when it says several conditions besides ("Overdue at a
    month end: issued by then, due before that day, not paid by then"): the date alone would drop them.
    """
    if several_conditions(low):
        return Read(
            RuleReading(
                text,
                "unread",
                0.0,
                f"{MANY_SAID} the date {dimension}",
            )
        )
    return Read(RuleReading(text, "time", confidence, reason), time_dimension=dimension)


#: A date read through a yes/no flag's word ("the month it was settled": is_paid → paid_at).
FLAG_DATE_CONFIDENCE = 0.75


def named_month_of(low: str, ctx: Context) -> str | None:
    """The time dimension a dating clause of the rule names ("counted in the month the subscription ended"),
    read from the rule before any "not"; None when it names none.
    """
    # "Month of conversion", "counted in the month the subscription ended" (define/dating.py)
    head = re.split(r",?\s+\bnot\b", low)[
        0
    ]  # "… the month its invoice was paid, not the month of the refund"
    return next(
        (
            t
            # "by first paid date" before "by first paid at": the fuller name (first_paid_date, not paid_at)
            for alt in sorted(dated_forms(head), key=lambda a: not a.endswith(" date"))
            if (t := time_rule(alt, stems(alt), ctx, wide=not is_own_event(alt, ctx)))
        ),
        None,
    )


def dated(text: str, low: str, negative: bool, named_month: str | None, ctx: Context) -> Read | None:
    """The rule read as the metric's date (``named_month``, a flag's date, the source's own event), or unread
    as a date no time dimension names; None when it says no date.
    """
    head = re.split(r",?\s+\bnot\b", low)[
        0
    ]  # "… the month its invoice was paid, not the month of the refund"
    if named_month and not NEGATIVE.search(head):
        return _dating(text, low, 0.85, f"dates the metric by {named_month}", named_month)
    flagged = _flag_date(head, ctx) if not NEGATIVE.search(head) else None
    if flagged is not None:  # "the month it was settled": `settled` names is_paid, whose date is paid_at
        return _dating(text, low, FLAG_DATE_CONFIDENCE, flagged[1], flagged[0])
    own_event = next((alt for alt in dated_forms(low) if is_own_event(alt, ctx)), None)
    if own_event and not negative:  # "in the month the customer churned" of `churned_mrr`: its own month
        return Read(
            RuleReading(
                text,
                "covered",
                0.8,
                f"`{ctx.own_name}` counts that event itself: its own time dimension dates it",
            )
        )
    undated = _undated_clause(head, ctx) if dated_forms(head) and not NEGATIVE.search(head) else None
    if undated is not None:  # "… to the month it was closed": a date no time dimension names, not a filter
        return Read(RuleReading(text, "unread", 0.0, undated))
    return None


def dated_after(
    text: str,
    low: str,
    words: tuple[str, ...],
    named_month: str | None,
    ctx: Context,
    read: Callable[[str, Context], Read],
) -> Read | None:
    """The rule read as a time dimension it names anywhere (with a value besides it, read by ``read`` as a
    filter of its own); None when it names none.
    """
    time_dim = time_rule(low, words, ctx) or named_month
    if time_dim:
        besides = _values_beside_date(words, time_dim, ctx)
        if besides:  # "Touches of the webinar series campaign, by touch date": a filter besides the date
            both = dated_filter(text, time_dim, ctx, read)
            if both is not None:
                return both
            return Read(
                RuleReading(
                    text,
                    "unread",
                    0.0,
                    f"dates the metric by {time_dim} and also names {', '.join(besides)}; say the filter as a "
                    "rule of its own",
                )
            )
        return _dating(text, low, 0.85, f"dates the metric by {time_dim}", time_dim)
    return None


def _flag_date(head: str, ctx: Context) -> tuple[str, str] | None:
    """(time dimension, reason) of a dating clause whose event is a yes/no flag's word ("the month it was
    settled": `settled` is a synonym of is_paid) when the source has the time dimension of the flag's
    name (``paid_at``); None otherwise.
    """
    for alt in dated_forms(head):
        m = re.match(r"date by (.+) (?:at|date)$", alt)
        if m is None:
            continue
        said = stems(m.group(1))
        for flag in ctx.flags:
            if said not in flag.phrases:
                continue
            bare = re.sub(r"^(is|has|was)_", "", flag.name.rsplit(SEP, 1)[-1])
            dims = [t for t in ctx.time_dims if bare_time_name(t) == bare]
            if len(dims) == 1:
                return dims[0], (
                    f"dates the metric by {dims[0]}: {m.group(1)!r} is a word of {flag.name}, whose date is "
                    f"{dims[0]}"
                )
    return None


def _undated_clause(head: str, ctx: Context) -> str | None:
    """Why a dating clause that names no time dimension ("the month it was closed") is unread, when the
    only values the rule names are inside it (they say when, never which rows); None otherwise.
    """
    words = stems(head.replace("-", " ").replace("_", " "))
    if "month" not in words:
        return None
    at = words.index("month")
    found, _ = values_of(words, ctx)
    spots = [i for i, _ in ctx.keys]
    ctx.ambiguous.clear()
    ctx.chosen.clear()
    if not found or any(i < at for i in spots):
        return None
    return (
        "dates the metric by an event no time dimension names ("
        + ", ".join(f"{d} = {v}" for d, v in found)
        + " says which rows, not when); name the date ('by payment date')"
    )
