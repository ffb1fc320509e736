"""The values and yes/no flags a rule or a definition names, read with the resolver's lexicon.

``Context`` is what a rule is read against (the source's reachable dimensions, flags and own rules);
``values_of`` finds (dimension, value) pairs, longest phrases first, and the words left over;
``predicate_for`` writes the filter (through the same allow-list as any YAML filter).
"""

from __future__ import annotations

import re

from metricmind.define.currencyrule import charged_in
from metricmind.define.everyvalue import every_named, mixed, splits, unknown_names
from metricmind.define.groupdefs import dropped_members
from metricmind.define.moneyunit import without_currency_country
from metricmind.define.narrow import qualified_members
from metricmind.define.ownflag import own_flag, pick_flag
from metricmind.define.rulecontext import (
    RULE_GLUE,
    STATE_DIMENSIONS,
    Context,
    Flag,
    Read,
    contains,
    find_dimension,
    flags_of,
    is_state,
    names_flag,
    predicate_for,
)
from metricmind.define.unknownvalue import no_value, no_value_among, unknown_value
from metricmind.define.valuepick import owner_of, value_named
from metricmind.define.words import GLUE, stems
from metricmind.spec.model import Model
from metricmind.spec.names import SEP

__all__ = [
    "RULE_GLUE",
    "STATE_DIMENSIONS",
    "Context",
    "Flag",
    "Read",
    "contains",
    "find_dimension",
    "flags_of",
    "is_state",
    "names_flag",
    "no_value",
    "no_value_among",
    "predicate_for",
    "unknown_value",
    "values_in",
    "values_of",
]


def values_in(text: str, ctx: Context) -> tuple[list[tuple[str, str]], list[str]]:
    """(dimension, value) pairs named in ``text``, and the words left over (ambiguous ones in ``ctx``)."""
    ctx.ambiguous.clear()
    text = without_currency_country(charged_in(text, ctx))  # "in US dollars" a unit, "charged in euros" EUR
    ctx.raw = text
    return values_of(stems(text.lower().replace("-", " ").replace("_", " ")), ctx)


#: Words that, followed by "than", make a comparison cue ("other than", "rather than"), not a value.
_COMPARED = frozenset({"other", "rather"})


def values_of(words: tuple[str, ...], ctx: Context) -> tuple[list[tuple[str, str]], list[str]]:
    """(dimension, value) pairs named in ``words`` (longest phrases first), and the words left over."""
    found: list[tuple[str, str]] = []
    keys: list[tuple[str, ...]] = []
    spots: list[int] = []
    ctx.said = words
    used = [False] * len(words)
    group_hits: list[tuple[int, int, str, tuple[str, ...]]] = []
    listed_hits: list[tuple[int, str, str]] = []
    for i in range(len(words) - 1):  # "other than SMB": the cue "other than", never the value `other`
        if words[i] in _COMPARED and words[i + 1] == "than":
            used[i] = True
    for run in _date_names(ctx):  # "the due date" names the column due_at, never the value past_due
        n = len(run)
        for i in range(len(words) - n + 1):
            if words[i : i + n] == run:
                used[i : i + n] = [True] * n
    named = {
        e.target
        for size in (1, 2)
        for i in range(len(words) - size + 1)
        for e in ctx.lexicon.lookup(words[i : i + size])
        if e.kind == "dimension" and e.source in ("name", "label", "synonym")
    }
    for i, size, dim, group in every_named(
        words, ctx.lexicon, ctx.reachable
    ):  # "all the saas summit campaigns"
        if not any(used[i : i + size]):
            group_hits.append((i, size, dim, group))
            found += [(dim, v) for v in group]
            keys += [words[i : i + size]] * len(group)
            spots += [i] * len(group)
            used[i : i + size] = [True] * size
    unknown = unknown_names(ctx.raw, words, lambda said: bool(ctx.lexicon.lookup(said)))  # never in parts
    for size in range(min(ctx.lexicon.max_len, len(words)), 0, -1):
        for i in range(len(words) - size + 1):
            if any(used[i : i + size]) or splits(i, size, unknown):
                continue
            key = words[i : i + size]
            before = len(ctx.ambiguous)
            hit = value_named(key, ctx, named) or _flag_or_value(key, ctx)
            if hit and "|" not in hit[1] and mixed(words, (i, size), *hit, ctx.lexicon):
                continue  # "LinkedIn retargeting": no value of the campaign is both
            if not hit and size > 1 and len(ctx.ambiguous) > before:
                used[i : i + size] = [True] * size  # "paid search" of two channels: never "paid" alone
                continue
            if hit:
                if "|" in hit[1]:
                    group_hits.append((i, size, hit[0], tuple(hit[1].split("|"))))
                else:
                    listed_hits.append((i, hit[0], hit[1]))
                # a value group ("mobile" → ios|android, config.meta value_groups) keeps each of its values
                for value in hit[1].split("|"):
                    if (hit[0], value) not in found:
                        found.append((hit[0], value))
                        keys.append(key)
                        spots.append(i)
                used[i : i + size] = [True] * size  # "mobile (iOS and Android)": read once, all used
    if len({d for d, _ in found}) > 1:
        # "cancel reason price": "cancel" is part of the other dimension's name, not a value of status
        named_by = {d: set(stems(d.rsplit(SEP, 1)[-1].replace("_", " "))) for d, _ in found}
        keep = [
            n
            for n, ((d, _), key) in enumerate(zip(found, keys, strict=True))
            if not any(o != d and set(key) <= parts <= set(words) for o, parts in named_by.items())
        ]
        found = [found[n] for n in keep]
        keys = [keys[n] for n in keep]
        spots = [spots[n] for n in keep]
    naming = _naming_words(ctx.model, {d for d, _ in found})
    left_at = [
        j
        for j, (w, u) in enumerate(zip(words, used, strict=True))
        if not u and w not in GLUE and w not in RULE_GLUE and w not in naming
    ]
    drop = dropped_members(group_hits, listed_hits, left_at, ctx.raw)  # "mobile = iOS or web": as said here
    drop |= qualified_members(group_hits, listed_hits)  # "Android phones": the phone said, not every phone
    if drop:
        keep = [n for n, pair in enumerate(found) if pair not in drop]
        found, keys, spots = [found[n] for n in keep], [keys[n] for n in keep], [spots[n] for n in keep]
    ctx.keys = list(zip(spots, keys, strict=True))
    return found, [words[j] for j in left_at]


_DATE_TYPE = re.compile(r"^(date|timestamp|datetime)", re.IGNORECASE)
_NUMBER_TYPE = re.compile(r"^(big|small|tiny|hug)?int|^decimal|^numeric|^double|^float|^real", re.IGNORECASE)


def _date_names(ctx: Context) -> list[tuple[str, ...]]:
    """Runs of words that name a date or a number of the source's rows ("due date", "payment date", "days
    late"), never a value: the time dimensions' phrases of two words or more ending in a date word, each
    date column of its table as its name without the time suffix, then "date" (``due_at`` → "due date"),
    and each numeric column whose name has two words or more (``days_late``).
    """
    out = {
        p for phrases in ctx.time_dims.values() for p in phrases if len(p) > 1 and p[-1] in ("date", "day")
    }
    for column, typ in ctx.table_columns.items():
        if _DATE_TYPE.match(typ):
            bare = re.sub(r"_(at|date|on|ts|time)$", "", column)
            if bare != column:
                out.add((*stems(bare.replace("_", " ")), "date"))
        elif _NUMBER_TYPE.match(typ) and not column.endswith("_id"):  # "days late": days_late, not past_due
            run = stems(column.replace("_", " "))
            if len(run) > 1:
                out.add(run)
    return sorted(out, key=len, reverse=True)


def _naming_words(model: Model, dims: set[str]) -> set[str]:
    """Words that name ``dims`` themselves and their entities ("payment method", "plan tier",
    "subscriptions"): said beside a value, they add nothing to the filter.
    """
    out: set[str] = set()
    for name in dims:
        parts = name.split(SEP)
        for entity in parts[:-1]:
            out.update(stems(entity.replace("_", " ")))
        out.update(stems(parts[-1].replace("_", " ")))
        dim = find_dimension(model, name)
        if dim is not None:
            out.update(stems(dim.label.lower()))
            for syn in dim.meta.get("synonyms") or ():
                out.update(stems(str(syn).lower()))
    return out - {"is", "has", "was"}


def _flag_or_value(key: tuple[str, ...], ctx: Context) -> tuple[str, str] | None:
    """A flag ``key`` names, else a value. A flag's own phrase that is also a value of a reachable dimension
    of another entity is ambiguous ("Only active" on MRR: the customer's is_active, or the subscription status
    active?) unless the text names one of the two dimensions: recorded in ``ctx.ambiguous``, never read.
    """
    flag = _flag(key, ctx)
    if flag is None:
        return value_named(key, ctx)
    if not any(key in f.phrases for f in ctx.flags if f.name == flag[0]):
        return flag
    before = len(ctx.ambiguous)
    other = value_named(key, ctx)
    del ctx.ambiguous[before:]
    if other is None or owner_of(other[0]) == owner_of(flag[0]):
        return flag  # "refund": the invoice's is_refunded and its status refunded say the same rows
    said = _owner_said_after(key, (other, flag), ctx.said)
    if said is not None:
        return said  # "active subscriptions": the subscription's status, not the customer's flag
    if (mine := own_flag(key, other, flag, ctx)) is not None:
        return mine  # "urgent only" of appointments: their own is_urgent, not their referral's
    ctx.ambiguous.append((" ".join(key), [other[0], flag[0]]))  # the value first: "the active status"
    return None


def _owner_said_after(
    key: tuple[str, ...], readings: tuple[tuple[str, str], ...], said: tuple[str, ...]
) -> tuple[str, str] | None:
    """The one of ``readings`` whose entity's noun follows ``key`` wherever it is said ("active
    subscriptions": ``subscription__status``), else None.
    """
    n = len(key)
    after = {said[i + n] for i in range(len(said) - n) if said[i : i + n] == key}
    hits = [r for r in readings if set(stems(owner_of(r[0]).replace("_", " "))) & after]
    return hits[0] if len(hits) == 1 else None


def _flag(key: tuple[str, ...], ctx: Context) -> tuple[str, str] | None:
    said = [f for f in ctx.flags if key in f.phrases]
    if said:  # one flag of that name on two entities: the one named beside it, else the source's own
        return pick_flag(key, said, ctx).name, "true"
    for f in ctx.flags:
        if key in f.opposite:
            return f.name, "false"
    for f in ctx.flags:
        if f.own and key in f.negated and not names_flag(ctx.said, f):
            return f.name, "false"  # "paid subscriptions"; not in "trials that became paid"
    return None
