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
from metricmind.define.columns import column_reading, comparison_reading
from metricmind.define.copula import misread_copula
from metricmind.define.datedfilter import dated_filter
from metricmind.define.dating import dated_forms
from metricmind.define.definedword import defined_word
from metricmind.define.describedlist import described_list
from metricmind.define.nearer import alias_doubt, every_value
from metricmind.define.nullfilter import null_filter
from metricmind.define.numbersaid import number_compared
from metricmind.define.onlydate import only_date
from metricmind.define.pairs import NEGATED_OPERATOR, compared_flag, compares, pair_reading
from metricmind.define.proposal import RuleReading
from metricmind.define.rulecover import (
    DROPS_OWN,
    conversion_words,
    covered_by,
    covered_together,
    drops_own,
    keeps_yes,
    live_rule,
    live_states,
    only_keeps,
    only_point_in_time,
    source_denies,
    source_excludes,
    yes_kept,
)
from metricmind.define.rulecues import (
    ASIDE,
    ASIDE_CONFIDENCE,
    CHOSEN,
    COMPARISON_WORDS,
    CONVERT,
    COVERED_NEGATIVE,
    DEFINES,
    EQUIVALENT,
    INCLUDE,
    NEGATIVE,
    NOOP,
    OTHER_NAME,
    PAREN,
    POSITIVE,
    SIDE_SUBJECT,
    SNAPSHOT_SAID,
    SWITCH,
    WHERE,
    negated_conversion,
    several_conditions,
    snapshot_clauses,
    twice_negated,
    uncontract,
)
from metricmind.define.rulefilter import filter_read, other_names, table_words
from metricmind.define.ruleforms import (
    EXCEPT,
    RENAMED,
    apply_treated,
    check_which,
    mixed,
    renamed,
    scale_of,
    treated,
    value_means,
    which_of,
)
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
from metricmind.define.statistics import statistic_reading
from metricmind.define.timerules import is_own_event, time_in, time_rule
from metricmind.define.twoclauses import split_reading
from metricmind.define.windows import window_rule
from metricmind.define.words import EXAMPLES, bare_time_name, known, stems
from metricmind.spec.names import SEP

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


#: A date read through a yes/no flag's word ("the month it was settled": is_paid → paid_at).
FLAG_DATE_CONFIDENCE = 0.75
#: A rule covered by the source's own texts between them, with words left over: a person checks it.
TOGETHER_CONFIDENCE = 0.55


def read_rule(text: str, ctx: Context) -> Read:
    """Read one rule against ``ctx``; a filter keeping what the source itself leaves out ("Only trial
    subscriptions" on `mrr`, whose rule excludes trials) carries ``contradicts`` (nothing would be left).
    """
    read = misread_copula(text, _read(text, ctx), ctx)  # "Plan changes aren't cancellations"
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
    return read


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


def _read(text: str, ctx: Context) -> Read:
    ctx.ambiguous.clear()
    ctx.chosen.clear()
    ctx.raw = text
    low = WHERE.sub(  # "… excluded from both the EMEA part and the total": where, not what
        "", SIDE_SUBJECT.sub("", uncontract(text.lower()))
    )
    negative = bool(NEGATIVE.search(low))
    words = stems(low.replace("-", " ").replace("_", " "))
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
    # "Month of conversion", "counted in the month the subscription ended" (define/dating.py)
    head = re.split(r",?\s+\bnot\b", low)[
        0
    ]  # "… the month its invoice was paid, not the month of the refund"
    named_month = next(
        (
            t
            # "by first paid date" before "by first paid at": the fuller name (first_paid_date, not paid_at)
            for alt in sorted(dated_forms(head), key=lambda a: not a.endswith(" date"))
            if (t := time_rule(alt, stems(alt), ctx, wide=not is_own_event(alt, ctx)))
        ),
        None,
    )
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
    time_dim = time_rule(low, words, ctx) or named_month
    if time_dim:
        besides = _values_beside_date(words, time_dim, ctx)
        if besides:  # "Touches of the webinar series campaign, by touch date": a filter besides the date
            both = dated_filter(text, time_dim, ctx, _read)
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
