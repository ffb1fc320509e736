"""Rule forms beyond "keep / drop values": several dimensions in one rule, a scale ("a number from 0 to
100"), which dimension is meant ("plan tier, not segment"), a rule that names another metric, and a value
written as a name the catalog has only as another word ("the Premium plan").
"""

from __future__ import annotations

import re

from metricmind.define.proposal import RuleReading
from metricmind.define.rulevalues import (
    Context,
    Read,
    find_dimension,
    is_state,
    predicate_for,
    values_in,
    values_of,
)
from metricmind.define.words import GLUE, known, stems, vocabulary
from metricmind.spec.filters import parse_where
from metricmind.spec.names import SEP

#: Words that state a ratio's parts; "X over all Y", "X over total Y" too (not "over 50 seats").
STRUCTURE = re.compile(
    r"\b(numerator|denominator|divided|ratio|weighted|per|over (?:all|every|each|total|the total|the whole))\b",
    re.IGNORECASE,
)

#: Between a range's ends: "0 to 100", "0 and 1", "0-100", "0–1", "0..100".
_TO = r"(?: (?:and|to|through) |\s*(?:-|–|\.\.)\s*)"
_FRACTION = re.compile(
    rf"\b(fraction|ratio|share|decimal|proportion)\b.*\b(0|zero){_TO}(1|one)\b|"
    r"\bas an? (fraction|decimal|proportion)\b(?!\s+of\b)"  # "as a fraction", "as a decimal, not a %"
)
#: A rule that is only a scale: "a fraction between 0 and 1", "a number from 0 to 100", "Percent 0-100".
_SCALE_ALONE = re.compile(
    r"^\s*(?:an?\s+)?(?:fraction|ratio|share|decimal|proportion|percentage|percent|pct|number)\b"
)
_PERCENT = re.compile(
    rf"\b(0|zero){_TO}(100|a hundred|one hundred)\b|\b(as|in) (a )?percent(age)?\b|"
    r"\bmultipl\w* by 100\b|\btimes 100\b"
)


def scale_of(low: str) -> float | None:
    """A rule that says how the value is scaled: a fraction (1) or a percentage (100) (thousands and
    millions are units: ``define/units.py``).
    """
    if not re.search(r"\b(express\w*|shown?|show|as|report\w*|give|given|scale\w*|value)\b", low) and not (
        _SCALE_ALONE.match(low)  # "a fraction between 0 and 1": the rule is only the scale
    ):
        return None
    if _FRACTION.search(low):
        return 1.0
    if _PERCENT.search(low):
        return 100.0
    return None


def which_of(low: str, ctx: Context) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
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


_MEANS = re.compile(r"^\s*(?P<x>.+?)\s+(?:means|refers to|is judged by)\s+(?P<y>.+?)\s*\.?$")


def value_means(text: str, low: str, ctx: Context) -> Read | None:
    """A rule that says which dimension a value word means ("Enterprise means the customer's segment, not
    the plan tier"): the word is a value of the dimension it names (or of several, that one among them), and
    nothing else is said. Restricts nothing; ``check_which`` keeps it read only when the filters read use
    that dimension and not the other.
    """
    m = _MEANS.match(low)
    if m is None:
        return None
    which = which_of(m.group("y").replace("'s ", " "), ctx)
    if which is None:
        return None
    yes, no = which
    words = tuple(w for w in stems(m.group("x").replace("-", " ").replace("_", " ")) if w not in GLUE)
    named = {  # every dimension the words are a value of, the source's own too
        e.target.partition("=")[0] for e in ctx.lexicon.lookup(words) if e.kind == "value"
    }
    short = {d.rsplit(SEP, 1)[-1] for d in named}
    if not words or not short & {d.rsplit(SEP, 1)[-1] for d in yes}:
        return None
    return Read(
        RuleReading(
            text,
            "noop",
            0.8,
            f"says which dimension {m.group('x').strip()!r} is a value of: {', '.join(yes)}"
            + (f", not {', '.join(no)}" if no else ""),
        ),
        which=which,
    )


#: "Treat bank transfers as wire payments", "count referral as partner", "lump email in with direct".
TREAT = re.compile(
    r"^\s*(?:treat|count|consider|classify|lump|group|fold|merge|bucket)\s+(?P<x>.+?)\s+"
    r"(?:as|like|with|under|into|in with)\s+(?P<y>.+?)\s*\.?$",
    re.IGNORECASE,
)


def treated(text: str, low: str, ctx: Context) -> Read | None:
    """A rule that counts some values of a dimension as another ("Treat bank transfers as wire payments"):
    a mapping that restricts nothing by itself, and that another rule keeping or dropping the second
    values applies to the first too (``check_which``). None when it is no such rule.
    """
    m = TREAT.match(low)
    if m is None:
        return None
    xs, _ = values_of(stems(m.group("x").replace("-", " ").replace("_", " ")), ctx)
    ys, _ = values_of(stems(m.group("y").replace("-", " ").replace("_", " ")), ctx)
    ctx.ambiguous.clear()
    dims = {d for d, _ in (*xs, *ys)}
    if not xs or not ys or len(dims) != 1 or {v for _, v in xs} & {v for _, v in ys}:
        return None
    dim = dims.pop()
    x = tuple(v for _, v in xs)
    y = tuple(v for _, v in ys)
    return Read(
        RuleReading(
            text,
            "noop",
            0.8,
            f"counts {dim} {', '.join(x)} as {', '.join(y)}: restricts nothing by itself; a rule keeping or "
            f"dropping {', '.join(y)} does the same to {', '.join(x)}",
        ),
        dimension=dim,
        values=x,
        treated_as=y,
    )


def apply_treated(reads: list[Read]) -> None:
    """Another rule's filter on the values a "treat X as Y" rule maps to takes X along (keep or drop)."""
    for t in reads:
        if not t.treated_as or t.dimension is None:
            continue
        for r in reads:
            if r is t or r.dimension != t.dimension or r.reading.status != "filter" or not r.values:
                continue
            if not set(t.treated_as) & set(r.values) or set(t.values) <= set(r.values):
                continue
            values = tuple(dict.fromkeys((*r.values, *t.values)))
            r.values = values
            r.reading = RuleReading(
                r.reading.text,
                "filter",
                r.reading.confidence,
                f"{r.reading.reason}, and {', '.join(t.values)} with it (rule {t.reading.text!r})",
                predicate_for(t.dimension, values, r.negative),
            )


def check_which(reads: list[Read]) -> None:
    """Mark a "which dimension" rule unread unless the filters read use a dimension it means and none it
    does not ("Plan tier, not customer segment" with a filter on the customer's segment is not so); apply
    the "treat X as Y" rules to the other filters (``apply_treated``).
    """
    apply_treated(reads)
    check_tied(reads)
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


def check_tied(reads: list[Read]) -> None:
    """Mark a rule dropping a pair of values unread ("Exclude view actions in dashboards": the pair, or
    each?) unless another rule keeps one of its values ("Only create actions" with "Don't count creates
    in the api feature": dropping each would drop everything kept, so the pair is meant).
    """
    for r in reads:
        if not r.tied or r.reading.status != "filter":
            continue
        kept = any(
            o is not r
            and o.reading.status in ("filter", "covered")
            and not o.negative
            and (o.dimension, v) in {(d, v) for d, v in r.tied}
            for o in reads
            for v in o.values
        )
        if not kept:
            r.reading = RuleReading(
                r.reading.text,
                "unread",
                0.2,
                "drops rows with values of several dimensions: the rows with all of them, or with each? "
                "Write one rule each, or keep one of them in a rule of its own",
            )


def several(text: str, low: str, found: list[tuple[str, str]], leftover: list[str], ctx: Context) -> Read:
    """Keeps rows with every value named, one filter per dimension ("Only the create action on dashboards")."""
    by_dim: dict[str, list[str]] = {}
    for d, v in found:
        by_dim.setdefault(d, []).append(v)
    states = [d for d in by_dim if ctx.snapshot and is_state(d)]
    strange = [w for w in leftover if not known(w, vocabulary(ctx.model))]
    if states or strange or STRUCTURE.search(low) or metric_named(stems(low), ctx):
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


#: Words that tie one value to the next as one kind of row ("creates in the api feature", "trials on the
#: Starter plan"): the rule means rows with both values, not each value.
_TIES = frozenset({"in", "on", "from", "with", "within", "via", "through", "under", "at", "inside"})
#: Words between two values that make them a list ("trials and Starter", "wire or card"): each value.
_LIST = frozenset({"and", "or", "nor", "plus", "also", "both", "either", "neither"})


def combination(
    text: str,
    low: str,
    words: tuple[str, ...],
    found: list[tuple[str, str]],
    leftover: list[str],
    ctx: Context,
) -> Read | None:
    """A negative rule naming one value of each of several dimensions tied by a preposition ("Don't count
    creates in the api feature"): drops the rows that have every value at once, keeps the others. None when
    the values are a list ("no trials and no Starter") or anything else is in doubt.
    """
    by_dim: dict[str, list[str]] = {}
    for d, v in found:
        by_dim.setdefault(d, []).append(v)
    if any(len(vs) != 1 for vs in by_dim.values()) or len(ctx.keys) != len(found):
        return None
    strange = [w for w in leftover if not known(w, vocabulary(ctx.model))]
    if strange or STRUCTURE.search(low) or metric_named(stems(low), ctx):
        return None
    if any(ctx.snapshot and is_state(d) for d in by_dim):
        return None
    spans = sorted((at, at + len(key)) for at, key in ctx.keys)
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        between = set(words[end:start])
        if start < end or between & _LIST or not between & _TIES:
            return None
    predicate = " or ".join(predicate_for(d, (vs[0],), True) for d, vs in by_dim.items())
    predicate = f"({predicate})"
    parse_where(predicate)
    what = " and ".join(f"{d} = {vs[0]}" for d, vs in by_dim.items())
    return Read(
        RuleReading(text, "filter", 0.7, f"drops the rows with {what} at once (each alone stays)", predicate),
        others=tuple(by_dim),
        negative=True,
        tied=tuple((d, vs[0]) for d, vs in by_dim.items()),
    )


def metric_named(words: tuple[str, ...], ctx: Context) -> str | None:
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
    kind = _kind_alias(found, ctx)
    if kind is not None:
        return kind
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
        spelled = _aliases_said(ctx, dim, value, key)
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


def _aliases_said(ctx: Context, dim: str, value: str, key: tuple[str, ...]) -> list[str]:
    """The catalog's aliases of ``value`` of ``dim`` (``meta.value_aliases``) that are the words read (``key``)."""
    dimension = find_dimension(ctx.model, dim)
    aliases = (dimension.meta.get("value_aliases") or {}) if dimension is not None else {}
    return [
        str(a)
        for a in (aliases.get(value) or () if isinstance(aliases, dict) else ())
        if stems(str(a).lower().replace("-", " ")) == key
    ]


def _kind_alias(found: list[tuple[str, str]], ctx: Context) -> str | None:
    """A value read through a lower-case alias of several words that shares no word with the value
    ("direct debit" for ``bank_transfer``): the alias names a kind of thing the catalog files under a broader
    value, so the person may mean something the catalog does not have; checked, not trusted.
    """
    for (dim, value), (_, key) in zip(found, ctx.keys, strict=False):
        if len(key) < 2 or value in ("true", "false"):
            continue
        spelled = [a for a in _aliases_said(ctx, dim, value, key) if a == a.lower()]
        if spelled and not set(key) & set(stems(value.lower().replace("_", " ").replace("-", " "))):
            return (
                f"{spelled[0]!r} is read as {value!r} of {dim} only through the catalog's alias; check that "
                f"{spelled[0]!r} means {value!r} and not a value the catalog does not have"
            )
    return None


#: A prepositional exclusion inside a rule ("paid subscriptions other than the Enterprise plan"): the values
#: before it are kept, the values after it dropped.
EXCEPT = re.compile(r"\b(other than|except(?: for)?|apart from|aside from|besides|but not|excluding)\b")


def mixed(text: str, low: str, ctx: Context) -> Read | None:
    """A rule that keeps values and drops others ("live paid subscriptions, other than the Enterprise
    plan"); None when it is not one (values on one side only). The caller checks that no negation comes
    before the exclusion ("exclude X except Y" is not read so).
    """
    m = EXCEPT.search(low)
    if m is None:
        return None
    halves = []
    for half, negative in ((low[: m.start()], False), (low[m.end() :], True)):
        found, leftover = values_in(half, ctx)
        if not found:
            return None
        halves.append(
            (
                half,
                negative,
                found,
                leftover,
                renamed(text[: len(half)] if not negative else text[m.end() :], found, ctx),
            )
        )
    predicates: list[str] = []
    dims: list[str] = []
    what: list[str] = []
    conf = 0.7
    for _, negative, found, leftover, other in halves:
        by_dim: dict[str, list[str]] = {}
        for d, v in found:
            by_dim.setdefault(d, []).append(v)
        strange = [w for w in leftover if not known(w, vocabulary(ctx.model))]
        if strange or any(ctx.snapshot and is_state(d) for d in by_dim):
            return Read(
                RuleReading(
                    text,
                    "unread",
                    0.1,
                    "keeps some values and drops others, but also says "
                    + (", ".join(repr(w) for w in strange) or "a state that changes over time")
                    + "; write one rule each",
                )
            )
        for d, vs in by_dim.items():
            predicates.append(predicate_for(d, tuple(vs), negative))
            dims.append(d)
            shown = ", ".join(v for v in vs if v not in ("true", "false")) or d.rsplit(SEP, 1)[-1]
            what.append(f"{'drops' if negative else 'keeps'} {d} {shown}")
        if other:
            conf, what = RENAMED, [*what, f"but {other}"]
    predicate = " and ".join(f"({p})" for p in predicates)
    parse_where(predicate)
    return Read(
        RuleReading(text, "filter", conf, "; ".join(what), predicate), others=tuple(dict.fromkeys(dims))
    )
