"""Business rules in plain English → ``{{ Dimension(...) }}`` filters, deterministically.

The grammar: a rule says *only* (keep), *exclude / except / not / without* (drop) or *include* (keep
everything) about values of the catalog's own dimensions ("only active and past_due", "EMEA only",
"exclude trials", "not refunded"); values are found with the resolver's lexicon (names, values, value
aliases) and yes/no flags (``is_trial``, ``is_paid``) by their names and synonyms. "Date by X" picks the
time dimension. A rule the chosen source already applies (said in its own business rules) is *covered*.
Anything else is *unread*: shown to the person, never dropped.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from metricmind.define.proposal import RuleReading
from metricmind.define.words import GLUE, content, known, stems, vocabulary
from metricmind.resolve.lexicon import Lexicon
from metricmind.spec.filters import parse_where
from metricmind.spec.model import Dimension, Model
from metricmind.spec.names import SEP

NEGATIVE = re.compile(
    r"\b(exclude[sd]?|excluding|except|not|no|without|leave out|leaving out|left out|other than|never|"
    r"(every|any|all|everything|anything) ?\w* but|apart from|aside from|besides|omit\w*|"
    r"ignor\w*|drop(ped|ping)?|remove[sd]?|removing|filter(ed)? out|skip\w*|n[o']t|isn't|aren't|"
    r"do ?n[o']t count|does ?n[o']t count|are not counted|is not counted)\b",
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
STRUCTURE = re.compile(r"\b(numerator|denominator|divided|ratio|weighted|per)\b", re.IGNORECASE)
NOOP = re.compile(r"^\s*(any|every|all) \w+ counts?\b|^\s*count each \w+ once\b", re.IGNORECASE)
INCLUDE = re.compile(
    r"^\s*(include|including|count|counting|keep)\b|\b(are|is|get|gets|also|too) (also )?(included|counted)\b|"
    r"\b(count|counts) (too|as well)\b|\b(as well|too)\s*$",
    re.IGNORECASE,
)
TIME = re.compile(
    r"\b(date[sd]? by|dated by|counted on|by (the )?(month|day|date) of|by|"
    r"(date|day) (falls?|fell|lands?|landed|is|was|happens?|happened|occurs?|occurred) (in|within|during))\b",
    re.IGNORECASE,
)
#: Rule words that say how, not what: ignored when looking for values.
RULE_GLUE = frozenset(
    "exclude excluded excluding except only just include including keep count counted counting leave "
    "leaving out without status state type kind record row limited limit restricted restrict solely "
    "exclusively nothing must omit omitted omitting ignore ignored ignoring drop dropped remove removed "
    "skip skipped whose".split()
)
#: States of a contract that mean "live at the snapshot" when a snapshot measure already counts live ones.
LIVE_STATES = frozenset({"active", "past_due", "trialing"})


@dataclass(frozen=True)
class Flag:
    """A yes/no dimension and the phrases that name it."""

    name: str  # reachable name, e.g. subscription__is_trial
    phrases: tuple[tuple[str, ...], ...]
    #: Phrases that name the flag's "no" (``value_aliases: {"false": [paid]}``: a paid subscription is not
    #: a trial); read only on the rows the flag describes (``own``), never across a join.
    negated: tuple[tuple[str, ...], ...] = ()
    own: bool = False


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


@dataclass
class Read:
    """One rule read: its reading, and the values it keeps or drops per dimension."""

    reading: RuleReading
    dimension: str | None = None
    values: tuple[str, ...] = ()
    negative: bool = False
    time_dimension: str | None = None
    others: tuple[str, ...] = ()  # the dimensions of a rule that keeps values of several
    scale: float | None = None  # "as a fraction between 0 and 1" (1) or "a number from 0 to 100" (100)
    which: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # "plan tier, not segment": (yes, no)


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
        dim = _find_dimension(model, name)
        if dim is None or any(f.name.rsplit(SEP, 1)[-1] == dim_name for f in out):
            continue
        phrases = {stems(dim_name.split("_", 1)[1].replace("_", " "))}
        phrases.update(stems(str(s)) for s in dim.meta.get("synonyms") or ())
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


def _find_dimension(model: Model, name: str) -> Dimension | None:
    dim_name = name.rsplit(SEP, 1)[-1]
    for sm in model.semantic_models.values():
        for d in sm.dimensions:
            if d.name == dim_name and d.type == "categorical":
                return d
    return None


def read_rule(text: str, ctx: Context) -> Read:
    """Read one rule against ``ctx``."""
    ctx.ambiguous.clear()
    low = text.lower()
    negative = bool(NEGATIVE.search(low))
    words = stems(low.replace("-", " ").replace("_", " "))
    if INCLUDE.search(low) and not negative and not POSITIVE.search(low):
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
    scale = _scale(low)
    if scale is not None:
        what = "a fraction from 0 to 1" if scale == 1 else "a percentage from 0 to 100"
        return Read(RuleReading(text, "noop", 0.8, f"the value is {what}"), scale=scale)
    time_dim = _time_rule(low, words, ctx)
    if time_dim:
        return Read(
            RuleReading(text, "time", 0.85, f"dates the metric by {time_dim}"), time_dimension=time_dim
        )
    found, leftover = _values(words, ctx)
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
            return _several(text, low, found, leftover, ctx)
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
        if ctx.snapshot and _is_state(dim):
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
        metric = _metric_named(words, ctx)
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
        strange = [w for w in leftover if not known(w, vocabulary(ctx.model))]
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
        other = renamed(text, found, ctx)
        if other:
            conf, what = RENAMED, f"{what}, but {other}"
        return Read(
            RuleReading(text, "filter", conf, f"{verb} {what}", predicate),
            dimension=dim,
            values=values,
            negative=negative,
        )
    which = _which(low, ctx)
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
    near = unknown_value([words], ctx.lexicon)
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
    return Read(RuleReading(text, "unread", 0.0, "no dimension or value of the catalog found in this rule"))


_FRACTION = re.compile(
    r"\b(fraction|ratio|share|decimal|proportion)\b.*\b(0|zero) (and|to|through) (1|one)\b"
)
_PERCENT = re.compile(
    r"\b(0|zero) (and|to|through) (100|a hundred|one hundred)\b|\b(as|in) (a )?percent(age)?\b|"
    r"\bmultipl\w* by 100\b|\btimes 100\b"
)


def _scale(low: str) -> float | None:
    """A rule that says how the value is scaled: a fraction (1) or a percentage (100)."""
    if not re.search(r"\b(express\w*|shown?|show|as|report\w*|give|given|scale\w*|value)\b", low):
        return None
    if _FRACTION.search(low):
        return 1.0
    if _PERCENT.search(low):
        return 100.0
    return None


def _which(low: str, ctx: Context) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """A rule naming dimensions, not values ("Plan tier, not customer segment"): the dimensions it means
    and those it does not, as the lexicon's dimension names; None when it names none or also other words.
    """
    halves = re.split(r",?\s*\b(?:not|rather than|instead of)\b", low, maxsplit=1)
    out: list[tuple[str, ...]] = []
    for half in halves:
        words = tuple(w for w in stems(half.replace("-", " ").replace("_", " ")) if w not in GLUE)
        names: list[str] = []
        i = 0
        while i < len(words):
            for size in range(min(3, len(words) - i), 0, -1):
                entries = [
                    e
                    for e in ctx.lexicon.lookup(words[i : i + size])
                    if e.kind == "dimension" and e.source in ("name", "label", "synonym")
                ]
                if entries:
                    names.append(entries[0].target)
                    i += size
                    break
            else:
                return None  # a word that names no dimension
        out.append(tuple(names))
    if not out or not out[0]:
        return None
    return out[0], out[1] if len(out) > 1 else ()


def check_which(reads: list[Read]) -> None:
    """Mark a "which dimension" rule unread unless the filters read use a dimension it means and none it
    does not ("Plan tier, not customer segment" with a filter on the customer's segment is not so).
    """
    used = {
        d.rsplit(SEP, 1)[-1] for r in reads for d in (r.dimension, *r.others) if d and r.reading.predicate
    }
    for r in reads:
        if r.which is None:
            continue
        yes = {d.rsplit(SEP, 1)[-1] for d in r.which[0]}
        no = {d.rsplit(SEP, 1)[-1] for d in r.which[1]} - yes
        if not (used & yes) or used & no:
            r.reading = RuleReading(
                r.reading.text,
                "unread",
                0.1,
                f"says the filter is on {', '.join(sorted(yes))}, but the filters read use "
                f"{', '.join(sorted(used)) or 'none'}",
            )


def _several(text: str, low: str, found: list[tuple[str, str]], leftover: list[str], ctx: Context) -> Read:
    """Keeps rows with every value named, one filter per dimension ("Only the create action on dashboards")."""
    by_dim: dict[str, list[str]] = {}
    for d, v in found:
        by_dim.setdefault(d, []).append(v)
    states = [d for d in by_dim if ctx.snapshot and _is_state(d)]
    strange = [w for w in leftover if not known(w, vocabulary(ctx.model))]
    if states or strange or STRUCTURE.search(low) or _metric_named(stems(low), ctx):
        return Read(
            RuleReading(
                text,
                "unread",
                0.2,
                f"names values of several dimensions ({', '.join(sorted(by_dim))}); write one rule each",
            )
        )
    predicates = [predicate_for(d, tuple(vs), False) for d, vs in by_dim.items()]
    predicate = " and ".join(f"({p})" for p in predicates)
    parse_where(predicate)
    what = "; ".join(f"{d} {'=' if len(vs) == 1 else 'in'} {', '.join(vs)}" for d, vs in by_dim.items())
    conf = 0.7 if leftover else 0.8
    other = renamed(text, found, ctx)
    if other:
        conf, what = RENAMED, f"{what}, but {other}"
    return Read(
        RuleReading(text, "filter", conf, f"keeps only rows with each: {what}", predicate),
        others=tuple(by_dim),
    )


#: Dimensions that hold a current state (today's), not a fact fixed when the row was made.
STATE_DIMENSIONS = frozenset(
    {"status", "lifecycle_stage", "is_paid", "is_refunded", "is_enabled", "is_paid_late"}
)


def _metric_named(words: tuple[str, ...], ctx: Context) -> str | None:
    """A metric the rule names by a phrase of two or more words that holds a value found in it
    ("Do not include reactivation MRR": the metric ``reactivation_mrr``, not the change type).
    """
    found = [(at, key) for at, key in ctx.keys]
    for size in range(min(ctx.lexicon.max_len, len(words)), 1, -1):
        for i in range(len(words) - size + 1):
            entries = [e for e in ctx.lexicon.lookup(words[i : i + size]) if e.kind == "metric"]
            if not entries:
                continue
            if any(i <= at and at + len(key) <= i + size for at, key in found):
                return entries[0].target
    return None


#: Confidence of a value read through another word the catalog gives it, where the text writes that word as
#: a name of its own ("the Premium plan" when the plan is called Pro): below the doubt threshold.
RENAMED = 0.5
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def renamed(text: str, found: list[tuple[str, str]], ctx: Context) -> str | None:
    """Why a value found in ``text`` may not be the one meant: the text writes a capitalized name
    ("Premium") that the catalog has only as a lower-case alias of a value named otherwise ("Pro":
    ``value_aliases: {Pro: [premium]}``), so the person may name something the catalog does not have.

    Aliases the catalog writes as names ("Holland", "North America") and abbreviations ("pro" for
    "professional") are trusted.
    """
    names: dict[tuple[str, ...], str] = {}
    for m in _WORD.finditer(text):
        name = m.group(0)
        start = m.start() == 0 or text[: m.start()].rstrip().endswith((".", ":", "!", "?", "("))
        if name[0].isupper() and not start and not name.isupper():
            names.setdefault(stems(name.lower().replace("-", " ")), name)
    if not names:
        return None
    for (dim, value), (_, key) in zip(found, ctx.keys, strict=False):
        word = names.get(key)
        if word is None or value in ("true", "false"):
            continue
        dimension = _find_dimension(ctx.model, dim)
        aliases = (dimension.meta.get("value_aliases") or {}) if dimension is not None else {}
        spelled = [
            str(a)
            for a in (aliases.get(value) or () if isinstance(aliases, dict) else ())
            if stems(str(a).lower().replace("-", " ")) == key
        ]
        low, said = value.lower(), word.lower()
        if not spelled or any(a != a.lower() for a in spelled):
            continue  # the value itself, or an alias the catalog writes as a name
        if said == low or said.startswith(low) or low.startswith(said):
            continue
        return (
            f"{word!r} is not a value of {dim}: the catalog has {spelled[0]!r} only as another word for "
            f"{value!r}; check that {word!r} means {value!r}"
        )
    return None


def _is_state(dim: str) -> bool:
    return dim.rsplit(SEP, 1)[-1] in STATE_DIMENSIONS


def _live_states(found: list[tuple[str, str]], ctx: Context, negative: bool) -> bool:
    """The rule keeps live states of a status ("only active and past_due") and the source is a snapshot."""
    return (
        bool(found)
        and ctx.snapshot
        and not negative
        and all(d.rsplit(SEP, 1)[-1] == "status" and v in LIVE_STATES for d, v in found)
    )


def predicate_for(dim: str, values: tuple[str, ...], negative: bool) -> str:
    """The MetricFlow filter for keeping (or dropping) ``values`` of ``dim``; checked by the allow-list."""
    ref = f"{{{{ Dimension('{dim}') }}}}"
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


def values_in(text: str, ctx: Context) -> tuple[list[tuple[str, str]], list[str]]:
    """(dimension, value) pairs named in ``text``, and the words left over (ambiguous ones in ``ctx``)."""
    ctx.ambiguous.clear()
    return _values(stems(text.lower().replace("-", " ").replace("_", " ")), ctx)


def time_in(text: str, ctx: Context) -> str | None:
    """The time dimension a definition names ("… by touch date"), if any."""
    low = text.lower()
    return _time_rule(low, stems(low), ctx)


def _time_rule(low: str, words: tuple[str, ...], ctx: Context) -> str | None:
    low = re.split(r",?\s+\bnot\b", low)[0]  # "by conversion date, not touch date"
    words = tuple(
        "date" if w == "day" else w for w in stems(low.replace("-", " ").replace("_", " "))
    )  # "first paid day" is the first paid date
    if not TIME.search(low) or not re.search(r"\b(date|dated|month|day|counted on)\b", low):
        return None
    best: tuple[int, str] | None = None
    for name, phrases in ctx.time_dims.items():
        for p in phrases:
            if p and _contains(words, p) and (best is None or len(p) > best[0]):
                best = (len(p), name)
    return best[1] if best else None


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


def _values(words: tuple[str, ...], ctx: Context) -> tuple[list[tuple[str, str]], list[str]]:
    """(dimension, value) pairs named in ``words`` (longest phrases first), and the words left over."""
    found: list[tuple[str, str]] = []
    keys: list[tuple[str, ...]] = []
    spots: list[int] = []
    ctx.said = words
    used = [False] * len(words)
    named = {
        e.target
        for size in (1, 2)
        for i in range(len(words) - size + 1)
        for e in ctx.lexicon.lookup(words[i : i + size])
        if e.kind == "dimension" and e.source in ("name", "label", "synonym")
    }
    for size in range(min(ctx.lexicon.max_len, len(words)), 0, -1):
        for i in range(len(words) - size + 1):
            if any(used[i : i + size]):
                continue
            key = words[i : i + size]
            hit = _value(key, ctx, named) or _flag(key, ctx) or _value(key, ctx)
            if hit:
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
    ctx.keys = list(zip(spots, keys, strict=True))
    naming = _naming_words(ctx.model, {d for d, _ in found})
    leftover = [
        w
        for w, u in zip(words, used, strict=True)
        if not u and w not in GLUE and w not in RULE_GLUE and w not in naming
    ]
    return found, leftover


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
        dim = _find_dimension(model, name)
        if dim is not None:
            out.update(stems(dim.label.lower()))
            for syn in dim.meta.get("synonyms") or ():
                out.update(stems(str(syn).lower()))
    return out - {"is", "has", "was"}


def _flag(key: tuple[str, ...], ctx: Context) -> tuple[str, str] | None:
    for f in ctx.flags:
        if key in f.phrases:
            return f.name, "true"
    for f in ctx.flags:
        if f.own and key in f.negated and not names_flag(ctx.said, f):
            return f.name, "false"  # "paid subscriptions"; not in "trials that became paid"
    return None


def names_flag(words: tuple[str, ...], flag: Flag) -> bool:
    """``words`` name ``flag`` itself ("trials"): then its "no" words speak of another moment ("trials
    that converted to paid"), not of the rows to keep.
    """
    return any(_contains(words, p) for p in flag.phrases)


def _value(key: tuple[str, ...], ctx: Context, only: set[str] | None = None) -> tuple[str, str] | None:
    """A value named by ``key`` of a reachable dimension (of one of ``only``, when given).

    A value of several reachable dimensions, none of them the source's own, is ambiguous: it is recorded
    in ``ctx.ambiguous`` and not read ("Enterprise": a segment or a plan?).
    """
    if only is not None and not only:
        return None
    hits: list[tuple[str, str, bool]] = []
    for entry in ctx.lexicon.lookup(key):
        if entry.kind != "value":
            continue
        dim, _, value = entry.target.partition("=")
        if only is not None and dim not in only:
            continue
        name = _reachable(dim, ctx.reachable)
        info = ctx.lexicon.dims.get(dim)
        if name and (name, value) not in [(n, v) for n, v, _ in hits]:
            hits.append((name, value, info is not None and info.model in ctx.home))
    own = [(n, v) for n, v, home in hits if home]
    if len({n for n, _, _ in hits}) > 1 and len(own) != 1:
        # the text names one of the dimensions itself ("whose acquisition channel is paid_search")
        own = [
            (n, v) for n, v, _ in hits if set(stems(n.rsplit(SEP, 1)[-1].replace("_", " "))) <= set(ctx.said)
        ]
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
                    if w not in GLUE and w not in RULE_GLUE and (unknown is None or w in unknown)
                ]
                if not rest:
                    continue
                word = rest[0]
                lowered = {v.lower(): v for v in info.values}
                close = difflib.get_close_matches(word, list(lowered), n=1, cutoff=0.0)
                return entry.target, word, lowered[close[0]] if close else info.values[0]
    return None
