"""Business rules in plain English → ``{{ Dimension(...) }}`` filters, deterministically.

The grammar: a rule says *only* (keep), *exclude / except / not / without* (drop) or *include* (keep
everything) about values of the catalog's own dimensions ("only active and past_due", "EMEA only",
"exclude trials", "not refunded"); values are found with the resolver's lexicon (names, values, value
aliases) and yes/no flags (``is_trial``, ``is_paid``) by their names and synonyms. "Date by X" picks the
time dimension. A rule the chosen source already applies (said in its own business rules) is *covered*.
Anything else is *unread*: shown to the person, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import replace

from metricmind.define.columns import column_reading, comparison_reading
from metricmind.define.columns import column_words as _phrases
from metricmind.define.dating import dated_forms
from metricmind.define.pairs import compared_flag, pair_reading
from metricmind.define.proposal import RuleReading
from metricmind.define.ruleforms import (
    EXCEPT,
    RENAMED,
    STRUCTURE,
    check_which,
    metric_named,
    mixed,
    renamed,
    scale_of,
    several,
    which_of,
)
from metricmind.define.rulevalues import (
    RULE_GLUE,
    Context,
    Flag,
    Read,
    find_dimension,
    flags_of,
    is_state,
    names_flag,
    predicate_for,
    unknown_value,
    values_in,
    values_of,
)
from metricmind.define.statistics import statistic_reading
from metricmind.define.timerules import _own_event, _time_rule, time_in
from metricmind.define.words import (
    EXAMPLES,
    GLUE,
    POINT_IN_TIME,
    USE_VERBS,
    content,
    known,
    stems,
    verbs_in,
    vocabulary,
)
from metricmind.spec.names import SEP

__all__ = [
    "RENAMED",
    "Context",
    "Flag",
    "Read",
    "check_which",
    "flags_of",
    "names_flag",
    "predicate_for",
    "read_rule",
    "scale_of",
    "renamed",
    "source_excludes",
    "time_in",
    "unknown_value",
    "values_in",
]

NEGATIVE = re.compile(
    r"\b(exclude[sd]?|excluding|except|not|no|without|leave out|leaving out|left out|other than|never|"
    r"(every|any|all|everything|anything) ?\w* but|apart from|aside from|besides|omit\w*|"
    r"ignor\w*|drop(ped|ping)?|remove[sd]?|removing|filter(ed)? out|skip\w*|n[o']t|isn't|aren't|"
    r"do ?n[o']t count|does ?n[o']t count|are not counted|is not counted|"
    r"(leave|leaving|left|keep|keeping|take|taking) (\w+ ){1,3}out)\b",
    re.IGNORECASE,
)
POSITIVE = re.compile(
    r"\b(only|just|solely|exclusively|limited to|restricted to|nothing but|must be|has to be|have to be)\b",
    re.IGNORECASE,
)
CONVERT = re.compile(
    r"\b(equivalent|convert|normali[sz]e|annuali[sz]|prorate|pro-rate)|\bas (a )?monthly\b", re.IGNORECASE
)
EQUIVALENT = re.compile(r"\bequivalents?\b|÷|divided by 12|/ ?12\b", re.IGNORECASE)
COVERED_NEGATIVE = re.compile(r"\b(excluded|are not|is not|do not count|does not count)\b", re.IGNORECASE)
#: A rule that says how a snapshot is read ("take the last snapshot date in each month, don't add snapshots
#: up", "as of the last day of the month, not summed over days"): what a semi-additive source already does.
SNAPSHOT_SAID = re.compile(
    rf"\b(last (snapshot|day|date|balance|value)|{POINT_IN_TIME}|(not|n't|never|without) (be )?"
    r"(summ?ed|summing|add(ed|ing)?|sum)|do(n't| not) (add|sum))\b",
    re.IGNORECASE,
)
NOOP = re.compile(
    r"^\s*(any|every|all) \w+ counts?\b|^\s*count each \w+ once\b|"
    r"^\s*(all|any|every) (\w+ ){0,2}(status(es)?|states?|types?|kinds?)\s*\.?\s*$",  # "all order statuses"
    re.IGNORECASE,
)
INCLUDE = re.compile(
    r"^\s*(include|including|count|counting|keep)\b|\b(are|is|get|gets|also|too) (also )?(included|counted)\b|"
    r"\b(count|counts) (too|as well)\b|\b(as well|too)\s*$",
    re.IGNORECASE,
)
#: A rule that defines a word ("Late means …", "A discount is defined as …").
DEFINES = re.compile(r"\b(means|mean that|is defined as|are defined as|defined as)\b", re.IGNORECASE)
#: States of a contract that mean "live at the snapshot" when a snapshot measure already counts live ones.
LIVE_STATES = frozenset({"active", "past_due", "trialing"})


def read_rule(text: str, ctx: Context) -> Read:
    """Read one rule against ``ctx``; a filter keeping what the source itself leaves out ("Only trial
    subscriptions" on `mrr`, whose rule excludes trials) carries ``contradicts`` (nothing would be left).
    """
    read = _read(text, ctx)
    if read.reading.status == "unread" and read.reading.suggestion is None:
        read = _without_aside(text, ctx) or read
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
    if read.reading.status == "filter" and not read.negative and read.dimension and not read.others:
        keys = list(ctx.keys)
        read.contradicts = next((c for _, key in keys if (c := source_excludes(key, ctx))), None)
    return read


#: Any parenthesis of a rule, and the words by which one keeps or drops on its own ("(but keep wire)").
PAREN = re.compile(r"\(([^()]*)\)")
SWITCH = re.compile(r"\b(keeps?|kept|include[sd]?|including|only|but)\b", re.IGNORECASE)
#: A parenthesis after the rule that says why ("Exclude card payments (they settle instantly)").
ASIDE = re.compile(r"\s*\(([^()]*)\)\s*\.?\s*$")
#: The most a rule read without its aside is trusted: a person checks that the aside only says why.
ASIDE_CONFIDENCE = 0.75


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


def _read(text: str, ctx: Context) -> Read:
    ctx.ambiguous.clear()
    ctx.chosen.clear()
    ctx.raw = text
    low = WHERE.sub("", text.lower())  # "… excluded from both the EMEA part and the total": where, not what
    negative = bool(NEGATIVE.search(low))
    words = stems(low.replace("-", " ").replace("_", " "))
    live = _live_rule(text, low, words, ctx)
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
            extra = [
                w for w in leftover if w not in read_words and not known(w, frozenset(_table_words(ctx)))
            ]
            reading = compared[0]
            if extra:  # words the comparison does not read: a doubt
                reading = replace(
                    reading,
                    confidence=OTHER_NAME,
                    reason=f"{reading.reason}; but the rule also says {', '.join(map(repr, extra))}",
                )
            return Read(reading, negative=negative, column_sql=compared[1])
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
    paired = (
        pair_reading(text, low, ctx.table, ctx.table_columns, ctx.model, negative)
        if ctx.table_columns
        else None
    )
    if paired is not None:  # "Only invoices paid after their due date": paid_at > due_at (define/pairs.py)
        found, _ = values_of(words, ctx)
        found = [
            f for f in found if not compared_flag(f, paired[1])
        ]  # "paid" of paid_at is no is_paid filter
        if not found and not ctx.ambiguous:  # a value beside it is read the usual way, never dropped
            return Read(paired[0], negative=negative, column_sql=paired[1])
    # "Month of conversion", "counted in the month the subscription ended" (define/dating.py)
    named_month = next(
        (
            t
            for alt in dated_forms(low)
            if (t := _time_rule(alt, stems(alt), ctx, wide=not _own_event(alt, ctx)))
        ),
        None,
    )
    if named_month and not negative:
        return Read(
            RuleReading(text, "time", 0.85, f"dates the metric by {named_month}"), time_dimension=named_month
        )
    own_event = next((alt for alt in dated_forms(low) if _own_event(alt, ctx)), None)
    if own_event and not negative:  # "in the month the customer churned" of `churned_mrr`: its own month
        return Read(
            RuleReading(
                text,
                "covered",
                0.8,
                f"`{ctx.own_name}` counts that event itself: its own time dimension dates it",
            )
        )
    if INCLUDE.search(low) and not negative and not POSITIVE.search(low):
        dated = _time_rule(low, words, ctx) if re.match(r"\s*count\w*\b", low) else None
        if dated:  # "Count invoices by the month they were paid": a date, not an inclusion
            return Read(RuleReading(text, "time", 0.85, f"dates the metric by {dated}"), time_dimension=dated)
        return Read(RuleReading(text, "noop", 0.8, "includes rows; restricts nothing"))
    if CONVERT.search(low):
        said = next((c for c in ctx.covering if EQUIVALENT.search(c)), None)
        if said:
            return Read(RuleReading(text, "covered", 0.8, f"already part of the source: {said!r}"))
        return Read(
            RuleReading(text, "unread", 0.0, "a conversion of amounts the catalog has no expression for")
        )
    if NOOP.search(low):
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
    time_dim = _time_rule(low, words, ctx) or named_month
    if time_dim:
        return Read(
            RuleReading(text, "time", 0.85, f"dates the metric by {time_dim}"), time_dimension=time_dim
        )
    found, leftover = values_of(words, ctx)
    if not found and ctx.snapshot and SNAPSHOT_SAID.search(low):
        return Read(
            RuleReading(
                text, "covered", 0.8, "the source is a snapshot: each period reads its last day, never a sum"
            )
        )
    named = _covered_by(words, ctx.naming, negative) if not found else None
    if named:
        return Read(RuleReading(text, "covered", 0.75, f"names the source itself: {named!r}"))
    covered = _covered_by(words, ctx.covering, negative)
    if covered and found and POSITIVE.search(low) and (CONVERT.search(covered) or EQUIVALENT.search(covered)):
        covered = None  # "Only annual contracts" keeps rows; "annual contracts count as monthly" converts
    if covered and not _live_states(found, ctx, negative):
        dims = {d for d, _ in found}
        return Read(
            RuleReading(text, "covered", 0.8, f"already part of the source: {covered!r}"),
            dimension=dims.pop() if len(dims) == 1 else None,
            values=tuple(v for _, v in found),
            negative=negative,
        )
    if found:
        dims = {d for d, _ in found}
        if len(dims) > 1 and not negative and POSITIVE.search(low):
            return several(text, low, found, leftover, ctx)
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
        if (
            dim.rsplit(SEP, 1)[-1] == "status"
            and ctx.snapshot
            and set(values) <= LIVE_STATES
            and not negative
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
            what += (
                f", but the rule compares ({comparing.group(0)!r} …), which a filter on {dim} does not say"
            )
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
    if ctx.table_values:
        on_column = column_reading(text, words, negative, ctx.table, ctx.table_values)
        if on_column is not None:
            return Read(on_column[0], negative=negative, column_sql=on_column[1])
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
                f"{dim} has no value {word!r}; nearest is {nearest!r}",
                suggestion=nearest,
            ),
            dimension=dim,
        )
    if ctx.ambiguous:
        phrase, choices = ctx.ambiguous[-1]
        return Read(
            RuleReading(
                text,
                "unread",
                0.0,
                f"{phrase!r} is a value of {', '.join(choices)}; name the dimension (e.g. 'the {phrase} "
                f"{choices[0].rsplit(SEP, 1)[-1].replace('_', ' ')}')",
            )
        )
    if ctx.snapshot and _only_point_in_time(low):  # "as of month end" on a month-end snapshot: what it is
        return Read(RuleReading(text, "covered", 0.8, "the metric is already the value at each month's end"))
    return Read(RuleReading(text, "unread", 0.0, "no dimension or value of the catalog found in this rule"))


_POINT = re.compile(rf"\b({POINT_IN_TIME}|at month end)\b", re.IGNORECASE)


def _only_point_in_time(low: str) -> bool:
    """The rule says only when the value is taken ("as of month end", "at the end of each month")."""
    rest = _POINT.sub(" ", low)
    return rest != low and not [w for w in content(rest) if w not in ("month", "end", "value", "measured")]


#: Words of a comparison ("above zero", "at least 10").
COMPARISON_WORDS = frozenset(
    "above over more greater exceed exceeds exceeding higher than least below under less lower most zero "
    "positive nonzero non percentage percent".split()
)


def _table_words(ctx: Context) -> set[str]:
    """Words that name the source's rows (its semantic models and entities: "invoices", "subscriptions")."""
    out = set(stems(ctx.table.rsplit(".", 1)[-1].replace("_", " ")))
    for name in ctx.home:
        sm = ctx.model.semantic_models.get(name)
        if sm is not None:
            out.update(stems(sm.name.replace("_", " ")))
            for e in sm.entities:
                out.update(stems(e.name.replace("_", " ")))
    return out


#: The confidence of a filter whose value is an alias of several dimensions, read as the finer one.
CHOSEN = 0.75
#: The confidence of a filter whose rule also names another dimension or column (a doubt).
OTHER_NAME = 0.5
#: A comparison word of a rule ("paid after the due date") that a filter on one dimension cannot say.
COMPARED = re.compile(r"\b(after|before|later than|earlier than|prior to|sooner than)\b")


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
    names -= own | GENERIC_NAMES
    return [w for w in leftover if w in names]


#: Words of dimension names too general to name one.
GENERIC_NAMES = frozenset({"is", "has", "was", "name", "type", "id", "current", "first", "last", "date"})


#: A clause saying which parts of a ratio a rule applies to ("from both the EMEA part and the total").
WHERE = re.compile(
    r"\s*\b(?:from|in|on|for) (?:both |either |each of )?(?:the )?[\w' -]*?\b(?:parts?|total|numerator|"
    r"denominator|sides?)\b(?: and (?:in |from )?(?:the )?[\w' -]*?\b(?:parts?|total|numerator|denominator|"
    r"sides?)\b)?",
    re.IGNORECASE,
)
#: A rule that says what "live at the month's end" means (by start and end dates), naming no value.
LIVE_RULE = re.compile(
    r"\b(live|running|active|in force|not yet ended|still \w+)\b.*\b(last|final|closing) day\b|"
    r"\b(last|final|closing) day\b.*\b(live|running|active|not yet ended|ended)\b",
    re.IGNORECASE,
)


def _live_rule(text: str, low: str, words: tuple[str, ...], ctx: Context) -> Read | None:
    """On a month-end snapshot, a rule saying that a row counts when it is live on the month's last day
    (by its start and end, not today's status) says what the snapshot already counts: covered.
    """
    if not ctx.snapshot or not LIVE_RULE.search(low):
        return None
    found, _ = values_of(words, ctx)
    if any(d.rsplit(SEP, 1)[-1] != "status" for d, _ in found):
        return None
    return Read(
        RuleReading(
            text,
            "covered",
            0.8,
            "a state over history: the snapshot counts what is live on each month's last day (by its start "
            "and end dates), not today's status",
        )
    )


def _live_states(found: list[tuple[str, str]], ctx: Context, negative: bool) -> bool:
    """The rule keeps live states of a status ("only active and past_due") and the source is a snapshot."""
    return (
        bool(found)
        and ctx.snapshot
        and not negative
        and all(d.rsplit(SEP, 1)[-1] == "status" and v in LIVE_STATES for d, v in found)
    )


def source_excludes(key: tuple[str, ...], ctx: Context) -> str | None:
    """The source's own rule clause that leaves out what ``key`` names ("trials and ended contracts are
    excluded" for "trial"), read clause by clause so "counts active …; trials … are excluded" keeps active.
    """
    want = {_root(w) for w in key}
    for text in ctx.covering:
        for clause in re.split(r"[;.]|,\s*(?:but|and)\b", text):
            if not (NEGATIVE.search(clause) or COVERED_NEGATIVE.search(clause)):
                continue
            if want <= {_root(w) for w in content(clause)}:
                return clause.strip()
    return None


def _root(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _covered_by(words: tuple[str, ...], covering: list[str], negative: bool) -> str | None:
    """The source's own rule (or description) that says the same, with the same polarity."""
    want = {w for w in words if w not in GLUE and w not in RULE_GLUE}
    if len(want) < 2:
        return None
    for text in covering:
        if bool(NEGATIVE.search(text) or COVERED_NEGATIVE.search(text)) != negative:
            continue
        have = set(content(text))
        if len(want & have) / len(want) >= 0.75:
            return text
    return None
