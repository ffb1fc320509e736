"""The values and yes/no flags a rule or a definition names, read with the resolver's lexicon.

``Context`` is what a rule is read against (the source's reachable dimensions, flags and own rules);
``values_of`` finds (dimension, value) pairs, longest phrases first, and the words left over;
``predicate_for`` writes the filter (through the same allow-list as any YAML filter).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from metricmind.define.everyvalue import every_named, mixed, splits, unknown_names
from metricmind.define.groupdefs import dropped_members
from metricmind.define.moneyunit import without_currency_country
from metricmind.define.narrow import qualified_members
from metricmind.define.proposal import RuleReading
from metricmind.define.toldapart import told_apart
from metricmind.define.words import GLUE, opposites, stems
from metricmind.resolve.lexicon import Lexicon
from metricmind.spec.filters import parse_where
from metricmind.spec.model import Dimension, Model
from metricmind.spec.names import SEP

#: Rule words that say how, not what: ignored when looking for values.
RULE_GLUE = frozenset(
    "exclude excluded excluding except only just include including keep count counted counting leave "
    "leaving out without status state type kind record row limited limit restricted restrict solely "
    "exclusively nothing must omit omitted omitting ignore ignored ignoring drop dropped remove removed "
    "skip skipped whose should shall will would can cannot may might need needs do doe does did".split()
)


@dataclass(frozen=True)
class Flag:
    """A yes/no dimension and the phrases that name it."""

    name: str  # reachable name, e.g. subscription__is_trial
    phrases: tuple[tuple[str, ...], ...]
    #: Phrases that name the flag's "no" (``value_aliases: {"false": [paid]}``: a paid subscription is not
    #: a trial); read only on the rows the flag describes (``own``), never across a join.
    negated: tuple[tuple[str, ...], ...] = ()
    own: bool = False
    #: One-word opposites of its name ("unverified" for is_verified): its "no" on any rows, joined or not.
    opposite: tuple[tuple[str, ...], ...] = ()


@dataclass
class Context:
    """What a rule is read against: the chosen source's reachable dimensions and its own rules."""

    model: Model
    lexicon: Lexicon
    reachable: set[str]
    snapshot: bool
    covering: list[str] = field(default_factory=list)  # the chosen metric's rules and description
    time_dims: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)  # name → phrases
    flags: list[Flag] = field(default_factory=list)
    home: set[str] = field(default_factory=set)  # the source's own semantic models
    ambiguous: list[tuple[str, list[str]]] = field(default_factory=list)  # (phrase, dimensions) not read
    said: tuple[str, ...] = ()  # the stems of the text being read
    keys: list[tuple[int, tuple[str, ...]]] = field(
        default_factory=list
    )  # (position, words) of each value found
    raw: str = ""  # the text being read, as written (an alias the catalog writes in capitals must be so)
    chosen: list[str] = field(default_factory=list)  # aliases of several dimensions read as the finer one
    table: str = ""  # the source's one table (relation), when it has one
    table_values: dict[str, tuple[str, ...]] = field(default_factory=dict)  # its non-dimension text columns
    table_numeric: tuple[str, ...] = ()  # its numeric columns (compared with a number by a rule)
    table_columns: dict[str, str] = field(default_factory=dict)  # its columns and types (two compared)
    own_name: str = ""  # the closest metric's name (the event it counts: "churned_mrr")
    naming: list[str] = field(default_factory=list)  # the source's measures and models: names, descriptions
    statistic: str = ""  # what the source computes: "average", "p50" … (``statistics.statistic_of``)
    definition: str = ""  # the definition's text (how it uses a word a rule defines: ``definedword.py``)
    sources: list[str] = field(default_factory=list)  # the source's texts and its inputs' (``sourcetexts``)


@dataclass
class Read:
    """One rule read: its reading, and the values it keeps or drops per dimension."""

    reading: RuleReading
    dimension: str | None = None
    values: tuple[str, ...] = ()
    negative: bool = False
    time_dimension: str | None = None
    others: tuple[str, ...] = ()  # the dimensions of a rule that keeps values of several
    contradicts: str | None = None  # the source's own clause that leaves out what the filter keeps
    scale: float | None = None  # "as a fraction between 0 and 1" (1) or "a number from 0 to 100" (100)
    which: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # "plan tier, not segment": (yes, no)
    column_sql: str | None = None  # a predicate on a column of the source's table that is no dimension
    treated_as: tuple[str, ...] = ()  # "Treat bank transfers as wire": ``values`` count as these values
    tied: tuple[tuple[str, str], ...] = ()  # "Don't count creates in the api feature": the pair dropped


_ASKING = frozenset({"is", "are", "was", "were", "has", "have", "had", "does", "did", "can"})
"""A label's first word that asks ("Is trial", "Has paid"): the rest names the flag's yes."""


def flags_of(model: Model, reachable: set[str], home: set[str] | None = None) -> list[Flag]:
    """The yes/no dimensions reachable from the source, with their phrases ("trial" for is_trial).

    A flag is the source's ``own`` when its rows are the source's rows: its semantic model is one of
    ``home``, or a month-end snapshot of it is (``<model>_month_end``).
    """
    out: list[Flag] = []
    for name in sorted(reachable, key=lambda n: (n.count(SEP), n)):
        dim_name = name.rsplit(SEP, 1)[-1]
        if not dim_name.startswith(("is_", "was_", "has_")):
            continue
        dim = find_dimension(model, name)
        if dim is None or any(f.name.rsplit(SEP, 1)[-1] == dim_name for f in out):
            continue
        phrases = {stems(dim_name.split("_", 1)[1].replace("_", " "))}
        phrases.update(stems(str(s)) for s in dim.meta.get("synonyms") or ())
        if (
            dim.label and "?" not in dim.label
        ):  # its label names its "yes": "Circle member" (is_loyalty_member); "Is trial" asks, its name says it
            said = dim.label.replace("-", " ").split()
            if said and said[0].lower() in _ASKING:
                said = said[1:]
            if said:
                phrases.add(stems(" ".join(said)))
        aliases = dim.meta.get("value_aliases") or {}
        no = [a for k, v in aliases.items() if str(k).lower() == "false" for a in v or ()]
        negated = {stems(str(a).replace("-", " ")) for a in no}
        sm = _flag_model(model, name)
        own = sm is not None and home is not None and (sm in home or f"{sm}_month_end" in home)
        out.append(
            Flag(
                name,
                tuple(sorted(p for p in phrases if p)),
                tuple(sorted(p for p in negated if p and p not in phrases)),
                own,
                tuple(sorted({stems(w) for w in opposites(dim_name)} - phrases - {()})),
            )
        )
    return out


def _flag_model(model: Model, name: str) -> str | None:
    """The semantic model whose rows a reachable flag describes (its entity's primary model)."""
    entity = name.rsplit(SEP, 1)[0].rsplit(SEP, 1)[-1] if SEP in name else ""
    dim_name = name.rsplit(SEP, 1)[-1]
    for sm in model.semantic_models.values():
        if sm.primary == entity and any(d.name == dim_name for d in sm.dimensions):
            return sm.name
    return None


def find_dimension(model: Model, name: str) -> Dimension | None:
    """The categorical dimension a reachable name (``entity__dim``) ends with."""
    dim_name = name.rsplit(SEP, 1)[-1]
    for sm in model.semantic_models.values():
        for d in sm.dimensions:
            if d.name == dim_name and d.type == "categorical":
                return d
    return None


#: Dimensions that hold a current state (today's), not a fact fixed when the row was made.
STATE_DIMENSIONS = frozenset(
    {"status", "lifecycle_stage", "is_paid", "is_refunded", "is_enabled", "is_paid_late"}
)


def is_state(dim: str) -> bool:
    """``dim`` holds only today's state (``STATE_DIMENSIONS``)."""
    return dim.rsplit(SEP, 1)[-1] in STATE_DIMENSIONS


def predicate_for(dim: str, values: tuple[str, ...], negative: bool) -> str:
    """The MetricFlow filter for keeping (or dropping) ``values`` of ``dim``; checked by the allow-list."""
    *path, entity, name = dim.split(SEP)
    # more than one hop: MetricFlow's form (it rejects 'a__b__dimension' inside a filter)
    hops = f", entity_path={path!r}" if path else ""
    ref = f"{{{{ Dimension('{entity}{SEP}{name}'{hops}) }}}}"
    if values in (("true",), ("false",)):
        flag = values[0] == "true"
        out = f"{ref} = {'false' if flag == negative else 'true'}"
    else:
        quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
        if negative:
            out = (
                f"({ref} is null or {ref} != {quoted})"
                if len(values) == 1
                else f"({ref} is null or {ref} not in ({quoted}))"
            )
        else:
            out = f"{ref} = {quoted}" if len(values) == 1 else f"{ref} in ({quoted})"
    parse_where(out)  # the same allow-list every filter passes
    return out


def values_in(text: str, ctx: Context) -> tuple[list[tuple[str, str]], list[str]]:
    """(dimension, value) pairs named in ``text``, and the words left over (ambiguous ones in ``ctx``)."""
    ctx.ambiguous.clear()
    text = without_currency_country(text)  # "in millions of US dollars": a unit, never the country's rows
    ctx.raw = text
    return values_of(stems(text.lower().replace("-", " ").replace("_", " ")), ctx)


def contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    """``phrase`` occurs in ``words`` as a run."""
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


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
            hit = _value(key, ctx, named) or _flag_or_value(key, ctx)
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


def _finest(hits: list[tuple[str, str, bool]], ctx: Context) -> tuple[str, str] | None:
    """Of values an alias names in several dimensions, the one of the dimension with the most values (a
    country before a region), when one has clearly more.
    """
    sized = []
    for n, v, _ in hits:
        dim = find_dimension(ctx.model, n)
        sized.append((len(dim.meta.get("values") or ()) if dim is not None else 0, n, v))
    sized.sort(reverse=True)
    if len(sized) < 2 or sized[0][0] < 2 * max(sized[1][0], 1):
        return None
    return sized[0][1], sized[0][2]


def _flag_or_value(key: tuple[str, ...], ctx: Context) -> tuple[str, str] | None:
    """A flag ``key`` names, else a value. A flag's own phrase that is also a value of a reachable dimension
    of another entity is ambiguous ("Only active" on MRR: the customer's is_active, or the subscription status
    active?) unless the text names one of the two dimensions: recorded in ``ctx.ambiguous``, never read.
    """
    flag = _flag(key, ctx)
    if flag is None:
        return _value(key, ctx)
    if not any(key in f.phrases for f in ctx.flags if f.name == flag[0]):
        return flag
    before = len(ctx.ambiguous)
    other = _value(key, ctx)
    del ctx.ambiguous[before:]
    if other is None or _owner(other[0]) == _owner(flag[0]):
        return flag  # "refund": the invoice's is_refunded and its status refunded say the same rows
    said = _owner_said_after(key, (other, flag), ctx.said)
    if said is not None:
        return said  # "active subscriptions": the subscription's status, not the customer's flag
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
    hits = [r for r in readings if set(stems(_owner(r[0]).replace("_", " "))) & after]
    return hits[0] if len(hits) == 1 else None


def _flag(key: tuple[str, ...], ctx: Context) -> tuple[str, str] | None:
    for f in ctx.flags:
        if key in f.phrases:
            return f.name, "true"
    for f in ctx.flags:
        if key in f.opposite:
            return f.name, "false"
    for f in ctx.flags:
        if f.own and key in f.negated and not names_flag(ctx.said, f):
            return f.name, "false"  # "paid subscriptions"; not in "trials that became paid"
    return None


def names_flag(words: tuple[str, ...], flag: Flag) -> bool:
    """``words`` name ``flag`` itself ("trials"): then its "no" words speak of another moment ("trials
    that converted to paid"), not of the rows to keep.
    """
    return any(contains(words, p) for p in flag.phrases)


def _owner(dim: str) -> str:
    """The entity a dimension belongs to: ``listing__seller__primary_category`` → ``seller``."""
    path = dim.split(SEP)
    return path[-2] if len(path) > 1 else ""


#: Letters two words share at their start to be one family ("acquired" / "acquisition", "billed" / "billing").
_KIN = 5


def _kin_named(dim: str, key: tuple[str, ...], said: tuple[str, ...]) -> bool:
    """A word of ``dim``'s own name (not its entity's) is said as another word of its family, outside the
    value ``key`` itself ("acquired" for ``acquisition_channel``).
    """
    *path, name = dim.split(SEP)
    entities = set(stems(" ".join(path).replace("_", " ")))
    own = [w for w in stems(name.replace("_", " ")) if len(w) > _KIN and w not in entities]
    others = [w for w in said if w not in key and len(w) > _KIN]
    return any(w[:_KIN] == o[:_KIN] for w in own for o in others)


#: "guests from Germany": where the entity comes from ("customers in Enterprise" may be a plan, not read so).
_PLACE_PREPOSITIONS = frozenset({"from"})


def _entity_before(said: tuple[str, ...], at: int) -> str:
    """The word before a preposition (and an article) before ``at``: "guests" of "guests from the UK"."""
    j = at - 1
    if j >= 0 and said[j] in ("the", "a", "an"):
        j -= 1
    return said[j - 1] if j >= 1 and said[j] in _PLACE_PREPOSITIONS else ""


def _value(key: tuple[str, ...], ctx: Context, only: set[str] | None = None) -> tuple[str, str] | None:
    """A value named by ``key`` of a reachable dimension (of one of ``only``, when given).

    A value of several reachable dimensions, none of them the source's own, is ambiguous: it is recorded
    in ``ctx.ambiguous`` and not read ("Enterprise": a segment or a plan?).
    """
    if only is not None and not only:
        return None
    hits: list[tuple[str, str, bool]] = []
    aliases = True
    for entry in ctx.lexicon.lookup(key):
        if entry.kind != "value":
            continue
        dim, _, value = entry.target.partition("=")
        if only is not None and dim not in only:
            continue
        if entry.exact_case and ctx.raw and not re.search(rf"\b{re.escape(entry.exact_case)}\b", ctx.raw):
            continue  # "US" is a country; "came to us" is no value
        name = _reachable(dim, ctx.reachable)
        info = ctx.lexicon.dims.get(dim)
        if name and (name, value) not in [(n, v) for n, v, _ in hits]:
            hits.append((name, value, info is not None and info.model in ctx.home))
            aliases = aliases and entry.source == "alias"
    if aliases and len({n for n, _, _ in hits}) > 1:
        finer = _finest(hits, ctx)
        if finer is not None:  # "US": an alias of the NA region and of the United States: the country
            ctx.chosen.append(
                f"{' '.join(key)!r} is also another word for "
                + ", ".join(f"{v!r} of {n}" for n, v, _ in hits if (n, v) != finer)
                + f"; read as the finer {finer[0]}"
            )
            return finer
    own = [(n, v) for n, v, home in hits if home]
    if len({n for n, _, _ in hits}) > 1 and len(own) == 1:
        nearest = _nearest_owner(key, hits, ctx)
        if nearest is not None and nearest != own[0]:  # "customers who came in through referral"
            ctx.chosen.append(
                f"{' '.join(key)!r} is also a value of the source's own {own[0][0]}; read as {nearest[0]}, "
                f"whose {_owner(nearest[0])} the text names nearest to it"
            )
            return nearest
    if len({n for n, _, _ in hits}) > 1 and len(own) != 1:
        # the text names one of the dimensions itself ("whose acquisition channel is paid_search")
        own = [
            (n, v) for n, v, _ in hits if set(stems(n.rsplit(SEP, 1)[-1].replace("_", " "))) <= set(ctx.said)
        ]
    if len({n for n, _, _ in hits}) > 1 and len(own) != 1:
        # the text names one of the dimensions by a word of its family ("acquired through referral":
        # the acquisition channel, not the marketing channel's name)
        own = [(n, v) for n, v, _ in hits if _kin_named(n, key, ctx.said)]
    if len({n for n, _, _ in hits}) > 1 and len(own) != 1:
        # the text names the entity the dimension belongs to ("vintage listings", not vintage sellers)
        after = {
            ctx.said[i + len(key)]
            for i in range(len(ctx.said) - len(key))
            if ctx.said[i : i + len(key)] == key
        }  # the word right after the value
        own = [(n, v) for n, v, _ in hits if stems(_owner(n).replace("_", " "))[-1:] in [(w,) for w in after]]
    if len({n for n, _, _ in hits}) > 1 and len(own) != 1:
        # the entity said right before the value with "from" ("guests from Germany": the guest's home
        # country, not the hotel's country)
        before = {
            w
            for i in range(len(ctx.said) - len(key) + 1)
            if ctx.said[i : i + len(key)] == key and (w := _entity_before(ctx.said, i))
        }
        own = [
            (n, v) for n, v, _ in hits if stems(_owner(n).replace("_", " "))[-1:] in [(w,) for w in before]
        ]
    if len(own) != 1 and len({n for n, _, _ in hits}) > 1:  # one path nearer, or a description says
        own = told_apart(key, hits, ctx)
    if len(own) == 1 or len({n for n, _, _ in hits}) == 1:
        return own[0] if len(own) == 1 else (hits[0][0], hits[0][1])
    if hits:
        ctx.ambiguous.append((" ".join(key), sorted({n for n, _, _ in hits})))
    return None
    entries = sorted(
        ctx.lexicon.lookup(key),
        key=lambda e: getattr(ctx.lexicon.dims.get(e.target.partition("=")[0]), "model", "") not in ctx.home,
    )
    for entry in entries:
        if entry.kind != "value":
            continue
        dim, _, value = entry.target.partition("=")
        if only is not None and dim not in only:
            continue
        name = _reachable(dim, ctx.reachable)
        if name:
            return name, value
    return None


def _nearest_owner(
    key: tuple[str, ...], hits: list[tuple[str, str, bool]], ctx: Context
) -> tuple[str, str] | None:
    """Of a value's dimensions, the one whose entity the text names nearest before the value (or right
    after it): "touchpoints of customers acquired through referral" → the customer's channel. None when
    no entity of them is named, or two are named as near.
    """
    spots = [i for i in range(len(ctx.said) - len(key) + 1) if ctx.said[i : i + len(key)] == key]
    if not spots:
        return None
    at = spots[0]
    best: list[tuple[float, str, str]] = []
    names = {w for n, _, _ in hits for w in stems(n.rsplit(SEP, 1)[-1].replace("_", " "))}
    for n, v, _ in hits:
        owner = stems(_owner(n).replace("_", " "))[-1:]
        if not owner or owner[0] in names:  # "channel" names the dimensions, not whose they are
            continue
        entity = _owner(n)

        def names_it(word: str, entity: str = entity, owner: str = owner[0]) -> bool:
            """The word is the entity's or another word for it ("accounts": the customer's name)."""
            return word == owner or any(
                e.kind == "dimension" and e.target == f"{entity}{SEP}name"
                for e in ctx.lexicon.lookup((word,))
            )

        before = [at - i for i in range(at) if names_it(ctx.said[i])]
        after = [0.5] if at + len(key) < len(ctx.said) and names_it(ctx.said[at + len(key)]) else []
        if before or after:
            best.append((min([*before, *after]), n, v))
    best.sort()
    if not best or (len(best) > 1 and best[0][0] == best[1][0]):
        return None
    return best[0][1], best[0][2]


def _reachable(dim: str, reachable: set[str]) -> str | None:
    if dim in reachable:
        return dim
    tail = SEP + dim
    hits = sorted((n for n in reachable if n.endswith(tail)), key=len)
    return hits[0] if hits else None


def unknown_value(
    texts: list[tuple[str, ...]], lexicon: Lexicon, unknown: set[str] | None = None
) -> tuple[str, str, str] | None:
    """(dimension, word, nearest value) for a text naming a dimension ("the Platinum plan") with a word
    that is none of its values; with ``unknown``, only those words count.
    """
    for words in texts:
        hit = _unknown_in(words, lexicon, unknown)
        if hit:
            return hit
    return None


#: Adverbs beside a dimension's name that never name one of its values ("summed over titles, never …").
_ADVERBS = frozenset({"never", "always", "ever", "sometimes", "often"})


def _unknown_in(
    words: tuple[str, ...], lexicon: Lexicon, unknown: set[str] | None
) -> tuple[str, str, str] | None:
    for size in range(min(3, len(words)), 0, -1):
        for i in range(len(words) - size + 1):
            entries = lexicon.lookup(words[i : i + size])
            if any(e.kind != "dimension" or e.source in ("entity", "head") for e in entries):
                continue  # an ambiguous word ("customer") names no dimension for sure
            for entry in entries:
                info = lexicon.dims.get(entry.target)
                if info is None or not info.values:
                    continue
                near = [words[j] for j in (i - 1, i + size) if 0 <= j < len(words)]
                rest = [
                    w
                    for w in near
                    if w not in GLUE
                    and w not in RULE_GLUE
                    and w not in _ADVERBS
                    and (unknown is None or w in unknown)
                ]
                if not rest:
                    continue
                word = rest[0]
                lowered = {v.lower(): v for v in info.values}
                holding = [v for low, v in lowered.items() if word in re.split(r"[\W_]+", low)]
                close = difflib.get_close_matches(word, list(lowered), n=1, cutoff=0.0)
                return (
                    entry.target,
                    word,
                    holding[0] if holding else lowered[close[0]] if close else info.values[0],
                )
    return None


def no_value(dim: str, word: str, nearest: str) -> str:
    """Why ``word`` is refused as a value of ``dim``: the nearest value named only when it is near (a word
    of it, or spelled alike: "Enterprize"); a far-off one ("madrid" → "Harbor Bristol Harbourside") is no
    suggestion.
    """
    low = nearest.lower()
    if word in re.split(r"[\W_]+", low) or difflib.SequenceMatcher(None, word, low).ratio() >= 0.6:
        return f"{dim} has no value {word!r}; nearest is {nearest!r}"
    return f"{dim} has no value {word!r}, nor one spelled like it"


def no_value_among(dim: str, word: str, nearest: str, lexicon: Lexicon) -> str:
    """``no_value`` with the dimension's values listed (up to six) when none is near."""
    said = no_value(dim, word, nearest)
    info = lexicon.dims.get(dim)
    if "nearest is" in said or info is None or not info.values:
        return said
    shown = ", ".join(repr(v) for v in list(info.values)[:6]) + (", …" if len(info.values) > 6 else "")
    return f"{said} (its values: {shown})"
