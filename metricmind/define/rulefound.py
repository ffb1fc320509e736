"""A rule read by the values of the catalog it names (``found_read``), or by none (``unfound_read``)."""

from __future__ import annotations

import re
from dataclasses import replace

from metricmind.define.columns import column_reading
from metricmind.define.flagwords import flag_in_words
from metricmind.define.nullfilter import null_filter
from metricmind.define.numbersaid import number_compared
from metricmind.define.onlydate import only_date
from metricmind.define.proposal import RuleReading
from metricmind.define.rulecover import (
    covered_by,
    covered_together,
    live_states,
    only_point_in_time,
)
from metricmind.define.rulecues import (
    CONVERT,
    EQUIVALENT,
    POSITIVE,
    SNAPSHOT_SAID,
    several_conditions,
    snapshot_clauses,
    twice_negated,
)
from metricmind.define.ruledate import MANY_SAID
from metricmind.define.rulefilter import filter_read
from metricmind.define.ruleforms import (
    which_of,
)
from metricmind.define.rulevalues import (
    Context,
    Read,
    no_value_among,
    predicate_for,
    unknown_value,
    values_of,
)
from metricmind.define.words import stems
from metricmind.spec.names import SEP

#: A rule covered by the source's own texts between them, with words left over: a person checks it.
TOGETHER_CONFIDENCE = 0.55


def found_read(text: str, low: str, words: tuple[str, ...], negative: bool, ctx: Context) -> Read | None:
    """The rule read by the values it names: covered by the source, a filter, or unread when half read;
    None when it names no value.
    """
    found, leftover = values_of(words, ctx)
    if not found and ctx.snapshot and SNAPSHOT_SAID.search(low):
        if several_conditions(low) and not snapshot_clauses(
            low
        ):  # "In arrears at the month end: due by then, unpaid by then, …"
            return Read(RuleReading(text, "unread", 0.0, f"{MANY_SAID} a month-end reading of the snapshot"))
        return Read(
            RuleReading(
                text, "covered", 0.8, "the source is a snapshot: each period reads its last day, never a sum"
            )
        )
    named = covered_by(words, ctx.naming, negative) if not found else None
    if named:
        return Read(RuleReading(text, "covered", 0.75, f"names the source itself: {named!r}"))
    covered = covered_by(words, ctx.covering, negative)
    if covered and found and POSITIVE.search(low) and (CONVERT.search(covered) or EQUIVALENT.search(covered)):
        covered = None  # "Only annual contracts" keeps rows; "annual contracts count as monthly" converts
    if covered and _unsaid(found, covered):
        covered = (
            None  # "a trial counts as converted when its status is trial_converted": a value it never says
        )
    if covered and not live_states(found, ctx, negative):
        dims = {d for d, _ in found}
        return Read(
            RuleReading(text, "covered", 0.8, f"already part of the source: {covered!r}"),
            dimension=dims.pop() if len(dims) == 1 else None,
            values=tuple(v for _, v in found),
            negative=negative,
        )
    flags = {f.name for f in ctx.flags}
    halves = [(p, c) for p, c in ctx.ambiguous if flags & set(c)]  # "events" of a channel is a name, not this
    if found and halves:  # "Only active and past_due": a value read, a flag-or-value guessed — never half
        return _name_the_dimension(text, *halves[-1], "; a filter on the rest would say less than the rule")
    if found and negative and twice_negated(low):  # "Invoices not yet paid are left out": unpaid dropped
        kept = _kept_flag(text, found, words, ctx)
        if kept is not None:
            return kept
        return Read(
            RuleReading(
                text,
                "unread",
                0.1,
                "drops rows and says 'not' of what it drops: the two negations are not read as one filter; "
                "say which rows to keep ('Only paid invoices')",
            )
        )
    if found:
        return filter_read(text, low, words, found, leftover, negative, ctx)
    return None


def unfound_read(text: str, low: str, words: tuple[str, ...], negative: bool, ctx: Context) -> Read:
    """A rule that names no value: covered by the source's texts, a dimension said, a column's value, a null,
    a number compared — else unread, with the nearest value when one is near.
    """
    together = covered_together(words, [*ctx.covering, *ctx.naming], negative)
    if together:  # the source's own definition and rules say it between them
        return Read(
            RuleReading(
                text,
                "covered",
                TOGETHER_CONFIDENCE,
                "restates the source's own texts, mostly: " + "; ".join(repr(t) for t in together[:3]),
            )
        )
    which = which_of(low, ctx)
    if which is not None:
        yes, no = which
        return Read(
            RuleReading(
                text,
                "noop",
                0.8,
                f"says which dimension is meant: {', '.join(yes)}" + (f", not {', '.join(no)}" if no else ""),
            ),
            which=which,
        )
    if ctx.table_values and not ctx.ambiguous:  # "Enterprise" of two dimensions is no column's value
        on_column = column_reading(text, words, negative, ctx.table, ctx.table_values)
        if on_column is not None:
            return Read(on_column[0], negative=negative, column_sql=on_column[1])
    dated_only = only_date(text, low, ctx)
    if dated_only is not None:  # "the month the review was written": the rows' one date (onlydate.py)
        return dated_only
    nulled = null_filter(text, low, ctx)
    if nulled is not None:  # "no first payment date", "first reply time is null" (nullfilter.py)
        return nulled
    numbered = number_compared(text, low, ctx)
    if numbered is not None:  # "level number 15 and above": a dimension of numbers compared (numbersaid.py)
        return numbered
    worded = _worded_flag(text, low, words, negative, ctx)
    if worded is not None:  # "claims referred to SIU": is_siu_referral, its words in another form
        return worded
    near = unknown_value([words], ctx.lexicon)
    if near and near[1].lower() == near[2].lower():  # the value exists, on a path the source cannot take
        return Read(
            RuleReading(
                text,
                "unread",
                0.0,
                f"{near[2]!r} is a value of {near[0]}, which not every measure of the source reaches by "
                "one join path",
            ),
            dimension=near[0],
        )
    if near:
        dim, word, nearest = near
        return Read(
            RuleReading(
                text,
                "unread",
                0.0,
                no_value_among(dim, word, nearest, ctx.lexicon),
                suggestion=nearest,
            ),
            dimension=dim,
        )
    if ctx.ambiguous:
        return _name_the_dimension(text, *ctx.ambiguous[-1])
    if ctx.snapshot and only_point_in_time(low):  # "as of month end" on a month-end snapshot: what it is
        return Read(RuleReading(text, "covered", 0.8, "the metric is already the value at each month's end"))
    return Read(RuleReading(text, "unread", 0.0, "no dimension or value of the catalog found in this rule"))


#: A flag read from its words in another order or form: a person checks it.
WORDED_FLAG_CONFIDENCE = 0.6


def _worded_flag(text: str, low: str, words: tuple[str, ...], negative: bool, ctx: Context) -> Read | None:
    """The rule read as the one yes/no flag whose words it says in another order or form (``flagwords``),
    when nothing else of substance is said; None otherwise.
    """
    said = flag_in_words(words, ctx.flags)
    if said is None or said[1]:
        return None
    read = filter_read(text, low, words, [(said[0], "true")], [], negative, ctx)
    if read.reading.status != "filter":
        return None
    read.reading = replace(
        read.reading,
        confidence=min(read.reading.confidence, WORDED_FLAG_CONFIDENCE),
        reason=f"{read.reading.reason} (the flag {said[0]} said in other words)",
    )
    return read


def _name_the_dimension(text: str, phrase: str, choices: list[str] | tuple[str, ...], more: str = "") -> Read:
    """Unread: ``phrase`` is a value of several ``choices`` (dimensions or flags); ``more`` says why a
    filter on the rest of the rule is no answer either.
    """
    example = choices[0].rsplit(SEP, 1)[-1].replace("_", " ")
    return Read(
        RuleReading(
            text,
            "unread",
            0.0,
            f"{phrase!r} is a value of {', '.join(choices)}; name the dimension (e.g. 'the {phrase} "
            f"{example}'){more}",
        )
    )


#: Words between "not" and the flag it negates ("not yet paid", "never been converted").
_NOT_BETWEEN = frozenset(
    {"yet", "been", "ever", "be", "have", "has", "had", "are", "is", "was", "were", "got"}
)


def _kept_flag(text: str, found: list[tuple[str, str]], words: tuple[str, ...], ctx: Context) -> Read | None:
    """A drop of a yes/no flag said with "not" before it ("Invoices not yet paid are left out"): keeps the
    flag's value as named (paid); None when the rule names anything but one flag, or its "not" is elsewhere.
    """
    if len(found) != 1 or found[0][1] not in ("true", "false") or len(ctx.keys) != 1:
        return None
    dim, value = found[0]
    at = ctx.keys[0][0]
    i = at - 1
    while i >= 0 and words[i] in _NOT_BETWEEN:
        i -= 1
    if i < 0 or words[i] not in ("not", "never"):
        return None
    if sum(w in ("not", "never", "no") for w in words) != 1:
        return None
    return Read(
        RuleReading(
            text=text,
            status="filter",
            confidence=0.75,
            reason=f"drops the rows that are not {dim} = {value}: keeps only {dim} = {value}",
            predicate=predicate_for(dim, (value,), False),
        ),
        dimension=dim,
        values=(value,),
    )


def _unsaid(found: list[tuple[str, str]], covering: str) -> list[str]:
    """Values of ``found`` (not yes/no) whose words the source's own sentence ``covering`` never says in a
    row: a rule that names such a value ("status is trial_converted" beside "Conversion is the first paid
    subscription …") restricts what the source computes, it is not already part of it.
    """
    said = " ".join(stems(covering.lower().replace("_", " ").replace("-", " ")))
    out = []
    for _, v in found:
        if v in ("true", "false"):
            continue
        run = " ".join(stems(v.lower().replace("_", " ").replace("-", " ")))
        if run and not re.search(rf"(?:^| ){re.escape(run)}(?: |$)", said):
            out.append(v)
    return out
